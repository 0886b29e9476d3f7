package etcd

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// Through the gateway a streaming call is one POST whose body holds the
// request messages and whose answer is a stream of JSON objects, each
// {"result": {...}} or {"error": {...}}.

var (
	// errStreamEnded is the end of a stream's answer.
	errStreamEnded = errors.New("stream ended")
	// errNoResult is a stream message with neither a result nor an error.
	errNoResult = errors.New("stream message without result or error")
)

// frame is one message of a stream.
type frame[T any] struct {
	Result *T         `json:"result"`
	Error  *rpcStatus `json:"error"`
}

// readFrame decodes the next message of a stream.
func readFrame[T any](dec *json.Decoder) (*T, error) {
	var f frame[T]
	if err := dec.Decode(&f); err != nil {
		if err == io.EOF {
			return nil, errStreamEnded
		}
		return nil, err
	}
	if f.Error != nil {
		return nil, &statusError{Code: f.Error.Code, Message: f.Error.Message}
	}
	if f.Result == nil {
		return nil, errNoResult
	}
	return f.Result, nil
}

// frameError classifies the failure to read a stream's first message for
// client.do: a cut connection may be tried again elsewhere, a message that
// does not decode may not.
func frameError(ep string, err error) error {
	var se *statusError
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return err
	case errors.As(err, &syn), errors.As(err, &typ), errors.Is(err, errNoResult):
		return &malformedError{endpoint: ep, err: err}
	default:
		return &connError{endpoint: ep, err: err}
	}
}

// keepAliveOnce renews lease once and returns the TTL etcd granted; 0
// means etcd does not know the lease any more.
func (c *client) keepAliveOnce(ctx context.Context, lease int64) (int64, error) {
	body, err := json.Marshal(leaseIDRequest{ID: i64(lease)})
	if err != nil {
		return 0, err
	}
	var ttl int64
	err = c.do(ctx, "/v3/lease/keepalive", body, nil, func(ep string, resp *http.Response) error {
		defer resp.Body.Close()
		dec := json.NewDecoder(io.LimitReader(resp.Body, maxBody))
		ka, err := readFrame[leaseKeepAliveResponse](dec)
		if err != nil {
			return frameError(ep, err)
		}
		ttl = int64(ka.TTL)
		// The request body ended, so etcd ends the stream: read to its end
		// and the connection serves again.
		io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16)) //nolint:errcheck // the answer is in
		return nil
	})
	return ttl, err
}

// watchStream is an open watch: one POST to /v3/watch whose answer streams
// the watch's messages until ctx ends or etcd ends it.
type watchStream struct {
	body io.ReadCloser
	dec  *json.Decoder
	stop func() // ends the stream's context; nil if none
}

// next returns the next message; it blocks until one arrives, the stream
// ends or its context ends.
func (s *watchStream) next() (*watchResponse, error) { return readFrame[watchResponse](s.dec) }

func (s *watchStream) close() {
	s.body.Close()
	if s.stop != nil {
		s.stop()
	}
}

// watch opens a watch of the keys with prefix from revision rev and
// returns once etcd confirmed its creation. The stream lives until ctx
// ends (or etcd ends it); close it after use. Its request carries
// Grpc-Metadata-Hasleader, so that a member that loses its leader ends
// the stream instead of leaving it silent.
func (c *client) watch(ctx context.Context, prefix string, rev int64) (*watchStream, error) {
	body, err := json.Marshal(watchRequest{CreateRequest: &watchCreateRequest{
		Key: []byte(prefix), RangeEnd: prefixEnd([]byte(prefix)), StartRevision: i64(rev)}})
	if err != nil {
		return nil, err
	}
	header := http.Header{"Grpc-Metadata-Hasleader": {"true"}}
	var st *watchStream
	err = c.do(ctx, "/v3/watch", body, header, func(ep string, resp *http.Response) error {
		s := &watchStream{body: resp.Body, dec: json.NewDecoder(resp.Body)}
		first, err := s.next()
		if err != nil {
			s.close()
			return frameError(ep, err)
		}
		if !first.Created || first.Canceled {
			s.close()
			return createError(ep, first)
		}
		st = s
		return nil
	})
	return st, err
}

// createError describes a watch that etcd did not create; a cancel reason
// that carries a gRPC status (an invalid token) becomes that status, so
// that client.do acts on it.
func createError(ep string, first *watchResponse) error {
	if !first.Created {
		return &malformedError{endpoint: ep, err: errors.New("the first watch message does not confirm its creation")}
	}
	if first.CompactRevision != 0 {
		return fmt.Errorf("watch not created: revision %d was compacted", first.CompactRevision)
	}
	reason := first.CancelReason
	for _, c := range []struct {
		name string
		code int
	}{{"Unauthenticated", codeUnauthenticated}, {"Unavailable", codeUnavailable}, {"InvalidArgument", codeInvalidArgument}} {
		if _, desc, ok := strings.Cut(reason, "code = "+c.name+" desc = "); ok {
			return &statusError{Code: c.code, Message: desc}
		}
	}
	return errors.New("watch not created: " + reason)
}
