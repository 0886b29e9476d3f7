// Package status converts business errors (errcode.Error) to gRPC statuses
// on the server and back to the same typed errors on the client, so that a
// handler can return errcode.Wrap(err, CodeUserNotFound, id) and the client
// can use errors.As, errors.Is(err, errcode.New(CodeUserNotFound)) and
// errcode.From on what it receives.
//
// # Wire format
//
// A business error becomes a status with the definition's gRPC code (an
// unknown or OK code becomes Unknown), the error's client-safe Message, and
// these details, in this order:
//
//  1. google.rpc.ErrorInfo, always: Reason is the definition's Name
//     ("USER_NOT_FOUND", or "CODE_<code>" for a definition without one),
//     Domain is Config.Domain (DefaultDomain, "errcode.resilience-go"),
//     Metadata is the error's Metadata plus CodeKey ("code") holding the
//     decimal business code. Any gRPC client, in any language, can read
//     these standard fields, and the Domain marks the status as ours.
//  2. google.rpc.RetryInfo, when the error has a RetryAfter: clients honour
//     it (grpcx's retry waits at least that long).
//  3. google.protobuf.StringValue holding the errcode.Wire JSON of the error
//     (code, name, message, codes, details, metadata, retry-after): the
//     lossless form, which keeps the structured Details (large integers
//     included, which a google.protobuf.Struct would round to float64).
//
// The error's internal cause is never sent, and neither is the text of an
// error that is not a business error (unless Config.Expose): those become
// Unknown "internal error". Statuses already in an error's chain pass
// through unchanged; rejections of resilience policies get the code
// grpcx.CodeOf gives them.
//
// The client decodes a status carrying an ErrorInfo of its Domain: from the
// Wire detail when present and readable, from the ErrorInfo alone
// otherwise, with the status's code and message as they arrived. The
// client's Registry supplies the Definition of a code it knows; for other
// codes one is synthesised from the status code. Statuses of other domains
// are left alone.
//
// # Resilience
//
// The client gets a *BusinessError, which unwraps to the *errcode.Error and
// reports its outcome: a success unless the definition is a
// DependencyFailure, so business answers never trip breakers and
// grpcx's client never retries them. Install the client interceptor inside
// grpcx's:
//
//	grpc.WithChainUnaryInterceptor(resilient.UnaryInterceptor(), status.UnaryClientInterceptor())
//
// and the server interceptor innermost, so the other interceptors see the
// status the client will:
//
//	grpc.ChainUnaryInterceptor(server.UnaryInterceptor(), status.UnaryServerInterceptor())
//
// # Use
//
// The zero Config is valid; the package-level functions and interceptors
// use it (the errcode.Default registry). A Codec is immutable and safe for
// concurrent use. Most callers want the interceptors.
package status
