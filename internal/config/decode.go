package config

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"
)

// decoder walks goccy's AST by hand instead of unmarshalling into structs,
// so every error can name the exact field path and line, and every problem
// in a file is reported, not just the first.
type decoder struct {
	file    string
	anchors map[string]ast.Node
	errs    []error
	merging map[ast.Node]bool // mappings being merged, to catch "<<" cycles
	merged  int               // mappings merged so far, against maxMerges
}

const (
	// maxMergeDepth bounds "<<" chains and alias-to-alias hops.
	maxMergeDepth = 16
	// maxMerges bounds the work of merge keys: each alias can repeat a
	// mapping, so a few lines can otherwise ask for billions of copies.
	maxMerges = 1000
)

// entry is one key of a mapping, after merge keys are applied.
type entry struct {
	key   string
	path  string // full field path
	line  int
	value ast.Node
}

// parseDocument parses data as a single YAML document and returns its body
// (nil for an empty document). Syntax errors are recorded in d.
func (d *decoder) parseDocument(data []byte) (ast.Node, bool) {
	// Duplicate keys are detected in fields(), where the field path is known.
	f, err := safeParse(data)
	if err != nil {
		d.yamlError(err)
		return nil, false
	}
	if len(f.Docs) == 0 {
		return nil, true
	}
	if len(f.Docs) > 1 {
		d.errorf(lineOf(f.Docs[1]), "", "only one YAML document is allowed per file")
		return nil, false
	}
	body := f.Docs[0].Body
	d.anchors = map[string]ast.Node{}
	if body != nil {
		ast.Walk(anchorCollector(d.anchors), body)
	}
	return body, true
}

// safeParse turns a panic inside the YAML parser into an error: a bad
// config file must produce a message, not a stack trace.
func safeParse(data []byte) (f *ast.File, err error) {
	defer func() {
		if r := recover(); r != nil {
			f, err = nil, fmt.Errorf("cannot parse YAML: %v", r)
		}
	}()
	return parser.ParseBytes(data, 0, parser.AllowDuplicateMapKey())
}

type anchorCollector map[string]ast.Node

func (a anchorCollector) Visit(n ast.Node) ast.Visitor {
	if an, ok := n.(*ast.AnchorNode); ok && an.Name != nil {
		a[an.Name.GetToken().Value] = an.Value
	}
	return a
}

func (d *decoder) errorf(line int, field, format string, args ...any) {
	d.errs = append(d.errs, &Error{File: d.file, Line: line, Field: field, Msg: fmt.Sprintf(format, args...)})
}

// sortedErrs returns the errors recorded so far in line order; fields()
// reports unknown keys before the known ones are decoded.
func (d *decoder) sortedErrs() []error {
	slices.SortStableFunc(d.errs, func(a, b error) int {
		return cmp.Compare(a.(*Error).Line, b.(*Error).Line)
	})
	return d.errs
}

// yamlError records an error from goccy, keeping its position.
func (d *decoder) yamlError(err error) {
	type positioned interface {
		GetToken() *token.Token
		GetMessage() string
	}
	if pe, ok := err.(positioned); ok {
		line := 0
		if tk := pe.GetToken(); tk != nil && tk.Position != nil {
			line = tk.Position.Line
		}
		d.errorf(line, "", "invalid YAML: %s", pe.GetMessage())
		return
	}
	d.errorf(0, "", "invalid YAML: %v", err)
}

func lineOf(n ast.Node) int {
	if n == nil {
		return 0
	}
	if tk := n.GetToken(); tk != nil && tk.Position != nil {
		return tk.Position.Line
	}
	return 0
}

