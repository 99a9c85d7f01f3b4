package config

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"gopkg.in/yaml.v3"
)

func compileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(Schema))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("schema.json", doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("schema.json")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// yamlInstance reads a YAML file as the JSON value the schema describes.
func yamlInstance(t *testing.T, path string) any {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if err := yaml.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(dates(v))
	if err != nil {
		t.Fatal(err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return inst
}

// dates writes YAML timestamps back as the YYYY-MM-DD strings they were.
func dates(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = dates(e)
		}
	case []any:
		for i, e := range x {
			x[i] = dates(e)
		}
	case time.Time:
		return x.Format(time.DateOnly)
	}
	return v
}

// TestSchemaAcceptsExamples: every example and good fixture validates.
func TestSchemaAcceptsExamples(t *testing.T) {
	s := compileSchema(t)
	files, _ := filepath.Glob("../../examples/*.yaml")
	good, _ := filepath.Glob("testdata/good/*.yaml")
	serve, _ := filepath.Glob("../../cmd/sovereign/testdata/serve/*.yaml")
	files = append(append(files, good...), serve...)
	if len(files) < 4 {
		t.Fatalf("only %d files", len(files))
	}
	for _, f := range files {
		if err := s.Validate(yamlInstance(t, f)); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
}

// TestSchemaRejects: the schema refuses what it can see is wrong.
func TestSchemaRejects(t *testing.T) {
	s := compileSchema(t)
	for _, f := range []string{"testdata/bad/unknown-fields.yaml", "testdata/bad/references.yaml"} {
		if err := s.Validate(yamlInstance(t, f)); err == nil {
			t.Errorf("%s: the schema accepts it", f)
		}
	}
}

// TestSchemaMatchesStructs walks the config structs and requires each one's
// yaml field names to be exactly the properties of the $defs entry named
// after it, with nested structs referenced by name.
func TestSchemaMatchesStructs(t *testing.T) {
	var doc struct {
		Defs map[string]map[string]any `json:"$defs"`
	}
	if err := json.Unmarshal(Schema, &doc); err != nil {
		t.Fatal(err)
	}
	leaf := map[reflect.Type]string{
		reflect.TypeFor[Secret](): "Secret", reflect.TypeFor[Date](): "Date", reflect.TypeFor[time.Duration](): "Duration",
	}
	seen := map[reflect.Type]bool{}
	var walk func(reflect.Type)
	walk = func(st reflect.Type) {
		if seen[st] {
			return
		}
		seen[st] = true
		def, ok := doc.Defs[st.Name()]
		if !ok {
			t.Errorf("schema has no $defs.%s", st.Name())
			return
		}
		if def["additionalProperties"] != false {
			t.Errorf("$defs.%s does not refuse unknown fields", st.Name())
		}
		props, _ := def["properties"].(map[string]any)
		var fields []string
		for i := range st.NumField() {
			f := st.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
			if name == "-" || !f.IsExported() {
				continue
			}
			fields = append(fields, name)
			p, _ := props[name].(map[string]any)
			if p == nil {
				continue // reported below
			}
			ft := f.Type
			for ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if n, ok := leaf[ft]; ok {
				if got := refName(p); got != n {
					t.Errorf("$defs.%s.%s refers to %q, want %s", st.Name(), name, got, n)
				}
				continue
			}
			switch ft.Kind() {
			case reflect.Struct:
				if got := refName(p); got != ft.Name() {
					t.Errorf("$defs.%s.%s refers to %q, want %s", st.Name(), name, got, ft.Name())
				}
				walk(ft)
			case reflect.Slice, reflect.Map:
				et := ft.Elem()
				for et.Kind() == reflect.Pointer {
					et = et.Elem()
				}
				key := "items"
				if ft.Kind() == reflect.Map {
					key = "additionalProperties"
				}
				inner, _ := p[key].(map[string]any)
				if et.Kind() == reflect.Struct {
					if got := refName(inner); got != et.Name() {
						t.Errorf("$defs.%s.%s.%s refers to %q, want %s", st.Name(), name, key, got, et.Name())
					}
					walk(et)
				} else if inner == nil {
					t.Errorf("$defs.%s.%s has no %s", st.Name(), name, key)
				}
			}
		}
		var names []string
		for n := range props {
			names = append(names, n)
		}
		sort.Strings(names)
		sort.Strings(fields)
		if !slices.Equal(names, fields) {
			t.Errorf("$defs.%s properties %v, struct %s has yaml fields %v", st.Name(), names, st.Name(), fields)
		}
	}
	walk(reflect.TypeFor[Config]())
}

func refName(p map[string]any) string {
	r, _ := p["$ref"].(string)
	return strings.TrimPrefix(r, "#/$defs/")
}
