package classify

import (
	"testing"
	"unicode"
)

// digitValue relies on every range of unicode.Nd being whole runs of ten
// digits that start at a zero.
func TestDigitRangesStartAtZero(t *testing.T) {
	check := func(lo, hi, stride uint32) {
		if stride != 1 || (hi-lo+1)%10 != 0 {
			t.Errorf("Nd range %#x-%#x (stride %d) is not runs of ten", lo, hi, stride)
		}
	}
	for _, r := range unicode.Nd.R16 {
		check(uint32(r.Lo), uint32(r.Hi), uint32(r.Stride))
	}
	for _, r := range unicode.Nd.R32 {
		check(r.Lo, r.Hi, r.Stride)
	}
	for _, c := range []struct {
		r    rune
		want byte
	}{{'٤', '4'}, {'٠', '0'}, {'۹', '9'}, {'४', '4'}, {'๗', '7'}, {'᠑', '1'}, {0x1D7D8, '0'}} {
		if got := digitValue(c.r); got != c.want {
			t.Errorf("digitValue(%q) = %q, want %q", c.r, got, c.want)
		}
	}
}

// Digits of other scripts are read as the digits they are, with spans on
// the original bytes.
func TestOtherScriptsDigitsNormalize(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"card ٤١١١١١١١١١١١١١١١", "card 4111111111111111"},
		{"tel ०३० १२३४५६७८", "tel 030 12345678"},
		{"٣", "3"},
	} {
		if !needsNormalization([]byte(c.in)) {
			t.Errorf("%q: needsNormalization = false", c.in)
		}
		var n normScratch
		out, m := n.normalize([]byte(c.in), 0, nil)
		if string(out) != c.want {
			t.Errorf("normalize(%q) = %q, want %q", c.in, out, c.want)
		}
		if len(m) != len(out)+1 || int(m[len(out)]) != len(c.in) {
			t.Errorf("normalize(%q): map %v does not end at the original's end", c.in, m)
		}
	}
}
