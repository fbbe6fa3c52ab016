// Package canonical normalises URLs so that one article reached through
// several spellings of its address is named once.
package canonical

import (
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"
)

// ErrScheme is returned for URLs whose scheme is not http or https.
var ErrScheme = errors.New("canonical: only http and https URLs are archived")

// trackingParams are query parameters that never change what a page shows.
var trackingParams = map[string]bool{
	"fbclid": true, "gclid": true, "dclid": true, "gbraid": true, "wbraid": true,
	"msclkid": true, "mc_cid": true, "mc_eid": true, "yclid": true, "igshid": true,
	"_ga": true, "_gl": true, "ref_src": true, "ref_url": true, "oly_anon_id": true,
	"oly_enc_id": true, "vero_id": true, "mkt_tok": true, "__twitter_impression": true,
	"spm": true, "s_cid": true, "cmpid": true,
	// AT Internet (xtor, at_*), the BBC's ns_*, Webtrends, HubSpot, MSN and
	// Yahoo feeds (ncid, ocid), the Daily Mail (ito), the New York Times (smid).
	"xtor": true, "at_medium": true, "at_campaign": true, "at_source": true, "at_link": true,
	"ns_mchannel": true, "ns_source": true, "ns_campaign": true, "ns_linkname": true, "ns_fee": true,
	"wt.mc_id": true, "wt_mc": true, "_hsenc": true, "_hsmi": true, "ncid": true, "ocid": true,
	"ito": true, "smid": true, "s_kwcid": true, "icid": true,
}

// URL returns the canonical form of raw, resolved against base when raw is
// relative (base may be nil): scheme and host lower-cased, default ports,
// fragment and tracking parameters (utm_*, fbclid, gclid, …) removed,
// remaining query parameters sorted, an empty path written as "/".
func URL(raw string, base *url.URL) (string, error) {
	u, err := Parse(raw, base)
	if err != nil {
		return "", err
	}
	return u.String(), nil
}

// Parse is URL's canonical form of raw as a *url.URL, for callers that go
// on to read its parts.
func Parse(raw string, base *url.URL) (*url.URL, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil, errors.New("canonical: empty URL")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("canonical: parse %q: %w", raw, err)
	}
	if base != nil {
		u = base.ResolveReference(u)
	}
	u.Scheme = strings.ToLower(u.Scheme)
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("%w: %q", ErrScheme, raw)
	}
	if u.Host == "" {
		return nil, fmt.Errorf("canonical: no host in %q", raw)
	}
	host := strings.ToLower(u.Hostname())
	host = strings.TrimSuffix(host, ".")
	port := u.Port()
	if (u.Scheme == "http" && port == "80") || (u.Scheme == "https" && port == "443") {
		port = ""
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if port != "" {
		host += ":" + port
	}
	u.Host = host
	u.User = nil
	u.Fragment = ""
	u.RawFragment = ""
	if u.Path == "" {
		u.Path = "/"
		u.RawPath = ""
	}
	if u.RawQuery != "" {
		u.RawQuery = cleanQuery(u.RawQuery)
	}
	u.ForceQuery = false
	return u, nil
}

// cleanQuery drops tracking parameters and sorts the rest, keeping their
// original encoding so that a server that cares about it still sees it.
func cleanQuery(q string) string {
	parts := strings.Split(q, "&")
	kept := parts[:0]
	for _, p := range parts {
		if p == "" {
			continue
		}
		name := p
		if i := strings.IndexByte(p, '='); i >= 0 {
			name = p[:i]
		}
		if n, err := url.QueryUnescape(name); err == nil {
			name = n
		}
		lname := strings.ToLower(name)
		if strings.HasPrefix(lname, "utm_") || trackingParams[lname] {
			continue
		}
		kept = append(kept, p)
	}
	sort.SliceStable(kept, func(i, j int) bool { return kept[i] < kept[j] })
	return strings.Join(kept, "&")
}
