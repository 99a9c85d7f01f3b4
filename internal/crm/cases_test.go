package crm

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/sovereign-gateway/sovereign/internal/audit"
)

// A case is a sequence of calls to one fresh gateway and what must hold
// afterwards. Cases live in testdata/cases/*.yaml.
type testCase struct {
	Name  string `yaml:"name"`
	Steps []step `yaml:"steps"`
	// OrgNever lists values that must not be anywhere the org keeps data
	// (its records and every request body it received), nor in the audit
	// log, nor in the raw regional store files.
	OrgNever []string `yaml:"org_never"`
	// OrgHas lists values the org must have received.
	OrgHas []string `yaml:"org_has"`
	// OrgCount is the number of records of each type in the org.
	OrgCount map[string]int `yaml:"org_count"`
	// Regional lists, per jurisdiction, values its store must hold (decrypted).
	Regional map[string][]string `yaml:"regional"`
	// RegionalCount is the number of live records per jurisdiction's store.
	RegionalCount map[string]int `yaml:"regional_count"`
	// Audit are the CRM face's records in order, each compared on the keys given.
	Audit []map[string]any `yaml:"audit"`
	// Flush delivers the outbox before the checks.
	Flush bool `yaml:"flush"`
	// OutboxDead is the number of rows the org refused in the background.
	OutboxDead int `yaml:"outbox_dead"`
	// Config is YAML appended to testdata/gateway.yaml (policy rules).
	Config string `yaml:"config"`
}

type step struct {
	As      string            `yaml:"as"` // eu, us, eua, none, bad
	Method  string            `yaml:"method"`
	Path    string            `yaml:"path"` // relative to /services/data/v62.0 unless it starts with /services
	Headers map[string]string `yaml:"headers"`
	Body    any               `yaml:"body"`     // YAML value sent as JSON
	Raw     *string           `yaml:"raw"`      // sent as is
	RawB64  string            `yaml:"raw_b64"`  // bytes sent as is
	Repeat  *repeat           `yaml:"repeat"`   // a collection body of N copies
	Pad     int               `yaml:"pad"`      // a record with a field of N bytes
	Gzip    bool              `yaml:"gzip"`     // gzip the body (Content-Encoding: gzip)
	OrgDown *bool             `yaml:"org_down"` // set the org down (true) or up (false) before the call

	Status      int               `yaml:"status"`
	Contains    []string          `yaml:"contains"`
	NotContains []string          `yaml:"not_contains"`
	JSON        map[string]any    `yaml:"json"`   // path → expected value
	Header      map[string]string `yaml:"header"` // expected response headers ("" = absent)
	Save        map[string]string `yaml:"save"`   // variable → path in the answer
}

type repeat struct {
	Count     int            `yaml:"count"`
	AllOrNone bool           `yaml:"all_or_none"`
	Record    map[string]any `yaml:"record"` // {{n}} in strings becomes the index
}

var caseKeys = map[string]string{"eu": keyEUSupport, "us": keyUSAnalytics, "eua": keyEUAnalytics, "acme": keyAcme, "none": "", "bad": "not-a-key"}

func TestCases(t *testing.T) {
	files, _ := filepath.Glob("testdata/cases/*.yaml")
	if len(files) == 0 {
		t.Fatal("no case files")
	}
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var cases []testCase
		if err := yaml.Unmarshal(data, &cases); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		for _, c := range cases {
			t.Run(strings.TrimSuffix(filepath.Base(file), ".yaml")+"/"+c.Name, func(t *testing.T) {
				t.Parallel()
				runCase(t, c)
			})
		}
	}
}

