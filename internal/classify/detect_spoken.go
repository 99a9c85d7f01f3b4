package classify

import (
	"bytes"
	"slices"
)

// Credentials given in words, as people type them into support chats and
// prompts: "my password is hunter2Xy9", "mein Passwort ist Sommer2024!",
// "mon mot de passe est Soleil2024". No '=' or ':' leads them, so they are
// read from the value back: a token that may be a password (a capital or a
// digit brought the scanner to it), a verb before it, and a credential word
// before the verb.

// spokenLast marks the last bytes of the verbs spokenVerb knows, and of
// the quotes that may open the value: the one-byte test that keeps the
// rest off nearly every word.
var spokenLast = func() (t [256]bool) {
	for _, c := range []byte("stroa\xa8\"'") {
		t[c] = true
	}
	return t
}()

// innerSymbol marks the symbols a password holds before a digit
// ("Geheim#42", "Sol@2024"): not the punctuation that ends a word
// (".,;:!?)"), the quotes, the hyphen or the apostrophe. All of them are
// bytes the gateway's stream guard holds (isTokenByte), so a stream split
// after one cannot send the password's start alone.
var innerSymbol = func() (t [256]bool) {
	for _, c := range []byte("#$%&*+=@^~|/_") {
		t[c] = true
	}
	return t
}()

// spokenLead reports whether the word at ws may follow a credential
// word's verb: a space (or a space and a quote) before it, after a byte a
// verb ends with.
func spokenLead(b []byte, ws int) bool {
	return ws >= 4 && b[ws-1] == ' ' && spokenLast[b[ws-2]] ||
		ws >= 5 && (b[ws-1] == '"' || b[ws-1] == '\'') && b[ws-2] == ' ' && spokenLast[b[ws-3]]
}

// spokenVerb reports the verbs a password is given with, lower case: "is"
// and "was", German "ist", "lautet" and "war", French "est" and "était",
// Spanish "es" and "era", Italian "è", Dutch "is", Swedish "är" and "var",
// Polish "to".
func spokenVerb(w []byte) bool {
	return spokenVerbs.has(w)
}

var spokenVerbList = []string{"is", "was", "ist", "lautet", "war", "est", "\u00e9tait", "es", "era", "\u00e8", "\u00e4r",
	"var", "to"}

var spokenVerbs = set(spokenVerbList...)

// spokenAt reads a password given in words whose value starts at ws and
// returns its end, or 0. Its callers are hot: a capitalized token with a
// digit, a digit after a lower-case letter or after an inner symbol
// ("hunter2Xy9", "Geheim#42"). The one-byte test comes first.
func (s *scanner) spokenAt(b []byte, ws int) int {
	if !spokenLead(b, ws) {
		return 0
	}
	return s.spokenPassword(b, ws)
}

// spokenPassword is spokenAt past the one-byte test.
func (s *scanner) spokenPassword(b []byte, ws int) int {
	ve := ws - 1 // the space after the verb
	if b[ve] != ' ' {
		ve-- // a quote opens the value
	}
	vs := ve
	for vs > 0 && ve-vs < 6 && (isAlpha(b[vs-1]) || b[vs-1] >= 0x80) {
		vs--
	}
	if vs < 4 || b[vs-1] != ' ' {
		return 0
	}
	var vbuf [32]byte
	v := lowerWord(&vbuf, b[vs:ve])
	if v == nil || !spokenVerb(v) {
		return 0
	}
	verbTo := string(v) == "to"
	ke := vs - 1
	ks := keyStart(b, ke, 24)
	if ke-ks < 3 {
		return 0
	}
	var kbuf [64]byte
	key := lowerLatin(normKey(kbuf[:0], b[ks:ke]))
	// Only a password is given this way: "the token is expired", "the
	// auth is OAuth2" name no credential. Polish "to" is English "to"
	// too ("send the password to anna@..."): after hasło only.
	if !passwordKey(key) || verbTo && !bytes.HasSuffix(key, []byte("haslo")) && !bytes.HasSuffix(key, []byte("hasło")) {
		return 0
	}
	e := ws
	for e < len(b) && e-ws < 64 && b[e] > ' ' && b[e] != '"' && b[e] != '\'' {
		e++
	}
	// A full stop or comma after the value ends the sentence, not the
	// password; '!' and '?' stay, as passwords hold them too.
	for e > ws && (b[e-1] == '.' || b[e-1] == ',' || b[e-1] == ';' || b[e-1] == ')') {
		e--
	}
	if !passwordShaped(b[ws:e]) || standIn(b[ws:e]) {
		return 0
	}
	return s.secret(ruleGenericCredential, ws, e, 0.85)
}

