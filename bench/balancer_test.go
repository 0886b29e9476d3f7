package bench

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync/atomic"
	"testing"
	"time"

	grpcbalancer "google.golang.org/grpc/balancer"

	"github.com/resilience-go/resilience/balancer"
)

// pickEndpoints is the endpoint count of the Pick areas.
const pickEndpoints = 100

func benchEndpoints(n int) []balancer.Endpoint {
	eps := make([]balancer.Endpoint, n)
	for i := range eps {
		eps[i] = balancer.Endpoint{ID: fmt.Sprintf("ep-%d", i), Addr: fmt.Sprintf("10.0.%d.%d:8080", i/256, i%256), Weight: 1 + i%5}
	}
	return eps
}

// pickPolicies are our pickers, by sub-benchmark name in PickDuringUpdate.
var pickPolicies = []struct {
	name   string
	policy balancer.Policy
}{
	{"resilience-rr", balancer.PolicyRoundRobin},
	{"resilience-random", balancer.PolicyRandom},
	{"resilience-wrr", balancer.PolicyWeightedRoundRobin},
	{"resilience-p2c", balancer.PolicyLeastRequest},
	{"resilience-ewma", balancer.PolicyPeakEWMA},
	{"resilience-ringhash", balancer.PolicyRingHash},
}

func newBenchBalancer(b *testing.B, cfg balancer.Config, n int) *balancer.Balancer {
	b.Helper()
	bal, err := balancer.New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(bal.Close)
	if err := bal.Update(benchEndpoints(n)); err != nil {
		b.Fatal(err)
	}
	return bal
}

// benchKeys are the keys ring hash picks with (other policies ignore them).
var benchKeys = func() []string {
	k := make([]string, 1024)
	for i := range k {
		k[i] = fmt.Sprintf("user-%d", i)
	}
	return k
}()

// grpcFakeSubConn stands in for a connected SubConn; grpc requires
// implementations to embed the interface.
type grpcFakeSubConn struct {
	grpcbalancer.SubConn
	id int
}

// grpcChildPicker is pickfirst's READY picker: it returns a fixed result.
type grpcChildPicker struct{ result grpcbalancer.PickResult }

func (p *grpcChildPicker) Pick(grpcbalancer.PickInfo) (grpcbalancer.PickResult, error) {
	return p.result, nil
}

// grpcRoundRobinPicker re-implements grpc-go's round_robin picker
// (balancer/endpointsharding pickerWithChildStates, v1.85): an atomic
// uint32 index over the READY children's pickfirst pickers. The real one is
// unexported and only built by a balancer wired to a ClientConn.
type grpcRoundRobinPicker struct {
	pickers []grpcbalancer.Picker
	next    uint32
}

func (p *grpcRoundRobinPicker) Pick(info grpcbalancer.PickInfo) (grpcbalancer.PickResult, error) {
	nextIndex := atomic.AddUint32(&p.next, 1)
	picker := p.pickers[nextIndex%uint32(len(p.pickers))]
	return picker.Pick(info)
}

// grpcLeastRequestPicker re-implements grpc-go's least_request picker
// (balancer/leastrequest, v1.85) line for line: choiceCount random
// endpoints, the one with the fewest RPCs, and a Done closure that
// decrements the count.
type grpcLeastRequestPicker struct {
	choiceCount    uint32
	endpointStates []grpcEndpointState
}

type grpcEndpointState struct {
	picker  grpcbalancer.Picker
	numRPCs *atomic.Int32
}

func (p *grpcLeastRequestPicker) Pick(pInfo grpcbalancer.PickInfo) (grpcbalancer.PickResult, error) {
	var pickedEndpointState *grpcEndpointState
	var pickedEndpointNumRPCs int32
	for i := 0; i < int(p.choiceCount); i++ {
		index := rand.Uint32() % uint32(len(p.endpointStates))
		endpointState := p.endpointStates[index]
		n := endpointState.numRPCs.Load()
		if pickedEndpointState == nil || n < pickedEndpointNumRPCs {
			pickedEndpointState = &endpointState
			pickedEndpointNumRPCs = n
		}
	}
	result, err := pickedEndpointState.picker.Pick(pInfo)
	if err != nil {
		return result, err
	}
	pickedEndpointState.numRPCs.Add(1)
	originalDone := result.Done
	result.Done = func(info grpcbalancer.DoneInfo) {
		pickedEndpointState.numRPCs.Add(-1)
		if originalDone != nil {
			originalDone(info)
		}
	}
	return result, nil
}

