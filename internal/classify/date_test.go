package classify

import (
	"strings"
	"testing"
	"time"
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

// A personnummer's date less than five years ago, or to come, is more
// likely the date an id was made on (a backup's, a delivery note's): it
// needs a word for a personnummer.
func TestStampDate(t *testing.T) {
	now := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		d    string
		want bool
	}{
		{"202403120930", true},
		{"2403120005", true},
		{"209912310001", true}, // to come
		{"2112280000", true},   // 28 Dec 2021: not yet five years
		{"2112030000", false},  // 3 Dec 2021: five years and a day
		{"198112289874", false},
		{"8112289874", false},
		{"8112889874", false}, // a coordination number: day 88 is the 28th
		{"2612040000", true},  // today
		{"2612050000", true},  // tomorrow: with '-', 1926 would be written with '+' (a hundred or older)
	} {
		if got := stampDate([]byte(c.d), now); got != c.want {
			t.Errorf("stampDate(%s) = %v, want %v", c.d, got, c.want)
		}
	}
}

// A personnummer dated a year ago is no finding alone, and one with a word
// for it (the dates are today's, so that the test does not age).
func TestRecentPersonnummerNeedsItsWord(t *testing.T) {
	e, _ := New(Config{})
	date := time.Now().AddDate(-1, 0, 0).Format("20060102")
	var pn string
	for c := '0'; c <= '9'; c++ {
		if d := date[2:] + "123" + string(c); sePersonnummerValid([]byte(d)) {
			pn = date + "-123" + string(c)
		}
	}
	if pn == "" {
		t.Fatal("no check digit")
	}
	if fs := e.Text([]byte("Backup created "+pn+" (daily)"), nil); len(fs) != 0 {
		t.Errorf("a backup's stamp gave %v", fs)
	}
	if fs := e.Text([]byte("personnummer "+pn), nil); len(fs) != 1 || fs[0].Type != SEPersonnummer {
		t.Errorf("with its word: %v", fs)
	}
}
