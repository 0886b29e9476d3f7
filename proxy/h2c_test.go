package proxy

import (
	"net/http"
	"testing"
)

func TestH2C(t *testing.T) {
	up := upstream(t, "a", nil)
	p := start(t, parse(t, `
listeners:
  - name: public
    address: 127.0.0.1:0
    protocols: [http1, h2c]
admin: {enabled: false}
routes: [{name: all, cluster: b}]
clusters: [{name: b, discovery: {static: [%s]}}]
`, addr(up)))
	var ps http.Protocols
	ps.SetUnencryptedHTTP2(true)
	tr := &http.Transport{Protocols: &ps}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr}).Get("http://" + p.Addr() + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.ProtoMajor != 2 || resp.StatusCode != 200 {
		t.Fatalf("h2c GET = %s %d want HTTP/2 200", resp.Proto, resp.StatusCode)
	}
}
