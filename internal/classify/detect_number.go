package classify

// Digit-led candidates: cards, national ids, phones in national format, IPv4,
// dates, postcodes and house numbers. A run of digit groups split by single
// separators (space, '-', '.', '/') is read once; interpretations are then
// tried on the whole run and on its leading groups.

import "time"

const maxGroups = 20

type numRun struct {
	ng      int
	gs, ge  [maxGroups]int  // group spans (segment coordinates)
	sep     [maxGroups]byte // separator after group k
	cum     [maxGroups]int  // digits (and Corsica letter) through group k
	corsica bool
}

func isNumSep(c byte) bool { return c == ' ' || c == '-' || c == '.' || c == '/' }

// numStart reports whether a digit at i starts a number: not inside a word
// and not the tail of a code such as "ORD-1234" or "v1.2".
func numStart(b []byte, i int) bool {
	if i == 0 {
		return true
	}
	p := b[i-1]
	if isWordByte(p) {
		// "n°4111...", the sign for "number" glued, and "nº12345678Z",
		// which NFKC turns into "no12345678Z".
		return p == 0xB0 && i >= 2 && b[i-2] == 0xC2 || numberAbbrev(b, i) && b[i-1]|0x20 == 'o'
	}
	if (p == '-' || p == '.' || p == '/') && i >= 2 && isAlnum(b[i-2]) {
		// "Nr.4111...", "No.536-22-8391": the word for "number", glued.
		return p == '.' && numberAbbrev(b, i-1)
	}
	return true
}

// numberAbbrev reports "nr" or "no" (either case), a word of its own,
// ending at end.
func numberAbbrev(b []byte, end int) bool {
	return end >= 2 && lowerASCII(b[end-2]) == 'n' && (lowerASCII(b[end-1]) == 'r' || lowerASCII(b[end-1]) == 'o') &&
		wordStartAt(b, end-2)
}

// skipAlnum returns the end of the [A-Za-z0-9] run at i.
func skipAlnum(b []byte, i int) int {
	for i < len(b) && isAlnum(b[i]) {
		i++
	}
	return i
}

func (s *scanner) readRun(b []byte, i int, r *numRun) {
	// The digits gather in a local slice, stored back once: appending to
	// s.dig loaded and stored its header for every digit.
	dig := s.dig[:0]
	j := i
	n := len(b)
	for r.ng < maxGroups {
		gs := j
		for {
			k := j
			for j < n && isDigit(b[j]) {
				j++
			}
			dig = append(dig, b[k:j]...)
			// French NIR for Corsica: the department "2A"/"2B" sits at the
			// 6th and 7th characters.
			if j < n && (b[j] == 'A' || b[j] == 'B') && len(dig) == 6 && b[j-1] == '2' && !r.corsica &&
				(j+1 >= n || !isAlpha(b[j+1])) {
				dig = append(dig, b[j])
				r.corsica = true
				j++
				continue
			}
			break
		}
		r.gs[r.ng], r.ge[r.ng] = gs, j
		r.cum[r.ng] = len(dig)
		r.ng++
		if len(dig) > 24 {
			break
		}
		if j+1 < n && isNumSep(b[j]) && isDigit(b[j+1]) {
			r.sep[r.ng-1] = b[j]
			j++
			continue
		}
		if spacedDashAt(b, j) && isDigit(b[j+3]) {
			r.sep[r.ng-1] = '-'
			j += 3
			continue
		}
		break
	}
	s.dig = dig
}

// spacedDashAt reports a dash with a space on each side at b[j:j+3] and a
// byte after it: "4111 - 1111 - 1111 - 1111" reads as "4111-1111-...", in
// digit groups and in an IBAN's.
func spacedDashAt(b []byte, j int) bool {
	return j+3 < len(b) && b[j] == ' ' && b[j+1] == '-' && b[j+2] == ' '
}

