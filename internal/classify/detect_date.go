package classify

import "time"

// Dates count only as dates of birth: near a birth word ("born", "geboren",
// "né le", "nacido", ...) or under a birth-date key. A date alone is weak.

// monthNames maps lower-case month names and abbreviations (en, de, fr, es,
// it, nl, sv, pl, including Polish genitive forms used in dates) to 1..12.
var monthNames = map[string]int{}

func init() {
	lists := [][]string{
		{"january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"},
		{"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"},
		{"januar", "februar", "märz", "april", "mai", "juni", "juli", "august", "september", "oktober", "november", "dezember"},
		{"jän", "feb", "mär", "apr", "mai", "jun", "jul", "aug", "sept", "okt", "nov", "dez"},
		{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"},
		{"janvier", "fevrier", "mars", "avril", "mai", "juin", "juillet", "aout", "septembre", "octobre", "novembre", "decembre"},
		{"enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre"},
		{"gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto", "settembre", "ottobre", "novembre", "dicembre"},
		{"januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober", "november", "december"},
		{"januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober", "november", "december"},
		{"stycznia", "lutego", "marca", "kwietnia", "maja", "czerwca", "lipca", "sierpnia", "września", "października", "listopada", "grudnia"},
		{"styczeń", "luty", "marzec", "kwiecień", "maj", "czerwiec", "lipiec", "sierpień", "wrzesień", "październik", "listopad", "grudzień"},
	}
	for _, l := range lists {
		for i, m := range l {
			if _, ok := monthNames[m]; !ok {
				monthNames[m] = i + 1
			}
		}
	}
	monthNames["sept"] = 9
	monthNames["setiembre"] = 9
	monthNames["maerz"] = 3
	for m := range monthNames {
		if m[0] < 0x80 && m[1] < 0x80 {
			k := monthStart(m[0], m[1])
			monthStarts[k/64] |= 1 << (k % 64)
		}
	}
}

// monthStarts marks the first two letters of the month names (by
// monthStart) where both are ASCII, so that most capitalized words before
// a number ("Bestellung 123", "Hauptstraße 5") are refused before they are
// lower-cased and looked up. A word whose first two bytes are not both
// ASCII is looked up: no month's bit can answer for it.
var monthStarts [16]uint64

// monthStart is the bit of two ASCII letters, case folded: ten bits of the
// letters' five low bits, which differ between any two letters.
func monthStart(a, b byte) uint { return uint(a&31)<<5 | uint(b&31) }

// mayStartMonth reports whether the word at i may be a month name.
func mayStartMonth(b []byte, i int) bool {
	if i+1 >= len(b) || b[i] >= 0x80 || b[i+1] >= 0x80 {
		return true
	}
	k := monthStart(b[i], b[i+1])
	return monthStarts[k/64]&(1<<(k%64)) != 0
}

// maxBirthYear bounds plausible birth years.
var maxBirthYear = time.Now().Year()

func plausibleDOB(d, m, y int) bool {
	return y >= 1900 && y <= maxBirthYear && calendarDate(d, m, y)
}

// calendarDate reports a day d of a month m that year y has.
func calendarDate(d, m, y int) bool {
	return m >= 1 && m <= 12 && d >= 1 && d <= daysIn(m, y)
}

// dobCand emits a date candidate whose confidence depends on birth context.
// A date given as a deadline, a start or a release is none, whatever birth
// word is near ("Happy Birthday Anna! 20% off until 31.03.2024", "Kunde
// seit 03.03.2015, Geburtstagsrabatt").
func (s *scanner) dobCand(start, end int) {
	conf := 0.2
	if s.keyConfirms(DateOfBirth) || s.near(start, end, kwDOB, 48, 12) && !wordInBefore(s.seg, start, notBirthWords) {
		conf = 0.9
	}
	s.add(DateOfBirth, "", start, end, conf)
}

// notBirthWords, right before a date, make it a deadline's, a start's or
// a release's ("jusqu'au 31.12.2024" is read by its "au").
var notBirthWords = set("until", "till", "before", "expires", "valid", "since", "released", "bis", "gültig", "seit",
	"ab", "au", "avant", "depuis", "hasta", "desde", "antes", "fino", "entro", "dal", "tot", "sinds", "sedan",
	"från", "ważny", "ważna", "od")

// numericDate handles D.M.Y, D/M/Y, M/D/Y, Y-M-D, D-M-Y and D.M.YY (any
// one separator for a two-digit year).
func (s *scanner) numericDate(b []byte, r *numRun, start, end int) bool {
	g := func(k int) (int, int) { return atoi(b[r.gs[k]:r.ge[k]]), r.ge[k] - r.gs[k] }
	a, la := g(0)
	m, lm := g(1)
	y, ly := g(2)
	if lm > 2 || lm < 1 {
		return false
	}
	switch {
	case la == 4 && ly <= 2: // Y-M-D
		a, y = y, a
	case la <= 2 && ly == 4: // D.M.Y or M/D/Y
	case la <= 2 && ly == 2 && r.sep[0] == r.sep[1] && r.sep[0] != ' ': // D.M.YY, D/M/YY, D-M-YY
		y = birthCentury(y)
	default:
		return false
	}
	if la <= 2 && a <= 12 && m > 12 { // M/D/Y, M-D-Y: no month 13 or more
		a, m = m, a
	}
	if !plausibleDOB(a, m, y) {
		// A date no one alive was born on is a date still, and no
		// phone: "best before 03.03.2027", "Garantie bis 01.02.2027".
		return y >= 1000 && y < 2200 && calendarDate(a, m, y)
	}
	s.dobCand(start, end)
	return true
}

// monthAt reads a month name at i (after optional "de "), returning month and
// the end of the word, or 0.
func monthAt(b []byte, i int) (int, int) {
	if hasPrefixFold(b, i, "de ") {
		i += 3
	}
	if !mayStartMonth(b, i) {
		return 0, 0
	}
	j := i
	for j < len(b) && (isAlpha(b[j]) || b[j] >= 0x80) && j-i < 16 {
		j++
	}
	if j == i || j-i >= 16 {
		return 0, 0
	}
	var buf [32]byte
	w := lowerWord(&buf, b[i:j]) // "MÄRZ", "PAŹDZIERNIKA"
	m, ok := monthNames[string(w)]
	if !ok {
		return 0, 0
	}
	if j < len(b) && b[j] == '.' {
		j++
	}
	return m, j
}

// yearAt reads ", 1985", " 1985", " de 1985" at i; returns year and end.
func yearAt(b []byte, i int) (int, int) {
	for i < len(b) && (b[i] == ' ' || b[i] == ',') {
		i++
	}
	if hasPrefixFold(b, i, "de ") {
		i += 3
	}
	if i+4 <= len(b) && allDigits(b[i:i+4]) && wordEndAt(b, i+4) {
		return atoi(b[i : i+4]), i + 4
	}
	return 0, 0
}

// shortYearAt reads a two-digit year after a month's name and a space at
// i ("4 March 85", birthCentury), or 0; not the hour of a time ("4 March
// 10:30").
func shortYearAt(b []byte, i int) (int, int) {
	if i >= len(b) || b[i] != ' ' {
		return 0, 0
	}
	i++
	if i+2 > len(b) || !isDigit(b[i]) || !isDigit(b[i+1]) || !wordEndAt(b, i+2) ||
		i+3 < len(b) && (b[i+2] == ':' || b[i+2] == '.' || b[i+2] == ',') && isDigit(b[i+3]) {
		return 0, 0
	}
	return birthCentury(atoi(b[i : i+2])), i + 2
}

// birthCentury is the birth year of a two-digit year: in this century when
// that is no later than maxBirthYear, else in the one before ("85" is 1985,
// "03" 2003).
func birthCentury(yy int) int {
	if y := 2000 + yy; y <= maxBirthYear {
		return y
	}
	return 1900 + yy
}

// dayMonthDate handles "12 March 1985", "12. März 1985", "12 de marzo de
// 1985", "3rd May 1990", "1st of May 1990", "1er mars 1990" and
// "03-Mar-1985" after a 1-2 digit day at [start,end).
func (s *scanner) dayMonthDate(b []byte, start, end int) int {
	day := atoi(b[start:end])
	if day < 1 || day > 31 {
		return 0
	}
	i := end
	if i < len(b) && b[i] == '.' {
		i++
	} else if ordinalAt(b, i) {
		i += 2
	}
	if i >= len(b) {
		return 0
	}
	sep := b[i]
	var m, j, y, e int
	switch sep {
	case ' ':
		i++
		if hasPrefixFold(b, i, "of ") {
			i += 3
		}
		if m, j = monthAt(b, i); m > 0 {
			if y, e = yearAt(b, j); y == 0 {
				y, e = shortYearAt(b, j) // "4 March 85"
			}
		}
	case '-', '/':
		// "03-Mar-1985": the month's name between the same separators.
		if m, j = monthAt(b, i+1); m > 0 && j < len(b) && b[j] == sep && b[j-1] != '.' {
			y, e = yearAt(b, j+1)
		}
	}
	if y == 0 || !plausibleDOB(day, m, y) {
		return 0
	}
	s.dobCand(start, e)
	return e
}

// ordinalAt reports an ordinal suffix at i that ends a word: "3rd", "1st",
// "21st", "1er" (fr).
func ordinalAt(b []byte, i int) bool {
	return i+2 <= len(b) && (hasPrefixFold(b, i, "st") || hasPrefixFold(b, i, "nd") || hasPrefixFold(b, i, "rd") ||
		hasPrefixFold(b, i, "th") || hasPrefixFold(b, i, "er")) && wordEndAt(b, i+2)
}

// monthDayDate handles "March 12, 1985" at a capitalized month word.
func (s *scanner) monthDayDate(b []byte, i int) int {
	m, j := monthAt(b, i)
	if m == 0 || j >= len(b) || b[j] != ' ' {
		return 0
	}
	k := j + 1
	ds := k
	for k < len(b) && isDigit(b[k]) && k-ds < 2 {
		k++
	}
	if k == ds || (k < len(b) && isDigit(b[k])) {
		return 0
	}
	day := atoi(b[ds:k])
	if ordinalAt(b, k) {
		k += 2
	}
	y, e := yearAt(b, k)
	if y == 0 || !plausibleDOB(day, m, y) {
		return 0
	}
	s.dobCand(i, e)
	return e
}
