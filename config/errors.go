package config

import (
	"cmp"
	"errors"
	"slices"
	"strconv"
	"strings"
)

// ErrInvalid is matched, through errors.Is, by every *Errors: the
// configuration was read but is not valid. Fix the file; errors.As with a
// *Errors gives each problem and its position.
var ErrInvalid = errors.New("config: invalid configuration")

// Error is one problem in a configuration, at a position in its file.
type Error struct {
	// File is the name given to Parse or the path given to Load. Empty
	// for a Config checked with Validate.
	File string `json:"file,omitempty"`
	// Line is 1-based; zero when unknown (a Config built in Go, or a
	// problem with the whole file).
	Line int `json:"line,omitempty"`
	// Column is 1-based; zero when unknown.
	Column int `json:"column,omitempty"`
	// Path is the field, e.g. "routes[1].policies.circuit_breaker.window_size";
	// empty for a problem with the file as a whole.
	Path string `json:"path,omitempty"`
	// Msg says what is wrong, e.g. "150 must be in (0, 100] or 0 (off)".
	Msg string `json:"msg"`
}

// Error formats e as "file:line:col: path: msg", leaving out the parts
// that are unknown.
func (e Error) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		b.WriteByte(':')
	}
	if e.Line > 0 {
		b.WriteString(strconv.Itoa(e.Line))
		b.WriteByte(':')
		if e.Column > 0 {
			b.WriteString(strconv.Itoa(e.Column))
			b.WriteByte(':')
		}
	}
	if b.Len() > 0 {
		b.WriteByte(' ')
	}
	if e.Path != "" {
		b.WriteString(e.Path)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Errors lists every problem found in a configuration, in file order. Parse
// does not stop at the first: one run shows everything to fix.
type Errors struct {
	// List holds the problems, sorted by line and column.
	List []Error
}

// Error returns the problems one per line.
func (e *Errors) Error() string {
	if len(e.List) == 0 {
		return "config: no errors"
	}
	lines := make([]string, len(e.List))
	for i, x := range e.List {
		lines[i] = x.Error()
	}
	return strings.Join(lines, "\n")
}

// Is reports whether target is ErrInvalid.
func (e *Errors) Is(target error) bool { return target == ErrInvalid }

// Unwrap returns each Error, so errors.As can find one.
func (e *Errors) Unwrap() []error {
	out := make([]error, len(e.List))
	for i, x := range e.List {
		out[i] = x
	}
	return out
}

// maxErrors bounds the list, so a file of garbage gives a readable answer.
const maxErrors = 100

// finish sorts and deduplicates list and returns it as an error, or nil
// when it is empty.
func finish(list []Error) error {
	if len(list) == 0 {
		return nil
	}
	slices.SortStableFunc(list, func(a, b Error) int {
		if c := cmp.Compare(a.Line, b.Line); c != 0 {
			return c
		}
		return cmp.Compare(a.Column, b.Column)
	})
	list = slices.Compact(list)
	if len(list) > maxErrors {
		extra := len(list) - maxErrors
		list = append(list[:maxErrors:maxErrors], Error{File: list[0].File, Msg: "and " + strconv.Itoa(extra) + " more errors"})
	}
	return &Errors{List: list}
}
