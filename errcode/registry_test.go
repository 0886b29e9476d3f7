package errcode_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/errcode"
)

func TestRegisterRejectsInvalidDefinitions(t *testing.T) {
	tests := []struct {
		name string
		def  errcode.Definition
		msg  string
	}{
		{"zero code", errcode.Definition{GRPC: errcode.GRPCNotFound}, "errcode: Definition.Code 0 must be > 0"},
		{"negative code", errcode.Definition{Code: -4, HTTP: 404}, "errcode: Definition.Code -4 must be > 0"},
		{"HTTP too low", errcode.Definition{Code: 1, HTTP: 99}, "errcode: code 1: HTTP 99 must be in 100..599"},
		{"HTTP too high", errcode.Definition{Code: 1, HTTP: 600}, "errcode: code 1: HTTP 600 must be in 100..599"},
		{"HTTP negative", errcode.Definition{Code: 1, HTTP: -404}, "errcode: code 1: HTTP -404 must be in 100..599"},
		{"gRPC code 17", errcode.Definition{Code: 1, GRPC: 17}, "errcode: code 1: GRPC 17 must be <= 16"},
		{"gRPC code huge", errcode.Definition{Code: 1, GRPC: 1 << 31, HTTP: 500}, "errcode: code 1: GRPC 2147483648 must be <= 16"},
		{"no status at all", errcode.Definition{Code: 1, Name: "X"}, "errcode: code 1: GRPC and HTTP are both zero; set at least one"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var reg errcode.Registry
			err := reg.Register(tt.def)
			if !errors.Is(err, errcode.ErrInvalidDefinition) {
				t.Fatalf("Register(%+v) = %v want ErrInvalidDefinition", tt.def, err)
			}
			if err.Error() != tt.msg {
				t.Errorf("Register(%+v) message = %q want %q", tt.def, err.Error(), tt.msg)
			}
			if err := tt.def.Validate(); err == nil || err.Error() != tt.msg {
				t.Errorf("Validate() = %v want %q", err, tt.msg)
			}
			if n := len(reg.Definitions()); n != 0 {
				t.Errorf("registry holds %d definitions after a failed Register", n)
			}
		})
	}
}

func TestRegisterRejectsDuplicates(t *testing.T) {
	var reg errcode.Registry
	first := errcode.Definition{Code: 10001, Name: "USER_NOT_FOUND", GRPC: errcode.GRPCNotFound}
	if err := reg.Register(first); err != nil {
		t.Fatalf("Register(first) = %v", err)
	}
	err := reg.Register(errcode.Definition{Code: 10001, Name: "ORDER_NOT_FOUND", HTTP: 404})
	if !errors.Is(err, errcode.ErrDuplicateCode) {
		t.Fatalf("Register(duplicate) = %v want ErrDuplicateCode", err)
	}
	const want = `errcode: code 10001 (ORDER_NOT_FOUND) is already registered as "USER_NOT_FOUND"`
	if err.Error() != want {
		t.Errorf("Register(duplicate) message = %q want %q", err, want)
	}
	if d, _ := reg.Lookup(10001); d.Name != "USER_NOT_FOUND" {
		t.Errorf("Lookup(10001).Name = %q after a rejected duplicate; want the first", d.Name)
	}
}

func TestRegisterFillsInTheOtherStatus(t *testing.T) {
	tests := []struct {
		name string
		def  errcode.Definition
		grpc errcode.GRPCCode
		http int
	}{
		{"HTTP from gRPC", errcode.Definition{Code: 1, GRPC: errcode.GRPCUnavailable}, errcode.GRPCUnavailable, 503},
		{"gRPC from HTTP", errcode.Definition{Code: 1, HTTP: 404}, errcode.GRPCNotFound, 404},
		{"gRPC from unmapped 4xx", errcode.Definition{Code: 1, HTTP: 402}, errcode.GRPCFailedPrecondition, 402},
		{"both explicit", errcode.Definition{Code: 1, GRPC: errcode.GRPCFailedPrecondition, HTTP: 422}, errcode.GRPCFailedPrecondition, 422},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var reg errcode.Registry
			if err := reg.Register(tt.def); err != nil {
				t.Fatal(err)
			}
			d, ok := reg.Lookup(1)
			if !ok || d.GRPC != tt.grpc || d.HTTP != tt.http {
				t.Errorf("Lookup(1) = %v/%d, %v want %v/%d, true", d.GRPC, d.HTTP, ok, tt.grpc, tt.http)
			}
		})
	}
}

func TestDefinitionsAreSortedByCode(t *testing.T) {
	reg := newShopRegistry(t)
	defs := reg.Definitions()
	if len(defs) != len(shopCatalog) {
		t.Fatalf("len(Definitions()) = %d want %d", len(defs), len(shopCatalog))
	}
	for i := 1; i < len(defs); i++ {
		if defs[i-1].Code >= defs[i].Code {
			t.Fatalf("Definitions() not sorted: %d before %d", defs[i-1].Code, defs[i].Code)
		}
	}
	var zero errcode.Registry
	if _, ok := zero.Lookup(10001); ok {
		t.Error("zero Registry Lookup found a definition")
	}
}

