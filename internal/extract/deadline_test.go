package extract

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"
)

// pathological is the ignore pattern that took 105 s over 6 MB of text:
// each byte costs a thousand steps of the regexp machine.
var pathological = regexp.MustCompile(`[\s\S]{1000}Z`)

func bigText(paragraph string, size int) string {
	var b strings.Builder
	for b.Len() < size {
		b.WriteString(paragraph)
	}
	return b.String()
}

func TestFingerprintDeadline(t *testing.T) {
	// "Zhukov" in every paragraph: text without the pattern's literal Z
	// is skipped without running the regexp (requiredLiteral); and
	// paragraphs longer than the 1001 bytes a match needs, which Go's
	// regexp does not even scan.
	long := strings.Repeat(furnitureProse+" ", 6)
	for name, text := range map[string]string{
		"many paragraphs": bigText(long+"Zhukov.\n\n", 6<<20),
		"one paragraph":   bigText(furnitureProse+" Zhukov. ", 6<<20),
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		_, err := FingerprintContext(ctx, "", "Yalta", text, "", []*regexp.Regexp{pathological})
		cancel()
		if !errors.Is(err, ErrDeadline) || !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("%s: err = %v, want ErrDeadline", name, err)
		}
	}
	// Within its deadline, the same text with a tame pattern fingerprints as
	// without a deadline.
	text := bigText(furnitureProse+" 12 readers today\n\n", 1<<20)
	tame := []*regexp.Regexp{regexp.MustCompile(`\d+ readers today`)}
	fp, err := FingerprintContext(context.Background(), "", "Yalta", text, "", tame)
	if err != nil || fp != Fingerprint("Yalta", strings.ReplaceAll(text, "12 readers today", ""), "", nil) {
		t.Errorf("tame pattern: %v, %v", fp, err)
	}
}

// An ignore pattern applies within a paragraph, also when a long paragraph
// is cut into pieces for the deadline checks.
func TestIgnoreInLongParagraph(t *testing.T) {
	text := bigText(furnitureProse+" 12 readers today ", 100<<10)
	re := []*regexp.Regexp{regexp.MustCompile(`\d+ readers today`)}
	if Normalise("T", text, "", re) != Normalise("T", strings.ReplaceAll(text, "12 readers today", ""), "", nil) {
		t.Error("a match in a long paragraph was missed")
	}
}

func TestArticleDeadline(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	page := []byte(`<html><body><article><p>` + furnitureProse + `</p></article></body></html>`)
	if _, err := ArticleContext(ctx, page, "https://example.org/a", Rules{}); !errors.Is(err, ErrDeadline) {
		t.Errorf("ended context: err = %v, want ErrDeadline", err)
	}
	if _, err := ArticleContext(context.Background(), page, "https://example.org/a", Rules{}); err != nil {
		t.Errorf("no deadline: %v", err)
	}
}

// A long paragraph that is not UTF-8 is still cut into pieces (and ends).
func TestIgnoreChunksInvalidUTF8(t *testing.T) {
	text := strings.Repeat("\x80", 40<<10) + " 12 readers today"
	re := []*regexp.Regexp{regexp.MustCompile(`\d+ readers today`)}
	if got := Normalise("T", text, "", re); strings.Contains(got, "readers") {
		t.Errorf("match missed after an invalid stretch")
	}
}
