package classify

import "unicode/utf8"

// Candidates that start with an upper-case letter: IBANs, UK NINOs, Italian
// fiscal codes, Spanish NIEs, UK postcodes, AWS/GCP/SendGrid/Twilio keys,
// month-first dates and person names.

// onUpper handles an upper-case ASCII letter.
func (s *scanner) onUpper(b []byte, i int) int {
	if !wordStartAt(b, i) {
		// A JWT starts "eyJ": the 'J' is the first trigger in it.
		if b[i] == 'J' && i >= 2 && b[i-2] == 'e' && b[i-1] == 'y' && secretStartAt(b, i-2) {
			if e := s.jwt(b, i-2); e > 0 {
				return e
			}
		}
		if b[i-1] >= 0x80 && highBoundaryBefore(b, i) {
			// After a typographic quote: "„AKIA…", "ist „Hunde2019“".
			if e := s.upperSecret(b, i, skipAlnum(b, i)); e > 0 {
				return e
			}
			if e := s.spokenAt(b, i); e > 0 {
				return e
			}
		}
		return skipAlnum(b, i)
	}
	// One pass over the token: where it ends, and which classes it holds.
	j, held := i+1, uint8(0)
	for j < len(b) {
		cl := charClass[b[j]]
		if cl&(cUpper|cLower|cDigit) == 0 {
			break
		}
		held |= cl
		j++
	}
	digits, lowers := held&cDigit != 0, held&cLower != 0
	if j < len(b) && b[j] >= 0x80 {
		if highBoundary(b, j) { // "AKIA…“": a key before a typographic quote
			if e := s.upperSecret(b, i, j); e > 0 {
				return e
			}
		}
		// "Léa", "Jürgen": a capitalized word with letters beyond ASCII.
		return s.joinedNameAt(b, i, nameWordEnd(b, i))
	}
	if e := s.upperSecret(b, i, j); e > 0 {
		return e
	}
	if !lowers && j-i >= 2 {
		if digits {
			if e := s.spokenAt(b, i); e > 0 {
				return e // "my password is HUNTER2024"
			}
		}
		if e := s.upperCode(b, i, j, digits); e > 0 {
			return e
		}
	}
	if !digits && lowers {
		// "March 12, 1985": only a word followed by a day can be a month.
		k := j
		if k < len(b) && b[k] == '.' {
			k++
		}
		if k+1 < len(b) && b[k] == ' ' && isDigit(b[k+1]) {
			if e := s.monthDayDate(b, i); e > 0 {
				return e
			}
		}
		if j < len(b) && (b[j] == '-' || b[j] == '\'') {
			return s.joinedNameAt(b, i, nameWordEnd(b, i)) // "Jean-Luc", "O'Brien"
		}
		return s.nameAt(b, i, j)
	}
	if digits && lowers {
		// An IBAN a phone's keyboard capitalized: "De89 3704 0044 ...".
		if j-i >= 4 && isLower(b[i+1]) && isDigit(b[i+2]) && isDigit(b[i+3]) {
			if e := s.iban(b, i); e > 0 {
				return e
			}
		}
		if e := s.spokenAt(b, i); e > 0 {
			return e // "my password is Sommer2024!"
		}
		// "Rssmra85t10a562s", "X1234567l": an id typed in mixed case.
		if e := s.foldedID(b, i, j); e > 0 {
			return e
		}
	}
	if j-i == 1 && (b[i] == 'X' || b[i] == 'Y' || b[i] == 'Z') {
		return max(s.separatedNIE(b, i), j) // "X-1234567-L"
	}
	return j
}

// onHigh handles a byte >= 0x80: an upper-case letter outside ASCII may start
// a name ("Łukasz", "Émile", "Ørsted"); everything else is skipped.
func (s *scanner) onHigh(b []byte, i int) int {
	r, size := utf8.DecodeRune(b[i:])
	if size <= 1 {
		return i + 1
	}
	if wordStartAt(b, i) && isUpperRune(r) {
		return s.joinedNameAt(b, i, nameWordEnd(b, i))
	}
	// skip the rest of the word
	j := i + size
	if j < len(b) && isAlnum(b[j]) && !wordRune(r) {
		return j // a quote before a word is no part of it: "„AKIA…", "«Anna»"
	}
	for j < len(b) && (isAlpha(b[j]) || b[j] >= 0x80) {
		j++
	}
	return j
}

func isUpperRune(r rune) bool {
	switch {
	case r >= 0xC0 && r <= 0xDE && r != 0xD7:
		return true
	case r >= 0x100 && r <= 0x17F:
		return r%2 == 0 && r != 0x138 || r == 0x139 || r == 0x13B || r == 0x13D || r == 0x13F || r == 0x141 ||
			r == 0x143 || r == 0x145 || r == 0x147 || r == 0x179 || r == 0x17B || r == 0x17D
	}
	return false
}

