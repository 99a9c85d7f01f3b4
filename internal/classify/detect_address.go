package classify

import (
	"bytes"
	"math/bits"
)

// Postal addresses are anchored on house numbers: number-first streets (en,
// fr: "221B Baker Street", "12 rue de la Paix") are read forward, street-first
// ones (de, nl, sv, es, it, pl: "Hauptstraße 5", "Via Roma 10", "ul. Długa 7")
// backward. Postcodes need context, a key, or an address right before them.

var (
	// streetTypesEN are the last word of an English street name.
	streetTypesEN = set("street", "st", "road", "rd", "avenue", "ave", "lane", "ln", "drive", "dr", "boulevard",
		"blvd", "court", "ct", "place", "pl", "way", "close", "terrace", "crescent", "square", "sq", "parkway",
		"pkwy", "highway", "hwy", "row", "gardens", "mews", "hill", "walk", "grove", "park", "circle", "cir", "trail")
	// streetTypesFR start a French (and Walloon) street name after the number.
	streetTypesFR = set("rue", "avenue", "av", "boulevard", "bd", "place", "allée", "allee", "impasse", "chemin",
		"quai", "cours", "route", "square", "passage", "faubourg", "sentier", "voie", "rond-point")
	// streetPrefixes start a street name before the number (es, it, pl, pt).
	streetPrefixes = set("calle", "c/", "avenida", "avda", "av", "plaza", "paseo", "camino", "carrer", "ronda",
		"travesía", "via", "viale", "piazza", "piazzale", "corso", "largo", "vicolo", "strada", "contrada",
		"ul", "ulica", "al", "aleja", "os", "plac", "rua", "avenue", "rue")
	// streetSuffixes end a one-word street name (de, nl, sv, da).
	streetSuffixes = []string{"straße", "strasse", "str.", "str", "weg", "allee", "platz", "gasse", "ring", "damm",
		"ufer", "chaussee", "steig", "pfad", "markt", "straat", "laan", "plein", "gracht", "kade", "singel", "dijk",
		"dreef", "gatan", "vägen", "vagen", "gränd", "torget", "allén", "stigen", "backen", "vej", "gade"}
	// germanStreetWords stand as a word of their own after a town's or a
	// person's name made an adjective ("Mariahilfer Straße", "Frankfurter
	// Allee", "Wiener Platz").
	// ("Ring" and "Weg" are left out: "Goldener Ring 18 Karat", "Jeder Weg
	// 5 Minuten".)
	germanStreetWords = set("straße", "strasse", "str.", "allee", "platz", "gasse", "damm", "ufer", "chaussee")
	// notPlaceAdjectives end in "-er" and are no town's or person's name
	// made an adjective: "Dieser Platz", "Jeder Platz", a material's
	// ("Goldener Platz" is a shop's text as often).
	notPlaceAdjectives = set("dieser", "jeder", "welcher", "jener", "mancher", "solcher", "einer", "keiner",
		"meiner", "deiner", "seiner", "ihrer", "unser", "euer", "aller", "anderer", "oder", "aber", "immer",
		"wieder", "unter", "hinter", "über", "ueber", "goldener", "silberner", "eiserner", "hölzerner",
		"gläserner", "kupferner", "seidener", "steinerner", "bronzener")
	particles = set("de", "du", "des", "la", "le", "les", "l'", "d'", "del", "della", "dei", "degli", "di", "da",
		"das", "dos", "van", "von", "der", "den", "het", "y", "e", "of", "the", "st", "saint", "san", "santa")
)

// wordSet is a small set of lower-case words of at most 16 bytes. A word is
// its endWords and its length, which say all its bytes: one multiply picks
// a slot, and two words and a length compare, where a Go map's lookup hashed
// and compared the string (141 instructions, an eighth of reading a French
// street address).
type wordSet struct {
	slots []wordSetSlot // a power of two, at most a quarter full
	shift uint
	// lead has bit n set at a word's first byte, in either ASCII case,
	// for each member of n bytes (every bit at bytes beyond ASCII, whose
	// case is not folded here). It refuses most words before they are
	// lowered and hashed: a number in product text is followed and led by
	// "days", "hours", "within", which no French street type, street
	// prefix or particle matches in first letter and length.
	lead [256]uint32
}

