module github.com/resilience-go/resilience

go 1.26

require go.uber.org/goleak v1.3.0 // indirect
