package worddiff

import (
	"context"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// revisions returns a text of about size bytes in paragraphs of random
// words, and a revision of it: about one word in a hundred replaced, and
// one paragraph in fifty removed and one in fifty added.
func revisions(size int, seed uint64) (string, string) {
	r := rand.New(rand.NewPCG(seed, 1))
	vocab := make([]string, 5000)
	for i := range vocab {
		b := make([]byte, 2+r.IntN(9))
		for j := range b {
			b[j] = byte('a' + r.IntN(26))
		}
		vocab[i] = string(b)
	}
	para := func() []string {
		w := make([]string, 40+r.IntN(120))
		for i := range w {
			w[i] = vocab[r.IntN(len(vocab))]
		}
		return w
	}
	var a, b strings.Builder
	for a.Len() < size {
		p := para()
		a.WriteString(strings.Join(p, " ") + ".\n\n")
		switch r.IntN(50) {
		case 0:
			continue
		case 1:
			b.WriteString(strings.Join(para(), " ") + ".\n\n")
		}
		for i := range p {
			if r.IntN(100) == 0 {
				p[i] = vocab[r.IntN(len(vocab))]
			}
		}
		b.WriteString(strings.Join(p, " ") + ".\n\n")
	}
	return a.String(), b.String()
}

// sides rebuilds both texts from a diff.
func sides(chunks []Chunk) (string, string) {
	var a, b strings.Builder
	for _, c := range chunks {
		if c.Op != Insert {
			a.WriteString(c.Text)
		}
		if c.Op != Delete {
			b.WriteString(c.Text)
		}
	}
	return a.String(), b.String()
}

func checkRebuilds(t testing.TB, a, b string, chunks []Chunk) {
	t.Helper()
	ga, gb := sides(chunks)
	if ga != a || gb != b {
		t.Fatalf("the chunks do not rebuild both texts:\na=%q\nb=%q\nchunks=%q", a, b, chunks)
	}
	for i, c := range chunks {
		if c.Text == "" {
			t.Fatalf("chunk %d is empty", i)
		}
		if i > 0 && chunks[i-1].Op == c.Op {
			t.Fatalf("chunks %d and %d have the same op %v", i-1, i, c.Op)
		}
	}
}

func FuzzDiff(f *testing.F) {
	f.Add("the quick brown fox", "the slow brown fox")
	f.Add("a\n\nb\n\nc", "a\n\nB\n\nc\n\nd")
	f.Add("one para.\n\ntwo para.\n", "two para.\n\none para.\n")
	f.Add("", "x")
	f.Add("中文 文本\r\n\r\n", "中文 内容\n")
	f.Add("\xff\xfe broken utf-8", "\xff broken")
	f.Fuzz(func(t *testing.T, a, b string) {
		chunks, err := Diff(context.Background(), a, b)
		if err != nil {
			t.Fatal(err)
		}
		checkRebuilds(t, a, b, chunks)
		// The coarsest fallback must be as correct.
		chunks, err = Options{Budget: time.Nanosecond}.Diff(context.Background(), a, b)
		if err != nil {
			t.Fatal(err)
		}
		checkRebuilds(t, a, b, chunks)
	})
}

func TestDiffRebuildsRevisions(t *testing.T) {
	for seed := uint64(1); seed <= 5; seed++ {
		a, b := revisions(20<<10, seed)
		checkRebuilds(t, a, b, mustDiff(t, a, b))
		c, _ := revisions(20<<10, seed+100)
		checkRebuilds(t, a, c, mustDiff(t, a, c))
	}
}

// A change inside one paragraph of many is still shown word by word.
func TestDiffWordsWithinChangedParagraph(t *testing.T) {
	a := "First paragraph stays.\n\nThe war ended in 1945.\n\nLast paragraph stays.\n"
	b := "First paragraph stays.\n\nThe war ended in 1946.\n\nA new paragraph.\n\nLast paragraph stays.\n"
	chunks := mustDiff(t, a, b)
	checkRebuilds(t, a, b, chunks)
	got := render(chunks)
	if !strings.HasPrefix(got, "First paragraph stays.\n\nThe war ended in [-1945-]{+1946") ||
		!strings.HasSuffix(got, "Last paragraph stays.\n") {
		t.Fatalf("got %q, want 1945 → 1946 word by word between the unchanged paragraphs", got)
	}
}

// With its budget spent, a diff shows changed paragraphs whole and keeps
// the unchanged ones.
func TestDiffCoarseWhenBudgetSpent(t *testing.T) {
	a := "Same start.\n\nThe war ended in 1945.\n\nSame end.\n"
	b := "Same start.\n\nThe war ended in 1946.\n\nSame end.\n"
	chunks, err := Options{Budget: time.Nanosecond}.Diff(context.Background(), a, b)
	if err != nil {
		t.Fatal(err)
	}
	checkRebuilds(t, a, b, chunks)
	got := render(chunks)
	whole := "[-The war ended in 1945.\n\n-]{+The war ended in 1946.\n\n+}"
	if !strings.Contains(got, whole) {
		t.Fatalf("got %q, want the changed paragraph whole: %q", got, whole)
	}
}

// Two unrelated huge texts on one line: the word pass runs out of budget
// and the answer comes anyway, correct.
func TestDiffHugeSingleParagraphIsBounded(t *testing.T) {
	a, _ := revisions(200<<10, 1)
	b, _ := revisions(200<<10, 2)
	a, b = strings.ReplaceAll(a, "\n", " "), strings.ReplaceAll(b, "\n", " ")
	chunks, err := Options{Budget: 50 * time.Millisecond}.Diff(context.Background(), a, b)
	if err != nil {
		t.Fatal(err)
	}
	checkRebuilds(t, a, b, chunks)
}

func TestDiffStopsWhenCancelled(t *testing.T) {
	a, b := revisions(64<<10, 1)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Diff(ctx, a, b); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

func benchDiff(b *testing.B, a, c string) {
	b.SetBytes(int64(len(a) + len(c)))
	for b.Loop() {
		if _, err := Diff(context.Background(), a, c); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDiff1M diffs two revisions of a ~1 MB text (a word in a hundred
// and a paragraph in twenty-five changed).
func BenchmarkDiff1M(b *testing.B) {
	a, c := revisions(1<<20, 1)
	benchDiff(b, a, c)
}

// BenchmarkDiffUnrelated1M diffs two unrelated ~1 MB texts: the worst case.
func BenchmarkDiffUnrelated1M(b *testing.B) {
	a, _ := revisions(1<<20, 1)
	c, _ := revisions(1<<20, 2)
	benchDiff(b, a, c)
}
