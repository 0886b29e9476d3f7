package redisrate

import (
	"crypto/sha256"
	"encoding/hex"
)

// hashLen is the length of a hashed key: 128 bits of SHA-256 in hex.
const hashLen = 32

// redisKey returns the Redis key of a caller's key: the prefix and the hex
// of the first 128 bits of the key's SHA-256. Any key, of any length or
// bytes, maps to a short printable Redis key, and finding two keys that
// share a bucket is as hard as finding a SHA-256 collision on 128 bits.
func redisKey(prefix, key string) string {
	sum := sha256.Sum256([]byte(key))
	var buf [64 + hashLen]byte
	b := buf[:0]
	if len(prefix) <= 64 {
		b = append(b, prefix...)
	} else {
		b = append(make([]byte, 0, len(prefix)+hashLen), prefix...)
	}
	b = hex.AppendEncode(b, sum[:hashLen/2])
	return string(b)
}