// onDigit handles a digit at a word start.
func (s *scanner) onDigit(b []byte, i int) int {
	if b[i] == '4' && i > 0 && b[i-1] == '%' {
		// "%40", a percent-encoded '@': '%' is no trigger, its digits are.
		if e := s.onPercent(b, i-1); e > i {
			return e
		}
	}
	if i > 0 && (innerSymbol[b[i-1]] || i >= 2 && joinSymbol[b[i-1]] && isAlpha(b[i-2])) {
		if e := s.spokenAt(b, valueStart(b, i)); e > 0 {
			return e // "mein Passwort lautet Geheim#42", "Hunde-2019", "Summer!2024"
		}
	}
	if !numStart(b, i) {
		if i >= 1 && isLower(b[i-1]) {
			if e := s.spokenAt(b, valueStart(b, i)); e > 0 {
				return e // "my password is hunter2Xy9"
			}
			return s.afterLower(b, i)
		}
		// "D-10115 Berlin", "CH-8001 Zürich": a country's letters before a
		// postcode (their letters are read as a word; the digits after '-'
		// come here).
		if i >= 2 && b[i-1] == '-' && isUpper(b[i-2]) {
			ws := i - 2
			if ws > 0 && isUpper(b[ws-1]) {
				ws--
			}
			if wordStartAt(b, ws) {
				if e := s.countryPostcode(b, ws, i-1); e > 0 {
					return e
				}
			}
		}
		return skipAlnum(b, i)
	}
	if b[i] == '0' && hasPrefixAt(b, i, "00D") {
		if end := s.salesforceSession(b, i); end > 0 {
			return end
		}
	}
	if b[i] == '5' && hasPrefixAt(b, i, "5Aep861") {
		if end := s.salesforceRefresh(b, i); end > 0 {
			return end
		}
	}
	// A card in groups of four split by two spaces, as text pasted from a
	// PDF has it ("4532  0151  1283  0366").
	if i+22 <= len(b) && b[i+4] == ' ' && b[i+5] == ' ' {
		if e := s.doubleSpacedCard(b, i); e > 0 {
			return e
		}
	}
	if b[i] == '1' && i+2 < len(b) && b[i+1] == 'Z' && b[i+2] == ' ' {
		if e := upsSpaced(b, i); e > 0 {
			return e // a parcel, not a phone in its last groups
		}
	}
	// An ISO 8601 timestamp ("2026-03-07T00:44:39.000+0000", in every
	// record's CreatedDate) is a point in time, not digits to read as a
	// postcode, house number or phone: consume it whole. Under a birth-date
	// key the whole value is still reported (keyValue).
	if e := isoTimestampEnd(b, i); e > 0 {
		return e
	}
	// IPv6 led by digits ("2001:db8::1").
	if h := hexRun(b, i); h-i <= 4 && h < len(b) && b[h] == ':' {
		if end := s.ipv6(b, i); end > 0 {
			return end
		}
	}
	r := &s.run
	// readRun writes every group it reports; only the count, the Corsica
	// flag and the separators (read one past the last group) need resetting.
	r.ng, r.corsica, r.sep = 0, false, [maxGroups]byte{}
	s.readRun(b, i, r)
	end := r.ge[r.ng-1]
	// A run glued to letters is a code ("1Z999AA1", "3f2a..."), except for the
	// forms whose last character is a letter.
	if end < len(b) && isWordByte(b[end]) {
		if next := s.numberWithLetter(b, r); next > 0 {
			return next
		}
		if r.ng == 1 {
			return skipAlnum(b, end)
		}
		r.ng--
		s.dig = s.dig[:r.cum[r.ng-1]]
		end = r.ge[r.ng-1]
	}
	// Spanish DNI written with a separator before the letter: "12345678-Z".
	if len(s.dig) == 8 && allDigits(s.dig) && (r.ng == 1 || groupLens(r, r.ng, 2, 3, 3)) && end+2 <= len(b) &&
		(b[end] == '-' && isAlpha(b[end+1]) || b[end] == ' ' && isUpper(b[end+1])) && wordEndAt(b, end+2) &&
		esDNIValid(s.dig, upperASCII(b[end+1])) {
		// After a space only a capital: "12345678 a" and "12345678 y" are words.
		conf := 0.75
		if isLower(b[end+1]) {
			conf = 0.45 // "12345678-z": a context word must say it is a DNI
		}
		s.add(ESDNI, "", i, end+2, s.ctxAdjust(i, end+2, conf, kwDNI, 0.2))
		return end + 2
	}
	// A Swedish personnummer of someone a hundred or older: "811228+9874".
	if r.ng == 1 && len(s.dig) == 6 && end+5 <= len(b) && b[end] == '+' && allDigits(b[end+1:end+5]) && wordEndAt(b, end+5) {
		var pn [10]byte
		copy(pn[:], s.dig)
		copy(pn[6:], b[end+1:end+5])
		if sePersonnummerValid(pn[:]) {
			s.add(SEPersonnummer, "", i, end+5, s.ctxAdjust(i, end+5, 0.7, kwPNR, 0.25))
			return end + 5
		}
	}
	// A run joined to letters by '-', '/' or '_' is a code ("030-1234567-B",
	// "4711/A"), not a number; but for a day before a month's name
	// ("03-Mar-1985").
	// (An IPv4 address before a URL's path is not: "http://203.0.113.42/cart".)
	if end+1 < len(b) && (b[end] == '-' || b[end] == '/' || b[end] == '_') && isAlpha(b[end+1]) &&
		!(b[end] == '/' && r.ng == 4 && sameSeps(r, 4, ".")) {
		if r.ng == 1 && end-i <= 2 && b[end] != '_' {
			if e := s.dayMonthDate(b, i, end); e > 0 {
				return e
			}
		}
		if r.ng == 1 && end-i <= 4 && houseSuffixEnd(b, end) > end {
			// A house number's suffix after its street: "Hoofdweg 123-II".
			if e := s.streetBackward(b, i, end); e > 0 {
				return e
			}
		}
		return skipCode(b, end)
	}
	if r.corsica && r.cum[r.ng-1] != 15 {
		// a letter in a number that is not a NIR: treat as a code
		return skipAlnum(b, i)
	}
	maxEnd := s.interpret(b, r)
	if maxEnd == 0 || maxEnd >= end {
		// Nothing read the run, or something read all of it: do not
		// restart inside it (its tail is not a number of its own).
		return end
	}
	return maxEnd
}

