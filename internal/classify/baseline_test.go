package classify

import (
	"regexp"
)

// regexpBaseline is what a straightforward implementation does (Presidio's
// recognizers, most DLP filters): one Go regexp per pattern over the whole
// body, each match validated with the same checksum functions as the
// engine. It finds less (no names, addresses, context or JSON paths) and
// exists only to measure the engine against.
type regexpBaseline struct {
	pats []basePattern
}

type basePattern struct {
	re    *regexp.Regexp
	valid func([]byte) bool
}

func digitsOnly(b []byte) []byte {
	out := make([]byte, 0, len(b))
	for _, c := range b {
		if isDigit(c) {
			out = append(out, c)
		}
	}
	return out
}

func alnumUpper(b []byte) []byte {
	out := make([]byte, 0, len(b))
	for _, c := range b {
		if isAlnum(c) {
			out = append(out, c)
		}
	}
	return out
}

func newRegexpBaseline() *regexpBaseline {
	always := func([]byte) bool { return true }
	loadPhones()
	p := []struct {
		re    string
		valid func([]byte) bool
	}{
		{`[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}`, always},
		{`\+\d{1,3}[ -]?(?:\(0\)[ -]?)?\d{1,4}(?:[ -]?\d{2,4}){1,4}`, func(b []byte) bool { return phoneIntl(digitsOnly(b)) }},
		{`\b0\d{2,4}[ /-]?\d{3,8}\b`, func(b []byte) bool { return phoneNational(digitsOnly(b)) }},
		{`\b(?:\d[ -]?){12,18}\d\b`, func(b []byte) bool { d := digitsOnly(b); return cardBrandOK(d) && luhn(d) }},
		{`\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b`, func(b []byte) bool { return ibanValid(alnumUpper(b)) }},
		{`\b(?:\d{1,3}\.){3}\d{1,3}\b`, always},
		{`\b(?:[0-9a-fA-F]{1,4}:){2,7}[0-9a-fA-F]{0,4}\b`, always},
		{`\b\d{3}-\d{2}-\d{4}\b`, func(b []byte) bool { return ssnValid(digitsOnly(b)) }},
		{`\b[A-CEGHJ-PR-TW-Z]{2} ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b`, always},
		{`\b\d{3} ?\d{3} ?\d{4}\b`, func(b []byte) bool { return nhsValid(digitsOnly(b)) }},
		{`\b\d{11}\b`, func(b []byte) bool { return deTaxIDValid(b) || plPESELValid(b) }},
		{`\b[1-478]\d{4}(?:\d{2}|2[AB])\d{8}\b`, func(b []byte) bool { return frNIRValid(b) }},
		{`\b\d{8}-?[A-Z]\b`, func(b []byte) bool { return esDNIValid(b[:8], b[len(b)-1]) }},
		{`\b[XYZ]\d{7}[A-Z]\b`, func(b []byte) bool { return esNIEValid(b[0], b[1:8], b[8]) }},
		{`\b[A-Z]{6}\d{2}[A-EHLMPRST]\d{2}[A-Z]\d{3}[A-Z]\b`, itFiscalCodeValid},
		{`\b\d{9}\b`, func(b []byte) bool { return nlBSNValid(b) }},
		{`\b(?:\d{2})?\d{6}[-+]?\d{4}\b`, func(b []byte) bool { d := digitsOnly(b); return sePersonnummerValid(d[len(d)-10:]) }},
		{`\b\d{1,2}[./-]\d{1,2}[./-]\d{4}\b`, always},
		{`\b[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}\b`, always},
		{`\bsk-[A-Za-z0-9_-]{20,}`, always},
		{`\bAKIA[0-9A-Z]{16}\b`, always},
		{`\bAIza[0-9A-Za-z_-]{35}`, always},
		{`\bgh[pousr]_[A-Za-z0-9]{36}\b`, always},
		{`\bxox[baprs]-[A-Za-z0-9-]{10,}`, always},
		{`\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*`, always},
		{`-----BEGIN [A-Z ]*PRIVATE KEY-----`, always},
		{`(?i)(?:password|api_key|secret|token)\s*[:=]\s*\S+`, always},
	}
	rb := &regexpBaseline{}
	for _, x := range p {
		rb.pats = append(rb.pats, basePattern{re: regexp.MustCompile(x.re), valid: x.valid})
	}
	return rb
}

// scan returns the number of validated matches.
func (rb *regexpBaseline) scan(body []byte) int {
	n := 0
	for _, p := range rb.pats {
		for _, loc := range p.re.FindAllIndex(body, -1) {
			if p.valid(body[loc[0]:loc[1]]) {
				n++
			}
		}
	}
	return n
}
