package balancer

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// nginxSWRR is a literal transcription of nginx's
// ngx_http_upstream_get_peer, as the reference for the schedule.
func nginxSWRR(weights []int64, picks int) []int {
	cur := make([]int64, len(weights))
	var total int64
	for _, w := range weights {
		total += w
	}
	out := make([]int, picks)
	for k := range out {
		best := -1
		for i, w := range weights {
			cur[i] += w
			if best == -1 || cur[i] > cur[best] {
				best = i
			}
		}
		cur[best] -= total
		out[k] = best
	}
	return out
}

func connsWithWeights(ws ...int64) []*conn {
	cs := make([]*conn, len(ws))
	for i, w := range ws {
		cs[i] = &conn{weight: w, ep: Endpoint{ID: fmt.Sprint(i)}}
	}
	return cs
}

func TestSWRRScheduleEqualsNginx(t *testing.T) {
	tests := []struct {
		name    string
		weights []int64
		live    bool
	}{
		{"5-1-1", []int64{5, 1, 1}, false},
		{"primes", []int64{7, 11, 13, 2, 3}, false},
		{"with-gcd", []int64{6, 9, 12}, false},
		{"many", []int64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 100, 1000}, false},
		{"long-period-runs-live", []int64{300000, 1, 7}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sched, live := newSWRR(connsWithWeights(tt.weights...))
			if (live != nil) != tt.live {
				t.Fatalf("newSWRR(%v) live = %v want %v", tt.weights, live != nil, tt.live)
			}
			const picks = 5000
			want := nginxSWRR(tt.weights, picks)
			for k := range picks {
				var got int
				if live != nil {
					got = live.next()
				} else {
					got = int(sched[k%len(sched)])
				}
				if got != want[k] {
					t.Fatalf("pick %d = %d want nginx's %d", k, got, want[k])
				}
			}
		})
	}
}

// TestPickNeverWaitsForUpdates holds the lock that every change takes and
// checks that picks still complete: they read only the published snapshot.
func TestPickNeverWaitsForUpdates(t *testing.T) {
	for _, policy := range []Policy{PolicyRoundRobin, PolicyRandom, PolicyWeightedRoundRobin, PolicyLeastRequest, PolicyPeakEWMA, PolicyRingHash} {
		t.Run(string(policy), func(t *testing.T) {
			b, err := New(Config{Policy: policy})
			if err != nil {
				t.Fatal(err)
			}
			defer b.Close()
			if err := b.Update([]Endpoint{{Addr: "a:1"}, {Addr: "b:1"}}); err != nil {
				t.Fatal(err)
			}
			b.mu.Lock()
			done := make(chan error)
			go func() {
				for range 1000 {
					p, err := b.Pick(context.Background(), "k")
					if err != nil {
						done <- err
						return
					}
					p.Done(nil, time.Millisecond)
				}
				done <- nil
			}()
			select {
			case err := <-done:
				if err != nil {
					t.Fatalf("Pick() = %v", err)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("Pick blocked on the update lock")
			}
			b.mu.Unlock()
		})
	}
}

func TestRingSearch(t *testing.T) {
	r := newRing(connsWithWeights(1, 1, 1), 5)
	for _, h := range []uint64{0, 1, r.hashes[0], r.hashes[3], r.hashes[3] + 1, r.hashes[len(r.hashes)-1], r.hashes[len(r.hashes)-1] + 1, ^uint64(0)} {
		want := 0
		for want < len(r.hashes) && r.hashes[want] < h {
			want++
		}
		if want == len(r.hashes) {
			want = 0
		}
		if got := r.search(h); got != want {
			t.Fatalf("search(%#x) = %d want %d", h, got, want)
		}
	}
}

// TestAliasTableIsExact checks that every endpoint's probability under the
// alias table is exactly weight/total: n × total × P(i) = keep[i] plus the
// rejected share of every column aliased to i.
func TestAliasTableIsExact(t *testing.T) {
	tests := [][]int64{{1, 2, 3, 4}, {100, 1}, {1, 1, 1, 7}, {5, 5, 5, 6}, {1 << 20, 1, 3, 1 << 19, 77}}
	for _, ws := range tests {
		tab := newAliasTable(connsWithWeights(ws...))
		n := uint64(len(ws))
		got := make([]uint64, n)
		for j := range n {
			got[j] += tab.keep[j]
			if tab.keep[j] < tab.total {
				got[tab.alias[j]] += tab.total - tab.keep[j]
			}
		}
		for i, w := range ws {
			if want := uint64(w) * n; got[i] != want {
				t.Fatalf("weights %v: endpoint %d has mass %d want %d", ws, i, got[i], want)
			}
		}
		if tab.pick(0, 0) != 0 && tab.keep[0] > 0 {
			t.Fatalf("weights %v: u=0 must keep a column with keep > 0", ws)
		}
	}
}

func TestFastmod(t *testing.T) {
	ns := []uint32{1, 2, 3, 5, 7, 10, 100, 255, 256, 1000, 1 << 18, 1<<31 - 1, 1 << 31, 1<<32 - 1}
	xs := []uint32{0, 1, 2, 99, 100, 101, 1 << 16, 1<<31 - 1, 1 << 31, 1<<32 - 2, 1<<32 - 1}
	for _, n := range ns {
		m := fastmodM(n)
		for _, x := range xs {
			if got, want := fastmod(x, m, n), x%n; got != want {
				t.Fatalf("fastmod(%d, m, %d) = %d want %d", x, n, got, want)
			}
		}
		for x := uint32(0); x < 5000; x++ {
			if got, want := fastmod(x*2654435761, m, n), x*2654435761%n; got != want {
				t.Fatalf("fastmod(%d, m, %d) = %d want %d", x*2654435761, n, got, want)
			}
		}
	}
}

// FuzzFastmod: fastmod agrees with the % operator.
func FuzzFastmod(f *testing.F) {
	f.Add(uint32(0), uint32(1))
	f.Add(uint32(1<<32-1), uint32(3))
	f.Add(uint32(123456789), uint32(100))
	f.Fuzz(func(t *testing.T, x, n uint32) {
		if n == 0 {
			return
		}
		if got, want := fastmod(x, fastmodM(n), n), x%n; got != want {
			t.Fatalf("fastmod(%d, m, %d) = %d want %d", x, n, got, want)
		}
	})
}
