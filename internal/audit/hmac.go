package audit

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
)

// HMACBytes is how many bytes of the HMAC-SHA256 output HMAC keeps: 128 bits
// keep collisions negligible for correlation while halving the record size.
const HMACBytes = 16

// HMAC returns a correlatable, non-reversible reference to value under the
// deployment key: lowercase hex of the first HMACBytes bytes of
// HMAC-SHA256(key, value), 32 characters. Use it to fill Record.SubjectRef;
// the same value under the same key always gives the same reference, and
// without the key the reference reveals nothing about the value.
func HMAC(key []byte, value string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(value))
	return hex.EncodeToString(m.Sum(nil)[:HMACBytes])
}
