package audit

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestProveEveryIndex(t *testing.T) {
	// Sizes around powers of two exercise every proof shape (perfect trees,
	// ephemeral right border).
	for _, n := range []int{1, 2, 3, 7, 8, 9, 31, 33} {
		dir := writeLog(t, n, testOptions())
		keys := []string{testVKey(t)}
		for i := 0; i < n; i++ {
			p, err := Prove(dir, uint64(i), keys)
			if err != nil {
				t.Fatalf("size %d, Prove(%d): %v", n, i, err)
			}
			if p.TreeSize != uint64(n) {
				t.Fatalf("size %d: proof against size %d", n, p.TreeSize)
			}
			if err := CheckProof(p, keys); err != nil {
				t.Fatalf("size %d index %d: %v", n, i, err)
			}
		}
		if _, err := Prove(dir, uint64(n), keys); err == nil {
			t.Errorf("size %d: proof for index %d beyond the checkpoint", n, n)
		}
	}
}

func TestCheckProofRejects(t *testing.T) {
	dir := writeLog(t, 20, testOptions())
	keys := []string{testVKey(t)}
	good, err := Prove(dir, 5, keys)
	if err != nil {
		t.Fatal(err)
	}
	other, _, _ := newSigner("sovereign.audit/test", ed25519Key(7))
	_, otherKey, _ := newSigner("sovereign.audit/test", ed25519Key(7))
	cases := []struct {
		name   string
		mutate func(p *Proof)
		keys   []string
	}{
		{"payload changed", func(p *Proof) { p.Payload = strings.Replace(p.Payload, "req-000005", "req-000006", 1) }, keys},
		{"payload of another index", func(p *Proof) { p.Payload = strings.Replace(p.Payload, `"i":5`, `"i":6`, 1) }, keys},
		{"index changed", func(p *Proof) { p.Index = 6 }, keys},
		{"proof node changed", func(p *Proof) { p.Proof[0][0] ^= 1 }, keys},
		{"proof node dropped", func(p *Proof) { p.Proof = p.Proof[1:] }, keys},
		{"root changed", func(p *Proof) { p.Root[0] ^= 1 }, keys},
		{"size changed", func(p *Proof) { p.TreeSize = 19 }, keys},
		{"checkpoint body edited", func(p *Proof) { p.Checkpoint = strings.Replace(p.Checkpoint, "\n20\n", "\n21\n", 1) }, keys},
		{"checkpoint by another key", func(p *Proof) {
			msg, _ := signCheckpoint(Checkpoint{Origin: "sovereign.audit/test", Size: p.TreeSize, Root: p.Root}, other)
			p.Checkpoint = string(msg)
		}, keys},
		{"untrusted key", func(p *Proof) {}, []string{otherKey}},
		{"format", func(p *Proof) { p.Format = "v0" }, keys},
	}
	for _, tc := range cases {
		b, _ := json.Marshal(good)
		p, err := ParseProof(b)
		if err != nil {
			t.Fatal(err)
		}
		tc.mutate(p)
		if err := CheckProof(p, tc.keys); err == nil {
			t.Errorf("%s: CheckProof accepted a bad proof", tc.name)
		}
	}
	if _, err := ParseProof([]byte(`{"format":"x","extra":1}`)); err == nil {
		t.Error("ParseProof accepted an unknown field")
	}
}
