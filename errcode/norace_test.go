//go:build !race

package errcode_test

const raceEnabled = false
