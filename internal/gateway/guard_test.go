package gateway

import "testing"

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
	f.Fuzz(func(t *testing.T, b, sent []byte) {
		cut := holdPoint(b, sent)
		if cut < 0 || cut > len(b) {
			t.Fatalf("cut %d outside [0,%d]", cut, len(b))
		}
		if len(b)-cut >= guardWindow {
			t.Fatalf("holds %d bytes, guardWindow is %d", len(b)-cut, guardWindow)
		}
		for _, c := range b[cut:] {
			if !isTokenByte(c) {
				t.Fatalf("holds %q, which is not a token run", b[cut:])
			}
		}
		if cut > 0 && cut < len(b) && isTokenByte(b[cut-1]) {
			t.Fatalf("holds part of a run: sends %q, holds %q", b[cut-1:cut], b[cut:])
		}
	})
}
