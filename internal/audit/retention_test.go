package audit

import (
	"os"
	"testing"
	"time"
)

func TestRetentionKeepsTreeVerifiable(t *testing.T) {
	dir := t.TempDir()
	opts := testOptions() // 25 records per segment
	appendRecords(t, dir, 0, 110, opts)
	// Age every sealed segment past the retention period.
	segs, _ := listSegments(dir)
	old := time.Now().Add(-72 * time.Hour)
	for _, s := range segs {
		if err := os.Chtimes(s.path, old, old); err != nil {
			t.Fatal(err)
		}
	}
	opts.Retention = 48 * time.Hour
	appendRecords(t, dir, 110, 10, opts) // Open prunes; the active segment stays
	segs, _ = listSegments(dir)
	if len(segs) != 1 || segs[0].first != 100 {
		t.Fatalf("after retention: %+v, want the segments from 100 on", segs)
	}
	res := mustVerify(t, dir)
	if !res.Intact() || res.Records != 120 || res.Pruned != 100 {
		t.Fatalf("verify after pruning = %+v", res)
	}
	keys := []string{testVKey(t)}
	p, err := Prove(dir, 105, keys)
	if err != nil {
		t.Fatal(err)
	}
	if err := CheckProof(p, keys); err != nil {
		t.Fatal(err)
	}
	if _, err := Prove(dir, 50, keys); err == nil {
		t.Error("proof for a pruned record")
	}
	// The pruned prefix is authenticated through the roots: altering it shows.
	ps, err := readPruneState(dir)
	if err != nil {
		t.Fatal(err)
	}
	ps.Hashes[0][0] ^= 1
	if err := writePruneState(dir, ps); err != nil {
		t.Fatal(err)
	}
	if res := mustVerify(t, dir); res.Intact() {
		t.Fatal("altered prune.json not detected")
	}
}

func TestRetentionSparesRecentSegments(t *testing.T) {
	dir := t.TempDir()
	opts := testOptions()
	opts.Retention = 48 * time.Hour
	appendRecords(t, dir, 0, 60, opts)
	appendRecords(t, dir, 60, 5, opts)
	if res := mustVerify(t, dir); !res.Intact() || res.Pruned != 0 || res.Records != 65 {
		t.Fatalf("verify = %+v", res)
	}
}