type wordSetSlot struct {
	w0, w1 uint64
	n      uint8 // 0: empty
}

func set(ws ...string) *wordSet {
	log := uint(4) // of the slot count
	for 1<<log < 4*len(ws) {
		log++
	}
	s := &wordSet{slots: make([]wordSetSlot, 1<<log), shift: 64 - log}
	for c := 0x80; c < 0x100; c++ {
		s.lead[c] = 1<<17 - 1
	}
	for _, w := range ws {
		if len(w) == 0 || len(w) > 16 {
			panic("classify: word set member " + w + " is not 1 to 16 bytes")
		}
		s.lead[lowerASCII(w[0])] |= 1 << len(w)
		s.lead[upperASCII(w[0])] |= 1 << len(w)
		w0, w1 := endWords([]byte(w))
		h := s.slotOf(w0, w1, len(w))
		for s.slots[h].n != 0 && !(s.slots[h].w0 == w0 && s.slots[h].w1 == w1 && int(s.slots[h].n) == len(w)) {
			h = (h + 1) & uint(len(s.slots)-1)
		}
		s.slots[h] = wordSetSlot{w0, w1, uint8(len(w))}
	}
	return s
}

func (s *wordSet) slotOf(w0, w1 uint64, n int) uint {
	return uint(((w0^bits.RotateLeft64(w1, 29))*0x9E3779B97F4A7C15 ^ uint64(n)*0xC2B2AE3D27D4EB4F) >> s.shift)
}

// mayHave reports whether w, in any case, may be in the set: false means
// that w lowered is not.
func (s *wordSet) mayHave(w []byte) bool {
	return len(w) > 0 && len(w) <= 16 && s.lead[w[0]]>>len(w)&1 != 0
}

// has reports whether w is in the set (compared as is: callers lower it).
func (s *wordSet) has(w []byte) bool {
	if !s.mayHave(w) {
		return false
	}
	n := len(w)
	w0, w1 := endWords(w)
	mask := uint(len(s.slots) - 1)
	for h := s.slotOf(w0, w1, n); ; h = (h + 1) & mask {
		sl := &s.slots[h]
		if sl.n == 0 {
			return false
		}
		if sl.w0 == w0 && sl.w1 == w1 && int(sl.n) == n {
			return true
		}
	}
}

// wordAt returns the end of the word at i: letters, multi-byte runes, inner
// hyphens and apostrophes ("Champs-Élysées") and an abbreviation dot ("str.").
func wordAt(b []byte, i int) int {
	j := i
	for j < len(b) {
		c := b[j]
		if isAlpha(c) || c >= 0x80 {
			j++
			continue
		}
		if (c == '-' || c == '\'') && j > i && j+1 < len(b) && (isAlpha(b[j+1]) || b[j+1] >= 0x80) {
			j++
			continue
		}
		if c == '.' && j > i && j-i <= 4 {
			j++ // abbreviation: "St.", "str.", "ul."
		}
		break
	}
	return j
}

// wordIn returns the end of the word at i (as wordAt) when ws may hold it,
// or i: its first byte refuses most words before they are read.
func wordIn(ws *wordSet, b []byte, i int) int {
	if i >= len(b) || ws.lead[b[i]] == 0 {
		return i
	}
	if we := wordAt(b, i); ws.mayHave(trimDot(b[i:we])) {
		return we
	}
	return i
}

// lowerWord lower-cases an ASCII-mostly word into buf (trailing '.' kept).
func lowerWord(buf *[32]byte, w []byte) []byte {
	if len(w) > len(buf) {
		return nil
	}
	out := buf[:len(w)]
	var high byte
	for k, c := range w {
		out[k] = lowerASCII(c)
		high |= c
	}
	if high < 0x80 {
		return out // ASCII: nothing more to lower
	}
	return lowerLatin(out)
}

