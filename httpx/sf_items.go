package httpx

import (
	"encoding/base64"
	"strings"
	"unicode/utf8"
)

// The bare items of RFC 9651, section 4.2.3: Integer, Decimal, String,
// Token, Byte Sequence, Boolean, Date and Display String.

func (p *sfParser) bareItem() (sfValue, error) {
	if p.s == "" {
		return sfValue{}, errSF
	}
	switch c := p.s[0]; {
	case c == '-' || isDigit(c):
		return p.number()
	case c == '"':
		return p.str()
	case c == '*' || isAlpha(c):
		return p.token(), nil
	case c == ':':
		return p.bytes()
	case c == '?':
		return p.boolean()
	case c == '@':
		p.s = p.s[1:]
		v, err := p.number()
		if err != nil || v.kind != sfInteger {
			return sfValue{}, errSF
		}
		return sfValue{kind: sfDate, i: v.i}, nil
	case c == '%':
		return p.displayString()
	}
	return sfValue{}, errSF
}

// number parses an Integer (at most 15 digits) or a Decimal (at most 12
// integer and 3 fractional digits).
func (p *sfParser) number() (sfValue, error) {
	s := p.s
	if s == "" {
		return sfValue{}, errSF
	}
	neg := false
	if s[0] == '-' {
		neg = true
		s = s[1:]
	}
	if s == "" || !isDigit(s[0]) {
		return sfValue{}, errSF
	}
	var n int64
	digits, frac, dot := 0, 0, false
	var div float64 = 1
	i := 0
	for ; i < len(s); i++ {
		c := s[i]
		if c == '.' && !dot {
			if digits > 12 {
				return sfValue{}, errSF
			}
			dot = true
			continue
		}
		if !isDigit(c) {
			break
		}
		n = n*10 + int64(c-'0')
		if dot {
			frac++
			div *= 10
			if frac > 3 {
				return sfValue{}, errSF
			}
		} else {
			digits++
			if digits > 15 {
				return sfValue{}, errSF
			}
		}
	}
	if dot && frac == 0 {
		return sfValue{}, errSF // "1." has no fraction
	}
	p.s = s[i:]
	if neg {
		n = -n
	}
	if dot {
		return sfValue{kind: sfDecimal, f: float64(n) / div}, nil
	}
	return sfValue{kind: sfInteger, i: n}, nil
}

func (p *sfParser) str() (sfValue, error) {
	var b strings.Builder
	s := p.s[1:]
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\':
			i++
			if i == len(s) || (s[i] != '"' && s[i] != '\\') {
				return sfValue{}, errSF
			}
			b.WriteByte(s[i])
		case c == '"':
			p.s = s[i+1:]
			return sfValue{kind: sfString, s: b.String()}, nil
		case c < 0x20 || c > 0x7e:
			return sfValue{}, errSF
		default:
			b.WriteByte(c)
		}
	}
	return sfValue{}, errSF // unterminated
}

func (p *sfParser) token() sfValue {
	i := 1
	for i < len(p.s) && (isTChar(p.s[i]) || p.s[i] == ':' || p.s[i] == '/') {
		i++
	}
	v := sfValue{kind: sfToken, s: p.s[:i]}
	p.s = p.s[i:]
	return v
}

func (p *sfParser) bytes() (sfValue, error) {
	end := strings.IndexByte(p.s[1:], ':')
	if end < 0 {
		return sfValue{}, errSF
	}
	enc := p.s[1 : 1+end]
	for i := 0; i < len(enc); i++ {
		c := enc[i]
		if !isAlpha(c) && !isDigit(c) && c != '+' && c != '/' && c != '=' {
			return sfValue{}, errSF
		}
	}
	b, err := base64.RawStdEncoding.DecodeString(strings.TrimRight(enc, "="))
	if err != nil {
		return sfValue{}, errSF
	}
	p.s = p.s[end+2:]
	return sfValue{kind: sfBytes, b: b}, nil
}

func (p *sfParser) boolean() (sfValue, error) {
	if len(p.s) < 2 || (p.s[1] != '0' && p.s[1] != '1') {
		return sfValue{}, errSF
	}
	v := sfValue{kind: sfBoolean, i: int64(p.s[1] - '0')}
	p.s = p.s[2:]
	return v, nil
}

// displayString parses %"..." with %xx (lower-case hex) escapes of UTF-8.
func (p *sfParser) displayString() (sfValue, error) {
	if len(p.s) < 2 || p.s[1] != '"' {
		return sfValue{}, errSF
	}
	s := p.s[2:]
	var b []byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '%':
			if i+2 >= len(s) {
				return sfValue{}, errSF
			}
			hi, ok1 := lowerHex(s[i+1])
			lo, ok2 := lowerHex(s[i+2])
			if !ok1 || !ok2 {
				return sfValue{}, errSF
			}
			b = append(b, hi<<4|lo)
			i += 2
		case c == '"':
			if !utf8.Valid(b) {
				return sfValue{}, errSF
			}
			p.s = s[i+1:]
			return sfValue{kind: sfDisplayString, s: string(b)}, nil
		case c < 0x20 || c > 0x7e:
			return sfValue{}, errSF
		default:
			b = append(b, c)
		}
	}
	return sfValue{}, errSF
}

func lowerHex(c byte) (byte, bool) {
	switch {
	case isDigit(c):
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	}
	return 0, false
}

func isDigit(c byte) bool   { return c >= '0' && c <= '9' }
func isLCAlpha(c byte) bool { return c >= 'a' && c <= 'z' }
func isAlpha(c byte) bool   { return isLCAlpha(c) || (c >= 'A' && c <= 'Z') }

// isTChar reports whether c is a tchar of RFC 9110.
func isTChar(c byte) bool {
	if isAlpha(c) || isDigit(c) {
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}
