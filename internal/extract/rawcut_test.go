package extract

import (
	"bytes"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// js is a script body long enough to be cut.
var js = strings.Repeat("var x = 1 < 2 && a > b; ", 4)

// hostilePages are pages where a "<script" is not a script start tag, a
// body does not end at the first "</script>", or the bytes otherwise
// trick a scan that does not tokenize. cut is how many bodies the cut
// keeps (its markers all came back); -1 or 0 when it keeps none (nothing
// cut, or the check refused the cut and the page was parsed whole).
var hostilePages = []struct {
	name, page string
	cut        int
}{
	{"plain", "<p>a</p><script>" + js + "</script><p>b</p>", 1},
	{"style", "<style>p{color:red}" + js + "</style><p>b</p>", 1},
	{"upper case", "<SCRIPT TYPE=text/javascript>" + js + "</SCRIPT><p>b</p>", 1},
	{"end tag with space", "<script>" + js + "</script >b", 1},
	{"end tag with slash", "<script>" + js + "</SCRIPT/ >b", 1},
	{"end tag with tab", "<script>" + js + "</script\t>b", 1},
	{"not an end tag", "<script>" + js + "</scripty>" + js + "</script>b", 1},
	{"end tag at EOF", "<script>" + js + "</script", -1},
	{"unclosed at EOF", "<p>a<script>" + js, -1},
	{"start tag at EOF", "<p>a<script type='x", -1},
	{"self-closing", "<script/>" + js + "</script><p>b</p>", 1},
	{"not script", "<scripts>" + js + "</scripts><script>" + js + "</script>", 1},
	{"escaped", "<script><!--\n" + js + "//--></script><script>" + js + "</script>", 1},
	{"double escaped", "<script>" + js + "<!--<script>" + js + "</script>still script</script><p>after</p><script>" + js + "</script>", -1},
	{"double escaped upper", "<script><!--<SCRIPT>" + js + "</script>still</script><p>after</p>", -1},
	{"comment holds script", "<!-- <script>" + js + "</script> --><script>" + js + "</script>", 1},
	{"comment holds unclosed script", "<!-- <script>" + js + " --><p>x</p><script>" + js + "</script>", 1},
	{"abrupt comment", "<!--><script>" + js + "</script>", 1},
	{"bogus comment", "<!x <script>" + js + "</script>>", -1},
	{"attribute holds end tag", "<script data-x=\"a>b</script>\">" + js + "</script><p>b</p>", 1},
	{"single-quoted attribute", "<script data-x='</script>' src=x>" + js + "</script>", 1},
	{"unquoted attribute", "<script data-x=a/b>" + js + "</script>", 1},
	{"equals first", "<script =\">\" x>" + js + "</script>", 1},
	{"slash equals", "<script /=\">\" x>" + js + "</script>", 1},
	{"attribute holds script", "<div title=\"<script>" + js + "</script>\">x</div><script>" + js + "</script>", -1},
	{"svg script", "<svg><script>if (a<b) {" + js + "}</script></svg><script>" + js + "</script>", 1},
	{"svg style", "<svg><style>p<b>{}" + js + "</style></svg>", -1},
	{"nested svg", "<svg><svg></svg><script>" + js + "</script></svg>", -1},
	{"math script", "<math><script>" + js + "&amp;</script></math>", -1},
	{"noscript", "<noscript><script>" + js + "</script></noscript><script>" + js + "</script>", 1},
	{"template", "<template><script>" + js + "</script></template>", 1},
	{"textarea", "<textarea><script>" + js + "</textarea><p>hi</p></script>", -1},
	{"title", "<title><script>" + js + "</title><script>" + js + "</script>", 1},
	{"style holds script", "<style>/*<script>*/" + js + "</style>" + js + "</script>", 1},
	{"xmp", "<xmp><script>" + js + "</xmp>", -1},
	{"iframe", "<iframe><script>" + js + "</iframe>", -1},
	{"noembed", "<noembed><script>" + js + "</script></noembed>", -1},
	{"noframes", "<noframes><script>" + js + "</script></noframes>", -1},
	{"plaintext", "<plaintext><script>" + js + "</script>", -1},
	{"table", "<table><tr><td>x</td></tr><script>" + js + "</script><div><script>" + js + "</script></div></table>", 2},
	{"select", "<select><script>" + js + "</script><style>" + js + "</style></select>", 2},
	{"frameset", "<frameset><script>" + js + "</script></frameset>", -1},
	{"after body", "<body></body></html><script>" + js + "</script>", 1},
	{"crlf and nul", "<script>\r\n" + js + "\r" + js + "\x00\r\n</script><style>\r\n" + js + "\x00</style>", 2},
	{"ld+json", "<script type=\"application/ld+json\">{\"a\":\"" + js + "\"}</script>", 1},
	{"holds the marker", "<script>" + js + cutMark + "0</script>", -1},
	{"short body", "<script>x()</script>", -1},
}

// TestParseHTMLSameTree: parseHTML's tree is html.Parse's, on the dev
// pages and on hostile ones; and every cut whose markers all came back
// gives that tree once the bodies are put back (so that a scan that cut
// wrongly is caught by the check, not hidden by the fallback).
func TestParseHTMLSameTree(t *testing.T) {
	for _, h := range hostilePages {
		t.Run(h.name, func(t *testing.T) {
			kept := checkCut(t, []byte(h.page))
			if want := max(h.cut, 0); kept != want {
				t.Errorf("%d bodies cut and kept, want %d", kept, want)
			}
		})
	}
	pages := loadDevPagesIfAny(t)
	var size, cut, kept, all int
	for _, p := range pages {
		_, bodies := cutRawBodies(nil, p.html)
		size += len(p.html)
		for _, b := range bodies {
			cut += len(b)
		}
		all += len(bodies)
		kept += checkCut(t, p.html)
		if t.Failed() {
			t.Fatalf("%s", p.id)
		}
	}
	if len(pages) > 0 {
		t.Logf("%d dev pages: %d script/style bodies cut, %.1f %% of %d bytes", len(pages), all, 100*float64(cut)/float64(size), size)
		if kept != all {
			t.Errorf("%d of %d cuts refused on the dev pages (each refusal parses the page twice)", all-kept, all)
		}
	}
}

// checkCut compares parseHTML and the checked cut of page with html.Parse
// and returns how many bodies the cut kept (0 when refused).
func checkCut(t *testing.T, page []byte) int {
	t.Helper()
	want := dumpTree(mustParse(t, page))
	got, err := parseHTML(page)
	if err != nil {
		t.Fatal(err)
	}
	if g := dumpTree(got); g != want {
		t.Errorf("parseHTML's tree differs from html.Parse's:\n got %q\nwant %q", g, want)
	}
	cut, bodies := cutRawBodies(nil, page)
	if bodies == nil {
		return 0
	}
	doc := mustParse(t, cut)
	if !restoreRawBodies(doc, bodies) {
		return 0
	}
	if g := dumpTree(doc); g != want {
		t.Errorf("a cut passed the check but its tree differs:\n got %q\nwant %q", g, want)
	}
	return len(bodies)
}

func mustParse(t *testing.T, page []byte) *html.Node {
	t.Helper()
	doc, err := html.Parse(bytes.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// dumpTree writes every node's type, namespace, name or text and
// attributes, with its depth: two trees are the same when their dumps are.
func dumpTree(n *html.Node) string {
	var b strings.Builder
	var walk func(n *html.Node, depth int)
	walk = func(n *html.Node, depth int) {
		b.WriteString(strconv.Itoa(depth) + " " + strconv.Itoa(int(n.Type)) + " " + n.Namespace + " " + strconv.Quote(n.Data))
		for _, a := range n.Attr {
			b.WriteString(" " + a.Namespace + ":" + strconv.Quote(a.Key) + "=" + strconv.Quote(a.Val))
		}
		b.WriteByte('\n')
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, depth+1)
		}
	}
	walk(n, 0)
	return b.String()
}

// BenchmarkParseHTML reports the process's CPU time per dev page of the
// parse alone, uncut (html.Parse) and cut (parseHTML):
//
//	ANNALIST_EXTRACTION_DATA=../shared/data/extraction-dev go test -run '^$' -bench ParseHTML -benchtime 5x ./internal/extract
func BenchmarkParseHTML(b *testing.B) {
	pages := loadDevPages(b)
	for _, c := range []struct {
		name  string
		parse func([]byte)
	}{
		{"html.Parse", func(p []byte) { _, _ = html.Parse(bytes.NewReader(p)) }},
		{"parseHTML", func(p []byte) { _, _ = parseHTML(p) }},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			start := cpuTime()
			for i := 0; i < b.N; i++ {
				for _, p := range pages {
					c.parse(p.html)
				}
			}
			b.ReportMetric(float64((cpuTime()-start).Microseconds())/1e3/float64(b.N*len(pages)), "cpu-ms/page")
			b.ReportMetric(0, "ns/op")
		})
	}
}

// FuzzParseHTML: parseHTML's tree is html.Parse's for any bytes, and a cut
// that passes the check gives that tree (go test -fuzz FuzzParseHTML).
func FuzzParseHTML(f *testing.F) {
	for _, h := range hostilePages {
		f.Add([]byte(h.page))
	}
	f.Fuzz(func(t *testing.T, page []byte) {
		checkCut(t, page)
	})
}