// lowerLatin lower-cases, in place, the letters of Latin-1 and Latin
// Extended-A in w, two bytes in UTF-8 ("Ä", "É", "Ł", "Ź"), from
// latinLower; other bytes stay as they are.
func lowerLatin(w []byte) []byte {
	for k := 0; k+1 < len(w); k++ {
		if c := w[k]; c-0xC3 < 3 && w[k+1]&0xC0 == 0x80 {
			if l := latinLower[(int(c)&0x1F)<<6|int(w[k+1]&0x3F)-0xC0]; l[0] != 0 {
				w[k], w[k+1] = l[0], l[1]
				k++
			}
		}
	}
	return w
}

func trimDot(w []byte) []byte {
	if n := len(w); n > 1 && w[n-1] == '.' {
		return w[:n-1]
	}
	return w
}

func isCap(b []byte, i int) bool {
	if i >= len(b) {
		return false
	}
	if isUpper(b[i]) {
		return true
	}
	// Latin-1 and Latin Extended-A capitals in UTF-8.
	return i+1 < len(b) && ((b[i] == 0xC3 && b[i+1] >= 0x80 && b[i+1] <= 0x9E) || (b[i] == 0xC4 || b[i] == 0xC5) && b[i+1]%2 == 0)
}

// afterNumber handles a short number at [start,end): a day before a month
// name, or a house number in a street address.
func (s *scanner) afterNumber(b []byte, start, end int) int {
	if end-start <= 2 && isDigit(b[end-1]) {
		if e := s.dayMonthDate(b, start, end); e > 0 {
			return e
		}
	}
	if e := s.streetForward(b, start, end); e > 0 {
		return e
	}
	return s.streetBackward(b, start, end)
}

// houseSuffixEnd returns the end of a house number's suffix after '-' or
// '/' at end, a letter or a floor in Roman numerals ("Hoofdweg 123-II",
// "Via dei Mille 3/A", "Hauptstr. 5/II"), or end if there is none.
func houseSuffixEnd(b []byte, end int) int {
	if end+1 >= len(b) || b[end] != '-' && b[end] != '/' || !isAlpha(b[end+1]) {
		return end
	}
	j := end + 1
	for j < len(b) && j-end <= 3 && isAlpha(b[j]) {
		j++
	}
	if !wordEndAt(b, j) || j < len(b) && (b[j] == '-' || b[j] == '/') {
		return end // "Typ 300/ABCD", "12-A-7"
	}
	if j-end == 2 {
		return j // one letter
	}
	for _, c := range b[end+1 : j] {
		if c != 'I' && c != 'V' && c != 'X' {
			return end // "38-XL"
		}
	}
	return j
}

// streetForward: "221B Baker Street", "12 rue de la Paix", "5 bis avenue Foch".
func (s *scanner) streetForward(b []byte, start, end int) int {
	i := end
	if i >= len(b) || b[i] != ' ' {
		return 0
	}
	i++
	var buf [32]byte
	if hasPrefixFold(b, i, "bis ") || hasPrefixFold(b, i, "ter ") {
		i += 4
	}
	// French: the street type comes first.
	if we := wordIn(streetTypesFR, b, i); we > i {
		lw := lowerWord(&buf, trimDot(b[i:we]))
		if streetTypesFR.has(lw) {
			last := we
			j := we
			for words := 0; words < 6 && j < len(b) && b[j] == ' '; words++ {
				k := j + 1
				e := wordAt(b, k)
				if e == k {
					break
				}
				if isCap(b, k) {
					last = e
				} else if !particles.has(lowerWord(&buf, b[k:e])) {
					break
				}
				j = e
			}
			if last > we {
				s.addAddress(start, last)
				return last
			}
		}
	}
	// English: capitalized words, the last one a street type.
	j := i
	for words := 0; words < 4; words++ {
		if !isCap(b, j) {
			return 0
		}
		e := wordAt(b, j)
		if e == j {
			return 0
		}
		lw := lowerWord(&buf, trimDot(b[j:e]))
		if words > 0 && streetTypesEN.has(lw) {
			// "Pennsylvania Avenue NW": keep a compass suffix.
			if e+3 <= len(b) && b[e] == ' ' && (hasPrefixAt(b, e+1, "NW") || hasPrefixAt(b, e+1, "NE") ||
				hasPrefixAt(b, e+1, "SW") || hasPrefixAt(b, e+1, "SE")) && wordEndAt(b, e+3) {
				e += 3
			}
			s.addAddress(start, e)
			return e
		}
		if e >= len(b) || b[e] != ' ' {
			return 0
		}
		j = e + 1
	}
	return 0
}

