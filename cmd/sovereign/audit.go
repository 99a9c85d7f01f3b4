package main

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/sovereign-gateway/sovereign/internal/audit"
)

func init() {
	commands["audit"] = command{summary: "verify, export, prove and report on the audit log", run: runAudit}
	auditCommands = map[string]func(args []string, stdin io.Reader, stdout, stderr io.Writer) int{
		"verify": auditVerify, "export": auditExport, "prove": auditProve,
		"check-proof": auditCheckProof, "report": auditReport, "pubkey": auditPubkey,
	}
}

// auditCommands are the subcommands of "sovereign audit" (set in init, since
// they refer back to auditUsages through their flag sets).
var auditCommands map[string]func(args []string, stdin io.Reader, stdout, stderr io.Writer) int

// auditUsages is each subcommand's synopsis.
var auditUsages = map[string]string{
	"verify":      "verify DIR [--key FILE] [--checkpoint FILE]... [--json] [--progress]",
	"export":      "export DIR [--from T] [--to T] [--format jsonl|csv] [--progress]",
	"prove":       "prove DIR --index N [--key FILE] | prove --check PROOF --key FILE",
	"check-proof": "check-proof PROOF --key FILE",
	"report":      "report DIR [--from T] [--to T] [--format md|json] [--progress]",
	"pubkey":      "pubkey DIR",
}

func runAudit(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		auditUsage(stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	sub, ok := auditCommands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "sovereign audit: unknown subcommand %q\n\n", args[0])
		auditUsage(stderr)
		return 2
	}
	return sub(args[1:], stdin, stdout, stderr)
}

func auditUsage(w io.Writer) {
	fmt.Fprintln(w, "usage: sovereign audit <subcommand> [arguments]")
	names := make([]string, 0, len(auditUsages))
	for n := range auditUsages {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  sovereign audit %s\n", auditUsages[n])
	}
	fmt.Fprintln(w, "\nTimes are RFC 3339 (2026-03-01T00:00:00Z) or dates (2026-03-01, UTC); --from is inclusive, --to exclusive.")
	fmt.Fprintln(w, "Exit codes: 0 ok (verify: intact), 1 tampered or proof invalid, 2 usage or I/O error.")
}

// parseInterleaved parses flags that may come before or after positional
// arguments ("verify DIR --json" and "verify --json DIR").
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("sovereign audit "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: sovereign audit %s\n", auditUsages[name])
		fs.PrintDefaults()
	}
	return fs
}

// oneDir returns the single DIR argument or prints usage.
func oneDir(fs *flag.FlagSet, pos []string, stderr io.Writer) (string, bool) {
	if len(pos) != 1 {
		fmt.Fprintf(stderr, "%s: want exactly one DIR argument, got %d\n", fs.Name(), len(pos))
		fs.Usage()
		return "", false
	}
	return pos[0], true
}

// multiFlag collects a repeated string flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

// timeFlag parses RFC 3339 times or plain dates (UTC midnight).
type timeFlag struct{ t time.Time }

func (f *timeFlag) String() string {
	if f.t.IsZero() {
		return ""
	}
	return f.t.Format(time.RFC3339)
}

func (f *timeFlag) Set(v string) error {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02"} {
		if t, err := time.Parse(layout, v); err == nil {
			f.t = t
			return nil
		}
	}
	return errors.New("want an RFC 3339 time (2026-03-01T00:00:00Z) or a date (2026-03-01)")
}

// readKeys reads verifier keys from a checkpoint.pub style file.
func readKeys(path string) ([]string, error) {
	if path == "" {
		return nil, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read key file: %w", err)
	}
	keys := audit.ParseVerifierKeys(string(b))
	if len(keys) == 0 {
		return nil, fmt.Errorf("key file %s holds no verifier key", path)
	}
	return keys, nil
}

