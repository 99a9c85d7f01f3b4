package config

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Env abstracts the process environment and file system for secret
// references, so tests can inject them.
type Env struct {
	LookupEnv func(string) (string, bool)
	ReadFile  func(string) ([]byte, error)
}

// OSEnv reads the real environment and files.
var OSEnv = Env{LookupEnv: os.LookupEnv, ReadFile: defaultReadFile}

// Check validates a decoded config beyond this package's own rules (the
// policy package compiles the CEL rules, say), adding each problem to ps
// with Config.Addf so that it is located like the others.
type Check func(c *Config, ps *Problems)

// LoadFile reads and validates the config at path.
func LoadFile(path string, checks ...Check) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	return Parse(data, path, OSEnv, checks...)
}

// Parse decodes, defaults, resolves and validates a config document, then
// runs checks. On failure the error is a *Problems listing every problem
// found, the checks' included.
func Parse(data []byte, source string, env Env, checks ...Check) (*Config, error) {
	ps := &Problems{Source: source}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		ps.List = append(ps.List, yamlProblems(err)...)
		return nil, ps.Err()
	}
	if root.Kind == 0 {
		ps.List = append(ps.List, Problem{Msg: "config is empty"})
		return nil, ps.Err()
	}

	// Retries is set before decoding: zero is a meaningful value (no retry),
	// so it cannot be defaulted afterwards like the other zero fields.
	cfg := &Config{Source: source, Health: Health{Retries: DefaultHealth.Retries}}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(cfg); err != nil {
		ps.List = append(ps.List, yamlProblems(err)...)
	}
	loc := locator{root: &root}
	cfg.applyDefaults()
	cfg.resolveSecrets(env, ps, loc)
	cfg.validate(ps, loc)
	cfg.index = buildIndex(cfg, loc)
	for _, check := range checks {
		check(cfg, ps)
	}
	if err := ps.Err(); err != nil {
		return nil, err
	}
	return cfg, nil
}

var (
	yamlLineRe     = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)
	unknownFieldRe = regexp.MustCompile(`^field (\S+) not found in type \S+$`)
)

// yamlProblems turns yaml.v3 errors into located problems.
func yamlProblems(err error) []Problem {
	var msgs []string
	var te *yaml.TypeError
	if errors.As(err, &te) {
		msgs = te.Errors
	} else {
		msgs = []string{err.Error()}
	}
	out := make([]Problem, 0, len(msgs))
	for _, m := range msgs {
		p := Problem{Msg: m}
		if sub := yamlLineRe.FindStringSubmatch(m); sub != nil {
			p.Line, _ = strconv.Atoi(sub[1])
			p.Msg = sub[2]
		}
		if sub := unknownFieldRe.FindStringSubmatch(p.Msg); sub != nil {
			p.Msg = fmt.Sprintf("unknown field %q", sub[1])
		}
		out = append(out, p)
	}
	return out
}

func (c *Config) applyDefaults() {
	if c.Server.Listen == "" {
		c.Server.Listen = DefaultListen
	}
	if c.Server.DataDir == "" {
		c.Server.DataDir = DefaultDataDir
	}
	if c.Server.UnknownFields == "" {
		c.Server.UnknownFields = UnknownFieldsAllow
	}
	if c.Classify.Threshold == 0 {
		c.Classify.Threshold = DefaultThreshold
	}
	defInt64(&c.Limits.MaxBodyBytes, DefaultLimits.MaxBodyBytes)
	defInt64(&c.Limits.MaxResponseBytes, DefaultLimits.MaxResponseBytes)
	t, dt := &c.Timeouts, DefaultTimeouts
	defDur(&t.ReadHeader, dt.ReadHeader)
	defDur(&t.Read, dt.Read)
	defDur(&t.Upstream, dt.Upstream)
	defDur(&t.Connect, dt.Connect)
	defDur(&t.Idle, dt.Idle)
	defDur(&t.Shutdown, dt.Shutdown)
	h, dh := &c.Health, DefaultHealth
	defDur(&h.Interval, dh.Interval)
	defDur(&h.Timeout, dh.Timeout)
	defDur(&h.EjectFor, dh.EjectFor)
	if h.Path == "" {
		h.Path = dh.Path
	}
	if h.EjectAfter == 0 {
		h.EjectAfter = dh.EjectAfter
	}
	if c.Audit.Mode == "" {
		c.Audit.Mode = DefaultAuditMode
	}
	defDur(&c.Audit.BatchWindow, DefaultBatchWindow)
	if c.Audit.Dir == "" {
		c.Audit.Dir = c.Server.DataDir + "/audit"
	}
	for i := range c.Models {
		if c.Models[i].Upstream == "" {
			c.Models[i].Upstream = c.Models[i].Name
		}
	}
	for i := range c.Destinations {
		if c.Destinations[i].Mechanism == "" {
			c.Destinations[i].Mechanism = MechanismNone
		}
	}
	if c.Salesforce != nil {
		c.Salesforce.applyDefaults()
	}
}

