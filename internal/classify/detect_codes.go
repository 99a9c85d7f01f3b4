package classify

import "slices"

// Codes: credentials of digits only, which a support chat is given in
// words or under a key: a card's PIN ("my PIN is 4821", "PIN: 4821"), its
// security code ("CVV 123", "code de sécurité : 123") and a one-time code
// ("your verification code is 483920", "TAN 123456"). A number is one when
// a code's name is right before it, with a verb, ':', '=', '#' or nothing
// between them, and it has the code's count of digits. A name alone
// ("code 1234", "number 4821") names no code.

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
	// leads name it before a codeNoun ("security code", "verification
	// code", "PIN number").
	leads []string
	// quals name it after "code de", "código de", "codice di" ("code de
	// sécurité", "código de verificación").
	quals []string
}

var digitCodes = []digitCode{
	{rule: rulePIN, min: 4, max: 12,
		keys: []string{"pin", "pincode", "pinnumber", "pinnummer", "pinkod", "cardpin", "kartenpin", "geheimzahl"},
		words: []string{"pin", "pincode", "pin-code", "pinnummer", "pin-nummer", "pinnumber", "pinkod", "pin-kod",
			"geheimzahl"},
		leads: []string{"pin"}},
	{rule: ruleCardSecurityCode, min: 3, max: 4,
		keys: []string{"cvv", "cvc", "cvv2", "cvc2", "csc", "cvn", "cardcvv", "cardcvc", "securitycode", "cardsecuritycode",
			"cardverificationcode", "cardverificationvalue", "kartenprüfnummer", "kartenprufnummer", "cryptogramme"},
		words: []string{"cvv", "cvc", "csc", "cvn", "kartenprüfnummer", "kartenprufnummer", "cryptogramme",
			"sicherheitscode"},
		leads: []string{"security"},
		quals: []string{"sécurité", "securite", "seguridad", "sicurezza"}},
	{rule: ruleOneTimeCode, min: 4, max: 8,
		keys: []string{"otp", "otpcode", "onetimecode", "onetimepassword", "verificationcode", "smscode", "tan", "mtan",
			"smstan", "bestätigungscode", "bestatigungscode", "verifizierungscode", "einmalcode"},
		words: []string{"otp", "tan", "mtan", "smstan", "sms-tan", "sms-code", "bestätigungscode", "bestatigungscode",
			"verifizierungscode", "einmalcode", "verificatiecode"},
		leads: []string{"verification", "one-time", "otp", "sms", "login"},
		quals: []string{"vérification", "verification", "verificación", "verificacion", "verifica"}},
}

// codeNouns end a code's name of two words; codeHeads start the Romance
// ones ("code de sécurité"), before a codeParticle.
var (
	codeNounList     = []string{"code", "number", "nummer", "kod", "no", "nr"}
	codeHeadList     = []string{"code", "código", "codigo", "codice"}
	codeParticleList = []string{"de", "di"}
)

var (
	codeNouns     = set(codeNounList...)
	codeHeads     = set(codeHeadList...)
	codeParticles = set(codeParticleList...)
	// codeWords, codeLeads and codeQuals hold the names of every code,
	// for the test by first byte and length; codeOf tells whose a name is.
	codeWords, codeLeads, codeQuals = codeSets()
	codeOf                          = codeIndex()
	// codeTails has a bit for the last three bytes (tail3) of each word a
	// code's number follows, with a space before a word of two: the test
	// before any word is read. "order 4821" ends in "der", "number 4821"
	// in "ber". Another tail shares a bit with one of them rarely, and
	// costs a word read, no more.
	codeTails = tailBits(func() []string {
		words := slices.Concat(codeNounList, spokenVerbList)
		for _, c := range digitCodes {
			words = slices.Concat(words, c.words, c.quals)
		}
		return words
	}())
	// leadTails are the same of the leads, read before a codeNoun.
	leadTails = tailBits(func() (leads []string) {
		for _, c := range digitCodes {
			leads = append(leads, c.leads...)
		}
		return leads
	}())
)

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