func auditVerify(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	fs := newFlagSet("verify", stderr)
	keyFile := fs.String("key", "", "trusted verifier key file (default DIR/checkpoint.pub)")
	var extra multiFlag
	fs.Var(&extra, "checkpoint", "a signed checkpoint kept outside DIR that the log must contain (repeatable)")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	progress := fs.Bool("progress", false, "print progress to stderr even when it is not a terminal")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return 2
	}
	dir, ok := oneDir(fs, pos, stderr)
	if !ok {
		return 2
	}
	keys, err := readKeys(*keyFile)
	if err != nil {
		fmt.Fprintln(stderr, "sovereign audit verify:", err)
		return 2
	}
	prog := newProgress(stderr, *progress, "verified")
	opts := audit.VerifyOptions{Keys: keys, Progress: prog.fn()}
	for _, p := range extra {
		b, err := os.ReadFile(p)
		if err != nil {
			fmt.Fprintln(stderr, "sovereign audit verify:", err)
			return 2
		}
		opts.Checkpoints = append(opts.Checkpoints, b)
	}
	start := time.Now()
	res, err := audit.Verify(dir, opts)
	prog.finish()
	if err != nil {
		fmt.Fprintln(stderr, "sovereign audit verify:", err)
		return 2
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(res)
	} else {
		printVerify(stdout, res, time.Since(start))
	}
	if !res.Intact() {
		return 1
	}
	return 0
}

func printVerify(w io.Writer, res *audit.VerifyResult, took time.Duration) {
	if res.Intact() {
		fmt.Fprintf(w, "intact: %d records (%d pruned) in %d segments, %d checkpoints checked, latest signs %d records\n",
			res.Records, res.Pruned, res.Segments, res.Checked, res.SignedSize)
	} else {
		if res.FirstBad >= 0 {
			fmt.Fprintf(w, "TAMPERED: first bad record %d\n", res.FirstBad)
		} else {
			fmt.Fprintln(w, "TAMPERED")
		}
		for _, p := range res.Problems {
			fmt.Fprintln(w, "  problem:", p)
		}
	}
	for _, p := range res.Warnings {
		fmt.Fprintln(w, "  warning:", p)
	}
	if res.Intact() {
		fmt.Fprintf(w, "root: %s (%d records read in %s)\n", base64.StdEncoding.EncodeToString(res.Root), res.Records-res.Pruned, took.Round(time.Millisecond))
	} else {
		fmt.Fprintf(w, "stopped after %d good records in %s\n", res.Records-res.Pruned, took.Round(time.Millisecond))
	}
}

func auditExport(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	fs := newFlagSet("export", stderr)
	var from, to timeFlag
	fs.Var(&from, "from", "first time to include (RFC 3339 or date)")
	fs.Var(&to, "to", "time to stop before (RFC 3339 or date)")
	format := fs.String("format", audit.FormatJSONL, "jsonl or csv")
	progress := fs.Bool("progress", false, "print progress to stderr even when it is not a terminal")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return 2
	}
	dir, ok := oneDir(fs, pos, stderr)
	if !ok {
		return 2
	}
	if *format != audit.FormatJSONL && *format != audit.FormatCSV {
		fmt.Fprintf(stderr, "sovereign audit export: --format %q: want jsonl or csv\n", *format)
		return 2
	}
	if !from.t.IsZero() && !to.t.IsZero() && !to.t.After(from.t) {
		fmt.Fprintln(stderr, "sovereign audit export: --to must be after --from")
		return 2
	}
	prog := newProgress(stderr, *progress, "read")
	_, err = audit.Export(dir, stdout, *format, audit.TimeRange{From: from.t, To: to.t}, prog.fn())
	prog.finish()
	if err != nil {
		fmt.Fprintln(stderr, "sovereign audit export:", err)
		if errors.Is(err, audit.ErrTampered) {
			return 1
		}
		return 2
	}
	return 0
}