// resolve strips anchors and tags and follows aliases. It returns nil for
// a missing value or an explicit null, both of which mean "not set".
func (d *decoder) resolve(n ast.Node) ast.Node {
	for i := 0; i < maxMergeDepth; i++ {
		switch v := n.(type) {
		case nil:
			return nil
		case *ast.NullNode:
			return nil
		case *ast.AnchorNode:
			n = v.Value
		case *ast.TagNode:
			n = v.Value
		case *ast.AliasNode:
			target, ok := d.anchors[v.Value.GetToken().Value]
			if !ok {
				return v // reported as a type error by the caller
			}
			n = target
		default:
			return n
		}
	}
	return n
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// kind names a node's type for "want X, got Y" messages.
func kind(n ast.Node) string {
	switch n.(type) {
	case nil:
		return "null"
	case *ast.MappingNode, *ast.MappingValueNode:
		return "a mapping"
	case *ast.SequenceNode:
		return "a list"
	case *ast.StringNode, *ast.LiteralNode:
		return "a string"
	case *ast.IntegerNode:
		return "an integer"
	case *ast.FloatNode, *ast.InfinityNode, *ast.NanNode:
		return "a number"
	case *ast.BoolNode:
		return "a boolean"
	case *ast.AliasNode:
		return "an undefined alias"
	default:
		return n.Type().String()
	}
}

// fields returns the keys of the mapping n in document order, applying
// merge keys ("<<") with explicit keys taking precedence, and reporting
// duplicate keys and keys not in known. ok is false when n is not a mapping.
func (d *decoder) fields(n ast.Node, path string, line int, known ...string) ([]entry, bool) {
	n = d.resolve(n)
	if n == nil {
		return nil, true
	}
	all, ok := d.mappingEntries(n, path, line, 0)
	if !ok {
		return nil, false
	}
	allowed := make(map[string]bool, len(known))
	for _, k := range known {
		allowed[k] = true
	}
	out := all[:0]
	for _, e := range all {
		if !allowed[e.key] {
			d.errorf(e.line, e.path, "unknown field %q", e.key)
			continue
		}
		out = append(out, e)
	}
	return out, true
}

func (d *decoder) mappingEntries(n ast.Node, path string, line, depth int) ([]entry, bool) {
	var values []*ast.MappingValueNode
	switch m := n.(type) {
	case *ast.MappingNode:
		values = m.Values
	case *ast.MappingValueNode:
		values = []*ast.MappingValueNode{m}
	default:
		d.errorf(line, path, "want a mapping, got %s", kind(n))
		return nil, false
	}
	if d.merging == nil {
		d.merging = map[ast.Node]bool{}
	}
	d.merging[n] = true
	defer delete(d.merging, n)
	var explicit, merged []entry
	seen := map[string]int{}
	for _, mv := range values {
		if mv.Key == nil {
			continue
		}
		kline := lineOf(mv.Key)
		if mv.Key.IsMergeKey() {
			merged = append(merged, d.mergeSources(mv.Value, path, kline, depth)...)
			continue
		}
		key, ok := d.keyString(mv.Key)
		if !ok {
			d.errorf(kline, path, "keys must be strings, got %s", kind(mv.Key))
			continue
		}
		if first, dup := seen[key]; dup {
			d.errorf(kline, join(path, key), "duplicate key (first defined at line %d)", first)
			continue
		}
		seen[key] = kline
		explicit = append(explicit, entry{key: key, path: join(path, key), line: kline, value: mv.Value})
	}
	for _, e := range merged {
		if _, dup := seen[e.key]; dup {
			continue // explicit keys and earlier merges win, as YAML specifies
		}
		seen[e.key] = e.line
		explicit = append(explicit, e)
	}
	return explicit, true
}

// mergeSources returns the entries a "<<" value contributes: one mapping
// or a list of mappings.
func (d *decoder) mergeSources(v ast.Node, path string, line, depth int) []entry {
	v = d.resolve(v)
	items := []ast.Node{v}
	if seq, ok := v.(*ast.SequenceNode); ok {
		items = seq.Values
	}
	var out []entry
	for _, item := range items {
		m := d.resolve(item)
		switch {
		case depth >= maxMergeDepth || d.merged >= maxMerges:
			if d.merged <= maxMerges {
				d.merged = maxMerges + 1 // report once
				d.errorf(line, path, "merge keys (<<) nested too deeply or used too often (at most %d merges)", maxMerges)
			}
			return out
		case m != nil && d.merging[m]:
			d.errorf(line, path, "merge key (<<) includes the mapping it is in")
			continue
		}
		d.merged++
		es, _ := d.mappingEntries(m, path, line, depth+1)
		out = append(out, es...)
	}
	return out
}

func (d *decoder) keyString(k ast.MapKeyNode) (string, bool) {
	switch v := d.resolve(k).(type) {
	case *ast.StringNode:
		return v.Value, true
	case *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode:
		return v.GetToken().Value, true
	}
	return "", false
}

// str decodes a scalar as text; numbers and booleans keep their spelling
// so `title: 1914` is the string "1914". set is false for null.
func (d *decoder) str(e entry) (s string, set, ok bool) {
	switch v := d.resolve(e.value).(type) {
	case nil:
		return "", false, true
	case *ast.StringNode:
		return v.Value, true, true
	case *ast.LiteralNode:
		return v.Value.Value, true, true
	case *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode, *ast.InfinityNode, *ast.NanNode:
		return v.GetToken().Value, true, true
	default:
		d.errorf(e.line, e.path, "want a string, got %s", kind(v))
		return "", false, false
	}
}

func (d *decoder) boolean(e entry) (b, set, ok bool) {
	switch v := d.resolve(e.value).(type) {
	case nil:
		return false, false, true
	case *ast.BoolNode:
		return v.Value, true, true
	default:
		d.errorf(e.line, e.path, "want true or false, got %s", kind(v))
		return false, false, false
	}
}

func (d *decoder) integer(e entry) (n int, set, ok bool) {
	switch v := d.resolve(e.value).(type) {
	case nil:
		return 0, false, true
	case *ast.IntegerNode:
		switch x := v.Value.(type) {
		case int64:
			if x >= math.MinInt && x <= math.MaxInt {
				return int(x), true, true
			}
		case uint64:
			if x <= math.MaxInt {
				return int(x), true, true
			}
		}
		d.errorf(e.line, e.path, "integer %s out of range", v.GetToken().Value)
		return 0, false, false
	default:
		d.errorf(e.line, e.path, "want an integer, got %s", kind(v))
		return 0, false, false
	}
}

func (d *decoder) duration(e entry) (time.Duration, bool, bool) {
	s, set, ok := d.str(e)
	if !set || !ok {
		return 0, false, ok
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		d.errorf(e.line, e.path, "invalid duration %q: want a Go duration such as 20s, 1h30m", s)
		return 0, false, false
	}
	return v, true, true
}

func (d *decoder) size(e entry) (int64, bool, bool) {
	s, set, ok := d.str(e)
	if !set || !ok {
		return 0, false, ok
	}
	v, err := ParseSize(s)
	if err != nil {
		d.errorf(e.line, e.path, "invalid size %q: want bytes with an optional unit, e.g. 2048, 500KB, 15MiB", s)
		return 0, false, false
	}
	return v, true, true
}

// list returns the items of a sequence as entries named path[i]. set is
// false for null; an empty list is set and empty.
func (d *decoder) list(e entry) (items []entry, set, ok bool) {
	switch v := d.resolve(e.value).(type) {
	case nil:
		return nil, false, true
	case *ast.SequenceNode:
		items = make([]entry, 0, len(v.Values))
		for i, it := range v.Values {
			line := lineOf(it)
			if line == 0 {
				line = e.line
			}
			items = append(items, entry{key: e.key, path: fmt.Sprintf("%s[%d]", e.path, i), line: line, value: it})
		}
		return items, true, true
	default:
		d.errorf(e.line, e.path, "want a list, got %s", kind(v))
		return nil, false, false
	}
}

// durations decodes a list of positive, strictly increasing durations.
func (d *decoder) durations(e entry) ([]time.Duration, bool, bool) {
	items, set, ok := d.list(e)
	if !set || !ok {
		return nil, set, ok
	}
	out := make([]time.Duration, 0, len(items))
	good := true
	for _, it := range items {
		v, set, ok := d.duration(it)
		if !ok {
			good = false
			continue
		}
		switch {
		case !set:
			d.errorf(it.line, it.path, "want a duration, got null")
			good = false
			continue
		case v <= 0:
			d.errorf(it.line, it.path, "must be positive, got %s", v)
			good = false
			continue
		case len(out) > 0 && v <= out[len(out)-1]:
			d.errorf(it.line, it.path, "%s must be greater than the previous entry %s: list the intervals in increasing order", v, out[len(out)-1])
			good = false
			continue
		}
		out = append(out, v)
	}
	return out, true, good
}
