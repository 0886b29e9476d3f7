package etcd

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// The requests of the Registry, one method each, on etcd's gateway paths.

// rangePrefix reads every key that starts with prefix.
func (c *client) rangePrefix(ctx context.Context, prefix string) (rangeResponse, error) {
	var resp rangeResponse
	err := c.call(ctx, "/v3/kv/range", rangeRequest{Key: []byte(prefix), RangeEnd: prefixEnd([]byte(prefix))}, &resp)
	return resp, err
}

// create puts value at key on lease if key does not exist, in one txn. It
// reports false if key exists, unless it holds this very value on this
// very lease: then it is the work of an earlier try of the same request
// (whose answer was lost), and create reports true.
func (c *client) create(ctx context.Context, key, value string, lease int64) (bool, error) {
	k := []byte(key)
	var resp txnResponse
	err := c.call(ctx, "/v3/kv/txn", txnRequest{
		Compare: []compare{{Target: "CREATE", Result: "EQUAL", Key: k, CreateRevision: 0}},
		Success: []requestOp{{RequestPut: &putRequest{Key: k, Value: []byte(value), Lease: i64(lease)}}},
		Failure: []requestOp{{RequestRange: &rangeRequest{Key: k}}},
	}, &resp)
	if err != nil || resp.Succeeded {
		return resp.Succeeded, err
	}
	for _, op := range resp.Responses {
		if op.ResponseRange == nil {
			continue
		}
		for _, kv := range op.ResponseRange.Kvs {
			if string(kv.Key) == key && int64(kv.Lease) == lease && string(kv.Value) == value {
				return true, nil
			}
		}
	}
	return false, nil
}

// put writes value at key on lease.
func (c *client) put(ctx context.Context, key, value string, lease int64) error {
	var resp struct{}
	return c.call(ctx, "/v3/kv/put", putRequest{Key: []byte(key), Value: []byte(value), Lease: i64(lease)}, &resp)
}

// deleteKey deletes key.
func (c *client) deleteKey(ctx context.Context, key string) error {
	var resp struct{}
	return c.call(ctx, "/v3/kv/deleterange", deleteRangeRequest{Key: []byte(key)}, &resp)
}

// grant makes a lease of ttl seconds; etcd may raise the TTL, and tells.
func (c *client) grant(ctx context.Context, ttl int64) (id, granted int64, err error) {
	var resp leaseGrantResponse
	if err := c.call(ctx, "/v3/lease/grant", leaseGrantRequest{TTL: i64(ttl)}, &resp); err != nil {
		return 0, 0, err
	}
	if resp.Error != "" {
		return 0, 0, errors.New(resp.Error)
	}
	if resp.ID == 0 || resp.TTL <= 0 {
		return 0, 0, &malformedError{endpoint: "etcd", err: fmt.Errorf("lease grant without ID or TTL: %+v", resp)}
	}
	return int64(resp.ID), int64(resp.TTL), nil
}

// revoke ends lease and deletes its keys; a lease etcd no longer knows is
// not an error.
func (c *client) revoke(ctx context.Context, lease int64) error {
	var resp struct{}
	err := c.call(ctx, "/v3/lease/revoke", leaseIDRequest{ID: i64(lease)}, &resp)
	var se *statusError
	if errors.As(err, &se) && strings.Contains(se.Message, "lease not found") {
		return nil
	}
	return err
}
