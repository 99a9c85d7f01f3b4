package gateway

import (
	"strings"
	"testing"
)

// TestPlainWord: which trailing words the output guard sends at once.
func TestPlainWord(t *testing.T) {
	cases := []struct {
		run, before, sent string
		want              bool
	}{
		{"hello", "Well, ", "", true},
		{"Hello", "", "", true},
		{"skills", "our ", "", true}, // longer than the prefix "sk": no key goes on in letters
		{"sk", "Use ", "", false},    // may become sk-proj-...
		{"s", "Use ", "", false},     // the start of "sk"
		{"github", "on ", "", false}, // github_pat_
		{"A", "", "", false},         // AKIA, AIza
		{"G", "Pay to ", "", false},  // GB82 WEST ...: an IBAN's country
		{"I", "and ", "", true},      // the word
		{"e", "header ", "", false},  // eyJ
		{"eye", "an ", "", true},     // a word that only starts like eyJ
		{"HTTP", "use ", "", false},  // capitals: codes and keys, not prose
		{"abc", "client secret ", "", false},
		{"abc", "", "the api key is ", false}, // the credential word was sent already
		{"hunter", "password: ", "", false},
		{"abc", "das Kennwort ist ", "", false}, // the classifier's credential words, in every language it knows
		{"value", "x=", "", false},
		{"abcdefghijklmnopq", "", "", false}, // over plainWordMax
		{"fine", "the weather is ", "", true},
	}
	for _, c := range cases {
		if got := plainWord([]byte(c.run), []byte(c.before), []byte(c.sent)); got != c.want {
			t.Errorf("plainWord(%q after %q, sent %q) = %v, want %v", c.run, c.before, c.sent, got, c.want)
		}
	}
}

// FuzzHoldPoint: the guard holds back at most a run of token characters
// shorter than guardWindow at the end of what it has, and sends the rest.
func FuzzHoldPoint(f *testing.F) {
	f.Add([]byte("Use key sk"), []byte("earlier text"))
	f.Add([]byte("password: hunter"), []byte(""))
	f.Add([]byte("plain words only"), []byte("the key is "))
	f.Add([]byte("card ４１１１\u3000１１１１ 4111\u200b11"), []byte(""))
	f.Fuzz(func(t *testing.T, b, sent []byte) {
		cut := holdPoint(b, sent)
		if cut < 0 || cut > len(b) {
			t.Fatalf("cut %d outside [0,%d]", cut, len(b))
		}
		if len(b)-cut >= guardWindow {
			t.Fatalf("holds %d bytes, guardWindow is %d", len(b)-cut, guardWindow)
		}
		for i := len(b); i > cut; {
			n := max(tokenBefore(b, i), spaceBefore(b, i))
			if n == 0 && strings.IndexByte("[]()", b[i-1]) >= 0 {
				n = 1
			}
			if n == 0 {
				t.Fatalf("holds %q, which is neither a token run, a number in groups nor a spelled-out address", b[cut:])
			}
			i -= n
		}
		if cut > 0 && cut < len(b) && tokenBefore(b, cut) > 0 {
			t.Fatalf("holds part of a run: sends %q, holds %q", b[:cut], b[cut:])
		}
	})
}

// TestSpelledAddressHeldWhole streams an address with its at and dots
// spelled out through the guard's hold logic, cut at every byte from its
// first bracket to its end: once the bracket of "[at]" has come, none of
// the address is sent until it is whole, so that it reaches the classifier
// in one piece. (A piece that ends before the bracket sends the local part,
// as it would an "anna@..." address's: "anna" is a word until the "@" or
// the "[" comes.)
func TestSpelledAddressHeldWhole(t *testing.T) {
	const lead = "Write to "
	for _, addr := range []string{"anna [at] example [dot] com", "j.doe(AT)shop(dot)co.uk", "lea [at] beispiel.de"} {
		text := lead + addr + " now."
		bracket := strings.IndexAny(addr, "[(")
		for cut := len(lead) + bracket + 1; cut < len(lead)+len(addr); cut++ {
			buf := []byte(text[:cut])
			if sent := buf[:holdPoint(buf, nil)]; len(sent) > len(lead) {
				t.Fatalf("%q split at %d: sent %q before the address was whole", addr, cut, sent)
			}
		}
	}
}

// TestSpelledStart: where the guard holds from, for text that may end
// inside a spelled-out address, and for text that does not.
func TestSpelledStart(t *testing.T) {
	cases := []struct {
		text string
		want string // held
	}{
		{"Write to anna [at] exa", "anna [at] exa"},
		{"Write to anna [a", "anna [a"},
		{"Write to anna [", "anna ["},
		{"Write to anna(at)example(dot)c", "anna(at)example(dot)c"},
		{"Write to anna [at] example [dot] ", "anna [at] example [dot] "},
		{"see the notes (a", "notes (a"},
		{"plain text here", ""},
		{"a list [1", "1"},
	}
	for _, c := range cases {
		b := []byte(c.text)
		if got := string(b[holdPoint(b, nil):]); got != c.want {
			t.Errorf("holdPoint(%q) holds %q, want %q", c.text, got, c.want)
		}
	}
}

// TestNumberStart: where the guard holds from, for text that may end inside
// a number written in groups, and for text that does not.
func TestNumberStart(t *testing.T) {
	for _, c := range []struct{ b, held string }{
		{"Your card 4111 1111 1111 ", "4111 1111 1111 "},
		{"Your card 4111 1111 11", "4111 1111 11"},
		{"IBAN GB82 WEST 1234 ", "GB82 WEST 1234 "},
		{"call +44 20 7946 ", "+44 20 7946 "},
		{"call (212) 555-", "(212) 555-"},
		{"call (212) ", "(212) "},
		{"call (", "("},
		{"f(", ""},
		{"I ordered 3 ", "3 "},
		{"plain words ", ""},
		{"I am OK ", ""},
		{"x(212) 555", "555"},
		{"two  spaces 1234 5678", "1234 5678"},
		// Runes the classifier reads as digits, spaces and nothing.
		{"card ４１１１ １１１１ ", "４１１１ １１１１ "},
		{"card ４１１１\u3000１１１１\u3000", "４１１１\u3000１１１１\u3000"},
		{"carte 4111\u00a01111\u202f11", "4111\u00a01111\u202f11"},
		{"card 4111\u200b1111 11", "4111\u200b1111 11"},
		{"tel +४४ २० ", "+४४ २० "},
		{"mot été 12", "12"},
		{"card 4111 - 1111 - ", "4111 - 1111 - "},
		{"card 4111 - 1111 -", "4111 - 1111 -"},
		{"pages 10 - ", "10 - "},
		{"a word - ", ""},
		{"", ""},
	} {
		b := []byte(c.b)
		if got := string(b[numberStart(b):]); got != c.held {
			t.Errorf("numberStart(%q) holds %q, want %q", c.b, got, c.held)
		}
	}
}
