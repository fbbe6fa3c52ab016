package config

import (
	"errors"
	"fmt"
)

// ErrInvalid matches (with errors.Is) every *Error: the configuration was
// read but is wrong, as opposed to a file that could not be read.
var ErrInvalid = errors.New("config: invalid configuration")

// Error is one problem in a configuration file. Load and Parse return every
// problem they find, joined with errors.Join, so a user fixes them in one go.
type Error struct {
	File  string // as the user named it, e.g. "feeds/mondo-history.yaml"
	Line  int    // 1-based; 0 when unknown
	Field string // dotted path, e.g. "selectors.body" or "sources[2].feed"; "" for YAML syntax errors
	Msg   string
}

// Error formats as "<file>:<line>: <field>: <msg>", the shape editors and
// terminals turn into a link to the line.
func (e *Error) Error() string {
	loc := e.File
	if e.Line > 0 {
		loc = fmt.Sprintf("%s:%d", e.File, e.Line)
	}
	if e.Field == "" {
		return loc + ": " + e.Msg
	}
	return loc + ": " + e.Field + ": " + e.Msg
}

// Is reports whether target is ErrInvalid.
func (e *Error) Is(target error) bool { return target == ErrInvalid }
