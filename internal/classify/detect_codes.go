package classify

import (
	"bytes"
	"slices"
	"strings"
)

// Codes: credentials of digits only, which a support chat is given in
// words or under a key: a card's PIN ("my PIN is 4821", "PIN: 4821"), its
// security code ("CVV 123", "code de sécurité : 734") and a one-time code
// ("your verification code is 483920", "TAN 123456").
//
// A number of digits, in groups split by spaces at most, is a code when a
// code's name is right before it and the text gives the number as its
// value:
//   - a key and ':' or '=' ("PIN: 4821", "card_cvv=123", "verificationCode: 483920");
//   - a name and a verb ("my PIN is 4821", "Ihr Bestätigungscode lautet 55 66 77");
//   - a possessive and a name ("my PIN 4821", "your verification code 483920");
//   - or the name alone, an acronym in capitals or led by one ("PIN 4821",
//     "CVV2 123", "PIN number 4821", "PIN-Code 4821"), where nothing around
//     makes the number a product's, a colour's, a price, a quantity, an
//     error or a year (not "LAPEL PIN 1234 GOLD", "Color: TAN 4211", "TAN
//     1299 EUR", "PIN 1500 pcs", "error OTP code 4031", "Die TAN 2024
//     wurde eingeführt").
//
// Between name and number may stand a '(' or '[' closed after the number
// ("my PIN (4821)", "my PIN [4821]", `my PIN ("4821")`), a dash ("my PIN -
// 4821"), quotes, '#', and "nr." or "no." ("PIN nr. 4821"); an aside in
// brackets may stand before a ':' ("CVV (3 digits): 123"). A bracket or a
// dash needs a ':', a verb or a possessive too: alone, "TAN (4211)" is a
// colour's.
//
// A name may follow its noun, as Polish and the Romance languages write
// them ("Twój kod weryfikacyjny to 483920", "votre code secret est 4821",
// "votre code SMS est 908172"), and the noun may lead a code's own name
// ("mój kod PIN to 2468", "mon code CVV est 842"); a possessive then
// stands before the noun. After a Polish name, "to" is "is" ("Kod
// weryfikacyjny to 483920").
//
// Some names of a card's security code name a bank's one-time code too
// ("Your security code is 483920", "Ihr Sicherheitscode lautet 483920"):
// under them 3 or 4 digits are the card's, 5 to 8 a one-time code, unless
// another type, a unit, a price or a place claims the number.
//
// A number another type has claimed stays that type's unless a verb, ':'
// or a possessive gives it, and always when that type's span runs past it
// (a street in "my PIN is 1234 Main Street"). A unit or a price after the
// number makes it none, however it is given ("Opłata za PIN wynosi 2500
// zł", "code secret: 4821 EUR"). It must also have the code's count of
// digits ("CVV 12345" is none; a BLIK code has six).

const (
	rulePIN              = "pin"
	ruleCardSecurityCode = "card_security_code"
	ruleOneTimeCode      = "one_time_code"
)

// A digitCode is one kind of code and the words that name it, lower case.
type digitCode struct {
	rule     string
	min, max int // digits
	// keys are its keys, normalized (normKey): JSON keys, and keys before
	// ':' or '=' in text.
	keys []string
	// words name it in one word ("PIN", "CVV", "TAN", "PIN-Code").
	words []string
	// pairs name it in two words, the second a codeNoun ("security code",
	// "PIN number").
	pairs []string
	// quals name it after "code de", "código de", "codice di" ("code de
	// sécurité", "código de verificación").
	quals []string
	// posts name it right after a codeHead, as Polish and the Romance
	// languages put a qualifier after the noun ("kod weryfikacyjny", "code
	// SMS", "code secret").
	posts []string
	// acronyms are the names, in capitals, that stand alone before its
	// number ("PIN 4821"), or lead a name that does ("PIN number 4821",
	// "PIN-Code 4821").
	acronyms []string
	// shared are those of its names (in any role above, keys normalized)
	// that name the code sharedWith too: banks call the one-time codes
	// they send security codes ("Your security code is 483920", "Ihr
	// Sicherheitscode lautet 483920"). Under a shared name, a number of
	// this code's count of digits is this code, one of the other's count
	// the other (sharedAs).
	shared     []string
	sharedWith string
	// or is the code a number of another count of digits is, under a
	// shared name; nil for the codes in digitCodes.
	or *digitCode
	// plain: its acronym names nothing but the code, neither a product,
	// a colour nor an error, so no capital, label or error word before
	// refuses it alone ("Uwaga: kod BLIK 482193 jest ważny 2 minuty").
	plain bool
}

// codeByRule returns the code in digitCodes of rule r.
func codeByRule(r string) *digitCode {
	i := slices.IndexFunc(digitCodes, func(c digitCode) bool { return c.rule == r })
	return &digitCodes[i]
}

