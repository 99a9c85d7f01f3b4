package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"
)

var updateClassify = flag.Bool("update-classify", false, "rewrite the stdout and stderr of testdata/classify cases")

// TestClassifyCommand runs each testdata/classify/*.txtar case: the comment
// holds "args:" and "exit:", the files stdin, and the expected stdout and
// stderr (each compared in full; a missing file means empty).
func TestClassifyCommand(t *testing.T) {
	paths, _ := filepath.Glob("testdata/classify/*.txtar")
	if len(paths) == 0 {
		t.Fatal("no cases")
	}
	for _, p := range paths {
		t.Run(strings.TrimSuffix(filepath.Base(p), ".txtar"), func(t *testing.T) {
			ar, err := txtar.ParseFile(p)
			if err != nil {
				t.Fatal(err)
			}
			var args []string
			exit := -1
			for _, line := range strings.Split(string(ar.Comment), "\n") {
				switch {
				case strings.HasPrefix(line, "args:"):
					args = strings.Fields(strings.TrimPrefix(line, "args:"))
				case strings.HasPrefix(line, "exit:"):
					exit, err = strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(line, "exit:")))
					if err != nil {
						t.Fatal(err)
					}
				}
			}
			if len(args) == 0 || exit < 0 {
				t.Fatal("case needs args: and exit: lines")
			}
			files := map[string][]byte{}
			for _, f := range ar.Files {
				files[f.Name] = f.Data
			}
			var stdout, stderr bytes.Buffer
			code := run(args, bytes.NewReader(files["stdin"]), &stdout, &stderr)
			if *updateClassify {
				ar.Files = ar.Files[:0]
				for _, f := range []txtar.File{{Name: "stdin", Data: files["stdin"]}, {Name: "stdout", Data: stdout.Bytes()}, {Name: "stderr", Data: stderr.Bytes()}} {
					if len(f.Data) > 0 {
						ar.Files = append(ar.Files, f)
					}
				}
				if err := os.WriteFile(p, txtar.Format(ar), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if code != exit {
				t.Errorf("exit %d, want %d (stderr: %s)", code, exit, stderr.String())
			}
			if got, want := stdout.String(), string(files["stdout"]); got != want {
				t.Errorf("stdout:\n%s\nwant:\n%s", got, want)
			}
			if got, want := stderr.String(), string(files["stderr"]); got != want {
				t.Errorf("stderr:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}
