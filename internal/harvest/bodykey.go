package harvest

import (
	"encoding/hex"
	"encoding/json"
	"slices"
	"strconv"

	"annalist/internal/config"
	"annalist/internal/extract"
	"annalist/internal/feed"
	"annalist/internal/fetch"
	"annalist/internal/store"

	"github.com/zeebo/blake3"
)

// bodyKey names a fetched page together with everything capturePage's
// outcome depends on besides the archive: extractor and normaliser
// versions, the rules applied (and whether the source's selectors were),
// the ignore patterns, the URLs asked for and ended at (they decide the
// canonical URL), the Content-Type (it decides the charset) and the body
// bytes. Two fetches with the same key extract to the same article state,
// so the second need not be extracted (store.Article.BodyKey). What a feed
// item adds is not in the key: capturePage stores no key for a page whose
// title came from the item, and takes the short cut for an item only when
// its URLs are already the article's (sameBody).
//
// The hash is BLAKE3 (key version b2): an unchanged re-check hashes every
// page it fetches, and SHA-256 (b1) was a sixth of its CPU; BLAKE3 is as
// collision-resistant and about twice as fast here. A b1 key stored by an
// older version never equals a b2 one: that page is examined in full once
// more, and its capture stores the b2 key.
func bodyKey(src *config.Source, rules extract.Rules, askedURL string, resp *fetch.Response) string {
	h := blake3.New()
	field := func(s string) {
		// Length-prefixed, so no choice of values can make two different
		// inputs hash the same byte stream.
		h.Write([]byte(strconv.Itoa(len(s))))
		h.Write([]byte{0})
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	field("annalist-body-key/2")
	field(extract.Version)
	field(strconv.Itoa(extract.NormaliserVersion))
	r, _ := json.Marshal(rules) // plain strings and bools: never fails
	field(string(r))
	field(strconv.FormatBool(selectorsApply(src, askedURL, resp.URL)))
	field(strconv.Itoa(len(src.IgnoreRE)))
	for _, re := range src.IgnoreRE {
		field(re.String())
	}
	field(askedURL)
	field(resp.URL)
	field(resp.Header.Get("Content-Type"))
	field(strconv.Itoa(len(resp.Body)))
	h.Write(resp.Body)
	return "b2:" + hex.EncodeToString(h.Sum(nil))
}

// sameBody reports whether the page fetched for known (reached through
// item, if not nil) has the key of the page last stored for it, so that
// storing it again could only record "unchanged".
func sameBody(known *store.Article, key string, item *feed.Item) bool {
	if known == nil || known.Snapshots == 0 || known.BodyKey == "" || known.BodyKey != key {
		return false
	}
	if item != nil {
		// SaveCapture would record the item's spellings of the URL.
		for _, u := range []string{item.Link, item.Canonical} {
			if u != "" && !slices.Contains(known.URLs, u) {
				return false
			}
		}
	}
	return true
}
