package audit

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseSigningKey(t *testing.T) {
	seed := testKey.Seed()
	pemKey, err := MarshalSigningKey(testKey)
	if err != nil {
		t.Fatal(err)
	}
	good := []struct{ name, in string }{
		{"pem", string(pemKey)},
		{"hex seed", hex.EncodeToString(seed)},
		{"base64 seed with newline", base64.StdEncoding.EncodeToString(seed) + "\n"},
		{"raw url base64 seed", base64.RawURLEncoding.EncodeToString(seed)},
	}
	for _, tc := range good {
		k, err := ParseSigningKey([]byte(tc.in))
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if !k.Equal(testKey) {
			t.Errorf("%s: parsed a different key", tc.name)
		}
	}
	long := base64.StdEncoding.EncodeToString(append(seed, 1))
	bad := []struct{ name, in, want string }{
		{"empty", "", "32-byte seed"},
		{"33-byte seed", long, "32-byte seed"},
		{"odd hex", hex.EncodeToString(seed)[1:], "32-byte seed"},
		{"wrong pem type", "-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n", "PRIVATE KEY"},
		{"broken pem body", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", "PKCS #8"},
	}
	for _, tc := range bad {
		_, err := ParseSigningKey([]byte(tc.in))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.want)
			continue
		}
		if tc.in != "" && strings.Contains(err.Error(), strings.TrimSpace(tc.in)[:8]) {
			t.Errorf("%s: error %q shows key material", tc.name, err)
		}
	}
}

// TestLoadOpenSSLKey reads a key made by `openssl genpkey -algorithm
// ed25519`; its public key, printed by openssl, is pinned below.
func TestLoadOpenSSLKey(t *testing.T) {
	k, err := LoadSigningKey(filepath.Join("testdata", "openssl_ed25519.pem"))
	if err != nil {
		t.Fatal(err)
	}
	pub := base64.StdEncoding.EncodeToString(k.Public().(ed25519.PublicKey))
	if pub != "Ht1ozFfd/1G8SRw5z3gsc2IMRrq81lhXqC4VHiOtbbM=" {
		t.Fatalf("public key %s differs from openssl's", pub)
	}
	if _, err := LoadSigningKey(filepath.Join(t.TempDir(), "absent")); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("missing file: %v", err)
	}
}
