package etcd_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/resilience-go/resilience/discovery"
	"github.com/resilience-go/resilience/discovery/etcd"
)

// An etcd that does not answer never hangs a caller: requests fail after
// OpTimeout with ErrUnavailable, and a discovery.Cache in front serves the
// last known good set (here there is none yet).
func ExampleNew_unavailable() {
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := l.Addr().String()
	l.Close() // nothing listens there any more

	reg, err := etcd.New(etcd.Config{
		Endpoints:   []string{"http://" + addr},
		DialTimeout: 100 * time.Millisecond,
		OpTimeout:   200 * time.Millisecond,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer reg.Close()

	err = reg.Register(context.Background(), discovery.Instance{ID: "api-1", Service: "api", Address: "10.0.0.1", Port: 8080})
	fmt.Println("register unavailable:", errors.Is(err, etcd.ErrUnavailable))

	cache := discovery.LastKnownGood(reg)
	_, err = cache.Lookup(context.Background(), "api")
	stale, _ := cache.Stale("api")
	fmt.Println("lookup unavailable:", errors.Is(err, etcd.ErrUnavailable), "stale:", stale)
	// Output:
	// register unavailable: true
	// lookup unavailable: true stale: true
}

// Config validation names the offending field.
func ExampleConfig_Validate() {
	err := etcd.Config{Endpoints: []string{"http://127.0.0.1:2379"}, TTL: 500 * time.Millisecond}.Validate()
	fmt.Println(err)
	// Output: etcd: TTL 500ms must be >= 1s (0 means 10s)
}