func runCase(t *testing.T, c testCase) {
	h := newHarness(t, harnessOptions{noStart: true, extraYAML: c.Config})
	vars := map[string]string{}
	for i, s := range c.Steps {
		if s.OrgDown != nil {
			h.double.SetDown(*s.OrgDown)
		}
		body, hdr := stepBody(t, s, vars)
		key, ok := caseKeys[s.As]
		if !ok {
			t.Fatalf("step %d: unknown caller %q", i, s.As)
		}
		path := expand(s.Path, vars)
		if !strings.HasPrefix(path, "/services") {
			path = "/services/data/v62.0" + path
		}
		for k, v := range s.Headers {
			hdr[k] = expand(v, vars)
		}
		r := h.callBytes(key, s.Method, path, body, hdr)
		where := fmt.Sprintf("step %d (%s %s)", i, s.Method, s.Path)
		if s.Status != 0 && r.status != s.Status {
			t.Fatalf("%s: status %d, want %d: %s", where, r.status, s.Status, r)
		}
		for _, want := range s.Contains {
			if !strings.Contains(string(r.body), expand(want, vars)) {
				t.Errorf("%s: answer lacks %q: %s", where, want, r)
			}
		}
		for _, bad := range s.NotContains {
			if strings.Contains(string(r.body), expand(bad, vars)) {
				t.Errorf("%s: answer holds %q: %s", where, bad, r)
			}
		}
		for k, v := range s.Header {
			if got := r.header.Get(k); got != v {
				t.Errorf("%s: header %s = %q, want %q", where, k, got, v)
			}
		}
		var doc any
		if len(s.JSON)+len(s.Save) > 0 {
			if err := json.Unmarshal(r.body, &doc); err != nil {
				t.Fatalf("%s: answer is not JSON: %s", where, r)
			}
		}
		for p, want := range s.JSON {
			got, ok := lookupPath(doc, p)
			if !ok || !sameJSON(got, want, vars) {
				t.Errorf("%s: %s = %v (found %v), want %v: %s", where, p, got, ok, want, r)
			}
		}
		for name, p := range s.Save {
			v, ok := lookupPath(doc, p)
			s, isStr := v.(string)
			if !ok || !isStr {
				t.Fatalf("%s: cannot save %s from %s: %s", where, name, p, r)
			}
			vars[name] = s
		}
	}
	h.double.SetDown(false)
	if c.Flush {
		h.flush()
	}
	checkCase(t, h, c, vars)
}

