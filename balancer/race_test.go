//go:build race

package balancer_test

const raceEnabled = true
