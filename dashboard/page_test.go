package dashboard

import (
	"bytes"
	"image/png"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestPageServed(t *testing.T) {
	e := newEnv(t, Config{Title: "ops <b>&</b>"})
	r := httptest.NewRequest(http.MethodGet, "http://127.0.0.1:9000/dashboard", nil)
	r.RemoteAddr = "127.0.0.1:4000"
	w := e.serve(r)
	if w.Code != http.StatusOK {
		t.Fatalf("GET /dashboard = %d want 200", w.Code)
	}
	if got := w.Header().Get("Content-Type"); got != "text/html; charset=utf-8" {
		t.Errorf("Content-Type = %q want text/html; charset=utf-8", got)
	}
	if got := w.Header().Get("Content-Security-Policy"); !strings.Contains(got, "default-src 'none'") || !strings.Contains(got, "frame-ancestors 'none'") {
		t.Errorf("Content-Security-Policy = %q want default-src 'none' and frame-ancestors 'none'", got)
	}
	body := w.Body.String()
	for _, want := range []string{
		`<title>ops &lt;b&gt;&amp;&lt;/b&gt;</title>`, // escaped, not markup
		`<meta name="dashboard-token" content="` + e.d.Token() + `">`,
		`<script src="/dashboard/app.js" defer></script>`,
		`<link rel="stylesheet" href="/dashboard/style.css">`,
		`data-controls="on"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	if len(e.d.Token()) < 20 {
		t.Errorf("Token() = %q: want at least 20 random characters", e.d.Token())
	}
}

// TestNoExternalURLs checks every embedded file and the rendered page:
// the page must work offline and load nothing from elsewhere.
func TestNoExternalURLs(t *testing.T) {
	e := newEnv(t, Config{})
	files := map[string]string{}
	err := fs.WalkDir(assetFS, ".", func(path string, de fs.DirEntry, err error) error {
		if err != nil || de.IsDir() {
			return err
		}
		b, err := assetFS.ReadFile(path)
		files[path] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 3 {
		t.Errorf("embedded files = %d want 3 (index.html, app.js, style.css)", len(files))
	}
	r := httptest.NewRequest(http.MethodGet, "/dashboard", nil)
	files["rendered page"] = e.serve(r).Body.String()
	for name, body := range files {
		for _, bad := range []string{"http://", "https://", "//cdn", "@import", "fonts.googleapis", "ws://", "wss://"} {
			if strings.Contains(strings.ToLower(body), bad) {
				t.Errorf("%s contains %q: the page must load nothing from elsewhere", name, bad)
			}
		}
		for _, bad := range []string{`src="//`, `href="//`, `url(`} {
			if strings.Contains(body, bad) {
				t.Errorf("%s contains %q (a reference to another host or file)", name, bad)
			}
		}
	}
}

func TestAssets(t *testing.T) {
	e := newEnv(t, Config{})
	tests := []struct {
		path, contentType, contains string
	}{
		{"/dashboard/app.js", "text/javascript; charset=utf-8", "new EventSource('/dashboard/events')"},
		{"/dashboard/style.css", "text/css; charset=utf-8", ".state.bad"},
		{"/dashboard/favicon.png", "image/png", "\x89PNG"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			w := e.serve(httptest.NewRequest(http.MethodGet, tt.path, nil))
			if w.Code != http.StatusOK {
				t.Fatalf("GET %s = %d want 200", tt.path, w.Code)
			}
			if got := w.Header().Get("Content-Type"); got != tt.contentType {
				t.Errorf("GET %s Content-Type = %q want %q", tt.path, got, tt.contentType)
			}
			if got := w.Header().Get("X-Content-Type-Options"); got != "nosniff" {
				t.Errorf("GET %s X-Content-Type-Options = %q want nosniff", tt.path, got)
			}
			if !strings.Contains(w.Body.String(), tt.contains) {
				t.Errorf("GET %s lacks %q", tt.path, tt.contains)
			}
		})
	}
	img, err := png.Decode(bytes.NewReader(assets["favicon.png"].body))
	if err != nil || img.Bounds().Dx() != 32 {
		t.Errorf("favicon: png.Decode = %v, %v want a 32x32 image", img, err)
	}
}

func TestPageControlsMode(t *testing.T) {
	tests := []struct {
		name       string
		noControls bool
		remote     string
		host       string
		want       string
	}{
		{"local", false, "127.0.0.1:1", "127.0.0.1:9000", "on"},
		{"local-ipv6", false, "[::1]:1", "localhost:9000", "on"},
		{"remote-client", false, "10.0.0.1:1234", "10.0.0.2:9000", "remote"},
		{"rebound-host", false, "127.0.0.1:1", "evil.example:9000", "remote"},
		{"no-controls", true, "127.0.0.1:1", "127.0.0.1:9000", "off"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, Config{})
			if tt.noControls {
				e.d.cfg.Controls = nil
			}
			r := httptest.NewRequest(http.MethodGet, "/dashboard", nil)
			r.RemoteAddr, r.Host = tt.remote, tt.host
			body := e.serve(r).Body.String()
			if want := `data-controls="` + tt.want + `"`; !strings.Contains(body, want) {
				t.Errorf("page for %s via %s lacks %s", tt.remote, tt.host, want)
			}
		})
	}
}

func TestRoutes(t *testing.T) {
	e := newEnv(t, Config{})
	tests := []struct {
		method, path string
		want         int
	}{
		{http.MethodGet, "/dashboard/", http.StatusMovedPermanently},
		{http.MethodGet, "/dashboard/nope", http.StatusNotFound},
		{http.MethodGet, "/", http.StatusNotFound},
		{http.MethodPost, "/dashboard", http.StatusMethodNotAllowed},
		{http.MethodHead, "/dashboard", http.StatusOK},
		{http.MethodGet, "/dashboard/api/breakers/db/force-open", http.StatusMethodNotAllowed},
		{http.MethodPost, "/dashboard/api/breakers/db/explode", http.StatusNotFound},
		{http.MethodPost, "/dashboard/api/snapshot", http.StatusMethodNotAllowed},
	}
	for _, tt := range tests {
		w := e.serve(httptest.NewRequest(tt.method, tt.path, nil))
		if w.Code != tt.want {
			t.Errorf("%s %s = %d want %d", tt.method, tt.path, w.Code, tt.want)
		}
	}
}