// valueStart returns where the token holding b[i] starts: after the last
// space or quote within 32 bytes before it ("p@ss2024" from its '2').
func valueStart(b []byte, i int) int {
	k := i
	for k > 0 && i-k < 32 && b[k-1] > ' ' && b[k-1] != '"' && b[k-1] != '\'' {
		k--
	}
	return k
}

// passwordShaped reports a value that reads as a password rather than as
// a word ("the password is Incorrect", "the secret is Paris?"): six bytes
// or more, a letter, and a digit or a symbol that does not end it.
func passwordShaped(v []byte) bool {
	if len(v) < 6 {
		return false
	}
	letter, other := false, false
	for k, c := range v {
		switch {
		case isAlpha(c) || c >= 0x80:
			letter = true
		case isDigit(c) || k < len(v)-1:
			other = true
		}
	}
	return letter && other
}

// A PIN is given in words too, and in digits only: "PIN 4821", "my PIN is
// 4821", "Meine PIN lautet 4821", "mon code PIN est 4821", "pin code
// 4821", "Geheimzahl: 7734". onAssign reads most PIN keys first ("PIN:
// 4821", "pin=4821"); a key it leaves to these is one that ends as few
// credential keys do ("Geheimzahl", "PIN-Nummer"), which it passes over.

var (
	// pinWordList name a PIN in one word (lower case, a hyphen kept).
	pinWordList = []string{"pin", "pincode", "pin-code", "pinnummer", "pin-nummer", "pinnumber", "pinkod", "pin-kod",
		"geheimzahl"}
	// pinNounList follow "pin" in a PIN's name of two words ("PIN code",
	// "PIN number", "PIN Nummer").
	pinNounList = []string{"code", "number", "nummer", "kod", "no", "nr"}

	pinWords = set(pinWordList...)
	pinNouns = set(pinNounList...)
	// pinTails has a bit for the last three bytes (tail3) of each word a
	// PIN's number follows, with a space before a word of two: the test
	// before any word is read. "order 4821" ends in "der", "number 4821" in
	// "ber". Another tail shares a bit with one of them rarely, and costs
	// a word read, no more.
	pinTails = func() (t [64]uint64) {
		for _, w := range slices.Concat(pinWordList, pinNounList, spokenVerbList) {
			w = " " + w
			h := tail3([]byte(w), len(w))
			t[h/64] |= 1 << (h % 64)
		}
		return t
	}()
)

// tail3 hashes the three bytes before e, ASCII letters in either case
// alike, to one of 4,096 bits.
func tail3(b []byte, e int) uint32 {
	x := uint32(b[e-3]) | uint32(b[e-2])<<8 | uint32(b[e-1])<<16 | 0x202020
	return x * 0x9E3779B1 >> 20
}

// pinBefore reports whether the number at start, of digits only, follows
// the name of a PIN, with a verb, a ':', a '#' or nothing between them.
// Each word is tested by its first byte and length before it is lowered:
// in product text a number follows "number" or "item", and no further.
func pinBefore(b []byte, start int) bool {
	e := start
	for n := 0; e > 0 && n < 3 && (b[e-1] == ' ' || b[e-1] == ':' || b[e-1] == '#'); n++ {
		e--
	}
	if e == start || e < 3 {
		return false
	}
	if h := tail3(b, e); pinTails[h/64]&(1<<(h%64)) == 0 {
		return false
	}
	var buf [32]byte
	k, e := wordBefore(b, e)
	if k < 0 {
		return false
	}
	if spokenVerbs.mayHave(b[k:e]) && spokenVerb(lowerWord(&buf, b[k:e])) {
		if k, e = wordBefore(b, k); k < 0 {
			return false
		}
	}
	if pinNouns.mayHave(b[k:e]) {
		// "PIN code": "pin" and a space right before the noun.
		return k >= 4 && b[k-1] == ' ' && equalFold([]byte("pin"), b[k-4:k-1]) && wordStartAt(b, k-4) &&
			pinNouns.has(lowerWord(&buf, b[k:e]))
	}
	return pinWords.mayHave(b[k:e]) && pinWords.has(lowerWord(&buf, b[k:e]))
}

// wordBefore returns the span of the word that ends at e or at the space
// before e: letters, bytes beyond ASCII and inner hyphens, at most 16
// bytes; or -1 and -1.
func wordBefore(b []byte, e int) (int, int) {
	if e > 0 && b[e-1] == ' ' {
		e--
	}
	k := e
	for k > 0 && e-k <= 16 {
		if c := b[k-1]; isAlpha(c) || c >= 0x80 || c == '-' && k < e && k > 1 && isAlpha(b[k-2]) {
			k--
			continue
		}
		break
	}
	if k == e || e-k > 16 || !wordStartAt(b, k) {
		return -1, -1
	}
	return k, e
}
