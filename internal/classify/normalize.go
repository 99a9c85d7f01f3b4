package classify

import (
	"encoding/binary"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Evasion handling: before matching, text that holds characters an attacker
// (or a copy-paste) can use to hide a value is normalized: Unicode NFKC
// (full-width digits and letters become ASCII), zero-width characters and soft
// hyphens are removed, dash and space look-alikes become '-' and ' ', and
// the decimal digits of other scripts become ASCII digits.
// The normalized copy keeps a map from each of its bytes to the original
// offset, so findings still point at the original bytes. Pure-ASCII text
// never gets here.

// normScratch is reusable scratch for normalization.
type normScratch struct {
	buf  []byte
	omap []int32
	// hidden: offsets into buf where a removed character sat, so that the
	// number reader can tell "4111\u200b1111 1111 1111" (an invisible
	// character in place of a separator) from digits written together.
	hidden []int32
	it     norm.Iter
}

func (n *normScratch) shrink() {
	// Keep scratch for reuse, but do not pin very large buffers in the pool.
	if cap(n.buf) > 1<<20 {
		n.buf, n.omap = nil, nil
	}
	if cap(n.hidden) > 1<<12 {
		n.hidden = nil
	}
}

// hasHigh reports whether b contains a byte >= 0x80, eight bytes at a time.
func hasHigh(b []byte) bool {
	i := 0
	for ; i+32 <= len(b); i += 32 {
		w := b[i : i+32 : i+32]
		if (binary.LittleEndian.Uint64(w)|binary.LittleEndian.Uint64(w[8:])|
			binary.LittleEndian.Uint64(w[16:])|binary.LittleEndian.Uint64(w[24:]))&highBits != 0 {
			return true
		}
	}
	for ; i+8 <= len(b); i += 8 {
		if binary.LittleEndian.Uint64(b[i:])&highBits != 0 {
			return true
		}
	}
	for ; i < len(b); i++ {
		if b[i] >= 0x80 {
			return true
		}
	}
	return false
}

// needsNormalization reports whether b holds any rune that normalization
// would change. ASCII text returns at once.
func needsNormalization(b []byte) bool {
	if !hasHigh(b) {
		return false
	}
	for i := 0; i < len(b); {
		c := b[i]
		if c < 0x80 {
			for i+8 <= len(b) && binary.LittleEndian.Uint64(b[i:])&highBits == 0 {
				i += 8
			}
			for i < len(b) && b[i] < 0x80 {
				i++
			}
			continue
		}
		// The letters of Latin-1 and Latin Extended-A (é, ü, ß, ł, ś, ...),
		// nearly every non-ASCII byte of European text, are stable under
		// NFKC: skip them without decoding.
		if i+1 < len(b) && (c == 0xC3 && b[i+1] >= 0x80 && b[i+1] <= 0xBF || (c == 0xC4 || c == 0xC5) && b[i+1] >= 0x80 && b[i+1] <= 0xBF && latinExtAStable(c, b[i+1])) {
			i += 2
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size <= 1 {
			i++
			continue
		}
		if dropRune(r) || mapRune(r) != 0 {
			return true
		}
		if norm.NFKC.QuickSpan(b[i:i+size]) != size || norm.NFKC.Properties(b[i:i+size]).CCC() != 0 {
			return true
		}
		i += size
	}
	return false
}

// latinExtAStable reports whether the Latin Extended-A letter encoded as
// (c, d) is unchanged by NFKC; the exceptions are the ligature ĳ, the
// middle-dot Ŀ ŀ, ŉ and the long s ſ.
func latinExtAStable(c, d byte) bool {
	r := rune(c&0x1F)<<6 | rune(d&0x3F)
	switch r {
	case 0x132, 0x133, 0x13F, 0x140, 0x149, 0x17F:
		return false
	}
	return true
}

// dropRune reports characters removed before matching: zero-width space,
// joiners, word joiner, BOM, soft hyphen, invisible separators.
func dropRune(r rune) bool {
	switch r {
	case 0x00AD, 0x034F, 0x180E, 0x200B, 0x200C, 0x200D, 0x200E, 0x200F,
		0x2060, 0x2061, 0x2062, 0x2063, 0x2064, 0xFEFF:
		return true
	}
	return false
}

// mapRune maps dash and space look-alikes that NFKC keeps to ASCII, and
// the decimal digits of other scripts ("٤١١١", Arabic-Indic; "४१", Devanagari),
// which NFKC keeps too, to ASCII digits.
func mapRune(r rune) byte {
	switch {
	case r >= 0x2010 && r <= 0x2015, r == 0x2212, r == 0xFE58, r == 0xFE63, r == 0xFF0D:
		return '-'
	case r == 0x00A0, r >= 0x2000 && r <= 0x200A, r == 0x202F, r == 0x205F, r == 0x3000:
		return ' '
	case r >= 0x660 && isOtherDigit(r):
		return digitValue(r)
	}
	return 0
}

// ReadsAs returns the ASCII byte the engine reads the rune r as once it has
// normalized the text (NFKC: full-width "４" and "Ａ"; look-alike dashes and
// spaces; other scripts' digits, Arabic-Indic "٤"), with ok true; c is 0
// with ok true for a rune it drops (zero-width characters, the soft
// hyphen), and ok is false for a rune it reads as anything but one ASCII
// byte. A stream guard that holds back what may be part of a finding (a
// token, a number in groups) reads runes as the engine does with it.
func ReadsAs(r rune) (c byte, ok bool) {
	if r < utf8.RuneSelf {
		return byte(r), true
	}
	if dropRune(r) {
		return 0, true
	}
	if c := mapRune(r); c != 0 {
		return c, true
	}
	var in [utf8.UTFMax]byte
	var out [4 * utf8.UTFMax]byte
	n := utf8.EncodeRune(in[:], r)
	if !norm.NFKC.IsNormal(in[:n]) {
		if o := norm.NFKC.Append(out[:0], in[:n]...); len(o) == 1 && o[0] < utf8.RuneSelf {
			return o[0], true
		} else if d, size := utf8.DecodeRune(o); size == len(o) && mapRune(d) != 0 {
			return mapRune(d), true
		}
	}
	return 0, false
}

// bmpDigits marks the decimal digits (Nd) of the Basic Multilingual Plane,
// a bit each, so that text in other scripts (every rune of a Cyrillic or
// CJK chat comes here) is not searched rune by rune through unicode.Nd.
var bmpDigits = func() (t [0x10000 / 64]uint64) {
	for _, rg := range unicode.Nd.R16 {
		for r := uint32(rg.Lo); r <= uint32(rg.Hi); r += uint32(rg.Stride) {
			t[r/64] |= 1 << (r % 64)
		}
	}
	return t
}()

func isOtherDigit(r rune) bool {
	if r < 0x10000 {
		return bmpDigits[r/64]&(1<<(r%64)) != 0
	}
	return unicode.Is(unicode.Nd, r)
}

// digitValue is the ASCII digit of r, a decimal digit (Nd): Unicode puts
// each script's digits in a run of ten from zero, and unicode.Nd's ranges
// start at a zero (TestDigitRangesStartAtZero).
func digitValue(r rune) byte {
	for _, rg := range unicode.Nd.R16 {
		if r <= rune(rg.Hi) {
			return '0' + byte((r-rune(rg.Lo))%10)
		}
	}
	for _, rg := range unicode.Nd.R32 {
		if r <= rune(rg.Hi) {
			return '0' + byte((r-rune(rg.Lo))%10)
		}
	}
	return 0
}

// normalize returns the normalized copy of b and its offset map. in is b's
// own map (nil: b starts at original offset off).
func (n *normScratch) normalize(b []byte, off int, in []int32) ([]byte, []int32) {
	out := n.buf[:0]
	m := n.omap[:0]
	hidden := n.hidden[:0]
	orig := func(k int) int32 {
		if in == nil {
			return int32(off + k)
		}
		return in[k]
	}
	n.it.Init(norm.NFKC, b)
	for !n.it.Done() {
		p := n.it.Pos()
		segOut := n.it.Next()
		o := orig(p)
		for j := 0; j < len(segOut); {
			r, size := utf8.DecodeRune(segOut[j:])
			switch {
			case dropRune(r):
				if k := int32(len(out)); len(hidden) == 0 || hidden[len(hidden)-1] != k {
					hidden = append(hidden, k)
				}
			case mapRune(r) != 0:
				out = append(out, mapRune(r))
				m = append(m, o)
			default:
				out = append(out, segOut[j:j+size]...)
				for k := 0; k < size; k++ {
					m = append(m, o)
				}
			}
			j += size
		}
	}
	m = append(m, orig(len(b)))
	n.buf, n.omap, n.hidden = out, m, hidden
	return out, m
}