// upperCode handles all-caps alphanumeric tokens [i,j).
func (s *scanner) upperCode(b []byte, i, j int, digits bool) int {
	tok := b[i:j]
	n := len(tok)
	// IBAN: CC99 then BBAN, possibly in groups of four.
	if ibanStart(tok) {
		if e := s.iban(b, i); e > 0 {
			return e
		}
	}
	if n == 8 && (tok[0] == 'X' || tok[0] == 'Y' || tok[0] == 'Z') {
		if e := s.separatedNIE(b, i); e > 0 {
			return e // "X1234567-L"
		}
	}
	// Italian codice fiscale (16 characters), Spanish NIE (X/Y/Z, 7 digits,
	// a letter), UK NINO in one piece.
	if e := s.foldedID(b, i, j); e > 0 {
		return e
	}
	// UK NINO in groups: "AB 12 34 56 C".
	if e := s.nino(b, i, j); e > 0 {
		return e
	}
	// UK postcode: outward code "SW1A", "M1", "EC1A" + inward "1AA".
	if digits && n >= 2 && n <= 4 {
		if e := s.ukPostcode(b, i, j); e > 0 {
			return e
		}
	}
	if digits && n >= 5 && n <= 7 && ukPostcodeJoined(tok) {
		conf := 0.4
		if s.postcodeBacked(i, j) {
			conf = 0.85
		}
		s.add(Postcode, "", i, j, conf)
		return j
	}
	// "DUPONT Jean": a surname in capitals before a first name.
	if !digits && j+2 < len(b) && b[j] == ' ' && isUpper(b[j+1]) && isLower(b[j+2]) &&
		s.nameFlags(b, i, j)&nameSurname != 0 {
		if e := s.surnameFirst(b, i, j); e > j {
			return e
		}
	}
	// "ANNA SCHMIDT": a first name and a listed surname, both in capitals.
	if !digits && j+2 < len(b) && b[j] == ' ' && isUpper(b[j+1]) && isUpper(b[j+2]) {
		if e := s.capitalsName(b, i, j); e > j {
			return e
		}
	}
	return 0
}

// separatedNIE reads a Spanish NIE written with separators at i: "X-1234567-L",
// "X1234567-L", "X 1234567 L", "X.1234567.L".
func (s *scanner) separatedNIE(b []byte, i int) int {
	var nie [9]byte
	nie[0] = b[i]
	k, seps := i+1, 0
	if k < len(b) && (b[k] == '-' || b[k] == ' ' || b[k] == '.') {
		k++
		seps++
	}
	if k+8 > len(b) || !allDigits(b[k:k+7]) {
		return 0
	}
	copy(nie[1:8], b[k:k+7])
	k += 7
	if b[k] == '-' || b[k] == ' ' || b[k] == '.' {
		k++
		seps++
	}
	if seps == 0 || k >= len(b) || !isAlpha(b[k]) || !wordEndAt(b, k+1) || !esNIEValid(nie[0], nie[1:8], upperASCII(b[k])) {
		return 0
	}
	conf := 0.75
	if isLower(b[k]) {
		conf = 0.45
	}
	s.add(ESNIE, "", i, k+1, s.ctxAdjust(i, k+1, conf, kwNIE, 0.15))
	return k + 1
}

// foldedID reads the ids of one token [i,j) whose letters are capitals in
// print and typed in any case in chats and forms: a codice fiscale
// ("RSSMRA85T10A562S", "rssmra85t10a562s"), a Spanish NIE ("X1234567L",
// "x1234567l") and a UK NINO ("AB123456C", "ab123456c"). The checks run on
// a capitals copy; the spans are the same. With lower-case letters a NIE
// and a NINO (which has no check character) need a context word, the shapes
// being common enough in identifiers ("x1234567l" in a log); a codice
// fiscale's sixteen characters and check character do not.
func (s *scanner) foldedID(b []byte, i, j int) int {
	n := j - i
	if n != 9 && n != 16 || !wordEndAt(b, j) {
		return 0
	}
	var buf [16]byte
	up, lower := buf[:n], false
	for k, c := range b[i:j] {
		up[k] = upperASCII(c)
		lower = lower || isLower(c)
	}
	nie, nino := 0.8, 0.75
	if lower {
		nie, nino = 0.45, 0.45
	}
	switch {
	case n == 16 && itFiscalCodeValid(up):
		s.add(ITFiscalCode, "", i, j, s.ctxAdjust(i, j, 0.9, kwCF, 0.09))
		return j
	case (up[0] == 'X' || up[0] == 'Y' || up[0] == 'Z') && allDigits(up[1:8]) && isUpper(up[8]) && esNIEValid(up[0], up[1:8], up[8]):
		s.add(ESNIE, "", i, j, s.ctxAdjust(i, j, nie, kwNIE, 0.15))
		return j
	case isUpper(up[0]) && isUpper(up[1]) && ukNINOPrefixOK(up[0], up[1]) && allDigits(up[2:8]) && up[8] >= 'A' && up[8] <= 'D':
		s.add(UKNINO, "", i, j, s.ctxAdjust(i, j, nino, kwNINO, 0.2))
		return j
	}
	return 0
}