// streetBackward: "Hauptstraße 5", "Keizersgracht 123", "Via Roma 10",
// "Calle de Alcalá, 42", "ul. Marszałkowska 12".
func (s *scanner) streetBackward(b []byte, start, end int) int {
	i := start
	if i > 0 && b[i-1] == ' ' {
		i--
	}
	if i > 0 && b[i-1] == ',' {
		i--
	}
	if i == start {
		return 0
	}
	var buf [32]byte
	first := -1
	named := -1 // the first of the capitalized words read, when no street word is among them
	// afterAdjective: the word read last is a street word that follows an
	// adjective (germanStreetWords).
	afterAdjective := false
	for words := 0; words < 5; words++ {
		e := i
		k := e
		for k > 0 && (isAlpha(b[k-1]) || b[k-1] >= 0x80 || b[k-1] == '-' || b[k-1] == '\'' || (b[k-1] == '.' && k == e) || (b[k-1] == '/' && k == e)) {
			k--
		}
		if k == e {
			break
		}
		w := b[k:e]
		capital := isCap(b, k)
		prefix := (words > 0 || w[len(w)-1] == '.') && streetPrefixes.mayHave(trimDot(w))
		if !capital && !prefix && !particles.mayHave(w) {
			break // none of the tests below can pass
		}
		lw := lowerWord(&buf, w)
		if lw == nil {
			break
		}
		if words == 0 && capital && hasStreetSuffix(lw) {
			first = k
			break
		}
		if words == 1 && capital && afterAdjective && len(lw) >= 4 && string(lw[len(lw)-2:]) == "er" &&
			!notPlaceAdjectives.has(lw) {
			first = k
			break
		}
		// A word with a stop is a street word's abbreviation ("Str. 5",
		// "ul. Marszałkowska"), not a sentence's end before the street
		// ("in Zürich. Mariahilfer Straße 45").
		if words > 0 && w[len(w)-1] == '.' && !(prefix && streetPrefixes.has(trimDot(lw))) {
			break
		}
		afterAdjective = words == 0 && capital && germanStreetWords.has(lw)
		if words == 0 && capital {
			if ps := poBoxStart(b, k, lw); ps >= 0 {
				hn := houseNumberEnd(b, end)
				// "Postfach 12 34": box numbers are written in pairs.
				for g := 0; g < 3 && hn+3 <= len(b) && b[hn] == ' ' && isDigit(b[hn+1]) && isDigit(b[hn+2]) && wordEndAt(b, hn+3); g++ {
					hn += 3
				}
				s.add(PostalAddress, "", ps, hn, 0.8)
				return hn
			}
		}
		if prefix && streetPrefixes.has(trimDot(lw)) {
			first = k
			break
		}
		if capital {
			named = k
		} else if !particles.has(lw) {
			break
		}
		if k == 0 || b[k-1] != ' ' {
			break
		}
		i = k - 1
	}
	hn := houseNumberEnd(b, end)
	conf := 0.0
	if first < 0 && named >= 0 && b[named+1] != '.' && !countedAfter(b, hn) &&
		!s.near(named, named, kwNegative, 0, start-named) {
		// No street word ("Unter den Linden 77", "Neuer Wall 5", "Dam 1"):
		// an address word right before it, or a postcode and town right
		// after it, says it is a street; unless the number counts
		// something ("Germany 2 items") or the words name a thing
		// ("Model 3", "Order 5").
		switch {
		case s.addressWordBefore(b, named):
			first, conf = named, 0.8
		case postcodeAhead(b, end):
			first, conf = named, 0.7
		}
	}
	if first < 0 || !wordStartAt(b, first) {
		return 0
	}
	if conf > 0 {
		s.add(PostalAddress, "", first, hn, conf)
	} else {
		s.addAddress(first, hn)
	}
	return hn
}