// interpret tries the interpretations on the run and its leading groups; it
// returns the end of the longest accepted candidate.
func (s *scanner) interpret(b []byte, r *numRun) int {
	best := 0
	all := s.dig
	for k := r.ng; k >= 1; k-- {
		if k < r.ng && k > 1 && !prefixOK(r, k) && !cardPrefix(r, k) {
			continue
		}
		d := all[:r.cum[k-1]]
		start, end := r.gs[0], r.ge[k-1]
		if e := s.interpretPrefix(b, r, k, d, start, end); e > best {
			best = e
			break // the longest interpretation wins; shorter ones would overlap
		}
	}
	return best
}

// prefixOK: the first k groups can stand alone if the separator after them
// differs from the separators inside them.
func prefixOK(r *numRun, k int) bool {
	after := r.sep[k-1]
	for g := 0; g < k-1; g++ {
		if r.sep[g] == after {
			return false
		}
	}
	return true
}

// stampDate reports a personnummer's date (d: YYMMDD... or YYYYMMDD...,
// valid) less than five years before now, or after it: a child's, or none
// at all, where the ids that begin with a date of their own making are many
// (delivery notes, backups, snapshots: "20240312-0005").
func stampDate(d []byte, now time.Time) bool {
	var y, rest int
	if len(d) == 12 {
		y, rest = atoi(d[:4]), 4
	} else {
		y, rest = 2000+atoi(d[:2]), 2
		if y > now.Year() {
			y -= 100
		}
	}
	day := atoi(d[rest+2 : rest+4])
	if day > 60 {
		day -= 60 // a coordination number's day
	}
	born := time.Date(y, time.Month(atoi(d[rest:rest+2])), day, 0, 0, 0, 0, time.UTC)
	return born.After(now.AddDate(-5, 0, 0))
}

// cardPrefix: the first k groups are a card number written in its groups
// (4-4-4-4, 4-6-5), which may stand alone before more groups with the same
// separator: an expiry and a code ("4111 1111 1111 1111 12/27 123").
func cardPrefix(r *numRun, k int) bool {
	if k < 3 || !sameSeps(r, k, " -.") {
		return false
	}
	if groupLens(r, k, 4, 6, 5) {
		return true
	}
	for g := 0; g < k; g++ {
		if r.ge[g]-r.gs[g] != 4 {
			return false
		}
	}
	return k == 4
}

