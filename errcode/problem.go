package errcode

import (
	"encoding/json"
	"math"
	"net/http"
	"strconv"
	"time"
)

// ContentType is the media type of RFC 9457 problem documents.
const ContentType = "application/problem+json"

// MaxDocumentSize bounds how many bytes DecodeProblem, ParseProblem and
// FromWire read; larger documents fail with ErrTooLarge.
const MaxDocumentSize = 64 << 10

// Problem is an RFC 9457 problem details document, with the extension
// members this package uses. It serves any middleware that must answer with
// an error, such as a 429 from a rate limiter or a 503 from an open breaker:
//
//	errcode.NewProblem(http.StatusTooManyRequests, "", "rate limit exceeded").Write(w)
//
// A *Problem is also an error, so a handler can return one.
type Problem struct {
	// Type is a URI reference identifying the problem type. Empty means
	// "about:blank": the problem is just its HTTP status.
	Type string `json:"type,omitempty"`
	// Title is a short summary of the problem type; for "about:blank" the
	// HTTP status text.
	Title string `json:"title,omitempty"`
	// Status is the HTTP status code. Write sends 500 for a value outside
	// 100..599.
	Status int `json:"status,omitempty"`
	// Detail is a client-safe explanation of this occurrence.
	Detail string `json:"detail,omitempty"`
	// Instance is a URI reference identifying this occurrence.
	Instance string `json:"instance,omitempty"`
	// Code is the business code (extension member "code"); zero means none.
	Code int `json:"code,omitempty"`
	// Details is structured data about the occurrence (extension member
	// "details").
	Details map[string]any `json:"details,omitempty"`
	// Metadata is string pairs (extension member "metadata").
	Metadata map[string]string `json:"metadata,omitempty"`
	// RetryAfter tells the client when to retry. Write sends it as the
	// Retry-After header in whole seconds, rounded up, and as the extension
	// member "retry_after" in (possibly fractional) seconds.
	RetryAfter time.Duration `json:"-"`
	// Cause is the internal error's text, set only by a ProblemWriter with
	// Expose (extension member "cause"). Never set it in production.
	Cause string `json:"cause,omitempty"`
}

// NewProblem returns an "about:blank" problem with status and detail. An
// empty title means the status text, as RFC 9457 recommends.
func NewProblem(status int, title, detail string) *Problem {
	if title == "" {
		title = http.StatusText(status)
	}
	return &Problem{Title: title, Status: status, Detail: detail}
}

// Error returns "problem <status> <title>: <detail>".
func (p *Problem) Error() string {
	s := "problem " + strconv.Itoa(p.Status) + " " + p.Title
	if p.Detail != "" {
		s += ": " + p.Detail
	}
	return s
}

// HTTPStatus returns the problem's status, or 500 when it is not a valid
// status.
func (p *Problem) HTTPStatus() int {
	if p.Status < 100 || p.Status > 599 {
		return http.StatusInternalServerError
	}
	return p.Status
}

// GRPCCode returns GRPCCodeFor(p.HTTPStatus()).
func (p *Problem) GRPCCode() uint32 { return uint32(GRPCCodeFor(p.HTTPStatus())) }

// MarshalJSON encodes the problem with RetryAfter as the member
// "retry_after" in seconds.
func (p Problem) MarshalJSON() ([]byte, error) {
	type plain Problem // drops the method, avoiding recursion
	return json.Marshal(struct {
		*plain
		RetryAfterSeconds float64 `json:"retry_after,omitempty"`
	}{(*plain)(&p), p.RetryAfter.Seconds()})
}

// Write sends the problem as application/problem+json with its status (500
// when Status is not in 100..599) and, when RetryAfter is set, a
// Retry-After header. Details that cannot be encoded as JSON are dropped
// rather than failing the response.
func (p *Problem) Write(w http.ResponseWriter) {
	c := *p
	c.Status = p.HTTPStatus()
	body, err := json.Marshal(&c)
	if err != nil {
		c.Details = nil
		body, err = json.Marshal(&c)
		if err != nil { // unreachable: what is left always encodes
			body = []byte(`{"title":"Internal Server Error","status":500}`)
		}
	}
	h := w.Header()
	h.Set("Content-Type", ContentType)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Del("Content-Length")
	if p.RetryAfter > 0 {
		h.Set("Retry-After", strconv.FormatInt(int64(math.Ceil(p.RetryAfter.Seconds())), 10))
	}
	w.WriteHeader(c.Status)
	_, _ = w.Write(append(body, '\n'))
}
