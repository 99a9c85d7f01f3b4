package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sovereign-gateway/sovereign/internal/audit"
)

var updateAudit = flag.Bool("update-audit", false, "rewrite testdata/audit golden files")

// auditCase is one CLI invocation from testdata/audit/cases.json. In args,
// DIR, TAMPERED, MISSING, KEY, OTHERKEY, CHECKPOINT, PROOF and FORGEDPROOF
// stand for paths the test prepares.
type auditCase struct {
	Name        string   `json:"name"`
	Args        []string `json:"args"`
	Exit        int      `json:"exit"`
	Stdout      []string `json:"stdout"`
	Stderr      []string `json:"stderr"`
	StdoutEmpty bool     `json:"stdout_empty"`
	Golden      string   `json:"golden"`
}

// auditFixture builds a 40-record log, a tampered copy and a proof.
func auditFixture(t *testing.T) map[string]string {
	t.Helper()
	tmp := t.TempDir()
	key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, 32))
	paths := map[string]string{
		"DIR":      filepath.Join(tmp, "log"),
		"TAMPERED": filepath.Join(tmp, "tampered"),
		"MISSING":  filepath.Join(tmp, "missing"),
	}
	for _, d := range []string{paths["DIR"], paths["TAMPERED"]} {
		l, err := audit.Open(d, audit.Options{Mode: audit.ModeSync, SigningKey: key,
			Origin: "sovereign.audit/cmdtest", CheckpointEvery: 8, SegmentMaxRecords: 16})
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 40; i++ {
			if err := l.Append(context.Background(), cmdRecord(i)); err != nil {
				t.Fatal(err)
			}
		}
		if err := l.Close(); err != nil {
			t.Fatal(err)
		}
	}
	// Flip one byte inside record 17 (second segment, second frame).
	seg := filepath.Join(paths["TAMPERED"], "segments", "seg-00000000000000000016.log")
	data, err := os.ReadFile(seg)
	if err != nil {
		t.Fatal(err)
	}
	first := 16 + 4 + int(uint32(data[16])<<24|uint32(data[17])<<16|uint32(data[18])<<8|uint32(data[19])) + 4
	data[first+40] ^= 0x20
	write(t, seg, data)

	paths["KEY"] = filepath.Join(paths["DIR"], "checkpoint.pub")
	paths["CHECKPOINT"] = filepath.Join(paths["DIR"], "checkpoint")
	other, err := audit.Open(filepath.Join(tmp, "other"), audit.Options{Origin: "sovereign.audit/cmdtest"})
	if err != nil {
		t.Fatal(err)
	}
	paths["OTHERKEY"] = filepath.Join(tmp, "other.pub")
	write(t, paths["OTHERKEY"], []byte(other.VerifierKey()+"\n"))
	other.Close()

	p, err := audit.Prove(paths["DIR"], 7, nil)
	if err != nil {
		t.Fatal(err)
	}
	pj, _ := json.Marshal(p)
	paths["PROOF"] = filepath.Join(tmp, "proof.json")
	write(t, paths["PROOF"], pj)
	p.Payload = strings.Replace(p.Payload, `"outcome":"forwarded"`, `"outcome":"blocked"`, 1)
	fj, _ := json.Marshal(p)
	paths["FORGEDPROOF"] = filepath.Join(tmp, "forged.json")
	write(t, paths["FORGEDPROOF"], fj)
	return paths
}

func write(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// cmdRecord is record i of the fixture log.
func cmdRecord(i int) *audit.Record {
	var c audit.Counter
	for j := 0; j < i%3; j++ {
		c.Add("email", "personal")
	}
	if i%5 == 0 {
		c.Add("iban", "personal")
	}
	dest := []audit.Destination{
		{Name: "openai-us", Region: "us-east", Jurisdiction: "US", Vendor: "openai", Mechanism: "dpf"},
		{Name: "crm-eu", Region: "eu-central", Jurisdiction: "EU", Vendor: "salesforce", Mechanism: "none"},
	}[i%2]
	outcome, action := "forwarded", "pseudonymize"
	if i%7 == 3 {
		outcome, action = "blocked", "block"
	}
	return &audit.Record{
		Time:                time.Date(2026, 3, 1, 12, 0, i, 0, time.UTC),
		RequestID:           fmt.Sprintf("req-%03d", i),
		Tenant:              "shop-eu",
		Client:              "support-bot",
		SubjectJurisdiction: "EU",
		Purpose:             "support",
		Face:                []string{"llm", "crm"}[i%2],
		Operation:           []string{"chat.completions", "sobject.create"}[i%2],
		Destination:         dest,
		Findings:            c.List(),
		Action:              action,
		Rules:               []string{fmt.Sprintf("eu-%d", i%2)},
		PolicyHash:          "sha256:abcd",
		BytesIn:             int64(200 + i),
		BytesOut:            int64(150 + i),
		LatencyMicros:       int64(900 + i),
		Outcome:             outcome,
	}
}

var generatedLine = regexp.MustCompile(`(?m)^- Generated: .*$|"generated": "[^"]*"`)

func TestAuditCommand(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "audit", "cases.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cases []auditCase
	if err := json.Unmarshal(b, &cases); err != nil {
		t.Fatal(err)
	}
	paths := auditFixture(t)
	for _, tc := range cases {
		t.Run(tc.Name, func(t *testing.T) {
			args := make([]string, len(tc.Args))
			for i, a := range tc.Args {
				if p, ok := paths[a]; ok {
					a = p
				}
				args[i] = a
			}
			var stdout, stderr bytes.Buffer
			code := run(args, strings.NewReader(""), &stdout, &stderr)
			if code != tc.Exit {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tc.Exit, stdout.String(), stderr.String())
			}
			for _, s := range tc.Stdout {
				if !strings.Contains(stdout.String(), s) {
					t.Errorf("stdout lacks %q:\n%s", s, stdout.String())
				}
			}
			for _, s := range tc.Stderr {
				if !strings.Contains(stderr.String(), s) {
					t.Errorf("stderr lacks %q:\n%s", s, stderr.String())
				}
			}
			if tc.StdoutEmpty && stdout.Len() != 0 {
				t.Errorf("stdout not empty: %s", stdout.String())
			}
			if tc.Golden != "" {
				got := generatedLine.ReplaceAll(stdout.Bytes(), []byte("GENERATED"))
				path := filepath.Join("testdata", "audit", tc.Golden)
				if *updateAudit {
					write(t, path, got)
				}
				want, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, want) {
					t.Errorf("output differs from %s (rerun with -update-audit if intended):\n%s", path, got)
				}
			}
		})
	}
}

// TestProgressThrottles: a long read reports every few thousand records; a
// non-terminal --progress prints a line a second at most, plus the final one.
func TestProgressThrottles(t *testing.T) {
	var buf bytes.Buffer
	p := newProgress(&buf, true, "verified")
	f := p.fn()
	for n := uint64(4096); n <= 4096*500; n += 4096 {
		f(n)
	}
	p.finish()
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) > 2 || !strings.HasPrefix(lines[len(lines)-1], "verified 2048000 records (") {
		t.Fatalf("progress printed %d lines:\n%s", len(lines), buf.String())
	}
	if newProgress(&buf, false, "x").fn() != nil {
		t.Error("progress without a terminal or --progress")
	}
	var nilProgress *progress
	nilProgress.finish() // must not panic
}