func sameSeps(r *numRun, k int, seps string) bool {
	if k < 2 {
		return false
	}
	c := r.sep[0]
	for g := 0; g < k-1; g++ {
		if r.sep[g] != c {
			return false
		}
	}
	for i := 0; i < len(seps); i++ {
		if seps[i] == c {
			return true
		}
	}
	return false
}

func groupLens(r *numRun, k int, lens ...int) bool {
	if k != len(lens) {
		return false
	}
	for g := 0; g < k; g++ {
		if r.ge[g]-r.gs[g] != lens[g] {
			return false
		}
	}
	return true
}

func allDigits(d []byte) bool {
	if len(d) > 24 {
		for _, c := range d {
			if !isDigit(c) {
				return false
			}
		}
		return true
	}
	x, y, z := spread(d)
	return digitBits(x)&digitBits(y)&digitBits(z) == highBits
}

// interpretPrefix emits the candidates for the first k groups (digits d) and
// returns the end of the accepted span, or 0.
func (s *scanner) interpretPrefix(b []byte, r *numRun, k int, d []byte, start, end int) int {
	L := len(d)
	accepted := 0
	accept := func(t Type, rule string, conf float64) {
		s.add(t, rule, start, end, conf)
		accepted = end
	}
	if r.corsica {
		if L == 15 && frNIRValid(d) {
			accept(FRNIR, "", s.ctxAdjust(start, end, 0.7, kwNIR, 0.25))
		}
		return accepted
	}
	// block: one run of digits, digits split one or two at a time (an
	// evasion: "8 6 0 9 5 7 4 2 7 1 9"), or digits with an invisible
	// character among them, which may stand for a separator ("86\u200b095
	// 742 719" reads as 86 095 742 719): the ids are checked as one block.
	block := k == 1 || splitDigits(r, k) || len(s.hidden) > 0 && s.hiddenIn(start, end)
	// IPv4: four dot-separated octets, not part of a longer dotted sequence.
	if k == 4 && sameSeps(r, 4, ".") && (k == r.ng || r.sep[3] != '.') && ipv4OK(b, r) {
		conf := s.ctxAdjust(start, end, 0.6, kwIP, 0.25)
		if s.near(start, end, kwVersion, 16, 0) {
			conf -= 0.4
		}
		if hasPrefixAt(b, start, "127.") {
			conf = 0.3 // loopback, as addressOfNoOne reads it
		}
		accept(IPAddress, "", conf)
		return accepted
	}
	// Dates (a date of birth needs birth context or a birth-date key).
	if k == 3 && sameSeps(r, 3, "./-") {
		if s.numericDate(b, r, start, end) {
			return end
		}
	}
	// US SSN: 3-2-4.
	if k == 3 && sameSeps(r, 3, "- ") && groupLens(r, 3, 3, 2, 4) && ssnValid(d) {
		conf := 0.6
		if r.sep[0] == ' ' {
			conf = 0.45
		}
		accept(USSSN, "", s.ctxAdjust(start, end, conf, kwSSN, 0.35))
	}
	// Swedish personnummer: YYMMDD-NNNN or YYYYMMDD-NNNN.
	if k == 2 && r.sep[0] == '-' && (groupLens(r, 2, 6, 4) || groupLens(r, 2, 8, 4)) {
		pn := d
		if L == 12 {
			pn = d[2:]
		}
		if sePersonnummerValid(pn) {
			conf := 0.7
			if stampDate(d, time.Now()) {
				conf = 0.3 // "Backup 20240312-0930": a word must say it is a personnummer
			}
			accept(SEPersonnummer, "", s.ctxAdjust(start, end, conf, kwPNR, 0.25))
		}
	}
	if block && (L == 10 || L == 12) {
		pn := d
		if L == 12 {
			pn = d[2:]
		}
		if (L == 10 || d[0] == '1' || d[0] == '2') && sePersonnummerValid(pn) {
			accept(SEPersonnummer, "", s.ctxAdjust(start, end, 0.4, kwPNR, 0.55))
		}
	}
	// A 13-digit number with a valid EAN-13 check digit is a barcode (GTIN),
	// written whole, in product text that names a card ("microSD card"),
	// bread ("pan") or paper ("carta"): 13-digit cards are no longer
	// issued. Written in groups, card words may still make it a card.
	if L >= 13 && L <= 19 && cardBrandOK(d) && luhn(d) && (block || cardGrouping(r, k)) &&
		(L != 13 || !ean13Valid(d) || k > 1 && s.near(start, end, kwCard, 48, 16)) {
		// Luhn and an issuer range are strong evidence: an order word
		// nearby lowers a card less than it lowers an unchecked number.
		accept(PaymentCard, "", s.ctx(start, end, 0.85, kwCard, 0.14, 0.2))
	}
	if L == 15 && frNIRValid(d) && (block || groupLens(r, k, 1, 2, 2, 2, 3, 3, 2) || groupLens(r, k, 13, 2)) {
		accept(FRNIR, "", s.ctxAdjust(start, end, 0.7, kwNIR, 0.25))
	}
	if L == 11 {
		if deTaxIDValid(d) && (block || groupLens(r, k, 2, 3, 3, 3)) {
			accept(DETaxID, "", s.ctxAdjust(start, end, 0.45, kwTaxID, 0.5))
		}
		if block && plPESELValid(d) {
			accept(PLPESEL, "", s.ctxAdjust(start, end, 0.45, kwPESEL, 0.5))
		}
	}
	if L == 10 && (block || groupLens(r, k, 3, 3, 4)) && nhsValid(d) {
		accept(UKNHS, "", s.ctxAdjust(start, end, 0.4, kwNHS, 0.55))
	}
	if L == 9 {
		if (block || groupLens(r, k, 4, 2, 3) || groupLens(r, k, 3, 3, 3)) && nlBSNValid(d) {
			accept(NLBSN, "", s.ctxAdjust(start, end, 0.4, kwBSN, 0.55))
		}
		if block && ssnValid(d) {
			accept(USSSN, "", s.ctxAdjust(start, end, 0.3, kwSSN, 0.6))
		}
	}
	if e := s.nationalPhone(b, r, k, d, start, end); e > accepted {
		accepted = e
	}
	if e := s.postcodeNumeric(b, r, k, d, start, end); e > accepted {
		accepted = e
	}
	if k == 1 && L == 4 && end+3 <= len(b) && b[end] == ' ' && isUpper(b[end+1]) && isUpper(b[end+2]) && wordEndAt(b, end+3) {
		return s.nlPostcode(b, start, end+3)
	}
	if k == 1 && L <= 4 {
		if e := s.afterNumber(b, start, end); e > accepted {
			accepted = e
		}
	}
	if k == r.ng && L >= 3 && L <= 12 && accepted <= end && (k == 1 || sameSeps(r, k, " ")) {
		if rule, conf := codeBefore(b, start, end, L, accepted != 0); rule != "" {
			accept(Secret, rule, conf)
		}
	}
	return accepted
}