func defInt64(v *int64, d int64) {
	if *v == 0 {
		*v = d
	}
}

func defDur[T ~int64](v *T, d T) {
	if *v == 0 {
		*v = d
	}
}

func (c *Config) resolveSecrets(env Env, ps *Problems, loc locator) {
	check := func(s *Secret, path string) {
		if !s.IsSet() {
			return
		}
		if err := s.resolve(env.LookupEnv, env.ReadFile); err != nil {
			ps.add(loc, path, err.Error())
		}
	}
	for i := range c.Destinations {
		for j := range c.Destinations[i].Endpoints {
			check(&c.Destinations[i].Endpoints[j].APIKey, fmt.Sprintf("destinations[%d].endpoints[%d].api_key", i, j))
		}
	}
	for i := range c.Clients {
		cl := &c.Clients[i]
		if cl.Key.IsSet() && cl.KeySHA256 != "" {
			ps.add(loc, fmt.Sprintf("clients[%d]", i), "set key or key_sha256, not both")
			continue
		}
		check(&cl.Key, fmt.Sprintf("clients[%d].key", i))
		if len(cl.Key.Value()) > 0 {
			// Keep only the hash: the raw key is not needed after load.
			sum := sha256.Sum256(cl.Key.Value())
			cl.KeySHA256 = hex.EncodeToString(sum[:])
			cl.Key.value = nil
		}
	}
	check(&c.Audit.SigningKey, "audit.signing_key")
	check(&c.Audit.HMACKey, "audit.hmac_key")
	if c.Salesforce != nil {
		c.Salesforce.resolveSecrets(check)
	}
}

// locator finds the line of a key path in the YAML node tree.
type locator struct{ root *yaml.Node }

// line returns the 1-based line of path ("clients[0].key"), or of the
// nearest ancestor that exists, or 0.
func (l locator) line(path string) int {
	if l.root == nil {
		return 0
	}
	n := l.root
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	best := n.Line
	for _, part := range splitPath(path) {
		next := child(n, part)
		if next == nil {
			break
		}
		n = next
		best = n.Line
	}
	return best
}

func splitPath(path string) []string {
	var parts []string
	for _, seg := range strings.Split(path, ".") {
		for seg != "" {
			i := strings.IndexByte(seg, '[')
			switch {
			case i < 0:
				parts = append(parts, seg)
				seg = ""
			case i > 0:
				parts = append(parts, seg[:i])
				seg = seg[i:]
			default:
				j := strings.IndexByte(seg, ']')
				if j < 0 {
					return parts
				}
				parts = append(parts, seg[:j+1])
				seg = seg[j+1:]
			}
		}
	}
	return parts
}

func child(n *yaml.Node, part string) *yaml.Node {
	if strings.HasPrefix(part, "[") {
		i, err := strconv.Atoi(strings.Trim(part, "[]"))
		if err != nil || n.Kind != yaml.SequenceNode || i < 0 || i >= len(n.Content) {
			return nil
		}
		return n.Content[i]
	}
	if n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == part {
			// Point at the key, which is where a reader looks.
			if n.Content[i+1].Kind == yaml.ScalarNode {
				return n.Content[i+1]
			}
			v := *n.Content[i+1]
			if v.Line == 0 {
				v.Line = n.Content[i].Line
			}
			return &v
		}
	}
	return nil
}

func (ps *Problems) add(loc locator, path, msg string) {
	ps.List = append(ps.List, Problem{Line: loc.line(path), Path: path, Msg: msg})
}

// Addf adds a problem found outside this package (policy compilation, say),
// located in the config that was loaded.
func (c *Config) Addf(ps *Problems, path, format string, args ...any) {
	ps.List = append(ps.List, Problem{Line: c.Line(path), Path: path, Msg: fmt.Sprintf(format, args...)})
}

// Line returns the source line of a key path, or 0 when unknown.
func (c *Config) Line(path string) int {
	if c.index == nil {
		return 0
	}
	return c.index.loc.line(path)
}
