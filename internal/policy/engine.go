package policy

import (
	"errors"
	"fmt"
	"strings"

	"cel.dev/cel-go/cel"

	"github.com/sovereign-gateway/sovereign/internal/config"
)

// Engine decides. It is immutable after Compile (its cache is internally
// synchronized) and safe for concurrent use.
type Engine struct {
	rules []rule
	hash  string
	cache *cache // nil when disabled
}

// rule is one compiled rule.
type rule struct {
	id     string
	action Action
	prg    cel.Program
}

// DefaultCacheSize bounds the decision cache when no option says otherwise.
const DefaultCacheSize = 4096

// Option changes how Compile builds an Engine.
type Option func(*options)

type options struct{ cacheSize int }

// WithCacheSize bounds the decision cache to about n entries; n <= 0
// disables it.
func WithCacheSize(n int) Option { return func(o *options) { o.cacheSize = n } }

// ErrCompile is wrapped by errors that are not located in a config (a nil
// config, a CEL environment that cannot be built).
var ErrCompile = errors.New("policy: compile")

// Compile type-checks and compiles cfg's policy rules together with the
// built-in defaults. Faults in the config are returned together as a
// *config.Problems, each located at policy.rules[i].when (or .id, .action).
func Compile(cfg *config.Config, opts ...Option) (*Engine, error) {
	if cfg == nil {
		return nil, fmt.Errorf("%w: no config", ErrCompile)
	}
	o := options{cacheSize: DefaultCacheSize}
	for _, opt := range opts {
		opt(&o)
	}
	env, err := newEnv()
	if err != nil {
		return nil, fmt.Errorf("%w: CEL environment: %w", ErrCompile, err)
	}

	ps := &config.Problems{Source: cfg.Source}
	srcs := make([]ruleSource, 0, len(defaultRules)+len(cfg.Policy.Rules))
	srcs = append(srcs, defaultRules...)
	for i, r := range cfg.Policy.Rules {
		p := fmt.Sprintf("policy.rules[%d]", i)
		if strings.HasPrefix(r.ID, DefaultRulePrefix) {
			cfg.Addf(ps, p+".id", "rule id %q: the prefix %q is reserved for built-in rules", r.ID, DefaultRulePrefix)
		}
		a, err := ParseAction(r.Action)
		if err != nil {
			cfg.Addf(ps, p+".action", "action must be one of allow, pseudonymize, redact, block (got %q)", r.Action)
		}
		srcs = append(srcs, ruleSource{id: r.ID, when: r.When, action: a, desc: r.Description, path: p})
	}

	e := &Engine{rules: make([]rule, 0, len(srcs))}
	for _, s := range srcs {
		prg, msgs := compileRule(env, s.when)
		if len(msgs) > 0 {
			if s.path == "" { // a default that does not compile is a bug here
				return nil, fmt.Errorf("%w: built-in rule %s: %s", ErrCompile, s.id, strings.Join(msgs, "; "))
			}
			for _, m := range msgs {
				cfg.Addf(ps, s.path+".when", "%s", m)
			}
			continue
		}
		e.rules = append(e.rules, rule{id: s.id, action: s.action, prg: prg})
	}
	if err := ps.Err(); err != nil {
		return nil, err
	}
	e.hash = hashRules(srcs)
	if o.cacheSize > 0 {
		e.cache = newCache(o.cacheSize)
	}
	return e, nil
}

// Check compiles cfg's rules and adds their problems to ps; pass it to
// config.Parse so that a rule that does not compile is listed with every
// other problem of the config.
func Check(cfg *config.Config, ps *config.Problems) {
	_, err := Compile(cfg, WithCacheSize(0))
	var cps *config.Problems
	switch {
	case errors.As(err, &cps):
		ps.Merge(cps)
	case err != nil:
		ps.List = append(ps.List, config.Problem{Path: "policy", Msg: err.Error()})
	}
}

var _ config.Check = Check

// compileRule parses, type-checks and plans one expression. The messages say
// what is wrong and where inside the expression.
func compileRule(env *cel.Env, src string) (cel.Program, []string) {
	if strings.TrimSpace(src) == "" {
		return nil, []string{"when (a CEL expression) is required"}
	}
	ast, iss := env.Compile(src)
	if iss != nil && iss.Err() != nil {
		var msgs []string
		for _, ce := range iss.Errors() {
			msgs = append(msgs, fmt.Sprintf("CEL: %s (%s)", ce.Message, celPos(ce.Location.Line(), ce.Location.Column())))
		}
		return nil, msgs
	}
	if !ast.OutputType().IsExactType(cel.BoolType) {
		return nil, []string{fmt.Sprintf("CEL: expression must be bool, it is %s", ast.OutputType())}
	}
	prg, err := env.Program(ast, cel.EvalOptions(cel.OptOptimize))
	if err != nil {
		return nil, []string{fmt.Sprintf("CEL: %v", err)}
	}
	return prg, nil
}

// celPos renders a position inside an expression, 1-based.
func celPos(line, col int) string {
	if line > 1 {
		return fmt.Sprintf("expression line %d, column %d", line, col+1)
	}
	return fmt.Sprintf("column %d", col+1)
}

// Hash is the hex SHA-256 of the canonical rule set and defaults; audit
// records carry it so a decision can be tied to the rules that made it.
func (e *Engine) Hash() string { return e.hash }

// RuleIDs lists the ids of every rule in evaluation order, defaults first.
func (e *Engine) RuleIDs() []string {
	ids := make([]string, len(e.rules))
	for i, r := range e.rules {
		ids[i] = r.id
	}
	return ids
}
