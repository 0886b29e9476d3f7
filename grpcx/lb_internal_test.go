package grpcx

import (
	"context"
	"testing"

	gbalancer "google.golang.org/grpc/balancer"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/resilience-go/resilience/balancer"
	"github.com/resilience-go/resilience/clock"
)

// fakeSubConn stands for a grpc-go SubConn; the picker only hands it out.
type fakeSubConn struct{ gbalancer.SubConn }

// TestPickerAllocs: a pick and its Done allocate nothing, whatever the
// policy: the Done functions are pooled.
func TestPickerAllocs(t *testing.T) {
	if raceOn {
		t.Skip("the race detector allocates")
	}
	for _, policy := range []balancer.Policy{balancer.PolicyRoundRobin, balancer.PolicyLeastRequest, balancer.PolicyPeakEWMA} {
		t.Run(string(policy), func(t *testing.T) {
			bal, err := balancer.New(balancer.Config{Policy: policy, Outlier: balancer.OutlierConfig{ConsecutiveFailures: 5}, Classifier: classifyDone})
			if err != nil {
				t.Fatal(err)
			}
			defer bal.Close()
			eps := []balancer.Endpoint{{ID: "a:1", Addr: "a:1"}, {ID: "b:1", Addr: "b:1"}}
			if err := bal.Update(eps); err != nil {
				t.Fatal(err)
			}
			p := &picker{bal: bal, conns: map[string]gbalancer.SubConn{"a:1": &fakeSubConn{}, "b:1": &fakeSubConn{}},
				clk: clock.Real(), timed: policy == balancer.PolicyPeakEWMA}
			info := gbalancer.PickInfo{FullMethodName: "/s/m", Ctx: context.Background()}
			pick := func() {
				r, err := p.Pick(info)
				if err != nil || r.SubConn == nil {
					t.Fatalf("Pick() = %v, %v", r, err)
				}
				r.Done(gbalancer.DoneInfo{BytesSent: true, BytesReceived: true})
			}
			pick() // fill the pool
			if n := testing.AllocsPerRun(200, pick); n != 0 {
				t.Errorf("Pick and Done allocate %v times want 0", n)
			}
		})
	}
}

func TestClassifyDone(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"nil", nil, "success"},
		{"unused", errNotUsed, "ignored"},
		{"unavailable", statusErr(14), "failure"},
		{"not-found", statusErr(5), "success"},
		{"canceled", statusErr(1), "ignored"},
		{"context", context.DeadlineExceeded, "failure"},
	} {
		if got := classifyDone(tc.err).String(); got != tc.want {
			t.Errorf("classifyDone(%s) = %s want %s", tc.name, got, tc.want)
		}
	}
}

func statusErr(code uint32) error {
	return status.Error(codes.Code(code), "x")
}
