package etcd

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// gRPC status codes the client acts on.
const (
	codeInvalidArgument = 3
	codeUnavailable     = 14
	codeUnauthenticated = 16
)

// statusError is an error answer: the gateway's (a gRPC status as JSON,
// with its HTTP status) or, with Code 0, an HTTP error from something else
// in the way (a load balancer's 502 page).
type statusError struct {
	HTTPStatus int // 0 for an error inside a stream
	Code       int // gRPC status code; 0 when unknown
	Message    string
}

func (e *statusError) Error() string {
	switch {
	case e.Code != 0 && e.HTTPStatus != 0:
		return fmt.Sprintf("%s (grpc code %d, HTTP %d)", e.Message, e.Code, e.HTTPStatus)
	case e.Code != 0:
		return fmt.Sprintf("%s (grpc code %d)", e.Message, e.Code)
	case e.HTTPStatus == 0:
		return e.Message
	default:
		return fmt.Sprintf("HTTP %d %s: %s", e.HTTPStatus, http.StatusText(e.HTTPStatus), e.Message)
	}
}

// unavailable reports an answer that says this endpoint cannot serve now
// (etcd's Unavailable: no leader, stopping; a proxy's 502/503/504): the
// request may go to another endpoint, or be tried again.
func (e *statusError) unavailable() bool {
	if e.Code != 0 {
		return e.Code == codeUnavailable
	}
	switch e.HTTPStatus {
	case http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// authExpired reports an answer that asks for a new token: an invalid or
// expired token, or one older than the auth store.
func (e *statusError) authExpired() bool {
	return e.Code == codeUnauthenticated ||
		(e.Code == codeInvalidArgument && (strings.Contains(e.Message, "auth store is old") ||
			strings.Contains(e.Message, "user name is empty"))) // auth enabled after we asked
}

// authNotEnabled reports the answer to authenticating on an etcd whose
// auth is not enabled.
func (e *statusError) authNotEnabled() bool {
	return strings.Contains(e.Message, "authentication is not enabled")
}

// rpcStatus is a gRPC status as the gateway writes it: the body of an
// error answer ({"error": "...", "message": "...", "code": 3}), or the
// "error" member of a stream message, which is an object
// ({"grpc_code": 14, "message": "..."} or {"code": 14, "message": "..."})
// or a plain string.
type rpcStatus struct {
	Code    int
	Message string
}

func (s *rpcStatus) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		return json.Unmarshal(b, &s.Message)
	}
	var o struct {
		Code     int             `json:"code"`
		GRPCCode int             `json:"grpc_code"`
		Message  string          `json:"message"`
		Error    json.RawMessage `json:"error"`
	}
	if err := json.Unmarshal(b, &o); err != nil {
		return err
	}
	s.Code, s.Message = o.Code, o.Message
	if o.GRPCCode != 0 {
		s.Code = o.GRPCCode
	}
	if len(o.Error) > 0 && o.Error[0] == '"' && s.Message == "" {
		if err := json.Unmarshal(o.Error, &s.Message); err != nil {
			return err
		}
	}
	return nil
}

// parseStatus turns a non-200 answer into a statusError.
func parseStatus(httpStatus int, body []byte) *statusError {
	var s rpcStatus
	if json.Unmarshal(body, &s) == nil && (s.Code != 0 || s.Message != "") {
		return &statusError{HTTPStatus: httpStatus, Code: s.Code, Message: s.Message}
	}
	msg := strings.TrimSpace(string(body))
	if len(msg) > 200 {
		msg = msg[:200] + "..."
	}
	return &statusError{HTTPStatus: httpStatus, Message: fmt.Sprintf("%q", msg)}
}
