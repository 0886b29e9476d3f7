package bench

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/resilience-go/resilience/deadline"
)

// BenchmarkDeadlineStamp measures stamping an outgoing request's headers
// with the decayed budget and hop count. No peer propagates budgets.
func BenchmarkDeadlineStamp(b *testing.B) {
	b.Run("resilience", func(b *testing.B) {
		p, err := deadline.New(deadline.Config{})
		if err != nil {
			b.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(deadline.WithHops(context.Background(), 1), time.Hour)
		defer cancel()
		h := http.Header{}
		b.ReportAllocs()
		for b.Loop() {
			if err := p.StampHeader(ctx, h); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkDeadlineAdmit measures a server deciding an incoming request's
// budget from its headers, clamping included.
func BenchmarkDeadlineAdmit(b *testing.B) {
	b.Run("resilience", func(b *testing.B) {
		s, err := deadline.NewServer(deadline.ServerConfig{Max: 10 * time.Second})
		if err != nil {
			b.Fatal(err)
		}
		h := http.Header{deadline.HeaderDeadlineMs: {"86400000"}, deadline.HeaderHops: {"2"}}
		b.ReportAllocs()
		for b.Loop() {
			if _, err := s.AdmitHTTP(h); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkGRPCTimeout measures encoding then decoding a grpc-timeout
// value.
func BenchmarkGRPCTimeout(b *testing.B) {
	b.Run("resilience", func(b *testing.B) {
		buf := make([]byte, 0, 16)
		b.ReportAllocs()
		for b.Loop() {
			buf = deadline.AppendGRPCTimeout(buf[:0], 1500*time.Millisecond)
			if _, err := deadline.ParseGRPCTimeout(string(buf)); err != nil {
				b.Fatal(err)
			}
		}
	})
}
