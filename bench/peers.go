// Package bench compares resilience-go with the peer libraries its users
// would otherwise pick. It is a separate module so that the library's own
// module graph never contains the peers.
//
// Benchmarks are named Benchmark<Area>/<implementation>; ours is always
// "resilience". Run ./run.sh for a benchstat summary and the ratio of ours
// to the best peer in each area.
package bench

import (
	_ "github.com/afex/hystrix-go/hystrix"
	_ "github.com/avast/retry-go/v4"
	_ "github.com/cenkalti/backoff/v5"
	_ "github.com/eapache/go-resiliency/breaker"
	_ "github.com/failsafe-go/failsafe-go"
	_ "github.com/go-kratos/aegis/circuitbreaker/sre"
	_ "github.com/sony/gobreaker/v2"
	_ "go.uber.org/ratelimit"
	_ "golang.org/x/sync/semaphore"
	_ "golang.org/x/time/rate"
)
