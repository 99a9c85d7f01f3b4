//go:build !purego

package classify

import "golang.org/x/sys/cpu"

var haveVectorMasks = cpu.X86.HasAVX2

// classMasks sets out[k] to the members of t among b[32k:32k+32] (bit j for
// byte 32k+j), for every whole 32-byte chunk of b (AVX2). len(out) must be
// at least len(b)/32.
//
//go:noescape
func classMasks(b []byte, t *classSet, out []uint32)