func checkCase(t *testing.T, h *harness, c testCase, vars map[string]string) {
	dump := string(h.double.Dump())
	files := h.storeFiles()
	recs := h.auditRecords()
	for _, v := range c.OrgNever {
		v = expand(v, vars)
		if strings.Contains(dump, v) {
			t.Errorf("the org holds %q", v)
		}
		hits, err := audit.ScanForCanary(h.audit.Dir(), v)
		if err != nil || len(hits) > 0 {
			t.Errorf("the audit log holds %q: %v %v", v, hits, err)
		}
		for name, b := range files {
			if bytes.Contains(b, []byte(v)) {
				t.Errorf("store file %s holds %q in clear", name, v)
			}
		}
	}
	for _, v := range c.OrgHas {
		if v = expand(v, vars); !strings.Contains(dump, v) {
			t.Errorf("the org lacks %q:\n%s", v, dump)
		}
	}
	for typ, n := range c.OrgCount {
		if got := len(h.double.Records(typ)); got != n {
			t.Errorf("org has %d %s records, want %d:\n%s", got, typ, n, dump)
		}
	}
	for jur, want := range c.Regional {
		all := fmt.Sprint(h.regionalRecords(jur))
		for _, v := range want {
			if v = expand(v, vars); !strings.Contains(all, v) {
				t.Errorf("store %s lacks %q: %s", jur, v, all)
			}
		}
	}
	dead := 0
	for _, reg := range h.face.storeList {
		st, err := reg.st.OutboxStats(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		dead += st.Dead
	}
	if dead != c.OutboxDead {
		t.Errorf("%d dead outbox rows, want %d", dead, c.OutboxDead)
	}
	for jur, n := range c.RegionalCount {
		if got := len(h.regionalRecords(jur)); got != n {
			t.Errorf("store %s has %d records, want %d", jur, got, n)
		}
	}
	if c.Audit != nil {
		var crm []audit.Record
		for _, r := range recs {
			if r.Face == "crm" {
				crm = append(crm, r)
			}
		}
		if len(crm) != len(c.Audit) {
			t.Errorf("%d audit records, want %d: %+v", len(crm), len(c.Audit), crm)
		}
		for i := range min(len(crm), len(c.Audit)) {
			flat := flattenRecord(crm[i])
			for k, want := range c.Audit[i] {
				if !sameJSON(flat[k], want, vars) {
					t.Errorf("audit record %d: %s = %v, want %v", i, k, flat[k], want)
				}
			}
		}
	}
}

// flattenRecord renders an audit record as the case files name its parts.
func flattenRecord(r audit.Record) map[string]any {
	m := map[string]any{
		"operation": r.Operation, "outcome": r.Outcome, "action": r.Action, "error": r.Error,
		"subject_jurisdiction": r.SubjectJurisdiction, "mechanism": r.Destination.Mechanism,
		"client": r.Client, "rules": strs(r.Rules), "has_subject_ref": r.SubjectRef != "",
	}
	var fs []string
	for _, c := range r.Findings {
		fs = append(fs, c.Type+"/"+c.Class+"="+strconv.Itoa(c.N))
	}
	m["findings"] = strs(fs)
	if r.Fields != nil {
		m["object"] = r.Fields.Object
		m["kept"], m["tokenized"], m["masked"], m["dropped"] = strs(r.Fields.Kept), strs(r.Fields.Tokenized), strs(r.Fields.Masked), strs(r.Fields.Dropped)
	}
	return m
}

func strs(s []string) []any {
	out := make([]any, 0, len(s))
	for _, x := range s {
		out = append(out, x)
	}
	return out
}

// stepBody builds the request body and headers of a step.
func stepBody(t testing.TB, s step, vars map[string]string) ([]byte, map[string]string) {
	hdr := map[string]string{}
	var body []byte
	switch {
	case s.Raw != nil:
		body = []byte(expand(*s.Raw, vars))
	case s.RawB64 != "":
		b, err := base64.StdEncoding.DecodeString(s.RawB64)
		if err != nil {
			t.Fatal(err)
		}
		body = b
	case s.Repeat != nil:
		recs := make([]any, s.Repeat.Count)
		for i := range recs {
			b, _ := json.Marshal(s.Repeat.Record)
			recs[i] = json.RawMessage(strings.ReplaceAll(string(b), "{{n}}", strconv.Itoa(i)))
		}
		body, _ = json.Marshal(map[string]any{"allOrNone": s.Repeat.AllOrNone, "records": recs})
	case s.Pad > 0:
		body, _ = json.Marshal(map[string]string{"LastName": "Pad", "Title": strings.Repeat("x", s.Pad)})
	case s.Body != nil:
		b, err := json.Marshal(s.Body)
		if err != nil {
			t.Fatal(err)
		}
		body = []byte(expand(string(b), vars))
	}
	if len(body) > 0 {
		hdr["Content-Type"] = "application/json"
	}
	if s.Gzip {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		zw.Write(body)
		zw.Close()
		body = buf.Bytes()
		hdr["Content-Encoding"] = "gzip"
	}
	return body, hdr
}

var varRe = regexp.MustCompile(`\{\{([a-zA-Z0-9_]+)\}\}`)

func expand(s string, vars map[string]string) string {
	return varRe.ReplaceAllStringFunc(s, func(m string) string {
		if v, ok := vars[m[2:len(m)-2]]; ok {
			return v
		}
		return m
	})
}

// lookupPath evaluates a path such as "[0].errors[0].statusCode" or
// "compositeResponse[1].body.id" in a decoded JSON document.
func lookupPath(v any, path string) (any, bool) {
	for _, part := range splitJSONPath(path) {
		if n, err := strconv.Atoi(part); err == nil && strings.HasPrefix(part, "") {
			arr, ok := v.([]any)
			if !ok || n < 0 || n >= len(arr) {
				return nil, false
			}
			v = arr[n]
			continue
		}
		obj, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = obj[part]; !ok {
			return nil, false
		}
	}
	return v, true
}

func splitJSONPath(p string) []string {
	p = strings.NewReplacer("[", ".", "]", "").Replace(p)
	var out []string
	for _, s := range strings.Split(p, ".") {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// sameJSON compares a decoded JSON value with a YAML expectation; strings
// in the expectation expand variables, and "*" matches anything present.
func sameJSON(got, want any, vars map[string]string) bool {
	if ws, ok := want.(string); ok {
		if ws == "*" {
			return got != nil
		}
		want = expand(ws, vars)
	}
	if wl, ok := want.([]any); ok {
		gl, ok := got.([]any)
		if !ok || len(gl) != len(wl) {
			return len(wl) == 0 && got == nil
		}
		for i := range wl {
			if !sameJSON(gl[i], wl[i], vars) {
				return false
			}
		}
		return true
	}
	gb, _ := json.Marshal(got)
	wb, _ := json.Marshal(want)
	var g, w any
	_ = json.Unmarshal(gb, &g)
	_ = json.Unmarshal(wb, &w)
	return reflect.DeepEqual(g, w)
}
