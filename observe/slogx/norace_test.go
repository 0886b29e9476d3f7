//go:build !race

package slogx_test

const raceEnabled = false
