package classify

import (
	"bufio"
	"net/netip"
	"os"
	"strings"
	"testing"
)

func loadIPLines(t testing.TB) []string {
	f, err := os.Open("testdata/ip_addresses.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if l := sc.Text(); l != "" && !strings.HasPrefix(l, "#") {
			lines = append(lines, l)
		}
	}
	return lines
}

// checkParseIP holds parseIP to netip.ParseAddr on one input without a
// zone: the same verdict and, where valid, the same address.
func checkParseIP(t *testing.T, in string) {
	if strings.ContainsRune(in, '%') {
		return // zones: parseIP never sees one
	}
	want, werr := netip.ParseAddr(in)
	got, ok := parseIP([]byte(in))
	if ok != (werr == nil) || ok && got != want {
		t.Fatalf("parseIP(%q) = %v, %v; netip: %v, %v", in, got, ok, want, werr)
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
		if got := addressOfNoOne([]byte(in)); got != want {
			t.Errorf("addressOfNoOne(%q) = %v, want %v", in, got, want)
		}
	}
}
