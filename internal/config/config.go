package config

import "time"

// Config is the whole gateway configuration. Load fills it from YAML, applies
// the defaults below and validates it.
type Config struct {
	Version       int            `yaml:"version"`
	Server        Server         `yaml:"server"`
	Jurisdictions []Jurisdiction `yaml:"jurisdictions"`
	Adequacy      []Adequacy     `yaml:"adequacy"`
	Regions       []Region       `yaml:"regions"`
	Destinations  []Destination  `yaml:"destinations"`
	Models        []Model        `yaml:"models"`
	Clients       []Client       `yaml:"clients"`
	Policy        Policy         `yaml:"policy"`
	Classify      Classify       `yaml:"classify"`
	Limits        Limits         `yaml:"limits"`
	Timeouts      Timeouts       `yaml:"timeouts"`
	Health        Health         `yaml:"health"`
	Audit         Audit          `yaml:"audit"`
	Salesforce    *Salesforce    `yaml:"salesforce,omitempty"`

	// Source names where the config came from, for messages.
	Source string `yaml:"-"`

	index *index
}

// Server is the gateway's listener.
type Server struct {
	Listen string `yaml:"listen"` // host:port; default 127.0.0.1:8080
	// DataDir holds embedded state (regional stores, token vault, keys).
	DataDir string `yaml:"data_dir"` // default ./.sovereign
	// UnknownFields says what happens to a top-level request field the
	// OpenAI API does not define: allow (default; it passes through and is
	// classified like every other field) or reject (400 naming the field).
	UnknownFields string `yaml:"unknown_fields"`
}

// Values of Server.UnknownFields.
const (
	UnknownFieldsAllow  = "allow"
	UnknownFieldsReject = "reject"
)

// Jurisdiction is a legal area (EU, UK, US, ...) and the ISO 3166 alpha-2
// country codes that belong to it.
type Jurisdiction struct {
	ID        string   `yaml:"id"`
	Name      string   `yaml:"name"`
	Countries []string `yaml:"countries"`
}

// Adequacy is a dated decision that data from one jurisdiction may go to
// another without further safeguards (GDPR Art. 45 and its equivalents). It is
// data, not code, so that a decision's end date takes effect without a release.
type Adequacy struct {
	From      string `yaml:"from"`
	To        string `yaml:"to"`
	Since     Date   `yaml:"since"`
	Until     Date   `yaml:"until"` // zero: open-ended
	Reference string `yaml:"reference"`
}

// Region is a place where something runs or is stored; it belongs to one jurisdiction.
type Region struct {
	ID           string `yaml:"id"`
	Jurisdiction string `yaml:"jurisdiction"`
}

// Destination kinds.
const (
	KindLLM        = "llm"
	KindSalesforce = "salesforce"
)

// Transfer mechanisms (GDPR Chapter V and equivalents).
const (
	MechanismNone     = "none"
	MechanismDomestic = "domestic" // computed: subject and destination share a jurisdiction
	MechanismAdequacy = "adequacy" // computed from the adequacy table
	MechanismSCC      = "scc"
	MechanismDPF      = "dpf"
	MechanismBCR      = "bcr"
)

// Destination is a place data may go. Anything not declared is unreachable.
type Destination struct {
	Name   string `yaml:"name"`
	Kind   string `yaml:"kind"` // llm | salesforce
	Region string `yaml:"region"`
	Vendor string `yaml:"vendor"`
	DPA    string `yaml:"dpa"` // reference of the data processing agreement
	// Mechanism is the safeguard this destination offers for data from other
	// jurisdictions when no adequacy decision covers it: none, scc, dpf or bcr.
	Mechanism string     `yaml:"mechanism"`
	Endpoints []Endpoint `yaml:"endpoints"`
}

// Endpoint is one upstream base URL of a destination's pool.
type Endpoint struct {
	URL    string `yaml:"url"` // OpenAI-compatible base URL, e.g. http://127.0.0.1:18081/v1
	APIKey Secret `yaml:"api_key"`
}

// Model maps a model name callers use to the destinations that serve it.
type Model struct {
	Name         string   `yaml:"name"`
	Destinations []string `yaml:"destinations"`
	// Upstream is the model name sent upstream; default Name.
	Upstream string `yaml:"upstream"`
}

// Client is a caller with an API key. The key is kept only as its SHA-256.
type Client struct {
	ID     string `yaml:"id"`
	Tenant string `yaml:"tenant"`
	// Key is a reference to the raw key (hashed at load, then dropped);
	// KeySHA256 is the hex SHA-256 of the key. Exactly one is set.
	Key                 Secret   `yaml:"key"`
	KeySHA256           string   `yaml:"key_sha256"`
	Jurisdictions       []string `yaml:"jurisdictions"`
	Purposes            []string `yaml:"purposes"`
	DefaultJurisdiction string   `yaml:"default_jurisdiction"`
	DefaultPurpose      string   `yaml:"default_purpose"`
}

