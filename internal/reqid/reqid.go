// Package reqid makes request ids and carries them in a context. Every error a
// caller sees and every audit record names the request by this id.
package reqid

import (
	"context"
	"crypto/rand"
	"encoding/base32"
)

// Header is where the gateway returns the id to the caller.
const Header = "X-Request-Id"

var enc = base32.StdEncoding.WithPadding(base32.NoPadding)

// New returns a fresh 26-character id (128 random bits, base32).
func New() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	return "req_" + enc.EncodeToString(b[:])
}

type ctxKey struct{}

// With returns ctx carrying id.
func With(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, ctxKey{}, id)
}

// From returns the id ctx carries, or "".
func From(ctx context.Context) string {
	id, _ := ctx.Value(ctxKey{}).(string)
	return id
}
