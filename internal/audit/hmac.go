package audit

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
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

// MinHMACKeyBytes is the shortest deployment key CheckHMACKey accepts. A
// short or empty key turns a reference into a plain hash, and a plain hash of
// an e-mail address or a national id is reversed by guessing.
const MinHMACKeyBytes = 16

// CheckHMACKey refuses a deployment key too short to keep references
// unguessable; the gateway calls it at start, before any record is written.
// The error never shows the key.
func CheckHMACKey(key []byte) error {
	if len(key) < MinHMACKeyBytes {
		return fmt.Errorf("audit hmac key has %d bytes, want at least %d (e.g. 32 random bytes)", len(key), MinHMACKeyBytes)
	}
	return nil
}