// sharedAs holds, by code, what its shared names name: the code, or the
// one its sharedWith says, by the count of digits (sized).
var sharedAs = func() map[*digitCode]*digitCode {
	m := map[*digitCode]*digitCode{}
	for i := range digitCodes {
		if c := &digitCodes[i]; c.sharedWith != "" {
			m[c] = &digitCode{rule: c.rule, min: c.min, max: c.max, or: codeByRule(c.sharedWith)}
		}
	}
	return m
}()

// named returns the code that c's name n (lower case; a key normalized)
// names: c, or sharedAs[c] if n is one of its shared names.
func (c *digitCode) named(n string) *digitCode {
	if slices.Contains(c.shared, n) {
		return sharedAs[c]
	}
	return c
}

// sized returns the code a number of L digits under a name of c is: c, or
// c.or; nil if neither has L digits.
func (c *digitCode) sized(L int) *digitCode {
	switch {
	case L >= c.min && L <= c.max:
		return c
	case c.or != nil && L >= c.or.min && L <= c.or.max:
		return c.or
	}
	return nil
}

var digitCodes = []digitCode{
	{rule: rulePIN, min: 4, max: 12,
		keys: []string{"pin", "pincode", "pinnumber", "pinnummer", "pinkod", "cardpin", "kartenpin", "cardpincode",
			"geheimzahl", "pin2"},
		words: []string{"pin", "pin2", "pincode", "pin-code", "pinnummer", "pin-nummer", "pin-nr", "pin-no", "pinnumber",
			"pinkod", "pin-kod", "pinkoden", "pin-koden", "geheimzahl"},
		pairs:    []string{"pin code", "pin number", "pin nummer", "pin kod", "pin no", "pin nr"},
		posts:    []string{"secret", "confidentiel", "segreto", "secreto"},
		acronyms: []string{"PIN"}},
	{rule: ruleCardSecurityCode, min: 3, max: 4,
		keys: []string{"cvv", "cvc", "cvv2", "cvc2", "csc", "cvn", "cardcvv", "cardcvc", "securitycode", "cardsecuritycode",
			"cardverificationcode", "cardverificationvalue", "kartenprüfnummer", "kartenprufnummer", "cryptogramme",
			"sicherheitscode", "beveiligingscode", "säkerhetskod", "sakerhetskod", "codedesecurite", "codedesécurité",
			"codigodeseguridad", "códigodeseguridad", "codicedisicurezza"},
		words: []string{"cvv", "cvc", "cvv2", "cvc2", "csc", "cvn", "cvv-code", "cvc-code", "cvv-kod", "cvc-kod",
			"cvv-koden", "cvc-koden", "kartenprüfnummer", "kartenprufnummer", "cryptogramme", "sicherheitscode",
			"beveiligingscode", "säkerhetskod", "sakerhetskod", "säkerhetskoden", "sakerhetskoden", "security-code",
			"securitycode"},
		pairs:    []string{"security code"},
		quals:    []string{"sécurité", "securite", "seguridad", "sicurezza"},
		posts:    []string{"bezpieczeństwa", "bezpieczenstwa", "zabezpieczający", "zabezpieczajacy", "visuel"},
		acronyms: []string{"CVV", "CVC", "CVV2", "CVC2", "CSC", "CVN"},
		shared: []string{"securitycode", "sicherheitscode", "beveiligingscode", "säkerhetskod", "sakerhetskod",
			"codedesecurite", "codedesécurité", "codigodeseguridad", "códigodeseguridad", "codicedisicurezza",
			"security-code", "säkerhetskoden", "sakerhetskoden", "security code", "sécurité", "securite", "seguridad",
			"sicurezza", "bezpieczeństwa", "bezpieczenstwa", "zabezpieczający", "zabezpieczajacy"},
		sharedWith: ruleOneTimeCode},
	{rule: ruleOneTimeCode, min: 4, max: 8,
		keys: []string{"otp", "otpcode", "onetimecode", "onetimepassword", "verificationcode", "smscode", "tan", "mtan",
			"smstan", "pushtan", "phototan", "chiptan", "apptan", "bestätigungscode", "bestatigungscode", "verifizierungscode", "einmalcode", "verificatiecode",
			"engångskod", "engangskod", "verifieringskod", "kodweryfikacyjny", "kodjednorazowy", "kodsms"},
		words: []string{"otp", "tan", "mtan", "smstan", "sms-tan", "pushtan", "push-tan", "phototan", "photo-tan", "chiptan",
			"chip-tan", "apptan", "app-tan", "mobiletan", "mobile-tan", "qr-tan", "sms-code", "bestätigungscode", "bestatigungscode",
			"verifizierungscode", "einmalcode", "verificatiecode", "otp-code", "tan-nr", "tan-nummer", "engångskod",
			"engangskod", "engångskoden", "engangskoden", "verifieringskod", "verifieringskoden", "sms-kod", "sms-koden"},
		pairs: []string{"verification code", "one-time code", "otp code", "sms code", "login code", "jednorazowy kod",
			"weryfikacyjny kod"},
		// The confirmation names (confirmNames) only with a possessive.
		quals: []string{"vérification", "verification", "verificación", "verificacion", "verifica", "confirmation",
			"confirmación", "confirmacion", "conferma"},
		posts: []string{"weryfikacyjny", "jednorazowy", "autoryzacyjny", "potwierdzający", "potwierdzajacy", "potwierdzenia",
			"autoryzacji", "weryfikacji", "monouso", "sms"},
		// A German bank's TANs are named by how they come, before "TAN";
		// chipTAN and photoTAN name the readers too ("Lesegerät für
		// chipTAN 4211"): not alone.
		acronyms: []string{"OTP", "TAN", "MTAN", "mTAN", "smsTAN", "pushTAN", "appTAN"}},
	// A BLIK code, Poland's one-time code for a payment, has six digits
	// always: fewer or more after "BLIK" are an amount or a transaction's
	// id ("Limit BLIK wynosi 5000 zł", "ID transakcji BLIK: 48213921").
	{rule: ruleOneTimeCode, min: 6, max: 6,
		keys:     []string{"kodblik", "blikcode", "blikkod", "blik"},
		words:    []string{"blik", "blik-kod", "blik-code", "blikcode"},
		pairs:    []string{"blik code", "blik kod"},
		acronyms: []string{"BLIK"},
		plain:    true},
}

