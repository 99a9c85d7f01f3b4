package audit

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"os"
	"testing"
	"time"
)

// testKey is a fixed signing key so golden files and tests are reproducible.
var testKey = ed25519.NewKeyFromSeed([]byte("sovereign-audit-test-key-seed-32"))

var testBase = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// testRecord returns a varied but deterministic record number i.
func testRecord(i int) *Record {
	vendors := []Destination{
		{Name: "openai-us", Region: "us-east", Jurisdiction: "US", Vendor: "openai", Mechanism: "dpf"},
		{Name: "ollama-eu", Region: "eu-central", Jurisdiction: "EU", Vendor: "self-hosted", Mechanism: "none"},
		{Name: "sf-uk", Region: "uk-south", Jurisdiction: "UK", Vendor: "salesforce", Mechanism: "adequacy"},
	}
	outcomes := []string{"forwarded", "forwarded", "blocked", "forwarded", "error"}
	actions := map[string]string{"forwarded": "pseudonymize", "blocked": "block", "error": "allow"}
	var c Counter
	for j := 0; j < i%4; j++ {
		c.Add("email", "personal")
	}
	if i%3 == 0 {
		c.Add("secret", "secret")
	}
	out := outcomes[i%len(outcomes)]
	r := &Record{
		Time:                testBase.Add(time.Duration(i) * time.Second),
		RequestID:           fmt.Sprintf("req-%06d", i),
		Tenant:              []string{"shop-eu", "shop-uk"}[i%2],
		Client:              "support-bot",
		SubjectJurisdiction: []string{"EU", "UK", "EU", "US"}[i%4],
		Purpose:             "support",
		Face:                []string{"llm", "crm"}[i%2],
		Operation:           []string{"chat.completions", "sobject.create"}[i%2],
		Destination:         vendors[i%len(vendors)],
		Findings:            c.List(),
		Action:              actions[out],
		Rules:               []string{fmt.Sprintf("rule-%d", i%3)},
		PolicyHash:          "sha256:5e1f",
		BytesIn:             int64(100 + i),
		BytesOut:            int64(80 + i),
		LatencyMicros:       int64(1000 + i),
		Outcome:             out,
	}
	if i%2 == 1 {
		r.Fields = &FieldOutcome{Object: "Contact", Kept: []string{"Id"}, Tokenized: []string{"Email"}, Dropped: []string{"Phone"}}
	}
	return r
}

// testOptions are fast, deterministic options for tests.
func testOptions() Options {
	return Options{Mode: ModeSync, SigningKey: testKey, Origin: "sovereign.audit/test",
		CheckpointEvery: 16, SegmentMaxRecords: 25}
}

// eachMode runs fn as a subtest per mode, with testOptions in that mode.
func eachMode(t *testing.T, fn func(t *testing.T, opts Options)) {
	for _, mode := range []Mode{ModeSync, ModeBatch} {
		t.Run(string(mode), func(t *testing.T) {
			opts := testOptions()
			opts.Mode = mode
			fn(t, opts)
		})
	}
}

// writeLog creates a closed log of n records in a new temp dir.
func writeLog(t testing.TB, n int, opts Options) string {
	t.Helper()
	dir := t.TempDir()
	appendRecords(t, dir, 0, n, opts)
	return dir
}

// appendRecords opens dir, appends testRecord(from..from+n-1) and closes.
func appendRecords(t testing.TB, dir string, from, n int, opts Options) {
	t.Helper()
	l, err := Open(dir, opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	for i := from; i < from+n; i++ {
		if err := l.Append(context.Background(), testRecord(i)); err != nil {
			t.Fatalf("Append %d: %v", i, err)
		}
	}
	if err := l.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
}

// writeRecords opens dir, appends recs as given and closes.
func writeRecords(t testing.TB, dir string, opts Options, recs []*Record) {
	t.Helper()
	l, err := Open(dir, opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	for i, r := range recs {
		if err := l.Append(context.Background(), r); err != nil {
			t.Fatalf("Append %d: %v", i, err)
		}
	}
	if err := l.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
}

// mustVerify runs Verify with the test key.
func mustVerify(t testing.TB, dir string) *VerifyResult {
	t.Helper()
	res, err := Verify(dir, VerifyOptions{Keys: []string{testVKey(t)}})
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	return res
}

func testVKey(t testing.TB) string {
	_, vkey, err := newSigner("sovereign.audit/test", testKey)
	if err != nil {
		t.Fatal(err)
	}
	return vkey
}

// ed25519Key returns a deterministic key numbered n.
func ed25519Key(n byte) ed25519.PrivateKey {
	seed := make([]byte, ed25519.SeedSize)
	seed[0] = n
	return ed25519.NewKeyFromSeed(seed)
}

// slowSync delays every fsync, like a busy or networked disk, so background
// fsyncs overlap writes, rotations and Close.
type slowSync struct {
	segmentWriter
	d time.Duration
}

func (s slowSync) Sync() error {
	time.Sleep(s.d)
	return s.segmentWriter.Sync()
}

// slowFsyncs makes every segment the log opens a slowSync for the test.
func slowFsyncs(tb testing.TB, d time.Duration) {
	orig := wrapSegment
	tb.Cleanup(func() { wrapSegment = orig })
	wrapSegment = func(f *os.File) segmentWriter { return slowSync{f, d} }
}
