package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestQueryMatchesFTS5 checks the Go parser and evaluator against FTS5
// itself with word positions kept (detail=full): same rows, and the same
// queries rejected.
func TestQueryMatchesFTS5(t *testing.T) {
	db, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(`CREATE VIRTUAL TABLE f USING fts5(title, text, tokenize = 'unicode61 remove_diacritics 2')`); err != nil {
		t.Fatal(err)
	}
	vocab := []string{"alpha", "alps", "beta", "Gamma", "délta", "delta", "of"}
	rng := rand.New(rand.NewPCG(1, 2))
	sentence := func(max int) string {
		ws := make([]string, rng.IntN(max+1))
		for i := range ws {
			ws[i] = vocab[rng.IntN(len(vocab))]
		}
		return strings.Join(ws, " ")
	}
	var docs []doc
	for i := range 300 {
		title, text := sentence(3), sentence(8)+", "+sentence(4)+"."
		if _, err := db.Exec(`INSERT INTO f (rowid, title, text) VALUES (?, ?, ?)`, i, title, text); err != nil {
			t.Fatal(err)
		}
		docs = append(docs, newDoc(title, text))
	}
	good := []string{
		`alpha`, `"alpha beta"`, `alpha beta`, `"alpha beta" OR gamma`, `gamma NOT "alpha beta"`,
		`"alpha beta" NOT gamma`, `alp*`, `"alpha al*"`, `alpha+beta`, `alpha + beta + gamma`, `alp* + beta`,
		`title:alpha`, `title:"alpha beta"`, `text:(alpha OR "beta gamma")`, `-title:"beta gamma"`,
		`{title text}:"gamma delta"`, `-{title}:"alpha of"`, `title:(text:alpha)`, `Title:alpha`,
		`^alpha`, `title:^beta`, `^"alpha beta"`, `alpha ^beta`,
		`alpha AND beta OR gamma`, `alpha OR beta AND gamma`, `alpha NOT beta NOT gamma`,
		`alpha beta NOT gamma delta`, `(alpha OR beta) AND "gamma delta"`, `alpha NOT (beta OR "gamma alps")`,
		`delta`, `"delta alpha"`, `"DÉLTA of"`, `"" alpha`, `text : ( "alpha beta" NOT gamma )`,
		`title:alpha "beta gamma"`, `"of of"`, `alpha AND ""`, `alpha OR ""`, `alpha NOT ""`, `"" NOT alpha`, `"" "alpha beta"`, `("")`, `""`, `"alpha, beta"`, `alpha OR title:"beta of" NOT text:gamma`,
	}
	bad := []string{
		`"alpha`, `AND`, `alpha OR`, `(alpha`, `alpha)`, `nosuch:alpha`, `NOT alpha`, `alpha NOT`,
		`(alpha) beta`, `text:(alpha) beta`, `alpha,beta`, `alpha.beta`, `-alpha`, `title:-alpha`,
		`{}:alpha`, `{title:alpha`, `^`, `alpha^`, `*`, `alpha +`, `title:text:alpha`, `()`,
	}
	for _, q := range append(good, bad...) {
		rows, ftsErr := db.Query(`SELECT rowid FROM f WHERE f MATCH ? ORDER BY rowid`, q)
		var want []int
		if ftsErr == nil {
			for rows.Next() {
				var id int
				rows.Scan(&id)
				want = append(want, id)
			}
			ftsErr = rows.Err()
			rows.Close()
		}
		n, err := parseQuery(q)
		if (err != nil) != (ftsErr != nil) || (err != nil) != slices.Contains(bad, q) {
			t.Errorf("%s: parse error %v, FTS5 error %v", q, err, ftsErr)
			continue
		}
		if err != nil {
			continue
		}
		var got []int
		for i := range docs {
			if n.match(&docs[i]) {
				got = append(got, i)
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: Go matches %d rows, FTS5 %d (%v vs %v)", q, len(got), len(want), got, want)
		}
		// The relaxed query must parse as FTS5 and find every row.
		if _, err := parseQuery(n.relaxed()); err != nil {
			t.Errorf("%s: relaxed %s: %v", q, n.relaxed(), err)
		}
		var relaxed []int
		rows, err = db.Query(`SELECT rowid FROM f WHERE f MATCH ? ORDER BY rowid`, n.relaxed())
		if err != nil {
			t.Errorf("%s: relaxed %s: %v", q, n.relaxed(), err)
			continue
		}
		for rows.Next() {
			var id int
			rows.Scan(&id)
			relaxed = append(relaxed, id)
		}
		rows.Close()
		for _, id := range want {
			if _, ok := slices.BinarySearch(relaxed, id); !ok {
				t.Errorf("%s: relaxed %s misses row %d", q, n.relaxed(), id)
				break
			}
		}
	}
}

func TestSearchPhrases(t *testing.T) {
	ctx := context.Background()
	s := MustOpen(t)
	save := func(slug, title, text string) {
		t.Helper()
		mustSave(t, s, page(slug, title, text, t0))
	}
	save("yalta", "Yalta", "In February 1945 the Treaty of Yalta was agreed in the Crimea.")
	save("yalta2", "Conferences", "Historians still argue about the treaty of Yalta and its meaning.")
	save("titled", "The Treaty of Yalta", "A short note on the conference.")
	save("first", "Openings", "Treaty negotiations opened at Yalta.")
	// Every word of the phrase, never together: stored last, so searched
	// first, and the phrase check must look past them to fill a page.
	for i := range 12 {
		save(fmt.Sprintf("scattered%d", i), fmt.Sprintf("Scattered %d", i),
			strings.Repeat("A treaty was signed. One of many. Yalta is in the Crimea. ", 5))
	}

	ids := func(q string, o SearchOptions) []string {
		t.Helper()
		hits, err := s.Search(ctx, q, o)
		if err != nil {
			t.Fatalf("Search(%q): %v", q, err)
		}
		var out []string
		for _, h := range hits {
			out = append(out, strings.TrimPrefix(h.URL, "https://example.com/"))
		}
		slices.Sort(out)
		return out
	}
	for _, c := range []struct {
		q    string
		o    SearchOptions
		want []string
	}{
		{`"Treaty of Yalta"`, SearchOptions{}, []string{"titled", "yalta", "yalta2"}},
		{`"Treaty of Yalta"`, SearchOptions{Limit: 2}, nil}, // any two of the three; checked below
		{`"treaty of yal"*`, SearchOptions{}, []string{"titled", "yalta", "yalta2"}},
		{`"treaty of yal*"`, SearchOptions{}, nil}, // a star inside quotes is no operator
		{`title:"treaty of yalta"`, SearchOptions{}, []string{"titled"}},
		{`text:"treaty of yalta"`, SearchOptions{}, []string{"yalta", "yalta2"}},
		{`treaty NOT "treaty of yalta"`, SearchOptions{}, []string{"first", "scattered0", "scattered1", "scattered10",
			"scattered11", "scattered2", "scattered3", "scattered4", "scattered5", "scattered6", "scattered7", "scattered8", "scattered9"}},
		{`"treaty of yalta" OR negotiations`, SearchOptions{}, []string{"first", "titled", "yalta", "yalta2"}},
		{`^treaty`, SearchOptions{}, []string{"first"}},
		{`title:^"the treaty"`, SearchOptions{}, []string{"titled"}},
		{`"yalta was agreed" crimea`, SearchOptions{}, []string{"yalta"}},
		{`"Yalta Treaty"`, SearchOptions{}, nil},
	} {
		got := ids(c.q, c.o)
		if c.o.Limit == 2 {
			if len(got) != 2 || slices.ContainsFunc(got, func(s string) bool { return strings.HasPrefix(s, "scattered") }) {
				t.Errorf("Search(%q, limit 2) = %v, want two phrase hits", c.q, got)
			}
			continue
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("Search(%q) = %v, want %v", c.q, got, c.want)
		}
	}
	hits, err := s.Search(ctx, `"treaty of yalta"`, SearchOptions{})
	if i := slices.IndexFunc(hits, func(h Hit) bool { return strings.HasSuffix(h.URL, "/yalta") }); err != nil ||
		i < 0 || !strings.Contains(hits[i].Snippet, "«Treaty» «of» «Yalta»") {
		t.Errorf("phrase snippet: %+v %v", hits, err)
	}
	_, err = s.Search(ctx, `NEAR(treaty yalta, 3)`, SearchOptions{})
	if !errors.Is(err, ErrBadQuery) || !strings.Contains(err.Error(), "NEAR is not supported") {
		t.Errorf("NEAR: err = %v", err)
	}
}

// TestSearchPhraseWithoutWARC keeps a hit whose text cannot be read (its
// WARC file is gone) rather than hide it behind the phrase check.
func TestSearchPhraseWithoutWARC(t *testing.T) {
	ctx := context.Background()
	s, _ := openWithLostWARC(t, page("yalta", "Yalta", "The Treaty of Yalta was agreed.", t0))
	hits, err := s.Search(ctx, `"treaty of yalta"`, SearchOptions{})
	if err != nil || len(hits) != 1 {
		t.Errorf("hits = %+v, err = %v", hits, err)
	}
}

// TestArchiveReturnsFreedPages: FTS5 merges free pages; with auto_vacuum
// they leave the file instead of lingering on the free list.
func TestArchiveReturnsFreedPages(t *testing.T) {
	s := MustOpenDir(t, t.TempDir(), Options{NoSync: true})
	head, foot := boilerplate()
	g := newTextGen(4)
	for i := range 40 {
		mustSave(t, s, realisticPage(g, head, foot, i, t0.Add(time.Duration(i)*time.Minute)))
	}
	var mode, free int
	if err := s.wdb.QueryRow(`PRAGMA auto_vacuum`).Scan(&mode); err != nil {
		t.Fatal(err)
	}
	if err := s.wdb.QueryRow(`PRAGMA freelist_count`).Scan(&free); err != nil {
		t.Fatal(err)
	}
	if mode != 1 || free != 0 {
		t.Errorf("auto_vacuum = %d, free pages = %d; want 1 (full), 0", mode, free)
	}
}