// poBoxStart returns where a post office box's name that ends with the
// word at k (lw, lower-cased) starts: "PO Box", "P.O. Box", "Post Office
// Box", "Postfach", "Postbus", "Postboks", "Apartado"; or -1. A box is an
// address the post delivers to, as a street is.
func poBoxStart(b []byte, k int, lw []byte) int {
	switch string(lw) {
	case "postfach", "postbus", "postboks", "apartado", "postbox":
		return k
	case "box":
		for _, p := range []string{"po ", "p.o. ", "p. o. ", "post office ", "po. "} {
			if k >= len(p) && hasPrefixFold(b, k-len(p), p) && wordStartAt(b, k-len(p)) {
				return k - len(p)
			}
		}
	}
	return -1
}

// countedAfter reports a lower-case word right after a number ending at
// end: "2 items", "3 pcs", a count rather than a house number.
func countedAfter(b []byte, end int) bool {
	return end+1 < len(b) && b[end] == ' ' && isLower(b[end+1])
}

// houseNumberEnd extends a house number ending at end over a range or a
// part: "263-267", "10/12", "5-7a".
func houseNumberEnd(b []byte, end int) int {
	if end+1 >= len(b) || (b[end] != '-' && b[end] != '/') {
		return end
	}
	if isAlpha(b[end+1]) {
		return houseSuffixEnd(b, end) // "Hoofdweg 123-II"
	}
	if !isDigit(b[end+1]) {
		return end
	}
	j := end + 1
	for j < len(b) && isDigit(b[j]) && j-end <= 4 {
		j++
	}
	if j < len(b) && isAlpha(b[j]) && wordEndAt(b, j+1) {
		j++
	}
	if !wordEndAt(b, j) || j < len(b) && (b[j] == '-' || b[j] == '/' || b[j] == '.' && j+1 < len(b) && isDigit(b[j+1])) {
		return end // "5/12/1985", "12-34-56": not a house number's range
	}
	return j
}

// addressWordBefore reports an address word (kwAddress: "Lieferadresse",
// "ship to", "my address is") that ends right before the word at i, but
// for spaces, a colon and a copula.
func (s *scanner) addressWordBefore(b []byte, i int) bool {
	j := i
	for j > 0 && (b[j-1] == ' ' || b[j-1] == ':') {
		j--
	}
	if j == i {
		return false
	}
	for _, cop := range [...]string{"is", "ist", "est", "es", "är", "jest", "è"} {
		if k := j - len(cop); k > 0 && b[k-1] == ' ' && hasPrefixFold(b, k, cop) {
			j = k - 1
			break
		}
	}
	if !s.near(j, j, kwAddress, 24, 0) {
		return false
	}
	for _, x := range s.kwHits {
		if int(x.end) == j && x.mask&kwAddress != 0 {
			return true
		}
	}
	return false
}

// postcodeAhead reports a numeric postcode and a town after a house number
// ending at end: ", 10117 Berlin", ", 00-029 Warszawa", ", 114 51
// Stockholm", ", 1012 JS Amsterdam".
func postcodeAhead(b []byte, end int) bool {
	i := end
	if i < len(b) && b[i] == ',' {
		i++
	}
	if i >= len(b) || b[i] != ' ' {
		return false
	}
	i++
	d := i
	for i < len(b) && isDigit(b[i]) {
		i++
	}
	switch n := i - d; {
	case n == 5:
	case n == 2 && i+4 <= len(b) && b[i] == '-' && allDigits(b[i+1:i+4]):
		i += 4
	case n == 3 && i+3 <= len(b) && b[i] == ' ' && allDigits(b[i+1:i+3]):
		i += 3
	case n == 4 && i+3 <= len(b) && b[i] == ' ' && isUpper(b[i+1]) && isUpper(b[i+2]):
		i += 3
	case n == 4:
	default:
		return false
	}
	return i+1 < len(b) && b[i] == ' ' && isCap(b, i+1)
}

// streetSuffixesByLast groups streetSuffixes by their last byte, in order:
// a word can only end in the suffixes of its own last byte.
var streetSuffixesByLast = byLastByte(streetSuffixes)

