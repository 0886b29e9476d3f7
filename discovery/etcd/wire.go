package etcd

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
)

// The messages of etcd's v3 API in the JSON mapping its gRPC gateway
// speaks (proto3 JSON): bytes are base64, int64 values are strings, fields
// at their zero value (the event type PUT among them) are left out. Only
// the fields this package uses are declared; the gateway ignores the
// others and so does the decoder.

// i64 is an int64 of the proto3 JSON mapping: written as a string, read as
// a string or a number.
type i64 int64

func (v i64) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, 22)
	b = append(b, '"')
	b = strconv.AppendInt(b, int64(v), 10)
	return append(b, '"'), nil
}

func (v *i64) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	s := b
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		s = s[1 : len(s)-1]
	}
	n, err := strconv.ParseInt(string(s), 10, 64)
	if err != nil {
		return fmt.Errorf("int64 %.40s: %w", b, errors.Unwrap(err))
	}
	*v = i64(n)
	return nil
}

type responseHeader struct {
	Revision i64 `json:"revision"`
}

type keyValue struct {
	Key            []byte `json:"key"`
	Value          []byte `json:"value"`
	CreateRevision i64    `json:"create_revision"`
	ModRevision    i64    `json:"mod_revision"`
	Lease          i64    `json:"lease"`
}

type rangeRequest struct {
	Key      []byte `json:"key"`
	RangeEnd []byte `json:"range_end,omitempty"`
}

type rangeResponse struct {
	Header responseHeader `json:"header"`
	Kvs    []keyValue     `json:"kvs"`
}

type putRequest struct {
	Key   []byte `json:"key"`
	Value []byte `json:"value"`
	Lease i64    `json:"lease,omitempty"`
}

type deleteRangeRequest struct {
	Key []byte `json:"key"`
}

// compare is a txn condition; Register uses "the key's create revision is
// 0", that is "the key does not exist".
type compare struct {
	Target         string `json:"target"` // "CREATE"
	Result         string `json:"result"` // "EQUAL"
	Key            []byte `json:"key"`
	CreateRevision i64    `json:"create_revision"`
}

type requestOp struct {
	RequestPut   *putRequest   `json:"request_put,omitempty"`
	RequestRange *rangeRequest `json:"request_range,omitempty"`
}

type txnRequest struct {
	Compare []compare   `json:"compare"`
	Success []requestOp `json:"success"`
	Failure []requestOp `json:"failure,omitempty"`
}

type responseOp struct {
	ResponseRange *rangeResponse `json:"response_range"`
}

type txnResponse struct {
	Header    responseHeader `json:"header"`
	Succeeded bool           `json:"succeeded"`
	Responses []responseOp   `json:"responses"`
}

type leaseGrantRequest struct {
	TTL i64 `json:"TTL"`
}

type leaseGrantResponse struct {
	ID    i64    `json:"ID"`
	TTL   i64    `json:"TTL"`
	Error string `json:"error"`
}

type leaseIDRequest struct {
	ID i64 `json:"ID"`
}

type leaseKeepAliveResponse struct {
	ID  i64 `json:"ID"`
	TTL i64 `json:"TTL"` // 0 (left out): etcd does not know the lease
}

type authenticateRequest struct {
	Name     string `json:"name"`
	Password string `json:"password"`
}

type authenticateResponse struct {
	Token string `json:"token"`
}

type watchRequest struct {
	CreateRequest *watchCreateRequest `json:"create_request"`
}

type watchCreateRequest struct {
	Key           []byte `json:"key"`
	RangeEnd      []byte `json:"range_end,omitempty"`
	StartRevision i64    `json:"start_revision,omitempty"`
}

type watchResponse struct {
	Header          responseHeader `json:"header"`
	Created         bool           `json:"created"`
	Canceled        bool           `json:"canceled"`
	CompactRevision i64            `json:"compact_revision"`
	CancelReason    string         `json:"cancel_reason"`
	Events          []event        `json:"events"`
}

// event is a watch event; Type is "" (PUT, the zero value, left out),
// "PUT" or "DELETE".
type event struct {
	Type string   `json:"type"`
	Kv   keyValue `json:"kv"`
}

// prefixEnd is the range end that selects every key with prefix.
func prefixEnd(prefix []byte) []byte {
	end := bytes.Clone(prefix)
	for i := len(end) - 1; i >= 0; i-- {
		if end[i] < 0xff {
			end[i]++
			return end[:i+1]
		}
	}
	return []byte{0} // every key after prefix
}

// decodeRange decodes the answer of /v3/kv/range.
func decodeRange(data []byte) (rangeResponse, error) {
	var resp rangeResponse
	err := json.Unmarshal(data, &resp)
	return resp, err
}
