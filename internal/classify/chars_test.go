package classify

import "testing"

// The email byte table says what the definitions of local-part and domain
// bytes say, for every byte.
func TestEmailCharsMatchTheirDefinitions(t *testing.T) {
	for c := range 256 {
		b := byte(c)
		local := isAlnum(b) || b == '.' || b == '_' || b == '%' || b == '+' || b == '-' || b == '\'' || b >= 0x80
		domain := isAlnum(b) || b == '-' || b >= 0x80
		if localChar(b) != local || domainChar(b) != domain {
			t.Errorf("byte %#x: localChar %v domainChar %v, want %v %v", b, localChar(b), domainChar(b), local, domain)
		}
	}
}

// A wordSet holds exactly its members: every member, and no other word of
// up to 16 bytes among their prefixes, extensions, one-byte changes and all
// words of one to three lower-case letters.
func TestWordSetHoldsExactlyItsMembers(t *testing.T) {
	members := []string{"street", "st", "rue", "allée", "rond-point", "c/", "l'", "y", "travesía", "piazzale",
		"boulevard", "sq", "abcdefghijklmnop"}
	s := set(members...)
	in := map[string]bool{}
	for _, w := range members {
		in[w] = true
		if !s.has([]byte(w)) {
			t.Errorf("%q: member not found", w)
		}
	}
	check := func(w string) {
		if s.has([]byte(w)) != in[w] {
			t.Errorf("%q: has %v, want %v", w, s.has([]byte(w)), in[w])
		}
	}
	for _, w := range members {
		for k := 0; k < len(w); k++ {
			check(w[:k])
			check(w[k:])
			for _, c := range []byte{'a', 'z', '.', 0, 0xC3, w[k] ^ 0x20, w[k] + 1} {
				b := []byte(w)
				b[k] = c
				check(string(b))
			}
		}
		check(w + "s")
		check("x" + w)
	}
	for a := 'a'; a <= 'z'; a++ {
		check(string(a))
		for b := 'a'; b <= 'z'; b++ {
			check(string(a) + string(b))
			for c := 'a'; c <= 'z'; c++ {
				check(string(a) + string(b) + string(c))
			}
		}
	}
	if s.has(nil) || s.has([]byte("abcdefghijklmnopq")) {
		t.Error("the empty word and words over 16 bytes are never members")
	}
}

// TestLowerWord: ASCII and the two-byte letters of Latin-1 and Latin
// Extended-A are lowered, every other byte is kept, and the length with it.
func TestLowerWord(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"MÄRZ", "märz"},
		{"PAŹDZIERNIKA", "października"},
		{"WRZEŚNIA", "września"},
		{"ŁÓDŹ", "łódź"},
		{"DÉCEMBRE", "décembre"},
		{"Straße", "straße"},
		{"×÷", "×÷"},       // signs, not letters: the old lowering made × a ÷
		{"İ", "İ"},         // its lower case is one byte: kept
		{"ΣΟΦΙΑ", "ΣΟΦΙΑ"}, // beyond Latin Extended-A: kept
		{"\xc5", "\xc5"},   // a lead byte alone
		{"a1-B_C", "a1-b_c"},
	} {
		var buf [32]byte
		if got := string(lowerWord(&buf, []byte(c.in))); got != c.want {
			t.Errorf("lowerWord(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
