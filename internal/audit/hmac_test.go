package audit

import (
	"encoding/hex"
	"strings"
	"testing"
)

func TestHMAC(t *testing.T) {
	// RFC 4231 test case 2, truncated to HMACBytes.
	key := []byte("Jefe")
	got := HMAC(key, "what do ya want for nothing?")
	if want := "5bdcc146bf60754e6a042426089575c7"; got != want {
		t.Errorf("HMAC = %s, want %s", got, want)
	}
	if len(got) != 2*HMACBytes {
		t.Errorf("length %d", len(got))
	}
	if HMAC([]byte("other key"), "what do ya want for nothing?") == got {
		t.Error("HMAC does not depend on the key")
	}
	if _, err := hex.DecodeString(got); err != nil {
		t.Error(err)
	}
}

func TestCheckHMACKey(t *testing.T) {
	for _, tc := range []struct {
		key string
		ok  bool
	}{{"", false}, {"short-key", false}, {"0123456789abcde", false}, {"0123456789abcdef", true}} {
		if err := CheckHMACKey([]byte(tc.key)); (err == nil) != tc.ok {
			t.Errorf("CheckHMACKey(%d bytes) = %v", len(tc.key), err)
		} else if err != nil && tc.key != "" && strings.Contains(err.Error(), tc.key) {
			t.Errorf("error shows the key: %v", err)
		}
	}
}

func TestCounter(t *testing.T) {
	var c Counter
	if c.List() != nil {
		t.Error("empty counter lists counts")
	}
	for _, f := range [][2]string{{"email", "personal"}, {"secret", "secret"}, {"email", "personal"}, {"business", "business"}} {
		c.Add(f[0], f[1])
	}
	got := c.List()
	want := []Count{{"business", "business", 1}, {"email", "personal", 2}, {"secret", "secret", 1}}
	if len(got) != len(want) {
		t.Fatalf("List = %+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("List[%d] = %+v, want %+v", i, got[i], want[i])
		}
	}
}
