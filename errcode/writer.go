package errcode

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// ProblemWriter turns errors into problem documents. The zero value is
// ready to use and safe for production: it never exposes internal causes.
type ProblemWriter struct {
	// TypeBase, when set, makes each coded error's problem type the URI
	// TypeBase + its lower-case, dash-separated Name (or its code when it has
	// no Name), e.g. "https://errors.example.com/" + "user-not-found", and
	// its title the definition's Title. Empty means type "about:blank" with
	// the HTTP status text as title, as RFC 9457 requires; the "code" member
	// still identifies the error.
	TypeBase string `yaml:"type_base" json:"type_base"`
	// Expose adds internal error text to problems: the message of errors
	// that are not *Error or *Problem as "detail", and an *Error's cause as
	// the member "cause". False, the default, sends only client-safe
	// fields. Enable it only in development.
	Expose bool `yaml:"expose" json:"expose"`
}

// Problem returns the problem document for err:
//   - an *Error in err's chain gives its status, Message as detail, code,
//     details, metadata and retry-after;
//   - a *Problem in the chain is returned as a copy (without Cause unless
//     Expose is set);
//   - an error with an HTTPStatus() int method in the chain (such as an
//     injected fault or a rejection) gives that status with no detail, and
//     its RetryAfter() time.Duration if it has one;
//   - anything else, nil included, is a generic 500 that reveals nothing.
func (pw ProblemWriter) Problem(err error) *Problem {
	if e, ok := From(err); ok {
		return pw.forError(e)
	}
	var p *Problem
	if errors.As(err, &p) {
		c := *p
		if !pw.Expose {
			c.Cause = ""
		}
		return &c
	}
	status := http.StatusInternalServerError
	var hs interface{ HTTPStatus() int }
	if errors.As(err, &hs) {
		if s := hs.HTTPStatus(); s >= 100 && s <= 599 {
			status = s
		}
	}
	p = NewProblem(status, "", "")
	var ra interface{ RetryAfter() time.Duration }
	if errors.As(err, &ra) {
		p.RetryAfter = max(ra.RetryAfter(), 0)
	}
	if pw.Expose && err != nil {
		p.Detail = err.Error()
	}
	return p
}

func (pw ProblemWriter) forError(e *Error) *Problem {
	status := e.HTTPStatus()
	if status < 100 || status > 599 {
		status = http.StatusInternalServerError
	}
	p := &Problem{
		Title:      http.StatusText(status),
		Status:     status,
		Detail:     e.Message,
		Code:       e.Code,
		Details:    e.Details,
		Metadata:   e.Metadata,
		RetryAfter: e.retryAfter,
	}
	if pw.TypeBase != "" {
		p.Type = pw.TypeBase + typeSlug(e.def.Name, e.Code)
		if e.def.Title != "" {
			p.Title = e.def.Title
		}
	}
	if pw.Expose && e.cause != nil {
		p.Cause = e.cause.Error()
	}
	return p
}

// typeSlug turns "USER_NOT_FOUND" into "user-not-found".
func typeSlug(name string, code int) string {
	if name == "" {
		return strconv.Itoa(code)
	}
	return url.PathEscape(strings.ReplaceAll(strings.ToLower(name), "_", "-"))
}

// WriteProblem writes err as an application/problem+json response; see
// Problem for what each kind of error becomes.
func (pw ProblemWriter) WriteProblem(w http.ResponseWriter, err error) {
	pw.Problem(err).Write(w)
}

// WriteProblem writes err as an application/problem+json response with the
// zero ProblemWriter: internal causes and messages of unknown errors are
// never sent. Most handlers want this.
func WriteProblem(w http.ResponseWriter, err error) {
	ProblemWriter{}.WriteProblem(w, err)
}
