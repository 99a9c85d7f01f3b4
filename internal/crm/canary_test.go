package crm

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/sovereign-gateway/sovereign/internal/audit"
)

// TestCanariesNeverLeave writes records full of planted values through
// every write endpoint. Afterwards no planted value that the policy keeps
// from the org is in the org's storage or request log, none at all is in the
// audit directory or the raw store files, all are in the regional store,
// and every audit record names the fields it decided on.
func TestCanariesNeverLeave(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	canaries := map[string]string{ // field → planted value
		"LastName": "CanaryLast7f3a", "FirstName": "CanaryFirst9c1b", "Email": "canary.mail.5d2e@example.de",
		"Phone": "+49 30 7777 5555", "Birthdate": "1966-06-16", "Customer_Number__c": "CANARY-CUST-4e8f",
		"Description": "Canary text for Ida Canarysson, ida.canary@example.de", "Secret_Note__c": "canary-undeclared-0a9b",
	}
	record := func(suffix string) map[string]any {
		m := map[string]any{"MailingCountry": "DE"}
		for k, v := range canaries {
			m[k] = v + suffix
		}
		return m
	}
	js := func(v any) string { b, _ := json.Marshal(v); return string(b) }
	col := func(recs ...map[string]any) string {
		for _, r := range recs {
			r["attributes"] = map[string]string{"type": "Contact"}
		}
		return js(map[string]any{"allOrNone": false, "records": recs})
	}
	noCN := func(m map[string]any) map[string]any { delete(m, "Customer_Number__c"); return m }
	calls := []struct{ method, path, body string }{
		{"POST", "/sobjects/Contact", js(record("A"))},
		{"PATCH", "/sobjects/Contact/Customer_Number__c/" + canaries["Customer_Number__c"] + "B", js(noCN(record("B")))},
		{"POST", "/composite/sobjects", col(record("C"), record("D"))},
		{"PATCH", "/composite/sobjects/Contact/Customer_Number__c", col(record("E"))},
		{"POST", "/composite", js(map[string]any{"compositeRequest": []any{
			map[string]any{"method": "POST", "url": "/services/data/v62.0/sobjects/Contact", "referenceId": "f", "body": record("F")}}})},
	}
	for _, c := range calls {
		r := h.call(keyEUSupport, c.method, "/services/data/v62.0"+c.path, c.body, nil)
		if r.status >= 300 || strings.Contains(r.String(), `"success":false`) || strings.Contains(r.String(), `"httpStatusCode":4`) {
			t.Fatalf("%s %s: %d %s", c.method, c.path, r.status, r)
		}
	}
	h.flush()
	dump := string(h.double.Dump())
	files := h.storeFiles()
	regional := strings.Join(h.regionalRecords("EU"), "\n")
	for field, v := range canaries {
		for _, suffix := range []string{"A", "B", "C", "D", "E", "F"} {
			planted := v + suffix
			for _, probe := range []string{planted, strings.SplitN(planted, ",", 2)[0]} {
				hits, err := audit.ScanForCanary(h.audit.Dir(), probe)
				if err != nil || len(hits) > 0 {
					t.Errorf("%s: the audit log holds %q at %v %v", field, probe, hits, err)
				}
				for name, b := range files {
					if strings.Contains(string(b), probe) {
						t.Errorf("%s: store file %s holds %q in clear", field, name, probe)
					}
				}
			}
			if strings.Contains(dump, planted) || strings.Contains(dump, strings.TrimSuffix(v, "@example.de")) {
				t.Errorf("%s: the org holds %q", field, planted)
			}
			if !strings.Contains(regional, strings.ReplaceAll(planted, "+", `\u002b`)) && !strings.Contains(regional, planted) {
				t.Errorf("%s: the regional store lacks %q", field, planted)
			}
		}
	}
	recs := h.auditRecords()
	if len(recs) != 6 {
		t.Fatalf("%d audit records, want one per record written (6)", len(recs))
	}
	for i, r := range recs {
		f := r.Fields
		if f == nil || f.Object != "Contact" {
			t.Fatalf("record %d has no field outcome: %+v", i, r)
		}
		named := strings.Join(append(append(append(append([]string{}, f.Kept...), f.Tokenized...), f.Masked...), f.Dropped...), ",")
		for field := range canaries {
			if !strings.Contains(named, field) {
				t.Errorf("record %d (%s) does not say what happened to %s: %s", i, r.Operation, field, fmt.Sprint(*f))
			}
		}
	}
}
