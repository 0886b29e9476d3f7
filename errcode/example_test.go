package errcode_test

import (
	"errors"
	"fmt"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/errcode"
)

// A service registers its catalogue once, returns coded errors from its
// handlers and writes them as problem documents; its clients get the same
// typed error back.
func Example() {
	var reg errcode.Registry // most programs use errcode.Register on the Default registry
	for _, d := range []errcode.Definition{
		{Code: 10001, Name: "USER_NOT_FOUND", Message: "user %s not found", GRPC: errcode.GRPCNotFound},
		{Code: 10002, Name: "INVALID_EMAIL", Message: "email is not valid", GRPC: errcode.GRPCInvalidArgument},
		{Code: 20002, Name: "OUT_OF_STOCK", Message: "item %s is out of stock", GRPC: errcode.GRPCFailedPrecondition, HTTP: 422},
		{Code: 30001, Name: "INSUFFICIENT_FUNDS", Message: "insufficient funds", GRPC: errcode.GRPCFailedPrecondition, HTTP: 402},
		{Code: 30002, Name: "PAYMENT_GATEWAY_UNAVAILABLE", Message: "payment gateway unavailable",
			GRPC: errcode.GRPCUnavailable, Retryable: true, DependencyFailure: true},
	} {
		if err := reg.Register(d); err != nil {
			fmt.Println(err)
		}
	}

	// Server: the internal cause stays in the logs.
	err := reg.Wrap(errors.New("sql: no rows in result set"), 10001, "u-42")
	fmt.Println("log:", err)
	rec := httptest.NewRecorder()
	errcode.WriteProblem(rec, err)
	fmt.Print("wire: ", rec.Code, " ", rec.Body)

	// Client: the same code comes back.
	got, _ := reg.DecodeProblem(rec.Body, rec.Code)
	fmt.Println("client:", got.Code, got.Message, errors.Is(got, reg.New(10001)))
	// Output:
	// log: errcode 10001 USER_NOT_FOUND: user u-42 not found: sql: no rows in result set
	// wire: 404 {"title":"Not Found","status":404,"detail":"user u-42 not found","code":10001}
	// client: 10001 user u-42 not found true
}

// Business answers count as successes for breakers and retries; only
// definitions marked DependencyFailure count as failures.
func ExampleError_ResilienceOutcome() {
	var reg errcode.Registry
	_ = reg.Register(errcode.Definition{Code: 30001, Name: "INSUFFICIENT_FUNDS", GRPC: errcode.GRPCFailedPrecondition, HTTP: 402})
	_ = reg.Register(errcode.Definition{Code: 30002, Name: "PAYMENT_GATEWAY_UNAVAILABLE", GRPC: errcode.GRPCUnavailable,
		Retryable: true, DependencyFailure: true})
	for _, err := range []error{reg.New(30001), reg.New(30002), fmt.Errorf("charge: %w", reg.New(30002))} {
		e, _ := errcode.From(err)
		fmt.Printf("%d: %v, HTTP %d, gRPC %v, retryable %v\n", e.Code, resilience.Classify(err),
			e.HTTPStatus(), errcode.GRPCCode(e.GRPCCode()), e.Retryable())
	}
	// Output:
	// 30001: success, HTTP 402, gRPC FailedPrecondition, retryable false
	// 30002: failure, HTTP 503, gRPC Unavailable, retryable true
	// 30002: failure, HTTP 503, gRPC Unavailable, retryable true
}

// Register rejects duplicates and invalid mappings with precise errors.
func ExampleRegistry_Register() {
	var reg errcode.Registry
	fmt.Println(reg.Register(errcode.Definition{Code: 10001, Name: "USER_NOT_FOUND", GRPC: errcode.GRPCNotFound}))
	fmt.Println(reg.Register(errcode.Definition{Code: 10001, Name: "ORDER_NOT_FOUND", HTTP: 404}))
	fmt.Println(reg.Register(errcode.Definition{Code: 10002, HTTP: 700}))
	fmt.Println(reg.Register(errcode.Definition{Code: 10003, GRPC: 17}))
	// Output:
	// <nil>
	// errcode: code 10001 (ORDER_NOT_FOUND) is already registered as "USER_NOT_FOUND"
	// errcode: code 10002: HTTP 700 must be in 100..599
	// errcode: code 10003: GRPC 17 must be <= 16
}

// Middleware that refuses a call answers with a plain problem.
func ExampleNewProblem() {
	p := errcode.NewProblem(429, "", "rate limit exceeded")
	p.RetryAfter = 2 * time.Second
	rec := httptest.NewRecorder()
	p.Write(rec)
	fmt.Println(rec.Code, rec.Header().Get("Content-Type"), "Retry-After:", rec.Header().Get("Retry-After"))
	fmt.Print(rec.Body)
	// Output:
	// 429 application/problem+json Retry-After: 2
	// {"title":"Too Many Requests","status":429,"detail":"rate limit exceeded","retry_after":2}
}

// Unknown errors become a generic 500 that reveals nothing.
func ExampleWriteProblem() {
	rec := httptest.NewRecorder()
	errcode.WriteProblem(rec, errors.New("dial tcp 10.0.0.7:5432: connection refused"))
	fmt.Print(rec.Code, " ", rec.Body)
	// Output:
	// 500 {"title":"Internal Server Error","status":500}
}

// The gRPC adapter carries an error as a Wire value.
func ExampleError_ToWire() {
	var reg errcode.Registry
	_ = reg.Register(errcode.Definition{Code: 20002, Name: "OUT_OF_STOCK", Message: "item %s is out of stock",
		GRPC: errcode.GRPCFailedPrecondition, HTTP: 422})
	w := reg.New(20002, "sku-9").WithDetail("sku", "sku-9").ToWire()
	fmt.Printf("%d %s %q grpc=%d http=%d details=%s\n", w.Code, w.Name, w.Message, w.GRPCCode, w.HTTPStatus, w.Details)
	back, err := reg.FromWire(w)
	fmt.Println(back, err, strings.Contains(back.Error(), "sku-9"))
	// Output:
	// 20002 OUT_OF_STOCK "item sku-9 is out of stock" grpc=9 http=422 details={"sku":"sku-9"}
	// errcode 20002 OUT_OF_STOCK: item sku-9 is out of stock <nil> true
}