// splitDigits reports a run of at least six groups of one or two digits with
// one kind of separator.
func splitDigits(r *numRun, k int) bool {
	if k < 6 || !sameSeps(r, k, " -.") {
		return false
	}
	for g := 0; g < k; g++ {
		if r.ge[g]-r.gs[g] > 2 {
			return false
		}
	}
	return true
}

// cardGrouping accepts the ways card numbers are written: one block, blocks of
// four (last may be shorter), Amex/Diners 4-6-5/4-6-4, or one digit per group
// (spacing used to evade detection).
func cardGrouping(r *numRun, k int) bool {
	if k == 1 {
		return true
	}
	if !sameSeps(r, k, " -.") {
		return false
	}
	if groupLens(r, k, 4, 6, 5) || groupLens(r, k, 4, 6, 4) {
		return true
	}
	four, ones := true, true
	for g := 0; g < k; g++ {
		l := r.ge[g] - r.gs[g]
		if l != 4 && !(g == k-1 && l >= 1 && l < 4) {
			four = false
		}
		if l > 2 {
			ones = false
		}
	}
	return four || ones
}

// afterLower handles digits glued to lower-case letters, which are no
// trigger though the values they begin are: a Google OAuth token ("ya29."),
// an IBAN typed in lower case ("de89 3704 ...", two letters), and the ids
// foldedID reads (one, two or six letters: "x1234567l", "ab123456c",
// "rssmra85t10a562s"). The first digit is at i. It returns the end of what
// it read, or of the word the digits are glued to.
func (s *scanner) afterLower(b []byte, i int) int {
	ws := i - 1
	for ws > 0 && isAlpha(b[ws-1]) && i-ws < 6 {
		ws--
	}
	l := i - ws
	if l == 2 && b[ws] == 'y' { // gcpOAuth tests its own start: "„ya29.…"
		if e := s.gcpOAuth(b, ws); e > 0 {
			return e
		}
	}
	if !wordStartAt(b, ws) {
		return skipAlnum(b, i)
	}
	if l == 2 && i+1 < len(b) && isDigit(b[i+1]) {
		if e := s.iban(b, ws); e > 0 {
			return e
		}
	}
	if l == 1 || l == 2 || l == 6 {
		if e := s.foldedID(b, ws, skipAlnum(b, i)); e > 0 {
			return e
		}
	}
	return skipAlnum(b, i)
}

