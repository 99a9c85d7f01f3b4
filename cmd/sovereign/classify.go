package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sovereign-gateway/sovereign/internal/classify"
	"github.com/sovereign-gateway/sovereign/internal/config"
)

func init() {
	commands["classify"] = command{summary: "find personal data, secrets and business IP in a body", run: runClassify}
}

const classifyUsage = `usage: sovereign classify [--jsonl] [--redact] [--config FILE] [--threshold F] [FILE|-]

Prints the findings in FILE (or standard input) as JSON:
  {"findings":[{"type":"email","class":"personal","start":12,"end":29,"path":"$.note","confidence":0.97}]}
start and end are byte offsets into the input; path is the JSON key path (JSON
input only); rule names the secret rule or business rule. A body that is a JSON
object or array is walked as JSON (after a byte order mark, if any), anything
else is scanned as text; JSON nested deeper than 512 levels is refused.

  --jsonl      one JSON object per line; an object with a string field "text"
               has that string classified as text (offsets relative to it),
               any other object is classified as a JSON body (offsets relative
               to the line); one result line per input line, in order
  --redact     print the input with each finding replaced by [TYPE] instead
  --config     take the threshold and business rules from a gateway config
  --threshold  minimum confidence in [0,1] (default 0.5, or the config's)
  --progress   report lines done to standard error every second (--jsonl)

Input must be UTF-8 (offsets are byte offsets into it). Exit status: 0 success,
2 bad input or usage (the message says what is wrong and, for --jsonl, which
line; the lines before it are printed).
`

// maxJSONLLine bounds one --jsonl line; a longer line is bad input.
const maxJSONLLine = 64 << 20

