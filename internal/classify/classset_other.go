//go:build !amd64 || purego

package classify

const haveVectorMasks = false

func classMasks(b []byte, t *classSet, out []uint32) { classMasksScalar(b, t, out) }
