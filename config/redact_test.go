package config_test

import (
	"strings"
	"testing"

	"github.com/resilience-go/resilience/config"
)

const secretsYAML = `
redis: {url: "redis://app:s3cret-redis@127.0.0.1:6379/0"}
admin: {token: s3cret-token}
listeners: [{name: a, tls: {cert_file: /tls/cert.pem, key_file: /tls/key.pem}, protocols: [h2]}]
routes:
  - name: r
    cluster: c
    match:
      headers:
        - {name: Authorization, exact: "Bearer s3cret-bearer"}
        - {name: X-Api-Key, prefix: s3cret-prefix}
        - {name: X-Env, exact: staging}
    policies:
      fallback: {static: {headers: {Set-Cookie: "s3cret-cookie", Content-Type: text/plain}}}
clusters:
  - name: c
    discovery: {etcd: {endpoints: ["http://127.0.0.1:2379"], username: u, password: s3cret-etcd}}
`

func TestRedacted(t *testing.T) {
	c := mustParse(t, secretsYAML)
	r := c.Redacted()
	checks := []struct {
		name, got, want string
	}{
		{"redis url", r.Redis.URL, "redis://app:REDACTED@127.0.0.1:6379/0"},
		{"admin token", r.Admin.Token, "REDACTED"},
		{"etcd password", r.Clusters[0].Discovery.Etcd.Password, "REDACTED"},
		{"etcd username", r.Clusters[0].Discovery.Etcd.Username, "u"},
		{"authorization match", r.Routes[0].Match.Headers[0].Exact, "REDACTED"},
		{"api key match", r.Routes[0].Match.Headers[1].Prefix, "REDACTED"},
		{"ordinary header match", r.Routes[0].Match.Headers[2].Exact, "staging"},
		{"set-cookie", r.Routes[0].Policies.Fallback.Static.Headers["Set-Cookie"], "REDACTED"},
		{"content-type", r.Routes[0].Policies.Fallback.Static.Headers["Content-Type"], "text/plain"},
		{"tls key path kept", r.Listeners[0].TLS.KeyFile, "/tls/key.pem"},
		{"original untouched", c.Redis.URL, "redis://app:s3cret-redis@127.0.0.1:6379/0"},
		{"original header untouched", c.Routes[0].Policies.Fallback.Static.Headers["Set-Cookie"], "s3cret-cookie"},
	}
	for _, ck := range checks {
		if ck.got != ck.want {
			t.Errorf("Redacted %s = %q want %q", ck.name, ck.got, ck.want)
		}
	}
	for _, out := range []func() ([]byte, error){r.YAML, r.JSON} {
		b, err := out()
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), "s3cret") {
			t.Errorf("redacted output holds a secret:\n%s", b)
		}
	}
	if _, err := config.Parse("redacted.yaml", mustYAML(t, r)); err != nil {
		t.Errorf("the redacted config does not parse back: %v", err)
	}
}

func mustYAML(t *testing.T, c *config.Config) []byte {
	t.Helper()
	b, err := c.YAML()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestRedactedURLs(t *testing.T) {
	tests := []struct{ url, want string }{
		{"", ""},
		{"redis://127.0.0.1:6379", "redis://127.0.0.1:6379"},
		{"redis://:pw@127.0.0.1:6379/2", "redis://:REDACTED@127.0.0.1:6379/2"},
		{"rediss://user@127.0.0.1:6379", "rediss://user@127.0.0.1:6379"},
		{"redis://127.0.0.1:6379?password=pw&dial_timeout=1s", "redis://127.0.0.1:6379?dial_timeout=1s&password=REDACTED"},
		{"redis://u:p w@%zz", "REDACTED"},
	}
	for _, tt := range tests {
		c := &config.Config{Redis: config.Redis{URL: tt.url}}
		if got := c.Redacted().Redis.URL; got != tt.want {
			t.Errorf("Redacted() of %q = %q want %q", tt.url, got, tt.want)
		}
	}
	if (*config.Config)(nil).Redacted() != nil {
		t.Errorf("nil.Redacted() != nil")
	}
}