// byLastByte groups words by their last byte, keeping their order.
func byLastByte(words []string) (m [256][]string) {
	for _, w := range words {
		m[w[len(w)-1]] = append(m[w[len(w)-1]], w)
	}
	return m
}

func hasStreetSuffix(lw []byte) bool {
	if len(lw) == 0 {
		return false
	}
	for _, suf := range streetSuffixesByLast[lw[len(lw)-1]] {
		if len(lw) > len(suf)+1 && string(lw[len(lw)-len(suf):]) == suf {
			return true
		}
		if string(lw) == suf && suf != "str" && suf != "str." {
			return false
		}
	}
	return false
}

func (s *scanner) addAddress(start, end int) {
	s.add(PostalAddress, "", start, end, s.ctxUp(start, end, 0.75, kwAddress, 0.15))
}

// postcodeNumeric handles 5-digit codes (DE, FR, ES, IT, US ZIP), ZIP+4,
// "12-345" (PL), "123 45" (SE) and 4-digit codes (AT, CH, BE, DK, NO) under
// a postcode key, or before a town after an address or a postcode word
// ("Bahnhofstrasse 12, 8001 Zürich", "PLZ 1010 Wien").
func (s *scanner) postcodeNumeric(b []byte, r *numRun, k int, d []byte, start, end int) int {
	L := len(d)
	ok := false
	switch {
	case k == 1 && L == 4 && s.hint != hintPostcode:
		te := townAfter(b, end)
		if te == 0 || !s.rightAfterAddress(start) && !s.near(start, end, kwPostcodeWord, 24, 0) {
			return 0
		}
		// A year and a noun go on as a sentence ("Musterweg 3, 2024
		// Bestellung aufgegeben"); a postcode's town ends the address.
		if y := atoi(d); y >= 1900 && y < 2100 && te+1 < len(b) && b[te] == ' ' && isLower(b[te+1]) {
			return 0
		}
		ok = true
	case k == 1 && L == 5:
		ok = true
	case k == 2 && r.sep[0] == '-' && groupLens(r, 2, 5, 4):
		ok = true
	case k == 2 && r.sep[0] == '-' && groupLens(r, 2, 2, 3):
		ok = true
	case k == 2 && r.sep[0] == ' ' && groupLens(r, 2, 3, 2):
		ok = true
	case k == 1 && L == 4 && s.hint == hintPostcode:
		ok = true
	}
	if !ok {
		return 0
	}
	conf := 0.3
	switch {
	case s.keyConfirms(Postcode):
		conf = 0.85 // the key lifts it to 0.95 whatever the words around say
	case s.afterAddress(start):
		conf = 0.85
	case s.near(start, end, kwPostcode, 40, 0):
		conf = 0.8
	}
	s.add(Postcode, "", start, end, conf)
	if conf >= 0.5 {
		return end
	}
	return 0
}

// townAfter returns the end of a town's name after a postcode ending at
// end, or 0: a space and a capitalized word of letters ("8001 Zürich",
// "1010 Wien"), not a unit or a currency ("1200 Stück", "1000 CHF").
func townAfter(b []byte, end int) int {
	if !isCap(b, end+1) {
		return 0
	}
	var buf [32]byte
	w, e := wordAfter(&buf, b, end)
	if len(w) < 2 || unitWords.has(w) {
		return 0
	}
	return e
}

// postcodeBacked reports what lifts a postcode-shaped candidate [start,end):
// a postcode key, an address right before it, or a postcode word near.
func (s *scanner) postcodeBacked(start, end int) bool {
	return s.keyConfirms(Postcode) || s.afterAddress(start) || s.near(start, end, kwPostcode, 40, 0)
}

// afterAddress reports whether a postal address candidate ends shortly
// before start: on the same line, or on the line before it when start
// begins the next line ("Hauptstr. 5\n10115 Berlin") or follows only a
// town there ("12 Baker Street\nLondon NW1 6XE", "1600 Main St\nAustin, TX
// 78701"), as addresses are written on envelopes and in address fields.
func (s *scanner) afterAddress(start int) bool {
	ae := s.addressEndBefore(start, 40)
	if ae < 0 {
		return false
	}
	between := s.seg[ae:start]
	nl := bytes.IndexByte(between, '\n')
	if nl < 0 {
		return true
	}
	return nextLineTown(between[:nl], between[nl+1:]) && !s.near(start, start, kwNegative, 32, 0)
}

