package classify

import (
	"bytes"
	"net/netip"
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
	return i + 1
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
		for k > lo && localChar(b[k-1]) {
			k--
		}
		// "anna(dot)schmidt@": a dot spelled out between two parts.
		if n := spelledDotBefore(b, k); n > 0 && k-n > lo && localChar(b[k-n-1]) && b[k-n-1] != '.' {
			k -= n
			continue
		}
		break
	}
	for k < i && (b[k] == '.' || b[k] == '\'' || b[k] >= 0x80 && !utf8.RuneStart(b[k])) {
		k++
	}
	if k == i || b[i-1] == '.' || k > 0 && localChar(b[k-1]) {
		return -1
	}
	return k
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
		for e < lim && domainChar(b[e]) {
			e++
		}
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
	if labels < 2 || !tldAlpha || e < len(b) && (b[e] == '@' || isWordByte(b[e])) || fileExtension(b[tld:e]) {
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

// ipv6 reads an IPv6 address at i: up to eight groups of one to four hex
// digits, at most one "::", optionally an IPv4 tail. Times (10:30:00) and
// MAC addresses (six groups) are not addresses.
func (s *scanner) ipv6(b []byte, i int) int {
	k := i
	groups := 0
	double := false
	if hasPrefixAt(b, k, "::") {
		double = true
		k += 2
	}
	for k < len(b) {
		h := hexRun(b, k)
		if h == k {
			break
		}
		if h-k > 4 {
			return 0
		}
		if h < len(b) && b[h] == '.' {
			e := ipv4At(b, k)
			if e == 0 {
				return 0
			}
			groups += 2
			k = e
			break
		}
		groups++
		k = h
		if hasPrefixAt(b, k, "::") {
			if double {
				return 0
			}
			double = true
			k += 2
			continue
		}
		if k+1 < len(b) && b[k] == ':' && isHex(b[k+1]) {
			k++
			continue
		}
		break
	}
	if groups == 0 || double && groups > 7 || !double && groups != 8 {
		return 0
	}
	if k < len(b) && (isWordByte(b[k]) || b[k] == ':' || b[k] == '.' && k+1 < len(b) && isDigit(b[k+1])) {
		return 0
	}
	conf := s.ctxAdjust(i, k, 0.75, kwIP, 0.2)
	if addressOfNoOne(b[i:k]) {
		conf = 0.3
	}
	s.add(IPAddress, "", i, k, conf)
	return k
}

// addressOfNoOne reports an IP address that says nothing about a person
// in any of its spellings: loopback ("::1", "0:0:0:0:0:0:0:1", 127.0.0.1,
// "::ffff:127.0.0.1") and unspecified ("::"). Such an address gets a
// confidence below the default threshold, whatever words are near it; a
// JSON key naming it an address ("client_ip") still raises it.
func addressOfNoOne(a []byte) bool {
	ip, ok := parseIP(a)
	if !ok {
		return false
	}
	ip = ip.Unmap()
	return ip.IsLoopback() || ip.IsUnspecified()
}

// parseIP is netip.ParseAddr for an address without a zone, read from
// bytes in place: netip takes a string, and converting the span would
// allocate on every candidate (FuzzParseIP holds the two to the same
// answers).
func parseIP(a []byte) (netip.Addr, bool) {
	if bytes.IndexByte(a, ':') < 0 {
		v4, ok := parseIPv4(a)
		return netip.AddrFrom4(v4), ok
	}
	var groups [8]uint16
	n, gap, k := 0, -1, 0
	if hasPrefixAt(a, 0, "::") {
		gap, k = 0, 2
	}
	for k < len(a) {
		h := hexRun(a, k)
		if h < len(a) && a[h] == '.' { // an IPv4 tail: "::ffff:10.1.2.3"
			q, ok := parseIPv4(a[k:])
			if !ok || n > 6 {
				return netip.Addr{}, false
			}
			groups[n], groups[n+1] = uint16(q[0])<<8|uint16(q[1]), uint16(q[2])<<8|uint16(q[3])
			n += 2 // the tail ends the address
			break
		}
		if h == k || h-k > 4 || n == 8 {
			return netip.Addr{}, false
		}
		var g uint16
		for _, c := range a[k:h] {
			g = g<<4 | uint16(hexValue(c))
		}
		groups[n], n, k = g, n+1, h
		switch {
		case hasPrefixAt(a, k, "::"):
			if gap >= 0 {
				return netip.Addr{}, false
			}
			gap, k = n, k+2
		case k < len(a) && a[k] == ':' && k+1 < len(a):
			k++
		case k < len(a):
			return netip.Addr{}, false
		}
	}
	if gap >= 0 {
		if n == 8 {
			return netip.Addr{}, false // "::" stands for at least one group
		}
		moved := n - gap
		copy(groups[8-moved:], groups[gap:n])
		clear(groups[gap : 8-moved])
	} else if n != 8 {
		return netip.Addr{}, false
	}
	var b16 [16]byte
	for i, g := range groups {
		b16[2*i], b16[2*i+1] = byte(g>>8), byte(g)
	}
	return netip.AddrFrom16(b16), true
}

// parseIPv4 reads a dotted quad that is the whole of a, as netip does: no
// leading zeros.
func parseIPv4(a []byte) (v4 [4]byte, ok bool) {
	k := 0
	for g := range 4 {
		s := k
		for k < len(a) && k-s < 4 && isDigit(a[k]) {
			k++
		}
		if k == s || k-s > 3 || k-s > 1 && a[s] == '0' || atoi(a[s:k]) > 255 {
			return v4, false
		}
		v4[g] = byte(atoi(a[s:k]))
		if g < 3 {
			if k >= len(a) || a[k] != '.' {
				return v4, false
			}
			k++
		}
	}
	return v4, k == len(a)
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

// ipv4At reads a dotted quad at i and returns its end, or 0.
func ipv4At(b []byte, i int) int {
	k := i
	for g := 0; g < 4; g++ {
		s := k
		for k < len(b) && isDigit(b[k]) && k-s < 3 {
			k++
		}
		if k == s || k-s > 1 && b[s] == '0' || atoi(b[s:k]) > 255 {
			return 0
		}
		if g < 3 {
			if k >= len(b) || b[k] != '.' {
				return 0
			}
			k++
		}
	}
	return k
}
