package etcd

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestI64JSON(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want int64
		err  bool
	}{
		{"string", `"42"`, 42, false},
		{"number", `42`, 42, false},
		{"negative", `"-1"`, -1, false},
		{"max", `"9223372036854775807"`, 1<<63 - 1, false},
		{"null", `null`, 0, false},
		{"overflow", `"9223372036854775808"`, 0, true},
		{"float", `"1.5"`, 0, true},
		{"word", `"x"`, 0, true},
		{"empty", `""`, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var v i64
			err := json.Unmarshal([]byte(tt.in), &v)
			if (err != nil) != tt.err || int64(v) != tt.want {
				t.Fatalf("Unmarshal(%s) = %d, %v want %d, error %v", tt.in, v, err, tt.want, tt.err)
			}
		})
	}
	b, err := json.Marshal(struct {
		A i64 `json:"a"`
		B i64 `json:"b,omitempty"`
	}{A: -7})
	if err != nil || string(b) != `{"a":"-7"}` {
		t.Fatalf("Marshal = %s, %v want {\"a\":\"-7\"}", b, err)
	}
}

func TestPrefixEnd(t *testing.T) {
	tests := []struct{ in, want string }{
		{"/services/api/", "/services/api0"},
		{"a", "b"},
		{"a\xff", "b"},
		{"\xff\xff", "\x00"},
	}
	for _, tt := range tests {
		if got := string(prefixEnd([]byte(tt.in))); got != tt.want {
			t.Errorf("prefixEnd(%q) = %q want %q", tt.in, got, tt.want)
		}
	}
}

func TestEndpointURL(t *testing.T) {
	tests := []struct {
		in    string
		tlsOn bool
		want  string
		err   string
	}{
		{"http://127.0.0.1:2379", false, "http://127.0.0.1:2379", ""},
		{"HTTPS://etcd-1:2379/", false, "https://etcd-1:2379", ""},
		{"127.0.0.1:2379", false, "http://127.0.0.1:2379", ""},
		{"127.0.0.1:2379", true, "https://127.0.0.1:2379", ""},
		{"http://[::1]:2379", false, "http://[::1]:2379", ""},
		{"http://etcd", false, "http://etcd", ""},
		{"unix:///run/etcd.sock", false, "", "scheme"},
		{"ftp://etcd:21", false, "", "scheme"},
		{"http://", false, "", "no host"},
		{"http://user@etcd:2379", false, "", "no host"},
		{"http://etcd:2379:1", false, "", "too many colons"},
	}
	for _, tt := range tests {
		got, err := endpointURL(tt.in, tt.tlsOn)
		if got != tt.want || (err == nil) != (tt.err == "") || (err != nil && !strings.Contains(err.Error(), tt.err)) {
			t.Errorf("endpointURL(%q, %v) = %q, %v want %q, %q", tt.in, tt.tlsOn, got, err, tt.want, tt.err)
		}
	}
}

func TestParseStatus(t *testing.T) {
	tests := []struct {
		name        string
		status      int
		body        string
		code        int
		msg         string
		unavailable bool
		auth        bool
	}{
		{"gateway", 400, `{"error":"etcdserver: bad","message":"etcdserver: bad","code":3}`, 3, "etcdserver: bad", false, false},
		{"error-only", 400, `{"error":"etcdserver: bad","code":3}`, 3, "etcdserver: bad", false, false},
		{"no-leader", 503, `{"error":"etcdserver: no leader","message":"etcdserver: no leader","code":14}`, 14, "etcdserver: no leader", true, false},
		{"bad-token", 401, `{"error":"etcdserver: invalid auth token","code":16}`, 16, "etcdserver: invalid auth token", false, true},
		{"old-auth", 400, `{"message":"etcdserver: revision of auth store is old","code":3}`, 3, "etcdserver: revision of auth store is old", false, true},
		{"proxy-502", 502, `<html>bad gateway</html>`, 0, `"<html>bad gateway</html>"`, true, false},
		{"plain-500", 500, `oops`, 0, `"oops"`, false, false},
		{"grpc-gateway-v2", 503, `{"code":14,"message":"unavailable","details":[]}`, 14, "unavailable", true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := parseStatus(tt.status, []byte(tt.body))
			if e.Code != tt.code || e.Message != tt.msg || e.unavailable() != tt.unavailable || e.authExpired() != tt.auth || e.HTTPStatus != tt.status {
				t.Fatalf("parseStatus(%d, %s) = %+v (unavailable %v, auth %v) want code %d message %q unavailable %v auth %v",
					tt.status, tt.body, e, e.unavailable(), e.authExpired(), tt.code, tt.msg, tt.unavailable, tt.auth)
			}
		})
	}
}

// The first message of a watch stream: an error, or a creation etcd
// refused, which becomes a status client.do acts on.
func TestWatchFirstFrame(t *testing.T) {
	tests := []struct {
		name  string
		frame string
		code  int    // of the *statusError; -1: not a statusError
		msg   string // in the error
		conn  bool   // a connection error (tried elsewhere)
	}{
		{"bad-token", `{"result":{"created":true,"canceled":true,"cancel_reason":"rpc error: code = Unauthenticated desc = etcdserver: invalid auth token"}}`, codeUnauthenticated, "invalid auth token", false},
		{"compacted", `{"result":{"created":true,"canceled":true,"compact_revision":"3"}}`, -1, "revision 3 was compacted", false},
		{"other", `{"result":{"created":true,"canceled":true,"cancel_reason":"mvcc: watcher range is empty"}}`, -1, "watcher range is empty", false},
		{"not-created", `{"result":{"header":{"revision":"2"}}}`, -1, "does not confirm", false},
		{"error-object", `{"error":{"grpc_code":14,"http_code":503,"message":"etcdserver: no leader","http_status":"Service Unavailable"}}`, codeUnavailable, "no leader", false},
		{"error-string", `{"error":"boom"}`, 0, "boom", false},
		{"empty", `{}`, -1, "without result or error", false},
		{"garbage", `hello`, -1, "malformed answer", false},
		{"cut", `{"result":{"header":`, -1, "unexpected EOF", true},
		{"nothing", ``, -1, "stream ended", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &watchStream{dec: json.NewDecoder(strings.NewReader(tt.frame))}
			first, err := s.next()
			if err != nil {
				err = frameError("ep", err)
			} else if !first.Created || first.Canceled {
				err = createError("ep", first)
			}
			if err == nil || !strings.Contains(err.Error(), tt.msg) || isConnError(err) != tt.conn {
				t.Fatalf("first frame %s: error %v want one saying %q (connection error %v)", tt.frame, err, tt.msg, tt.conn)
			}
			var se *statusError
			if got := errors.As(err, &se); got != (tt.code >= 0) || (got && se.Code != tt.code) {
				t.Fatalf("first frame %s: error %#v want status code %d", tt.frame, err, tt.code)
			}
		})
	}
}

func TestCheckEndpoint(t *testing.T) {
	for _, tt := range []struct {
		in string
		ok bool
	}{
		{"http://127.0.0.1:2379", true}, {"https://etcd.internal:2379", true}, {"127.0.0.1:2379", true},
		{"", false}, {" ", false}, {"http://a b:1", false}, {"unix:///run/etcd.sock", false}, {"http://", false},
	} {
		if err := CheckEndpoint(tt.in); (err == nil) != tt.ok {
			t.Errorf("CheckEndpoint(%q) = %v, want ok %v", tt.in, err, tt.ok)
		}
	}
}