// codeGap marks the bytes that may stand between a code's name and its
// number.
var codeGap = [256]bool{' ': true, ':': true, '=': true, '#': true}

func codeSets() (words, leads, quals *wordSet) {
	var w, l, q []string
	for _, c := range digitCodes {
		w, l, q = slices.Concat(w, c.words), slices.Concat(l, c.leads), slices.Concat(q, c.quals)
	}
	// Words over 16 bytes ("bestätigungscode") are looked up in codeOf.
	w = slices.DeleteFunc(w, func(n string) bool { return len(n) > 16 })
	return set(w...), set(l...), set(q...)
}

// codeIndex maps each name and key of a code, with its role ("w", "l",
// "q", "k") before it, to the code's index in digitCodes.
func codeIndex() map[string]int {
	m := map[string]int{}
	for i, c := range digitCodes {
		for role, names := range map[string][]string{"w": c.words, "l": c.leads, "q": c.quals, "k": c.keys} {
			for _, n := range names {
				if _, dup := m[role+n]; dup {
					panic("classify: code name " + n + " names two codes")
				}
				m[role+n] = i
			}
		}
	}
	return m
}

// codeNamed returns the code whose name of role role is w, or nil.
func codeNamed(role byte, w []byte) *digitCode {
	var buf [40]byte
	if len(w) >= len(buf) {
		return nil
	}
	buf[0] = role
	n := copy(buf[1:], w)
	if i, ok := codeOf[string(buf[:1+n])]; ok {
		return &digitCodes[i]
	}
	return nil
}

// codeKey returns the code a credential key (normalized) names, or nil.
func codeKey(key []byte) *digitCode {
	return codeNamed('k', key)
}

// holds reports whether v, ASCII digits only, has the code's length.
func (c *digitCode) holds(v []byte) bool {
	return len(v) >= c.min && len(v) <= c.max && allDigits(v)
}

// codeBefore returns the rule of the code whose name is right before the
// number at start, of L digits, or "". Each word is tested by its first
// byte and length before it is lowered: in product text a number follows
// "number" or "item", and no further.
func codeBefore(b []byte, start, L int) string {
	e := start
	for n := 0; e > 0 && n < 3 && codeGap[b[e-1]]; n++ {
		e--
	}
	if e == start || e < 3 {
		return ""
	}
	if !codeTails.has(tail3(b, e)) {
		return ""
	}
	var buf [32]byte
	k, e := wordBefore(b, e)
	if k < 0 {
		return ""
	}
	if spokenVerbs.mayHave(b[k:e]) && spokenVerb(lowerWord(&buf, b[k:e])) {
		if k, e = wordBefore(b, k); k < 0 {
			return ""
		}
	}
	var c *digitCode
	w := b[k:e]
	switch {
	case len(w) > 16: // a compound: "Verifizierungscode"
		c = codeNamed('w', lowerWord(&buf, w))
	case codeWords.mayHave(w) && codeWords.has(lowerWord(&buf, w)):
		c = codeNamed('w', lowerWord(&buf, w))
	case codeNouns.mayHave(w) && k >= 4 && b[k-1] == ' ' && leadTails.has(tail3(b, k-1)) && codeNouns.has(lowerWord(&buf, w)):
		// "security code", "PIN number"; not "article number"
		if k, e = wordBefore(b, k); k >= 0 && codeLeads.mayHave(b[k:e]) {
			c = codeNamed('l', lowerWord(&buf, b[k:e]))
		}
	case codeQuals.mayHave(w) && codeQuals.has(lowerWord(&buf, w)):
		// "code de sécurité", "codice di verifica"
		q := codeNamed('q', lowerWord(&buf, w))
		if k, e = wordBefore(b, k); k >= 0 && codeParticles.has(lowerWord(&buf, b[k:e])) {
			if k, e = wordBefore(b, k); k >= 0 && codeHeads.has(lowerWord(&buf, b[k:e])) {
				c = q
			}
		}
	}
	if c == nil || L < c.min || L > c.max {
		return ""
	}
	return c.rule
}

// tail3 hashes the three bytes before e, ASCII letters in either case
// alike, to one of 4,096 bits.
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
