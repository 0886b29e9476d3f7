package dashboard

import (
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"
)

// FuzzValidate checks that no Config makes Validate or New panic, and that
// New accepts exactly what Validate accepts.
func FuzzValidate(f *testing.F) {
	f.Add(int64(0), int64(0), 0, 0, "")
	f.Add(int64(time.Second), int64(15*time.Second), 32, 100, "ops")
	f.Add(int64(-1), int64(1), -1, -1, strings.Repeat("x", 300))
	f.Fuzz(func(t *testing.T, interval, heartbeat int64, maxClients, maxEvents int, title string) {
		cfg := Config{
			Interval: time.Duration(interval), Heartbeat: time.Duration(heartbeat),
			MaxClients: maxClients, MaxEvents: maxEvents, Title: title,
		}
		err := cfg.Validate()
		d, nerr := New(cfg)
		if (err == nil) != (nerr == nil) {
			t.Fatalf("Validate() = %v but New() = %v", err, nerr)
		}
		if err != nil {
			if !strings.HasPrefix(err.Error(), "dashboard: ") {
				t.Errorf("error %q lacks the package prefix", err)
			}
			return
		}
		defer d.Close()
		c := d.cfg
		if c.Interval < MinInterval || c.Heartbeat < MinInterval || c.MaxClients < 1 || c.MaxEvents < 1 || c.Title == "" {
			t.Errorf("valid %+v gave unusable defaults %+v", cfg, c)
		}
	})
}

// FuzzControlRequest checks the control request checks: they never panic,
// and whatever they accept comes from a loopback address, to a loopback
// host, with the token.
func FuzzControlRequest(f *testing.F) {
	f.Add("127.0.0.1:1", "127.0.0.1:8080", "http://127.0.0.1:8080", "same-origin", true)
	f.Add("[::1]:1", "[::1]", "", "", true)
	f.Add("10.0.0.1:1234", "127.0.0.1", "", "", true)
	f.Add("127.0.0.1:1", "evil.example", "http://evil.example", "cross-site", true)
	f.Add("[::ffff:127.0.0.1]:1", "LOCALHOST:1", "https://localhost:1", "same-origin", false)
	f.Add("127.0.0.1", "[fe80::1%25eth0]:80", "http://[fe80::1%25eth0]:80", "none", true)
	e := newEnv(f, Config{})
	f.Fuzz(func(t *testing.T, remote, host, origin, site string, withToken bool) {
		r := httptest.NewRequest(http.MethodPost, "/dashboard/api/breakers/x/reset", nil)
		r.RemoteAddr, r.Host = remote, host
		if origin != "" {
			r.Header.Set("Origin", origin)
		}
		if site != "" {
			r.Header.Set("Sec-Fetch-Site", site)
		}
		if withToken {
			r.Header.Set(TokenHeader, e.d.Token())
		}
		if e.d.refuseControl(r) != "" {
			return
		}
		if !withToken {
			t.Fatal("accepted without the token")
		}
		ip := remote
		if h, _, err := net.SplitHostPort(remote); err == nil {
			ip = h // "ip:port", the port possibly empty
		}
		addr, err := netip.ParseAddr(ip)
		if err != nil || !addr.Unmap().IsLoopback() {
			t.Fatalf("accepted RemoteAddr %q", remote)
		}
		if !localRequest(r) {
			t.Fatalf("accepted Host %q that the page calls remote", host)
		}
		if site != "" && site != "same-origin" {
			t.Fatalf("accepted Sec-Fetch-Site %q", site)
		}
	})
}