// weakPosts name a code after their head only where a verb or a
// possessive gives the number: "code SMS: 71030" is a contest's or a
// premium number's, "votre code SMS est 908172" a one-time code.
var weakPosts = set("sms")

// confirmNames name a one-time code only where a possessive gives six
// digits, as a bank's are: a booking's, an order's or a card slip's
// number is named so as often (English "confirmation code" names none).
var confirmNames = set("confirmation", "confirmación", "confirmacion", "conferma", "potwierdzenia", "autoryzacji")

var (
	// codeNouns end the codes' names of two words; codeHeads start the
	// Romance ones ("code de sécurité"), before a codeParticle.
	codeNounList = []string{"code", "number", "nummer", "kod", "no", "nr"}
	// "cryptogramme visuel" is the French name of a card's security code.
	codeHeads     = set("code", "código", "codigo", "codice", "kod", "cryptogramme")
	codeParticles = set("de", "di")
	codeNouns     = set(codeNounList...)
	// possessives, before a code's name, give the number as its value
	// ("my PIN 4821").
	possessives = set("my", "your", "mein", "meine", "meinen", "dein", "deine", "ihr", "ihre", "ihren", "mon", "ma",
		"votre", "ton", "ta", "mi", "su", "tu", "mio", "mia", "tuo", "tua", "suo", "sua", "mijn", "uw", "min", "mitt", "din", "ditt", "mój", "moj",
		"moja", "moje", "twój", "twoj", "twoje")

	// codeWords, codeLeads, codeQuals and codePosts hold the names of
	// every code (the leads are the pairs' first words), for the test by
	// first byte and length; codeOf tells whose a name is.
	codeWords, codeLeads, codeQuals, codePosts = codeSets()
	codeOf                                     = codeIndex()
	// codeTails has a bit for the last three bytes (tail3) of each word
	// and key a code's number follows: the test before any word is read.
	// "order 4821" ends in "der", "number 4821" in "ber". Another tail
	// shares a bit with one of them rarely, and costs a word read, no more.
	codeTails = tailBits(func() []string {
		words := slices.Concat(codeNounList, spokenVerbList)
		for _, c := range digitCodes {
			words = slices.Concat(words, c.words, c.quals, c.posts, c.keys)
		}
		return words
	}())
	// leadTails are the same of the pairs' first words, read before a
	// codeNoun ("article number 388984" stops at "cle").
	leadTails = tailBits(codeLeadList())
)

// codeLeadList returns the first words of the codes' pairs.
func codeLeadList() (leads []string) {
	for _, c := range digitCodes {
		for _, p := range c.pairs {
			leads = append(leads, p[:strings.LastIndexByte(p, ' ')])
		}
	}
	return leads
}

func codeSets() (words, leads, quals, posts *wordSet) {
	var w, q, a []string
	for _, c := range digitCodes {
		w, q, a = slices.Concat(w, c.words), slices.Concat(q, c.quals), slices.Concat(a, c.posts)
	}
	// Words over 16 bytes ("bestätigungscode") are looked up in codeOf.
	w = slices.DeleteFunc(w, func(n string) bool { return len(n) > 16 })
	return set(w...), set(codeLeadList()...), set(q...), set(a...)
}

// codeIndex maps each name of a code, after a byte for its role ('w'
// word, 'p' pair, 'q' qualifier, 'a' a post after its head), to the code.
func codeIndex() map[string]*digitCode {
	m := map[string]*digitCode{}
	for i := range digitCodes {
		c := &digitCodes[i]
		for _, names := range []struct {
			role byte
			list []string
		}{{'w', c.words}, {'p', c.pairs}, {'q', c.quals}, {'a', c.posts}} {
			for _, n := range names.list {
				if _, dup := m[string(names.role)+n]; dup {
					panic("classify: code name " + n + " names two codes")
				}
				m[string(names.role)+n] = c.named(n)
			}
		}
	}
	return m
}