// ibanStart reports a token that begins as an IBAN does: two capital
// letters (the country) and two digits (the check).
func ibanStart(t []byte) bool {
	return len(t) >= 4 && isUpper(t[0]) && isUpper(t[1]) && isDigit(t[2]) && isDigit(t[3])
}

// iban reads "DE89370400440532013000" or "DE89 3704 0044 0532 0130 00" at i,
// its groups split by spaces, dashes or dots (mixed too), its letters in
// either case. A grouped IBAN may run into a following code: trailing
// groups are dropped until the checksum holds.
func (s *scanner) iban(b []byte, i int) int {
	var buf [40]byte
	var ends, ns [12]int
	n, g := 0, 0
	j := i
	for j < len(b) && n < 34 {
		c := b[j]
		if isAlnum(c) {
			buf[n] = upperASCII(c)
			n++
			j++
			continue
		}
		// A group ends at a separator, one byte or a spaced dash ("DE89 -
		// 3704 - ..."), before the next group's first character.
		w := 0
		switch {
		case (c == ' ' || c == '-' || c == '.') && j+1 < len(b) && isAlnum(b[j+1]):
			w = 1
		case c == ' ' && j+2 < len(b) && b[j+1] == ' ' && isAlnum(b[j+2]):
			w = 2 // "DE89  3704  0044 ...", as text pasted from a PDF has it
		case spacedDashAt(b, j) && isAlnum(b[j+3]):
			w = 3
		}
		if w > 0 && n%4 == 0 && g < 10 {
			ends[g], ns[g] = j, n
			g++
			j += w
			continue
		}
		break
	}
	if j >= len(b) || !isWordByte(b[j]) {
		ends[g], ns[g] = j, n
		g++
	}
	for k := g - 1; k >= 0; k-- {
		if ns[k] >= 15 && ibanValid(buf[:ns[k]]) {
			s.add(IBAN, "", i, ends[k], 0.95)
			return ends[k]
		}
	}
	return 0
}

func (s *scanner) nino(b []byte, i, j int) int {
	if !isUpper(b[i]) || !isUpper(b[i+1]) || !ukNINOPrefixOK(b[i], b[i+1]) {
		return 0
	}
	var d [6]byte
	n := 0
	k := i + 2
	for n < 6 && k < len(b) {
		if isDigit(b[k]) {
			d[n] = b[k]
			n++
			k++
			continue
		}
		if b[k] == ' ' && n%2 == 0 && k+1 < len(b) && isDigit(b[k+1]) {
			k++
			continue
		}
		break
	}
	if n != 6 {
		return 0
	}
	if k < len(b) && b[k] == ' ' && k+1 < len(b) && b[k+1] >= 'A' && b[k+1] <= 'D' {
		k++
	}
	if k >= len(b) || b[k] < 'A' || b[k] > 'D' || !wordEndAt(b, k+1) {
		return 0
	}
	e := k + 1
	s.add(UKNINO, "", i, e, s.ctxAdjust(i, e, 0.75, kwNINO, 0.2))
	return e
}

// ukOutward checks an outward code: A9, A99, AA9, AA99, A9A, AA9A.
func ukOutward(t []byte) bool {
	switch len(t) {
	case 2:
		return isUpper(t[0]) && isDigit(t[1])
	case 3:
		return isUpper(t[0]) && (isDigit(t[1]) && (isDigit(t[2]) || isUpper(t[2])) || isUpper(t[1]) && isDigit(t[2]))
	case 4:
		return isUpper(t[0]) && isUpper(t[1]) && isDigit(t[2]) && (isDigit(t[3]) || isUpper(t[3]))
	}
	return false
}

func ukInward(t []byte) bool {
	return len(t) == 3 && isDigit(t[0]) && isUpper(t[1]) && isUpper(t[2])
}

func ukPostcodeJoined(t []byte) bool {
	return len(t) >= 5 && ukInward(t[len(t)-3:]) && ukOutward(t[:len(t)-3])
}

func (s *scanner) ukPostcode(b []byte, i, j int) int {
	if !ukOutward(b[i:j]) || j+4 > len(b) || b[j] != ' ' || !ukInward(b[j+1:j+4]) || !wordEndAt(b, j+4) {
		return 0
	}
	e := j + 4
	conf := 0.55
	if s.postcodeBacked(i, e) {
		conf = 0.9
	}
	s.add(Postcode, "", i, e, s.ctxAdjust(i, e, conf, 0, 0))
	return e
}
