package main

import (
	"bytes"
	"os"
	"regexp"
	"strings"
	"testing"
)

// The README's classify example is run as written, so the README cannot
// drift from what the command prints.
func TestReadmeClassifyExample(t *testing.T) {
	data, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^\$ echo '([^']*)' \| sovereign classify\n(.*)$`).FindSubmatch(data)
	if m == nil {
		t.Fatal("README has no `$ echo '...' | sovereign classify` example")
	}
	var stdout, stderr bytes.Buffer
	if code := run([]string{"classify", "-"}, bytes.NewReader(append(m[1], '\n')), &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if got, want := strings.TrimSpace(stdout.String()), strings.TrimSpace(string(m[2])); got != want {
		t.Fatalf("README example prints\n%s\nbut the command prints\n%s", want, got)
	}
}
