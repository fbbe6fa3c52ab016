package extract

import (
	"fmt"
	"math/rand"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// stampScanPieces are the bits the generated pages are made of: needles
// whole and cut in two (between runes, in any case), "à jour" with odd white
// space, and plain words and white space around them.
var stampScanPieces = []string{
	"up", "dated", "UPD", "ATED", "updated", "Modi", "fied", "modifié", "mo", "dif", "ica",
	"à", "à ", " jour", "jour", "à\n\tjour", "à\u00a0", "j", "our", "mis à jou", "r",
	"更", "新", "更新", "修", "改", "обнов", "лено", "Обнов", "aktual", "isiert", "geänd", "ert",
	"word", "x", " ", "\n", "  ", "2024-01-31", "on ", "Last ", "the ", "re", "vised", "\xc3", "\xa0",
}

var stampScanTags = []string{"span", "b", "a", "div", "p", "li", "pre", "td", "br", "script", "em", "h2"}

// randomStampPage builds a body of nested elements holding pieces.
func randomStampPage(rng *rand.Rand) string {
	var b strings.Builder
	b.WriteString("<html><body>")
	var open []string
	for i := 0; i < 40; i++ {
		switch r := rng.Intn(10); {
		case r < 5:
			b.WriteString(html.EscapeString(stampScanPieces[rng.Intn(len(stampScanPieces))]))
		case r < 8:
			tag := stampScanTags[rng.Intn(len(stampScanTags))]
			if tag == "br" {
				b.WriteString("<br>")
				continue
			}
			fmt.Fprintf(&b, "<%s class=\"k%d\">", tag, rng.Intn(4))
			open = append(open, tag)
		default:
			if len(open) > 0 {
				fmt.Fprintf(&b, "</%s>", open[len(open)-1])
				open = open[:len(open)-1]
			}
		}
	}
	b.WriteString("</body></html>")
	return b.String()
}

// hasNeedleReference reports a stamp needle anywhere in s, byte by byte.
func hasNeedleReference(s string) bool {
	for q := 0; q < len(s); q++ {
		if needleAt(s[q:]) > 0 {
			return true
		}
	}
	return false
}

// TestPageMayHoldStamp: whatever elements the text rendering skips, a
// needle in the rendered text (whole, cut across elements, or joined by
// folded white space) is never missed by the check on the raw text nodes;
// and a page with no needle anywhere is passed over (the saving).
func TestPageMayHoldStamp(t *testing.T) {
	rng := rand.New(rand.NewSource(11))
	held, passed := 0, 0
	for i := 0; i < 3000; i++ {
		page := randomStampPage(rng)
		doc, err := html.Parse(strings.NewReader(page))
		if err != nil {
			t.Fatal(err)
		}
		var body []*html.Node
		walk(doc, func(n *html.Node) bool {
			if isElement(n, "body") {
				body = append(body, n)
			}
			return true
		})
		may := pageMayHoldStamp(body)
		if may {
			held++
		} else {
			passed++
		}
		for k := 0; k < 8; k++ {
			// Each class skipped or not, as isChrome might decide.
			skipClass := [4]bool{}
			for c := range skipClass {
				skipClass[c] = rng.Intn(3) == 0
			}
			skip := func(n *html.Node) bool {
				var c int
				_, _ = fmt.Sscanf(attr(n, "class"), "k%d", &c)
				return hasAttr(n, "class") && skipClass[c]
			}
			text := plainText(body, skip)
			if hasNeedleReference(text) && !may {
				t.Fatalf("page %q: rendered text %q holds a needle, pageMayHoldStamp said no", page, text)
			}
		}
	}
	if passed < 100 || held < 100 {
		t.Errorf("%d pages passed over, %d held: the cases do not test both ways", passed, held)
	}
	for _, page := range []string{
		"<p>Nothing to see here, a plain page about the river and its mills.</p><div>Menu <a>Home</a> <a>Forum</a></div>",
		"<p>A modest update of the dates: 2024-01-31.</p>",
	} {
		doc, _ := html.Parse(strings.NewReader(page))
		if pageMayHoldStamp([]*html.Node{doc}) {
			t.Errorf("pageMayHoldStamp(%q) = true, want false: nothing there can be a stamp", page)
		}
	}
	for _, page := range []string{
		"<p>Up<span class=ad>x</span>dated on 2024-01-31</p>",
		"<p>Mis à\n<b>jour</b> le 3 mars 2024</p>",
		"<p>Mis à<b> jour</b> le 3 mars 2024</p>",
		"<p>Mis à <b>j</b>our le 3 mars 2024</p>",
		"<p>最后更<i>新</i> 2024-03-01</p>",
	} {
		doc, _ := html.Parse(strings.NewReader(page))
		if !pageMayHoldStamp([]*html.Node{doc}) {
			t.Errorf("pageMayHoldStamp(%q) = false, want true", page)
		}
	}
}
