package extract

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"regexp/syntax"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
	"golang.org/x/text/unicode/norm"
)

// NormaliserVersion names the normalisation rules Fingerprint hashes; it is
// the prefix of every fingerprint, so a change of rules never silently
// compares fingerprints made under different ones.
//
// 2: captions and alt texts count, relative times ("3 hours ago") and the
// revision stamps of eleven languages do not, ignore patterns apply within
// one paragraph.
//
// 3: the targets of the body's links count too (see Links).
const NormaliserVersion = 3

// Fingerprint returns the dedup fingerprint of an article's title, text and
// body HTML (only its captions and image alt texts count, see Normalise):
// "n<NormaliserVersion>:" + the hex SHA-256 of Normalise(title, text, html,
// ignore). Pages that differ only in their revision stamp, a relative time,
// white space, Unicode composition, image URLs or a match of an ignore
// pattern get the same fingerprint; a link whose target changed does not
// (see Links). It has no deadline and knows no page address: use
// FingerprintContext for pages, as the archive does.
func Fingerprint(title, text, html string, ignore []*regexp.Regexp) string {
	fp, _ := FingerprintContext(context.Background(), "", title, text, html, ignore)
	return fp
}

// FingerprintContext is Fingerprint of the page at pageURL (the address
// its HTML's links were resolved against: a snapshot's URL, see Links)
// under ctx: it gives up with an error wrapping ErrDeadline once ctx is
// done (checked between paragraphs, so an ignore pattern's run-time on one
// paragraph is the most it overshoots).
func FingerprintContext(ctx context.Context, pageURL, title, text, html string, ignore []*regexp.Regexp) (string, error) {
	n, err := normalise(ctx, pageURL, title, text, html, ignore)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256([]byte(n))
	return "n" + strconv.Itoa(NormaliserVersion) + ":" + hex.EncodeToString(sum[:]), nil
}

// Normalise returns what Fingerprint hashes: title, text and the captions
// and alt texts of html (see Captions), each in Unicode NFC, with every
// revision stamp (see FindRevisionStamp), relative time (see
// removeRelativeTimes), counter (removeCounters), <time> in a short line
// (timeTexts) and match of an ignore pattern removed, white space
// runs folded to one space and trimmed; then joined by "\n" (the captions
// only when there are any or links follow), and then the targets of the
// body's links (see Links, without a page address), joined by spaces,
// when there are any. No field holds a "\n", so the count of lines tells
// the fields apart.
func Normalise(title, text, html string, ignore []*regexp.Regexp) string {
	n, _ := normalise(context.Background(), "", title, text, html, ignore)
	return n
}

func normalise(ctx context.Context, pageURL, title, text, html string, ignore []*regexp.Regexp) (string, error) {
	var out [4]string
	text = removeTimeTexts(text, timeTexts(html))
	for i, f := range []string{title, text, Captions(html)} {
		s, err := normaliseField(ctx, f, ignore)
		if err != nil {
			return "", err
		}
		out[i] = s
	}
	if links := Links(html, pageURL); links != "" {
		out[3] = links
		return strings.Join(out[:], "\n"), nil
	}
	if out[2] == "" {
		return out[0] + "\n" + out[1], nil
	}
	return strings.Join(out[:3], "\n"), nil
}

// ignoreChunkMax bounds, in bytes, the text one ignore pattern runs over at
// once: Go regexps cannot be interrupted, and a pattern such as
// `[\s\S]{1000}Z` costs about 17 µs a byte, so a paragraph longer than this
// is cut (at a sentence's end, else at white space) into pieces this long. A
// match across a cut is missed; paragraphs this long are rare.
const ignoreChunkMax = 16 << 10

// normaliseField normalises one field paragraph by paragraph (blocks
// separated by blank lines), checking ctx between them.
func normaliseField(ctx context.Context, s string, ignore []*regexp.Regexp) (string, error) {
	s = norm.NFC.String(s)
	blocks := strings.Split(s, "\n\n")
	for i, b := range blocks {
		if err := expired(ctx); err != nil {
			return "", err
		}
		b = removeCounters(removeRelativeTimes(removeStamps(b)))
		for _, re := range ignore {
			if re == nil {
				continue
			}
			if lit := requiredLiteral(re); lit != "" && !strings.Contains(b, lit) {
				continue // no match can be in b: skip the regexp's slow scan
			}
			var err error
			if b, err = replaceChunked(ctx, re, b); err != nil {
				return "", err
			}
		}
		blocks[i] = b
	}
	return foldSpace(strings.Join(blocks, "\n\n")), nil
}

