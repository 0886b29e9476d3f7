package httpx

import (
	"errors"
	"math"
	"net/http"
	"net/http/httptest"
	"reflect"
	"testing"
	"time"
)

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(1999, 12, 31, 23, 59, 0, 0, time.UTC)
	tests := []struct {
		name, in string
		want     time.Duration
		ok       bool
	}{
		{"seconds", "120", 2 * time.Minute, true},
		{"zero", "0", 0, true},
		{"spaces", " \t7 ", 7 * time.Second, true},
		{"saturates", "99999999999999999999999", time.Duration(math.MaxInt64), true},
		{"imf-fixdate", "Fri, 31 Dec 1999 23:59:30 GMT", 30 * time.Second, true},
		{"rfc850", "Friday, 31-Dec-99 23:59:45 GMT", 45 * time.Second, true},
		{"asctime", "Fri Dec 31 23:59:50 1999", 50 * time.Second, true},
		{"past-date", "Fri, 31 Dec 1999 23:58:00 GMT", 0, true},
		{"far future", "Fri, 31 Dec 9999 23:58:00 GMT", time.Duration(math.MaxInt64), true},
		{"empty", "", 0, false},
		{"negative", "-1", 0, false},
		{"plus", "+5", 0, false},
		{"fraction", "1.5", 0, false},
		{"garbage", "soon", 0, false},
		{"date garbage", "Fri, 99 Foo 1999", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := ParseRetryAfter(tt.in, now)
			if got != tt.want || ok != tt.ok {
				t.Errorf("ParseRetryAfter(%q) = %v, %v want %v, %v", tt.in, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestParseRateLimitPolicy(t *testing.T) {
	tests := []struct {
		name, in string
		want     []QuotaPolicy
		err      bool
	}{
		{name: "one", in: `"default";q=100;w=60`, want: []QuotaPolicy{{Name: "default", Quota: 100, Window: time.Minute}}},
		{name: "two", in: `"permin";q=50;w=60,"perhr";q=1000;w=3600`, want: []QuotaPolicy{
			{Name: "permin", Quota: 50, Window: time.Minute}, {Name: "perhr", Quota: 1000, Window: time.Hour}}},
		{name: "unit and key", in: `"peruser";q=65535;qu="content-bytes";w=10;pk=:cHsdsRa894==:`, want: []QuotaPolicy{
			{Name: "peruser", Quota: 65535, Unit: "content-bytes", Window: 10 * time.Second, PartitionKey: []byte{0x70, 0x7b, 0x1d, 0xb1, 0x16, 0xbc, 0xf7}}}},
		{name: "other params ignored", in: `"a";q=1;acme-burst=5;x=?1;y=1.5;z=tok`, want: []QuotaPolicy{{Name: "a", Quota: 1}}},
		{name: "escaped name", in: `"a\"b\\c";q=1`, want: []QuotaPolicy{{Name: `a"b\c`, Quota: 1}}},
		{name: "spaces", in: `  "a";q=1 ,	"b";q=2  `, want: []QuotaPolicy{{Name: "a", Quota: 1}, {Name: "b", Quota: 2}}},
		{name: "empty", in: ``, want: []QuotaPolicy{}},
		{name: "missing q", in: `"a";w=1`, err: true},
		{name: "negative q", in: `"a";q=-1`, err: true},
		{name: "zero w", in: `"a";q=1;w=0`, err: true},
		{name: "decimal q", in: `"a";q=1.5`, err: true},
		{name: "token name", in: `default;q=1`, err: true},
		{name: "inner list", in: `("a");q=1`, err: true},
		{name: "trailing comma", in: `"a";q=1,`, err: true},
		{name: "unterminated", in: `"a;q=1`, err: true},
		{name: "16 digits", in: `"a";q=1234567890123456`, err: true},
		{name: "uppercase key", in: `"a";Q=1`, err: true},
		{name: "pk not bytes", in: `"a";q=1;pk="x"`, err: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseRateLimitPolicy(tt.in)
			if tt.err {
				if err == nil || !errors.Is(err, ErrMalformedRateLimit) {
					t.Errorf("ParseRateLimitPolicy(%q) = %v, %v want ErrMalformedRateLimit", tt.in, got, err)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseRateLimitPolicy(%q) = %+v, %v want %+v", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestParseRateLimit(t *testing.T) {
	tests := []struct {
		name, in string
		want     []ServiceLimit
		err      bool
	}{
		{name: "one", in: `"default";r=50;t=30`, want: []ServiceLimit{{Policy: "default", Remaining: 50, Reset: 30 * time.Second, HasReset: true}}},
		{name: "no t", in: `"default";r=999;pk=:dHJpYWwxMjEzMjM=:`, want: []ServiceLimit{{Policy: "default", Remaining: 999, PartitionKey: []byte("trial121323")}}},
		{name: "zero t", in: `"a";r=0;t=0`, want: []ServiceLimit{{Policy: "a", Reset: 0, HasReset: true}}},
		{name: "last param wins", in: `"a";r=1;r=2`, want: []ServiceLimit{{Policy: "a", Remaining: 2}}},
		{name: "two", in: `"g";r=1;t=2, "k";r=0;t=60`, want: []ServiceLimit{
			{Policy: "g", Remaining: 1, Reset: 2 * time.Second, HasReset: true}, {Policy: "k", Reset: time.Minute, HasReset: true}}},
		{name: "bool r", in: `"a";r`, err: true},
		{name: "negative t", in: `"a";r=1;t=-3`, err: true},
		{name: "missing r", in: `"a";t=3`, err: true},
		{name: "bad char", in: "\"a\x01\";r=1", err: true},
		{name: "junk after", in: `"a";r=1 x`, err: true},
		{name: "bare at sign (fuzz crash)", in: `@`, err: true},
		{name: "date param", in: `"a";r=1;d=@1659578233`, want: []ServiceLimit{{Policy: "a", Remaining: 1}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseRateLimit(tt.in)
			if tt.err {
				if err == nil || !errors.Is(err, ErrMalformedRateLimit) {
					t.Errorf("ParseRateLimit(%q) = %v, %v want ErrMalformedRateLimit", tt.in, got, err)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseRateLimit(%q) = %+v, %v want %+v", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestRateLimitFromHeaderJoinsLines(t *testing.T) {
	h := http.Header{}
	h.Add("RateLimit", `"a";r=1`)
	h.Add("RateLimit", `"b";r=2;t=3`)
	h.Add("RateLimit-Policy", `"a";q=5`)
	got, err := RateLimitFromHeader(h)
	want := []ServiceLimit{{Policy: "a", Remaining: 1}, {Policy: "b", Remaining: 2, Reset: 3 * time.Second, HasReset: true}}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("RateLimitFromHeader = %+v, %v want %+v", got, err, want)
	}
	pol, err := RateLimitPolicyFromHeader(h)
	if err != nil || len(pol) != 1 || pol[0].Quota != 5 {
		t.Errorf("RateLimitPolicyFromHeader = %+v, %v", pol, err)
	}
}

func TestFormatRateLimit(t *testing.T) {
	tests := []struct{ got, want string }{
		{FormatQuotaPolicy("default", 100, time.Minute), `"default";q=100;w=60`},
		{FormatQuotaPolicy(`a"b`, 1, 1500*time.Millisecond), `"a\"b";q=1;w=2`},
		{FormatQuotaPolicy("x\ny", 1, 0), `"xy";q=1`},
		{FormatServiceLimit("default", 0, 3*time.Second), `"default";r=0;t=3`},
		{FormatServiceLimit("default", 5, -1), `"default";r=5`},
		{FormatServiceLimit("big", math.MaxInt64, 0), `"big";r=999999999999999;t=0`},
	}
	for i, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("case %d: %s want %s", i, tt.got, tt.want)
		}
	}
}

func TestClientIP(t *testing.T) {
	tests := []struct {
		name, remote string
		xff          []string
		trusted      int
		want         string
	}{
		{name: "peer", remote: "192.0.2.1:1234", xff: []string{"10.0.0.1"}, want: "192.0.2.1"},
		{name: "one proxy", remote: "192.0.2.1:1234", xff: []string{"10.0.0.1"}, trusted: 1, want: "10.0.0.1"},
		{name: "spoofed", remote: "192.0.2.1:1234", xff: []string{"6.6.6.6, 10.0.0.1"}, trusted: 1, want: "10.0.0.1"},
		{name: "two proxies", remote: "192.0.2.1:1234", xff: []string{"6.6.6.6, 10.0.0.1, 192.0.2.9"}, trusted: 2, want: "10.0.0.1"},
		{name: "split lines", remote: "192.0.2.1:1234", xff: []string{"6.6.6.6, 10.0.0.1", "192.0.2.9"}, trusted: 2, want: "10.0.0.1"},
		{name: "too few", remote: "192.0.2.1:1234", xff: []string{"10.0.0.1"}, trusted: 3, want: "10.0.0.1"},
		{name: "no header", remote: "192.0.2.1:1234", trusted: 1, want: "192.0.2.1"},
		{name: "garbage entry", remote: "192.0.2.1:1234", xff: []string{"unknown"}, trusted: 1, want: "192.0.2.1"},
		{name: "with port", remote: "192.0.2.1:1234", xff: []string{"10.0.0.1:999"}, trusted: 1, want: "10.0.0.1"},
		{name: "ipv6", remote: "[2001:db8::1]:443", xff: []string{"[2001:db8::2]:5"}, trusted: 1, want: "2001:db8::2"},
		{name: "mapped", remote: "[::ffff:192.0.2.1]:443", want: "192.0.2.1"},
		{name: "unix", remote: "@", want: "@"},
		{name: "empty entries", remote: "192.0.2.1:1", xff: []string{" , 10.0.0.1 ,"}, trusted: 1, want: "10.0.0.1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.RemoteAddr = tt.remote
			for _, v := range tt.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			if got := ClientIP(r, tt.trusted); got != tt.want {
				t.Errorf("ClientIP(%q, %v, %d) = %q want %q", tt.remote, tt.xff, tt.trusted, got, tt.want)
			}
		})
	}
}

func TestStatusFor(t *testing.T) {
	tests := []struct {
		err  error
		want int
	}{
		{nil, 200},
		{&StatusError{StatusCode: 418}, 418},
		{errors.New("x"), 500},
		{&PanicError{Value: 1}, 500},
	}
	for _, tt := range tests {
		if got := StatusFor(tt.err); got != tt.want {
			t.Errorf("StatusFor(%v) = %d want %d", tt.err, got, tt.want)
		}
	}
}
