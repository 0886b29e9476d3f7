package status_test

import (
	"errors"
	"fmt"

	"google.golang.org/genproto/googleapis/rpc/errdetails"

	"github.com/resilience-go/resilience/errcode"
	gstatus "github.com/resilience-go/resilience/grpcx/status"
)

// A business error travels as a status with an ErrorInfo detail and comes
// back as the same typed error, without its internal cause.
func ExampleFromError() {
	var reg errcode.Registry
	_ = reg.Register(errcode.Definition{Code: 10001, Name: "USER_NOT_FOUND",
		Message: "user %s not found", GRPC: errcode.GRPCNotFound})
	codec, _ := gstatus.New(gstatus.Config{Registry: &reg})

	// Server side: the handler's error becomes a status.
	st := codec.FromError(reg.Wrap(errors.New("sql: no rows"), 10001, "42"))
	fmt.Println(st.Code(), st.Message())
	for _, d := range st.Details() {
		if ei, ok := d.(*errdetails.ErrorInfo); ok {
			fmt.Println(ei.GetReason(), ei.GetDomain(), ei.GetMetadata()["code"])
		}
	}

	// Client side: the status becomes the business error again.
	err := codec.ToError(st)
	var e *errcode.Error
	fmt.Println(errors.As(err, &e), e.Code, e.Message, e.Unwrap() == nil)
	fmt.Println(errors.Is(err, reg.New(10001)), errcode.CodeOf(err))
	// Output:
	// NotFound user 42 not found
	// USER_NOT_FOUND errcode.resilience-go 10001
	// true 10001 user 42 not found true
	// true 10001
}
