package classify

import (
	"bytes"
	"net/netip"
	"unicode"
	"unicode/utf8"
)

// Email and IPv6 addresses. IPv4 is read with the other digit runs
// (detect_number.go).

// localChar reports bytes of an email local part (RFC 5322 atoms as people
// write them, and UTF-8 for internationalized addresses).
func localChar(c byte) bool { return emailChars[c]&emailLocal != 0 }

// domainChar reports bytes of a domain label.
func domainChar(c byte) bool { return emailChars[c]&emailDomain != 0 }

// emailChars classifies bytes for onAt's loops: one load a byte, where the
// comparisons it replaces were seven. (Written without isAlnum: package
// variables are set before chars.go's init fills charClass.)
var emailChars = func() (t [256]uint8) {
	for c := range 256 {
		b := byte(c)
		alnum := b-'a' < 26 || b-'A' < 26 || b-'0' < 10
		if alnum || b == '.' || b == '_' || b == '%' || b == '+' || b == '-' || b == '\'' || b >= 0x80 {
			t[c] |= emailLocal
		}
		if alnum || b == '-' || b >= 0x80 {
			t[c] |= emailDomain
		}
	}
	return t
}()

const (
	emailLocal = 1 << iota
	emailDomain
)

// onAt reads an email address around the '@' at i, or the password of a
// URL's user info ("postgres://admin:S3cret@db:5432"), which is a secret,
// not an address.
func (s *scanner) onAt(b []byte, i int) int {
	k := localStart(b, i)
	if k < 0 || k > 0 && userinfoPunct[b[k-1]] {
		if e := s.urlCredential(b, i); e > 0 {
			return e
		}
	}
	if e := s.email(b, k, i+1, false, 0.9); e > 0 {
		return e
	}
	if e := s.spacedEmail(b, i); e > 0 {
		return e
	}
	return i + 1
}

// spacedEmail reads an address with a space on one side of its '@' at i
// or on both ("lucia.garcia @ gmail.com", "marco.rossi@ libero.it"), as
// chats write one to slip past a filter. A local part so written must look
// like a mailbox's (spacedLocal): "contact us @ support.example.com" is a
// web address, "19.99 @ amazon.de" a price, "Tel 030 1234567 @ work.de" a
// phone's end.
func (s *scanner) spacedEmail(b []byte, i int) int {
	end, from := i, i+1
	if i > 0 && b[i-1] == ' ' {
		end = i - 1
	}
	if from < len(b) && b[from] == ' ' {
		from++
	}
	if end == i && from == i+1 {
		return 0 // no space: email has read it
	}
	k := localStart(b, end)
	if k < 0 || !spacedLocal(b[k:end]) {
		return 0
	}
	return s.email(b, k, from, false, 0.85)
}

// spacedLocal reports a local part that looks like a mailbox's: led by a
// letter, with two lower-case letters or more and a '.', '_', '-' or a
// digit, and no word for mail itself ("lucia.garcia", "j.doe2"; not "us",
// "SAVE-10", "v2.0", "e-mail").
func spacedLocal(l []byte) bool {
	if len(l) < 3 || !isAlpha(l[0]) || !bytes.ContainsAny(l, "._-0123456789") {
		return false
	}
	lower := 0
	for _, c := range l {
		if isLower(c) {
			lower++
		}
	}
	return lower >= 2 && !(len(l) == 6 && (equalFold([]byte("e-mail"), l) || equalFold([]byte("e_mail"), l)))
}

// email reports an address whose local part starts at k (localStart; -1:
// none) and whose domain starts at from (after "@", "%40" or a spelled-out
// "[at]"), and returns its end, or 0 if there is none.
func (s *scanner) email(b []byte, k, from int, spelled bool, conf float64) int {
	if k < 0 {
		return 0
	}
	e := domainEnd(b, from, spelled)
	if e < 0 {
		return 0
	}
	if e-k > 4 && string(b[k:k+4]) == "git@" && e+1 < len(b) && b[e] == ':' && b[e+1] > ' ' {
		// "git@github.com:org/repo.git": an SSH remote's shared user and
		// host, which name nobody.
		return e
	}
	s.add(Email, "", k, e, conf)
	return e
}

// urlCredential reads the user info of a URL that ends at the '@' at i,
// "scheme://user:password@": it reports the password as a secret and
// returns where the host starts, or returns 0 if there is none.
func (s *scanner) urlCredential(b []byte, i int) int {
	p := i
	for p > 0 && i-p < 128 && userinfoByte(b[p-1]) {
		p--
	}
	if p == i || p == 0 || b[p-1] != ':' {
		return 0
	}
	u := p - 1
	for u > 0 && p-u < 128 && userinfoByte(b[u-1]) {
		u--
	}
	if u < 4 || string(b[u-3:u]) != "://" || !isAlpha(b[u-4]) {
		return 0
	}
	if !standIn(b[p:i]) {
		s.secret(ruleURLCredential, p, i, 0.9)
	}
	return i + 1
}

