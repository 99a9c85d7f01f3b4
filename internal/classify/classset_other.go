//go:build !amd64 || purego

package classify

const haveVectorIndex = false

func indexClassVector(b []byte, t *classSet) int { return 0 }

func classMasks(b []byte, t *classSet, out []uint32) { classMasksScalar(b, t, out) }

func stringMasks(b []byte, stop, bad []uint32) { stringMasksScalar(b, stop, bad) }
