package crm

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sovereign-gateway/sovereign/internal/audit"
	"github.com/sovereign-gateway/sovereign/internal/sfdouble"
)

const contactBody = `{"LastName":"Outboxson","Email":"outbox.person@example.de","MailingCountry":"DE","Title":"Keeper"}`

// waitFor polls cond until it holds or five seconds pass.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// checkDeliveredOnce asserts the org holds exactly one Contact, created by
// one upsert on the sync id, and no plaintext.
func checkDeliveredOnce(t *testing.T, d *sfdouble.Double) {
	t.Helper()
	recs := d.Records("Contact")
	if len(recs) != 1 {
		t.Fatalf("org has %d contacts, want exactly 1: %s", len(recs), d.Dump())
	}
	if c := d.Counts(); c.UpsertCreates != 1 || c.Creates != 0 {
		t.Fatalf("org counts %+v: want one upsert create and no plain create", c)
	}
	if f := recs[0].Fields; f["Title"] != "Keeper" || f["LastName"] != "O********" || !strings.HasPrefix(fmt.Sprint(f["Sovereign_Id__c"]), localPrefix) {
		t.Fatalf("org record %v", f)
	}
	if strings.Contains(string(d.Dump()), "outbox.person@example.de") || strings.Contains(string(d.Dump()), "Outboxson") {
		t.Fatalf("plaintext reached the org: %s", d.Dump())
	}
}

// TestOutboxDeliversLaterExactlyOnce covers the org failing after the
// regional write: down (503), and a write that took effect but whose answer
// was lost (connection dropped). The worker delivers each exactly once.
func TestOutboxDeliversLaterExactlyOnce(t *testing.T) {
	cases := []struct {
		name  string
		setup func(d *sfdouble.Double)
		heal  func(d *sfdouble.Double)
	}{
		{"org down", func(d *sfdouble.Double) { d.SetDown(true) }, func(d *sfdouble.Double) { d.SetDown(false) }},
		{"answer lost after the write", func(d *sfdouble.Double) { d.DropAfterWrite(1) }, func(*sfdouble.Double) {}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t, harnessOptions{})
			c.setup(h.double)
			r := h.call(keyEUSupport, "POST", "/services/data/v62.0/sobjects/Contact", contactBody, nil)
			if r.status != http.StatusCreated || r.header.Get(HeaderDelivery) != "queued" || !strings.Contains(r.String(), `"id":"sv0`) {
				t.Fatalf("create while the org fails: %d %v %s", r.status, r.header, r)
			}
			id := extractID(r.body)
			if recs := h.regionalRecords("EU"); len(recs) != 1 || !strings.Contains(recs[0], "outbox.person@example.de") {
				t.Fatalf("regional store before delivery: %v", recs)
			}
			c.heal(h.double)
			waitFor(t, "delivery", func() bool { return len(h.double.Records("Contact")) == 1 && h.outboxEmpty() })
			// Let the worker run a few more polls: nothing may be sent again.
			time.Sleep(100 * time.Millisecond)
			checkDeliveredOnce(t, h.double)
			// The local id keeps working and now resolves to the org's record.
			g := h.call(keyEUSupport, "GET", "/services/data/v62.0/sobjects/Contact/"+id, "", nil)
			if g.status != 200 || !strings.Contains(g.String(), "outbox.person@example.de") || !strings.Contains(g.String(), `"Id":"003`) {
				t.Fatalf("get by local id after delivery: %d %s", g.status, g)
			}
		})
	}
}

func (h *harness) outboxEmpty() bool {
	for _, reg := range h.face.storeList {
		st, err := reg.st.OutboxStats(context.Background())
		if err != nil || st.Pending+st.Inflight+st.Dead > 0 {
			return false
		}
	}
	return true
}

// Crash tests: the test binary runs itself as a child that writes one record
// through the face and is killed with SIGKILL at a chosen point. The parent
// owns the org double, restarts the face on the child's data directory and
// requires exactly one delivery.
const (
	envCrashDir   = "SOVEREIGN_CRM_CRASH_DIR"
	envCrashOrg   = "SOVEREIGN_CRM_CRASH_ORG"
	envCrashPoint = "SOVEREIGN_CRM_CRASH_POINT"
)

