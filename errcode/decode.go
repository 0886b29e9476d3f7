package errcode

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// DecodeProblem reads a problem document (at most MaxDocumentSize bytes)
// from r and returns the *Error it describes, so that a client gets back the
// code, message, details, metadata and retry-after the server wrote. status
// is the response's HTTP status; zero means the document's "status" member.
//
// A code registered in the Default registry takes its Definition from
// there; any other problem, including one with no code, gets a definition
// synthesised from its status (5xx except 501 are dependency failures; 408,
// 429, 502, 503 and 504 are retryable). Following RFC 9457, members of the
// wrong type are ignored. Input that is not a JSON object fails with
// ErrMalformed; DecodeProblem never panics.
func DecodeProblem(r io.Reader, status int) (*Error, error) {
	return defaultRegistry.DecodeProblem(r, status)
}

// ParseProblem decodes resp's body with DecodeProblem and resp's status. A
// response whose Content-Type is not application/problem+json fails with
// ErrNotProblem. When the document has no "retry_after" member, a
// Retry-After header in delta-seconds is used. The caller still closes the
// body.
func ParseProblem(resp *http.Response) (*Error, error) {
	return defaultRegistry.ParseProblem(resp)
}

// DecodeProblem is DecodeProblem using r's definitions.
func (r *Registry) DecodeProblem(rd io.Reader, status int) (*Error, error) {
	p, err := ReadProblem(rd)
	if err != nil {
		return nil, err
	}
	return r.fromProblem(p, status), nil
}

// ParseProblem is ParseProblem using r's definitions.
func (r *Registry) ParseProblem(resp *http.Response) (*Error, error) {
	mt, _, err := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if err != nil || mt != ContentType {
		return nil, ErrNotProblem
	}
	p, err := ReadProblem(resp.Body)
	if err != nil {
		return nil, err
	}
	if p.RetryAfter == 0 {
		if s, err := strconv.ParseInt(strings.TrimSpace(resp.Header.Get("Retry-After")), 10, 32); err == nil && s > 0 {
			p.RetryAfter = time.Duration(s) * time.Second
		}
	}
	return r.fromProblem(p, resp.StatusCode), nil
}

func (r *Registry) fromProblem(p *Problem, status int) *Error {
	if status < 100 || status > 599 {
		status = p.HTTPStatus()
	}
	def, ok := Definition{}, false
	if p.Code > 0 {
		def, ok = r.Lookup(p.Code)
	}
	if !ok {
		def = fromHTTPStatus(p.Code, status, p.Title)
	}
	msg := p.Detail
	if msg == "" {
		msg = p.Title
	}
	return &Error{
		Code:       p.Code,
		Message:    msg,
		Details:    p.Details,
		Metadata:   p.Metadata,
		def:        def,
		retryAfter: p.RetryAfter,
	}
}

// ReadProblem reads a problem document of at most MaxDocumentSize bytes from
// r, ignoring members of the wrong type as RFC 9457 requires. Input that is
// not a JSON object fails with ErrMalformed, a larger one with ErrTooLarge.
func ReadProblem(r io.Reader) (*Problem, error) {
	data, err := readBounded(r)
	if err != nil {
		return nil, err
	}
	var members map[string]json.RawMessage
	if err := json.Unmarshal(data, &members); err != nil || members == nil {
		return nil, malformed("problem is not a JSON object", err)
	}
	p := &Problem{}
	member(members, "type", &p.Type)
	member(members, "title", &p.Title)
	member(members, "status", &p.Status)
	member(members, "detail", &p.Detail)
	member(members, "instance", &p.Instance)
	member(members, "code", &p.Code)
	member(members, "metadata", &p.Metadata)
	if raw, ok := members["details"]; ok {
		if d, err := decodeDetails(raw); err == nil {
			p.Details = d
		}
	}
	var secs float64
	if member(members, "retry_after", &secs) && secs > 0 && secs < maxRetryAfterSeconds {
		p.RetryAfter = time.Duration(math.Round(secs * float64(time.Second)))
	}
	if len(p.Metadata) == 0 {
		p.Metadata = nil
	}
	return p, nil
}

// maxRetryAfterSeconds (about 31 years) keeps the conversion to a Duration
// from overflowing.
const maxRetryAfterSeconds = 1e9

// member decodes members[name] into dst and reports success; a member of
// the wrong type leaves dst unchanged.
func member[T any](members map[string]json.RawMessage, name string, dst *T) bool {
	raw, ok := members[name]
	if !ok {
		return false
	}
	var v T
	if json.Unmarshal(raw, &v) != nil {
		return false
	}
	*dst = v
	return true
}

// decodeDetails decodes a JSON object keeping numbers as json.Number, so
// integers of any size survive. null or an empty object give nil.
func decodeDetails(raw []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var d map[string]any
	if err := dec.Decode(&d); err != nil {
		return nil, malformed("details are not a JSON object", err)
	}
	if dec.More() {
		return nil, malformed("details are followed by more data", nil)
	}
	if len(d) == 0 {
		return nil, nil
	}
	return d, nil
}

func readBounded(r io.Reader) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxDocumentSize+1))
	if err != nil {
		return nil, fmt.Errorf("errcode: reading error document: %w", err)
	}
	if len(data) > MaxDocumentSize {
		return nil, &detailedError{
			msg:      fmt.Sprintf("errcode: error document exceeds %d bytes", MaxDocumentSize),
			sentinel: ErrTooLarge,
		}
	}
	return data, nil
}

func malformed(what string, err error) error {
	msg := "errcode: malformed error document: " + what
	if err != nil {
		msg += ": " + err.Error()
	}
	return &detailedError{msg: msg, sentinel: ErrMalformed}
}