// codeNamed returns the code whose name of role role is the words ws
// joined by spaces, or nil.
func codeNamed(role byte, ws ...[]byte) *digitCode {
	var buf [48]byte
	name := append(buf[:0], role)
	for k, w := range ws {
		if k > 0 {
			name = append(name, ' ')
		}
		name = append(name, w...)
	}
	return codeOf[string(name)]
}

// codeKeys are the codes by their keys.
var codeKeys = func() map[string]*digitCode {
	m := map[string]*digitCode{}
	for i := range digitCodes {
		for _, k := range digitCodes[i].keys {
			if _, dup := m[k]; dup {
				panic("classify: code key " + k + " names two codes")
			}
			m[k] = digitCodes[i].named(k)
		}
	}
	return m
}()

// codeKey returns the code a key names, or nil: the key, or the key
// without a prefix ("billingcvv"), looked up as every JSON key is.
func codeKey(key []byte) *digitCode {
	var buf [256]byte
	return lookupNormalized(&buf, key, codeKeys, nil)
}

// withoutStop returns v without the sentence's stop after it, which a
// value read up to a space or a quote takes along: "onetimepassword:
// 483920.", {"pin": "4821."}.
func withoutStop(v []byte) []byte {
	return bytes.TrimRight(v, ".!?…")
}

// holding returns the code v is under a name of c, if v is ASCII digits
// in groups split by single spaces ("4821", "48 21") of its count of
// digits (sized); or nil.
func (c *digitCode) holding(v []byte) *digitCode {
	return c.sized(groupedDigits(v))
}

// groupedDigits returns how many digits v holds if it is ASCII digits in
// groups split by single spaces ("4821", "560 001"), and -1 otherwise.
func groupedDigits(v []byte) int {
	n := 0
	for k, d := range v {
		switch {
		case isDigit(d):
			n++
		case d == ' ' && k > 0 && k < len(v)-1 && isDigit(v[k-1]) && isDigit(v[k+1]):
		default:
			return -1
		}
	}
	return n
}

// codeGap marks the bytes that may stand between a code's name and its
// number: "PIN 4821", "PIN: 4821", "pin=4821", "PIN #5511", `"pin": "4821"`,
// "PIN (4821)", "PIN [4821]", "PIN - 4821". A '(' or '[' needs its ')' or
// ']' after the number, or after the quote that closes it (`PIN ("4821")`).
// (In "PIN-4821", a part's name, the digits are no number of their own.)
var codeGap = [256]bool{' ': true, '\t': true, ':': true, '=': true, '#': true, '"': true, '\'': true, '(': true, '[': true,
	'-': true}

