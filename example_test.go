package resilience_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/resilience-go/resilience"
)

// A Guard is used in two steps where no function wraps the call, such as a
// proxy or a stream.
func ExampleGuard() {
	var g resilience.Guard = &recordingGuard{name: "demo"}
	permit, err := g.Acquire(context.Background())
	if err != nil {
		fmt.Println("rejected:", err)
		return
	}
	callErr := errors.New("upstream said 503")
	permit.Done(callErr)
	fmt.Println("outcome recorded:", g.(*recordingGuard).done)
	// Output: outcome recorded: [upstream said 503]
}

// Business errors that prove the dependency works are marked, so that
// breakers and retries leave them alone.
func ExampleMarkSuccess() {
	notFound := resilience.MarkSuccess(errors.New("user 42 not found"))
	fmt.Println(resilience.Classify(notFound), resilience.Classify(errors.New("connection reset")))
	// Output: success failure
}

// A pipeline composes policies, outermost first; Do also says whether a
// fallback served the value.
func ExamplePipeline_Do() {
	p, err := resilience.NewPipeline[string](
		stubFallback{"cached page"},
		&countingRepeater{max: 2},
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	res := p.Do(context.Background(), func(context.Context) (string, error) {
		return "", errors.New("upstream down")
	})
	fmt.Printf("%q degraded=%v attempts=%d err=%v\n", res.Value, res.Degraded, res.Attempts, res.Err)
	// Output: "cached page" degraded=true attempts=2 err=<nil>
}

type stubFallback struct{ v string }

func (s stubFallback) Recover(_ context.Context, r string, err error) (string, error, bool) {
	if err != nil {
		return s.v, nil, true
	}
	return r, nil, false
}
