package config

import (
	"strings"
	"unicode"
)

// didYouMean returns `, did you mean "x"?` when one of known is close to
// s, else "".
func didYouMean(s string, known []string) string {
	if best := closest(s, known); best != "" {
		return `, did you mean "` + best + `"?`
	}
	return ""
}

// closest returns the known key most like key, or "" when none is close:
// the same key in snake_case ("failureRateThreshold", "failure-rate-threshold"),
// or one within an edit distance of about a third of its length, where
// leaving out a word of the known key costs one edit
// ("failure_treshold" is close to "failure_rate_threshold").
func closest(key string, known []string) string {
	norm := snake(key)
	best, bestDist := "", max(2, len(key)/3)+1
	for _, k := range known {
		if k == norm {
			return k
		}
		if dist := wordDistance(norm, k); dist < bestDist {
			best, bestDist = k, dist
		}
	}
	return best
}

// wordDistance is the least edit distance between key and known with some
// of known's words left out, plus one per word left out.
func wordDistance(key, known string) int {
	words := strings.Split(known, "_")
	if len(words) > 6 {
		return editDistance(key, known)
	}
	best := 1 << 30
	for mask := 1; mask < 1<<len(words); mask++ {
		var kept []string
		for i, w := range words {
			if mask&(1<<i) != 0 {
				kept = append(kept, w)
			}
		}
		d := editDistance(key, strings.Join(kept, "_")) + len(words) - len(kept)
		best = min(best, d)
	}
	return best
}

// snake turns camelCase and kebab-case into snake_case.
func snake(s string) string {
	var b strings.Builder
	for i, r := range s {
		switch {
		case r == '-' || r == ' ':
			b.WriteByte('_')
		case unicode.IsUpper(r):
			if i > 0 {
				b.WriteByte('_')
			}
			b.WriteRune(unicode.ToLower(r))
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// editDistance is the Levenshtein distance between a and b, in bytes; it
// gives up (returning a large number) on long strings.
func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 1 << 30
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
