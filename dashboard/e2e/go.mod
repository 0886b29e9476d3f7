module github.com/resilience-go/resilience/dashboard/e2e

go 1.26.0

require (
	github.com/chromedp/cdproto v0.159.0
	github.com/chromedp/chromedp v0.23.0
	github.com/resilience-go/resilience v0.0.0
	github.com/resilience-go/resilience/config v0.0.0
	github.com/resilience-go/resilience/proxy v0.0.0
)

require (
	github.com/beorn7/perks v1.0.1 // indirect
	github.com/cespare/xxhash/v2 v2.3.0 // indirect
	github.com/go-json-experiment/json v0.0.0-20260213210345-44df1a37e875 // indirect
	github.com/munnerz/goautoneg v0.0.0-20191010083416-a7dc8b61c822 // indirect
	github.com/pandatix/go-abnf v0.5.3 // indirect
	github.com/prometheus/client_golang v1.25.0 // indirect
	github.com/prometheus/client_model v0.6.3 // indirect
	github.com/prometheus/common v0.73.1 // indirect
	github.com/prometheus/procfs v0.22.0 // indirect
	github.com/redis/go-redis/v9 v9.23.0 // indirect
	github.com/resilience-go/resilience/observe/prom v0.0.0 // indirect
	github.com/resilience-go/resilience/ratelimit/redisrate v0.0.0 // indirect
	go.uber.org/atomic v1.12.0 // indirect
	go.uber.org/goleak v1.3.0 // indirect
	go.yaml.in/yaml/v3 v3.0.5 // indirect
	golang.org/x/sys v0.49.0 // indirect
	google.golang.org/protobuf v1.36.12 // indirect
)

replace (
	github.com/resilience-go/resilience => ../../
	github.com/resilience-go/resilience/config => ../../config
	github.com/resilience-go/resilience/observe/prom => ../../observe/prom
	github.com/resilience-go/resilience/proxy => ../../proxy
	github.com/resilience-go/resilience/ratelimit/redisrate => ../../ratelimit/redisrate
)