// doubleSpacedCard reads a card number of four groups of four digits split
// by two spaces at i, and returns its end, or 0. It is a reader of its own,
// not a separator readRun takes: two spaces split a table's columns as
// often, and a run read across them would join their numbers.
func (s *scanner) doubleSpacedCard(b []byte, i int) int {
	var d [16]byte
	for g := 0; g < 4; g++ {
		k := i + 6*g
		if !allDigits(b[k:k+4]) || g < 3 && (b[k+4] != ' ' || b[k+5] != ' ') {
			return 0
		}
		copy(d[4*g:], b[k:k+4])
	}
	end := i + 22
	if !wordEndAt(b, end) || !cardBrandOK(d[:]) || !luhn(d[:]) {
		return 0
	}
	s.add(PaymentCard, "", i, end, s.ctx(i, end, 0.85, kwCard, 0.14, 0.2))
	return end
}

// upsSpaced returns the end of a UPS tracking number written in groups at
// i ("1Z 999 AA1 01 2345 6784": "1Z" and sixteen capitals or digits), or 0.
// Read whole, its last groups are not taken for a phone number.
func upsSpaced(b []byte, i int) int {
	n, k := 0, i+2
	for n < 16 && k+1 < len(b) && b[k] == ' ' {
		g := k + 1
		for g < len(b) && g-k <= 6 && (isDigit(b[g]) || isUpper(b[g])) {
			g++
		}
		if g == k+1 || g < len(b) && (isDigit(b[g]) || isUpper(b[g])) {
			return 0 // no group, or one longer than six
		}
		n += g - k - 1
		k = g
	}
	if n != 16 || k < len(b) && isWordByte(b[k]) {
		return 0
	}
	return k
}

// hiddenIn reports an invisible character removed from between two digits
// of seg[start:end].
func (s *scanner) hiddenIn(start, end int) bool {
	for _, h := range s.hidden {
		if int(h) > start && int(h) < end && isDigit(s.seg[h-1]) && isDigit(s.seg[h]) {
			return true
		}
	}
	return false
}

func ipv4OK(b []byte, r *numRun) bool {
	for g := 0; g < 4; g++ {
		if !octetOK(b[r.gs[g]:r.ge[g]], g == 0) {
			return false
		}
	}
	return true
}

// octetOK checks one group of digits of a dotted quad: up to 255, no leading
// zero, and the first not 0.
func octetOK(o []byte, first bool) bool {
	if len(o) == 0 || len(o) > 3 || len(o) > 1 && o[0] == '0' {
		return false
	}
	v := atoi(o)
	return v <= 255 && !(first && v == 0)
}

