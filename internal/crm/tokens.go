package crm

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base32"
	"regexp"
	"strings"
	"unicode/utf8"
)

// Tokens look like tok_<16 base32 chars>, 20 characters, short enough for
// Salesforce's narrowest text fields (postal codes hold 20). Email tokens add
// @token.invalid so that Salesforce's email validation accepts them; the
// .invalid top-level domain (RFC 2606) can never deliver mail.
const (
	tokenPrefix = "tok_"
	tokenLen    = len(tokenPrefix) + 16
	emailSuffix = "@token.invalid"
)

var (
	tokenEnc = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)
	// tokenRe finds tokens inside any string, with the email suffix if any.
	tokenRe = regexp.MustCompile(`tok_[a-z2-7]{16}(?:@token\.invalid)?`)
)

// tokenizer makes a tenant's deterministic tokens: the same type and value
// always give the same token under the tenant's key, and nothing but the
// regional store (token → encrypted value) turns a token back into a value.
type tokenizer struct{ key []byte }

// token returns the bare token (without email suffix) for value of typ.
func (t tokenizer) token(typ, value string) string {
	m := hmac.New(sha256.New, t.key)
	m.Write([]byte(typ))
	m.Write([]byte{0})
	m.Write([]byte(value))
	sum := m.Sum(nil)
	return tokenPrefix + tokenEnc.EncodeToString(sum[:10])
}

// format renders a bare token for a field: email-shaped when the value is
// one (by type or by content).
func format(bare string, email bool) string {
	if email {
		return bare + emailSuffix
	}
	return bare
}

// bareToken strips the email suffix.
func bareToken(tok string) string { return strings.TrimSuffix(tok, emailSuffix) }

// mask keeps a value's first character and stars the rest (emails keep the
// shape, with a reserved domain, so that Salesforce accepts them). Masks are
// not reversible; reads restore the value from the regional store.
func mask(value string, email bool) string {
	r, size := utf8.DecodeRuneInString(value)
	if size == 0 {
		return value
	}
	if email {
		return string(r) + "***@masked.invalid"
	}
	n := utf8.RuneCountInString(value) - 1
	return string(r) + strings.Repeat("*", min(n, 16))
}
