package config

import (
	"encoding/hex"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"slices"
	"strings"
)

var (
	idRe      = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_.-]{0,63}$`)
	countryRe = regexp.MustCompile(`^[A-Z]{2}$`)
	actions   = []string{"allow", "pseudonymize", "redact", "block"}
	mechs     = []string{MechanismNone, MechanismSCC, MechanismDPF, MechanismBCR}
)

// validate checks every cross-reference and value, adding one problem per fault.
func (c *Config) validate(ps *Problems, loc locator) {
	bad := func(path, format string, args ...any) { ps.add(loc, path, fmt.Sprintf(format, args...)) }

	if c.Version != 1 {
		bad("version", "version must be 1 (got %d)", c.Version)
	}
	if _, port, err := net.SplitHostPort(c.Server.Listen); err != nil || port == "" {
		bad("server.listen", "listen %q must be host:port (e.g. 127.0.0.1:8080)", c.Server.Listen)
	}

	jurs := map[string]bool{}
	countries := map[string]string{}
	if len(c.Jurisdictions) == 0 {
		bad("jurisdictions", "at least one jurisdiction is required")
	}
	for i, j := range c.Jurisdictions {
		p := fmt.Sprintf("jurisdictions[%d]", i)
		switch {
		case !idRe.MatchString(j.ID):
			bad(p+".id", "id %q must be a letter followed by letters, digits, '_', '.' or '-'", j.ID)
		case jurs[j.ID]:
			bad(p+".id", "duplicate jurisdiction %q", j.ID)
		}
		jurs[j.ID] = true
		for k, cc := range j.Countries {
			cp := fmt.Sprintf("%s.countries[%d]", p, k)
			if !countryRe.MatchString(cc) {
				bad(cp, "country %q is not an ISO 3166 alpha-2 code (two capital letters)", cc)
				continue
			}
			if other, dup := countries[cc]; dup {
				bad(cp, "country %s already belongs to jurisdiction %s", cc, other)
			}
			countries[cc] = j.ID
		}
	}

	for i, a := range c.Adequacy {
		p := fmt.Sprintf("adequacy[%d]", i)
		if !jurs[a.From] {
			bad(p+".from", "unknown jurisdiction %q", a.From)
		}
		if !jurs[a.To] {
			bad(p+".to", "unknown jurisdiction %q", a.To)
		}
		if a.Since.IsZero() {
			bad(p+".since", "since date is required")
		}
		if !a.Until.IsZero() && a.Until.Before(a.Since.Time) {
			bad(p+".until", "until is before since")
		}
	}

	regions := map[string]bool{}
	for i, r := range c.Regions {
		p := fmt.Sprintf("regions[%d]", i)
		switch {
		case !idRe.MatchString(r.ID):
			bad(p+".id", "id %q must be a letter followed by letters, digits, '_', '.' or '-'", r.ID)
		case regions[r.ID]:
			bad(p+".id", "duplicate region %q", r.ID)
		}
		regions[r.ID] = true
		if !jurs[r.Jurisdiction] {
			bad(p+".jurisdiction", "unknown jurisdiction %q", r.Jurisdiction)
		}
	}

	dests := map[string]string{} // name → kind
	for i, d := range c.Destinations {
		p := fmt.Sprintf("destinations[%d]", i)
		switch {
		case !idRe.MatchString(d.Name):
			bad(p+".name", "name %q must be a letter followed by letters, digits, '_', '.' or '-'", d.Name)
		case dests[d.Name] != "":
			bad(p+".name", "duplicate destination %q", d.Name)
		}
		dests[d.Name] = d.Kind
		if d.Kind != KindLLM && d.Kind != KindSalesforce {
			bad(p+".kind", "kind must be %q or %q (got %q)", KindLLM, KindSalesforce, d.Kind)
		}
		if !regions[d.Region] {
			bad(p+".region", "unknown region %q", d.Region)
		}
		if d.Vendor == "" {
			bad(p+".vendor", "vendor is required (it appears in the transfer record)")
		}
		if !slices.Contains(mechs, d.Mechanism) {
			bad(p+".mechanism", "mechanism must be one of %v (adequacy is computed from the adequacy table)", mechs)
		}
		if d.Kind == KindLLM && len(d.Endpoints) == 0 {
			bad(p+".endpoints", "an llm destination needs at least one endpoint")
		}
		for k, e := range d.Endpoints {
			ep := fmt.Sprintf("%s.endpoints[%d].url", p, k)
			u, err := url.Parse(e.URL)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				bad(ep, "url %q must be an absolute http or https URL", e.URL)
			}
		}
	}

	models := map[string]bool{}
	for i, m := range c.Models {
		p := fmt.Sprintf("models[%d]", i)
		if m.Name == "" {
			bad(p+".name", "name is required")
		} else if models[m.Name] {
			bad(p+".name", "duplicate model %q", m.Name)
		}
		models[m.Name] = true
		if len(m.Destinations) == 0 {
			bad(p+".destinations", "a model needs at least one destination")
		}
		for k, dn := range m.Destinations {
			dp := fmt.Sprintf("%s.destinations[%d]", p, k)
			switch kind, ok := dests[dn]; {
			case !ok:
				bad(dp, "unknown destination %q", dn)
			case kind != KindLLM:
				bad(dp, "destination %q is not an llm destination", dn)
			}
		}
	}

	clientIDs := map[string]bool{}
	keys := map[string]string{}
	for i, cl := range c.Clients {
		p := fmt.Sprintf("clients[%d]", i)
		switch {
		case !idRe.MatchString(cl.ID):
			bad(p+".id", "id %q must be a letter followed by letters, digits, '_', '.' or '-'", cl.ID)
		case clientIDs[cl.ID]:
			bad(p+".id", "duplicate client %q", cl.ID)
		}
		clientIDs[cl.ID] = true
		if !idRe.MatchString(cl.Tenant) {
			bad(p+".tenant", "tenant %q must be a letter followed by letters, digits, '_', '.' or '-'", cl.Tenant)
		}
		switch {
		case cl.KeySHA256 == "" && !cl.Key.IsSet():
			bad(p+".key", "a client needs key (by reference) or key_sha256")
		case cl.KeySHA256 != "":
			if b, err := hex.DecodeString(cl.KeySHA256); err != nil || len(b) != 32 {
				bad(p+".key_sha256", "key_sha256 must be 64 hex digits")
			} else if other, dup := keys[cl.KeySHA256]; dup {
				bad(p+".key_sha256", "client %q has the same key", other)
			}
			keys[cl.KeySHA256] = cl.ID
		}
		if len(cl.Jurisdictions) == 0 {
			bad(p+".jurisdictions", "a client needs at least one allowed jurisdiction")
		}
		for k, j := range cl.Jurisdictions {
			if !jurs[j] {
				bad(fmt.Sprintf("%s.jurisdictions[%d]", p, k), "unknown jurisdiction %q", j)
			}
		}
		if cl.DefaultJurisdiction != "" && !slices.Contains(cl.Jurisdictions, cl.DefaultJurisdiction) {
			bad(p+".default_jurisdiction", "default jurisdiction %q is not among the client's jurisdictions", cl.DefaultJurisdiction)
		}
		if len(cl.Purposes) == 0 {
			bad(p+".purposes", "a client needs at least one allowed purpose")
		}
		if cl.DefaultPurpose != "" && !slices.Contains(cl.Purposes, cl.DefaultPurpose) {
			bad(p+".default_purpose", "default purpose %q is not among the client's purposes", cl.DefaultPurpose)
		}
	}

	ruleIDs := map[string]bool{}
	for i, r := range c.Policy.Rules {
		p := fmt.Sprintf("policy.rules[%d]", i)
		switch {
		case !idRe.MatchString(r.ID):
			bad(p+".id", "id %q must be a letter followed by letters, digits, '_', '.' or '-'", r.ID)
		case ruleIDs[r.ID]:
			bad(p+".id", "duplicate rule %q", r.ID)
		}
		ruleIDs[r.ID] = true
		if r.When == "" {
			bad(p+".when", "when (a CEL expression) is required")
		}
		if !slices.Contains(actions, r.Action) {
			bad(p+".action", "action must be one of %v (got %q)", actions, r.Action)
		}
	}

	if c.Classify.Threshold < 0 || c.Classify.Threshold > 1 {
		bad("classify.threshold", "threshold must be in [0,1]")
	}
	if c.Classify.MemoValues < -1 || c.Classify.MemoValues > MaxMemoValues {
		bad("classify.memo_values", "memo_values must be -1 (none), 0 (the default) or up to %d (got %d)", MaxMemoValues, c.Classify.MemoValues)
	}
	bizIDs := map[string]bool{}
	for i, b := range c.Classify.Business {
		p := fmt.Sprintf("classify.business[%d]", i)
		if !idRe.MatchString(b.ID) {
			bad(p+".id", "id %q must be a letter followed by letters, digits, '_', '.' or '-'", b.ID)
		} else if bizIDs[b.ID] {
			bad(p+".id", "duplicate business rule %q", b.ID)
		}
		bizIDs[b.ID] = true
		for k, pat := range b.Patterns {
			if _, err := regexp.Compile(pat); err != nil {
				bad(fmt.Sprintf("%s.patterns[%d]", p, k), "invalid regular expression: %v", err)
			}
		}
		if len(b.Terms)+len(b.Patterns)+len(b.Keys) == 0 {
			bad(p, "a business rule needs terms, patterns or keys")
		}
	}

	if c.Limits.MaxBodyBytes < 0 {
		bad("limits.max_body_bytes", "must be positive")
	}
	if c.Limits.MaxResponseBytes < 0 {
		bad("limits.max_response_bytes", "must be positive")
	}
	for path, d := range map[string]int64{
		"timeouts.read_header": int64(c.Timeouts.ReadHeader), "timeouts.read": int64(c.Timeouts.Read),
		"timeouts.upstream": int64(c.Timeouts.Upstream), "timeouts.connect": int64(c.Timeouts.Connect),
		"timeouts.idle": int64(c.Timeouts.Idle), "timeouts.shutdown": int64(c.Timeouts.Shutdown),
		"health.interval": int64(c.Health.Interval), "health.timeout": int64(c.Health.Timeout),
		"health.eject_for": int64(c.Health.EjectFor), "audit.batch_window": int64(c.Audit.BatchWindow),
		"audit.segment_max_age": int64(c.Audit.SegmentMaxAge), "audit.checkpoint_interval": int64(c.Audit.CheckpointInterval),
		"audit.retention": int64(c.Audit.Retention),
	} {
		if d < 0 {
			bad(path, "duration must be positive")
		}
	}
	if c.Server.UnknownFields != UnknownFieldsAllow && c.Server.UnknownFields != UnknownFieldsReject {
		bad("server.unknown_fields", "unknown_fields must be %s or %s (got %q)", UnknownFieldsAllow, UnknownFieldsReject, c.Server.UnknownFields)
	}
	if c.Health.EjectAfter < 1 {
		bad("health.eject_after", "eject_after must be at least 1")
	}
	if c.Health.Retries < 0 {
		bad("health.retries", "retries must be zero or more")
	}
	if o := c.Audit.Origin; strings.ContainsAny(o, "+ \t\r\n") {
		bad("audit.origin", "origin %q must not contain spaces or '+' (it names the checkpoint signer)", o)
	}
	if c.Audit.SegmentMaxBytes < 0 {
		bad("audit.segment_max_bytes", "must be positive")
	}
	if c.Audit.CheckpointEvery < 0 {
		bad("audit.checkpoint_every", "must be positive")
	}
	if c.Audit.Mode != "sync" && c.Audit.Mode != "batch" {
		bad("audit.mode", "mode must be sync or batch (got %q)", c.Audit.Mode)
	}
	if c.Salesforce != nil {
		c.Salesforce.validate(c, func(path, msg string) { ps.add(loc, path, msg) })
	}
}
