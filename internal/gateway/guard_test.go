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
