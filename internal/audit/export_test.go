package audit

import (
	"bytes"
	"encoding/json"
	"fmt"
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

	// Totals must add up across recipients and, within one, across flows.
	sum, blocked := 0, 0
	for _, tr := range rep.Transfers {
		sum += tr.Requests
		blocked += tr.Blocked
		var f Flow
		for _, fl := range tr.Flows {
			f.Requests, f.Forwarded, f.Blocked, f.Personal = f.Requests+fl.Requests, f.Forwarded+fl.Forwarded, f.Blocked+fl.Blocked, f.Personal+fl.Personal
		}
		if f.Requests != tr.Requests || f.Forwarded != tr.Forwarded || f.Blocked != tr.Blocked || f.Personal != tr.Personal {
			t.Errorf("%s: flows add up to %+v, transfer says %+v", tr.Destination, f, tr)
		}
		if tr.Forwarded+tr.Blocked+tr.Errors+tr.DryRuns != tr.Requests || tr.Personal > tr.Forwarded {
			t.Errorf("%s: outcomes do not add up: %+v", tr.Destination, tr)
		}
		for _, c := range tr.Categories {
			if c.Forwarded+c.Blocked > c.Requests || c.Findings < c.Requests {
				t.Errorf("%s: category %+v", tr.Destination, c)
			}
		}
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

// TestReportCounts pins how each outcome and finding class is counted, on
// records written for the purpose.
func TestReportCounts(t *testing.T) {
	us := Destination{Name: "openai-us", Region: "us-east", Jurisdiction: "US", Vendor: "openai", Mechanism: "dpf"}
	rec := func(subject, outcome, action string, findings ...Count) *Record {
		return &Record{Time: testBase, RequestID: "r", SubjectJurisdiction: subject, Destination: us,
			Outcome: outcome, Action: action, Findings: findings, BytesOut: 10, Rules: []string{"rule-" + action}}
	}
	health := Count{Type: "health", Class: "special", N: 2}
	email := Count{Type: "email", Class: "personal", N: 1}
	recs := []*Record{
		rec("EU", "forwarded", "pseudonymize", email, health),
		rec("EU", "forwarded", "allow"),
		rec("EU", "blocked", "block", health),
		rec("EU", "dry_run", "allow", email),
		rec("US", "upstream_error", "allow", email),
		rec("", "forwarded", "allow", email),
	}
	dir := t.TempDir()
	writeRecords(t, dir, testOptions(), recs)
	rep, err := BuildReport(dir, TimeRange{}, testBase, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Records != 6 || rep.Forwarded != 3 || rep.Blocked != 1 || rep.Errors != 1 || rep.DryRuns != 1 || rep.CrossBorder != 4 {
		t.Fatalf("totals %+v", rep)
	}
	if len(rep.Transfers) != 1 {
		t.Fatalf("%d transfers", len(rep.Transfers))
	}
	tr := rep.Transfers[0]
	if tr.Personal != 2 || tr.BytesOut != 30 || tr.Findings != 8 || !tr.CrossBorder {
		t.Errorf("transfer %+v", tr)
	}
	wantFlows := []Flow{
		{SubjectJurisdiction: "", Mechanisms: []string{"dpf"}, Requests: 1, Forwarded: 1, Personal: 1},
		{SubjectJurisdiction: "EU", CrossBorder: true, Mechanisms: []string{"dpf"}, Requests: 4, Forwarded: 2, Blocked: 1, Personal: 1},
		{SubjectJurisdiction: "US", Mechanisms: []string{"dpf"}, Requests: 1},
	}
	if fmt.Sprint(tr.Flows) != fmt.Sprint(wantFlows) {
		t.Errorf("flows\n got %+v\nwant %+v", tr.Flows, wantFlows)
	}
	wantCats := []Category{
		{Class: "personal", Type: "email", Requests: 4, Forwarded: 2, Findings: 4},
		{Class: "special", Type: "health", Requests: 2, Forwarded: 1, Blocked: 1, Findings: 4},
	}
	if fmt.Sprint(tr.Categories) != fmt.Sprint(wantCats) {
		t.Errorf("categories\n got %+v\nwant %+v", tr.Categories, wantCats)
	}
	if fmt.Sprint(tr.Rules) != "[rule-allow rule-block rule-pseudonymize]" {
		t.Errorf("rules %v", tr.Rules)
	}
}
