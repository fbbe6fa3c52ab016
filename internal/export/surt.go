package export

import (
	"bytes"
	"encoding/json"
	"net/url"
	"regexp"
	"sort"
	"strings"
)

var wwwPrefix = regexp.MustCompile(`^(https?://)www\d*\.`)

// SURT is the sort key of a URL in a CDXJ index, computed as ReplayWeb.page
// and warcio.js compute it (their getSurt), so that their look-ups find
// our lines: "www." dropped, lower case, host labels reversed and joined by
// commas, the port, ")", the path, and the query's parameters sorted.
// A URL that is not http(s) or does not parse is its own key.
func SURT(raw string) string {
	if !strings.HasPrefix(raw, "http:") && !strings.HasPrefix(raw, "https:") {
		return raw
	}
	s := strings.ToLower(wwwPrefix.ReplaceAllString(raw, "$1"))
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return raw
	}
	labels := strings.Split(u.Hostname(), ".")
	for i, j := 0, len(labels)-1; i < j; i, j = i+1, j-1 {
		labels[i], labels[j] = labels[j], labels[i]
	}
	key := strings.Join(labels, ",")
	if p := u.Port(); p != "" && !defaultPort(u.Scheme, p) {
		key += ":" + p
	}
	key += ")"
	path := u.EscapedPath()
	if path == "" {
		path = "/"
	}
	key += path
	if u.RawQuery != "" {
		args := strings.Split(u.RawQuery, "&")
		sort.Strings(args)
		key += "?" + strings.Join(args, "&")
	}
	return key
}

// defaultPort: the WHATWG URL parser that getSurt uses drops a scheme's
// default port.
func defaultPort(scheme, port string) bool {
	return scheme == "http" && port == "80" || scheme == "https" && port == "443"
}

// jsonString is s as a JSON string, without the HTML escaping of
// encoding/json (JSON.stringify leaves & < > as they are).
func jsonString(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	return strings.TrimSuffix(b.String(), "\n")
}