// The Default registry and the package-level helpers share state; codes in
// the 9xxxxx range keep this test apart from everything else.
var registerDefaultOnce sync.Once

func TestDefaultRegistryHelpers(t *testing.T) {
	registerDefaultOnce.Do(func() {
		if err := errcode.Register(errcode.Definition{Code: 900001, Name: "TEST_NOT_FOUND", Message: "thing %d not found", GRPC: errcode.GRPCNotFound}); err != nil {
			t.Fatal(err)
		}
	})
	if errcode.Default() != errcode.Default() {
		t.Fatal("Default() is not one registry")
	}
	if d, ok := errcode.Lookup(900001); !ok || d.HTTP != 404 {
		t.Fatalf("Lookup(900001) = %+v, %v", d, ok)
	}
	cause := errors.New("sql: no rows")
	e := errcode.Wrap(cause, 900001, 3)
	if e.Message != "thing 3 not found" || !errors.Is(e, cause) {
		t.Errorf("Wrap = %q (is cause: %v)", e.Message, errors.Is(e, cause))
	}
	if got := errcode.Newf(900001, "x=%d", 1).Message; got != "x=1" {
		t.Errorf("Newf message = %q want x=1", got)
	}
	if !errors.Is(e, errcode.New(900001)) {
		t.Error("errors.Is(Wrap(...), New(900001)) = false")
	}
}

func TestRegistryConcurrentReadsAndWrites(t *testing.T) {
	var reg errcode.Registry
	const writers, perWriter, readers = 4, 200, 4
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perWriter {
				code := 1 + w*perWriter + i
				if err := reg.Register(errcode.Definition{Code: code, Name: fmt.Sprint(code), HTTP: 404}); err != nil {
					t.Errorf("Register(%d) = %v", code, err)
					return
				}
			}
		}()
	}
	// Everybody races to register the same extra code: exactly one wins.
	var wins sync.Map
	for r := range readers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if reg.Register(errcode.Definition{Code: 100000, HTTP: 409}) == nil {
				wins.Store(r, true)
			}
			for i := range writers * perWriter {
				if d, ok := reg.Lookup(i + 1); ok && d.Code != i+1 {
					t.Errorf("Lookup(%d) = %+v", i+1, d)
					return
				}
				_ = reg.New(i + 1)
			}
		}()
	}
	wg.Wait()
	if n := len(reg.Definitions()); n != writers*perWriter+1 {
		t.Errorf("len(Definitions()) = %d want %d", n, writers*perWriter+1)
	}
	n := 0
	wins.Range(func(any, any) bool { n++; return true })
	if n != 1 {
		t.Errorf("%d goroutines registered code 100000; want exactly 1", n)
	}
}

func TestHotPathsDoNotAllocate(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are not meaningful under -race")
	}
	reg := newShopRegistry(t)
	e := reg.New(codeUserNotFound, "u-1")
	var err error = e
	tests := []struct {
		name string
		fn   func()
	}{
		{"Lookup", func() { _, _ = reg.Lookup(codeOutOfStock) }},
		{"Classify", func() { _ = resilience.Classify(err) }},
		{"HTTPStatus", func() { _ = e.HTTPStatus() }},
		{"CodeOf", func() { _ = errcode.CodeOf(err) }},
	}
	for _, tt := range tests {
		if n := testing.AllocsPerRun(100, tt.fn); n != 0 {
			t.Errorf("%s allocates %v times per call; want 0", tt.name, n)
		}
	}
}

// FuzzRegister checks that any Definition either registers with a valid
// mapping or is rejected with ErrInvalidDefinition, never a panic.
func FuzzRegister(f *testing.F) {
	f.Add(10001, "USER_NOT_FOUND", uint32(5), 0, false, false)
	f.Add(1, "", uint32(0), 0, true, true)
	f.Add(-1, "x", uint32(17), 600, false, true)
	f.Add(2, "y", uint32(0), 402, false, false)
	f.Fuzz(func(t *testing.T, code int, name string, grpc uint32, status int, retryable, dependency bool) {
		var reg errcode.Registry
		d := errcode.Definition{Code: code, Name: name, GRPC: errcode.GRPCCode(grpc), HTTP: status,
			Retryable: retryable, DependencyFailure: dependency}
		err := reg.Register(d)
		if err != nil {
			if !errors.Is(err, errcode.ErrInvalidDefinition) {
				t.Fatalf("Register(%+v) = %v, not ErrInvalidDefinition", d, err)
			}
			return
		}
		got, ok := reg.Lookup(code)
		if !ok || got.HTTP < 100 || got.HTTP > 599 || got.GRPC > errcode.MaxGRPCCode {
			t.Fatalf("Lookup(%d) = %+v, %v after Register(%+v)", code, got, ok, d)
		}
		if !errors.Is(reg.Register(d), errcode.ErrDuplicateCode) {
			t.Fatalf("registering %+v twice was not rejected", d)
		}
		e := reg.New(code)
		if e.HTTPStatus() != got.HTTP || e.GRPCCode() != uint32(got.GRPC) {
			t.Fatalf("New(%d) maps to %d/%d want %d/%d", code, e.HTTPStatus(), e.GRPCCode(), got.HTTP, got.GRPC)
		}
	})
}
