package classify

import (
	"encoding/binary"
	"unicode/utf8"
)

// Key-explained values. A short JSON value under a key that names what it
// is, in a shape that leaves no room for anything else, is answered from the
// key and the shape, without running every detector over it:
//
//   - under a key that names a type (Email, Phone, FirstName, Birthdate,
//     MailingPostalCode, ip_address, card_number) the value is reported
//     whole, as keyValue would report it, at the 0.95 the key gives;
//   - a street (MailingStreet) is read by the address detector alone, and
//     kept only where it covers the whole value;
//   - under a key that says "identifier" (Id, sku, order_number, created_at,
//     price) plain ids, timestamps and decimals hold nothing, nor does a
//     one-word city, one capitalized word under any other key ("LeadSource":
//     "Web") or a Salesforce record's attributes.url.
//
// In customer records and orders such values are most of the members:
// answering them from the key took 14% of the instructions off a customer
// scan and 28% off an order scan. The shortcut must report exactly what the detectors and the
// key report together, so the shapes are narrow: no digits beyond a house
// number in a street, no '_', ':' or '=' (where secrets start), no
// lower-case letters before a dash, no tokens long enough to be a key.
// TestKeyShortcutAgrees and FuzzKeyShortcut hold it to that, value by value.

// mayExplain reports the values keyExplains may know: range tests on the
// hint and, for values without one, a leading '/' (a Salesforce record URL)
// or a short value's capital, so that other values (a chat message) pay no
// call.
func (s *scanner) mayExplain(b []byte) bool {
	h := s.hint
	return h-hintEmail <= hintDOB-hintEmail || h == hintIP || h == hintCard || h >= hintNotPII ||
		h == hintNone && s.inJSON && len(b) > 0 && (b[0] == '/' || isUpper(b[0]) && len(b) <= 15)
}

// keyAnswer is what keyExplains found the detectors still have to do.
type keyAnswer uint8

const (
	keyAsks  keyAnswer = iota // the detectors must look at the value
	keyWhole                  // the key reports the whole value
	keyDone                   // the detectors have nothing (more) to find
)

// keyExplains tells whether the detectors can be skipped for the segment b.
//
// The shapes are worked out for the default threshold: a lower one lets
// weaker candidates of other types through, so below it every detector
// looks.
func (s *scanner) keyExplains(b []byte) keyAnswer {
	if !s.inJSON || s.bizRule != 0 || len(b) < 2 || s.eng.noKeyShortcut || s.eng.threshold < DefaultThreshold {
		return keyAsks
	}
	if s.hint == hintNone {
		// A Salesforce record's own URL, which holds no data, and one
		// capitalized word ("Web", "France", "Anna"): alone in its value,
		// with no key to lift it and no words around, not even a listed
		// first name reaches the threshold (nameAt gives it 0.4).
		if salesforceRecordURL(b) || capitalizedWord(b) {
			return keyDone
		}
		return keyAsks
	}
	if len(b) > 48 {
		return keyAsks
	}
	ok := false
	switch s.hint {
	case hintNotPII:
		if plainIdentifier(b) || isoTimestamp(b) || plainDecimal(b) {
			return keyDone
		}
		return keyAsks
	case hintCity:
		if capitalizedWord(b) {
			return keyDone
		}
		return keyAsks
	case hintEmail:
		ok = plainEmail(b)
	case hintPostcode:
		ok = len(b) >= 3 && len(b) <= 5 && allDigits(b)
	case hintDOB:
		ok = isoBirthDate(b)
	case hintName:
		ok = capitalizedWord(b)
	case hintPhone:
		ok = plainIntlPhone(b)
	case hintIP:
		ok = plainIPv4(b)
	case hintCard:
		ok = plainCardNumber(b)
	case hintStreet:
		return s.streetExplained(b)
	}
	if ok {
		return keyWhole
	}
	return keyAsks
}

// streetExplained runs the address detector alone on a plain street's house
// number. Where it finds the whole value, nothing else could outrank it;
// where it finds part of it ("12 rue de la Paix" stops before a trailing
// lower-case word), or nothing, every detector looks.
func (s *scanner) streetExplained(b []byte) keyAnswer {
	ns, ne, ok := plainStreet(b)
	if !ok {
		return keyAsks
	}
	s.afterNumber(b, ns, ne)
	if len(s.cands) == 1 && s.cands[0].typ == PostalAddress && s.cands[0].start == 0 && s.cands[0].end == len(b) {
		return keyDone
	}
	s.cands = s.cands[:0]
	return keyAsks
}