// addressEndBefore returns where the last postal address candidate (of the
// last three) that ends by start, at most within bytes before it, ends;
// -1 if there is none.
func (s *scanner) addressEndBefore(start, within int) int {
	for k := len(s.cands) - 1; k >= 0 && k >= len(s.cands)-3; k-- {
		if c := s.cands[k]; c.typ == PostalAddress && c.end <= start && start-c.end <= within {
			return c.end
		}
	}
	return -1
}

// rightAfterAddress reports a postal address candidate that ends right
// before start, a comma, a space or a line break between them: where a
// four-digit postcode stands ("Bahnhofstrasse 12, 8001 Zürich"), unlike a
// number further on ("1234 Main Street. LAPEL PIN 1234 GOLD").
func (s *scanner) rightAfterAddress(start int) bool {
	ae := s.addressEndBefore(start, 3)
	if ae < 0 {
		return false
	}
	for _, x := range s.seg[ae:start] {
		if x != ',' && x != ' ' && x != '\n' && x != '\r' {
			return false
		}
	}
	return true
}

// nextLineTown reports whether the text between an address and a postcode
// on the next line is an address's line break: before it, only a comma and
// spaces; after it, nothing, or a town (capitalized words, a comma, a
// two-letter state) and a space.
func nextLineTown(before, after []byte) bool {
	for _, c := range before {
		if c != ' ' && c != ',' && c != '\r' && c != '\t' {
			return false
		}
	}
	for len(after) > 0 && (after[0] == ' ' || after[0] == '\t') {
		after = after[1:]
	}
	if len(after) == 0 {
		return true
	}
	if after[len(after)-1] != ' ' || !isUpper(after[0]) {
		return false
	}
	for _, c := range after {
		if !isAlpha(c) && c != ' ' && c != ',' && c != '-' && c != '.' && c < 0x80 {
			return false
		}
	}
	return true
}

// countryPostcode reads a postcode led by the country letters of European
// addresses ("D-10115 Berlin", "F-75002 Paris", "CH-8001 Zürich", "NL-1012
// AB Amsterdam"), [i,j) the letters, '-' at j. A town after it, an address
// before it or a postcode word near makes it one.
func (s *scanner) countryPostcode(b []byte, i, j int) int {
	var n int
	switch string(b[i:j]) {
	case "D", "F", "I", "E", "FI", "S":
		n = 5
	case "A", "CH", "B", "L", "DK", "N", "NL":
		n = 4
	default:
		return 0
	}
	k := j + 1
	for k < len(b) && isDigit(b[k]) {
		k++
	}
	if k-j-1 != n || k < len(b) && isWordByte(b[k]) {
		return 0
	}
	if n == 4 && b[i] == 'N' && j-i == 2 && k+3 <= len(b) && b[k] == ' ' && isUpper(b[k+1]) && isUpper(b[k+2]) && wordEndAt(b, k+3) {
		k += 3 // "NL-1012 AB"
	}
	conf := 0.3
	switch {
	case s.postcodeBacked(i, k):
		conf = 0.85
	case k+2 < len(b) && b[k] == ' ' && isCap(b, k+1) && !s.near(i, k, kwNegative, 32, 0):
		conf = 0.7 // "D-10115 Berlin": letters, digits and a town; not "Part A-1234 Kit"
	}
	s.add(Postcode, "", i, k, conf)
	return k
}

// nlPostcode handles "1012 AB" / "1012AB" ([start,end) covers it).
func (s *scanner) nlPostcode(b []byte, start, end int) int {
	l1, l2 := b[end-2], b[end-1]
	if (l1 == 'S' && (l2 == 'A' || l2 == 'D' || l2 == 'S')) || b[start] == '0' {
		return end
	}
	conf := 0.4
	if s.postcodeBacked(start, end) {
		conf = 0.85
	}
	s.add(Postcode, "", start, end, conf)
	return end
}
