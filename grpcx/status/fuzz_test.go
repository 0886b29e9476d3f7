package status_test

import (
	"testing"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	spb "google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/resilience-go/resilience/errcode"
	gstatus "github.com/resilience-go/resilience/grpcx/status"
)

// FuzzToError feeds arbitrary grpc-status-details-bin payloads to the
// client's decoder: it never panics, and whatever it returns keeps the
// status code.
func FuzzToError(f *testing.F) {
	reg := newRegistry(f)
	codec := newCodec(f, gstatus.Config{Registry: reg})
	st := codec.FromError(reg.New(codeUserNotFound, "1").WithDetail("a", 1).WithMetadata("k", "v"))
	seed, err := proto.Marshal(st.Proto())
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	f.Add([]byte{})
	f.Add([]byte{0x08, 0x05, 0x12, 0x01, 'x'})
	f.Fuzz(func(t *testing.T, data []byte) {
		var p spb.Status
		if proto.Unmarshal(data, &p) != nil {
			return
		}
		st := status.FromProto(&p)
		err := codec.ToError(st)
		if st.Code() == codes.OK {
			if err != nil {
				t.Fatalf("ToError(OK) = %v want nil", err)
			}
			return
		}
		if got := status.Code(err); got != st.Code() {
			t.Fatalf("status.Code(ToError) = %v want %v", got, st.Code())
		}
		if e, ok := errcode.From(err); ok && e.Message != st.Message() {
			t.Fatalf("business message %q want the status's %q", e.Message, st.Message())
		}
	})
}

// FuzzDecodeWire feeds arbitrary wire JSON and ErrorInfo fields of our
// domain to the decoder: it never panics and always yields a business
// error with the status's code and message.
func FuzzDecodeWire(f *testing.F) {
	f.Add(`{"code":10001,"name":"USER_NOT_FOUND","message":"m","grpc_code":5,"details":{"a":1}}`, "10001", "USER_NOT_FOUND", int32(5))
	f.Add(`{"details":"x"}`, "x", "", int32(99))
	f.Add(`{"retry_after":-5,"metadata":{"a":"b"}}`, "-3", "CODE_-3", int32(14))
	f.Add(`[`, "", "", int32(0))
	codec := newCodec(f, gstatus.Config{Registry: newRegistry(f)})
	f.Fuzz(func(t *testing.T, wire, code, reason string, grpcCode int32) {
		if grpcCode == 0 {
			grpcCode = 2
		}
		st := status.FromProto(&spb.Status{Code: grpcCode, Message: "msg"})
		st, err := st.WithDetails(
			&errdetails.ErrorInfo{Reason: reason, Domain: gstatus.DefaultDomain, Metadata: map[string]string{gstatus.CodeKey: code}},
			wrapperspb.String(wire))
		if err != nil {
			return // not valid UTF-8: cannot be marshalled
		}
		e, ok := errcode.From(codec.ToError(st))
		if !ok {
			t.Fatalf("ToError of our domain gave no business error")
		}
		if e.Message != "msg" || e.RetryAfter() < 0 {
			t.Fatalf("message %q retry-after %v; want \"msg\", >= 0", e.Message, e.RetryAfter())
		}
	})
}
