package classify

import (
	"encoding/binary"
	"math/bits"
)

// Tests of bytes eight at a time, in a 64-bit word ("SIMD within a
// register"). hasZeroByte and hasLessByte find the JSON walker's string
// ends; highBits tells the normalizer and the name hash where ASCII ends.
// The rest serve the key shapes (keyshape.go), which ask of nearly every
// member of a record whether its bytes are all of a class: byte loops that
// end at a different length on every value cost a mispredicted branch each,
// where these cost a few arithmetic instructions and none.
//
// The range tests are exact for bytes below 0x80. A byte at or above 0x80
// is in no range, and its sum may carry into the byte after it. Every test
// here requires each byte it reads to be in a range (or an ASCII byte),
// which such a byte is not, so its answer is false whatever the bytes after
// it read as.

// ones has a one in each byte; highBits the high bit of each byte.
const (
	ones     = 0x0101010101010101
	highBits = ones * 0x80
)

// hasZeroByte is non-zero if a byte of v is zero.
func hasZeroByte(v uint64) uint64 { return (v - ones) & ^v & highBits }

// hasLessByte is non-zero if a byte of v is below n (n <= 128).
func hasLessByte(v uint64, n uint64) uint64 { return (v - ones*n) & ^v & highBits }

// inRange sets the high bit of each byte of x that lies in [lo, hi]
// (lo <= hi < 0x80), and of no other byte below 0x80.
func inRange(x uint64, lo, hi byte) uint64 {
	// For a byte c < 0x80, c + (0x80-lo) has its high bit set when c >= lo,
	// and c + (0x7F-hi) when c > hi; neither sum leaves the byte.
	return (x + ones*uint64(0x80-lo)) &^ (x + ones*uint64(0x7F-hi)) &^ x & highBits
}

// lowerBits, digitBits and alnumBits are inRange for the ASCII classes.
func lowerBits(x uint64) uint64 { return inRange(x, 'a', 'z') }
func digitBits(x uint64) uint64 { return inRange(x, '0', '9') }
func alnumBits(x uint64) uint64 { return lowerBits(x) | inRange(x, 'A', 'Z') | digitBits(x) }

// isoDateDigits, isoDateMask and isoDateDashes are, for the first eight
// bytes of an ISO date ("2026-03-" of "2026-03-07"), the high bits of its
// digits' bytes, and the mask and bytes of its dashes.
const (
	isoDateDigits = 0x0080800080808080
	isoDateMask   = 0xFF0000FF00000000
	isoDateDashes = 0x2D00002D00000000
	// isoTimeDigits, isoTimeMask and isoTimeBytes are the same for bytes 8
	// to 15 of a timestamp ("07T00:44"); bytes 11 to 18 ("00:44:39") have
	// the same digits, and colons for its 'T'.
	isoTimeDigits = 0x8080008080008080
	isoTimeMask   = 0x0000FF0000FF0000
	isoTimeBytes  = 0x00003A0000540000
	isoClockBytes = 0x00003A00003A0000
)

// matchesDigitsAnd reports whether x has digits at the bytes digits marks
// and, under mask, the bytes lit.
func matchesDigitsAnd(x, digits, mask, lit uint64) bool {
	return digitBits(x)&digits == digits && x&mask == lit
}

// eqBits sets the high bit of each byte of x that equals c (c < 0x80).
func eqBits(x uint64, c byte) uint64 { return inRange(x, c, c) }

// byteMask gathers the high bits of h (h &^ highBits == 0), byte i to bit
// i: the multiply moves byte i's bit to bit 56+i without carries.
func byteMask(h uint64) uint32 { return uint32((h >> 7) * 0x0102040810204080 >> 56) }

// spread loads a value of at most 24 bytes into three words whose bytes
// all come from it (overlapping, or repeated where it is short), so that a
// class holds for every byte of the value exactly when it holds for every
// byte of the three. A value of no bytes gives words of '0'.
func spread(w []byte) (a, b, c uint64) {
	switch n := len(w); {
	case n > 16:
		return binary.LittleEndian.Uint64(w), binary.LittleEndian.Uint64(w[8:]), binary.LittleEndian.Uint64(w[n-8:])
	case n >= 8:
		a, b = binary.LittleEndian.Uint64(w), binary.LittleEndian.Uint64(w[n-8:])
		return a, b, b
	case n >= 4:
		a = uint64(binary.LittleEndian.Uint32(w)) | uint64(binary.LittleEndian.Uint32(w[n-4:]))<<32
		return a, a, a
	case n > 0:
		a = uint64(w[0]) | uint64(w[n/2])<<8 | uint64(w[n-1])<<16
		a |= a << 24
		a |= a << 48
		return a, a, a
	}
	return ones * '0', ones * '0', ones * '0'
}

// emailMasks returns the masks, bit k for byte k of b (at most 64 bytes),
// of its lower-case letters, digits, dots and '@'s. Bytes past len(b) are
// in none.
func emailMasks(b []byte) (lower, digit, dot, at uint64) {
	var buf [64]byte
	copy(buf[:], b)
	for k := 0; k < len(b); k += 8 {
		x := binary.LittleEndian.Uint64(buf[k:])
		sh := uint(k)
		lower |= uint64(byteMask(lowerBits(x))) << sh
		digit |= uint64(byteMask(digitBits(x))) << sh
		dot |= uint64(byteMask(eqBits(x, '.'))) << sh
		at |= uint64(byteMask(eqBits(x, '@'))) << sh
	}
	return lower, digit, dot, at
}

// plainEmailBits is plainEmail on the byte masks of a value of n bytes (n
// at most 64): one '@', not first; dots neither first nor last, nor next to
// each other or to the '@', one at least after it; at most four digits; a
// top-level domain of two or more lower-case letters.
func plainEmailBits(n int, lower, digit, dot, at uint64) bool {
	all := uint64(1)<<n - 1 // all ones for n = 64: a shift that wide gives 0
	if lower|digit|dot|at != all || bits.OnesCount64(at) != 1 || at&1 != 0 || bits.OnesCount64(digit) > 4 {
		return false
	}
	if dot&(1|1<<(n-1)) != 0 || dot&(dot>>1) != 0 || dot&(at>>1) != 0 || at&(dot>>1) != 0 {
		return false
	}
	afterAt := ^(at<<1 - 1) // the bits above the '@'
	if dot&afterAt == 0 {
		return false
	}
	lastDot := 63 - bits.LeadingZeros64(dot)
	tld := all &^ (uint64(2)<<lastDot - 1)
	return n-1-lastDot >= 2 && lower&tld == tld
}
