package worddiff

import (
	"context"
	"strings"
	"testing"
)

func render(chunks []Chunk) string {
	var b strings.Builder
	for _, c := range chunks {
		switch c.Op {
		case Delete:
			b.WriteString("[-" + c.Text + "-]")
		case Insert:
			b.WriteString("{+" + c.Text + "+}")
		default:
			b.WriteString(c.Text)
		}
	}
	return b.String()
}

func mustDiff(t testing.TB, a, b string) []Chunk {
	t.Helper()
	c, err := Diff(context.Background(), a, b)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestDiff(t *testing.T) {
	cases := []struct{ a, b, want string }{
		{"the quick brown fox", "the quick brown fox", "the quick brown fox"},
		{"the quick brown fox", "the slow brown fox", "the [-quick-]{+slow+} brown fox"},
		{"In 1945, China was exhausted.", "In 1946, China was exhausted.", "In [-1945-]{+1946+}, China was exhausted."},
		{"a b c", "a b c d", "a b c{+ d+}"},
		{"中文 文本", "中文 内容", "中文 [-文本-]{+内容+}"},
	}
	for _, c := range cases {
		got := render(mustDiff(t, c.a, c.b))
		if got != c.want {
			t.Errorf("Diff(%q, %q) = %q, want %q", c.a, c.b, got, c.want)
		}
	}
}

func TestDiffKeepsBothSides(t *testing.T) {
	a := strings.Repeat("word ", 200) + "old ending."
	b := strings.Repeat("word ", 200) + "new ending."
	var left, right strings.Builder
	for _, c := range mustDiff(t, a, b) {
		if c.Op != Insert {
			left.WriteString(c.Text)
		}
		if c.Op != Delete {
			right.WriteString(c.Text)
		}
	}
	if left.String() != a || right.String() != b {
		t.Fatal("the chunks do not rebuild both texts")
	}
	if s := Count(mustDiff(t, a, b)); s.Removed != 1 || s.Added != 1 {
		t.Fatalf("Count = %+v, want 1 removed and 1 added", s)
	}
}
