package etcd

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"
)

// rawEtcd reads and writes keys behind the Registry's back, through etcd's
// JSON gateway with plain net/http and its own message types, so that the
// tests do not check the package's client with itself.
type rawEtcd struct {
	t        *testing.T
	endpoint string
	hc       *http.Client
	token    string
}

type rawKV struct {
	Key   []byte `json:"key"`
	Value []byte `json:"value"`
	Lease int64  `json:"lease,string"`
}

type rawHeader struct {
	Revision int64 `json:"revision,string"`
}

func rawClient(t *testing.T, s *etcdServer) *rawEtcd {
	t.Helper()
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	return &rawEtcd{t: t, endpoint: s.Endpoint(), hc: &http.Client{Transport: tr, Timeout: 5 * time.Second}}
}

// post sends in to path and decodes the answer into out, or returns the
// error answer.
func (e *rawEtcd) post(path string, in, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return err
	}
	req, err := http.NewRequest(http.MethodPost, e.endpoint+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	if e.token != "" {
		req.Header.Set("Authorization", e.token)
	}
	resp, err := e.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: HTTP %d: %s", path, resp.StatusCode, data)
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(data, out)
}

func (e *rawEtcd) must(path string, in, out any) {
	e.t.Helper()
	if err := e.post(path, in, out); err != nil {
		e.t.Fatal(err)
	}
}

// put writes key and returns the revision of the write.
func (e *rawEtcd) put(key, value string) int64 {
	e.t.Helper()
	var resp struct {
		Header rawHeader `json:"header"`
	}
	e.must("/v3/kv/put", map[string][]byte{"key": []byte(key), "value": []byte(value)}, &resp)
	return resp.Header.Revision
}

func (e *rawEtcd) delete(key string) {
	e.t.Helper()
	e.must("/v3/kv/deleterange", map[string][]byte{"key": []byte(key)}, nil)
}

// get reads key, or every key under it with prefix.
func (e *rawEtcd) get(key string, prefix bool) []rawKV {
	e.t.Helper()
	req := map[string][]byte{"key": []byte(key)}
	if prefix {
		end := []byte(key)
		end[len(end)-1]++
		req["range_end"] = end
	}
	var resp struct {
		Kvs []rawKV `json:"kvs"`
	}
	e.must("/v3/kv/range", req, &resp)
	return resp.Kvs
}

func (e *rawEtcd) compact(rev int64) {
	e.t.Helper()
	e.must("/v3/kv/compaction", map[string]any{"revision": fmt.Sprint(rev), "physical": true}, nil)
}

func (e *rawEtcd) revoke(lease int64) {
	e.t.Helper()
	e.must("/v3/lease/revoke", map[string]string{"ID": fmt.Sprint(lease)}, nil)
}

// enableAuth makes a root user with password and turns auth on; the
// helper then authenticates as root.
func (e *rawEtcd) enableAuth(password string) {
	e.t.Helper()
	e.must("/v3/auth/role/add", map[string]string{"name": "root"}, nil)
	e.must("/v3/auth/user/add", map[string]string{"name": "root", "password": password}, nil)
	e.must("/v3/auth/user/grant", map[string]string{"user": "root", "role": "root"}, nil)
	e.must("/v3/auth/enable", map[string]string{}, nil)
	var resp struct {
		Token string `json:"token"`
	}
	e.must("/v3/auth/authenticate", map[string]string{"name": "root", "password": password}, &resp)
	e.token = resp.Token
}
