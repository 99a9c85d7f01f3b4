package classify

import "bytes"

// Credentials on a command line pasted into a chat: a long option named as
// a credential key and its value after a space ("--password Hunter2Xy9",
// "--api-key sk_..."; the "--password=..." form is onAssign's), "-p" where
// the command takes a password there (sshpass, docker login, mysql's glued
// "-pHunter2Xy9"), and curl's "-u user:password". They are read from the
// option's '-', which onDash gets already: no byte is added to the triggers.

// option reads a command-line option at the '-' at i, with nothing but a
// space before it, and returns where scanning goes on.
func (s *scanner) option(b []byte, i int) int {
	if i > 0 && b[i-1] != ' ' && b[i-1] != '\t' && b[i-1] != '\n' || i+2 >= len(b) {
		return i + 1
	}
	switch c := b[i+1]; {
	case c == '-' && isAlpha(b[i+2]):
		return s.longOption(b, i)
	case c == 'p':
		return s.passwordOption(b, i)
	case c == 'u' && b[i+2] == ' ' && commandOnLine(b, i, "curl"):
		return s.userPassword(b, i+3)
	}
	return i + 1
}

// longOption reads "--name value" at i: the value of a name that is a
// credential key's, after spaces (not "--password-file /run/...", nor
// "--password --verbose").
func (s *scanner) longOption(b []byte, i int) int {
	ns := i + 2
	n := ns
	for n < len(b) && n-ns < 40 && (isAlnum(b[n]) || b[n] == '-' || b[n] == '_') {
		n++
	}
	if n >= len(b) || b[n] != ' ' && b[n] != '\t' {
		return n // "--password=...": the '=' is onAssign's
	}
	name := b[ns:n]
	if string(name) == "user" && commandOnLine(b, i, "curl") {
		return s.userPassword(b, n+1)
	}
	// Flags that ask for a password, or turn it off, take none.
	if hasPrefixAt(name, 0, "no-") || hasPrefixAt(name, 0, "ask-") || hasPrefixAt(name, 0, "prompt-") {
		return n
	}
	var buf [64]byte
	key := normKey(buf[:0], name)
	if !credentialName(key, name) {
		return n
	}
	v := n
	for v < len(b) && v-n < 16 && (b[v] == ' ' || b[v] == '\t') {
		v++
	}
	if v >= len(b) || !optionValue(b, v) {
		return n
	}
	return s.credentialValue(b, key, v)
}

// optionValue reports whether the word at v may be an option's value:
// not another option, not a word of prose ("use the --password option"),
// not a list of settings ("--secret id=npm,src=.npmrc").
func optionValue(b []byte, v int) bool {
	switch b[v] {
	case '-', '\\', '<', '|', '>', '&', ';':
		return false
	case '"', '\'':
		return true
	}
	e := v
	for e < len(b) && b[e] > ' ' && e-v < 256 {
		if b[e] == '=' && e+1 < len(b) && b[e+1] > ' ' && b[e+1] != '=' {
			return false
		}
		e++
	}
	w := bytes.TrimRight(b[v:e], ".,;:!?)")
	for _, c := range w {
		if !isLower(c) {
			return true
		}
	}
	return false
}

// passwordOption reads "-p" at i: "-p value" after sshpass or a registry's
// login ("docker login -u x -p ..."), the value glued to it after mysql
// and its kin ("mysql -u root -pHunter2Xy9"), or between quotes
// ("-p'Hunter2Xy9'"). Elsewhere -p is a port ("-p 8080:80"), a path's
// parents ("mkdir -p") or another command's own.
func (s *scanner) passwordOption(b []byte, i int) int {
	v := i + 2
	key := []byte("password")
	switch c := b[v]; {
	case c == ' ':
		if !commandOnLine(b, i, "sshpass") && !commandOnLine(b, i, "login") {
			return v
		}
		for v < len(b) && b[v] == ' ' {
			v++
		}
		if v >= len(b) || b[v] == '-' || b[v] <= ' ' {
			return v
		}
		if portOrPath(b[v:wordEnd(b, v)]) {
			return v // "-p 8080": a port
		}
	case c == '"' || c == '\'':
		// A quoted value glued to -p is a password's; not a port or a path.
		e := bytes.IndexByte(b[v+1:min(len(b), v+258)], c)
		if e <= 0 || portOrPath(b[v+1:v+1+e]) {
			return v
		}
	case c > ' ' && c != '-':
		if !commandOnLine(b, i, "mysql") && !commandOnLine(b, i, "mariadb") {
			return v
		}
		if portOrPath(b[v:wordEnd(b, v)]) {
			return v // "-p3306": a port
		}
	default:
		return v
	}
	return s.credentialValue(b, key, v)
}