// plainIntlPhone: '+', then 6 to 15 digits in groups split by single spaces
// or dashes ("+33 6 17 75 69 01"). Under a phone key the detectors read it
// as one number whatever the numbering plans say (onPlus), and nothing else
// starts inside it.
func plainIntlPhone(b []byte) bool {
	if len(b) < 7 || b[0] != '+' || !isDigit(b[1]) || !isDigit(b[len(b)-1]) {
		return false
	}
	digits := 0
	for k := 1; k < len(b); k++ {
		switch c := b[k]; {
		case isDigit(c):
			digits++
		case c == ' ' || c == '-':
			if !isDigit(b[k-1]) {
				return false
			}
		default:
			return false
		}
	}
	return digits >= 6 && digits <= 15
}

// capitalizedWord: one ASCII word of 2 to 15 letters, capitalized ("Julien",
// "Girard"). Whether the name lists know it or not, the key makes it a name.
func capitalizedWord(b []byte) bool {
	if len(b) < 2 || len(b) > 15 || !isUpper(b[0]) {
		return false
	}
	x, y, _ := spread(b[1:])
	return lowerBits(x)&lowerBits(y) == highBits
}

// plainEmail: local@domain.tld in lower-case letters, digits (at most four)
// and single dots, nothing else (plainEmailBits).
func plainEmail(b []byte) bool {
	if len(b) > 64 {
		return false
	}
	lower, digit, dot, at := emailMasks(b)
	return plainEmailBits(len(b), lower, digit, dot, at)
}

// salesforceRecordURL: the "url" of a Salesforce record's "attributes"
// ("/services/data/v60.0/sobjects/Contact/003…"): an API version, an
// object's name (letters, digits, single underscores, "__c") and a record id
// of 15 or 18 letters and digits, not starting like an IBAN. Such a path
// names a record and holds no data of it.
func salesforceRecordURL(b []byte) bool {
	const pre = "/services/data/v"
	if len(b) < len(pre)+30 || len(b) > 120 || string(b[:len(pre)]) != pre {
		return false
	}
	k := len(pre)
	j := k
	for j < len(b) && (isDigit(b[j]) || b[j] == '.') {
		j++
	}
	if j == k || j+10 > len(b) || string(b[j:j+10]) != "/sobjects/" {
		return false
	}
	k = j + 10
	j = k
	for j < len(b) && (isAlnum(b[j]) || b[j] == '_') {
		j++
	}
	if j == k || !isAlpha(b[k]) || j >= len(b) || b[j] != '/' {
		return false
	}
	id := b[j+1:]
	if len(id) != 15 && len(id) != 18 {
		return false
	}
	for _, c := range id {
		if !isAlnum(c) {
			return false
		}
	}
	return !ibanStart(id)
}

// plainCardNumber: 13 to 19 digits in one block, or four groups of four
// split by single spaces or single dashes ("5334 5699 3979 2693"). Under a
// card key the key reports such a value as a card whether or not its check
// digit holds, and the one type that could outrank a card, a secret, has no
// rule for digits alone.
func plainCardNumber(b []byte) bool {
	switch {
	case len(b) == 19 && (b[4] == ' ' || b[4] == '-'):
		sep := b[4]
		for k, c := range b {
			if k%5 == 4 {
				if c != sep {
					return false
				}
			} else if !isDigit(c) {
				return false
			}
		}
		return true
	case len(b) >= 13 && len(b) <= 19:
		return allDigits(b)
	}
	return false
}

// plainIPv4: a dotted quad as the detectors accept one: octets of one to
// three digits up to 255, no leading zeros, the first not 0.
func plainIPv4(b []byte) bool {
	if len(b) < 7 || len(b) > 15 {
		return false
	}
	groups, k := 0, 0
	for ; groups < 4; groups++ {
		j := k
		for j < len(b) && isDigit(b[j]) {
			j++
		}
		if !octetOK(b[k:j], groups == 0) {
			return false
		}
		if groups < 3 && (j >= len(b) || b[j] != '.') {
			return false
		}
		k = j + 1
	}
	return k == len(b)+1
}

// plainIdentifier: up to 18 ASCII letters and digits, with inner dashes
// only where no letter is lower case ("SKU-190457": the secret prefixes that
// end in a dash are lower case), not starting like an IBAN (the one such
// type whose confidence survives an identifier key). Under a key that says
// "identifier" (Id, sku, order_number) every other candidate such a value
// can hold loses 0.45 of a confidence of at most 0.9, and no secret rule
// matches a bare token this short.
func plainIdentifier(b []byte) bool {
	if len(b) > 18 {
		return false
	}
	if x, y, z := spread(b); len(b) > 0 && alnumBits(x)&alnumBits(y)&alnumBits(z) == highBits {
		return len(b) < 15 || !ibanStart(b) // most: no dash to look at
	}
	return plainIdentifierBytes(b)
}

// plainIdentifierBytes is plainIdentifier byte by byte, for values with a
// dash (or anything but letters and digits).
func plainIdentifierBytes(b []byte) bool {
	if len(b) > 18 {
		return false
	}
	dash, lower := false, false
	for k, c := range b {
		switch {
		case isLower(c):
			lower = true
		case isUpper(c) || isDigit(c):
		case c == '-' && k > 0 && k < len(b)-1 && b[k-1] != '-':
			dash = true
		default:
			return false
		}
	}
	if dash && lower {
		return false
	}
	return len(b) < 15 || !ibanStart(b)
}