// userinfoPunct: the bytes before a local part that may mean it is the
// tail of a URL's password instead (the ':' after the user name, or a
// password's punctuation).
var userinfoPunct = func() (t [256]bool) {
	for _, c := range []byte(":!$&*,;=~()") {
		t[c] = true
	}
	return t
}()

// userinfoByte reports the bytes a URL's user name and password are made
// of here: anything printable but the delimiters around them.
func userinfoByte(c byte) bool {
	return c > ' ' && c < 0x7f && c != '/' && c != '@' && c != ':' && c != '"' && c != '\'' && c != '<' && c != '>'
}

// onPercent reads an email address whose '@' is percent-encoded, as in a
// URL's query ("?email=anna%40example.de"), at the '%' at i, and returns its
// end, or 0 if there is none.
func (s *scanner) onPercent(b []byte, i int) int {
	if i+3 >= len(b) || b[i+1] != '4' || b[i+2] != '0' {
		return 0
	}
	return s.email(b, localStart(b, i), i+3, false, 0.85)
}

// localStart returns where the local part of an address that ends at i
// starts, or -1 if there is none.
func localStart(b []byte, i int) int {
	k, lo := i, max(i-64, 0)
	for {
		k = localBack(b, k, lo)
		// "anna(dot)schmidt@": a dot spelled out between two parts.
		if n := spelledDotBefore(b, k); n > 0 && k-n > lo && localChar(b[k-n-1]) && b[k-n-1] != '.' {
			k -= n
			continue
		}
		break
	}
	// The walk stopped at the limit, within a longer run: no address.
	if k == lo && k > 0 && b[k-1] < 0x80 && localChar(b[k-1]) {
		return -1
	}
	// A quote or a dot before the address is not its start ('anna@...').
	for k < i && (b[k] == '.' || b[k] == '\'') {
		k++
	}
	if k == i || b[i-1] == '.' {
		return -1
	}
	return k
}

// localBack walks back from k to lo over the bytes of a local part: its
// ASCII bytes, and letters beyond ASCII of the Latin, Greek and Cyrillic
// scripts ("jürgen.müller@"), not the bullets, quotes, arrows, invisible
// characters and other scripts that stand around an address ("•anna@",
// "«anna@", "请联系anna@").
func localBack(b []byte, k, lo int) int {
	for k > lo {
		if c := b[k-1]; c < 0x80 {
			if !localChar(c) {
				return k
			}
			k--
			continue
		}
		r, n := utf8.DecodeLastRune(b[lo:k])
		if n < 2 || !addressLetter(r) {
			return k
		}
		k -= n
	}
	return k
}

// domainLabelEnd returns the end of the domain label's bytes from e (at
// most to lim): domainChar's ASCII, and letters beyond ASCII as localBack
// takes them ("bücher.de"; not "example.com谢谢" or "example.com。").
func domainLabelEnd(b []byte, e, lim int) int {
	for e < lim {
		if c := b[e]; c < 0x80 {
			if !domainChar(c) {
				return e
			}
			e++
			continue
		}
		r, n := utf8.DecodeRune(b[e:lim])
		if n < 2 || !addressLetter(r) {
			return e
		}
		e += n
	}
	return e
}

// addressLetter reports a letter or a mark of the Latin, Greek or Cyrillic
// scripts (below U+0530).
func addressLetter(r rune) bool {
	return r < 0x530 && (unicode.IsLetter(r) || unicode.IsMark(r))
}

// spelledDotBefore returns the length of a dot spelled out in brackets
// that ends at k ("(dot)", "[DOT]", " (dot) "), or 0.
func spelledDotBefore(b []byte, k int) int {
	// Most local parts follow a space or a quote: look no further.
	if k < 5 || b[k-1] != ')' && b[k-1] != ']' && (b[k-1] != ' ' || b[k-2] != ')' && b[k-2] != ']') {
		return 0
	}
	for _, n := range [...]int{5, 7} { // "(dot)", " (dot) "
		if k < n {
			return 0
		}
		if m := spelledMark(b, k-n, "dot"); m == n {
			return n
		}
	}
	return 0
}