func grpcChildren(n int) []grpcbalancer.Picker {
	ps := make([]grpcbalancer.Picker, n)
	for i := range ps {
		ps[i] = &grpcChildPicker{result: grpcbalancer.PickResult{SubConn: &grpcFakeSubConn{id: i}}}
	}
	return ps
}

func newGRPCLeastRequest(n int) *grpcLeastRequestPicker {
	p := &grpcLeastRequestPicker{choiceCount: 2}
	for _, child := range grpcChildren(n) {
		p.endpointStates = append(p.endpointStates, grpcEndpointState{picker: child, numRPCs: new(atomic.Int32)})
	}
	return p
}

func newGRPCRoundRobin(n int) grpcbalancer.Picker {
	return &grpcRoundRobinPicker{pickers: grpcChildren(n)}
}

// The Pick areas measure one pick and its Done over 100 endpoints
// (weights 1..5), one area per policy, so that cmd/ratio compares ours
// with grpc-go's round_robin and least_request pickers (faithful
// re-implementations, see above) where grpc-go has one. Variants of ours:
// resilience-tracked sets Config.TrackInFlight (Stats reports in-flight
// counts), resilience-outlier turns on outlier detection with Envoy's
// defaults (Done classifies every outcome).

func BenchmarkPickRoundRobin(b *testing.B) {
	rr := balancer.Config{Policy: balancer.PolicyRoundRobin}
	benchPick(b, rr, false)
	b.Run("resilience-tracked", func(b *testing.B) {
		cfg := rr
		cfg.TrackInFlight = true
		runPick(b, cfg, false)
	})
	b.Run("resilience-outlier", func(b *testing.B) {
		cfg := rr
		cfg.Outlier = balancer.DefaultOutlierConfig()
		runPick(b, cfg, false)
	})
	benchGRPC(b, newGRPCRoundRobin, false)
}

func BenchmarkPickRoundRobinParallel(b *testing.B) {
	benchPick(b, balancer.Config{Policy: balancer.PolicyRoundRobin}, true)
	benchGRPC(b, newGRPCRoundRobin, true)
}

func BenchmarkPickLeastRequest(b *testing.B) {
	benchPick(b, balancer.Config{Policy: balancer.PolicyLeastRequest}, false)
	b.Run("resilience-outlier", func(b *testing.B) { runPick(b, balancer.DefaultConfig(), false) })
	benchGRPC(b, func(n int) grpcbalancer.Picker { return newGRPCLeastRequest(n) }, false)
}

func BenchmarkPickLeastRequestParallel(b *testing.B) {
	benchPick(b, balancer.Config{Policy: balancer.PolicyLeastRequest}, true)
	benchGRPC(b, func(n int) grpcbalancer.Picker { return newGRPCLeastRequest(n) }, true)
}

func BenchmarkPickRandom(b *testing.B) {
	benchPick(b, balancer.Config{Policy: balancer.PolicyRandom}, false)
}

func BenchmarkPickRandomParallel(b *testing.B) {
	benchPick(b, balancer.Config{Policy: balancer.PolicyRandom}, true)
}

func BenchmarkPickWeightedRoundRobin(b *testing.B) {
	benchPick(b, balancer.Config{Policy: balancer.PolicyWeightedRoundRobin}, false)
}

func BenchmarkPickWeightedRoundRobinParallel(b *testing.B) {
	benchPick(b, balancer.Config{Policy: balancer.PolicyWeightedRoundRobin}, true)
}

func BenchmarkPickPeakEWMA(b *testing.B) {
	benchPick(b, balancer.Config{Policy: balancer.PolicyPeakEWMA}, false)
}

func BenchmarkPickPeakEWMAParallel(b *testing.B) {
	benchPick(b, balancer.Config{Policy: balancer.PolicyPeakEWMA}, true)
}

// BenchmarkPickRingHash picks with 1024 distinct keys, bounded loads on.
func BenchmarkPickRingHash(b *testing.B) {
	benchPick(b, balancer.Config{Policy: balancer.PolicyRingHash}, false)
}

