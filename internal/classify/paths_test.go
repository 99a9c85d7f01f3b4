package classify

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/sovereign-gateway/sovereign/internal/synth"
)

// Every finding's path must lead, in the decoded document, to the value the
// finding lies in: generated records, orders and chats with thousands of
// findings at several depths, and a nested document built to change
// containers at every level between findings.
func TestPathsLeadToTheirValues(t *testing.T) {
	e, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	bodies := map[string][]byte{
		"nested": []byte(`{"a":[{"b":{"Email":"anna@example.com"},"c":[["x","call +44 20 7946 0958"],{"d":"max@example.org"}]},` +
			`{"b":{"Email":"ben@example.com"}}],"e":{"f":[1,2,{"g h":"lena@example.de"}]},"Phone":"+49 30 1234567",` +
			`"E\u006dail":"eva@example.com","x\"y":{"z":["tom@example.net"]}}`),
	}
	for _, k := range []synth.Kind{synth.Customers, synth.Orders, synth.Chat} {
		for seed := uint64(1); seed <= 3; seed++ {
			bodies[fmt.Sprintf("%s/%d", k, seed)] = synth.Generate(k, 16<<10, seed)
		}
	}
	for name, body := range bodies {
		var doc any
		if err := json.Unmarshal(body, &doc); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		fs, err := e.JSON(body, nil)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(fs) < 4 {
			t.Fatalf("%s: only %d findings: the check proves little", name, len(fs))
		}
		for _, f := range fs {
			v, err := resolvePath(doc, f.Path)
			if err != nil {
				t.Fatalf("%s: finding %s at %d: path %q: %v", name, f.Type, f.Start, f.Path, err)
			}
			var text string
			if err := json.Unmarshal([]byte(`"`+string(body[f.Start:f.End])+`"`), &text); err != nil {
				text = string(body[f.Start:f.End])
			}
			var got string
			switch x := v.(type) {
			case string:
				got = x
			case float64:
				got = strconv.FormatFloat(x, 'f', -1, 64)
			default:
				t.Fatalf("%s: path %q leads to a %T", name, f.Path, v)
			}
			if !strings.Contains(got, text) {
				t.Fatalf("%s: finding %s at %d is not inside the value at %q", name, f.Type, f.Start, f.Path)
			}
		}
	}
}

// resolvePath follows $.key, $["key"] and [n] steps through a decoded document.
func resolvePath(doc any, p string) (any, error) {
	if !strings.HasPrefix(p, "$") {
		return nil, fmt.Errorf("no $")
	}
	p = p[1:]
	for p != "" {
		switch {
		case p[0] == '.':
			k := 1
			for k < len(p) && p[k] != '.' && p[k] != '[' {
				k++
			}
			m, ok := doc.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("key step on a %T", doc)
			}
			doc, p = m[p[1:k]], p[k:]
		case strings.HasPrefix(p, `["`):
			q, err := strconv.QuotedPrefix(p[1:])
			if err != nil {
				return nil, err
			}
			key, _ := strconv.Unquote(q)
			m, ok := doc.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("key step on a %T", doc)
			}
			doc, p = m[key], p[1+len(q)+1:]
		case p[0] == '[':
			k := strings.IndexByte(p, ']')
			n, err := strconv.Atoi(p[1:k])
			a, ok := doc.([]any)
			if err != nil || !ok || n >= len(a) {
				return nil, fmt.Errorf("bad index step")
			}
			doc, p = a[n], p[k+1:]
		default:
			return nil, fmt.Errorf("bad step at %q", p)
		}
		if doc == nil {
			return nil, fmt.Errorf("no such value")
		}
	}
	return doc, nil
}
