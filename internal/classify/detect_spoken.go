package classify

import "bytes"

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
	// ':' after a verb ("is: Hunter2Xy9"); the last bytes of « “ „ ‘ ‹,
	// which open a value too ("est « Soleil2024! »").
	for _, c := range []byte("stroa\xa8\"':\xab\x9c\x9e\x98\xb9") {
		t[c] = true
	}
	return t
}()

// spokenQuote marks the last bytes of the quotes that may open a value
// with no space after them: the two ASCII quotes and « “ „ ‘ ‹ ("ist
// „Hunde2019“").
var spokenQuote = func() (t [256]bool) {
	for _, c := range []byte("\"'\xab\x9c\x9e\x98\xb9") {
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

// joinSymbol marks the punctuation a password holds between its letters
// and its digits ("Summer!2024", "Hunde-2019", "Anna.1985"), which
// innerSymbol leaves out as it ends words and sentences too: after a
// letter and before a digit it ends neither.
var joinSymbol = func() (t [256]bool) {
	for _, c := range []byte("!?.-") {
		t[c] = true
	}
	return t
}()

// spokenLead reports whether the word at ws may follow a credential
// word's verb: a space (or a space and a quote) before it, after a byte a
// verb ends with.
func spokenLead(b []byte, ws int) bool {
	return ws >= 4 && (b[ws-1] == ' ' && spokenLast[b[ws-2]] || spokenQuote[b[ws-1]])
}

// spokenVerb reports the verbs a password is given with, lower case: "is"
// and "was", German "ist", "lautet" and "war", French "est" and "était",
// Spanish "es" and "era", Italian "è", Dutch "is", Swedish "är" and "var",
// Polish "to".
func spokenVerb(w []byte) bool {
	return spokenVerbs.has(w)
}

var spokenVerbList = []string{"is", "was", "ist", "lautet", "war", "est", "\u00e9tait", "es", "era", "\u00e8", "\u00e4r",
	"var", "to", "wynosi"}

var spokenVerbs = set(spokenVerbList...)

// spokenAt reads a password given in words whose value starts at ws and
// returns its end, or 0. Its callers are hot: a capitalized token with a
// digit, a digit after a lower-case letter or after an inner symbol
// ("hunter2Xy9", "Geheim#42"). The one-byte test comes first.
func (s *scanner) spokenAt(b []byte, ws int) int {
	if !spokenLead(b, ws) {
		// Not after a verb; maybe in an element: "<password>Hunter2Xy9<",
		// or the whole "<password>hunter2Xy9" that valueStart went back to.
		if ws > 0 && b[ws-1] == '>' {
			return s.tagValue(b, ws)
		}
		if ws < len(b) && b[ws] == '<' {
			// The value starts after the last start tag: "<db><password>".
			gt := 0
			for k := ws; k < len(b) && k-ws < 128 && b[k] > ' ' && !hasPrefixAt(b, k, "</"); k++ {
				if b[k] == '>' {
					gt = k
				}
			}
			if gt > 0 {
				return s.tagValue(b, gt+1)
			}
		}
		return 0
	}
	return s.spokenPassword(b, ws)
}

// spokenPassword is spokenAt past the one-byte test.
func (s *scanner) spokenPassword(b []byte, ws int) int {
	// Back from the value to the verb: spaces, a quote that opens the
	// value, spaces, a colon ("is: Hunter2Xy9", "est « Soleil2024! »",
	// "ist „Hunde2019“"), with a space somewhere between.
	ve, spaces := ws, 0
	for ve > 0 && ws-ve < 2 && b[ve-1] == ' ' {
		ve--
		spaces++
	}
	if ve > 0 && (b[ve-1] == '"' || b[ve-1] == '\'') {
		ve--
	} else if ve > 0 && b[ve-1] >= 0x80 {
		ve -= quoteBefore(b, ve)
	}
	for q := ve; ve > 0 && q-ve < 2 && b[ve-1] == ' '; {
		ve--
		spaces++
	}
	if ve > 0 && b[ve-1] == ':' {
		ve--
	}
	if spaces == 0 {
		return 0
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
	for e < len(b) && e-ws < 64 && b[e] > ' ' && b[e] != '"' && b[e] != '\'' && !(b[e] >= 0x80 && quoteAt(b, e) > 0) {
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
// space or quote (typographic too) within 32 bytes before it ("p@ss2024"
// from its '2').
func valueStart(b []byte, i int) int {
	k := i
	for k > 0 && i-k < 32 && b[k-1] > ' ' && b[k-1] != '"' && b[k-1] != '\'' && !(b[k-1] >= 0x80 && quoteBefore(b, k) > 0) {
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
