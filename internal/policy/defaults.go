package policy

// DefaultRulePrefix starts the id of every built-in rule; config rules may
// not use it.
const DefaultRulePrefix = "default."

// defaultRules always apply, before the config's rules. Since the strictest
// match wins, a config rule can make a decision stricter than a default but
// never looser. README.md explains each one.
var defaultRules = []ruleSource{
	{
		id:     "default.personal-needs-mechanism",
		when:   `finding.class in ["personal", "special"] && destination.mechanism == "none"`,
		action: Block,
		desc:   "personal data may not go to a jurisdiction that no transfer mechanism covers",
	},
	{
		id:     "default.secret-stays-home",
		when:   `finding.class == "secret" && destination.mechanism != "domestic"`,
		action: Block,
		desc:   "credentials never leave the subject's jurisdiction; transfer mechanisms cover personal data, not keys",
	},
}

// ruleSource is one rule before compilation.
type ruleSource struct {
	id     string
	when   string
	action Action
	desc   string
	path   string // config key path of the rule, empty for defaults
}
