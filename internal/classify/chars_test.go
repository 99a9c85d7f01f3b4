package classify

import "testing"

// The email byte table says what the definitions of local-part and domain
// bytes say, for every byte.
func TestEmailCharsMatchTheirDefinitions(t *testing.T) {
	for c := range 256 {
		b := byte(c)
		local := isAlnum(b) || b == '.' || b == '_' || b == '%' || b == '+' || b == '-' || b == '\'' || b >= 0x80
		domain := isAlnum(b) || b == '-' || b >= 0x80
		if localChar(b) != local || domainChar(b) != domain {
			t.Errorf("byte %#x: localChar %v domainChar %v, want %v %v", b, localChar(b), domainChar(b), local, domain)
		}
	}
}
