package audit

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// checkGolden compares got with testdata/name, rewriting it under -update.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		writeFile(t, path, got)
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(want, got) {
		t.Errorf("%s differs from golden (rerun with -update if intended):\n%s", name, got)
	}
}

func TestExportGolden(t *testing.T) {
	dir := writeLog(t, 12, testOptions())
	cases := []struct {
		golden string
		format string
		tr     TimeRange
		n      int
	}{
		{"export_all.jsonl", FormatJSONL, TimeRange{}, 12},
		{"export_range.csv", FormatCSV, TimeRange{From: testBase.Add(3 * time.Second), To: testBase.Add(7 * time.Second)}, 4},
	}
	for _, tc := range cases {
		var buf bytes.Buffer
		n, err := Export(dir, &buf, tc.format, tc.tr, nil)
		if err != nil {
			t.Fatal(err)
		}
		if n != tc.n {
			t.Errorf("%s: exported %d records, want %d", tc.golden, n, tc.n)
		}
		checkGolden(t, tc.golden, buf.Bytes())
	}
	if _, err := Export(dir, &bytes.Buffer{}, "xml", TimeRange{}, nil); err == nil {
		t.Error("unknown format accepted")
	}
}

func TestExportStopsAtDamage(t *testing.T) {
	dir := writeLog(t, 30, testOptions())
	path, data, spans, i := segFrames(t, dir, 27)
	data[spans[i].off+20] ^= 1
	writeFile(t, path, data)
	var buf bytes.Buffer
	n, err := Export(dir, &buf, FormatJSONL, TimeRange{}, nil)
	if err == nil || n != 27 {
		t.Fatalf("Export over damage = %d records, %v; want 27 and an error", n, err)
	}
}

func TestReportGolden(t *testing.T) {
	dir := writeLog(t, 30, testOptions())
	now := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	rep, err := BuildReport(dir, TimeRange{}, now, nil)
	if err != nil {
		t.Fatal(err)
	}
	js, _ := json.MarshalIndent(rep, "", "  ")
	checkGolden(t, "report.json", append(js, '\n'))
	var md bytes.Buffer
	if err := rep.WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "report.md", md.Bytes())

	// Totals must add up across recipients.
	sum := 0
	blocked := 0
	for _, tr := range rep.Transfers {
		sum += tr.Requests
		blocked += tr.Blocked
	}
	if sum != 30 || rep.Records != 30 || blocked != rep.Blocked || blocked == 0 {
		t.Errorf("requests %d blocked %d, report %+v", sum, blocked, rep)
	}
	// A window selects by record time.
	rep, err = BuildReport(dir, TimeRange{From: testBase.Add(10 * time.Second)}, now, nil)
	if err != nil || rep.Records != 20 {
		t.Fatalf("windowed report: %v records, %v", rep.Records, err)
	}
}

func TestMarkdownEscapesCells(t *testing.T) {
	got := md("a|b\n*c*_<x>")
	if strings.ContainsAny(got, "\n<>") || strings.Contains(got, "a|b") {
		t.Errorf("md() = %q", got)
	}
}
