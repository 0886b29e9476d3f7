//go:build race

package grpcx_test

const raceEnabled = true
