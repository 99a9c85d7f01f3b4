package crm

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/sovereign-gateway/sovereign/internal/audit"
	"github.com/sovereign-gateway/sovereign/internal/classify"
)

// failingSink is an audit sink whose appends fail.
type failingSink struct{ audit.Sink }

func (failingSink) Append(context.Context, *audit.Record) error {
	return errors.New("disk full")
}

// panickingClassifier fails the classify stage.
type panickingClassifier struct{}

func (panickingClassifier) Text([]byte, []classify.Finding) []classify.Finding {
	panic("classifier exploded on " + canaryEmail)
}

const canaryEmail = "fail.closed.canary@example.de"

// syncBuffer is a log destination tests can read while the face writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestFailClosed breaks one stage at a time: nothing reaches the org, the
// client gets a Salesforce-shaped error naming the request id, and no log
// line carries the record's data.
func TestFailClosed(t *testing.T) {
	cases := []struct {
		name   string
		opts   harnessOptions
		breakF func(t *testing.T, h *harness)
		status int
		code   string
		msg    string
		// stored says whether the regional store may hold the record (a
		// failure after the decision but before the commit leaves nothing).
		auditErr string // the error code of the refusal's audit record, if one is written
	}{
		{name: "audit append fails", opts: harnessOptions{sink: func(s audit.Sink) audit.Sink { return failingSink{s} }},
			status: 503, code: "SERVER_UNAVAILABLE", msg: "audit log is unavailable"},
		{name: "policy evaluation fails", opts: harnessOptions{extraYAML: "policy:\n  rules:\n    - {id: broken, when: 'int(tenant) > 0', action: block}\n"},
			status: 500, code: "UNKNOWN_EXCEPTION", msg: "transfer policy could not be evaluated", auditErr: "policy_error"},
		{name: "classification fails", breakF: func(t *testing.T, h *harness) { h.face.classifier = panickingClassifier{} },
			status: 500, code: "UNKNOWN_EXCEPTION", msg: "gateway failed"},
		{name: "regional write fails", breakF: breakStore,
			status: 503, code: "SERVER_UNAVAILABLE", msg: "regional store is unavailable"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			logs := &syncBuffer{}
			c.opts.logger = slog.New(slog.NewJSONHandler(logs, nil))
			c.opts.noStart = true
			h := newHarness(t, c.opts)
			if c.breakF != nil {
				c.breakF(t, h)
			}
			r := h.call(keyEUSupport, "POST", "/services/data/v62.0/sobjects/Contact",
				`{"LastName":"Failclosed","Email":"`+canaryEmail+`","MailingCountry":"DE","Description":"write to `+canaryEmail+`"}`, nil)
			if r.status != c.status {
				t.Fatalf("status %d, want %d: %s", r.status, c.status, r)
			}
			var errs []struct{ Message, ErrorCode string }
			if err := json.Unmarshal(r.body, &errs); err != nil || len(errs) != 1 {
				t.Fatalf("not a Salesforce error array: %s", r)
			}
			rid := r.header.Get("X-Request-Id")
			if errs[0].ErrorCode != c.code || !strings.Contains(errs[0].Message, c.msg) || rid == "" || !strings.Contains(errs[0].Message, rid) {
				t.Fatalf("error %+v (request id %q), want code %s, message with %q and the request id", errs[0], rid, c.code, c.msg)
			}
			if n := h.double.Counts().Requests; n != 0 || len(h.double.Dump()) != 0 {
				t.Fatalf("the org got %d data requests: %s", n, h.double.Dump())
			}
			if c.name != "regional write fails" {
				if recs := h.regionalRecords("EU"); len(recs) != 0 {
					t.Fatalf("the regional store holds %v", recs)
				}
			}
			if strings.Contains(logs.String(), canaryEmail) || strings.Contains(logs.String(), "Failclosed") {
				t.Fatalf("a log line holds record data: %s", logs)
			}
			if !strings.Contains(logs.String(), rid) {
				t.Fatalf("no log line names the request id: %s", logs)
			}
			if c.auditErr != "" {
				recs := h.auditRecords()
				if len(recs) != 1 || recs[0].Error != c.auditErr || recs[0].Outcome != "error" {
					t.Fatalf("audit records %+v, want one error record %s", recs, c.auditErr)
				}
			}
		})
	}
}

// breakStore makes every insert into the EU store's records fail, through a
// second SQLite connection (WAL mode allows it).
func breakStore(t *testing.T, h *harness) {
	db, err := sql.Open("sqlite", "file:"+filepath.Join(h.dir, "crm", "eu.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`CREATE TRIGGER fail_records BEFORE INSERT ON records BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END`); err != nil {
		t.Fatal(err)
	}
}
