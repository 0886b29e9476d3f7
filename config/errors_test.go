package config_test

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/resilience-go/resilience/config"
)

// base is a valid file that the cases add a route's policies to, at line 6
// and on.
const base = `listeners: [{name: public}]
clusters: [{name: backend, discovery: {static: ["127.0.0.1:9001"]}}]
routes:
  - name: api
    cluster: backend
    policies:
`

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want []string
	}{
		{
			name: "breaker fields, every problem at once",
			yaml: base + `      circuit_breaker:
        failure_rate_threshold: 150
        window_size: -3
        open_jitter: 2
        max_open_duration: 1s
`,
			want: []string{
				"p.yaml:8:33: routes[0].policies.circuit_breaker.failure_rate_threshold: 150 must be in (0, 100] or 0 (off)",
				"p.yaml:9:22: routes[0].policies.circuit_breaker.window_size: -3 must be in [0, 1048576]",
				"p.yaml:10:22: routes[0].policies.circuit_breaker.open_jitter: 2 must be in [0, 1]",
				"p.yaml:11:28: routes[0].policies.circuit_breaker.max_open_duration: 1s must be >= open_duration 5s",
			},
		},
		{
			name: "retry, budget, hedge",
			yaml: base + `      retry:
        max_attempts: -1
        per_try_timeout: -1s
        retry_on_status: [503, 42]
        backoff: {initial: 2s, max: 1s, multiplier: 0.5}
        budget: {ratio: -0.5, window: 1us}
        hedge: {percentile: 100, max_hedges: 17}
`,
			want: []string{
				"p.yaml:8:23: routes[0].policies.retry.max_attempts: -1 must be >= 0",
				"p.yaml:9:26: routes[0].policies.retry.per_try_timeout: -1s must be >= 0",
				"p.yaml:10:32: routes[0].policies.retry.retry_on_status[1]: 42 is not an HTTP status (100..599)",
				"p.yaml:11:37: routes[0].policies.retry.backoff.max: 1s must be >= backoff.initial 2s",
				"p.yaml:11:53: routes[0].policies.retry.backoff.multiplier: 0.5 must be a finite number >= 1",
				"p.yaml:12:25: routes[0].policies.retry.budget.ratio: -0.5 must be a finite number >= 0",
				"p.yaml:12:39: routes[0].policies.retry.budget.window: 1µs must be 0 or >= 1ms",
				"p.yaml:13:29: routes[0].policies.retry.hedge.percentile: 100 must be in (0, 100)",
				"p.yaml:13:46: routes[0].policies.retry.hedge.max_hedges: 17 must be in [0, 16]",
			},
		},
		{
			name: "types",
			yaml: base + `      timeout: {timeout: 5, abandon: yes}
      bulkhead: {max_concurrent: 1.5, max_wait: [1s]}
      rate_limit: {local: {rate: many, burst: 99999999999999999999}}
`,
			want: []string{
				"p.yaml:7:26: routes[0].policies.timeout.timeout: 5 is not a duration: add a unit, as in \"5s\" or \"5ms\"",
				"p.yaml:8:34: routes[0].policies.bulkhead.max_concurrent: 1.5 is not an integer",
				"p.yaml:8:49: routes[0].policies.bulkhead.max_wait: expected a duration such as \"250ms\" or \"5s\", got a list",
				"p.yaml:9:34: routes[0].policies.rate_limit.local.rate: expected a number, got \"many\"",
				"p.yaml:9:47: routes[0].policies.rate_limit.local.burst: 99999999999999999999 is out of range for int",
			},
		},
		{
			name: "unknown keys",
			yaml: base + `      circuitBreaker: {}
      retry: {max_attempt: 3, backof: {}}
      rate_limit: {local: {rate: 1, brust: 2}}
`,
			want: []string{
				"p.yaml:7:7: routes[0].policies.circuitBreaker: unknown field, did you mean \"circuit_breaker\"?",
				"p.yaml:8:15: routes[0].policies.retry.max_attempt: unknown field, did you mean \"max_attempts\"?",
				"p.yaml:8:31: routes[0].policies.retry.backof: unknown field, did you mean \"backoff\"?",
				"p.yaml:9:37: routes[0].policies.rate_limit.local.brust: unknown field, did you mean \"burst\"?",
			},
		},
		{
			name: "references and names",
			yaml: `listeners: [{name: public}, {name: public, address: "127.0.0.1:8081"}]
routes:
  - {name: api, cluster: backnd, listeners: [pubic]}
  - {name: "bad name", cluster: backend}
  - {name: api}
clusters:
  - {name: backend, discovery: {static: ["127.0.0.1:1"]}}
  - {name: backend, discovery: {static: ["127.0.0.1:2"]}}
`,
			want: []string{
				"p.yaml:1:36: listeners[1].name: \"public\" repeats the name of listeners[0] (line 1)",
				"p.yaml:3:26: routes[0].cluster: unknown cluster \"backnd\", did you mean \"backend\"?",
				"p.yaml:3:46: routes[0].listeners[0]: unknown listener \"pubic\", did you mean \"public\"?",
				"p.yaml:4:12: routes[1].name: \"bad name\" has ' ': use letters, digits and -_. only",
				"p.yaml:5:5: routes[2].cluster: is required",
				"p.yaml:5:12: routes[2].name: \"api\" repeats the name of routes[0] (line 3)",
				"p.yaml:8:12: clusters[1].name: \"backend\" repeats the name of clusters[0] (line 7)",
			},
		},
		{
			name: "addresses",
			yaml: `listeners:
  - {name: a, address: "0.0.0.0:8080"}
  - {name: b, address: "127.0.0.1:8080"}
  - {name: c, address: "localhost"}
  - {name: d, address: "127.0.0.1:70000"}
  - {name: e, address: "127.0.0.1:0"}
  - {name: f, address: "127.0.0.1:0"}
admin: {address: "127.0.0.1:8080"}
routes: [{name: r, cluster: c}]
clusters: [{name: c, discovery: {static: ["127.0.0.1:1"]}}]
`,
			want: []string{
				"p.yaml:3:24: listeners[1].address: \"127.0.0.1:8080\" conflicts with listeners[0] \"0.0.0.0:8080\"",
				"p.yaml:4:24: listeners[2].address: \"localhost\" is not host:port: missing port in address",
				"p.yaml:5:24: listeners[3].address: \"127.0.0.1:70000\": port \"70000\" must be a number in 0..65535",
				"p.yaml:8:18: admin.address: \"127.0.0.1:8080\" conflicts with listeners[0] \"0.0.0.0:8080\"",
			},
		},
		{
			name: "rate limit combos",
			yaml: base + `      rate_limit:
        key: {source: cookie}
        local: {rate: 10}
        redis: {rate: 10}
`,
			want: []string{
				"p.yaml:8:23: routes[0].policies.rate_limit.key.source: \"cookie\" must be header or ip",
				"p.yaml:10:9: routes[0].policies.rate_limit.redis: conflicts with local: a rate limit takes one limiter",
				"p.yaml:10:9: routes[0].policies.rate_limit.redis: needs the Redis server: set redis.url at the top level",
			},
		},
		{
			name: "match",
			yaml: `listeners: [{name: a}]
routes:
  - name: r
    cluster: c
    match:
      host: "api.example.com:80"
      path_prefix: api
      methods: [get, POST, POST, "GE T"]
      headers:
        - {name: X-A}
        - {name: X-B, exact: a, prefix: b}
        - {name: "X C", regex: "(["}
clusters: [{name: c, discovery: {static: ["127.0.0.1:1"]}}]
`,
			want: []string{
				"p.yaml:6:13: routes[0].match.host: \"api.example.com:80\" must not hold a port",
				"p.yaml:7:20: routes[0].match.path_prefix: \"api\" must start with / and hold no query or fragment",
				"p.yaml:8:17: routes[0].match.methods[0]: \"get\" must be upper case: methods are case-sensitive (\"GET\")",
				"p.yaml:8:28: routes[0].match.methods[2]: \"POST\" is listed twice",
				"p.yaml:8:34: routes[0].match.methods[3]: \"GE T\" is not an HTTP method",
				"p.yaml:10:11: routes[0].match.headers[0]: needs one of exact, prefix, regex or present",
				"p.yaml:11:41: routes[0].match.headers[1].prefix: conflicts with exact: a header match takes one of exact, prefix, regex and present",
				"p.yaml:12:18: routes[0].match.headers[2].name: \"X C\" is not a valid header name",
				"p.yaml:12:32: routes[0].match.headers[2].regex: is not a valid regular expression: missing closing ]: `[`",
			},
		},
		{
			name: "discovery static endpoints",
			yaml: `listeners: [{name: a}]
routes: [{name: r, cluster: c}]
clusters:
  - name: c
    discovery:
      static:
        - "127.0.0.1:1"
        - "127.0.0.1"
        - "127.0.0.1:1"
        - "http://x:1"
        - "127.0.0.1:2;weight=-1"
  - name: d
    discovery: {}
`,
			want: []string{
				"p.yaml:8:11: clusters[0].discovery.static.endpoints[1]: endpoint \"127.0.0.1\" misses a port; want host:port",
				"p.yaml:9:11: clusters[0].discovery.static.endpoints[2]: \"127.0.0.1:1\" repeats endpoints[0] (id \"127.0.0.1:1\")",
				"p.yaml:10:11: clusters[0].discovery.static.endpoints[3]: endpoint \"http://x:1\" has a scheme; want host:port",
				"p.yaml:11:11: clusters[0].discovery.static.endpoints[4]: endpoint \"127.0.0.1:2;weight=-1\": weight \"-1\" must be a whole number from 1 to 1048576",
				"p.yaml:13:5: clusters[1].discovery: needs one of static, file, dns or etcd",
			},
		},
		{
			name: "yaml-level: duplicate keys, merge, alias",
			yaml: `x-base: &x {name: a}
listener: []
listeners: [*x, {<<: *x, name: b, address: "127.0.0.1:8081"}]
listeners: []
routes: [{name: r, cluster: c, cluster: d}]
clusters: [{name: c, discovery: {static: ["127.0.0.1:1"]}}]
`,
			want: []string{
				"p.yaml:2:1: listener: unknown field, did you mean \"listeners\"?",
				"p.yaml:4:1: listeners: repeated key (first at line 3)",
				"p.yaml:5:32: routes[0].cluster: repeated key (first at line 5)",
			},
		},
		{
			name: "chaos faults, each reported",
			yaml: base + `      chaos:
        trigger_header: "bad header"
        faults:
          - {kind: abort}
          - {kind: latency, probability: 1.5}
          - {kind: boom}
          - {name: x, kind: error, schedule: {every: 1m}}
`,
			want: []string{
				"p.yaml:8:25: routes[0].policies.chaos.trigger_header: \"bad header\" is not a valid header name",
				"p.yaml:10:13: routes[0].policies.chaos.faults[0]: of kind abort needs http_status or grpc_code",
				"p.yaml:11:13: routes[0].policies.chaos.faults[1].latency: 0s must be > 0 for a latency fault",
				"p.yaml:11:42: routes[0].policies.chaos.faults[1].probability: 1.5 must be in [0,1]",
				"p.yaml:12:20: routes[0].policies.chaos.faults[2].kind: \"boom\" must be latency, error or abort",
				"p.yaml:13:36: routes[0].policies.chaos.faults[3].schedule.for: 0s must be > 0 when every is set",
			},
		},
		{
			name: "concurrency, fallback, deadline",
			yaml: base + `      bulkhead: {max_concurrent: 0}
      adaptive: {min_limit: 50, max_limit: 10}
      shedder: {target_latency: 0s}
      fallback: {}
      deadline: {server: {max: 1s, min: 2s}, propagate: {alpha_max: 1}}
`,
			want: []string{
				"p.yaml:7:34: routes[0].policies.bulkhead.max_concurrent: 0 must be >= 1",
				"p.yaml:8:7: routes[0].policies.adaptive: conflicts with bulkhead: a route takes one concurrency limit",
				"p.yaml:8:7: routes[0].policies.adaptive.initial_limit: 20 must be within [min_limit 1, max_limit 10]",
				"p.yaml:8:29: routes[0].policies.adaptive.min_limit: 50 must be <= max_limit 10",
				"p.yaml:9:7: routes[0].policies.shedder: conflicts with bulkhead: a route takes one concurrency limit",
				"p.yaml:9:33: routes[0].policies.shedder.target_latency: 0s must be > 0",
				"p.yaml:10:7: routes[0].policies.fallback: needs stale_cache or static",
				"p.yaml:11:41: routes[0].policies.deadline.server.min: 2s must be <= max 1s",
				"p.yaml:11:69: routes[0].policies.deadline.propagate.alpha_max: 1 must be < 1",
			},
		},
		{
			name: "clusters: discovery, lb, health, outlier, upstream",
			yaml: `listeners: [{name: a}]
routes: [{name: r, cluster: c}]
clusters:
  - name: c
    discovery: {static: ["127.0.0.1:1"], dns: {host: "10.0.0.1", port: 80}}
    load_balancing: {policy: ring-hash, peak_ewma: {decay: -1s}}
    health_check: {protocol: udp, interval: 1us}
    outlier_detection: {base_ejection_time: 1m, max_ejection_time: 30s, max_ejection_percent: 150}
    upstream: {max_idle_conns_per_host: -1}
  - name: d
    discovery: {file: {interval: 1ns}, }
    load_balancing: {policy: ring_hash}
  - name: e
    discovery: {etcd: {endpoints: ["http://a:2379", " "], prefix: services, password: x}}
    load_balancing: {ring_hash: {key: {source: ip, header: X}}}
`,
			want: []string{
				"p.yaml:5:42: clusters[0].discovery.dns: conflicts with static: a cluster takes one source of endpoints",
				"p.yaml:5:54: clusters[0].discovery.dns.host: \"10.0.0.1\" is an IP address; use Static for fixed endpoints",
				"p.yaml:6:30: clusters[0].load_balancing.policy: \"ring-hash\" must be one of round_robin, random, weighted_round_robin, least_request, peak_ewma or ring_hash, did you mean \"ring_hash\"?",
				"p.yaml:6:41: clusters[0].load_balancing.peak_ewma: applies only to policy peak_ewma, not \"ring-hash\"",
				"p.yaml:6:60: clusters[0].load_balancing.peak_ewma.decay: -1s must be >= 0",
				"p.yaml:7:30: clusters[0].health_check.protocol: \"udp\" must be http or tcp",
				"p.yaml:7:45: clusters[0].health_check.interval: 1µs must be 0 or >= 1ms",
				"p.yaml:8:68: clusters[0].outlier_detection.max_ejection_time: 30s must be >= base_ejection_time 1m0s",
				"p.yaml:8:95: clusters[0].outlier_detection.max_ejection_percent: 150 must be in (0, 100]",
				"p.yaml:9:41: clusters[0].upstream.max_idle_conns_per_host: -1 must be >= 0",
				"p.yaml:11:17: clusters[1].discovery.file.path: is empty",
				"p.yaml:12:5: clusters[1].load_balancing.ring_hash: is required with policy ring_hash: set its key",
				"p.yaml:14:53: clusters[2].discovery.etcd.endpoints[1]: \" \" is not an etcd endpoint (http://host:port, https://host:port or host:port): blank, or contains spaces",
				"p.yaml:14:67: clusters[2].discovery.etcd.prefix: \"services\" must start and end with '/'",
				"p.yaml:14:87: clusters[2].discovery.etcd.password: is set without username",
				"p.yaml:15:22: clusters[2].load_balancing.ring_hash: applies only to policy ring_hash, not \"round_robin\"",
			},
		},
		{
			name: "redis and listener tls",
			yaml: `redis: {url: "http://user:pw@127.0.0.1:6379"}
listeners:
  - name: a
    protocols: [h2c, spdy, h2c]
    tls: {cert_file: c.pem}
    timeouts: {read: -1s}
    max_body_bytes: -1
routes: [{name: r, cluster: c, policies: {rate_limit: {redis: {rate: 5, lease: 10, breaker: {window_size: -1}}}}}]
clusters: [{name: c, discovery: {static: ["127.0.0.1:1"]}}]
`,
			want: []string{
				"p.yaml:1:14: redis.url: \"http://user:REDACTED@127.0.0.1:6379\" must start with redis://, rediss:// or unix://",
				"p.yaml:4:17: listeners[0].protocols[0]: h2c is cleartext HTTP/2 and cannot be served with tls; use h2",
				"p.yaml:4:22: listeners[0].protocols[1]: \"spdy\" must be http1, h2c or h2",
				"p.yaml:4:28: listeners[0].protocols[2]: \"h2c\" is listed twice",
				"p.yaml:5:5: listeners[0].tls.key_file: is required with tls",
				"p.yaml:6:22: listeners[0].timeouts.read: -1s must be >= 0",
				"p.yaml:7:21: listeners[0].max_body_bytes: -1 must be >= 0 (0 means no limit)",
				"p.yaml:8:80: routes[0].policies.rate_limit.redis.lease: 10 must be <= the burst 5",
				"p.yaml:8:107: routes[0].policies.rate_limit.redis.breaker.window_size: -1 must be in [0, 1048576]",
			},
		},
		{
			name: "admin",
			yaml: `listeners: [{name: a}]
admin: {address: "0.0.0.0:9901"}
routes: [{name: r, cluster: c}]
clusters: [{name: c, discovery: {static: ["127.0.0.1:1"]}}]
`,
			want: []string{
				"p.yaml:2:18: admin.address: \"0.0.0.0:9901\" is reachable from other machines; bind 127.0.0.1 or set allow_non_loopback: true",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := config.Parse("p.yaml", []byte(tt.yaml))
			if cfg != nil {
				t.Errorf("Parse returned a Config with errors")
			}
			var errs *config.Errors
			if !errors.As(err, &errs) {
				t.Fatalf("Parse error = %v (%T), want *config.Errors", err, err)
			}
			var got []string
			for _, e := range errs.List {
				got = append(got, e.Error())
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("Parse errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestErrorFormat(t *testing.T) {
	tests := []struct {
		e    config.Error
		want string
	}{
		{config.Error{File: "p.yaml", Line: 4, Column: 7, Path: "routes[0].cluster", Msg: "is required"}, "p.yaml:4:7: routes[0].cluster: is required"},
		{config.Error{File: "p.yaml", Line: 4, Msg: "invalid YAML: x"}, "p.yaml:4: invalid YAML: x"},
		{config.Error{File: "p.yaml", Path: "listeners", Msg: "m"}, "p.yaml: listeners: m"},
		{config.Error{Path: "routes[0].name", Msg: "is required"}, "routes[0].name: is required"},
		{config.Error{Msg: "m"}, "m"},
	}
	for _, tt := range tests {
		if got := tt.e.Error(); got != tt.want {
			t.Errorf("%#v.Error() = %q want %q", tt.e, got, tt.want)
		}
	}
}

func TestErrorsMatchWithErrorsIsAndAs(t *testing.T) {
	_, err := config.Parse("p.yaml", []byte(base+"      timeout: -1s\n"))
	if !errors.Is(err, config.ErrInvalid) {
		t.Errorf("errors.Is(%v, ErrInvalid) = false", err)
	}
	var one config.Error
	if !errors.As(err, &one) {
		t.Fatalf("errors.As(%v, *Error) = false", err)
	}
	if want := "routes[0].policies.timeout.timeout"; one.Path != want || one.Line != 7 || one.Column != 16 {
		t.Errorf("errors.As gave %+v, want path %s at 7:16", one, want)
	}
	if !strings.Contains(one.Msg, "-1s must be > 0") {
		t.Errorf("Msg = %q, want the timeout package's reason", one.Msg)
	}
}

func TestErrorsAreCapped(t *testing.T) {
	var b strings.Builder
	b.WriteString(base)
	for i := range 150 {
		b.WriteString("      unknown_" + strings.Repeat("x", i%3) + string(rune('a'+i%26)) + "_" + strconv.Itoa(i) + ": 1\n")
	}
	_, err := config.Parse("p.yaml", []byte(b.String()))
	var errs *config.Errors
	if !errors.As(err, &errs) {
		t.Fatalf("Parse error = %v, want *Errors", err)
	}
	if len(errs.List) != 101 || errs.List[100].Msg != "and 50 more errors" {
		t.Errorf("got %d errors ending %q, want 100 and a summary of 50 more", len(errs.List), errs.List[len(errs.List)-1].Msg)
	}
}