// requiredLits caches requiredLiteral's answers by pattern.
var requiredLits sync.Map // *regexp.Regexp -> string

// requiredLiteral returns a case-sensitive string that every match of re
// contains ("" if it finds none): for `\d+ readers today`, " readers
// today". Most text holds none of it, and strings.Contains is far cheaper
// than running the regexp.
func requiredLiteral(re *regexp.Regexp) string {
	if v, ok := requiredLits.Load(re); ok {
		return v.(string)
	}
	lit := ""
	if t, err := syntax.Parse(re.String(), syntax.Perl); err == nil {
		lit = literalIn(t.Simplify())
	}
	requiredLits.Store(re, lit)
	return lit
}

// literalIn returns the longest case-sensitive literal that every match of
// t contains, looking only at t and the parts of a concatenation.
func literalIn(t *syntax.Regexp) string {
	for t.Op == syntax.OpCapture {
		t = t.Sub[0]
	}
	switch t.Op {
	case syntax.OpLiteral:
		if t.Flags&syntax.FoldCase == 0 {
			return string(t.Rune)
		}
	case syntax.OpConcat:
		best := ""
		for _, sub := range t.Sub {
			if l := literalIn(sub); len(l) > len(best) {
				best = l
			}
		}
		return best
	}
	return ""
}

// replaceChunked removes re's matches from s, ignoreChunkMax bytes at a time.
func replaceChunked(ctx context.Context, re *regexp.Regexp, s string) (string, error) {
	if len(s) <= ignoreChunkMax {
		return re.ReplaceAllString(s, ""), nil
	}
	var b strings.Builder
	for s != "" {
		if err := expired(ctx); err != nil {
			return "", err
		}
		cut := min(len(s), ignoreChunkMax)
		if cut < len(s) {
			// At a sentence's end if there is one, where a pattern is
			// least likely to match across.
			if i := strings.LastIndex(s[cut/2:cut], ". "); i >= 0 {
				cut = cut/2 + i + 1
			} else if i := strings.LastIndexFunc(s[:cut], unicode.IsSpace); i > 0 {
				cut = i
			} else {
				for cut > 0 && !utf8.RuneStart(s[cut]) {
					cut--
				}
				if cut == 0 { // not UTF-8: cut anywhere
					cut = ignoreChunkMax
				}
			}
		}
		b.WriteString(re.ReplaceAllString(s[:cut], ""))
		s = s[cut:]
	}
	return b.String(), nil
}

// expired reports ctx's end as an error wrapping ErrDeadline (and ctx's
// own error).
func expired(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%w: %w", ErrDeadline, err)
	}
	return nil
}

// Captions returns the caption texts and then the image alt texts of a
// body's HTML, one per paragraph, each in document order: what a reader is
// told about the figures, which counts in the fingerprint, while the
// images' addresses, sizes and lazy-loading attributes do not. (Captions
// before alts, so that a layout that puts the image after its caption
// reads the same.)
func Captions(body string) string {
	if !strings.Contains(body, "<fig") && !strings.Contains(body, "alt=") {
		return ""
	}
	ctxNode := &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body}
	nodes, err := html.ParseFragment(strings.NewReader(body), ctxNode)
	if err != nil {
		return ""
	}
	var captions, alts []string
	for _, root := range nodes {
		walk(root, func(n *html.Node) bool {
			if n.Type != html.ElementNode {
				return true
			}
			if n.Data == "img" {
				if alt := foldSpace(attr(n, "alt")); alt != "" {
					alts = append(alts, alt)
				}
				return false
			}
			if isCaption(n) {
				if t := plainText([]*html.Node{n}, nil); strings.TrimSpace(t) != "" {
					captions = append(captions, t)
				}
				walk(n, func(c *html.Node) bool { // the figure's images
					if isElement(c, "img") {
						if alt := foldSpace(attr(c, "alt")); alt != "" {
							alts = append(alts, alt)
						}
					}
					return true
				})
				return false
			}
			return true
		})
	}
	return strings.Join(append(captions, alts...), "\n\n")
}

// stampLineMax is the longest line (in runes) whose revision stamps are
// removed wherever they stand; in a longer line, only a stamp near its
// start is. A stamp is a line of page furniture ("Mondo History Updated on
// 2024-01-31"), while prose that mentions a date ("the decree was last
// modified on 12 May 1946") is content: a change there is a real revision.
const stampLineMax = 120

