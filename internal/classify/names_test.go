package classify

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// foldSlow is lookupUnicode's folding without its Latin table: every rune
// through unicode.ToLower.
func foldSlow(w []byte) []byte {
	var out []byte
	for i := 0; i < len(w); {
		r, size := utf8.DecodeRune(w[i:])
		if r < 0x80 {
			out = append(out, lowerASCII(byte(r)))
		} else {
			out = utf8.AppendRune(out, unicode.ToLower(r))
		}
		i += size
	}
	return out
}

// Names with letters beyond ASCII are found the same with the Latin table as
// with unicode.ToLower: every listed name, capitalized and in capitals, and
// random words of Latin-1 and Latin Extended-A letters.
func TestLookupUnicodeFoldsLikeToLower(t *testing.T) {
	loadNames()
	tab := names.table
	var words []string
	for w := range names.dict {
		if !utf8.ValidString(w) || len(w) > 56 {
			continue
		}
		r, size := utf8.DecodeRuneInString(w)
		words = append(words, string(unicode.ToUpper(r))+w[size:], strings.ToUpper(w), w)
	}
	rng := rand.New(rand.NewPCG(7, 8))
	for range 20000 {
		var sb strings.Builder
		for n := 1 + rng.IntN(8); n > 0; n-- {
			if rng.IntN(3) == 0 {
				sb.WriteByte(byte('a' + rng.IntN(26)))
			} else {
				sb.WriteRune(rune(0xC0 + rng.IntN(0x180-0xC0)))
			}
		}
		words = append(words, sb.String())
	}
	found := 0
	for _, w := range words {
		b := []byte(w)
		k := foldSlow(b)
		want := uint8(0)
		if len(k) <= 60 {
			want = tab.find(foldHash(k), k)
		}
		got := tab.lookupUnicode(b)
		if got != want {
			t.Fatalf("%q: flags %d with the Latin table, %d with unicode.ToLower", w, got, want)
		}
		if got != 0 && !isASCIIString(w) {
			found++
		}
	}
	if found < 50 {
		t.Fatalf("only %d non-ASCII names found: the comparison checks too little", found)
	}
}

func isASCIIString(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
