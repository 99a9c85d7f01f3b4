package classify

import (
	"encoding/binary"
	"strings"
	"testing"
)

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

// mayHave, the first-byte and length filter before a word is lowered,
// never refuses a word whose lowered form is a member: the members of the
// address sets in any case, and every word of one to three letters in mixed
// case. It does refuse the words numbers stand next to in product text.
func TestWordSetMayHaveRefusesNoMember(t *testing.T) {
	sets := map[string]*wordSet{"streetTypesEN": streetTypesEN, "streetTypesFR": streetTypesFR,
		"streetPrefixes": streetPrefixes, "particles": particles}
	var words []string
	for a := 'a'; a <= 'z'; a++ {
		words = append(words, string(a), string(a)+"B", string(a-32)+"e", string(a)+"Ue", string(a-32)+"l'")
	}
	for name, s := range sets {
		var members []string
		for _, sl := range s.slots {
			if sl.n != 0 {
				members = append(members, memberOf(sl))
			}
		}
		for _, m := range members {
			words = append(words, m, strings.ToUpper(m), strings.ToUpper(m[:1])+m[1:])
		}
		for _, w := range words {
			var buf [32]byte
			if lw := lowerWord(&buf, []byte(w)); s.has(lw) && !s.mayHave([]byte(w)) {
				t.Errorf("%s: mayHave(%q) refuses a member", name, w)
			}
		}
		for _, w := range []string{"days", "hours", "within", "weighs", "fits"} {
			if s.mayHave([]byte(w)) {
				t.Errorf("%s: mayHave(%q) lets a product word through", name, w)
			}
		}
	}
}

// memberOf reads a word back from its slot (the words of up to 16 bytes
// that endWords keeps whole).
func memberOf(sl wordSetSlot) string {
	n := int(sl.n)
	var b [16]byte
	switch {
	case n >= 8:
		binary.LittleEndian.PutUint64(b[:], sl.w0)
		binary.LittleEndian.PutUint64(b[n-8:], sl.w1)
	case n >= 4:
		binary.LittleEndian.PutUint32(b[:], uint32(sl.w0))
		binary.LittleEndian.PutUint32(b[n-4:], uint32(sl.w1))
	default:
		b[0], b[n/2], b[n-1] = byte(sl.w0), byte(sl.w0>>8), byte(sl.w1)
	}
	return string(b[:n])
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