// Policy holds the transfer rules, CEL expressions compiled at load by the
// policy package.
type Policy struct {
	Rules []Rule `yaml:"rules"`
}

// Rule is a CEL condition and the action taken when it holds.
type Rule struct {
	ID          string `yaml:"id"`
	Description string `yaml:"description"`
	When        string `yaml:"when"`
	Action      string `yaml:"action"` // allow | pseudonymize | redact | block
}

// Classify configures the classification engine.
type Classify struct {
	Threshold float64        `yaml:"threshold"` // default 0.5
	Business  []BusinessRule `yaml:"business"`
	// Serial keeps every body's classification on its request's goroutine.
	// By default a JSON body of 128 KiB or more that arrives while cores
	// are idle has its records classified in parts on the idle cores.
	Serial bool `yaml:"serial"`
	// MemoValues is how many long values of model requests the classifier
	// remembers the findings of, so that the earlier messages a chat
	// request resends are not classified again: 0 means the default
	// (classify.DefaultMemoValues), -1 none.
	MemoValues int `yaml:"memo_values"`
}

// MaxMemoValues bounds Classify.MemoValues: a million values take 248 MiB.
const MaxMemoValues = 1 << 20

// BusinessRule is tenant-defined business IP: dictionary terms, regular
// expressions and JSON key names.
type BusinessRule struct {
	ID       string   `yaml:"id"`
	Terms    []string `yaml:"terms"`
	Patterns []string `yaml:"patterns"`
	Keys     []string `yaml:"keys"`
}

// Limits bound what the gateway accepts.
type Limits struct {
	MaxBodyBytes     int64 `yaml:"max_body_bytes"`     // default 4 MiB
	MaxResponseBytes int64 `yaml:"max_response_bytes"` // default 16 MiB
}

// Timeouts bound how long the gateway waits.
type Timeouts struct {
	ReadHeader time.Duration `yaml:"read_header"` // default 5s (slow clients)
	Read       time.Duration `yaml:"read"`        // default 30s, whole request
	Upstream   time.Duration `yaml:"upstream"`    // default 120s, whole upstream exchange
	Connect    time.Duration `yaml:"connect"`     // default 3s
	Idle       time.Duration `yaml:"idle"`        // default 90s
	Shutdown   time.Duration `yaml:"shutdown"`    // default 15s
}

// Health configures active health checks and passive ejection of upstreams.
type Health struct {
	Interval   time.Duration `yaml:"interval"`    // default 5s
	Timeout    time.Duration `yaml:"timeout"`     // default 2s
	Path       string        `yaml:"path"`        // default "/models", relative to the endpoint URL
	EjectAfter int           `yaml:"eject_after"` // consecutive failures; default 3
	EjectFor   time.Duration `yaml:"eject_for"`   // default 30s
	Retries    int           `yaml:"retries"`     // attempts after the first, inside the allowed set; default 2
}

// Audit configures the tamper-evident decision log.
type Audit struct {
	Dir                string        `yaml:"dir"`          // default <data_dir>/audit
	Mode               string        `yaml:"mode"`         // sync | batch; default batch
	BatchWindow        time.Duration `yaml:"batch_window"` // default 10ms
	SigningKey         Secret        `yaml:"signing_key"`  // Ed25519 private key (seed or PEM); generated into Dir when unset
	HMACKey            Secret        `yaml:"hmac_key"`     // deployment key for correlatable identifiers
	Origin             string        `yaml:"origin"`       // checkpoint origin line
	SegmentMaxBytes    int64         `yaml:"segment_max_bytes"`
	SegmentMaxAge      time.Duration `yaml:"segment_max_age"` // rotate after this long; default 24h, bounds how long retention overshoots
	CheckpointEvery    int           `yaml:"checkpoint_every"`
	CheckpointInterval time.Duration `yaml:"checkpoint_interval"`
	Retention          time.Duration `yaml:"retention"` // zero: keep forever
}

// Defaults applied by Load to fields left zero.
var (
	DefaultListen   = "127.0.0.1:8080"
	DefaultDataDir  = ".sovereign"
	DefaultLimits   = Limits{MaxBodyBytes: 4 << 20, MaxResponseBytes: 16 << 20}
	DefaultTimeouts = Timeouts{
		ReadHeader: 5 * time.Second, Read: 30 * time.Second, Upstream: 120 * time.Second,
		Connect: 3 * time.Second, Idle: 90 * time.Second, Shutdown: 15 * time.Second,
	}
	DefaultHealth = Health{
		Interval: 5 * time.Second, Timeout: 2 * time.Second, Path: "/models",
		EjectAfter: 3, EjectFor: 30 * time.Second, Retries: 2,
	}
	DefaultThreshold   = 0.5
	DefaultAuditMode   = "batch"
	DefaultBatchWindow = 10 * time.Millisecond
)
