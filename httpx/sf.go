package httpx

import (
	"errors"
	"strings"
)

// This file parses and formats the parts of Structured Field Values for
// HTTP (RFC 9651) that the RateLimit headers use: a List of Items, each a
// bare item with Parameters. Inner lists are parsed, so that a well-formed
// field is never rejected for containing one, and then ignored by callers.

// errSF is matched by every structured-field syntax error.
var errSF = errors.New("httpx: malformed structured field")

// sfKind is the type of a bare item.
type sfKind uint8

const (
	sfInteger sfKind = iota + 1
	sfDecimal
	sfString
	sfToken
	sfBytes
	sfBoolean
	sfDate
	sfDisplayString
	sfInnerList
)

// sfValue is a bare item (or, with kind sfInnerList, an inner list, whose
// members are not kept).
type sfValue struct {
	kind sfKind
	i    int64   // integer, date, boolean (0 or 1)
	f    float64 // decimal
	s    string  // string, token, display string
	b    []byte  // byte sequence
}

type sfParam struct {
	key string
	val sfValue
}

// sfMember is a list member: an item or an inner list, with parameters.
type sfMember struct {
	val    sfValue
	params []sfParam
}

// param returns the value of the parameter key, if present.
func (m *sfMember) param(key string) (sfValue, bool) {
	for i := len(m.params) - 1; i >= 0; i-- { // the last occurrence wins
		if m.params[i].key == key {
			return m.params[i].val, true
		}
	}
	return sfValue{}, false
}

// sfParser holds the unparsed rest of the input.
type sfParser struct{ s string }

// parseSFList parses s as a List (RFC 9651, section 4.2.1). An empty (or
// all-space) s is an empty list.
func parseSFList(s string) ([]sfMember, error) {
	p := sfParser{s: strings.TrimLeft(s, " ")}
	p.s = strings.TrimRight(p.s, " ")
	var out []sfMember
	for p.s != "" {
		m, err := p.member()
		if err != nil {
			return nil, err
		}
		out = append(out, m)
		p.skipOWS()
		if p.s == "" {
			return out, nil
		}
		if p.s[0] != ',' {
			return nil, errSF
		}
		p.s = p.s[1:]
		p.skipOWS()
		if p.s == "" {
			return nil, errSF // trailing comma
		}
	}
	return out, nil
}

func (p *sfParser) skipOWS() {
	for p.s != "" && (p.s[0] == ' ' || p.s[0] == '\t') {
		p.s = p.s[1:]
	}
}

func (p *sfParser) skipSP() {
	for p.s != "" && p.s[0] == ' ' {
		p.s = p.s[1:]
	}
}

func (p *sfParser) member() (sfMember, error) {
	var m sfMember
	var err error
	if p.s != "" && p.s[0] == '(' {
		err = p.innerList()
		m.val.kind = sfInnerList
	} else {
		m.val, err = p.bareItem()
	}
	if err != nil {
		return m, err
	}
	m.params, err = p.parameters()
	return m, err
}

// innerList consumes an inner list, checking its syntax.
func (p *sfParser) innerList() error {
	p.s = p.s[1:] // '('
	for {
		p.skipSP()
		if p.s == "" {
			return errSF
		}
		if p.s[0] == ')' {
			p.s = p.s[1:]
			return nil
		}
		if _, err := p.bareItem(); err != nil {
			return err
		}
		if _, err := p.parameters(); err != nil {
			return err
		}
		if p.s == "" || (p.s[0] != ' ' && p.s[0] != ')') {
			return errSF
		}
	}
}

func (p *sfParser) parameters() ([]sfParam, error) {
	var ps []sfParam
	for p.s != "" && p.s[0] == ';' {
		p.s = p.s[1:]
		p.skipSP()
		key, err := p.key()
		if err != nil {
			return nil, err
		}
		val := sfValue{kind: sfBoolean, i: 1}
		if p.s != "" && p.s[0] == '=' {
			p.s = p.s[1:]
			if val, err = p.bareItem(); err != nil {
				return nil, err
			}
		}
		ps = append(ps, sfParam{key: key, val: val})
	}
	return ps, nil
}

func (p *sfParser) key() (string, error) {
	if p.s == "" || !(isLCAlpha(p.s[0]) || p.s[0] == '*') {
		return "", errSF
	}
	i := 1
	for i < len(p.s) {
		c := p.s[i]
		if !isLCAlpha(c) && !isDigit(c) && c != '_' && c != '-' && c != '.' && c != '*' {
			break
		}
		i++
	}
	k := p.s[:i]
	p.s = p.s[i:]
	return k, nil
}

// validSFString reports whether s can be sent as an sf-string: printable
// ASCII only.
func validSFString(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// appendSFString appends s as an sf-string; s must be validSFString.
func appendSFString(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' || s[i] == '\\' {
			b = append(b, '\\')
		}
		b = append(b, s[i])
	}
	return append(b, '"')
}
