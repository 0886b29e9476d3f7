package dashboard

import (
	"bytes"
	"embed"
	"html/template"
	"net/http"
)

//go:embed assets/index.html assets/app.js assets/style.css
var assetFS embed.FS

// asset is an embedded file served as is.
type asset struct {
	contentType string
	body        []byte
}

// assets are the files served under /dashboard/ by name.
var assets = map[string]asset{
	"app.js":      {"text/javascript; charset=utf-8", mustRead("assets/app.js")},
	"style.css":   {"text/css; charset=utf-8", mustRead("assets/style.css")},
	"favicon.png": {"image/png", faviconPNG()},
}

var pageTemplate = template.Must(template.ParseFS(assetFS, "assets/index.html"))

func mustRead(name string) []byte {
	b, err := assetFS.ReadFile(name)
	if err != nil {
		panic(err) // the files are embedded at build time
	}
	return b
}

// contentSecurityPolicy lets the page load nothing but its own files and
// connect nowhere but back to this server, and forbids framing it (so no
// other site can make a user click its buttons).
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; " +
	"img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// secure sets the headers every dashboard response carries.
func secure(h http.Header) {
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-cache")
}

// pageData fills assets/index.html.
type pageData struct {
	Title string
	Token string
	// Controls is "on" when the buttons work for this request, "remote"
	// when controls exist but this request may not use them, else "off".
	Controls string
}

func (d *Dashboard) servePage(w http.ResponseWriter, r *http.Request) {
	data := pageData{Title: d.cfg.Title, Token: d.token, Controls: "off"}
	if d.cfg.Controls != nil {
		data.Controls = "remote"
		if localRequest(r) {
			data.Controls = "on"
		}
	}
	var buf bytes.Buffer
	if err := pageTemplate.Execute(&buf, data); err != nil {
		http.Error(w, "dashboard: "+err.Error(), http.StatusInternalServerError)
		return
	}
	secure(w.Header())
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write(buf.Bytes())
}

func serveAsset(w http.ResponseWriter, a asset) {
	secure(w.Header())
	w.Header().Set("Content-Type", a.contentType)
	_, _ = w.Write(a.body)
}
