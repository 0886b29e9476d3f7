//go:build !race

package timeout

const raceEnabled = false
