package extract

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// devOutputGolden holds, per extraction-dev page, a digest of everything
// Article returns for it (generic rules, and with a source template) and
// of its fingerprint. Speed work must leave it unchanged; a deliberate
// change of extraction rewrites it with -update.
const devOutputGolden = "testdata/dev-output.golden"

// TestDevOutputUnchanged guards extraction's output on the real dev pages
// byte for byte, so that mechanics changes (speed) cannot move what is
// archived unnoticed:
//
//	ANNALIST_EXTRACTION_DATA=../shared/data/extraction-dev go test -run TestDevOutputUnchanged ./internal/extract/ [-update]
func TestDevOutputUnchanged(t *testing.T) {
	pages := loadDevPages(t)
	tmpl := &Template{Learned: 100, Blocks: map[string]BlockStat{}}
	got := map[string]string{}
	for _, p := range pages {
		h := sha256.New()
		for _, rules := range []Rules{{}, {Template: tmpl}} {
			res, err := Article(p.html, p.url, rules)
			if err != nil {
				h.Write([]byte("error: " + err.Error()))
				continue
			}
			b, err := json.Marshal(res)
			if err != nil {
				t.Fatalf("%s: %v", p.id, err)
			}
			h.Write(b)
			h.Write([]byte(Fingerprint(res.Title, res.Text, res.HTML, nil)))
		}
		got[p.id] = hex.EncodeToString(h.Sum(nil))[:16]
	}
	ids := make([]string, 0, len(got))
	for id := range got {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	var b strings.Builder
	for _, id := range ids {
		b.WriteString(id + " " + got[id] + "\n")
	}
	path := filepath.FromSlash(devOutputGolden)
	if *update {
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create)", err)
	}
	wantBy := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(want)), "\n") {
		if id, sum, ok := strings.Cut(line, " "); ok {
			wantBy[id] = sum
		}
	}
	changed := 0
	for _, id := range ids {
		if w, ok := wantBy[id]; !ok || w != got[id] {
			changed++
			t.Errorf("page %s: extraction output changed (digest %s, golden %s)", id, got[id], w)
		}
	}
	if changed > 0 {
		t.Logf("%d of %d pages changed; if the change is deliberate, rerun with -update", changed, len(ids))
	}
}