// plainDecimal: a number with one decimal point ("182.46", "-0.5"), what
// prices and quantities hold. A single dot makes no address, date or phone
// number, and under an identifier key nothing else it could hold survives.
func plainDecimal(b []byte) bool {
	k := 0
	if b[0] == '-' {
		k++
	}
	dot := -1
	for j := k; j < len(b); j++ {
		switch c := b[j]; {
		case isDigit(c):
		case c == '.' && dot < 0 && j > k && j < len(b)-1:
			dot = j
		default:
			return false
		}
	}
	return dot > 0 && len(b)-k <= 18
}

// isoTimestamp: YYYY-MM-DDTHH:MM:SS, optional fraction, optional Z or
// offset ("2026-03-07T00:44:39.000+0000").
func isoTimestamp(b []byte) bool {
	if len(b) < 19 ||
		!matchesDigitsAnd(binary.LittleEndian.Uint64(b), isoDateDigits, isoDateMask, isoDateDashes) ||
		!matchesDigitsAnd(binary.LittleEndian.Uint64(b[8:]), isoTimeDigits, isoTimeMask, isoTimeBytes) ||
		!matchesDigitsAnd(binary.LittleEndian.Uint64(b[11:]), isoTimeDigits, isoTimeMask, isoClockBytes) {
		return false
	}
	return isoTimestampTail(b)
}

// isoTimestampTail checks what follows a timestamp's 19 bytes of date and
// time (len(b) >= 19): an optional fraction, then nothing, Z or an offset.
func isoTimestampTail(b []byte) bool {
	k := 19
	if k < len(b) && b[k] == '.' {
		k++
		f := k
		for k < len(b) && isDigit(b[k]) {
			k++
		}
		if k == f || k-f > 9 {
			return false
		}
	}
	rest := b[k:]
	switch len(rest) {
	case 0:
		return true
	case 1:
		return rest[0] == 'Z'
	case 5: // +0000
		return (rest[0] == '+' || rest[0] == '-') && allDigits(rest[1:])
	case 6: // +00:00
		return (rest[0] == '+' || rest[0] == '-') && isDigit(rest[1]) && isDigit(rest[2]) && rest[3] == ':' &&
			isDigit(rest[4]) && isDigit(rest[5])
	}
	return false
}

// isoBirthDate: YYYY-MM-DD, a plausible birth date.
func isoBirthDate(b []byte) bool {
	if len(b) != 10 || !matchesDigitsAnd(binary.LittleEndian.Uint64(b), isoDateDigits, isoDateMask, isoDateDashes) ||
		!isDigit(b[8]) || !isDigit(b[9]) {
		return false
	}
	return plausibleDOB(atoi(b[8:]), atoi(b[5:7]), atoi(b[:4]))
}

// plainStreet: words of letters (any script) of at most 15 bytes, at least
// three letters in all, single spaces, and one house number of one to three
// digits, at the start or the end ("121 avenue Victor Hugo", "Hauptstraße
// 12"). It returns the house number's span.
func plainStreet(b []byte) (ns, ne int, ok bool) {
	words, run, letters, numbers, numberAt := 0, 0, 0, 0, -1
	for k := 0; k < len(b); {
		c := b[k]
		switch {
		case isAlpha(c):
			run++
			letters++
			k++
		case c >= 0x80:
			r, size := utf8.DecodeRune(b[k:])
			if !isLetterRune(r) {
				return 0, 0, false
			}
			run += size
			letters++
			k += size
		case isDigit(c):
			j := k
			for j < len(b) && isDigit(b[j]) {
				j++
			}
			if run > 0 || j-k > 3 || numbers > 0 || j < len(b) && b[j] != ' ' {
				return 0, 0, false
			}
			numbers++
			numberAt = words
			ns, ne = k, j
			words++
			k = j
			continue
		case c == ' ':
			if run == 0 && (k == 0 || b[k-1] == ' ') {
				return 0, 0, false
			}
			k++
		default:
			return 0, 0, false
		}
		if c == ' ' {
			if run > 0 {
				words++
			}
			run = 0
		} else if run > 15 {
			return 0, 0, false
		}
	}
	if run > 0 {
		words++
	}
	if b[len(b)-1] == ' ' || words < 2 || words > 6 {
		return 0, 0, false
	}
	return ns, ne, letters >= 3 && numbers == 1 && (numberAt == 0 || numberAt == words-1)
}

// isLetterRune accepts the letters of Latin-1 and Latin Extended-A, the
// letters of European street names.
func isLetterRune(r rune) bool {
	return r >= 0xC0 && r <= 0x17F && r != 0xD7 && r != 0xF7
}
