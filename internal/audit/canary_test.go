package audit

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// canaryRequest is a request body full of values that must never reach the
// audit log, with the spans a classifier would report for them.
type canaryRequest struct {
	Body     string          `json:"body"`
	Findings []canaryFinding `json:"findings"`
}

type canaryFinding struct {
	Type, Class string
	Value       string // the planted value; located in Body to build the span
}

func TestNoCanaryInAuditFiles(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "canary_requests.json"))
	if err != nil {
		t.Fatal(err)
	}
	var reqs []canaryRequest
	if err := json.Unmarshal(b, &reqs); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	l, err := Open(dir, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	hmacKey := []byte("deployment-hmac-key")
	for i, rq := range reqs {
		// What the record stage does: count findings by type and class,
		// reference the subject by HMAC, never copy a value.
		var c Counter
		for _, f := range rq.Findings {
			if !bytes.Contains([]byte(rq.Body), []byte(f.Value)) {
				t.Fatalf("request %d: planted value not in body", i)
			}
			c.Add(f.Type, f.Class)
		}
		r := testRecord(i)
		r.Findings = c.List()
		r.SubjectRef = HMAC(hmacKey, rq.Findings[0].Value)
		r.BytesIn = int64(len(rq.Body))
		if err := l.Append(context.Background(), r); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	// Export and report outputs must be clean as well.
	var exp bytes.Buffer
	if _, err := Export(dir, &exp, FormatJSONL, TimeRange{}, nil); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "export.jsonl"), exp.Bytes())
	for _, rq := range reqs {
		for _, f := range rq.Findings {
			hits, err := ScanForCanary(dir, f.Value)
			if err != nil {
				t.Fatal(err)
			}
			if len(hits) > 0 {
				t.Errorf("canary of type %s found in audit files: %+v", f.Type, hits)
			}
		}
	}
}

// TestScanForCanaryFinds proves the scanner can fail: a record that does
// carry a value is caught, raw and JSON-escaped.
func TestScanForCanaryFinds(t *testing.T) {
	dir := t.TempDir()
	l, err := Open(dir, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	r := testRecord(0)
	r.RequestID = `leak <canary-7731@example.com> "q"`
	if err := l.Append(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	for _, canary := range []string{"canary-7731@example.com", `<canary-7731@example.com> "q"`} {
		hits, err := ScanForCanary(dir, canary)
		if err != nil {
			t.Fatal(err)
		}
		if len(hits) == 0 {
			t.Errorf("ScanForCanary(%q) found nothing", canary)
		}
	}
	if _, err := ScanForCanary(dir, ""); err == nil {
		t.Error("empty canary accepted")
	}
}
