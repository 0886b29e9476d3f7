// Package errcode gives business errors a numeric code, a client-safe
// message and structured details, and maps each code to a gRPC status code
// and an HTTP status, so that servers answer consistently on both
// transports and clients get the same typed error back.
//
// # Model
//
// A Definition, registered once in a Registry, says what a code means:
// its gRPC code and HTTP status (either one may be left zero and is then
// derived from the other with GRPCCodeFor or HTTPStatusFor), a name and
// title, whether it is Retryable, and whether it reveals a DependencyFailure.
// An *Error is one occurrence: Code, Message, Details, Metadata, an optional
// Retry-After and an optional internal cause that stays on the server.
//
//	errcode.Register(errcode.Definition{Code: 10001, Name: "USER_NOT_FOUND",
//		Message: "user %s not found", GRPC: errcode.GRPCNotFound})
//	return errcode.Wrap(sqlErr, 10001, id)           // handler
//	errcode.WriteProblem(w, err)                     // HTTP server
//	e, err := errcode.ParseProblem(resp)             // HTTP client
//	errors.Is(e, errcode.New(10001))                 // true
//
// # Resilience
//
// An *Error reports its own outcome (resilience.OutcomeReporter): business
// answers such as "not found" or "insufficient funds" count as successes, so
// they never trip a circuit breaker, and only definitions marked
// DependencyFailure count as failures. It also has HTTPStatus, GRPCCode,
// Retryable and RetryAfter methods, the small interfaces through which retry
// policies and transport adapters recognise transient failures without
// importing this package.
//
// # Wire formats
//
// Over HTTP an error travels as an RFC 9457 application/problem+json
// document (Problem) with the extension members "code", "details",
// "metadata" and "retry_after" (seconds; the Retry-After header is also
// set). Errors that are not *Error become a generic 500 problem revealing
// nothing, unless ProblemWriter.Expose is set for development. DecodeProblem
// reads at most MaxDocumentSize bytes, ignores members of the wrong type as
// the RFC asks, and fails with ErrMalformed rather than panicking.
//
// For gRPC, ToWire and FromWire convert to and from Wire, a plain struct the
// grpc adapter (a separate module) translates to a status with an ErrorInfo
// detail. This package imports only the standard library.
//
// # Zero values and concurrency
//
// The zero Registry is empty and ready; Default is the process-wide one
// behind the package-level functions. Registries are safe for concurrent
// use: lookups read an immutable snapshot without locking, Register copies
// it. Treat an *Error as immutable once made: its With methods return
// copies, so one can be shared and decorated safely. The zero ProblemWriter is the safe production setting.
package errcode