// domainEnd reads the domain of an address from e and returns its end, or
// -1 if it is not one: at least two labels, an alphabetic top-level one
// that is no file extension, and no word glued to its end. spelled lets
// the labels be joined by a spelled-out dot too ("example(dot)com").
func domainEnd(b []byte, e int, spelled bool) int {
	end, labels, tldAlpha, tld := 0, 0, false, 0
	for {
		ls, lim := e, min(len(b), e+63)
		e = domainLabelEnd(b, e, lim)
		if e == ls || b[ls] == '-' || b[e-1] == '-' {
			break
		}
		labels++
		end, tld = e, ls
		tldAlpha = e-ls >= 2 && allAlpha(b[ls:e]) || hasPrefixAt(b, ls, "xn--")
		if e+1 < len(b) && b[e] == '.' && domainChar(b[e+1]) {
			e++
			continue
		}
		if spelled {
			if n := spelledMark(b, e, spelledWords[1]); n > 0 && e+n < len(b) && domainChar(b[e+n]) {
				e += n
				continue
			}
		}
		break
	}
	e = end
	// (A byte beyond ASCII after it is no letter domainLabelEnd takes: a
	// quote, an emoji, another script's sentence, "anna@example.com。".)
	if labels < 2 || !tldAlpha || e < len(b) && (b[e] == '@' || b[e] < 0x80 && isWordByte(b[e])) || fileExtension(b[tld:e]) {
		return -1
	}
	return e
}

// onBracket reads an address whose '@' is spelled out in brackets, the
// commonest way of hiding one from harvesters: "anna(at)example.de",
// "anna [at] example [dot] com". Only the bracketed forms count: a bare
// " at " is English ("look at example.com").
func (s *scanner) onBracket(b []byte, i int) int {
	at := i
	if at > 0 && b[at-1] == ' ' {
		at--
	}
	n := spelledMark(b, at, spelledWords[0])
	if n == 0 {
		return 0
	}
	return s.email(b, localStart(b, at), at+n, true, 0.85)
}

// spelledWords and spelledBrackets make the marks of a spelled-out
// address: "(at)", "[dot]".
var (
	spelledWords    = []string{"at", "dot"}
	spelledBrackets = [][2]byte{{'(', ')'}, {'[', ']'}}
)

// SpelledMarks returns the bracketed words that stand for an address's '@'
// and dots where it is written against harvesters ("anna [at] example
// [dot] com"), each with a space on either side and without, lower case.
// A guard that streams text out holds back an address being spelled.
func SpelledMarks() []string {
	var ms []string
	for _, w := range spelledWords {
		for _, br := range spelledBrackets {
			m := string(br[0]) + w + string(br[1])
			ms = append(ms, " "+m+" ", m)
		}
	}
	return ms
}

// spelledMark returns the length of a bracketed word at i, "(at)" or
// "[dot]" in either case, with a space on each side or on neither; 0 if
// there is none.
func spelledMark(b []byte, i int, word string) int {
	k := i
	space := k < len(b) && b[k] == ' '
	if space {
		k++
	}
	if k+len(word)+2 > len(b) {
		return 0
	}
	var end byte
	for _, br := range spelledBrackets {
		if b[k] == br[0] {
			end = br[1]
		}
	}
	if end == 0 {
		return 0
	}
	for j := range len(word) {
		if lowerASCII(b[k+1+j]) != word[j] {
			return 0
		}
	}
	k += 1 + len(word)
	if b[k] != end {
		return 0
	}
	k++
	if space {
		if k >= len(b) || b[k] != ' ' {
			return 0
		}
		k++
	}
	return k - i
}

// fileExtension reports a file name's extension that no top-level domain
// spells: "icon@2x.png", "logo@3x.webp" (the names of high-resolution
// images) are not addresses. (.zip and .mov are domains, so are not here.)
func fileExtension(tld []byte) bool {
	if len(tld) < 2 || len(tld) > 4 {
		return false
	}
	var w [4]byte
	for i, c := range tld {
		w[i] = lowerASCII(c)
	}
	switch string(w[:len(tld)]) {
	case "png", "jpg", "jpeg", "gif", "svg", "webp", "avif", "bmp", "ico", "tif", "tiff", "heic",
		"css", "js", "mjs", "json", "xml", "html", "htm", "php", "pdf", "txt", "csv", "mp4", "webm":
		return true
	}
	return false
}

func allAlpha(b []byte) bool {
	for _, c := range b {
		if !isAlpha(c) {
			return false
		}
	}
	return true
}

