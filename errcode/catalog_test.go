package errcode_test

import (
	"testing"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/errcode"
)

// The catalogue of a small shop, as a service would register it at
// start-up: users, orders and payments.
const (
	codeUserNotFound       = 10001
	codeInvalidEmail       = 10002
	codeUserExists         = 10003
	codeOrderNotFound      = 20001
	codeOutOfStock         = 20002
	codeOrderAlreadyPaid   = 20003
	codeInsufficientFunds  = 30001
	codeGatewayUnavailable = 30002
	codeGatewayError       = 30003
)

var shopCatalog = []errcode.Definition{
	{Code: codeUserNotFound, Name: "USER_NOT_FOUND", Title: "User not found", Message: "user %s not found", GRPC: errcode.GRPCNotFound},
	{Code: codeInvalidEmail, Name: "INVALID_EMAIL", Title: "Invalid email", Message: "email %q is not valid", GRPC: errcode.GRPCInvalidArgument},
	{Code: codeUserExists, Name: "USER_ALREADY_EXISTS", Title: "User already exists", Message: "a user with this email already exists", GRPC: errcode.GRPCAlreadyExists},
	{Code: codeOrderNotFound, Name: "ORDER_NOT_FOUND", Title: "Order not found", Message: "order %s not found", HTTP: 404},
	{Code: codeOutOfStock, Name: "OUT_OF_STOCK", Title: "Out of stock", Message: "item %s is out of stock", GRPC: errcode.GRPCFailedPrecondition, HTTP: 422},
	{Code: codeOrderAlreadyPaid, Name: "ORDER_ALREADY_PAID", Title: "Order already paid", Message: "order %s is already paid", GRPC: errcode.GRPCFailedPrecondition, HTTP: 409},
	{Code: codeInsufficientFunds, Name: "INSUFFICIENT_FUNDS", Title: "Insufficient funds", Message: "insufficient funds", GRPC: errcode.GRPCFailedPrecondition, HTTP: 402},
	{Code: codeGatewayUnavailable, Name: "PAYMENT_GATEWAY_UNAVAILABLE", Title: "Payment gateway unavailable", Message: "the payment gateway is unavailable, try again later", GRPC: errcode.GRPCUnavailable, Retryable: true, DependencyFailure: true},
	{Code: codeGatewayError, Name: "PAYMENT_GATEWAY_ERROR", Title: "Payment gateway error", Message: "the payment failed", GRPC: errcode.GRPCInternal, DependencyFailure: true},
}

// newShopRegistry returns a fresh registry holding shopCatalog.
func newShopRegistry(t testing.TB) *errcode.Registry {
	t.Helper()
	reg := &errcode.Registry{}
	for _, d := range shopCatalog {
		if err := reg.Register(d); err != nil {
			t.Fatalf("Register(%d) = %v", d.Code, err)
		}
	}
	return reg
}

func TestShopCatalogMapping(t *testing.T) {
	reg := newShopRegistry(t)
	tests := []struct {
		name      string
		err       *errcode.Error
		grpc      errcode.GRPCCode
		http      int
		message   string
		outcome   resilience.Outcome
		retryable bool
	}{
		{"user not found", reg.New(codeUserNotFound, "u-42"), errcode.GRPCNotFound, 404, "user u-42 not found", resilience.OutcomeSuccess, false},
		{"invalid email", reg.New(codeInvalidEmail, "bob@"), errcode.GRPCInvalidArgument, 400, `email "bob@" is not valid`, resilience.OutcomeSuccess, false},
		{"duplicate user", reg.New(codeUserExists), errcode.GRPCAlreadyExists, 409, "a user with this email already exists", resilience.OutcomeSuccess, false},
		{"order not found (gRPC from HTTP)", reg.New(codeOrderNotFound, "o-7"), errcode.GRPCNotFound, 404, "order o-7 not found", resilience.OutcomeSuccess, false},
		{"out of stock", reg.New(codeOutOfStock, "sku-1"), errcode.GRPCFailedPrecondition, 422, "item sku-1 is out of stock", resilience.OutcomeSuccess, false},
		{"order already paid", reg.New(codeOrderAlreadyPaid, "o-7"), errcode.GRPCFailedPrecondition, 409, "order o-7 is already paid", resilience.OutcomeSuccess, false},
		{"insufficient funds", reg.New(codeInsufficientFunds), errcode.GRPCFailedPrecondition, 402, "insufficient funds", resilience.OutcomeSuccess, false},
		{"gateway unavailable", reg.New(codeGatewayUnavailable), errcode.GRPCUnavailable, 503, "the payment gateway is unavailable, try again later", resilience.OutcomeFailure, true},
		{"gateway error", reg.New(codeGatewayError), errcode.GRPCInternal, 500, "the payment failed", resilience.OutcomeFailure, false},
		{"custom message", reg.Newf(codeUserNotFound, "no user with id %d", 7), errcode.GRPCNotFound, 404, "no user with id 7", resilience.OutcomeSuccess, false},
		{"unregistered code fails safe", reg.New(99999), errcode.GRPCInternal, 500, "", resilience.OutcomeFailure, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := tt.err
			if got := errcode.GRPCCode(e.GRPCCode()); got != tt.grpc {
				t.Errorf("GRPCCode() = %v want %v", got, tt.grpc)
			}
			if got := e.HTTPStatus(); got != tt.http {
				t.Errorf("HTTPStatus() = %d want %d", got, tt.http)
			}
			if e.Message != tt.message {
				t.Errorf("Message = %q want %q", e.Message, tt.message)
			}
			if got := resilience.Classify(e); got != tt.outcome {
				t.Errorf("Classify(%v) = %v want %v", e, got, tt.outcome)
			}
			if got := e.Retryable(); got != tt.retryable {
				t.Errorf("Retryable() = %v want %v", got, tt.retryable)
			}
		})
	}
}