func runClassify(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("sovereign classify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, classifyUsage) }
	jsonl := fs.Bool("jsonl", false, "")
	redact := fs.Bool("redact", false, "")
	cfgPath := fs.String("config", "", "")
	threshold := fs.Float64("threshold", 0, "")
	progress := fs.Bool("progress", false, "")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if len(pos) > 1 {
		fmt.Fprintf(stderr, "sovereign classify: want at most one FILE argument, got %d\n", len(pos))
		return 2
	}
	thresholdSet := false // if not, the config's, or the default
	fs.Visit(func(f *flag.Flag) { thresholdSet = thresholdSet || f.Name == "threshold" })
	eng, err := classifyEngine(*cfgPath, *threshold, thresholdSet)
	if err != nil {
		fmt.Fprintf(stderr, "sovereign classify: %v\n", err)
		return 2
	}
	in := stdin
	name := "standard input"
	if len(pos) == 1 && pos[0] != "-" {
		f, err := os.Open(pos[0])
		if err != nil {
			fmt.Fprintf(stderr, "sovereign classify: %v\n", err)
			return 2
		}
		defer f.Close()
		in, name = f, pos[0]
	}
	out := bufio.NewWriterSize(stdout, 64<<10)
	defer out.Flush()
	c := &classifier{eng: eng, redact: *redact, out: out}
	if *jsonl {
		err = c.lines(in, name, *progress, stderr)
	} else {
		err = c.whole(in, name)
	}
	if err != nil {
		out.Flush()
		fmt.Fprintf(stderr, "sovereign classify: %v\n", err)
		return 2
	}
	if err := out.Flush(); err != nil {
		fmt.Fprintf(stderr, "sovereign classify: writing output: %v\n", err)
		return 2
	}
	return 0
}

// classifyEngine builds the engine from a config's classify section, or the
// built-in defaults; a threshold given (set) replaces the config's.
func classifyEngine(path string, threshold float64, set bool) (*classify.Engine, error) {
	var cc config.Classify
	if path != "" {
		c, err := config.LoadFile(path)
		if err != nil {
			return nil, err
		}
		cc = c.Classify
	}
	if set && !(threshold >= 0 && threshold <= 1) {
		return nil, fmt.Errorf("--threshold must be in [0,1], got %v", threshold)
	}
	switch {
	case !set:
	case threshold == 0:
		// The engine reads a zero threshold as "the default": the least
		// above zero reports every candidate, as asked.
		cc.Threshold = math.SmallestNonzeroFloat64
	default:
		cc.Threshold = threshold
	}
	return classify.FromConfig(cc)
}

type classifier struct {
	eng    *classify.Engine
	redact bool
	out    *bufio.Writer
	fs     []classify.Finding
}

// result is one line of output.
type result struct {
	Findings []classify.Finding `json:"findings"`
}

func (c *classifier) whole(in io.Reader, name string) error {
	body, err := io.ReadAll(in)
	if err != nil {
		return fmt.Errorf("reading %s: %w", name, err)
	}
	if err := checkUTF8(body); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	// What Engine.Scan does, keeping whether the body was walked as JSON
	// (the redactor needs to know): an object or an array is walked, and
	// what does not parse is scanned as text; but not JSON nested deeper
	// than the walker goes, whose escapes would hide what it holds.
	var fs []classify.Finding
	isJSON := false
	if classify.LooksJSON(body) {
		fs, err = c.eng.JSON(body, c.fs[:0])
		if errors.Is(err, classify.ErrTooDeep) {
			return fmt.Errorf("%s: %w", name, err)
		}
		isJSON = err == nil
	}
	if !isJSON {
		fs = c.eng.Text(body, c.fs[:0])
	}
	c.fs = fs
	if c.redact {
		_, err := c.out.Write(redactBody(body, c.fs, isJSON))
		return err
	}
	return c.emit(c.fs)
}

// bom is the UTF-8 byte order mark, which a --jsonl file's first line may
// start with (the engine's walker skips it in a whole body).
const bom = "\xef\xbb\xbf"

func (c *classifier) emit(fs []classify.Finding) error {
	if fs == nil {
		fs = []classify.Finding{}
	}
	b, err := json.Marshal(result{Findings: fs})
	if err != nil {
		return err
	}
	c.out.Write(b)
	return c.out.WriteByte('\n')
}

func (c *classifier) lines(in io.Reader, name string, progress bool, stderr io.Writer) error {
	r := bufio.NewReaderSize(in, 1<<20)
	var last time.Time
	for n := 1; ; n++ {
		line, err := readLine(r)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s line %d: %w", name, n, err)
		}
		if err := c.line(line); err != nil {
			return fmt.Errorf("%s line %d: %w", name, n, err)
		}
		if progress && time.Since(last) >= time.Second {
			last = time.Now()
			fmt.Fprintf(stderr, "sovereign classify: %d lines done\n", n)
		}
	}
}

// readLine returns the next line without its line ending; io.EOF after the
// last one. A final line without a newline counts.
func readLine(r *bufio.Reader) ([]byte, error) {
	var line []byte
	for {
		chunk, err := r.ReadSlice('\n')
		line = append(line, chunk...)
		if len(line) > maxJSONLLine {
			return nil, fmt.Errorf("longer than %d MiB", maxJSONLLine>>20)
		}
		switch {
		case err == nil:
			line = line[:len(line)-1]
			if n := len(line); n > 0 && line[n-1] == '\r' {
				line = line[:n-1]
			}
			return line, nil
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case errors.Is(err, io.EOF) && len(line) > 0:
			return line, nil
		default:
			return nil, err
		}
	}
}

// checkUTF8 refuses input that is not UTF-8: the offsets printed are
// byte offsets into the input, and a decoder that replaced the bad bytes
// would move them; JSON must be UTF-8 anyway (RFC 8259), and the gateway
// refuses such bodies too.
func checkUTF8(b []byte) error {
	if utf8.Valid(b) {
		return nil
	}
	i := 0
	for i < len(b) {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 {
			break
		}
		i += n
	}
	return fmt.Errorf("not valid UTF-8 at byte %d (convert it first, e.g. iconv -f latin1 -t utf-8)", i)
}

