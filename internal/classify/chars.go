package classify

import "math"

// Byte classes used by the scanners. A 256-entry table is cheaper than a chain
// of comparisons and lets the skip loop test eight bytes with one OR.
const (
	cDigit = 1 << iota
	cUpper
	cLower
	cWordPunct // '_' : part of identifiers and keys
	cHigh      // >= 0x80: start or continuation of a multi-byte rune
)

var charClass [256]uint8

// trigger marks the bytes that can start (or reveal) a candidate. Everything
// else, in clean prose most bytes (lowercase letters, spaces, punctuation), is
// skipped by the hot loop without looking at it twice.
var trigger [256]uint8

// triggers is trigger as a classSet, for long runs of text (built in init,
// after trigger).
var triggers *classSet

func init() {
	for c := '0'; c <= '9'; c++ {
		charClass[c] |= cDigit
		trigger[c] = 1
	}
	for c := 'A'; c <= 'Z'; c++ {
		charClass[c] |= cUpper
		trigger[c] = 1
	}
	for c := 'a'; c <= 'z'; c++ {
		charClass[c] |= cLower
	}
	charClass['_'] |= cWordPunct
	for c := 0x80; c < 0x100; c++ {
		charClass[c] |= cHigh
		trigger[c] = 1
	}
	defer func() {
		triggers = newClassSet(func(c byte) bool { return trigger[c] != 0 })
		boundaries = newClassSet(isBoundary)
	}()
	for _, c := range []byte("@+([-_=:~") {
		trigger[c] = 1
	}
}

func isDigit(c byte) bool { return c-'0' < 10 }
func isUpper(c byte) bool { return c-'A' < 26 }
func isLower(c byte) bool { return c-'a' < 26 }

// upperASCII upper-cases an ASCII letter and leaves other bytes alone.
func upperASCII(c byte) byte {
	if c-'a' < 26 {
		return c - 'a' + 'A'
	}
	return c
}
func isAlpha(c byte) bool { return charClass[c]&(cUpper|cLower) != 0 }
func isAlnum(c byte) bool { return charClass[c]&(cUpper|cLower|cDigit) != 0 }
func isHex(c byte) bool   { return isDigit(c) || (c|0x20)-'a' < 6 }

// isWordByte reports bytes that continue a word: ASCII letters, digits, '_'
// and any byte of a multi-byte rune (letters in most scripts).
func isWordByte(c byte) bool {
	return charClass[c]&(cUpper|cLower|cDigit|cWordPunct|cHigh) != 0
}

func lowerASCII(c byte) byte {
	if isUpper(c) {
		return c + 32
	}
	return c
}

// wordStartAt reports whether position i starts a word: no word byte before it.
func wordStartAt(b []byte, i int) bool { return i == 0 || !isWordByte(b[i-1]) }

// wordEndAt reports whether position i ends a word: no word byte at it.
func wordEndAt(b []byte, i int) bool { return i >= len(b) || !isWordByte(b[i]) }

// hasPrefixFold reports whether b[i:] starts with the lowercase ASCII prefix p,
// ignoring ASCII case.
func hasPrefixFold(b []byte, i int, p string) bool {
	if len(b)-i < len(p) {
		return false
	}
	for k := 0; k < len(p); k++ {
		if lowerASCII(b[i+k]) != p[k] {
			return false
		}
	}
	return true
}

func hasPrefixAt(b []byte, i int, p string) bool {
	return len(b)-i >= len(p) && string(b[i:i+len(p)]) == p
}

// atoi parses a short run of ASCII digits; callers pass only digits.
func atoi(b []byte) int {
	n := 0
	for _, c := range b {
		n = n*10 + int(c-'0')
	}
	return n
}

// shannon returns the Shannon entropy of b in bits per byte.
func shannon(b []byte) float64 {
	if len(b) == 0 {
		return 0
	}
	var counts [256]uint16
	for _, c := range b {
		counts[c]++
	}
	n := float64(len(b))
	h := 0.0
	for _, k := range counts {
		if k == 0 {
			continue
		}
		p := float64(k) / n
		h -= p * math.Log2(p)
	}
	return h
}
