//go:build !purego

package classify

import "golang.org/x/sys/cpu"

var haveVectorIndex = cpu.X86.HasAVX2

// indexClassVector scans b 32 bytes at a time (AVX2). It returns the offset of
// the first byte in t, or, when none is in the whole 32-byte chunks, the
// offset where those end. len(b) must be at least 32.
//
//go:noescape
func indexClassVector(b []byte, t *classSet) int

// classMasks sets out[k] to the members of t among b[32k:32k+32] (bit j for
// byte 32k+j), for every whole 32-byte chunk of b (AVX2). len(out) must be
// at least len(b)/32.
//
//go:noescape
func classMasks(b []byte, t *classSet, out []uint32)

// stringMasks sets, for every whole 32-byte chunk k of b, stop[k] to the
// bytes that end a JSON string's plain run ('"', '\\', control bytes) and
// bad[k] to the bytes that keep a string from being plain ASCII ('\\',
// control bytes, bytes >= 0x80) (AVX2). len(stop) and len(bad) must be at
// least len(b)/32.
//
//go:noescape
func stringMasks(b []byte, stop, bad []uint32)
