package resilience_test

import (
	"context"
	"errors"
	"testing"

	"github.com/resilience-go/resilience"
)

type ctxKey struct{}

// ctxGuard is a ContextReleaser that records which release method ran and
// the value of ctxKey in the context it was given.
type ctxGuard struct {
	released []string // "release(err)" or "context(value, err)"
}

func (g *ctxGuard) Acquire(context.Context) (resilience.Permit, error) {
	return resilience.NewPermit(g, 3, 5), nil
}

func (g *ctxGuard) Release(p resilience.Permit, err error) {
	g.released = append(g.released, "release("+errString(err)+")")
}

func (g *ctxGuard) ReleaseContext(ctx context.Context, p resilience.Permit, err error) {
	if p.Token() != 3 || p.Start() != 5 {
		panic("permit lost its token")
	}
	v, _ := ctx.Value(ctxKey{}).(string)
	g.released = append(g.released, "context("+v+", "+errString(err)+")")
}

var _ resilience.ContextReleaser = (*ctxGuard)(nil)

func errString(err error) string {
	if err == nil {
		return "nil"
	}
	return err.Error()
}

func TestPermitDoneContext(t *testing.T) {
	ctx := context.WithValue(context.Background(), ctxKey{}, "call")
	tests := []struct {
		name string
		done func(p resilience.Permit)
		want string
	}{
		{"DoneContext success", func(p resilience.Permit) { p.DoneContext(ctx, nil) }, "context(call, nil)"},
		{"DoneContext failure", func(p resilience.Permit) { p.DoneContext(ctx, errBoom) }, "context(call, boom)"},
		{"Done calls Release", func(p resilience.Permit) { p.Done(errBoom) }, "release(boom)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := &ctxGuard{}
			p, _ := g.Acquire(ctx)
			tt.done(p)
			if len(g.released) != 1 || g.released[0] != tt.want {
				t.Errorf("guard saw %q want [%s]", g.released, tt.want)
			}
		})
	}
	t.Run("plain guard", func(t *testing.T) {
		g := &recordingGuard{name: "g"}
		p, _ := g.Acquire(ctx)
		p.DoneContext(ctx, errBoom)
		if len(g.done) != 1 || g.done[0] != errBoom {
			t.Errorf("DoneContext on a plain guard: Release saw %v want [boom]", g.done)
		}
	})
	t.Run("zero permit", func(t *testing.T) {
		var p resilience.Permit
		p.DoneContext(ctx, errBoom) // must not panic
	})
}

func TestPipelinePassesContextToContextReleaser(t *testing.T) {
	tests := []struct {
		name string
		fn   func(context.Context) (int, error)
		want string
	}{
		{"success", func(context.Context) (int, error) { return 1, nil }, "context(call, nil)"},
		{"failure", func(context.Context) (int, error) { return 0, errBoom }, "context(call, scoped: boom)"},
		{"panic", func(context.Context) (int, error) { panic("kaboom") }, "context(call, " + resilience.ErrPanicked.Error() + ")"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := &ctxGuard{}
			// The scope inside the guard must not change the context the
			// guard is released with: the guard gets the context it
			// acquired in.
			p, _ := resilience.NewPipeline[int](g, &boundScope{})
			ctx := context.WithValue(context.Background(), ctxKey{}, "call")
			func() {
				defer func() { _ = recover() }()
				_, _ = p.Execute(ctx, tt.fn)
			}()
			if len(g.released) != 1 || g.released[0] != tt.want {
				t.Errorf("guard saw %q want [%s]", g.released, tt.want)
			}
		})
	}
}

// nopContextGuard is a ContextReleaser that does nothing, to measure the
// pipeline.
type nopContextGuard struct{}

func (nopContextGuard) Acquire(context.Context) (resilience.Permit, error) {
	return resilience.NewPermit(nopContextGuard{}, 0, 0), nil
}
func (nopContextGuard) Release(resilience.Permit, error)                         {}
func (nopContextGuard) ReleaseContext(context.Context, resilience.Permit, error) {}

func TestPipelineWithContextReleaserDoesNotAllocate(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	p, _ := resilience.NewPipeline[int](valueRecoverer{v: 1}, nopContextGuard{}, nopGuard{}, nopContextGuard{})
	ctx := context.WithValue(context.Background(), ctxKey{}, "call")
	fail := errors.New("fail")
	allocs := testing.AllocsPerRun(1000, func() {
		_, _ = p.Execute(ctx, func(context.Context) (int, error) { return 0, fail })
	})
	if allocs != 0 {
		t.Fatalf("Execute with a ContextReleaser allocates %v times per call; want 0", allocs)
	}
}
