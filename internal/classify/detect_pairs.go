package classify

// Name-value pairs: a credential whose name is the value of one key and
// whose value is that of the next, as Kubernetes, ECS and compose write
// environment variables ({"name": "DB_PASSWORD", "value": "..."}, in
// YAML "- name: DB_PASSWORD" over "value: ..."), CloudFormation its
// parameters (ParameterKey, ParameterValue) and .NET its settings (<add
// key="ApiKey" value="..."/>). The key "value" is read where its sign
// is (onAssign) or where the walker meets it (member): the name is read
// back from there, in the bytes before it.

// valueKey reports a normalized key (normKey) that holds a pair's value.
func valueKey(key []byte) bool {
	return string(key) == "value" || string(key) == "parametervalue"
}

// siblingName returns the name a pair's value key that starts at k pairs
// with: the value of a "name", "key" or "ParameterKey" just before it, in
// JSON, YAML or XML attributes; or nil. Only a name written before the
// value is read, as the tools write them.
func siblingName(b []byte, k int) []byte {
	p := k
	if p > 0 && (b[p-1] == '"' || b[p-1] == '\'') {
		p-- // the value key's own quote
	}
	p = spaceBefore(b, p)
	if p > 0 && b[p-1] == ',' {
		p = spaceBefore(b, p-1)
	}
	var q byte
	if p > 0 && (b[p-1] == '"' || b[p-1] == '\'') {
		q = b[p-1]
		p--
	}
	ne := p
	for p > 0 && ne-p < 64 && (isAlnum(b[p-1]) || b[p-1] == '_' || b[p-1] == '-' || b[p-1] == '.') {
		p--
	}
	ns := p
	if ne-ns < 2 {
		return nil
	}
	if q != 0 {
		if p == 0 || b[p-1] != q {
			return nil
		}
		p--
	}
	for p > 0 && (b[p-1] == ' ' || b[p-1] == '\t') {
		p--
	}
	if p == 0 || b[p-1] != ':' && b[p-1] != '=' {
		return nil
	}
	p--
	for p > 0 && (b[p-1] == ' ' || b[p-1] == '\t') {
		p--
	}
	if p > 0 && (b[p-1] == '"' || b[p-1] == '\'') {
		p--
	}
	ks := keyWordStart(b, p, 16)
	var buf [16]byte
	switch string(normKey(buf[:0], b[ks:p])) {
	case "name", "key", "parameterkey":
		return b[ns:ne]
	}
	return nil
}

// spaceBefore returns where the white space (line breaks too: YAML puts
// the pair on two lines) that ends at p starts, at most 64 bytes back.
func spaceBefore(b []byte, p int) int {
	for e := p; p > 0 && e-p < 64 && isSpace(b[p-1]); {
		p--
	}
	return p
}

// pairCredential returns name normalized (normKey, into buf) if it names
// a credential, or nil.
func pairCredential(buf []byte, name []byte) []byte {
	if name == nil {
		return nil
	}
	key := lowerLatin(normKey(buf, name))
	if !credentialName(key, name) {
		return nil
	}
	return key
}

// credentialName reports a key, normalized (key) and as written (raw),
// that names a credential in text and in JSON alike: one ending as
// credential keys end, or whose last word is "pass" ("SMTP_PASS"); not a
// page cursor ("nextPageToken").
func credentialName(key, raw []byte) bool {
	return (credentialKey(key) || passWord(raw)) && !cursorKey(key)
}

// namedValue reads the value at v of a pair's value key that starts at k
// (onAssign), if the pair's name is a credential's.
func (s *scanner) namedValue(b []byte, k, v int) int {
	var buf [64]byte
	key := pairCredential(buf[:0], siblingName(b, k))
	if key == nil {
		return v
	}
	return s.credentialValue(b, key, v)
}