func auditProve(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := newFlagSet("prove", stderr)
	index := fs.String("index", "", "index of the record to prove")
	keyFile := fs.String("key", "", "trusted verifier key file (default DIR/checkpoint.pub; required with --check)")
	check := fs.String("check", "", "check this proof file offline instead of building one")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return 2
	}
	if *check != "" {
		if len(pos) != 0 || *index != "" {
			fmt.Fprintln(stderr, "sovereign audit prove: --check takes no DIR and no --index")
			return 2
		}
		return checkProofFile(*check, *keyFile, stdout, stderr)
	}
	dir, ok := oneDir(fs, pos, stderr)
	if !ok {
		return 2
	}
	n, err := strconv.ParseUint(*index, 10, 64)
	if err != nil {
		fmt.Fprintln(stderr, "sovereign audit prove: --index: want a record index (0, 1, ...)")
		return 2
	}
	keys, err := readKeys(*keyFile)
	if err != nil {
		fmt.Fprintln(stderr, "sovereign audit prove:", err)
		return 2
	}
	p, err := audit.Prove(dir, n, keys)
	if err != nil {
		fmt.Fprintln(stderr, "sovereign audit prove:", err)
		if errors.Is(err, audit.ErrTampered) {
			return 1
		}
		return 2
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(p); err != nil {
		fmt.Fprintln(stderr, "sovereign audit prove:", err)
		return 2
	}
	return 0
}

func auditCheckProof(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	fs := newFlagSet("check-proof", stderr)
	keyFile := fs.String("key", "", "trusted verifier key file (checkpoint.pub), required")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return 2
	}
	if len(pos) != 1 {
		fs.Usage()
		return 2
	}
	return checkProofFile(pos[0], *keyFile, stdout, stderr)
}

func checkProofFile(path, keyFile string, stdout, stderr io.Writer) int {
	if keyFile == "" {
		fmt.Fprintln(stderr, "sovereign audit check-proof: --key is required: a proof is only as good as the key you trust")
		return 2
	}
	keys, err := readKeys(keyFile)
	if err != nil {
		fmt.Fprintln(stderr, "sovereign audit check-proof:", err)
		return 2
	}
	b, err := os.ReadFile(path)
	if err != nil {
		fmt.Fprintln(stderr, "sovereign audit check-proof:", err)
		return 2
	}
	p, err := audit.ParseProof(b)
	if err != nil {
		fmt.Fprintln(stderr, "sovereign audit check-proof:", err)
		return 1
	}
	if err := audit.CheckProof(p, keys); err != nil {
		fmt.Fprintln(stdout, "INVALID:", err)
		return 1
	}
	fmt.Fprintf(stdout, "valid: record %d is in the log of %d records signed by the checkpoint\n", p.Index, p.TreeSize)
	return 0
}

func auditReport(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	fs := newFlagSet("report", stderr)
	var from, to timeFlag
	fs.Var(&from, "from", "first time to include (RFC 3339 or date)")
	fs.Var(&to, "to", "time to stop before (RFC 3339 or date)")
	format := fs.String("format", "md", "md or json")
	progress := fs.Bool("progress", false, "print progress to stderr even when it is not a terminal")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return 2
	}
	dir, ok := oneDir(fs, pos, stderr)
	if !ok {
		return 2
	}
	if *format != "md" && *format != "json" {
		fmt.Fprintf(stderr, "sovereign audit report: --format %q: want md or json\n", *format)
		return 2
	}
	if !from.t.IsZero() && !to.t.IsZero() && !to.t.After(from.t) {
		fmt.Fprintln(stderr, "sovereign audit report: --to must be after --from")
		return 2
	}
	prog := newProgress(stderr, *progress, "read")
	rep, err := audit.BuildReport(dir, audit.TimeRange{From: from.t, To: to.t}, time.Now(), prog.fn())
	prog.finish()
	if err != nil {
		fmt.Fprintln(stderr, "sovereign audit report:", err)
		if errors.Is(err, audit.ErrTampered) {
			return 1
		}
		return 2
	}
	if *format == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		err = enc.Encode(rep)
	} else {
		err = rep.WriteMarkdown(stdout)
	}
	if err != nil {
		fmt.Fprintln(stderr, "sovereign audit report:", err)
		return 2
	}
	return 0
}

func auditPubkey(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	fs := newFlagSet("pubkey", stderr)
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return 2
	}
	dir, ok := oneDir(fs, pos, stderr)
	if !ok {
		return 2
	}
	b, err := os.ReadFile(dir + string(os.PathSeparator) + "checkpoint.pub")
	if err != nil {
		fmt.Fprintln(stderr, "sovereign audit pubkey:", err)
		return 2
	}
	_, _ = stdout.Write(b)
	return 0
}