// codeBefore returns the rule of the code whose name is right before the
// number b[start:end] of L digits, and the finding's confidence; or "".
// claimed says another type has taken the number ("PIN 030 1234567" is a
// phone): only a verb, a ':' or a possessive takes it back.
// Each word is tested by its first byte and length before it is lowered:
// in product text a number follows "number" or "item", and no further.
func codeBefore(b []byte, start, end, L int, claimed bool) (string, float64) {
	e := start
	assigned := false // a ':' or '=' between: "PIN: 4821"
	marked := false   // a bracket or '-' between, which the name alone may not have: "TAN (4211)" is a colour's
	after := end      // where what follows the number starts: past a closing bracket (and quote)
	for n := 0; e > 0 && n < 5 && codeGap[b[e-1]]; n++ {
		switch b[e-1] {
		case ':', '=':
			assigned = true
		case '(', '[':
			closer := end
			if q := b[start-1]; closer < len(b) && (q == '"' || q == '\'') && b[closer] == q {
				closer++ // `PIN ("4821")`
			}
			if after > end || closer >= len(b) || b[closer] != closing(b[e-1]) {
				return "", 0 // no ')' or ']' for it, or a second bracket
			}
			after, marked = closer+1, true
		case '-':
			marked = true
		}
		e--
	}
	if e == start {
		return "", 0
	}
	if assigned && e > 0 && b[e-1] == ')' {
		// An aside between the name and its ':': "CVV (3 digits): 123".
		lo := max(0, e-20)
		if o := bytes.LastIndexByte(b[lo:e-1], '('); o >= 0 {
			e = lo + o
			for e > 0 && b[e-1] == ' ' {
				e--
			}
		}
	}
	if abbreviatedNoun(b, e) { // "PIN nr. 4821", "PIN-Nr. 4821"
		e--
	}
	if e < 3 || !codeTails.has(tail3(b, e)) {
		return "", 0
	}
	if assigned {
		// A key: "card_cvv: 123", "verificationCode=483920".
		if ks := keyWordStart(b, e, 32); e-ks >= 3 && wordStartAt(b, ks) {
			var kbuf [64]byte
			if c := codeKey(lowerLatin(normKey(kbuf[:0], b[ks:e]))); c != nil {
				n := c.sized(L)
				if n == nil || n != c && otherAround(b, after, claimed) || amountAfter(b, after) ||
					maybeIndianPostcode(n, b[start:end]) {
					return "", 0
				}
				return n.rule, 0.85
			}
		}
	}
	var buf, lbuf [32]byte
	k, e := nameBefore(b, e)
	if k < 0 {
		return "", 0
	}
	verb, verbPolish := false, false
	if spokenVerbs.mayHave(b[k:e]) {
		if v := lowerWord(&buf, b[k:e]); spokenVerb(v) {
			verb, verbPolish = true, string(v) == "to" || string(v) == "wynosi"
			if k, e = nameBefore(b, k); k < 0 {
				return "", 0
			}
		}
	}
	w := b[k:e]
	first := k   // where the name starts
	owner := -1  // where a possessive ends, if not at first: before the head that leads the name
	acronym := w // the word that may be an acronym in capitals: the name, or a pair's lead
	weak := false
	confirm := false // a confirmation's name: a one-time code's or a booking's (confirmNames)
	polish := false  // the name is Polish: "to" before the number is Polish "is"
	var c *digitCode
	// mayHave only refuses: a word it lets through is looked up as each
	// kind of name in turn.
	if len(w) > 16 || codeWords.mayHave(w) { // "PIN", "Verifizierungscode"
		c = codeNamed('w', lowerWord(&buf, w))
		if h := bytes.IndexByte(w, '-'); c != nil && h > 0 {
			acronym = w[:h] // its lead: "PIN-Code 4821", "PIN-Nr. 4821"
		}
	}
	if c == nil && codeNouns.mayHave(w) && k >= 4 && b[k-1] == ' ' && leadTails.has(tail3(b, k-1)) {
		// "security code", "PIN number"; not "social security code"
		if lk, le := wordBefore(b, k); lk >= 0 && codeLeads.mayHave(b[lk:le]) && !wordIs(b, lk, "social") {
			c, first, acronym = codeNamed('p', lowerWord(&lbuf, b[lk:le]), lowerWord(&buf, w)), lk, b[lk:le]
			polish = polishHead(buf[:e-k]) && polishLeads.has(lbuf[:le-lk]) // "Jednorazowy kod wynosi 551204"
		}
	}
	if c == nil && codeQuals.mayHave(w) {
		// "code de sécurité", "codice di verifica"
		q := codeNamed('q', lowerWord(&buf, w))
		if pk, pe := wordBefore(b, k); q != nil && pk >= 0 && codeParticles.has(lowerWord(&buf, b[pk:pe])) {
			if hk, he := wordBefore(b, pk); hk >= 0 && codeHeads.has(lowerWord(&lbuf, b[hk:he])) {
				c, first, confirm = q, hk, confirmNames.has(lowerWord(&buf, w))
			}
		}
	}
	if c == nil && codePosts.mayHave(w) {
		// "kod weryfikacyjny", "code SMS", "code secret"
		n := lowerWord(&buf, w)
		a, wk, cf := codeNamed('a', n), weakPosts.has(n), confirmNames.has(n)
		if hk, he := wordBefore(b, k); a != nil && hk >= 0 && codeHeads.has(lowerWord(&lbuf, b[hk:he])) {
			if fits, weakly := postFits(n, lbuf[:he-hk]); fits {
				c, first, weak, confirm, polish = a, hk, wk || weakly, cf, polishHead(lbuf[:he-hk])
			}
		}
	} else if c != nil && first == k {
		// A head may lead a name too ("mój kod PIN to 1234", "mon code
		// CVV est 123"): a possessive comes before it.
		if hk, he := wordBefore(b, k); hk >= 0 && codeHeads.mayHave(b[hk:he]) && codeHeads.has(lowerWord(&lbuf, b[hk:he])) {
			owner, polish = hk, polishHead(lbuf[:he-hk])
		}
	}
	var sized *digitCode
	if c != nil {
		sized = c.sized(L)
	}
	if sized == nil || L == 4 && yearLike(b[start:end]) {
		return "", 0 // "The OTP is 2024", "my pin 2025"
	}
	if sized != c && otherAround(b, after, claimed) {
		return "", 0 // "Security code: 12345 pcs", "säkerhetskod: 11122 Stockholm"
	}
	if amountAfter(b, after) {
		return "", 0 // "Opłata za PIN wynosi 2500 zł", "code secret: 4821 EUR"
	}
	c = sized
	if owner < 0 {
		owner = first
	}
	var possessive []byte
	if pk, pe := wordBefore(b, owner); pk >= 0 && possessives.mayHave(b[pk:pe]) {
		if p := lowerWord(&buf, b[pk:pe]); possessives.has(p) {
			possessive = p
		}
	}
	if verbPolish && !polish && !polishPossessive(possessive) && !polishOwned(b, owner) {
		// Polish "to" ("moje PIN to 5791", "kod BLIK to 771204") is
		// English "to" too: "Send the PIN to 030 1234567" gives a phone.
		// "wynosi" ("amounts to") gives a fee or a limit unless a Polish
		// name or possessive says whose: "Opłata za PIN wynosi 2500",
		// "Mój PIN wynosi 4821".
		return "", 0
	}
	if confirm && (possessive == nil || L != 6) {
		// "Votre code de confirmation est 482193" is a one-time code;
		// "Code de confirmation : 4821", "Votre code de confirmation est
		// 48219321", "Kod autoryzacji: 482193" a booking's, an order's,
		// a card slip's.
		return "", 0
	}
	if verb && rangeAfter(b, after, L) {
		return "", 0 // "your PIN is 1000 to 9999", "Ihr PIN ist 1234 bis 5678 gültig"
	}
	if verb || possessive != nil {
		return c.rule, 0.85
	}
	if weak {
		return "", 0 // "code SMS: 71030 (0,65 EUR/SMS)"
	}
	if assigned { // "Sicherheitscode: 552", "SMS code: 2468"
		if maybeIndianPostcode(c, b[start:end]) {
			return "", 0
		}
		return c.rule, 0.85
	}
	// The name alone: an acronym in capitals ("PIN 4821", "PIN number
	// 4821", "PIN-Code 4821"), read as a code only where nothing says the
	// number is something else: no other type took it, it is no year, it
	// may not be India's postcode, no bracket or dash stands between, and
	// no word with a capital, a label or an error before the name, nor a
	// currency, a decimal, a word with a capital or a unit after the
	// number, makes it a product's or a message's ("LAPEL PIN 1234 GOLD",
	// "Boot TAN 4211", "Color: TAN 4211", "error OTP code 4031", "TAN
	// 1299 EUR", "TAN 1299,00", "PIN 1500 pcs", "PIN number 1000 to 2000").
	//
	// A head before the name ("Kod BLIK 482193", "podaj kod PIN 4821") is
	// part of it: the label or error is looked for before the head, and
	// so is the capital, if the head has one itself (a head in lower case
	// may follow a sentence's first word: "Podaj kod PIN 4821"). A capital
	// on the head or before it makes a colour's code of TAN, though
	// ("Code TAN 4211 - Tan leather belt", "Color code TAN 4211").
	if claimed || marked || maybeIndianPostcode(c, b[start:end]) || !slices.Contains(c.acronyms, string(acronym)) {
		return "", 0
	}
	headed := owner != first
	if headed && string(acronym) == "TAN" && (isCap(b, owner) || capitalBefore(b, owner)) {
		return "", 0 // "Code TAN 4211", "Color code TAN 4211"
	}
	at := first // where the capital is looked for before
	if headed && isCap(b, owner) {
		at = owner
	}
	if !c.plain && (capitalBefore(b, at) || labelBefore(b, owner) || wordInBefore(b, owner, errorWords)) ||
		productAfter(b, after) || quantityAfter(b, after) {
		return "", 0 // "Color: code TAN 4211", "Error: code OTP 4031", "Model: kod PIN 1234"
	}
	return c.rule, 0.75
}