func (c *classifier) line(line []byte) error {
	if err := checkUTF8(line); err != nil {
		return err
	}
	if len(bytes.TrimSpace(line)) == 0 {
		if c.redact {
			return c.out.WriteByte('\n')
		}
		return c.emit(nil)
	}
	// A byte order mark (the first line's) is no part of the object.
	lead := 0
	if bytes.HasPrefix(line, []byte(bom)) {
		lead = len(bom)
	}
	text, span, err := textField(line[lead:])
	if err != nil {
		return err
	}
	if span.end > 0 {
		span.start, span.end = span.start+lead, span.end+lead
		c.fs = c.eng.Text([]byte(text), c.fs[:0])
		if c.redact {
			c.out.Write(line[:span.start])
			c.out.Write(quoteJSON(redactBody([]byte(text), c.fs, false)))
			c.out.Write(line[span.end:])
			return c.out.WriteByte('\n')
		}
		return c.emit(c.fs)
	}
	fs, err := c.eng.JSON(line, c.fs[:0])
	if err != nil {
		return err
	}
	c.fs = fs
	if c.redact {
		c.out.Write(redactBody(line, fs, true))
		return c.out.WriteByte('\n')
	}
	return c.emit(fs)
}

// quoteJSON returns s as a JSON string, '<', '>' and '&' as they are (the
// encoder's HTML escapes would change the text the redaction keeps).
func quoteJSON(s []byte) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.Encode(string(s)) // a string always encodes
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

type span struct{ start, end int }

// textField checks that line is one JSON object and returns its top-level
// string field "text" and the raw span of that value in the line (end 0 if
// there is no such field).
func textField(line []byte) (string, span, error) {
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return "", span{}, fmt.Errorf("not JSON: %w", err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return "", span{}, errors.New("want a JSON object")
	}
	var text string
	var sp span
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return "", span{}, fmt.Errorf("not JSON: %w", err)
		}
		key, _ := tok.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return "", span{}, fmt.Errorf("not JSON: %w", err)
		}
		if key != "text" || sp.end > 0 {
			continue
		}
		if len(v) == 0 || v[0] != '"' {
			return "", span{}, errors.New(`field "text" must be a string`)
		}
		if err := json.Unmarshal(v, &text); err != nil {
			return "", span{}, fmt.Errorf("field \"text\": %w", err)
		}
		end := int(dec.InputOffset())
		sp = span{start: end - len(v), end: end}
	}
	if _, err := dec.Token(); err != nil {
		return "", span{}, fmt.Errorf("not JSON: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return "", span{}, errors.New("data after the JSON object")
	}
	return text, sp, nil
}

// redactBody replaces each finding with [TYPE]. In a JSON body a finding in
// a number (not in a string) is replaced, with the whole number, by a quoted
// placeholder, so the output stays valid JSON.
func redactBody(body []byte, fs []classify.Finding, isJSON bool) []byte {
	out := make([]byte, 0, len(body))
	at := 0
	js := jsonCursor{b: body}
	for _, f := range fs {
		start, end := f.Start, f.End
		quote := false
		if isJSON && !js.inString(start) {
			start, end, quote = numberSpan(body, start, end)
		}
		if start < at {
			continue
		}
		out = append(out, body[at:start]...)
		tag := "[" + strings.ToUpper(string(f.Type)) + "]"
		if quote {
			tag = `"` + tag + `"`
		}
		out = append(out, tag...)
		at = end
	}
	return append(out, body[at:]...)
}

// jsonCursor answers "is offset p inside a JSON string?" for increasing p in
// one pass over the body.
type jsonCursor struct {
	b   []byte
	pos int
	in  bool
	esc bool
}

func (c *jsonCursor) inString(p int) bool {
	for ; c.pos < p && c.pos < len(c.b); c.pos++ {
		ch := c.b[c.pos]
		switch {
		case c.esc:
			c.esc = false
		case c.in && ch == '\\':
			c.esc = true
		case ch == '"':
			c.in = !c.in
		}
	}
	return c.in
}

// numberSpan widens [start,end) to the whole number token around it.
func numberSpan(b []byte, start, end int) (int, int, bool) {
	isNum := func(c byte) bool {
		return c >= '0' && c <= '9' || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-'
	}
	for start > 0 && isNum(b[start-1]) {
		start--
	}
	for end < len(b) && isNum(b[end]) {
		end++
	}
	return start, end, true
}
