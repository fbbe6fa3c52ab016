package extract

import (
	"net/url"
	"strings"

	"golang.org/x/net/html"

	"annalist/internal/canonical"
)

// Links returns the targets of the links in a body's HTML (as Article
// gives it: hrefs absolute but for the #fn… footnote anchors), in
// document order separated by spaces (canonical URLs hold none), as the
// fingerprint counts them: a footnote or source link that now points
// elsewhere is a revision, though its anchor text is the same. Each
// target is canonical (canonical.URL: tracking parameters and fragment
// gone), without its scheme or a leading "www.", and without what varies
// from one request to the next: session ids (";jsessionid=…", "sid=…"),
// nonces, tokens, signatures and cache busters in the query
// (volatileParam). A target on the page's own host
// is written from its path, so a site that moves to https or another
// domain changes none; links to the page itself (same-page anchors
// resolved against it) and targets that are not http(s) (mailto:) are
// left out. pageURL is the page's address ("" if unknown: targets are
// then written whole).
func Links(body, pageURL string) string {
	if !strings.Contains(body, "href") {
		return ""
	}
	var page *url.URL
	host, self := "", ""
	if pageURL != "" {
		if u, err := url.Parse(pageURL); err == nil && u.Host != "" {
			page = u
			host, _ = linkKey(pageURL, nil, "")
			_, self = linkKey(pageURL, nil, host)
		}
	}
	var out []string
	for rest := body; ; {
		href, after, ok := nextHref(rest)
		if !ok {
			break
		}
		rest = after
		if _, key := linkKey(href, page, host); key != "" && key != self {
			out = append(out, key)
		}
	}
	return strings.Join(out, " ")
}

// linkKey returns a link target's host (without "www.") and the target as
// Links writes it, host-relative when the host is host; key is "" for a
// target to leave out (a same-page "#…" anchor, not http(s), unparsable).
func linkKey(href string, page *url.URL, host string) (h, key string) {
	href = strings.TrimSpace(href)
	if href == "" || href[0] == '#' {
		return "", ""
	}
	u, err := canonical.Parse(href, page)
	if err != nil {
		return "", ""
	}
	h = strings.TrimPrefix(u.Host, "www.")
	path := u.EscapedPath()
	if strings.Contains(path, ";") {
		path = stripPathParams(path)
	}
	key = path
	if q := stableQuery(u.RawQuery); q != "" {
		key += "?" + q
	}
	if h != host {
		key = h + key
	}
	return h, key
}

// stripPathParams drops the session parameters of path segments
// ("/a;jsessionid=0F3A…/b" reads "/a/b").
func stripPathParams(path string) string {
	segs := strings.Split(path, "/")
	for i, s := range segs {
		parts := strings.Split(s, ";")
		kept := parts[:1]
		for _, p := range parts[1:] {
			name, _, _ := strings.Cut(p, "=")
			if !volatileParam(name, "") {
				kept = append(kept, p)
			}
		}
		segs[i] = strings.Join(kept, ";")
	}
	return strings.Join(segs, "/")
}

// stableQuery is q (canonical: sorted, no tracking parameters) without its
// volatile parameters.
func stableQuery(q string) string {
	if q == "" {
		return ""
	}
	parts := strings.Split(q, "&")
	kept := parts[:0]
	for _, p := range parts {
		name, value, ok := strings.Cut(p, "=")
		if !ok {
			name, value = "", p // "?8f3a…": a bare token
		}
		if n, err := url.QueryUnescape(name); err == nil {
			name = n
		}
		if v, err := url.QueryUnescape(value); err == nil {
			value = v
		}
		if !volatileParam(name, value) {
			kept = append(kept, p)
		}
	}
	return strings.Join(kept, "&")
}

// volatileNames are query and path parameters that differ from one request
// (or visitor) to the next while the target stays the same, and referral
// marks.
var volatileNames = map[string]bool{
	"jsessionid": true, "phpsessid": true, "sid": true, "sessionid": true, "session_id": true,
	"sessid": true, "session": true, "cfid": true, "cftoken": true, "aspsessionid": true,
	"nonce": true, "_wpnonce": true, "token": true, "_token": true, "csrf": true, "_csrf": true,
	"csrf_token": true, "csrftoken": true, "authenticity_token": true, "access_token": true,
	"signature": true, "sig": true, "expires": true, "key-pair-id": true, "policy": true,
	"_": true, "cb": true, "cachebuster": true, "cache_buster": true, "nocache": true,
	"rnd": true, "rand": true, "random": true,
	// Referral marks (besides canonical's tracking parameters): a site
	// renames them for all its links at once ("?module=inline").
	"ref": true, "refsrc": true, "refsource": true, "referrer": true, "referer": true,
	"mod": true, "module": true, "cmp": true, "campaign": true, "partner": true,
}

