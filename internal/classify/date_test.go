package classify

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// TestMonthAtKnowsEveryMonth holds monthAt's first-letters filter to the
// list: every month name, in lower, title and upper case and after "de ",
// is read as its month.
func TestMonthAtKnowsEveryMonth(t *testing.T) {
	for name, month := range monthNames {
		r, size := utf8.DecodeRuneInString(name)
		title := string(unicode.ToUpper(r)) + name[size:]
		for _, form := range []string{name, title, strings.ToUpper(name), "de " + title} {
			if form == strings.ToUpper(name) && strings.ContainsFunc(name, func(r rune) bool { return r > 0xFF }) {
				// monthAt lowers Latin-1 capitals only: "PAŹDZIERNIK" is
				// not read (an old limit, not the filter's).
				continue
			}
			b := []byte(form + " 12")
			m, end := monthAt(b, 0)
			if m != month || end != len(form) {
				t.Errorf("monthAt(%q) = %d, %d; want %d, %d", form, m, end, month, len(form))
			}
		}
	}
}

// TestMonthAtRefusesOtherWords checks words the filter refuses and words it
// lets through to the lookup alike.
func TestMonthAtRefusesOtherWords(t *testing.T) {
	for _, w := range []string{"Bestellung", "Hauptstraße", "Dorpsweg", "Mayor", "Serrano", "A", "Ä", "Émile", "Ma"} {
		if m, _ := monthAt([]byte(w+" 12"), 0); m != 0 {
			t.Errorf("monthAt(%q) = %d, want 0", w, m)
		}
	}
}
