package gateway

import (
	"bytes"
	"strings"
	"unicode/utf8"

	"github.com/sovereign-gateway/sovereign/internal/classify"
	"github.com/sovereign-gateway/sovereign/internal/policy"
)

// guardWindow is how much earlier output a guard rescans with each new
// fragment, so that a finding split across fragments is still seen, and the
// longest run it holds back.
const guardWindow = 256

// plainWordMax is the longest all-letter word a guard lets through at once.
const plainWordMax = 16

// guard redacts, in one streamed text, what the model adds that the policy
// blocks toward the chosen destination (a credential, say).
//
// It holds back a trailing run of token characters (letters, digits and
// "-_.+/=~@:%&#$*^|": '%' for URL-encoded values such as an Azure SAS
// signature, the symbols after it for passwords that hold them,
// "Tr0ub4dor&3", "Geheim#42") unless the run is a short plain word, so that a finding
// without whitespace (a key, a token, an e-mail address, an unspaced IBAN
// or card number) is classified whole before any of it is sent: it never
// reaches the caller, up to guardWindow bytes long. Plain words pass at
// once, so ordinary text is not delayed; a word that may begin a secret is
// not plain (plainWord). An address with its at spelled out in brackets
// ("anna [at] example [dot] com") is held from its local part on once the
// bracket has come (spelledStart), and so are a number written in groups
// ("4111 1111 1111 1111", "+44 20 7946 0958", numberStart) and the start of
// a business term of several words ("Acme " of "Acme Supplies",
// classify.Engine.TermStart) or of a name (a listed first name or title
// last: "Will " of "Will Smith", classify.Engine.NameStart). The
// non-streamed answer is always classified whole.
type guard struct {
	x    *exchange
	held []byte // not yet sent
	tail []byte // the last guardWindow bytes sent, as context
}

// apply takes the next fragment and returns what may be sent now.
func (g *guard) apply(frag []byte) ([]byte, error) {
	if len(frag) == 0 && len(g.held) == 0 {
		return frag, nil
	}
	buf := append(g.held, frag...)
	cut := holdPoint(buf, g.tail)
	if t, ok := g.x.s.classify.(wordsStarter); ok {
		// "Acme " of "Acme Supplies", "Will " of "Will Smith": a
		// business term or a name of several words is held until it is
		// whole or is not one.
		// What is held already may follow one ("Jean-Luc " before
		// "Picard."): look again before the cut until nothing moves it.
		for {
			c := min(t.TermStart(buf[:cut]), t.NameStart(buf[:cut]))
			if c >= cut {
				break
			}
			cut = c
		}
	}
	g.held = append([]byte(nil), buf[cut:]...)
	return g.check(buf[:cut])
}

// wordsStarter is the classifier's TermStart and NameStart
// (classify.Engine has them).
type wordsStarter interface {
	TermStart(text []byte) int
	NameStart(text []byte) int
}

// flush returns everything still held, checked.
func (g *guard) flush() ([]byte, error) {
	buf := g.held
	g.held = nil
	return g.check(buf)
}

// check classifies emit with the text sent before it and redacts the
// findings that reach into it and that the policy blocks.
func (g *guard) check(emit []byte) ([]byte, error) {
	if len(emit) == 0 {
		return nil, nil
	}
	win := make([]byte, 0, len(g.tail)+len(emit))
	win = append(append(win, g.tail...), emit...)
	off := len(g.tail)
	g.tail = append(g.tail[:0], win[max(0, len(win)-guardWindow):]...)

	fs := g.x.s.classify.Text(win, nil)
	n := 0
	for _, f := range fs {
		if f.End > off { // reaches into the new text
			fs[n] = f
			n++
		}
	}
	fs = fs[:n]
	if len(fs) == 0 {
		return emit, nil
	}
	actions, e := g.x.outputActions(fs)
	if e != nil {
		return nil, e
	}
	var out []byte
	prev := 0 // in emit
	redacted := false
	for i, f := range fs {
		if actions[i] != policy.Redact {
			continue
		}
		start, end := max(f.Start-off, prev), f.End-off
		if end <= prev {
			continue
		}
		out = append(out, emit[prev:start]...)
		out = append(out, '[')
		out = append(out, strings.ToUpper(string(f.Type))...)
		out = append(out, ']')
		prev = end
		redacted = true
	}
	if !redacted {
		return emit, nil
	}
	return append(out, emit[prev:]...), nil
}

// holdPoint returns where the held-back tail of b starts: at the trailing
// run of token characters, unless that run is empty, longer than
// guardWindow, or a plain word (plainWord). sent is the text sent before b.
func holdPoint(b, sent []byte) int {
	i := len(b)
	for i > 0 && len(b)-i < guardWindow {
		n := tokenBefore(b, i)
		if n == 0 {
			break
		}
		i -= n
	}
	if j := spelledStart(b, i); j < i {
		return j
	}
	if j := numberStart(b); j < i {
		return j
	}
	run := len(b) - i
	if run == 0 || run >= guardWindow || plainWord(b[i:], b[:i], sent) {
		return len(b)
	}
	return i
}

