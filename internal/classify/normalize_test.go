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

// ReadsAs says of every rune of the Basic Multilingual Plane what the
// normalizer makes of it alone: one ASCII byte, nothing, or anything else.
func TestReadsAsAgreesWithNormalize(t *testing.T) {
	var n normScratch
	reads, drops := 0, 0
	for r := rune(0); r < 0x10000; r++ {
		if r >= 0xD800 && r <= 0xDFFF {
			continue // surrogates are no runes
		}
		in := []byte(string(r))
		out := in
		if needsNormalization(in) {
			out, _ = n.normalize(in, 0, nil)
		}
		c, ok := ReadsAs(r)
		switch {
		case len(out) == 0:
			if !ok || c != 0 {
				t.Errorf("%U is dropped, ReadsAs = %q, %v", r, c, ok)
			}
			drops++
		case len(out) == 1 && out[0] < 0x80:
			if !ok || c != out[0] {
				t.Errorf("%U reads as %q, ReadsAs = %q, %v", r, out, c, ok)
			}
			if r >= 0x80 {
				reads++
			}
		default:
			if ok {
				t.Errorf("%U reads as %q, ReadsAs = %q, true", r, out, c)
			}
		}
	}
	// Full-width forms alone are 94, the other scripts' digits hundreds.
	if reads < 300 || drops < 10 {
		t.Errorf("%d runes read as ASCII, %d dropped: the loop checked too little", reads, drops)
	}
}

func TestReadsAs(t *testing.T) {
	cases := []struct {
		r  rune
		c  byte
		ok bool
	}{
		{'a', 'a', true}, {'４', '4', true}, {'Ａ', 'A', true}, {'－', '-', true}, {'٤', '4', true},
		{'४', '4', true}, {'\u200b', 0, true}, {'\u00ad', 0, true}, {'\u00a0', ' ', true},
		{'\u3000', ' ', true}, {'–', '-', true}, {'é', 0, false}, {'中', 0, false}, {'ﬁ', 0, false},
	}
	for _, c := range cases {
		if got, ok := ReadsAs(c.r); got != c.c || ok != c.ok {
			t.Errorf("ReadsAs(%q) = %q, %v, want %q, %v", c.r, got, ok, c.c, c.ok)
		}
	}
}
