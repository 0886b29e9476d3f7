package errcode

import "errors"

// ErrInvalidDefinition is matched by the errors of Definition.Validate and
// Register for a definition that cannot be registered; the message names the
// offending field. Fix the definition.
var ErrInvalidDefinition = errors.New("errcode: invalid definition")

// ErrDuplicateCode is matched by the error of Register for a code that is
// already registered. Codes are unique per Registry.
var ErrDuplicateCode = errors.New("errcode: duplicate code")

// ErrNotProblem is returned by ParseProblem for a response whose
// Content-Type is not application/problem+json: the server (or a proxy in
// front of it) did not answer with a problem document. Map the status code
// yourself.
var ErrNotProblem = errors.New("errcode: response is not application/problem+json")

// ErrMalformed is matched by the errors of DecodeProblem and FromWire for
// input that is not a well-formed problem document or wire form.
var ErrMalformed = errors.New("errcode: malformed error document")

// ErrTooLarge is matched by the error of DecodeProblem and FromWire when the
// input exceeds MaxDocumentSize.
var ErrTooLarge = errors.New("errcode: error document too large")

// detailedError carries a precise message while matching a sentinel, so the
// message reads "errcode: code 10001: HTTP 600 must be in 100..599" rather
// than ending with the sentinel's own text.
type detailedError struct {
	msg      string
	sentinel error
}

func (e *detailedError) Error() string { return e.msg }
func (e *detailedError) Unwrap() error { return e.sentinel }
