package classify

// Phone candidates: international ("+44 20 7946 0958", "+49 (0)30 1234567",
// "0044 ..."), national with an area code in parentheses ("(212) 555-0123"),
// and national digit runs ("030 1234567", "06 12 34 56 78"). Every candidate
// is confirmed against libphonenumber's numbering plans (phone.go) before it
// counts.

// phoneRead is a phone number read from text: the digits (trunk "(0)"
// removed) and, per digit group, the end offset and digit count, so trailing
// groups that belong to something else can be dropped.
type phoneRead struct {
	n    int
	ends [16]int
	cnt  [16]int
}

// readPhone reads digit groups from i: digits, single separators (space,
// '-', '.', '/'), and groups in parentheses. Digits go to s.dig.
func (s *scanner) readPhone(b []byte, i int, pr *phoneRead) {
	// Locals, stored back once: the loop is every phone number's cost.
	dig, n := s.dig[:0], 0
	k := i
	for n < len(pr.ends) && len(dig) <= 17 {
		paren := k < len(b) && b[k] == '('
		g := k
		if paren {
			g++
		}
		e, lim := g, min(len(b), g+15)
		for e < lim && isDigit(b[e]) {
			e++
		}
		if e == g || paren && (e >= len(b) || b[e] != ')') {
			break
		}
		// "+49 (0)30": the trunk zero in parentheses is not dialled.
		if !(paren && e-g == 1 && b[g] == '0' && len(dig) > 0) {
			dig = append(dig, b[g:e]...)
		}
		if paren {
			e++
		}
		k = e
		pr.ends[n], pr.cnt[n] = k, len(dig)
		n++
		if k+1 < len(b) && (b[k] == ' ' || b[k] == '-' || b[k] == '.' || b[k] == '/') && (isDigit(b[k+1]) || b[k+1] == '(') {
			k++
			continue
		}
		if k < len(b) && (b[k] == '(' || paren && isDigit(b[k])) {
			continue // "+49(0)30", "(0)30"
		}
		break
	}
	s.dig, pr.n = dig, n
}

// onPlus reads an international number at '+'.
func (s *scanner) onPlus(b []byte, i int) int {
	if i+1 >= len(b) || !isDigit(b[i+1]) || i > 0 && (isAlnum(b[i-1]) || b[i-1] == '+') {
		return i + 1
	}
	var pr phoneRead
	s.readPhone(b, i+1, &pr)
	for g := pr.n - 1; g >= 0; g-- {
		e := pr.ends[g]
		if !wordEndAt(b, e) {
			continue
		}
		// Under a phone key the key already says what the value is (it
		// would be reported whole anyway): the plans are not asked.
		if s.phoneKey() && pr.cnt[g] >= 6 || s.phones.check(s.dig[:pr.cnt[g]], true, phoneIntl) {
			s.add(Phone, "", i, e, s.ctxAdjust(i, e, 0.8, kwPhone, 0.15))
			return e
		}
	}
	if pr.n > 0 {
		return pr.ends[pr.n-1]
	}
	return i + 1
}

// onParen reads a national number with its area code in parentheses.
func (s *scanner) onParen(b []byte, i int) int {
	if i+1 >= len(b) || !isDigit(b[i+1]) || i > 0 && isAlnum(b[i-1]) {
		if i >= 6 && b[i-1] == 'e' && hasPrefixAt(b, i-6, "define") {
			if e := s.define(b, i); e > 0 {
				return e // define('DB_PASSWORD', '...')
			}
		}
		return i + 1
	}
	var pr phoneRead
	s.readPhone(b, i, &pr)
	for g := pr.n - 1; g >= 1; g-- {
		e := pr.ends[g]
		d := s.dig[:pr.cnt[g]]
		if !wordEndAt(b, e) {
			continue
		}
		ok := false
		if len(d) > 2 && d[0] == '0' && d[1] == '0' {
			ok = s.phones.check(d[2:], true, phoneIntl)
		} else {
			ok = s.phones.check(d, false, phoneNational)
		}
		if ok {
			s.add(Phone, "", i, e, s.ctxAdjust(i, e, 0.6, kwPhone, 0.3))
			return e
		}
	}
	return i + 1
}

// nationalPhone interprets a digit run (its first k groups, digits d) as a
// phone number in national format, or international with a "00" prefix.
func (s *scanner) nationalPhone(b []byte, r *numRun, k int, d []byte, start, end int) int {
	L := len(d)
	if L < 7 || L > 15 || r.corsica {
		return 0
	}
	if k > 1 && !sameSeps(r, k, " -./") && !mixedPhoneSeps(r, k) {
		return 0
	}
	if start > 0 && (b[start-1] == '+' || b[start-1] == '#') {
		return 0
	}
	if k == 3 && groupLens(r, 3, 3, 2, 4) {
		return 0 // the shape of a US social security number
	}
	// A trunk prefix and digit groups are how people write phone numbers;
	// a bare block of digits could be anything.
	intl := d[0] == '0' && d[1] == '0'
	var conf float64
	switch {
	case intl:
		conf = 0.6
	case d[0] == '0' && k > 1:
		conf = 0.55
	case d[0] == '0':
		conf = 0.45
	default:
		conf = 0.35
	}
	conf = s.ctxAdjust(start, end, conf, kwPhone, 0.35)
	// The numbering plans are the expensive part: ask them only about a
	// candidate that context and key can carry over the threshold.
	if !s.meets(s.keyAdjust(Phone, conf)) {
		return 0
	}
	if !s.phoneKey() && (intl && !s.phones.check(d[2:], true, phoneIntl) || !intl && !s.phones.check(d, false, phoneNational)) {
		return 0
	}
	s.add(Phone, "", start, end, conf)
	return end
}

// phoneKey reports a JSON value under a phone key (Phone, MobilePhone, ...).
func (s *scanner) phoneKey() bool { return s.inJSON && s.hint == hintPhone }

// mixedPhoneSeps accepts "030/123 4567" and "06-12 34 56 78": a different
// separator after the area code, then one kind.
func mixedPhoneSeps(r *numRun, k int) bool {
	if k < 3 {
		return false
	}
	c := r.sep[1]
	for g := 1; g < k-1; g++ {
		if r.sep[g] != c {
			return false
		}
	}
	return (r.sep[0] == '/' || r.sep[0] == '-' || r.sep[0] == ' ') && (c == ' ' || c == '-')
}
