package extract

import (
	"strings"
	"testing"
)

func TestDropFinePrint(t *testing.T) {
	runPrecisionCases(t, []precisionCase{
		{"a moderators' note in 10px", `<p style="text-align:left; display:block; font-size:10px">ATENÇÃO: Comentários ofensivos não serão aprovados.</p>`,
			[]string{"ATENÇÃO"}, nil},
		{"company boilerplate in 12px under a press release", `<p style="font-size: 12.0px;line-height: 16.0px">Ashby Ltd is a global provider of archive boxes.</p><p style="font-size: 12.0px">Ashby is headquartered in Leeds.</p>`,
			[]string{"global provider", "headquartered"}, nil},
		{"points, ems, percentages and keywords", `<div style="FONT-SIZE: 8pt">Fine print in points.</div><p style="font-size:.7em">Fine print in ems.</p>` +
			`<p style="font-size: 70%">Fine print in percent.</p><p style="color:grey;font-size:x-small !important">Fine print by keyword.</p>` +
			prose("Dacre") + prose("Egerton"),
			[]string{"in points", "in ems", "in percent", "by keyword"}, nil},
		{"ordinary sizes stay", `<p style="font-size:16px">Sixteen pixels is prose.</p><p style="font-size: 1.1em">So is a larger em.</p><p style="font-weight:bold">No size at all.</p>` +
			`<p style="font-size: small">Small is thirteen pixels.</p>`,
			nil, []string{"Sixteen pixels", "larger em", "No size", "thirteen pixels"}},
		{"a small word inside a line stays", `<p>The ledger reads <span style="font-size:9px">(sic)</span> in the margin.</p>`,
			nil, []string{"(sic)"}},
	})
}

// TestFinePrintNotTheWholeArticle: a page that sets most of its article
// in small print, in one block or paragraph by paragraph, keeps it.
func TestFinePrintNotTheWholeArticle(t *testing.T) {
	for name, page := range map[string]string{
		"one block": `<html><body><article><h1>Archives</h1><div><div style="font-size:11px">` + prose("Ashby") + prose("Bolton") + prose("Carew") + `</div>` +
			prose("Dacre") + prose("Egerton") + `</div></article></body></html>`,
		"each paragraph": `<html><body><article><h1>Archives</h1>` + strings.ReplaceAll(prose("Ashby")+prose("Bolton")+prose("Carew"), "<p>", `<p style="font-size: 9pt">`) +
			prose("Dacre") + `</article></body></html>`,
	} {
		res := genericText(t, page)
		if !strings.Contains(res.Text, "Bolton") || !strings.Contains(res.Text, "Dacre") {
			t.Errorf("%s: lost the article: %q", name, res.Text)
		}
	}
}
