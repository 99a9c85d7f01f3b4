package classify

// classSet is a set of bytes kept twice: as a 256-entry table for scalar
// loops, and in the nibble form that vector code tests 32 bytes at a time
// (c is in the set iff lo[c&15] & hi[c>>4] != 0, two table shuffles and an
// AND per 32 bytes, the character classification of simdjson). masks marks
// the members of a slice, 32 bytes to a word.
type classSet struct {
	lo, hi [16]byte // nibble form; the vector code reads these first
	in     [256]bool
}

// newClassSet builds the set of bytes for which in reports true. Each high
// nibble's set of low nibbles gets one of eight class bits, so any set whose
// rows (bytes sharing a high nibble) take at most eight distinct shapes is
// exact; newClassSet panics on others, at init.
func newClassSet(in func(c byte) bool) *classSet {
	t := &classSet{}
	var rows [16]uint16 // by high nibble: the low nibbles in the set
	for c := 0; c < 256; c++ {
		if in(byte(c)) {
			t.in[c] = true
			rows[c>>4] |= 1 << (c & 15)
		}
	}
	var shapes []uint16
	for h, row := range rows {
		if row == 0 {
			continue
		}
		k := 0
		for k < len(shapes) && shapes[k] != row {
			k++
		}
		if k == len(shapes) {
			if k == 8 {
				panic("classify: byte set has more than eight row shapes")
			}
			shapes = append(shapes, row)
			for l := 0; l < 16; l++ {
				if row&(1<<l) != 0 {
					t.lo[l] |= 1 << k
				}
			}
		}
		t.hi[h] = 1 << k
	}
	return t
}

// masks sets out[k] to the members among b[32k:32k+32] (bit j for byte
// 32k+j) for every whole 32-byte chunk of b; len(out) >= len(b)/32.
func (t *classSet) masks(b []byte, out []uint32) {
	if haveVectorMasks {
		classMasks(b, t, out)
		return
	}
	classMasksScalar(b, t, out)
}

func classMasksScalar(b []byte, t *classSet, out []uint32) {
	for k := range len(b) / 32 {
		var m uint32
		for j, c := range b[32*k : 32*k+32] {
			if t.in[c] {
				m |= 1 << j
			}
		}
		out[k] = m
	}
}