// numberStart returns where a number written in groups that ends b starts
// ("4111 1111 1111 ", "GB82 WEST 1234 5698", "+44 20 7946 ", "(212) 555-"):
// its groups, split by single spaces, and the space of a next group that may
// yet come. Held whole, a spaced card number, IBAN or phone number reaches
// the classifier in one piece, as an unspaced one does. A group holds a
// digit, or is an IBAN's bank code (one to four capital letters) between
// groups that do. It returns len(b) when b ends otherwise, or when holding
// the number would reach guardWindow.
func numberStart(b []byte) int {
	j := len(b)
	if j > 0 && b[j-1] == '(' && (j == 1 || tokenBefore(b, j-1) == 0) {
		return j - 1 // "(" of "(212) 555-0123" may open an area code
	}
	j -= spaceBefore(b, j) // the next group's space
	j = dashBefore(b, j)
	start := len(b)
	for {
		k := j
		if k > 0 && b[k-1] == ')' {
			k-- // "(212)"
		}
		for k > 0 {
			n := tokenBefore(b, k)
			if n == 0 {
				break
			}
			k -= n
		}
		if k > 0 && b[k-1] == '(' && k < j {
			k--
		}
		if k == j || len(b)-k >= guardWindow || k > 0 && tokenBefore(b, k) > 0 {
			break // nothing, too long, or "x(212)": part of another run
		}
		hasDigit, ok := numberGroup(b[k:j])
		if !ok {
			break
		}
		if hasDigit {
			start = k // a bank code before the number's first digits is a word
		}
		sp := spaceBefore(b, k)
		if sp == 0 || k-sp < 1 || spaceBefore(b, k-sp) > 0 {
			break
		}
		j = dashBefore(b, k-sp)
	}
	return start
}

// dashBefore steps back over a dash and the space before it that end
// b[:j] ("4111 -" of "4111 - 1111"): the classifier reads a dash between
// spaces as one that joins two groups. It returns j when there is none.
func dashBefore(b []byte, j int) int {
	if j >= 3 && b[j-1] == '-' && b[j-2] == ' ' && tokenBefore(b, j-2) > 0 {
		return j - 2
	}
	return j
}

// numberGroup reports whether g can be a group of a number written in
// groups (numberStart), and whether it holds a digit.
func numberGroup(g []byte) (digit, ok bool) {
	upper, chars := 0, 0
	for len(g) > 0 {
		r, n := utf8.DecodeRune(g)
		g = g[n:]
		c, read := classify.ReadsAs(r)
		if !read {
			return false, false
		}
		if c == 0 {
			continue // dropped by the classifier: "4111\u200b1111"
		}
		chars++
		switch {
		case c >= '0' && c <= '9':
			digit = true
		case c >= 'A' && c <= 'Z':
			upper++
		case c == '-' || c == '.' || c == '/' || c == '+' || c == '(' || c == ')':
		default:
			return false, false
		}
	}
	return digit, digit || upper > 0 && upper <= 4 && upper == chars
}

// secretPrefixes are the classifier's fixed secret prefixes.
var secretPrefixes = classify.SecretPrefixes()

// credentialWords, before a word, make it a possible credential value
// ("client secret abc8Q~...", "password: hunter2"): the classifier's
// credential key words, and "key" and "bearer", which in prose stand
// apart from the word they qualify ("api key", "Bearer abc...").
var credentialWords = append(classify.CredentialWords(), "key", "bearer")

// plainWord reports whether run, the trailing token run of the text
// before+run (sent came before that), may be sent before the next piece
// arrives: it reads as a word of prose, lower case or capitalized, of at
// most plainWordMax letters, and cannot be the start of a secret. A secret
// can start with letters that look like a word only where its rule has
// fixed letters (sk-, ghp_, xoxb-: then the run is those letters or their
// beginning) or where words around call it one (after a credential word,
// or after ':' or '='). Holding such a word costs one piece's delay;
// letting it pass sent the first letters of the secret ("sk", "ghp",
// "abc" of an Azure client secret) before the rest made it a finding.
func plainWord(run, before, sent []byte) bool {
	if len(run) > plainWordMax {
		return false
	}
	for k, c := range run {
		lower := c >= 'a' && c <= 'z'
		if !lower && !(k == 0 && c >= 'A' && c <= 'Z') {
			return false
		}
	}
	if len(run) == 1 && run[0] >= 'A' && run[0] <= 'Z' && run[0] != 'I' {
		// One capital may be the first letter of an IBAN's country code
		// ("G" of "GB82 WEST ..."); "I" is a word ("A" begins AKIA and
		// AIza anyway).
		return false
	}
	r := string(run)
	for _, p := range secretPrefixes {
		if strings.HasPrefix(p, r) {
			return false
		}
	}
	// The words before the run, lower-cased: the end of the text sent and
	// held so far.
	var buf [48]byte
	ctx := buf[:0]
	if n := len(before); n < len(buf) {
		ctx = append(ctx, sent[max(0, len(sent)-(len(buf)-n)):]...)
	}
	ctx = append(ctx, before[max(0, len(before)-(len(buf)-len(ctx))):]...)
	for k, c := range ctx {
		if c >= 'A' && c <= 'Z' {
			ctx[k] = c + 'a' - 'A'
		}
	}
	ctx = bytes.TrimRight(ctx, " \t\n")
	if n := len(ctx); n > 0 && (ctx[n-1] == ':' || ctx[n-1] == '=') {
		return false
	}
	for _, w := range credentialWords {
		if bytes.Contains(ctx, []byte(w)) {
			return false
		}
	}
	return true
}

