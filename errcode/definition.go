package errcode

import "fmt"

// A Definition describes one business error code: how it maps to gRPC and
// HTTP, and how resilience policies should treat it. Definitions are
// registered once, usually at start-up, in a Registry.
type Definition struct {
	// Code is the numeric business code, e.g. 10001. It must be > 0; zero is
	// reserved for errors that carry no code.
	Code int `yaml:"code" json:"code"`
	// Name is a stable machine-readable identifier in UPPER_SNAKE_CASE,
	// e.g. "USER_NOT_FOUND". It becomes the gRPC ErrorInfo reason and the
	// last segment of the problem type URI. Empty means none.
	Name string `yaml:"name" json:"name"`
	// Title is a short human-readable summary of the kind of error, e.g.
	// "User not found", used as the problem title when Writer.TypeBase is
	// set. Empty means the HTTP status text.
	Title string `yaml:"title" json:"title"`
	// Message is the default client-safe message. New formats it with its
	// arguments as fmt.Sprintf would. Empty means Title.
	Message string `yaml:"message" json:"message"`
	// GRPC is the gRPC status code. Zero (OK) means GRPCCodeFor(HTTP).
	GRPC GRPCCode `yaml:"grpc" json:"grpc"`
	// HTTP is the HTTP status, 100..599. Zero means HTTPStatusFor(GRPC).
	// GRPC and HTTP cannot both be zero.
	HTTP int `yaml:"http" json:"http"`
	// Retryable says that the same request may succeed later (the
	// dependency is unavailable, a lock was contended). Retry policies
	// consult it through the error's Retryable method.
	Retryable bool `yaml:"retryable" json:"retryable"`
	// DependencyFailure says that the error reveals a failing dependency
	// (unavailable, internal error), so circuit breakers must count it. When
	// false, the error is a business answer from a healthy dependency and
	// counts as a success: it never trips a breaker.
	DependencyFailure bool `yaml:"dependency_failure" json:"dependency_failure"`
}

// Validate reports the first invalid field: Code must be > 0, HTTP zero or
// in 100..599, GRPC at most 16, and GRPC and HTTP not both zero. The error
// matches ErrInvalidDefinition.
func (d Definition) Validate() error {
	switch {
	case d.Code <= 0:
		return d.invalid("Code %d must be > 0", d.Code)
	case d.HTTP != 0 && (d.HTTP < 100 || d.HTTP > 599):
		return d.invalid("HTTP %d must be in 100..599", d.HTTP)
	case d.GRPC > MaxGRPCCode:
		return d.invalid("GRPC %d must be <= 16", uint32(d.GRPC))
	case d.HTTP == 0 && d.GRPC == GRPCOK:
		return d.invalid("GRPC and HTTP are both zero; set at least one")
	}
	return nil
}

func (d Definition) invalid(format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if d.Code > 0 {
		msg = fmt.Sprintf("errcode: code %d: %s", d.Code, msg)
	} else {
		msg = "errcode: Definition." + msg
	}
	return &detailedError{msg: msg, sentinel: ErrInvalidDefinition}
}

// normalized fills in the mapped status or code left zero.
func (d Definition) normalized() Definition {
	if d.HTTP == 0 {
		d.HTTP = HTTPStatusFor(d.GRPC)
	}
	if d.GRPC == GRPCOK && (d.HTTP < 200 || d.HTTP >= 300) {
		d.GRPC = GRPCCodeFor(d.HTTP)
	}
	return d
}

// fromHTTPStatus returns the definition of a code no registry knows, built
// from the HTTP status it arrived with: 5xx except 501 are dependency
// failures; 408, 429, 502, 503 and 504 are retryable.
func fromHTTPStatus(code, status int, title string) Definition {
	d := Definition{Code: code, Title: title, GRPC: GRPCCodeFor(status), HTTP: status}
	d.DependencyFailure = status >= 500 && status != 501
	switch status {
	case 408, 429, 502, 503, 504:
		d.Retryable = true
	}
	return d
}

// fromGRPCCode returns the definition of a code no registry knows, built
// from the gRPC code it arrived with: Unknown, DeadlineExceeded, Internal,
// Unavailable and DataLoss are dependency failures; Unavailable is
// retryable, as gRPC's own guidance has it.
func fromGRPCCode(code int, grpc GRPCCode, status int) Definition {
	d := Definition{Code: code, GRPC: grpc, HTTP: status}
	switch grpc {
	case GRPCUnknown, GRPCDeadlineExceeded, GRPCInternal, GRPCUnavailable, GRPCDataLoss:
		d.DependencyFailure = true
	}
	d.Retryable = grpc == GRPCUnavailable
	return d
}
