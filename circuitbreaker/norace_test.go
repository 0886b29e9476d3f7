//go:build !race

package circuitbreaker

const raceEnabled = false