// numberWithLetter handles runs whose last character is a letter: Spanish
// DNI (8 digits + control letter), NL postcodes ("1012AB"), house numbers
// ("221B"). It returns the end of the consumed token or 0.
func (s *scanner) numberWithLetter(b []byte, r *numRun) int {
	end := r.ge[r.ng-1]
	d := s.dig
	if r.ng == 1 && len(d) == 8 && isAlpha(b[end]) && wordEndAt(b, end+1) && esDNIValid(d, upperASCII(b[end])) {
		conf := 0.8
		if isLower(b[end]) {
			conf = 0.45 // "12345678z": a context word must say it is a DNI
		}
		s.add(ESDNI, "", r.gs[0], end+1, s.ctxAdjust(r.gs[0], end+1, conf, kwDNI, 0.15))
		return end + 1
	}
	if r.ng == 1 && len(d) == 4 && end+2 <= len(b) && isUpper(b[end]) && isUpper(b[end+1]) && wordEndAt(b, end+2) {
		return s.nlPostcode(b, r.gs[0], end+2)
	}
	if r.ng == 1 && len(d) <= 2 && ordinalAt(b, end) {
		return s.dayMonthDate(b, r.gs[0], end) // "3rd March 1985"; 0 lets the caller skip the word
	}
	if r.ng == 1 && len(d) <= 4 && isAlpha(b[end]) && wordEndAt(b, end+1) {
		if e := s.afterNumber(b, r.gs[0], end+1); e > 0 {
			return e
		}
		return end + 1
	}
	return 0
}

// skipCode returns the end of a code token: alphanumerics joined by '-',
// '/', '_' and '.'.
func skipCode(b []byte, i int) int {
	for i < len(b) && (isAlnum(b[i]) || (b[i] == '-' || b[i] == '/' || b[i] == '_' || b[i] == '.') && i+1 < len(b) && isAlnum(b[i+1])) {
		i++
	}
	return i
}

// hexRun returns the end of the hex-digit run at i.
func hexRun(b []byte, i int) int {
	for i < len(b) && isHex(b[i]) {
		i++
	}
	return i
}

// isoTimestampEnd returns the end of the ISO 8601 date-time at i, with a 'T'
// between date and time: YYYY-MM-DDThh:mm[:ss[.fraction]][Z|±hh[:]mm], or 0.
// Only the 'T' form: a date followed by a space and a time may be a date of
// birth in prose ("born 1980-05-01 at 10:15"), which the number reader finds.
func isoTimestampEnd(b []byte, i int) int {
	if len(b)-i < 16 {
		return 0
	}
	// One branch for the four separators, not one each: which of them a
	// digit run fails at (a phone at the first, a date at the third) is
	// anyone's guess for the branch predictor.
	if w := b[i : i+16 : i+16]; (w[4]^'-')|(w[7]^'-')|(w[10]^'T')|(w[13]^':') != 0 {
		return 0
	}
	for _, k := range [...]int{0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15} {
		if !isDigit(b[i+k]) {
			return 0
		}
	}
	two := func(k int) int { return int(b[k]-'0')*10 + int(b[k+1]-'0') }
	if m, d := two(i+5), two(i+8); m < 1 || m > 12 || d < 1 || d > 31 || two(i+11) > 23 || two(i+14) > 59 {
		return 0
	}
	e := i + 16
	if e+3 <= len(b) && b[e] == ':' && isDigit(b[e+1]) && isDigit(b[e+2]) && two(e+1) <= 60 {
		e += 3
		if e+1 < len(b) && (b[e] == '.' || b[e] == ',') && isDigit(b[e+1]) {
			e++
			for f := 0; e < len(b) && isDigit(b[e]) && f < 9; f++ {
				e++
			}
		}
	}
	switch {
	case e < len(b) && b[e] == 'Z':
		e++
	case e+3 <= len(b) && (b[e] == '+' || b[e] == '-') && isDigit(b[e+1]) && isDigit(b[e+2]):
		z := e + 3
		if z+3 <= len(b) && b[z] == ':' && isDigit(b[z+1]) && isDigit(b[z+2]) {
			z += 3
		} else if z+2 <= len(b) && isDigit(b[z]) && isDigit(b[z+1]) {
			z += 2
		}
		e = z
	}
	if e < len(b) && (isAlnum(b[e]) || b[e] >= 0x80) {
		return 0 // not a timestamp token after all
	}
	return e
}
