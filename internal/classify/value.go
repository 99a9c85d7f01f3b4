package classify

import "bytes"

// Key-driven findings: a JSON value whose key names what it is (FirstName,
// MailingStreet, password, MailingPostalCode) is reported as a whole when the
// value detectors could not confirm it from its shape alone. A key that names
// a type the detectors did find only raises their confidence (keyAdjust).

// keyValue adds the whole-value candidate of the current segment.
func (s *scanner) keyValue(b []byte) {
	start, end := trimSpan(b)
	if start == end {
		return
	}
	v := b[start:end]
	if s.bizRule != 0 {
		s.add(Business, s.eng.biz.rules[s.bizRule-1], start, end, 0.9)
	}
	h := s.hint
	if !s.inJSON || h == hintNone || h >= hintNotPII {
		return
	}
	t := hintType[h]
	for k := range s.cands {
		if s.cands[k].typ == t {
			if t == Secret && s.inServiceAccount() {
				s.cands[k].rule = ruleGCPServiceAccount
			}
			return
		}
	}
	switch h {
	case hintName:
		if looksLikeName(v) {
			s.add(PersonName, "", start, end, 0.9)
		}
	case hintNameMaybe:
		// The first-name test first: it refuses most product names
		// ("stainless steel water bottle") at their first word.
		if s.startsWithFirstName(v) && looksLikeName(v) {
			s.add(PersonName, "", start, end, 0.6)
		}
	case hintStreet:
		if looksLikeStreet(v) {
			s.add(PostalAddress, "", start, end, 0.85)
		}
	case hintPostcode:
		if looksLikePostcode(v) {
			s.add(Postcode, "", start, end, 0.9)
		}
	case hintDOB:
		if looksLikeDate(v) {
			s.add(DateOfBirth, "", start, end, 0.9)
		}
	case hintCredential:
		if isPlaceholder(v) {
			break
		}
		if s.inServiceAccount() {
			s.add(Secret, ruleGCPServiceAccount, start, end, 0.9)
			break
		}
		// The key decides how sure a value must look; a value under an
		// escaped key is taken whatever it looks like.
		var buf [256]byte
		key := s.js.plainKey()
		if key != nil && len(key) <= len(buf) {
			key = normKey(buf[:0], key)
		}
		if c := codeKey(key); c != nil {
			if maybeIndianPostcode(c, v) {
				// {"pincode": "560001"}: India's postcode, under the
				// name India gives it.
				s.add(Postcode, "", start, end, 0.85)
			} else {
				d := withoutStop(v) // outside the span
				if h := c.holding(d); h != nil {
					s.add(Secret, h.rule, start, start+len(d), 0.9)
				}
			}
			break
		}
		if key == nil || credentialLike(key, v) {
			s.add(Secret, credentialRule(key, v), start, end, 0.9)
		}
	case hintPhone:
		if d := countDigits(v); d >= 6 && d <= 15 && onlyPhoneChars(v) {
			s.add(Phone, "", start, end, 0.85)
		}
	case hintEmail:
		if bytes.IndexByte(v, '@') > 0 {
			s.add(Email, "", start, end, 0.85)
		}
	case hintCard:
		if d := countDigits(v); d >= 12 && d <= 19 && onlyPhoneChars(v) {
			s.add(PaymentCard, "", start, end, 0.7)
		}
	case hintIBAN:
		if len(v) >= 15 && isAlpha(v[0]) && isAlpha(v[1]) && countDigits(v) >= 8 {
			s.add(IBAN, "", start, end, 0.7)
		}
	case hintIP:
		// The detectors validate addresses; a key alone is not enough.
	default: // national ids under their own keys, even with a typo in them
		if countDigits(v) >= 5 && len(v) <= 24 {
			s.add(t, "", start, end, 0.7)
		}
	}
}

// trimSpan returns the span of b without surrounding white space.
func trimSpan(b []byte) (int, int) {
	i, j := 0, len(b)
	for i < j && isSpace(b[i]) {
		i++
	}
	for j > i && isSpace(b[j-1]) {
		j--
	}
	return i, j
}

