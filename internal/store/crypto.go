package store

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"
)

// ErrWrongKey is returned by Open when the region key does not unwrap the
// store's data key.
var ErrWrongKey = errors.New("store: region key does not open this store")

// errCorrupt reports a ciphertext that fails authentication. The message
// never carries data.
var errCorrupt = errors.New("store: ciphertext failed authentication")

const dekAAD = "sovereign/store/dek/v1"

func newGCM(key []byte) (cipher.AEAD, error) {
	if len(key) != 32 {
		return nil, fmt.Errorf("store: key has %d bytes, want 32", len(key))
	}
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	return cipher.NewGCM(b)
}

// seal encrypts plaintext with a fresh random nonce; out is nonce||ciphertext.
func seal(a cipher.AEAD, plaintext, aad []byte) []byte {
	out := make([]byte, a.NonceSize(), a.NonceSize()+len(plaintext)+a.Overhead())
	_, _ = rand.Read(out) // crypto/rand never fails on supported platforms
	return a.Seal(out, out, plaintext, aad)
}

func open(a cipher.AEAD, sealed, aad []byte) ([]byte, error) {
	n := a.NonceSize()
	if len(sealed) < n+a.Overhead() {
		return nil, errCorrupt
	}
	pt, err := a.Open(nil, sealed[:n], sealed[n:], aad)
	if err != nil {
		return nil, errCorrupt
	}
	return pt, nil
}

// aad joins the parts of a value's place with a separator no part contains
// in practice (NUL), prefixed by the kind of value.
func aad(kind byte, parts ...string) []byte {
	n := 1
	for _, p := range parts {
		n += len(p) + 1
	}
	b := make([]byte, 0, n)
	b = append(b, kind)
	for _, p := range parts {
		b = append(b, 0)
		b = append(b, p...)
	}
	return b
}
