package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strings"
	"unicode"

	"github.com/andybalholm/cascadia"
)

// nameRE keeps source names safe as file names, URL path segments and CLI
// arguments.
var nameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]*$`)

// ValidName reports whether name may name a source (and its feeds file).
func ValidName(name string) bool { return checkName(name) == nil }

func checkName(name string) error {
	if name == "" {
		return errors.New("must not be empty")
	}
	if !nameRE.MatchString(name) {
		return fmt.Errorf("invalid source name %q: use lower-case letters, digits, '.', '_' and '-', starting with a letter or digit", name)
	}
	return nil
}

func checkFeedURL(s string) error {
	if s == "" {
		return errors.New("required: the URL of the source's RSS or Atom feed")
	}
	return checkHTTPURL(s)
}

// checkHTTPURL wants an absolute http(s) URL with a host: a feed, a site,
// a webhook (whose query, often the receiver's token, is allowed).
func checkHTTPURL(s string) error {
	u, err := url.Parse(s)
	if err != nil {
		return fmt.Errorf("invalid URL %q: %v", s, unwrapURLError(err))
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("invalid URL %q: want an absolute http or https URL", s)
	}
	if u.Host == "" || u.Hostname() == "" {
		return fmt.Errorf("invalid URL %q: no host", s)
	}
	return nil
}

// checkSiteURL wants the site's home page as an absolute http(s) URL.
func checkSiteURL(s string) error { return checkFeedURL(s) }

// checkCategory keeps a category one printable line: it is a folder name
// in OPML and a column in listings.
func checkCategory(s string) error {
	if strings.TrimSpace(s) == "" {
		return errors.New("must not be empty (leave category out for none)")
	}
	if len(s) > 200 {
		return fmt.Errorf("too long (%d bytes, at most 200)", len(s))
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return fmt.Errorf("invalid category %q: no control characters or line breaks", s)
		}
	}
	return nil
}

// unwrapURLError drops url.Error's repetition of the URL we already quote.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// checkSelector compiles sel as a selector group ("a, b"), which is what
// goquery's Find accepts.
func checkSelector(sel string) error {
	if strings.TrimSpace(sel) == "" {
		return errors.New("empty selector")
	}
	if _, err := cascadia.ParseGroup(sel); err != nil {
		return fmt.Errorf("invalid CSS selector %q: %v", sel, err)
	}
	return nil
}

func checkListen(addr string) error {
	if _, _, err := net.SplitHostPort(addr); err != nil {
		return fmt.Errorf("invalid address %q: want host:port, e.g. 127.0.0.1:8080", addr)
	}
	return nil
}

// checkBaseURL wants an absolute http(s) URL with a host and no query or
// fragment: snapshot paths are appended to it.
func checkBaseURL(s string) error {
	u, err := url.Parse(s)
	if err != nil {
		return fmt.Errorf("invalid URL %q: %v", s, unwrapURLError(err))
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("invalid URL %q: want an absolute http or https URL, e.g. https://archive.example.org", s)
	}
	if u.Host == "" || u.Hostname() == "" {
		return fmt.Errorf("invalid URL %q: no host", s)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("invalid URL %q: no query or fragment, snapshot paths are appended to it", s)
	}
	return nil
}
