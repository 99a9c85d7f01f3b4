package classify

import (
	"bytes"
	"unicode/utf8"
)

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
		if valueKey(key) {
			key = pairCredential(buf[:0], s.js.pairName()) // the pair's name is its key
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
	if maskOnly(v) || templateWords(v) || filledKey(v) {
		return true // "●●●●●●●●", "***REDACTED***", "YOUR_API_KEY", "your-api-key-here", "ghp_XXXX..."
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

// maskOnly reports a value of mask characters alone: '*', '#', and the
// bullets and dots a form shows for a password ("••••", "●●●●").
func maskOnly(v []byte) bool {
	for k := 0; k < len(v); {
		c := v[k]
		if c == '*' || c == '#' {
			k++
			continue
		}
		if c < 0x80 {
			return false
		}
		r, n := utf8.DecodeRune(v[k:])
		switch r {
		case '•', '●', '·', '∙', '⋅', '○', '◦', '⚫':
		default:
			return false
		}
		k += n
	}
	return true
}

// placeholderParts are the words a template puts where a credential goes:
// "YOUR_API_KEY", "your-api-key-here", "REPLACE_WITH_YOUR_TOKEN",
// "***REDACTED***", "TODO". A value holds one as a whole part (between
// '_', '-', '.', spaces, brackets and masks), not inside a longer word
// ("YourMom123" is a password).
var placeholderParts = set("your", "replace", "replaceme", "changeme", "redacted", "todo", "tbd",
	"fixme", "placeholder", "example", "insert", "yourkey", "yourtoken")

// templateWords reports a value made of a template's words alone: at least
// one placeholder part (placeholderParts, or three or more x's: "sk_live_xxxx")
// and no other part but the words a template names a credential with
// ("api", "key", "token", ...) and short numbers ("xoxb-your-bot-token-here-1234").
// A password with such a word among others is one ("Example-Phrase-2024",
// "Insert-Coin-42").
func templateWords(v []byte) bool {
	placeholder := false
	for k := 0; k < len(v); {
		for k < len(v) && !isAlnum(v[k]) {
			k++
		}
		e := k
		for e < len(v) && isAlnum(v[e]) {
			e++
		}
		if e == k {
			break
		}
		if e-k > 16 {
			return false
		}
		var buf [16]byte
		w := buf[:e-k]
		x, digits := true, true
		for i, c := range v[k:e] {
			w[i] = lowerASCII(c)
			x = x && w[i] == 'x'
			digits = digits && isDigit(c)
		}
		switch {
		case x && e-k >= 3 || placeholderParts.has(w):
			placeholder = true
		case digits && e-k <= 4, templateFiller.has(w):
		default:
			return false
		}
		k = e
	}
	return placeholder
}

// templateFiller are the other words of a template's stand-in.
var templateFiller = set("api", "key", "keys", "token", "secret", "access", "password", "pass", "client", "id",
	"bot", "app", "here", "with", "the", "of", "a", "sk", "pk", "live", "test", "xoxb", "xoxp", "user", "aws",
	"db", "my", "own", "value", "auth", "webhook", "account", "whsec", "ghp", "glpat", "me", "it", "this")

// fillerToken reports a token that is mostly one character: a template's
// filler after a key's prefix ("AKIAXXXXXXXXXXXXXXXX", "SK" and 32 zeros,
// "ghp_XXXX..."), where a random key's characters spread.
func fillerToken(t []byte) bool {
	var counts [256]uint32
	top := uint32(0)
	for _, c := range t {
		counts[c]++
		top = max(top, counts[c])
	}
	return int(top)*2 >= len(t)
}

// filledKey reports a credential value that is a prefixed key's template
// ("ghp_XXXX...", "sk_live_xxxx..."): its own rule passes it over, and so
// must the key's.
func filledKey(v []byte) bool { return ownRuleLikely(v) && fillerToken(v) }