func BenchmarkPickRingHashParallel(b *testing.B) {
	benchPick(b, balancer.Config{Policy: balancer.PolicyRingHash}, true)
}

// benchPick runs ours as the sub-benchmark "resilience".
func benchPick(b *testing.B, cfg balancer.Config, parallel bool) {
	b.Run("resilience", func(b *testing.B) { runPick(b, cfg, parallel) })
}

// runPick measures Pick + Done on a balancer configured by cfg over
// pickEndpoints endpoints. Ring hash picks with 1024 distinct keys; the
// other policies ignore keys, so they pick with "" as their users do.
func runPick(b *testing.B, cfg balancer.Config, parallel bool) {
	bal := newBenchBalancer(b, cfg, pickEndpoints)
	ctx := context.Background()
	keyed := cfg.Policy == balancer.PolicyRingHash
	b.ReportAllocs()
	if !parallel {
		i := 0
		for b.Loop() {
			key := ""
			if keyed {
				key = benchKeys[i&1023]
				i++
			}
			p, err := bal.Pick(ctx, key)
			if err != nil {
				b.Fatal(err)
			}
			p.Done(nil, time.Millisecond)
		}
		return
	}
	b.RunParallel(func(pb *testing.PB) {
		i := rand.IntN(1024)
		for pb.Next() {
			key := ""
			if keyed {
				key = benchKeys[i&1023]
				i++
			}
			p, err := bal.Pick(ctx, key)
			if err != nil {
				b.Error(err)
				return
			}
			p.Done(nil, time.Millisecond)
		}
	})
}

// benchGRPC runs grpc-go's picker as the sub-benchmark "grpc": Pick, then
// the result's Done when it has one, as grpc's ClientConn does.
func benchGRPC(b *testing.B, newPicker func(n int) grpcbalancer.Picker, parallel bool) {
	b.Run("grpc", func(b *testing.B) {
		picker := newPicker(pickEndpoints)
		info := grpcbalancer.PickInfo{FullMethodName: "/svc/Method", Ctx: context.Background()}
		b.ReportAllocs()
		if !parallel {
			for b.Loop() {
				res, err := picker.Pick(info)
				if err != nil {
					b.Fatal(err)
				}
				if res.Done != nil {
					res.Done(grpcbalancer.DoneInfo{})
				}
			}
			return
		}
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				res, err := picker.Pick(info)
				if err != nil {
					b.Error(err)
					return
				}
				if res.Done != nil {
					res.Done(grpcbalancer.DoneInfo{})
				}
			}
		})
	})
}

// BenchmarkPickDuringUpdate measures picks over 1 000 endpoints while
// another goroutine replaces the set continuously (alternating two sets
// that differ in one endpoint, so every update rebuilds the snapshot). A
// pick reads one atomic pointer and never waits for an update; the
// updates-per-second metric shows the updater was busy throughout.
func BenchmarkPickDuringUpdate(b *testing.B) {
	const n = 1000
	setA, setB := benchEndpoints(n), benchEndpoints(n + 1)[1:]
	for _, pp := range pickPolicies {
		b.Run(pp.name, func(b *testing.B) {
			bal := newBenchBalancer(b, balancer.Config{Policy: pp.policy}, n)
			stop := make(chan struct{})
			done := make(chan int)
			go func() {
				updates := 0
				for {
					select {
					case <-stop:
						done <- updates
						return
					default:
					}
					set := setA
					if updates%2 == 1 {
						set = setB
					}
					if err := bal.Update(set); err != nil {
						panic(err)
					}
					updates++
				}
			}()
			ctx := context.Background()
			b.ReportAllocs()
			start := time.Now()
			b.RunParallel(func(pb *testing.PB) {
				i := rand.IntN(1024)
				for pb.Next() {
					p, err := bal.Pick(ctx, benchKeys[i&1023])
					if err != nil {
						b.Error(err)
						return
					}
					p.Done(nil, time.Millisecond)
					i++
				}
			})
			elapsed := time.Since(start)
			close(stop)
			updates := <-done
			b.ReportMetric(float64(updates)/elapsed.Seconds(), "updates/s")
		})
	}
}
