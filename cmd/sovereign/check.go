package main

import (
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/sovereign-gateway/sovereign/internal/audit"
	"github.com/sovereign-gateway/sovereign/internal/config"
	"github.com/sovereign-gateway/sovereign/internal/gateway"
	"github.com/sovereign-gateway/sovereign/internal/policy"
)

func init() {
	commands["check"] = command{summary: "load and validate a config without serving", run: runCheck}
}

const checkUsage = `usage: sovereign check --config FILE
       sovereign check --schema

--schema prints the config's JSON Schema (internal/config/schema.json).

Loads and validates everything serve would, without serving or touching the
network: strict YAML (unknown fields are errors), every reference between
jurisdictions, regions, destinations, models and clients, secret references
(env:NAME and file:PATH are resolved, never printed), the CEL policy rules
(compiled and type-checked), the classifier's business rules and the audit
signing key.

Exit status: 0 valid (a one-line summary on standard output), 1 invalid
(every problem on standard output as FILE:LINE: key.path: message), 2 usage
error or unreadable file.
`

func runCheck(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	fset := flag.NewFlagSet("sovereign check", flag.ContinueOnError)
	fset.SetOutput(stderr)
	fset.Usage = func() { fmt.Fprint(stderr, checkUsage) }
	path := fset.String("config", "", "")
	schema := fset.Bool("schema", false, "")
	if err := fset.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if *schema && *path == "" && fset.NArg() == 0 {
		_, _ = stdout.Write(config.Schema)
		return 0
	}
	if *path == "" || fset.NArg() > 0 {
		fmt.Fprint(stderr, checkUsage)
		return 2
	}
	cfg, err := config.LoadFile(*path, serveChecks...)
	var ps *config.Problems
	switch {
	case errors.As(err, &ps):
		fmt.Fprintln(stdout, ps.Error())
		return 1
	case err != nil:
		fmt.Fprintf(stderr, "sovereign check: %v\n", err)
		return 2
	}
	eng, err := policy.Compile(cfg, policy.WithCacheSize(0))
	if err != nil { // Check passed, so this cannot happen; refuse all the same
		fmt.Fprintf(stderr, "sovereign check: %v\n", err)
		return 1
	}
	llm := 0
	for _, d := range cfg.Destinations {
		if d.Kind == config.KindLLM {
			llm++
		}
	}
	faces := "llm"
	if cfg.Salesforce != nil {
		faces += ", crm"
	}
	fmt.Fprintf(stdout, "ok: %s: %d jurisdictions, %d regions, %d destinations (%d llm), %d models, %d clients, "+
		"%d rules (%d built in), faces %s, policy %s\n",
		cfg.Source, len(cfg.Jurisdictions), len(cfg.Regions), len(cfg.Destinations), llm, len(cfg.Models),
		len(cfg.Clients), len(cfg.Policy.Rules), len(eng.RuleIDs())-len(cfg.Policy.Rules), faces, eng.Hash()[:12])
	return 0
}

// serveChecks are the checks beyond the config package's own that serve and
// check run, so that a config check accepts is a config serve starts with.
var serveChecks = []config.Check{policy.Check, checkClassifier, checkAudit}

func checkClassifier(cfg *config.Config, ps *config.Problems) {
	if _, err := gateway.NewClassifier(cfg); err != nil {
		cfg.Addf(ps, "classify", "%v", err)
	}
}

func checkAudit(cfg *config.Config, ps *config.Problems) {
	if k := cfg.Audit.SigningKey.Value(); len(k) > 0 {
		if _, err := signingKey(k); err != nil {
			cfg.Addf(ps, "audit.signing_key", "%v", err)
		}
	}
	if k := cfg.Audit.HMACKey.Value(); len(k) > 0 {
		if err := audit.CheckHMACKey(k); err != nil {
			cfg.Addf(ps, "audit.hmac_key", "%v", err)
		}
	}
}