// shortLine reports whether s, trimmed of white space, has at most
// stampLineMax runes. A rune takes one to four bytes (an invalid byte
// counts as one rune of one), so most lines are told by their length in
// bytes without counting: a paragraph is not read through once per kind
// of furniture looked for in it.
func shortLine(s string) bool {
	s = strings.TrimSpace(s)
	switch {
	case len(s) <= stampLineMax:
		return true
	case len(s) > utf8.UTFMax*stampLineMax:
		return false
	}
	return utf8.RuneCountInString(s) <= stampLineMax
}

// stampLeadMax is how far into a long line (in bytes, after its indent) a stamp may start and still be
// removed ("Updated on 2024-01-31: this article now covers …").
const stampLeadMax = 4

// removeStamps drops the revision stamps of each line of s.
func removeStamps(s string) string {
	return eachLine(s, removeLineStamps)
}

// eachLine applies f to every line of s (without splitting a single line).
func eachLine(s string, f func(string) string) string {
	if !strings.Contains(s, "\n") {
		return f(s)
	}
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = f(l)
	}
	return strings.Join(lines, "\n")
}

// removeLineStamps drops the revision stamps of one line (all of them in a
// short line, a leading one in a long line). It loops because removing one
// stamp can join the pieces around it into another; each pass shortens the
// line, so it ends.
func removeLineStamps(s string) string {
	short := shortLine(s)
	for {
		var b strings.Builder
		rest, found := s, false
		lead := len(leadingSpace(s))
		for {
			limit := len(rest)
			if !short {
				// Only a stamp that starts in the lead counts: look no further.
				limit = max(0, lead+stampLeadMax-b.Len()+1)
			}
			start, end, _, ok := findStampBefore(rest, limit)
			if !ok {
				break
			}
			if !short && b.Len()+start-lead > stampLeadMax {
				break
			}
			if passiveBefore(b.String() + rest[:start]) {
				// "The constitution was last modified on 3 May 1997":
				// the prose's, kept; look further.
				b.WriteString(rest[:end])
				rest = rest[end:]
				continue
			}
			found = true
			b.WriteString(rest[:start])
			b.WriteByte(' ') // keep the words either side apart
			rest = rest[end:]
			rest = rest[stampTailEnd(rest):]
		}
		if !found {
			return s
		}
		b.WriteString(rest)
		s = b.String()
	}
}

func leadingSpace(s string) string {
	return s[:len(s)-len(strings.TrimLeftFunc(s, unicode.IsSpace))]
}

// foldSpace replaces each run of Unicode white space with one ASCII space
// and trims both ends.
func foldSpace(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	foldInto(&b, s)
	return b.String()
}

// foldInto writes foldSpace(string(s)) to b, or only counts it when b is
// nil, and returns its length in bytes. It takes bytes as well as strings
// so that foldedText folds the text it gathers without copying it first.
func foldInto[T string | []byte](b *strings.Builder, s T) int {
	if b == nil {
		return foldCount(s)
	}
	n := 0
	space := false
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			// ASCII: unicode.IsSpace's ASCII spaces, else the byte itself.
			i++
			if c == ' ' || '\t' <= c && c <= '\r' {
				space = true
				continue
			}
			if space && n > 0 {
				n++
				b.WriteByte(' ')
			}
			space = false
			n++
			b.WriteByte(c)
			continue
		}
		// At most 4 bytes, converted on the stack.
		r, size := utf8.DecodeRuneInString(string(s[i:min(i+utf8.UTFMax, len(s))]))
		i += size
		if unicode.IsSpace(r) {
			space = true
			continue
		}
		if space && n > 0 {
			n++
			b.WriteByte(' ')
		}
		space = false
		// An invalid byte becomes U+FFFD, as ranging over s gives.
		n += utf8.RuneLen(r)
		b.WriteRune(r)
	}
	return n
}

// foldCount is foldInto's length alone: a run of visible ASCII is counted
// whole, where foldInto looks at it byte by byte to copy it (foldedLen
// measures most paragraphs of a page, some more than once).
func foldCount[T string | []byte](s T) int {
	n := 0
	space := false
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c == ' ' || '\t' <= c && c <= '\r' {
				space = true
				i++
				continue
			}
			if space && n > 0 {
				n++
			}
			space = false
			// Up to the next byte that may be white space or not ASCII;
			// the other controls below ' ' start a run of their own.
			j := i + 1
			for j < len(s) && s[j] > ' ' && s[j] < utf8.RuneSelf {
				j++
			}
			n += j - i
			i = j
			continue
		}
		r, size := utf8.DecodeRuneInString(string(s[i:min(i+utf8.UTFMax, len(s))]))
		i += size
		if unicode.IsSpace(r) {
			space = true
			continue
		}
		if space && n > 0 {
			n++
		}
		space = false
		n += utf8.RuneLen(r)
	}
	return n
}
