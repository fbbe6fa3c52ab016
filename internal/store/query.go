package store

import (
	"errors"
	"fmt"
	"strings"
)

// The full-text index keeps which columns hold each word but not where
// (FTS5 detail=column: a third of the size of detail=full), so FTS5 itself
// rejects phrases and "^" anchors. Search parses the query here, gives FTS5
// a relaxed query that finds a superset of the hits (a phrase becomes all of
// its words), and checks each candidate's title and text against the
// parsed query. The parser follows FTS5's grammar (fts5parse.y): implicit
// AND between adjacent phrases binds tightest, then NOT, AND, OR.

// Column bits of a column set.
const (
	colTitle = 1 << iota
	colText
	colAll = colTitle | colText
)

var colNames = []string{"title", "text"} // index = bit position

type nodeKind int

const (
	nodePhrase nodeKind = iota
	nodeAnd
	nodeOr
	nodeNot // left NOT right
)

// qnode is a parsed query.
type qnode struct {
	kind        nodeKind
	left, right *qnode
	// Phrase: words in order (folded), each optionally a prefix; spans are
	// the words as written, for the relaxed query.
	words []term
	spans []string
	caret bool // only at the start of a column
	cols  int  // columns searched
}

// exact reports whether FTS5 (detail=column) evaluates n as written.
func (n *qnode) exact() bool {
	switch n.kind {
	case nodePhrase:
		return len(n.words) <= 1 && !n.caret
	default:
		return n.left.exact() && n.right.exact()
	}
}

// relaxed renders an FTS5 query, without phrases or anchors, matching at
// least every row n matches.
func (n *qnode) relaxed() string {
	switch n.kind {
	case nodePhrase:
		var b strings.Builder
		switch n.cols {
		case colTitle, colText:
			b.WriteString(colNames[n.cols>>1] + " : ")
		case 0: // an empty column set matches nothing, as in FTS5
			b.WriteString("-{title text} : ")
		}
		if len(n.spans) == 0 {
			b.WriteString(`""`)
			return b.String()
		}
		b.WriteString("(")
		for i, s := range n.spans {
			if i > 0 {
				b.WriteString(" ")
			}
			b.WriteString(`"` + s + `"`) // a word holds no quote
			if n.words[i].prefix {
				b.WriteString("*")
			}
		}
		b.WriteString(")")
		return b.String()
	case nodeAnd:
		return "(" + n.left.relaxed() + ") AND (" + n.right.relaxed() + ")"
	case nodeOr:
		return "(" + n.left.relaxed() + ") OR (" + n.right.relaxed() + ")"
	default: // nodeNot: an inexact right side cannot be relaxed to a subset, so drop it
		if !n.right.exact() {
			return n.left.relaxed()
		}
		return "(" + n.left.relaxed() + ") NOT (" + n.right.relaxed() + ")"
	}
}

// doc is a candidate row: its columns' words, folded, in order.
type doc [2][]string

func newDoc(title, text string) doc {
	return doc{foldedWords(title), foldedWords(text)}
}

func foldedWords(s string) []string {
	ws := words(s)
	out := make([]string, len(ws))
	for i, w := range ws {
		out[i] = fold(s[w[0]:w[1]])
	}
	return out
}

// match evaluates n against d.
func (n *qnode) match(d *doc) bool {
	switch n.kind {
	case nodeAnd:
		return n.left.match(d) && n.right.match(d)
	case nodeOr:
		return n.left.match(d) || n.right.match(d)
	case nodeNot:
		return n.left.match(d) && !n.right.match(d)
	}
	if len(n.words) == 0 {
		return false // as in FTS5 (which drops one beside others: see unit)
	}
	for c := range d {
		if n.cols&(1<<c) == 0 {
			continue
		}
		toks := d[c]
		last := len(toks) - len(n.words)
		if n.caret {
			last = min(last, 0)
		}
		for i := 0; i <= last; i++ {
			if phraseAt(toks[i:], n.words) {
				return true
			}
		}
	}
	return false
}

