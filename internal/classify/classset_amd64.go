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