// otherAround reports what makes a number after a shared name something
// other than the code its count of digits would make it: another type's
// claim ("Sicherheitscode: 030 12345" is a phone), or a price, a quantity
// or a place after it (productAfter, quantityAfter: "Security code: 12345
// pcs", "säkerhetskod: 11122 Stockholm"). after is where what follows the
// number starts.
func otherAround(b []byte, after int, claimed bool) bool {
	return claimed || productAfter(b, after) || quantityAfter(b, after)
}

// postFits reports whether the post n may follow the head h (both
// lowered), and whether it then names the code only where a verb or a
// possessive gives the number, as weakPosts do: "cryptogramme" leads
// "visuel" only, and "visuel" after another head is weak ("Votre code
// visuel est 123", but "Référence code visuel : 4521" is a product's).
func postFits(n, h []byte) (fits, weak bool) {
	crypto, visuel := string(h) == "cryptogramme", string(n) == "visuel"
	return !crypto || visuel, visuel && !crypto
}

// polishHead reports the Polish codeHead (lowered).
func polishHead(w []byte) bool {
	return string(w) == "kod"
}

// closing returns the bracket that closes c (c is '(' or '[').
func closing(c byte) byte {
	if c == '[' {
		return ']'
	}
	return ')'
}

// abbreviatedNoun reports "nr." or "no." ending at e, after a space or a
// hyphen: "PIN nr. 4821", "PIN-Nr. 4821", "PIN no. 4821". A period after
// any other word ends a sentence: "I reset my PIN. 4821 users did too",
// "I don't know what my PIN is. 4821 users have the same problem".
func abbreviatedNoun(b []byte, e int) bool {
	if e < 4 || b[e-1] != '.' || b[e-4] != ' ' && b[e-4] != '-' {
		return false
	}
	w := string([]byte{lowerASCII(b[e-3]), lowerASCII(b[e-2])})
	return w == "nr" || w == "no"
}

// errorWords, before a code's acronym alone, make its number an error's
// ("got error OTP code 4031").
var errorWords = set("error", "fehler", "erreur", "errore", "fout", "fel", "błąd", "blad", "código", "status")

