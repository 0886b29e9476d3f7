package grpcx

import (
	"strconv"
	"testing"
	"time"

	"google.golang.org/grpc/metadata"
)

func TestPushback(t *testing.T) {
	for _, tc := range []struct {
		values []string
		want   time.Duration
	}{
		{nil, 0},
		{[]string{"0"}, 0},
		{[]string{"1500"}, 1500 * time.Millisecond},
		{[]string{"-1"}, -1},
		{[]string{"1.5"}, -1},
		{[]string{""}, -1},
		{[]string{"99999999999999999999"}, -1},
		{[]string{"999999999999"}, maxPushback},
		{[]string{"20", "-1"}, 20 * time.Millisecond},
	} {
		md := metadata.MD{}
		if tc.values != nil {
			md[PushbackKey] = tc.values
		}
		if got := pushback(md); got != tc.want {
			t.Errorf("pushback(%q) = %v want %v", tc.values, got, tc.want)
		}
	}
}

// FuzzPushback checks that any trailer value gives "none", "stop" or a
// delay within the cap, and that valid values are read exactly.
func FuzzPushback(f *testing.F) {
	for _, s := range []string{"0", "1500", "-1", "x", "", "+5", " 5", "9223372036854775807"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		got := pushback(metadata.MD{PushbackKey: {v}})
		if got != -1 && (got < 0 || got > maxPushback) {
			t.Fatalf("pushback(%q) = %v outside {-1} ∪ [0, %v]", v, got, maxPushback)
		}
		if ms, err := strconv.ParseInt(v, 10, 64); err == nil && ms >= 0 && ms < int64(maxPushback/time.Millisecond) {
			if got != time.Duration(ms)*time.Millisecond {
				t.Fatalf("pushback(%q) = %v want %dms", v, got, ms)
			}
		}
	})
}
