package classify

import (
	"bytes"
	"net/netip"
	"strings"
	"testing"
)

func loadIPLines(t testing.TB) []string {
	var lines []string
	dataLines(t, "testdata/ip_addresses.txt", func(_ int, l string) { lines = append(lines, l) })
	return lines
}

// readWholeIP reads a with the scanner's own readers (readIPv6, ipv4At)
// and reports the address they spell if they take all of it.
func readWholeIP(a []byte) (netip.Addr, bool) {
	if bytes.IndexByte(a, ':') < 0 {
		e, v4 := ipv4At(a, 0)
		return netip.AddrFrom4(v4), e > 0 && e == len(a)
	}
	e, v6 := readIPv6(a, 0)
	return netip.AddrFrom16(v6), e > 0 && e == len(a)
}

// checkParseIP holds the scanner's readers to netip.ParseAddr on one
// input without a zone: the same verdict and, where valid, the same
// address.
func checkParseIP(t *testing.T, in string) {
	if strings.ContainsRune(in, '%') {
		return // zones: the readers never see one
	}
	want, werr := netip.ParseAddr(in)
	got, ok := readWholeIP([]byte(in))
	if ok != (werr == nil) || ok && got != want {
		t.Fatalf("readers(%q) = %v, %v; netip: %v, %v", in, got, ok, want, werr)
	}
}

func TestParseIP(t *testing.T) {
	lines := loadIPLines(t)
	if len(lines) < 20 {
		t.Fatalf("only %d addresses in the corpus", len(lines))
	}
	for _, l := range lines {
		checkParseIP(t, l)
	}
}

func FuzzParseIP(f *testing.F) {
	for _, l := range loadIPLines(f) {
		f.Add(l)
	}
	f.Fuzz(checkParseIP)
}

func TestAddressOfNoOne(t *testing.T) {
	for in, want := range map[string]bool{
		"127.0.0.1": true, "127.1.2.3": true, "::1": true, "0:0:0:0:0:0:0:1": true, "::": true,
		"::ffff:127.0.0.1": true, "::ffff:0.0.0.0": true, "0.0.0.0": true,
		"10.0.0.1": false, "::ffff:10.1.2.3": false, "fe80::1": false, "2001:db8::1": false, "::2": false,
	} {
		ip, ok := readWholeIP([]byte(in))
		if !ok {
			t.Fatalf("%q: not read as an address", in)
		}
		if got := addressOfNoOne(ip); got != want {
			t.Errorf("addressOfNoOne(%q) = %v, want %v", in, got, want)
		}
	}
}
