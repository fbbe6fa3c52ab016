package extract

import "testing"

func TestDropButtons(t *testing.T) {
	runPrecisionCases(t, []precisionCase{
		{"a scripted read-more button", `<div class="read-more-button"><div class="read-more-link">Read More</div></div>` + prose("Dacre"),
			[]string{"Read More"}, []string{"Dacre"}},
		{"a click-to-tweet label beside the quote it shares", `<p><a href="/share"><span class="quote">Archives outlive their keepers.</span><span class="sw-ctt-btn">Click To Tweet</span></a></p>`,
			[]string{"Click To Tweet"}, []string{"Archives outlive their keepers."}},
		{"ARIA's role in any language", `<div><span role="button">Mostrar más</span></div><div><a class="btn_share" href="#">Teilen</a></div>`,
			[]string{"Mostrar más", "Teilen"}, nil},
		// Not a button by name, or too long to be a label.
		{"a link to another story stays", `<p>See <a href="/b">the Bolton ledgers</a> for the accounts.</p>`,
			nil, []string{"the Bolton ledgers"}},
		{"a class that only contains the letters stays", `<p class="buttonhole-stitch">Buttonhole stitches bound the volumes.</p>`,
			nil, []string{"Buttonhole stitches"}},
		{"a long block named for a button stays", `<div class="btn-wrap">` + prose("Dacre") + `</div>`,
			nil, []string{"Dacre"}},
	})
}
