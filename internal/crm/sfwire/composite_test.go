package sfwire

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

type refCases struct {
	Results map[string]any `yaml:"results"`
	Cases   []struct {
		URL      string `yaml:"url"`
		Body     string `yaml:"body"`
		WantURL  string `yaml:"want_url"`
		WantBody string `yaml:"want_body"`
		Error    string `yaml:"error"`
	} `yaml:"cases"`
}

func loadRefCases(t testing.TB) refCases {
	data, err := os.ReadFile("testdata/refs.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var rc refCases
	if err := yaml.Unmarshal(data, &rc); err != nil {
		t.Fatal(err)
	}
	// Results reach the resolver as decoded JSON, not YAML values.
	b, _ := json.Marshal(rc.Results)
	rc.Results = map[string]any{}
	_ = json.Unmarshal(b, &rc.Results)
	return rc
}

// runWithResults runs one subrequest after seeding earlier results.
func runWithResults(results map[string]any, url, body string) (gotURL string, gotBody []byte, errBody []byte) {
	req := &CompositeRequest{}
	for name, v := range results {
		b, _ := json.Marshal(v)
		req.CompositeRequest = append(req.CompositeRequest, Subrequest{Method: "GET", URL: "/seed/" + name, ReferenceID: name, Body: nil})
		results[name] = json.RawMessage(b)
	}
	sr := Subrequest{Method: "POST", URL: url, ReferenceID: "under_test"}
	if body != "" {
		sr.Body = json.RawMessage(body)
	}
	req.CompositeRequest = append(req.CompositeRequest, sr)
	resp, _ := RunComposite(context.Background(), req, func(_ context.Context, method, u string, _ map[string]string, b []byte) (int, map[string]string, []byte) {
		if name, ok := strings.CutPrefix(u, "/seed/"); ok {
			return 200, nil, results[name].(json.RawMessage)
		}
		gotURL, gotBody = u, b
		return 200, nil, []byte(`{}`)
	})
	last := resp.CompositeResponse[len(resp.CompositeResponse)-1]
	if last.HTTPStatusCode >= 400 {
		errBody = last.Body
	}
	return gotURL, gotBody, errBody
}

func TestReferences(t *testing.T) {
	rc := loadRefCases(t)
	for _, c := range rc.Cases {
		results := map[string]any{}
		for k, v := range rc.Results {
			results[k] = v
		}
		u, b, e := runWithResults(results, c.URL, c.Body)
		switch {
		case c.Error != "":
			if e == nil || !strings.Contains(string(e), c.Error) {
				t.Errorf("%q %q: want error %q, got %s (url %q)", c.URL, c.Body, c.Error, e, u)
			}
			var errs []Error
			if e != nil && (json.Unmarshal(e, &errs) != nil || len(errs) != 1 || errs[0].ErrorCode == "") {
				t.Errorf("error is not Salesforce-shaped: %s", e)
			}
		case e != nil:
			t.Errorf("%q %q: unexpected error %s", c.URL, c.Body, e)
		case c.WantURL != "" && u != c.WantURL:
			t.Errorf("url %q → %q, want %q", c.URL, u, c.WantURL)
		case c.WantBody != "" && !sameJSONText(b, c.WantBody):
			t.Errorf("body %s → %s, want %s", c.Body, b, c.WantBody)
		}
	}
}

func sameJSONText(a []byte, b string) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal([]byte(b), &y) != nil {
		return false
	}
	xa, _ := json.Marshal(x)
	ya, _ := json.Marshal(y)
	return string(xa) == string(ya)
}

// FuzzReferences: resolution never panics; a resolved body is valid JSON;
// a failure is a Salesforce error array.
func FuzzReferences(f *testing.F) {
	rc := loadRefCases(f)
	for _, c := range rc.Cases {
		f.Add(c.URL, c.Body)
	}
	f.Fuzz(func(t *testing.T, url, body string) {
		if body != "" && !json.Valid([]byte(body)) {
			body = "" // RawMessage must hold JSON; the face decodes bodies before this
		}
		results := map[string]any{}
		for k, v := range rc.Results {
			results[k] = v
		}
		_, b, e := runWithResults(results, url, body)
		if e != nil {
			var errs []Error
			if json.Unmarshal(e, &errs) != nil || len(errs) != 1 {
				t.Fatalf("error not Salesforce-shaped: %s", e)
			}
			return
		}
		if len(b) > 0 && !json.Valid(b) {
			t.Fatalf("resolved body is not JSON: %q → %q", body, b)
		}
	})
}

// FuzzLex: the lexer never panics, tokens lie inside the query in order,
// and string literals survive StringValue∘Quote.
func FuzzLex(f *testing.F) {
	for _, q := range []string{"SELECT Id FROM Contact WHERE Email = 'a@b.de'", "SELECT Id FROM X WHERE a IN ('x', 'y\\'z') AND b >= 2024-01-01T00:00:00Z", "'\\n\\t\\\\'", "a != b <> c"} {
		f.Add(q)
	}
	f.Fuzz(func(t *testing.T, q string) {
		toks, err := Lex(q)
		if err != nil {
			return
		}
		last := 0
		for _, tk := range toks {
			if tk.Start < last || tk.End > len(q) || tk.Start >= tk.End || q[tk.Start:tk.End] != tk.Text {
				t.Fatalf("token %+v out of place in %q", tk, q)
			}
			last = tk.End
			if tk.Kind == TokString {
				v := StringValue(tk.Text)
				if again := StringValue(Quote(v)); again != v && !strings.ContainsAny(v, `\`) {
					t.Fatalf("quote round trip: %q → %q → %q", tk.Text, Quote(v), again)
				}
			}
		}
	})
}
