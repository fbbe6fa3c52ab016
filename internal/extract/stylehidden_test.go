package extract

import (
	"strings"
	"testing"
)

// Blocks the page's own style rules hide are not the article; blocks hidden
// only on small screens, or shown again by another rule (a tab a script
// opens), are.
func TestStyleHiddenBlocksDropped(t *testing.T) {
	page := `<html><head><title>The siege of Rhodes</title><style>
/* print and pop-ups */
.pq-x { display : none }
#later-x, .x-sig { visibility: hidden; }
@media (max-width: 600px) { .wide-x { display: none } }
.tab-x { display: none } .tab-x.open { display: block }
.lead-x:hover { display: none }
</style></head><body><article><h1>The siege of Rhodes</h1>
<p>In 1522 Suleiman the Magnificent brought some hundred thousand men against the Knights Hospitaller on Rhodes.</p>
<div class="pq-x"><p>Printed from the magazine's archive, where the siege, the knights, and the island are told in full, with maps.</p></div>
<p id="later-x">A later hand, revealed by a script, adds that the grand master, by every account, led the defence from the walls.</p>
<p class="wide-x">The knights held out for six months behind walls they had rebuilt for exactly such a siege.</p>
<div class="tab-x"><p>When the town surrendered in December, the survivors were allowed to leave with their arms.</p></div>
<p class="lead-x">They sailed for Crete and Sicily, and in 1530 were given Malta by the emperor Charles V.</p>
</article></body></html>`
	res, err := Article([]byte(page), "https://example.com/rhodes", Rules{})
	if err != nil {
		t.Fatal(err)
	}
	for _, gone := range []string{"Printed from the magazine", "revealed by a script"} {
		if strings.Contains(res.Text, gone) {
			t.Errorf("a block the page's style hides was kept: %q\n%s", gone, res.Text)
		}
	}
	for _, kept := range []string{"held out for six months", "survivors were allowed", "given Malta"} {
		if !strings.Contains(res.Text, kept) {
			t.Errorf("a block shown on some screen or by a script was dropped: %q\n%s", kept, res.Text)
		}
	}
	if res.Dropped["hidden by the page's style: div.pq-x"] != 1 {
		t.Errorf("dropped = %v", res.Dropped)
	}
}
