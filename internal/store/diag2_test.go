package store

import (
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestDiagReal(t *testing.T) {
	dir := "/work/shared/data/extraction-dev"
	var gt map[string]struct{ ArticleBody, URL string }
	b, _ := os.ReadFile(filepath.Join(dir, "ground-truth.json"))
	json.Unmarshal(b, &gt)
	s := MustOpenDir(t, t.TempDir(), Options{NoSync: true})
	files, _ := filepath.Glob(filepath.Join(dir, "html/*.gz"))
	mustSave(t, s, page("warm", "warm", "warm up text", t0))
	before := archiveBytes(t, s)
	var raw, text int64
	for i, f := range files {
		fh, _ := os.Open(f)
		zr, _ := gzip.NewReader(fh)
		body, _ := io.ReadAll(zr)
		fh.Close()
		id := strings.TrimSuffix(filepath.Base(f), ".html.gz")
		tx := gt[id].ArticleBody
		p := page(fmt.Sprintf("real/%d", i), "Title "+id, tx, t0.Add(time.Duration(i)*time.Minute))
		p.Body = body
		p.HTML = "<p>" + strings.ReplaceAll(tx, "\n", "</p><p>") + "</p>"
		p.Markdown = tx
		raw += int64(len(body))
		text += int64(len(tx))
		mustSave(t, s, p)
	}
	added := archiveBytes(t, s) - before
	t.Logf("pages %d raw/page %d text/page %d added/page %d ratio %.3f", len(files), raw/int64(len(files)), text/int64(len(files)), added/int64(len(files)), float64(added)/float64(raw))
}