// spelledStart returns where an email address with its at and dots
// spelled out in brackets ("anna [at] example [dot] com", which the
// classifier reads) begins, when b may end inside one: the trailing token
// run at i follows a bracketed "at" or "dot", whole or only begun ("anna
// [a"), and a token run comes before that mark. It returns i when there is
// none, or when holding it all would reach guardWindow.
func spelledStart(b []byte, i int) int {
	var m int
	if p := i - 1; p >= 0 && (b[p] == '[' || b[p] == '(') && markBegun(b[i:]) {
		m = p
		if m > 0 && b[m-1] == ' ' {
			m--
		}
	} else if n := markBefore(b, i); n > 0 {
		m = i - n
	} else if i == len(b) && i > 1 && b[i-1] == ' ' && isTokenByte(b[i-2]) {
		// "anna [at] example ", before its "[dot] com": a label that
		// follows a mark, and the space of the next mark.
		k := i - 1
		for k > 0 && isTokenByte(b[k-1]) && len(b)-k < guardWindow {
			k--
		}
		n := markBefore(b, k)
		if n == 0 {
			return i
		}
		m = k - n
	} else {
		return i
	}
	for {
		e := m
		if e > 0 && b[e-1] == ' ' {
			e-- // " [at]", its closing space yet to come
		}
		k := e
		for k > 0 && isTokenByte(b[k-1]) && len(b)-k < guardWindow {
			k--
		}
		if k == e || len(b)-k >= guardWindow {
			return i // no label before the mark: not an address
		}
		n := markBefore(b, k)
		if n == 0 {
			return k
		}
		m = k - n
	}
}

// spelledMarks are the classifier's bracketed words of a spelled-out
// address, with the spaces around them or without.
var spelledMarks = classify.SpelledMarks()

// markBefore returns the length of a spelled mark that ends at i, 0 if none.
func markBefore(b []byte, i int) int {
	for _, m := range spelledMarks {
		if i >= len(m) && strings.EqualFold(string(b[i-len(m):i]), m) {
			return len(m)
		}
	}
	return 0
}

// markBegun reports whether run, after a bracket, may be the beginning of
// a mark's word ("a" of "[at]").
func markBegun(run []byte) bool {
	r := strings.ToLower(string(run))
	for _, m := range spelledMarks {
		if m[0] != ' ' && strings.HasPrefix(m[1:len(m)-1], r) {
			return true
		}
	}
	return false
}

// readBefore returns what the character that ends b[:i] reads as to the
// classifier (classify.ReadsAs: "４" and "٤" as '4', a no-break space as
// ' ', 0 for a zero-width space it drops) and its length; length 0 when it
// reads as no ASCII byte.
func readBefore(b []byte, i int) (c byte, n int) {
	if c := b[i-1]; c < utf8.RuneSelf {
		return c, 1
	}
	r, n := utf8.DecodeLastRune(b[:i])
	if c, ok := classify.ReadsAs(r); ok {
		return c, n
	}
	return 0, 0
}

// tokenBefore returns the length of the token character that ends b[:i]:
// one that reads as a token byte, or that the classifier drops ("4111​1111");
// 0 if there is none. Held as their ASCII twins are, full-width or other
// scripts' characters cannot carry a number or a key out in pieces.
func tokenBefore(b []byte, i int) int {
	if c, n := readBefore(b, i); isTokenByte(c) || c == 0 && n > 1 { // n > 1: a dropped rune, not a NUL
		return n
	}
	return 0
}

// spaceBefore returns the length of the space that ends b[:i], ' ' or a
// character that reads as one (a no-break or ideographic space); 0 if
// there is none.
func spaceBefore(b []byte, i int) int {
	if i == 0 {
		return 0
	}
	if c, n := readBefore(b, i); c == ' ' {
		return n
	}
	return 0
}

func isTokenByte(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	}
	return strings.IndexByte("-_.+/=~@:%&#$*^|", c) >= 0
}
