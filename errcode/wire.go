package errcode

import (
	"encoding/json"
	"fmt"
	"time"
)

// Wire is an *Error in the form a transport carries, without its internal
// cause: the gRPC adapter (grpcx/status) turns it into a status with
// code GRPCCode, message Message and an ErrorInfo detail (reason Name,
// metadata Metadata plus the code), and back. Wire itself is
// JSON-serialisable.
type Wire struct {
	// Code is the business code; zero means none.
	Code int `json:"code"`
	// Name is the definition's Name (the ErrorInfo reason); may be empty.
	Name string `json:"name,omitempty"`
	// Message is the client-safe message.
	Message string `json:"message"`
	// GRPCCode is the gRPC status code, 0..16.
	GRPCCode uint32 `json:"grpc_code"`
	// HTTPStatus is the HTTP status; zero means HTTPStatusFor(GRPCCode).
	HTTPStatus int `json:"http_status,omitempty"`
	// Details is the error's Details encoded as a JSON object; empty when
	// there are none.
	Details json.RawMessage `json:"details,omitempty"`
	// Metadata is the error's Metadata.
	Metadata map[string]string `json:"metadata,omitempty"`
	// RetryAfter is the error's RetryAfter; zero when unset.
	RetryAfter time.Duration `json:"retry_after,omitempty"`
}

// ToWire returns e's transport form. The internal cause is left out. Details
// that cannot be encoded as JSON are dropped.
func (e *Error) ToWire() Wire {
	w := Wire{
		Code:       e.Code,
		Name:       e.def.Name,
		Message:    e.Message,
		GRPCCode:   e.GRPCCode(),
		HTTPStatus: e.HTTPStatus(),
		Metadata:   e.Metadata,
		RetryAfter: e.retryAfter,
	}
	if len(e.Details) > 0 {
		if b, err := json.Marshal(e.Details); err == nil {
			w.Details = b
		}
	}
	return w
}

// FromWire rebuilds the *Error that ToWire produced, using the Default
// registry; see Registry.FromWire.
func FromWire(w Wire) (*Error, error) { return defaultRegistry.FromWire(w) }

// FromWire rebuilds an *Error from its transport form. A code registered in
// r takes its Definition from r; otherwise one is synthesised from GRPCCode
// and HTTPStatus (a GRPCCode above 16 counts as Unknown). Details that are
// not a JSON object fail with ErrMalformed, details larger than
// MaxDocumentSize with ErrTooLarge.
func (r *Registry) FromWire(w Wire) (*Error, error) {
	e := &Error{
		Code:       w.Code,
		Message:    w.Message,
		retryAfter: max(w.RetryAfter, 0),
	}
	if len(w.Metadata) > 0 {
		e.Metadata = w.Metadata
	}
	if len(w.Details) > MaxDocumentSize {
		return nil, &detailedError{
			msg:      fmt.Sprintf("errcode: wire details exceed %d bytes", MaxDocumentSize),
			sentinel: ErrTooLarge,
		}
	}
	if len(w.Details) > 0 {
		d, err := decodeDetails(w.Details)
		if err != nil {
			return nil, err
		}
		e.Details = d
	}
	if def, ok := r.Lookup(w.Code); ok && w.Code > 0 {
		e.def = def
		return e, nil
	}
	grpc := GRPCCode(w.GRPCCode)
	if grpc > MaxGRPCCode {
		grpc = GRPCUnknown
	}
	status := w.HTTPStatus
	if status < 100 || status > 599 {
		status = HTTPStatusFor(grpc)
	}
	e.def = fromGRPCCode(w.Code, grpc, status)
	e.def.Name = w.Name
	return e, nil
}