// volatileParam reports whether a parameter (name, value unescaped) varies
// per request: a session, nonce, token, signature or cache-buster name
// (also "x-amz-…", "x-goog-…" signed URLs), else a value shaped like a
// random token (randomToken).
func volatileParam(name, value string) bool {
	n := strings.ToLower(name)
	if volatileNames[n] || strings.HasPrefix(n, "x-amz-") || strings.HasPrefix(n, "x-goog-") ||
		strings.Contains(n, "nonce") || strings.Contains(n, "token") || strings.Contains(n, "sessionid") {
		return true
	}
	return randomToken(value)
}

// randomToken reports whether v looks generated for one request rather
// than naming something: 32 or more hex digits (a hash, a UUID), 32 or
// more base64 characters mixing upper and lower case and digits, or a
// Unix time in seconds or milliseconds between 2000 and 2100 (a cache
// buster). Shorter values (ids, years, page numbers, words) are kept.
func randomToken(v string) bool {
	if len(v) < 10 {
		return false
	}
	hex, b64, digits := 0, 0, 0
	var upper, lower bool
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case '0' <= c && c <= '9':
			digits++
			hex++
			b64++
		case 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F':
			hex++
			b64++
			upper, lower = upper || c <= 'F', lower || c >= 'a'
		case 'a' <= c && c <= 'z':
			lower = true
			b64++
		case 'A' <= c && c <= 'Z':
			upper = true
			b64++
		case c == '-':
			hex++ // UUIDs
			b64++
		case c == '_' || c == '+' || c == '/' || c == '=':
			b64++
		default:
			return false
		}
	}
	switch {
	case digits == len(v) && (len(v) == 10 && v >= "0946684800" && v < "4102444800" || len(v) == 13 && v >= "0946684800000" && v < "4102444800000"):
		return true
	case len(v) >= 32 && hex == len(v) && digits > 0 && digits < len(v):
		return true
	case len(v) >= 32 && b64 == len(v) && upper && lower && digits > 0:
		return true
	}
	return false
}

// nextHref finds the next <a> start tag in s and returns its href (its
// character references decoded; "" if it has none) and the rest of s after
// the tag. It reads tags as the tokenizer does (attribute values quoted
// either way or not at all, names in any case) but looks at nothing else:
// a body's HTML comes from the sanitiser, which leaves no comments,
// scripts or raw "<" in text, and this is several times cheaper than
// tokenizing the whole body.
func nextHref(s string) (href, rest string, ok bool) {
	for {
		i := strings.IndexByte(s, '<')
		if i < 0 || i+2 >= len(s) {
			return "", "", false
		}
		s = s[i+1:]
		if s[0] != 'a' && s[0] != 'A' || !isTagSpace(s[1]) && s[1] != '>' && s[1] != '/' {
			continue
		}
		s = s[1:]
		for {
			s = strings.TrimLeft(s, " \t\n\r\f/")
			if s == "" || s[0] == '>' {
				if s != "" {
					s = s[1:]
				}
				return href, s, true
			}
			var name, value string
			name, value, s = nextAttr(s)
			if strings.EqualFold(name, "href") && href == "" {
				href = html.UnescapeString(value)
			}
		}
	}
}

// nextAttr reads one attribute (name, value) at the start of s.
func nextAttr(s string) (name, value, rest string) {
	i := 0
	for i < len(s) && !isTagSpace(s[i]) && s[i] != '=' && s[i] != '>' && (s[i] != '/' || i == 0) {
		i++
	}
	name, s = s[:i], strings.TrimLeft(s[i:], " \t\n\r\f")
	if s == "" || s[0] != '=' {
		return name, "", s
	}
	s = strings.TrimLeft(s[1:], " \t\n\r\f")
	if s != "" && (s[0] == '"' || s[0] == '\'') {
		if j := strings.IndexByte(s[1:], s[0]); j >= 0 {
			return name, s[1 : 1+j], s[2+j:]
		}
		return name, s[1:], ""
	}
	j := 0
	for j < len(s) && !isTagSpace(s[j]) && s[j] != '>' {
		j++
	}
	return name, s[:j], s[j:]
}

func isTagSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'
}
