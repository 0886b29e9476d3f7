package errcode

import "strconv"

// GRPCCode is a gRPC status code, numerically equal to the value of the same
// name in google.golang.org/grpc/codes. This package does not import gRPC;
// the adapter converts with codes.Code(c).
type GRPCCode uint32

// The gRPC status codes, with the values of google.golang.org/grpc/codes.
const (
	GRPCOK                 GRPCCode = 0
	GRPCCanceled           GRPCCode = 1
	GRPCUnknown            GRPCCode = 2
	GRPCInvalidArgument    GRPCCode = 3
	GRPCDeadlineExceeded   GRPCCode = 4
	GRPCNotFound           GRPCCode = 5
	GRPCAlreadyExists      GRPCCode = 6
	GRPCPermissionDenied   GRPCCode = 7
	GRPCResourceExhausted  GRPCCode = 8
	GRPCFailedPrecondition GRPCCode = 9
	GRPCAborted            GRPCCode = 10
	GRPCOutOfRange         GRPCCode = 11
	GRPCUnimplemented      GRPCCode = 12
	GRPCInternal           GRPCCode = 13
	GRPCUnavailable        GRPCCode = 14
	GRPCDataLoss           GRPCCode = 15
	GRPCUnauthenticated    GRPCCode = 16
)

// MaxGRPCCode is the largest valid gRPC status code (Unauthenticated).
const MaxGRPCCode = GRPCUnauthenticated

var grpcNames = [...]string{
	"OK", "Canceled", "Unknown", "InvalidArgument", "DeadlineExceeded",
	"NotFound", "AlreadyExists", "PermissionDenied", "ResourceExhausted",
	"FailedPrecondition", "Aborted", "OutOfRange", "Unimplemented",
	"Internal", "Unavailable", "DataLoss", "Unauthenticated",
}

// String returns the code's name as grpc-go spells it ("NotFound"), or
// "Code(n)" for a value outside 0..16.
func (c GRPCCode) String() string {
	if c <= MaxGRPCCode {
		return grpcNames[c]
	}
	return "Code(" + strconv.FormatUint(uint64(c), 10) + ")"
}

// grpcToHTTP is the mapping of grpc-gateway (runtime.HTTPStatusFromCode)
// and of Google's API design guide.
var grpcToHTTP = [...]int{
	GRPCOK:                 200,
	GRPCCanceled:           499,
	GRPCUnknown:            500,
	GRPCInvalidArgument:    400,
	GRPCDeadlineExceeded:   504,
	GRPCNotFound:           404,
	GRPCAlreadyExists:      409,
	GRPCPermissionDenied:   403,
	GRPCResourceExhausted:  429,
	GRPCFailedPrecondition: 400,
	GRPCAborted:            409,
	GRPCOutOfRange:         400,
	GRPCUnimplemented:      501,
	GRPCInternal:           500,
	GRPCUnavailable:        503,
	GRPCDataLoss:           500,
	GRPCUnauthenticated:    401,
}

// HTTPStatusFor returns the conventional HTTP status for a gRPC code, as
// grpc-gateway maps them (NotFound → 404, Unavailable → 503, ...); 500 for a
// code outside 0..16. Register uses it when a Definition leaves HTTP zero.
func HTTPStatusFor(c GRPCCode) int {
	if c <= MaxGRPCCode {
		return grpcToHTTP[c]
	}
	return 500
}

// GRPCCodeFor returns the conventional gRPC code for an HTTP status, the
// inverse of HTTPStatusFor where that is unambiguous: 400 InvalidArgument,
// 401 Unauthenticated, 403 PermissionDenied, 404 NotFound, 408 and 504
// DeadlineExceeded, 409 Aborted, 412 FailedPrecondition, 416 OutOfRange,
// 429 ResourceExhausted, 499 Canceled, 501 Unimplemented, 502 and 503
// Unavailable; any other 4xx is FailedPrecondition, any other 5xx Internal,
// 2xx OK and anything else Unknown.
func GRPCCodeFor(status int) GRPCCode {
	switch status {
	case 400:
		return GRPCInvalidArgument
	case 401:
		return GRPCUnauthenticated
	case 403:
		return GRPCPermissionDenied
	case 404:
		return GRPCNotFound
	case 408, 504:
		return GRPCDeadlineExceeded
	case 409:
		return GRPCAborted
	case 412:
		return GRPCFailedPrecondition
	case 416:
		return GRPCOutOfRange
	case 429:
		return GRPCResourceExhausted
	case 499:
		return GRPCCanceled
	case 501:
		return GRPCUnimplemented
	case 502, 503:
		return GRPCUnavailable
	}
	switch {
	case status >= 200 && status < 300:
		return GRPCOK
	case status >= 400 && status < 500:
		return GRPCFailedPrecondition
	case status >= 500 && status < 600:
		return GRPCInternal
	}
	return GRPCUnknown
}