// portOrPath reports a value of digits, ':' and '.' ("8080:80",
// "127.0.0.1:53"), or one that starts as a path does.
func portOrPath(v []byte) bool {
	if v[0] == '/' || v[0] == '.' || v[0] == '~' {
		return true
	}
	for _, c := range v {
		if !isDigit(c) && c != ':' && c != '.' {
			return false
		}
	}
	return true
}

// userPassword reads curl's "user:password" at v (after -u or --user):
// the password is the part after the first colon; "-u admin:" has none
// (curl asks for it).
func (s *scanner) userPassword(b []byte, v int) int {
	for v < len(b) && b[v] == ' ' {
		v++
	}
	q := byte(0)
	if v < len(b) && (b[v] == '"' || b[v] == '\'') {
		q = b[v]
		v++
	}
	c := v
	for c < len(b) && c-v < 128 && b[c] > ' ' && b[c] != ':' && b[c] != q {
		c++
	}
	if c >= len(b)-1 || b[c] != ':' || c == v || b[c+1] <= ' ' || b[c+1] == q {
		return c
	}
	if q != 0 {
		// The value ends at the closing quote: credentialValue reads it
		// from the quote before it, as if the quote opened it.
		e := bytes.IndexByte(b[c+1:min(len(b), c+258)], q)
		if e <= 0 {
			return c
		}
		s.credentialQuoted(b, c+1, c+1+e)
		return c + 1 + e
	}
	return s.credentialValue(b, []byte("password"), c+1)
}

// credentialQuoted adds the password [v, e) that a quote closes, unless
// it stands in for one.
func (s *scanner) credentialQuoted(b []byte, v, e int) {
	if !standIn(b[v:e]) {
		s.add(Secret, ruleGenericCredential, v, e, 0.85)
	}
}

// commandOnLine reports whether the command that the option at i belongs
// to is cmd: the first word of its part of the line (after a ';', '|',
// '&', '(', '`' or a sentence's stop, a "sudo" and variables set before it) starts with cmd
// ("mysql", "mysqldump", "/usr/bin/mysql"), or, for "login", its second
// or third word is it ("docker login", "helm registry login"). A word
// of the line elsewhere ("Check the mysql logs, then grep -pattern",
// "login then run docker run -p 8080:80") is another command's. A line
// that a backslash continues is the same command's.
func commandOnLine(b []byte, i int, cmd string) bool {
	ls := i
	for ls > 0 && i-ls < 512 && (b[ls-1] != '\n' || ls >= 2 && b[ls-2] == '\\') {
		ls--
	}
	line := b[ls:i]
	if k := bytes.LastIndexAny(line, ";|&(`"); k >= 0 {
		line = line[k+1:]
	}
	if k := bytes.LastIndex(line, []byte(". ")); k >= 0 {
		line = line[k+2:] // a sentence before the command
	}
	words := bytes.Fields(line)
	for len(words) > 1 && (string(words[0]) == "sudo" || string(words[0]) == "env" || bytes.IndexByte(words[0], '=') > 0) {
		words = words[1:]
	}
	if len(words) == 0 {
		return false
	}
	if cmd == "login" {
		for _, w := range words[1:min(3, len(words))] {
			if string(w) == "login" {
				return true
			}
		}
		return false
	}
	first := words[0]
	if k := bytes.LastIndexByte(first, '/'); k >= 0 {
		first = first[k+1:]
	}
	return bytes.HasPrefix(first, []byte(cmd))
}

// wordEnd returns where the option's value at v ends: at white space, at
// most 64 bytes on.
func wordEnd(b []byte, v int) int {
	e := v
	for e < len(b) && e-v < 64 && b[e] > ' ' {
		e++
	}
	return e
}
