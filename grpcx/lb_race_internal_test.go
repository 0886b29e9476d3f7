//go:build race

package grpcx

const raceOn = true