func countDigits(b []byte) int {
	n := 0
	for _, c := range b {
		if isDigit(c) {
			n++
		}
	}
	return n
}

// onlyPhoneChars: digits and the separators people type in numbers.
func onlyPhoneChars(b []byte) bool {
	for _, c := range b {
		if !isDigit(c) && c != ' ' && c != '-' && c != '.' && c != '/' && c != '(' && c != ')' && c != '+' {
			return false
		}
	}
	return true
}

// looksLikeName: one to five words of letters (any script), hyphens,
// apostrophes and dots, no digits.
func looksLikeName(v []byte) bool {
	if len(v) > 80 {
		return false
	}
	words := 0
	inWord := false
	for _, c := range v {
		switch {
		case isAlpha(c) || c >= 0x80:
			if !inWord {
				words++
				inWord = true
			}
		case c == ' ':
			inWord = false
		case c == '-' || c == '\'' || c == '.' || c == ',':
		default:
			return false
		}
	}
	return words >= 1 && words <= 5
}

// looksLikeStreet: letters, and a house number or at least two words.
func looksLikeStreet(v []byte) bool {
	letters, digits, spaces := 0, 0, 0
	for _, c := range v {
		switch {
		case isAlpha(c) || c >= 0x80:
			letters++
		case isDigit(c):
			digits++
		case c == ' ':
			spaces++
		}
	}
	return letters >= 3 && (digits > 0 || spaces > 0)
}

// looksLikePostcode: 3 to 10 characters of letters, digits, spaces and '-',
// with at least two digits.
func looksLikePostcode(v []byte) bool {
	if len(v) < 3 || len(v) > 10 {
		return false
	}
	for _, c := range v {
		if !isAlnum(c) && c != ' ' && c != '-' {
			return false
		}
	}
	return countDigits(v) >= 2
}

// looksLikeDate accepts the date forms birth-date fields hold: ISO dates
// (with an optional time), D.M.Y, D/M/Y, M/D/Y and YYYYMMDD, with a
// plausible birth year.
func looksLikeDate(v []byte) bool {
	var g [3]int
	var l [3]int
	n := 0
	for i := 0; i < len(v) && n < 3; {
		if !isDigit(v[i]) {
			return false
		}
		j := i
		for j < len(v) && isDigit(v[j]) {
			j++
		}
		g[n], l[n] = atoi(v[i:j]), j-i
		n++
		if j < len(v) && (v[j] == '-' || v[j] == '.' || v[j] == '/') && n < 3 {
			j++
		} else if n < 3 {
			if n == 1 && l[0] == 8 && (j == len(v) || v[j] == 'T') { // YYYYMMDD
				d := v[i:j]
				return plausibleDOB(atoi(d[6:8]), atoi(d[4:6]), atoi(d[0:4]))
			}
			return false
		} else if j < len(v) && v[j] != 'T' && v[j] != ' ' {
			return false
		}
		i = j
	}
	if n != 3 {
		return false
	}
	switch {
	case l[0] == 4:
		return plausibleDOB(g[2], g[1], g[0])
	case l[2] == 4:
		return plausibleDOB(g[0], g[1], g[2]) || plausibleDOB(g[1], g[0], g[2])
	}
	return false
}

// isPlaceholder reports credential values that hold no secret: empty-ish,
// masked, templated or literal nulls.
func isPlaceholder(v []byte) bool {
	if len(v) < 3 {
		return true
	}
	if allSame(v) {
		return true // "****", "xxxxxxxx"
	}
	if v[0] == '<' && v[len(v)-1] == '>' || v[0] == '$' && v[1] == '{' || v[0] == '{' && v[1] == '{' {
		return true
	}
	var buf [16]byte
	if len(v) <= len(buf) {
		lw := buf[:len(v)]
		for k, c := range v {
			lw[k] = lowerASCII(c)
		}
		switch string(lw) {
		case "null", "none", "true", "false", "n/a", "redacted", "[redacted]", "hidden", "secret", "password",
			"undefined", "nil", "empty", "masked", "[filtered]", "filtered":
			return true
		}
	}
	return false
}