// ipv6 reads an IPv6 address at i (readIPv6). Times (10:30:00) and MAC
// addresses (six groups) are not addresses.
func (s *scanner) ipv6(b []byte, i int) int {
	k, addr := readIPv6(b, i)
	if k-i <= 2 {
		return 0 // none, or "::" alone
	}
	if k < len(b) && (isWordByte(b[k]) || b[k] == ':' || b[k] == '.' && k+1 < len(b) && isDigit(b[k+1])) {
		return 0
	}
	if fewWordGroups(b[i:k]) && !s.keyConfirms(IPAddress) && !s.near(i, k, kwIP, 16, 0) {
		return 0 // but under an IP key or after an IP word it is one ("ip: face::b00c")
	}
	conf := s.ctxAdjust(i, k, 0.75, kwIP, 0.2)
	if addressOfNoOne(netip.AddrFrom16(addr)) {
		conf = 0.3
	}
	s.add(IPAddress, "", i, k, conf)
	return k
}

// fewWordGroups reports an address of "::" and at most two groups whose
// first has no digit, which code writes more often than anyone an address:
// "a::b" (C++), "dead::beef".
func fewWordGroups(t []byte) bool {
	n, digit := 0, false
	for p, c := range t {
		switch {
		case c == '.':
			return false // an IPv4 tail: "::ffff:10.1.2.3"
		case isHex(c) && (p == 0 || t[p-1] == ':'):
			n++
		}
		digit = digit || n == 1 && isDigit(c)
	}
	return n <= 2 && !digit
}

// readIPv6 reads the groups of an IPv6 address at i, up to eight of one
// to four hex digits with at most one "::" and optionally an IPv4 tail,
// and returns where they end and the address they spell; 0 if they spell
// none. It reads the body in place: netip.ParseAddr takes a string, and
// converting each candidate would allocate. FuzzParseIP holds the two to
// the same answers.
func readIPv6(b []byte, i int) (int, [16]byte) {
	var groups [8]uint16
	var addr [16]byte
	n, gap, k := 0, -1, i
	if hasPrefixAt(b, k, "::") {
		gap, k = 0, k+2
	}
	for k < len(b) {
		h := hexRun(b, k)
		if h == k {
			break
		}
		if h-k > 4 {
			return 0, addr
		}
		if h+1 < len(b) && b[h] == '.' && isDigit(b[h+1]) { // an IPv4 tail: "::ffff:10.1.2.3" (not a sentence's stop)
			e, q := ipv4At(b, k)
			if e == 0 || n > 6 {
				return 0, addr
			}
			groups[n], groups[n+1] = uint16(q[0])<<8|uint16(q[1]), uint16(q[2])<<8|uint16(q[3])
			n, k = n+2, e
			break
		}
		if n == 8 {
			return 0, addr
		}
		var g uint16
		for _, c := range b[k:h] {
			g = g<<4 | uint16(hexValue(c))
		}
		groups[n], n, k = g, n+1, h
		if hasPrefixAt(b, k, "::") {
			if gap >= 0 {
				return 0, addr
			}
			gap, k = n, k+2
			continue
		}
		if k+1 < len(b) && b[k] == ':' && isHex(b[k+1]) {
			k++
			continue
		}
		break
	}
	switch {
	case gap >= 0 && n == 8: // "::" stands for at least one group
		return 0, addr
	case gap >= 0:
		moved := n - gap
		copy(groups[8-moved:], groups[gap:n])
		clear(groups[gap : 8-moved])
	case n != 8:
		return 0, addr
	}
	for j, g := range groups {
		addr[2*j], addr[2*j+1] = byte(g>>8), byte(g)
	}
	return k, addr
}

// addressOfNoOne reports an IP address that says nothing about a person
// in any of its spellings: loopback ("::1", "0:0:0:0:0:0:0:1", 127.0.0.1,
// "::ffff:127.0.0.1") and unspecified. Such an address gets a confidence
// below the default threshold, whatever words are near it; a JSON key
// naming it an address ("client_ip") still raises it.
func addressOfNoOne(ip netip.Addr) bool {
	ip = ip.Unmap()
	return ip.IsLoopback() || ip.IsUnspecified()
}

func hexValue(c byte) byte {
	switch {
	case isDigit(c):
		return c - '0'
	case c|0x20 >= 'a' && c|0x20 <= 'f':
		return c | 0x20 - 'a' + 10
	}
	return 0
}

// ipv4At reads a dotted quad at i and returns its end and its bytes, or
// 0. Like netip, it refuses leading zeros ("010.1.1.1").
func ipv4At(b []byte, i int) (int, [4]byte) {
	var v4 [4]byte
	k := i
	for g := range 4 {
		s := k
		for k < len(b) && isDigit(b[k]) && k-s < 3 {
			k++
		}
		if k == s || k-s > 1 && b[s] == '0' || atoi(b[s:k]) > 255 {
			return 0, v4
		}
		v4[g] = byte(atoi(b[s:k]))
		if g < 3 {
			if k >= len(b) || b[k] != '.' {
				return 0, v4
			}
			k++
		}
	}
	return k, v4
}
