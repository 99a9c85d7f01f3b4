package crm

import (
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/sovereign-gateway/sovereign/internal/crm/sfwire"
)

var fuzzPaths = []struct{ method, path string }{
	{"POST", "/services/data/v62.0/sobjects/Contact"},
	{"PATCH", "/services/data/v62.0/sobjects/Contact/Customer_Number__c/F-1"},
	{"POST", "/services/data/v62.0/composite/sobjects"},
	{"PATCH", "/services/data/v62.0/composite/sobjects/Contact/Customer_Number__c"},
	{"POST", "/services/data/v62.0/composite"},
}

// FuzzDecodeRequest sends arbitrary bodies to the write endpoints of a real
// face (org: the double). Whatever the bytes, the face answers with JSON, a
// failure is a Salesforce error array, and nothing panics (500).
func FuzzDecodeRequest(f *testing.F) {
	files, _ := filepath.Glob("testdata/cases/*.yaml")
	for _, file := range files {
		data, _ := os.ReadFile(file)
		var cases []testCase
		_ = yaml.Unmarshal(data, &cases)
		for _, c := range cases {
			for _, s := range c.Steps {
				if body, _ := stepBody(f, s, nil); len(body) > 0 && !s.Gzip {
					for k := range fuzzPaths {
						f.Add(uint8(k), body)
					}
				}
			}
		}
	}
	h := newHarness(f, harnessOptions{noStart: true})
	f.Fuzz(func(t *testing.T, kind uint8, body []byte) {
		p := fuzzPaths[int(kind)%len(fuzzPaths)]
		req := httptest.NewRequest(p.method, p.path, strings.NewReader(string(body)))
		req.Header.Set("Authorization", "Bearer "+keyEUSupport)
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.face.ServeHTTP(rec, req)
		if rec.Code == 500 {
			t.Fatalf("500 for %q", body)
		}
		if !json.Valid(rec.Body.Bytes()) && rec.Code != 204 {
			t.Fatalf("answer is not JSON: %d %s", rec.Code, rec.Body)
		}
		if rec.Code >= 400 {
			var errs []sfwire.Error
			if json.Unmarshal(rec.Body.Bytes(), &errs) != nil || len(errs) == 0 || errs[0].ErrorCode == "" || errs[0].Fields == nil {
				t.Fatalf("not a Salesforce error array: %d %s", rec.Code, rec.Body)
			}
		}
	})
}