// amountWords, after a code's number however it is given, make it a
// quantity or a price ("PIN: 1500 pcs", "code secret: 4821 EUR", "Kod
// bezpieczeństwa to 48213 złotych"): pieces and currencies that are no
// word of their own in the languages read. unitWords are those and the
// shorter units, which make an amount of a number after an acronym alone
// only ("PIN 1500 g", "TAN 1299 kr"; "my PIN is 4821 x" is a PIN); rangeWords
// do so before another number ("PIN number 1000 to 2000", "PIN no. 1234 of
// 5000").
var (
	amountWordList = []string{"pcs", "pieces", "units", "stk", "stück", "stuck", "pièces", "piezas", "pezzi", "stuks",
		"szt", "zł", "zl", "złotych", "zlotych", "złote", "zlote", "złoty", "zloty", "pln", "eur", "euro", "euros",
		"usd", "gbp", "chf", "sek", "nok", "dkk", "czk", "huf", "kr", "kn", "dollars", "pounds"}
	amountWords = set(amountWordList...)
	unitWords   = set(append([]string{"pc", "piece", "unit", "st", "x", "mm", "cm", "m", "g", "kg", "ml", "l",
		"lei"}, amountWordList...)...) // Romanian "lei", Italian "Lei": after the name alone only
	rangeWords = set("to", "of", "bis", "von", "à", "a", "de", "al", "tot", "till", "do")
)

// labelBefore reports a label's ':' right before the name at k ("Color:
// TAN 4211", "Farbe: TAN 4211").
func labelBefore(b []byte, k int) bool {
	for k > 0 && b[k-1] == ' ' {
		k--
	}
	return k > 0 && b[k-1] == ':'
}

// wordInBefore reports whether the word before the name at k is in ws.
func wordInBefore(b []byte, k int, ws *wordSet) bool {
	var buf [32]byte
	pk, pe := wordBefore(b, k)
	return pk >= 0 && ws.mayHave(b[pk:pe]) && ws.has(lowerWord(&buf, b[pk:pe]))
}

// quantityAfter reports a unit after a number that ends at end, or a
// word that makes it one end of a range: "1500 pcs", "1000 to 2000".
func quantityAfter(b []byte, end int) bool {
	var buf [32]byte
	w, e := wordAfter(&buf, b, end)
	if w == nil {
		return false
	}
	if unitWords.has(w) {
		return true
	}
	return rangeWords.has(w) && e+1 < len(b) && b[e] == ' ' && isDigit(b[e+1])
}

// rangeAfter reports a range word and a number of L digits after a number
// that ends at end: "1000 to 9999", not "4821 de 4 chiffres" nor "482193
// à 14h". (A possessive alone takes the number still: "change my PIN 4821
// to 5678".)
func rangeAfter(b []byte, end, L int) bool {
	var buf [32]byte
	w, e := wordAfter(&buf, b, end)
	if w == nil || !rangeWords.has(w) || e >= len(b) || b[e] != ' ' {
		return false
	}
	k := e + 1
	for k < len(b) && isDigit(b[k]) {
		k++
	}
	return k-e-1 == L && (k == len(b) || !isAlnum(b[k]))
}

// amountAfter reports a price (priceAfter) or one of amountWords after a
// number that ends at end: what makes a number given as a code's an amount
// however it is given ("Opłata za PIN wynosi 2500 zł", "code secret: 4821
// EUR", "PIN: 1500 pcs").
func amountAfter(b []byte, end int) bool {
	if priceAfter(b, end) {
		return true
	}
	var buf [32]byte
	w, _ := wordAfter(&buf, b, end)
	return w != nil && amountWords.has(w)
}

// wordAfter returns the word of letters after the space after end, lowered
// into buf, and where it ends; nil where none follows, or the word goes on
// with an apostrophe or a digit ("4821 l'ho", "4821 m8").
func wordAfter(buf *[32]byte, b []byte, end int) ([]byte, int) {
	if end >= len(b) || b[end] != ' ' {
		return nil, 0
	}
	k := end + 1
	e := k
	for e < len(b) && e-k < 16 && (isAlpha(b[e]) || b[e] >= 0x80) {
		e++
	}
	if e == k || e < len(b) && (isAlnum(b[e]) || b[e] >= 0x80 || b[e] == '\'' || b[e] == '-') {
		return nil, 0
	}
	return lowerWord(buf, b[k:e]), e
}

// nameBefore is wordBefore for a code's name, which may end in one digit
// ("CVV2 123", "your CVC2 is 842").
func nameBefore(b []byte, e int) (int, int) {
	if e > 0 && b[e-1] == ' ' {
		e--
	}
	if e >= 2 && isDigit(b[e-1]) && isAlpha(b[e-2]) {
		if k, _ := wordBefore(b, e-1); k >= 0 {
			return k, e
		}
		return -1, -1
	}
	return wordBefore(b, e)
}

// maybeIndianPostcode reports a PIN of six digits not led by a zero: India
// calls its postcodes PIN codes ("PIN code 560001", "Pincode: 560001",
// "Bengaluru PIN: 560001"), so only a verb or a possessive makes one a
// card's PIN.
func maybeIndianPostcode(c *digitCode, d []byte) bool {
	return c.rule == rulePIN && len(d) >= 6 && d[0] != '0' && groupedDigits(d) == 6 // "560 001" too
}