func TestCrashChild(t *testing.T) {
	dir := os.Getenv(envCrashDir)
	if dir == "" {
		t.Skip("runs only as the child of TestCrashBetweenWrites")
	}
	kill := func() { _ = syscall.Kill(os.Getpid(), syscall.SIGKILL) }
	cfg := loadTestConfig(t, dir, os.Getenv(envCrashOrg), "", "")
	lg, err := audit.Open(dir+"/audit", audit.Options{Mode: audit.ModeSync})
	if err != nil {
		t.Fatal(err)
	}
	opts := Options{Config: cfg, Audit: lg}
	switch os.Getenv(envCrashPoint) {
	case "after_commit":
		opts.AfterCommit = kill
	case "after_org_write":
		// The org has the record; the process dies before the outbox row
		// is marked done.
		opts.HTTPClient = &http.Client{Transport: killAfter{http.DefaultTransport, kill}}
	}
	f, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest("POST", "/services/data/v62.0/sobjects/Contact", strings.NewReader(contactBody))
	req.Header.Set("Authorization", "Bearer "+keyEUSupport)
	req.Header.Set("Content-Type", "application/json")
	f.ServeHTTP(httptest.NewRecorder(), req)
	t.Fatal("the child survived its crash point")
}

// killAfter kills the process once a data write's answer arrived.
type killAfter struct {
	next http.RoundTripper
	kill func()
}

func (k killAfter) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := k.next.RoundTrip(r)
	if err == nil && strings.Contains(r.URL.Path, "/sobjects/") && r.Method != http.MethodGet {
		k.kill()
	}
	return resp, err
}

func TestCrashBetweenWrites(t *testing.T) {
	for _, point := range []string{"after_commit", "after_org_write"} {
		t.Run(point, func(t *testing.T) {
			h := newHarness(t, harnessOptions{noStart: true})
			h.stop() // the child owns the data directory until it dies
			cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
			cmd.Env = append(os.Environ(), envCrashDir+"="+h.dir, envCrashOrg+"="+h.org.URL, envCrashPoint+"="+point)
			out, err := cmd.CombinedOutput()
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
				t.Fatalf("child did not die by SIGKILL: %v\n%s", err, out)
			}
			before := len(h.double.Records("Contact"))
			if want := map[string]int{"after_commit": 0, "after_org_write": 1}[point]; before != want {
				t.Fatalf("org has %d contacts after the crash, want %d", before, want)
			}
			h.start() // recovery: the store puts the in-flight row back
			h.face.Start()
			waitFor(t, "recovery delivery", func() bool { return len(h.double.Records("Contact")) == 1 && h.outboxEmpty() })
			time.Sleep(100 * time.Millisecond)
			checkDeliveredOnce(t, h.double)
			if c := h.double.Counts(); point == "after_org_write" && c.UpsertUpdates != 1 {
				t.Fatalf("the redelivery should update the record the org already had: %+v", c)
			}
			recs := h.regionalRecords("EU")
			if len(recs) != 1 || !strings.Contains(recs[0], "Outboxson") {
				t.Fatalf("regional store after recovery: %v", recs)
			}
		})
	}
}

// TestConcurrentDuplicateExternalID: two clients give the same external id
// value to two new records at once. Exactly one wins, the other gets
// DUPLICATE_VALUE, and the region and the org hold one record.
func TestConcurrentDuplicateExternalID(t *testing.T) {
	h := newHarness(t, harnessOptions{noStart: true})
	for round := range 8 {
		value := fmt.Sprintf("RACE-%d", round)
		body := `{"LastName":"Racer","MailingCountry":"DE","Customer_Number__c":"` + value + `"}`
		codes := make(chan int, 2)
		for range 2 {
			go func() {
				codes <- h.call(keyEUSupport, "POST", "/services/data/v62.0/sobjects/Contact", body, nil).status
			}()
		}
		a, b := <-codes, <-codes
		if min(a, b) != http.StatusCreated || max(a, b) != http.StatusBadRequest {
			t.Fatalf("round %d: statuses %d and %d, want one 201 and one 400", round, a, b)
		}
	}
	if n := len(h.double.Records("Contact")); n != 8 {
		t.Fatalf("org has %d contacts, want 8", n)
	}
	if n := len(h.regionalRecords("EU")); n != 8 {
		t.Fatalf("regional store has %d records, want 8", n)
	}
}