func phraseAt(toks []string, ws []term) bool {
	for k, w := range ws {
		if toks[k] != w.word && !(w.prefix && strings.HasPrefix(toks[k], w.word)) {
			return false
		}
	}
	return true
}

// errNear is returned for NEAR groups: positions are not indexed.
var errNear = errors.New("NEAR is not supported")

// Lexer.

type tokKind int

const (
	tEOF tokKind = iota
	tString
	tMinus
	tLP
	tRP
	tLCP
	tRCP
	tColon
	tComma
	tPlus
	tStar
	tCaret
	tAnd
	tOr
	tNot
)

type qtok struct {
	kind   tokKind
	text   string // of a string: its value
	quoted bool
}

func isFTSBareword(c byte) bool {
	return c >= 0x80 || c == '_' || c == 0x1a || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func lexQuery(q string) ([]qtok, error) {
	var toks []qtok
	for i := 0; i < len(q); {
		c := q[i]
		switch c {
		case ' ', '\t', '\n', '\r', '\f', '\v':
			i++
			continue
		case '"':
			var b strings.Builder
			j := i + 1
			for {
				if j >= len(q) {
					return nil, errors.New("unterminated string")
				}
				if q[j] == '"' {
					if j+1 < len(q) && q[j+1] == '"' {
						b.WriteByte('"')
						j += 2
						continue
					}
					break
				}
				b.WriteByte(q[j])
				j++
			}
			toks = append(toks, qtok{kind: tString, text: b.String(), quoted: true})
			i = j + 1
			continue
		}
		if k, ok := map[byte]tokKind{'-': tMinus, '(': tLP, ')': tRP, '{': tLCP, '}': tRCP, ':': tColon,
			',': tComma, '+': tPlus, '*': tStar, '^': tCaret}[c]; ok {
			toks = append(toks, qtok{kind: k, text: string(c)})
			i++
			continue
		}
		if !isFTSBareword(c) {
			return nil, fmt.Errorf("syntax error near %q", q[i:])
		}
		j := i
		for j < len(q) && isFTSBareword(q[j]) {
			j++
		}
		w := q[i:j]
		t := qtok{kind: tString, text: w}
		switch w {
		case "AND":
			t.kind = tAnd
		case "OR":
			t.kind = tOr
		case "NOT":
			t.kind = tNot
		}
		toks = append(toks, t)
		i = j
	}
	return append(toks, qtok{kind: tEOF}), nil
}

// Parser.

type qparser struct {
	toks []qtok
	pos  int
}

// parseQuery parses an FTS5 query string.
func parseQuery(q string) (*qnode, error) {
	toks, err := lexQuery(q)
	if err != nil {
		return nil, err
	}
	p := &qparser{toks: toks}
	n, err := p.or(colAll)
	if err != nil {
		return nil, err
	}
	if p.peek().kind != tEOF {
		return nil, p.syntaxErr()
	}
	return n, nil
}

func (p *qparser) peek() qtok { return p.toks[p.pos] }
func (p *qparser) peekN(k int) qtok {
	if p.pos+k < len(p.toks) {
		return p.toks[p.pos+k]
	}
	return qtok{kind: tEOF}
}
func (p *qparser) next() qtok { t := p.toks[p.pos]; p.pos++; return t }

func (p *qparser) syntaxErr() error {
	t := p.peek()
	if t.kind == tEOF {
		return errors.New("syntax error at end of query")
	}
	return fmt.Errorf("syntax error near %q", t.text)
}

// or, and and not parse FTS5's binary operators, lowest precedence first;
// each is left-associative over the next tighter level.
func (p *qparser) or(cols int) (*qnode, error)  { return p.binary(cols, tOr, nodeOr, p.and) }
func (p *qparser) and(cols int) (*qnode, error) { return p.binary(cols, tAnd, nodeAnd, p.not) }
func (p *qparser) not(cols int) (*qnode, error) { return p.binary(cols, tNot, nodeNot, p.unit) }

func (p *qparser) binary(cols int, op tokKind, kind nodeKind, operand func(int) (*qnode, error)) (*qnode, error) {
	l, err := operand(cols)
	for err == nil && p.peek().kind == op {
		p.next()
		var r *qnode
		if r, err = operand(cols); err == nil {
			l = &qnode{kind: kind, left: l, right: r}
		}
	}
	return l, err
}

// unit is "( expr )", "colset : ( expr )", or a run of near-sets (each
// with an optional column set) joined by implicit AND.
func (p *qparser) unit(cols int) (*qnode, error) {
	if p.peek().kind == tLP {
		return p.group(cols)
	}
	var list *qnode
	for {
		start := p.pos
		c, isColset, err := p.colset(cols)
		if err != nil {
			return nil, err
		}
		if isColset && p.peek().kind == tLP {
			if list != nil { // FTS5 allows no parenthesis inside an implicit AND
				p.pos = start
				return nil, p.syntaxErr()
			}
			return p.group(c)
		}
		n, err := p.nearset(c)
		if err != nil {
			return nil, err
		}
		switch {
		case list == nil || len(list.words) == 0 && list.kind == nodePhrase:
			list = n
		case n.kind == nodePhrase && len(n.words) == 0:
			// FTS5 drops an empty phrase ("", "-") from an implicit AND.
		default:
			list = &qnode{kind: nodeAnd, left: list, right: n}
		}
		switch p.peek().kind {
		case tString, tCaret, tMinus, tLCP:
			continue
		}
		return list, nil
	}
}

// group parses "( expr )", starting at the "(".
func (p *qparser) group(cols int) (*qnode, error) {
	p.next()
	n, err := p.or(cols)
	if err != nil {
		return nil, err
	}
	if p.next().kind != tRP {
		p.pos--
		return nil, p.syntaxErr()
	}
	return n, nil
}

// colset parses an optional "colset :" and returns the columns in force.
func (p *qparser) colset(outer int) (cols int, ok bool, err error) {
	neg := 0
	if p.peek().kind == tMinus {
		neg = 1
	}
	var set int
	switch t := p.peekN(neg); {
	case t.kind == tString && p.peekN(neg+1).kind == tColon:
		if set, err = colBit(t.text); err != nil {
			return 0, false, err
		}
		p.pos += neg + 2
	case t.kind == tLCP:
		p.pos += neg + 1
		for p.peek().kind == tString {
			b, err := colBit(p.next().text)
			if err != nil {
				return 0, false, err
			}
			set |= b
		}
		if set == 0 || p.next().kind != tRCP || p.next().kind != tColon {
			p.pos--
			return 0, false, p.syntaxErr()
		}
	default:
		if neg == 1 {
			return 0, false, p.syntaxErr()
		}
		return outer, false, nil
	}
	if neg == 1 {
		set = colAll &^ set
	}
	return outer & set, true, nil
}

func colBit(name string) (int, error) {
	for i, c := range colNames {
		if strings.EqualFold(c, name) {
			return 1 << i, nil
		}
	}
	return 0, fmt.Errorf("no such column: %s", name)
}

// nearset is "^ phrase", "phrase", or a NEAR group (not supported).
func (p *qparser) nearset(cols int) (*qnode, error) {
	caret := false
	if p.peek().kind == tCaret {
		p.next()
		caret = true
	}
	t := p.peek()
	if t.kind != tString {
		return nil, p.syntaxErr()
	}
	if !caret && !t.quoted && t.text == "NEAR" && p.peekN(1).kind == tLP {
		return nil, errNear
	}
	n := &qnode{kind: nodePhrase, cols: cols, caret: caret}
	for {
		s := p.next()
		if s.kind != tString {
			p.pos--
			return nil, p.syntaxErr()
		}
		prefix := false
		if p.peek().kind == tStar {
			p.next()
			prefix = true
		}
		ws := words(s.text)
		for i, w := range ws {
			span := s.text[w[0]:w[1]]
			n.spans = append(n.spans, span)
			n.words = append(n.words, term{word: fold(span), prefix: prefix && i == len(ws)-1})
		}
		if p.peek().kind != tPlus {
			return n, nil
		}
		p.next()
	}
}
