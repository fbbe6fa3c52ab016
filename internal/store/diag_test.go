package store

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestDiagSpace(t *testing.T) {
	s := MustOpenDir(t, t.TempDir(), Options{NoSync: true})
	head, foot := boilerplate()
	g := newTextGen(1)
	var raw, warc, text, textZ, htmlZ, mdZ int64
	n := 200
	for i := 0; i < n; i++ {
		p := realisticPage(g, head, foot, i, t0.Add(time.Duration(i)*time.Minute))
		raw += int64(len(p.Body))
		res := mustSave(t, s, p)
		warc += res.WARCBytes
		text += int64(len(p.Text))
		pr, _ := prepare(p)
		textZ += int64(len(pr.textZ)); htmlZ += int64(len(pr.htmlZ)); mdZ += int64(len(pr.mdZ))
	}
	s.wdb.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
	st, _ := os.Stat(filepath.Join(s.dir, "annalist.db"))
	t.Logf("raw/page %d warc/page %d db/page %d text %d textZ %d htmlZ %d mdZ %d", raw/int64(n), warc/int64(n), st.Size()/int64(n), text/int64(n), textZ/int64(n), htmlZ/int64(n), mdZ/int64(n))
	var free, pages int64
	s.wdb.QueryRow("PRAGMA freelist_count").Scan(&free)
	s.wdb.QueryRow("PRAGMA page_count").Scan(&pages)
	t.Logf("pages %d free %d", pages, free)
	if os.Getenv("OPT") != "" {
		if _, err := s.wdb.Exec("INSERT INTO snapshots_fts(snapshots_fts) VALUES('optimize')"); err != nil { t.Fatal(err) }
	}
	rows, err := s.rdb.Query("SELECT name, sum(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC")
	if err != nil { t.Log(err); return }
	for rows.Next() { var name string; var sz int64; rows.Scan(&name, &sz); t.Logf("%-30s %8d  %d/page", name, sz, sz/int64(n)) }
}
