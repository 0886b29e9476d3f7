module github.com/resilience-go/resilience/config

go 1.26.0

require (
	github.com/resilience-go/resilience v0.0.0
	github.com/resilience-go/resilience/ratelimit/redisrate v0.0.0
	go.yaml.in/yaml/v3 v3.0.5
)

require (
	github.com/cespare/xxhash/v2 v2.3.0 // indirect
	github.com/redis/go-redis/v9 v9.23.0 // indirect
	go.uber.org/atomic v1.12.0 // indirect
	go.uber.org/goleak v1.3.0 // indirect
	golang.org/x/sys v0.48.0 // indirect
)

replace (
	github.com/resilience-go/resilience => ../
	github.com/resilience-go/resilience/ratelimit/redisrate => ../ratelimit/redisrate
)
