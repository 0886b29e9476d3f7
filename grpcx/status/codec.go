package status

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"unicode/utf8"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/protoadapt"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/errcode"
	"github.com/resilience-go/resilience/grpcx"
)

// DefaultDomain is the ErrorInfo domain a zero Config.Domain stands for.
const DefaultDomain = "errcode.resilience-go"

// CodeKey is the ErrorInfo metadata key that carries the business code.
const CodeKey = "code"

// Config configures a Codec. The zero Config is valid: the default
// registry, DefaultDomain, and nothing internal exposed.
type Config struct {
	// Registry resolves business codes to their definitions on the client.
	// Nil means errcode.Default().
	Registry *errcode.Registry `yaml:"-" json:"-"`
	// Domain is the ErrorInfo domain that marks a status as carrying a
	// business error, the same on servers and clients. Empty means
	// DefaultDomain.
	Domain string `yaml:"domain" json:"domain"`
	// Expose sends the text of errors that are neither business errors nor
	// statuses, which may reveal internals. False (zero) sends a generic
	// message. Enable it only in development.
	Expose bool `yaml:"expose" json:"expose"`
}

// Validate reports the first invalid field, naming it.
func (c Config) Validate() error {
	for i := 0; i < len(c.Domain); i++ {
		if b := c.Domain[i]; b <= ' ' || b >= 0x7f {
			return fmt.Errorf("status: Domain %q must be printable ASCII without spaces", c.Domain)
		}
	}
	return nil
}

// A Codec converts between business errors and gRPC statuses; see the
// package documentation for the wire format. It is immutable and safe for
// concurrent use. Most callers want the package-level functions, which use
// the zero Config.
type Codec struct {
	registry *errcode.Registry
	domain   string
	expose   bool
}

// New returns a Codec for cfg, or cfg.Validate's error.
func New(cfg Config) (*Codec, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	c := &Codec{registry: cfg.Registry, domain: cfg.Domain, expose: cfg.Expose}
	if c.registry == nil {
		c.registry = errcode.Default()
	}
	if c.domain == "" {
		c.domain = DefaultDomain
	}
	return c, nil
}

var defaultCodec, _ = New(Config{})

// FromError converts err with the zero Config; see Codec.FromError.
func FromError(err error) *status.Status { return defaultCodec.FromError(err) }

// ToError converts st with the zero Config; see Codec.ToError.
func ToError(st *status.Status) error { return defaultCodec.ToError(st) }

// FromError returns the status a server answers err with:
//   - nil for nil (grpc-go reads a nil *status.Status as OK);
//   - for an *errcode.Error in err's chain, its gRPC code and client-safe
//     message with ErrorInfo, RetryInfo and wire details (see the package
//     documentation); its internal cause is never sent;
//   - a status in err's chain (GRPCStatus), unchanged;
//   - for the rejections of resilience policies and context errors, the
//     code grpcx.CodeOf maps them to and their message;
//   - for anything else, the code grpcx.CodeOf finds (Unknown for a plain
//     error) and a generic message, or err's text with Config.Expose.
func (c *Codec) FromError(err error) *status.Status {
	if err == nil {
		return nil
	}
	if e, ok := errcode.From(err); ok {
		return c.encode(e)
	}
	if st, ok := status.FromError(err); ok {
		return st
	}
	code := grpcx.CodeOf(err)
	switch {
	case c.expose, errors.Is(err, resilience.ErrRejected),
		errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return status.New(code, err.Error())
	case code == codes.Unknown:
		return status.New(code, "internal error")
	}
	return status.New(code, code.String())
}

// encode builds the status of a business error.
func (c *Codec) encode(e *errcode.Error) *status.Status {
	w := e.ToWire()
	code := codes.Code(w.GRPCCode)
	if code == codes.OK || code > codes.Unauthenticated {
		code = codes.Unknown
	}
	st := status.New(code, w.Message)
	md := make(map[string]string, len(w.Metadata)+1)
	for k, v := range w.Metadata {
		md[k] = v
	}
	md[CodeKey] = strconv.Itoa(w.Code)
	details := []protoadapt.MessageV1{&errdetails.ErrorInfo{Reason: reason(w), Domain: c.domain, Metadata: md}}
	if w.RetryAfter > 0 {
		details = append(details, &errdetails.RetryInfo{RetryDelay: durationpb.New(w.RetryAfter)})
	}
	if b, err := json.Marshal(w); err == nil && utf8.Valid(b) {
		details = append(details, wrapperspb.String(string(b)))
	}
	if ds, err := st.WithDetails(details...); err == nil {
		return ds
	}
	return st
}

// reason is the ErrorInfo reason: the definition's Name, or CODE_<code>
// when it has none.
func reason(w errcode.Wire) string {
	if w.Name != "" {
		return w.Name
	}
	return "CODE_" + strconv.Itoa(w.Code)
}

// ToError returns the error a client sees for st:
//   - nil for nil or OK;
//   - for a status carrying a business error (an ErrorInfo of the Codec's
//     domain), a *BusinessError that unwraps to the *errcode.Error the
//     server sent, rebuilt with the Codec's registry (errors.As and
//     errors.Is work as they did on the server; Definition comes from the
//     client's registry when it knows the code);
//   - st.Err() for any other status.
func (c *Codec) ToError(st *status.Status) error {
	if st == nil || st.Code() == codes.OK {
		return nil
	}
	if e, ok := c.decode(st); ok {
		return &BusinessError{err: e, st: st}
	}
	return st.Err()
}

// decode rebuilds the business error st carries, if any.
func (c *Codec) decode(st *status.Status) (*errcode.Error, bool) {
	var info *errdetails.ErrorInfo
	var retryInfo *errdetails.RetryInfo
	var wire *wrapperspb.StringValue
	for _, d := range st.Details() {
		switch d := d.(type) {
		case *errdetails.ErrorInfo:
			if info == nil && d.GetDomain() == c.domain {
				info = d
			}
		case *errdetails.RetryInfo:
			retryInfo = d
		case *wrapperspb.StringValue:
			wire = d
		}
	}
	if info == nil {
		return nil, false
	}
	var w errcode.Wire
	if wire == nil || len(wire.GetValue()) > errcode.MaxDocumentSize ||
		json.Unmarshal([]byte(wire.GetValue()), &w) != nil {
		w = fromInfo(info)
	}
	w.Message = st.Message()
	w.GRPCCode = uint32(st.Code())
	if w.RetryAfter <= 0 && retryInfo.GetRetryDelay().CheckValid() == nil {
		w.RetryAfter = retryInfo.GetRetryDelay().AsDuration()
	}
	e, err := c.registry.FromWire(w)
	if err != nil {
		w.Details = nil
		if e, err = c.registry.FromWire(w); err != nil {
			return nil, false
		}
	}
	return e, true
}

// fromInfo rebuilds what an ErrorInfo carries of a business error, for
// statuses without (or with an unreadable) wire detail.
func fromInfo(info *errdetails.ErrorInfo) errcode.Wire {
	var w errcode.Wire
	w.Code, _ = strconv.Atoi(info.GetMetadata()[CodeKey])
	if r := info.GetReason(); r != "CODE_"+strconv.Itoa(w.Code) {
		w.Name = r
	}
	if len(info.GetMetadata()) > 1 {
		w.Metadata = make(map[string]string, len(info.GetMetadata())-1)
		for k, v := range info.GetMetadata() {
			if k != CodeKey {
				w.Metadata[k] = v
			}
		}
	}
	return w
}