// polishOwned reports a Polish possessive before one of polishBetween
// right before k: "Mój nowy PIN wynosi 4821", "Mój numer PIN to 4821";
// not "Mój limit BLIK wynosi 100 000".
func polishOwned(b []byte, k int) bool {
	var buf [32]byte
	wk, we := wordBefore(b, k)
	if wk < 0 || !polishBetween.mayHave(b[wk:we]) || !polishBetween.has(lowerWord(&buf, b[wk:we])) {
		return false
	}
	pk, pe := wordBefore(b, wk)
	return pk >= 0 && possessives.mayHave(b[pk:pe]) && polishPossessive(lowerWord(&buf, b[pk:pe]))
}

var (
	// polishBetween may stand between a Polish possessive and a code's
	// name (polishOwned).
	polishBetween = set("nowy", "nowa", "nowe", "stary", "stara", "stare", "aktualny", "aktualna", "aktualne",
		"obecny", "obecna", "obecne", "tymczasowy", "tymczasowa", "tymczasowe", "numer")
	// polishLeads are the Polish first words of the pairs ending in
	// "kod", after which "to" is "is": "Jednorazowy kod to 551204"; not
	// "Send the PIN kod to 0301234567".
	polishLeads = set("jednorazowy", "weryfikacyjny", "blik")
)

// polishPossessive reports a Polish possessive (lowered), before which
// "to" is Polish "is".
func polishPossessive(w []byte) bool {
	switch string(w) {
	case "mój", "moj", "moja", "moje", "twój", "twoj", "twoje":
		return true
	}
	return false
}

// wordIs reports whether the word before k is w (lower case).
func wordIs(b []byte, k int, w string) bool {
	pk, pe := wordBefore(b, k)
	return pk >= 0 && pe-pk == len(w) && equalFold([]byte(w), b[pk:pe])
}

// capitalBefore reports a word with a capital right before the name at k
// ("Boot TAN 4211", "LAPEL PIN 1234"): product names are written so.
func capitalBefore(b []byte, k int) bool {
	pk, _ := wordBefore(b, k)
	return pk >= 0 && isCap(b, pk)
}

// productAfter reports what, after a number at end, makes it a price, a
// size or part of a product's name: a price (priceAfter) or a word that
// starts with a capital ("EUR", "GOLD").
func productAfter(b []byte, end int) bool {
	if priceAfter(b, end) {
		return true
	}
	k := end
	if k < len(b) && b[k] == ' ' {
		k++
	}
	return isCap(b, k)
}

// priceAfter reports a decimal ("1299,00", "12.99") or a currency sign
// after a number that ends at end. (Currencies in letters are unitWords.)
func priceAfter(b []byte, end int) bool {
	if end+1 < len(b) && (b[end] == ',' || b[end] == '.') && isDigit(b[end+1]) {
		return true
	}
	k := end
	if k < len(b) && b[k] == ' ' {
		k++
	}
	return k < len(b) && (b[k] == '$' || b[k] == 0xE2 || b[k] == 0xC2) // "€" and "£" in UTF-8
}

// yearLike reports four digits that may be a year of the last or this
// century.
func yearLike(d []byte) bool {
	return len(d) == 4 && (d[0] == '1' && d[1] == '9' || d[0] == '2' && d[1] == '0')
}

// tailBitSet has a bit for each of 4,096 hashes of three bytes (tail3).
type tailBitSet [64]uint64

func (t *tailBitSet) has(h uint32) bool { return t[h/64]&(1<<(h%64)) != 0 }

// tailBits returns the set of the tails of words, each with a space
// before it (a word of two bytes ends a tail).
func tailBits(words []string) *tailBitSet {
	var t tailBitSet
	for _, w := range words {
		w = " " + w
		h := tail3([]byte(w), len(w))
		t[h/64] |= 1 << (h % 64)
	}
	return &t
}

// tail3 hashes the three bytes before e to one of 4,096 bits, each byte
// ORed with 0x20 first: ASCII letters in either case hash alike (and a few
// other bytes with them, which costs a word read, no more).
func tail3(b []byte, e int) uint32 {
	x := uint32(b[e-3]) | uint32(b[e-2])<<8 | uint32(b[e-1])<<16 | 0x202020
	return x * 0x9E3779B1 >> 20
}

// wordBefore returns the span of the word that ends at e or at the space
// before e: letters, bytes beyond ASCII and inner hyphens, at most 24
// bytes; or -1 and -1.
func wordBefore(b []byte, e int) (int, int) {
	if e > 0 && b[e-1] == ' ' {
		e--
	}
	k := e
	for k > 0 && e-k <= 24 {
		if c := b[k-1]; isAlpha(c) || c >= 0x80 || c == '-' && k < e && k > 1 && isAlpha(b[k-2]) {
			k--
			continue
		}
		break
	}
	if k == e || e-k > 24 || !wordStartAt(b, k) {
		return -1, -1
	}
	return k, e
}
