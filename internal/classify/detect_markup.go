package classify

import "bytes"

// Credentials in code and markup that no ':' or '=' leads: PHP's
// define('DB_PASSWORD', '...') (WordPress's wp-config.php), read from its
// '(' (onParen), and an XML element, <password>...</password>, read from
// its value where a password-shaped token brings the scanner to it
// (spokenAt): '<' and '>' are no triggers, and adding them would cost
// every scan.

// define reads PHP's define('NAME', 'value') whose '(' is at i, if NAME is
// a credential key's; it returns where scanning goes on, or 0.
func (s *scanner) define(b []byte, i int) int {
	k := i + 1
	for k < len(b) && k-i < 4 && b[k] == ' ' {
		k++
	}
	if k >= len(b) || b[k] != '\'' && b[k] != '"' {
		return 0
	}
	q := b[k]
	ns := k + 1
	ne := ns
	for ne < len(b) && ne-ns < 64 && (isAlnum(b[ne]) || b[ne] == '_') {
		ne++
	}
	if ne >= len(b) || b[ne] != q || ne-ns < 3 {
		return 0
	}
	var buf [64]byte
	key := pairCredential(buf[:0], b[ns:ne])
	v := ne + 1
	if key == nil || v >= len(b) || b[v] != ',' {
		return 0
	}
	v++
	if v < len(b) && b[v] == ' ' {
		v++
	}
	return s.credentialValue(b, key, v)
}

// tagValue reads the value at vs of an XML element whose start tag ends
// just before it (b[vs-1] is '>'), if the element's name is a credential
// key's ("<password>", "<wsse:Password Type=...>", "<ApiKey>") and its end
// tag closes it; it returns the end tag's end, or 0 (also where a prefixed
// key's rule may take the value).
func (s *scanner) tagValue(b []byte, vs int) int {
	lt := vs - 1
	for lt > 0 && vs-lt < 128 && b[lt-1] != '<' && b[lt-1] != '>' && b[lt-1] != '\n' {
		lt--
	}
	if lt == 0 || b[lt-1] != '<' {
		return 0
	}
	ne := lt
	for ne < vs-1 && (isAlnum(b[ne]) || b[ne] == '_' || b[ne] == '-' || b[ne] == '.' || b[ne] == ':') {
		ne++
	}
	name := b[lt:ne]
	if len(name) < 2 || ne < vs-1 && b[ne] != ' ' || b[vs-2] == '/' {
		return 0
	}
	local := name
	if c := bytes.LastIndexByte(name, ':'); c >= 0 {
		local = name[c+1:] // a namespace's prefix is no part of the key
	}
	var buf [64]byte
	key := pairCredential(buf[:0], local)
	if key == nil {
		return 0
	}
	ve := vs
	for ve < len(b) && ve-vs < 256 && b[ve] != '<' && b[ve] != '\n' {
		ve++
	}
	end := ve + 3 + len(name)
	if end > len(b) || b[ve+1] != '/' || !bytes.Equal(b[ve+2:end-1], name) || b[end-1] != '>' {
		return 0
	}
	val := b[vs:ve]
	if standIn(val) || !credentialLike(key, val) {
		return end
	}
	s.add(Secret, credentialRule(key, val), vs, ve, 0.85)
	if ownRuleLikely(val) {
		return 0 // the caller goes on, and the value's own rule may take it (credentialValue)
	}
	return end
}
