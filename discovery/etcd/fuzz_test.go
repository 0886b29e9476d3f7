package etcd

import (
	"bytes"
	"encoding/json"
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/resilience-go/resilience/discovery"
)

// fuzzRegistry is a Registry with nothing behind it, to run the decoding
// of answers on their own.
func fuzzRegistry() *Registry {
	return &Registry{cfg: Config{Endpoints: []string{"http://127.0.0.1:1"}}.withDefaults()}
}

// Range answers of the gateway: whatever the body, decoding neither
// panics nor loses data (a decoded answer encodes and decodes to itself),
// the entries kept are valid instances at their own key, and an error
// body always yields a message.
func FuzzDecodeRange(f *testing.F) {
	f.Add([]byte(`{"header":{"cluster_id":"15118495548433857066","member_id":"13668033151171901709","revision":"2","raft_term":"2"},"kvs":[{"key":"L3NlcnZpY2VzL2FwaS9h","create_revision":"2","mod_revision":"2","version":"1","value":"eyJpZCI6ImEiLCJzZXJ2aWNlIjoiYXBpIiwiYWRkcmVzcyI6IjEwLjAuMC4xIiwicG9ydCI6ODB9","lease":"7587871906440386565"}],"count":"1"}`))
	f.Add([]byte(`{"header":{"revision":"9"}}`))
	f.Add([]byte(`{"error":"etcdserver: invalid auth token","message":"etcdserver: invalid auth token","code":16}`))
	f.Add([]byte(`{"kvs":[{"key":"!!!"}]}`))
	f.Add([]byte(`{"header":{"revision":9223372036854775807},"kvs":null}`))
	r := fuzzRegistry()
	f.Fuzz(func(t *testing.T, data []byte) {
		if st := parseStatus(500, data); st.Error() == "" || st.HTTPStatus != 500 {
			t.Fatalf("parseStatus(500, %q) = %+v", data, st)
		}
		resp, err := decodeRange(data)
		if err != nil {
			return
		}
		again, err := json.Marshal(resp)
		if err != nil {
			t.Fatalf("Marshal(%+v) = %v", resp, err)
		}
		back, err := decodeRange(again)
		if err != nil || !reflect.DeepEqual(back, resp) {
			t.Fatalf("decode(encode(%+v)) = %+v, %v", resp, back, err)
		}
		for _, kv := range resp.Kvs {
			inst, ok := r.decode("api", kv.Key, kv.Value)
			if ok && (string(kv.Key) != "/services/api/"+inst.ID || inst.Service != "api" || inst.Validate() != nil) {
				t.Fatalf("entry %q kept as %+v", kv.Key, inst)
			}
		}
	})
}

// Watch streams of the gateway: whatever the bytes, applying them never
// panics, always ends with an error (the stream's end at best), keeps only
// valid instances at their own keys, and publishes the set it holds.
func FuzzWatchStream(f *testing.F) {
	const created = `{"result":{"header":{"cluster_id":"1","member_id":"2","revision":"5","raft_term":"2"},"created":true}}` + "\n"
	const putA = `{"result":{"header":{"revision":"6"},"events":[{"kv":{"key":"L3NlcnZpY2VzL2FwaS9h","create_revision":"6","mod_revision":"6","version":"1","value":"eyJpZCI6ImEiLCJzZXJ2aWNlIjoiYXBpIiwiYWRkcmVzcyI6IjEwLjAuMC4xIiwicG9ydCI6ODB9"}}]}}` + "\n"
	const delA = `{"result":{"header":{"revision":"7"},"events":[{"type":"DELETE","kv":{"key":"L3NlcnZpY2VzL2FwaS9h","mod_revision":"7"}}]}}` + "\n"
	f.Add([]byte(created + putA + delA))
	f.Add([]byte(created + putA + `{"result":{"header":`))
	f.Add([]byte(created + `{"result":{"header":{"revision":"6"},"canceled":true,"compact_revision":"3"}}`))
	f.Add([]byte(created + `{"error":{"grpc_code":14,"http_code":503,"message":"etcdserver: no leader","http_status":"Service Unavailable"}}`))
	f.Add([]byte(`{"result":{"events":[{"type":"PUT","kv":{"key":"L3NlcnZpY2VzL2FwaS9i","value":"ew=="}}]}}`))
	r := fuzzRegistry()
	f.Fuzz(func(t *testing.T, data []byte) {
		feed := discovery.NewFeed("api")
		defer feed.Close()
		set := map[string]discovery.Instance{}
		rev := int64(0)
		st := &watchStream{body: io.NopCloser(bytes.NewReader(nil)), dec: json.NewDecoder(bytes.NewReader(data))}
		err := r.apply("api", feed, set, &rev, st)
		if err == nil || !strings.HasPrefix(err.Error(), "etcd: watch of api") {
			t.Fatalf("apply(%q) = %v want an error naming the watch", data, err)
		}
		if rev < 0 {
			t.Fatalf("revision went back to %d", rev)
		}
		for key, inst := range set {
			if key != "/services/api/"+inst.ID || inst.Service != "api" || inst.Validate() != nil {
				t.Fatalf("entry %q kept as %+v", key, inst)
			}
		}
		if u, ok := feed.Snapshot(); ok && ids(u.Instances) != ids(sorted(set)) {
			t.Fatalf("published %s, holds %s", ids(u.Instances), ids(sorted(set)))
		}
	})
}
