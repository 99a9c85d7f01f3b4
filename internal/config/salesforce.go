package config

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"
)

// Salesforce configures the CRM face: the central org, how the gateway
// authenticates to it, the regional stores that keep full records, the
// per-tenant token keys and the per-object field policy. Owned by the CRM
// path (internal/crm).
type Salesforce struct {
	// Destination names the salesforce destination (the central org); its
	// endpoints[0].url is the org's instance URL.
	Destination string `yaml:"destination"`
	// APIVersion is the REST version used upstream, e.g. "62.0".
	APIVersion string         `yaml:"api_version"`
	Auth       SalesforceAuth `yaml:"auth"`
	// SyncIDField is the external-id field (created in the org) that holds the
	// gateway's local id; every create is an upsert on it so that a retried
	// delivery cannot duplicate a record. Default Sovereign_Id__c.
	SyncIDField string `yaml:"sync_id_field"`
	// Durability of the regional stores: batch (SQLite synchronous=NORMAL in
	// WAL mode: a commit is durable once the WAL is synced at checkpoint) or
	// full (synchronous=FULL: every commit is fsynced). Default batch.
	Durability string `yaml:"durability"`
	// Stores lists one regional store per jurisdiction whose subjects' records
	// pass the CRM face.
	Stores []RegionalStore `yaml:"stores"`
	// TenantKeys are the per-tenant keys for deterministic tokens.
	TenantKeys []TenantKey `yaml:"tenant_keys"`
	// RevealPurposes are the purposes for which reads put plaintext back
	// (for callers also allowed the record's jurisdiction). Required.
	RevealPurposes []string           `yaml:"reveal_purposes"`
	Delivery       SalesforceDelivery `yaml:"delivery"`
	// Objects is the field policy per sObject (Contact, Lead, Account, Order,
	// Case, custom __c objects). Objects not listed are refused.
	Objects map[string]*SObjectPolicy `yaml:"objects"`
}

// SalesforceAuth is the upstream OAuth 2.0 flow. Gateway clients never see
// these credentials.
type SalesforceAuth struct {
	Flow     string `yaml:"flow"`      // jwt_bearer | client_credentials
	TokenURL string `yaml:"token_url"` // e.g. https://login.salesforce.com/services/oauth2/token
	// Audience is the JWT aud claim; default the scheme and host of TokenURL.
	Audience     string `yaml:"audience"`
	ClientID     string `yaml:"client_id"`
	Username     string `yaml:"username"`      // jwt_bearer: the integration user (sub)
	PrivateKey   Secret `yaml:"private_key"`   // jwt_bearer: PEM RSA key
	ClientSecret Secret `yaml:"client_secret"` // client_credentials
}

// RegionalStore is where the full records of one region's jurisdiction stay.
type RegionalStore struct {
	Region string `yaml:"region"`
	// Path of the SQLite file; default <data_dir>/crm/<region>.db.
	Path string `yaml:"path"`
	// Key is the region's 32-byte key (base64 or hex), by reference.
	Key Secret `yaml:"key"`
}

// TenantKey is the key a tenant's deterministic tokens are made with.
type TenantKey struct {
	Tenant string `yaml:"tenant"`
	Key    Secret `yaml:"key"` // 32 bytes, base64 or hex, by reference
}

// SalesforceDelivery tunes the outbox that carries minimal records to the org.
type SalesforceDelivery struct {
	// Timeout bounds one upstream exchange, including the synchronous attempt
	// made while the client waits. Default 10s.
	Timeout time.Duration `yaml:"timeout"`
	// MinBackoff and MaxBackoff bound the exponential retry delay.
	MinBackoff time.Duration `yaml:"min_backoff"` // default 500ms
	MaxBackoff time.Duration `yaml:"max_backoff"` // default 5m
	// MaxAttempts after which a row is parked as dead (kept, reported). Default 50.
	MaxAttempts int `yaml:"max_attempts"`
	// PollInterval is how often the worker looks for due rows. Default 1s.
	PollInterval time.Duration `yaml:"poll_interval"`
}

// SObjectPolicy is the field policy of one sObject.
type SObjectPolicy struct {
	// JurisdictionField names a field holding the subject's country (ISO 3166
	// alpha-2) or a jurisdiction id, e.g. MailingCountry; when set and
	// mappable it decides the record's jurisdiction.
	JurisdictionField string `yaml:"jurisdiction_field"`
	// Undeclared says what happens to fields not listed: drop (default, data
	// minimization) or classify (pass through unless the classifier finds
	// something, which is then pseudonymized inside the value).
	Undeclared string                  `yaml:"undeclared"`
	Fields     map[string]*FieldPolicy `yaml:"fields"`
}

// FieldPolicy says what the central org receives for one field.
type FieldPolicy struct {
	// Type is a finding type (email, phone, person_name, ...), free_text, or
	// plain (not personal). Empty: classified by content.
	Type string `yaml:"type"`
	// Action is the central action: keep, tokenize, mask, drop or
	// pseudonymize (tokenize what the classifier finds inside the text).
	Action string `yaml:"action"`
	// ByMechanism overrides Action for the transfer mechanism that covers the
	// subject's data going to the org: domestic, adequacy, scc, dpf, bcr, none.
	ByMechanism map[string]string `yaml:"by_mechanism"`
	// ExternalID marks a field the org declares as an External ID: clients
	// may upsert on it, and the gateway keeps a token → record mapping for
	// it (never the value). Its action must be keep or tokenize under every
	// mechanism, so that the org receives a value it can match.
	ExternalID bool `yaml:"external_id"`
}

// Field actions and types of the CRM face.
const (
	FieldKeep         = "keep"
	FieldTokenize     = "tokenize"
	FieldMask         = "mask"
	FieldDrop         = "drop"
	FieldPseudonymize = "pseudonymize"

	FieldTypeFreeText = "free_text"
	FieldTypePlain    = "plain"

	UndeclaredDrop     = "drop"
	UndeclaredClassify = "classify"

	AuthJWTBearer         = "jwt_bearer"
	AuthClientCredentials = "client_credentials"
)

// Defaults of the salesforce section.
var (
	DefaultSalesforceAPIVersion = "62.0"
	DefaultSyncIDField          = "Sovereign_Id__c"
	DefaultSalesforceDelivery   = SalesforceDelivery{
		Timeout: 10 * time.Second, MinBackoff: 500 * time.Millisecond, MaxBackoff: 5 * time.Minute,
		MaxAttempts: 50, PollInterval: time.Second,
	}
)

var (
	fieldActions = []string{FieldKeep, FieldTokenize, FieldMask, FieldDrop, FieldPseudonymize}
	// fieldTypes are the classify finding types a field may declare, plus
	// free_text and plain.
	fieldTypes = []string{
		"email", "phone", "payment_card", "iban", "ip_address", "date_of_birth", "person_name",
		"postal_address", "postcode", "us_ssn", "uk_nino", "uk_nhs", "de_tax_id", "fr_nir", "es_dni",
		"es_nie", "it_fiscal_code", "nl_bsn", "se_personnummer", "pl_pesel", "secret", "business",
		FieldTypeFreeText, FieldTypePlain,
	}
	fieldMechanisms = []string{MechanismDomestic, MechanismAdequacy, MechanismNone, MechanismSCC, MechanismDPF, MechanismBCR}
	sfNameRe        = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9]*(_[A-Za-z0-9]+)*(__c)?$`)
	apiVersionRe    = regexp.MustCompile(`^[1-9][0-9]\.0$`)
)

func (s *Salesforce) applyDefaults() {
	if s.APIVersion == "" {
		s.APIVersion = DefaultSalesforceAPIVersion
	}
	if s.SyncIDField == "" {
		s.SyncIDField = DefaultSyncIDField
	}
	if s.Durability == "" {
		s.Durability = "batch"
	}
	d, dd := &s.Delivery, DefaultSalesforceDelivery
	defDur(&d.Timeout, dd.Timeout)
	defDur(&d.MinBackoff, dd.MinBackoff)
	defDur(&d.MaxBackoff, dd.MaxBackoff)
	defDur(&d.PollInterval, dd.PollInterval)
	if d.MaxAttempts == 0 {
		d.MaxAttempts = dd.MaxAttempts
	}
	for _, o := range s.Objects {
		if o == nil {
			continue
		}
		if o.Undeclared == "" {
			o.Undeclared = UndeclaredDrop
		}
	}
}

func (s *Salesforce) resolveSecrets(check func(s *Secret, path string)) {
	check(&s.Auth.PrivateKey, "salesforce.auth.private_key")
	check(&s.Auth.ClientSecret, "salesforce.auth.client_secret")
	for i := range s.Stores {
		check(&s.Stores[i].Key, fmt.Sprintf("salesforce.stores[%d].key", i))
	}
	for i := range s.TenantKeys {
		check(&s.TenantKeys[i].Key, fmt.Sprintf("salesforce.tenant_keys[%d].key", i))
	}
}

func (s *Salesforce) validate(c *Config, bad func(path, msg string)) {
	badf := func(path, format string, args ...any) { bad(path, fmt.Sprintf(format, args...)) }
	d, ok := findDestination(c, s.Destination)
	switch {
	case !ok || d.Kind != KindSalesforce:
		bad("salesforce.destination", "must name a destination of kind salesforce")
	case len(d.Endpoints) == 0:
		bad("salesforce.destination", "the destination needs endpoints[0].url, the org's instance URL")
	}
	if !apiVersionRe.MatchString(s.APIVersion) {
		badf("salesforce.api_version", "api_version %q must look like 62.0", s.APIVersion)
	}
	if !sfNameRe.MatchString(s.SyncIDField) || !strings.HasSuffix(s.SyncIDField, "__c") {
		badf("salesforce.sync_id_field", "sync_id_field %q must be a custom field name ending in __c", s.SyncIDField)
	}
	if s.Durability != "batch" && s.Durability != "full" {
		badf("salesforce.durability", "durability must be batch or full (got %q)", s.Durability)
	}
	s.Auth.validate(badf)
	s.validateStores(c, badf)
	s.validateTenantKeys(c, badf)

	purposes := map[string]bool{}
	for _, cl := range c.Clients {
		for _, p := range cl.Purposes {
			purposes[p] = true
		}
	}
	if len(s.RevealPurposes) == 0 {
		bad("salesforce.reveal_purposes", "list the purposes for which reads may show plaintext (may be a purpose no client has, to reveal to none)")
	}
	for i, p := range s.RevealPurposes {
		if !purposes[p] {
			badf(fmt.Sprintf("salesforce.reveal_purposes[%d]", i), "no client has purpose %q", p)
		}
	}
	dl := s.Delivery
	if dl.Timeout < 0 || dl.MinBackoff < 0 || dl.MaxBackoff < 0 || dl.PollInterval < 0 {
		bad("salesforce.delivery", "durations must be positive")
	} else if dl.MaxBackoff < dl.MinBackoff {
		bad("salesforce.delivery.max_backoff", "max_backoff is below min_backoff")
	}
	if dl.MaxAttempts < 0 {
		bad("salesforce.delivery.max_attempts", "max_attempts must be positive")
	}
	if len(s.Objects) == 0 {
		bad("salesforce.objects", "declare at least one object's field policy")
	}
	for _, name := range sortedKeys(s.Objects) {
		s.validateObject(name, s.Objects[name], badf)
	}
}

func (a *SalesforceAuth) validate(badf func(path, format string, args ...any)) {
	const p = "salesforce.auth"
	u, err := url.Parse(a.TokenURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		badf(p+".token_url", "token_url %q must be an absolute http or https URL", a.TokenURL)
	}
	if a.ClientID == "" {
		badf(p+".client_id", "client_id (the connected app's consumer key) is required")
	}
	switch a.Flow {
	case AuthJWTBearer:
		if a.Username == "" {
			badf(p+".username", "the jwt_bearer flow needs the integration user's username")
		}
		if !a.PrivateKey.IsSet() {
			badf(p+".private_key", "the jwt_bearer flow needs private_key (PEM RSA key, by reference)")
		} else if len(a.PrivateKey.Value()) > 0 {
			if _, err := ParseRSAPrivateKey(a.PrivateKey.Value()); err != nil {
				badf(p+".private_key", "%v", err)
			}
		}
		if a.ClientSecret.IsSet() {
			badf(p+".client_secret", "client_secret is not used by the jwt_bearer flow")
		}
	case AuthClientCredentials:
		if !a.ClientSecret.IsSet() {
			badf(p+".client_secret", "the client_credentials flow needs client_secret (by reference)")
		}
		if a.PrivateKey.IsSet() {
			badf(p+".private_key", "private_key is not used by the client_credentials flow")
		}
	default:
		badf(p+".flow", "flow must be %s or %s (got %q)", AuthJWTBearer, AuthClientCredentials, a.Flow)
	}
	if a.Audience != "" {
		if u, err := url.Parse(a.Audience); err != nil || u.Scheme == "" || u.Host == "" {
			badf(p+".audience", "audience %q must be an absolute URL", a.Audience)
		}
	}
}

func (s *Salesforce) validateStores(c *Config, badf func(path, format string, args ...any)) {
	if len(s.Stores) == 0 {
		badf("salesforce.stores", "at least one regional store is required")
	}
	byJur := map[string]string{}
	paths := map[string]bool{}
	for i, st := range s.Stores {
		p := fmt.Sprintf("salesforce.stores[%d]", i)
		r := findRegion(c, st.Region)
		if r == nil {
			badf(p+".region", "unknown region %q", st.Region)
		} else {
			if other, dup := byJur[r.Jurisdiction]; dup {
				badf(p+".region", "jurisdiction %s already has a store (region %s)", r.Jurisdiction, other)
			}
			byJur[r.Jurisdiction] = st.Region
		}
		path := st.PathIn(c.Server.DataDir)
		if paths[path] {
			badf(p+".path", "another store uses the same file")
		}
		paths[path] = true
		switch {
		case !st.Key.IsSet():
			badf(p+".key", "a store needs key (32 bytes, base64 or hex, by reference)")
		case len(st.Key.Value()) > 0:
			if _, err := DecodeKey32(st.Key.Value()); err != nil {
				badf(p+".key", "%v", err)
			}
		}
	}
}

func (s *Salesforce) validateTenantKeys(c *Config, badf func(path, format string, args ...any)) {
	tenants := map[string]bool{}
	for _, cl := range c.Clients {
		tenants[cl.Tenant] = true
	}
	seen := map[string]bool{}
	for i, tk := range s.TenantKeys {
		p := fmt.Sprintf("salesforce.tenant_keys[%d]", i)
		switch {
		case !tenants[tk.Tenant]:
			badf(p+".tenant", "no client has tenant %q", tk.Tenant)
		case seen[tk.Tenant]:
			badf(p+".tenant", "duplicate tenant %q", tk.Tenant)
		}
		seen[tk.Tenant] = true
		switch {
		case !tk.Key.IsSet():
			badf(p+".key", "a tenant key is required (32 bytes, base64 or hex, by reference)")
		case len(tk.Key.Value()) > 0:
			if _, err := DecodeKey32(tk.Key.Value()); err != nil {
				badf(p+".key", "%v", err)
			}
		}
	}
	for _, t := range sortedKeys(tenants) {
		if !seen[t] {
			badf("salesforce.tenant_keys", "tenant %q has clients but no token key", t)
		}
	}
}

func (s *Salesforce) validateObject(name string, o *SObjectPolicy, badf func(path, format string, args ...any)) {
	p := "salesforce.objects." + name
	if !sfNameRe.MatchString(name) {
		badf(p, "object %q is not a Salesforce API name", name)
	}
	if o == nil {
		badf(p, "object %q has no policy", name)
		return
	}
	if o.Undeclared != UndeclaredDrop && o.Undeclared != UndeclaredClassify {
		badf(p+".undeclared", "undeclared must be drop or classify (got %q)", o.Undeclared)
	}
	if o.JurisdictionField != "" && !sfNameRe.MatchString(o.JurisdictionField) {
		badf(p+".jurisdiction_field", "jurisdiction_field %q is not a Salesforce field name", o.JurisdictionField)
	}
	if _, ok := o.Fields[s.SyncIDField]; ok {
		badf(p+".fields."+s.SyncIDField, "%s is the sync id field; the gateway sets it", s.SyncIDField)
	}
	for _, fname := range sortedKeys(o.Fields) {
		f := o.Fields[fname]
		fp := p + ".fields." + fname
		if !sfNameRe.MatchString(fname) {
			badf(fp, "field %q is not a Salesforce field name", fname)
		}
		if fname == "Id" {
			badf(fp, "Id is the record id and always kept; do not declare it")
		}
		if f == nil {
			badf(fp, "field %q has no policy", fname)
			continue
		}
		if f.Type != "" && !slices.Contains(fieldTypes, f.Type) {
			badf(fp+".type", "type %q is not a finding type, free_text or plain", f.Type)
		}
		if !slices.Contains(fieldActions, f.Action) {
			badf(fp+".action", "action must be one of %v (got %q)", fieldActions, f.Action)
		}
		if f.ExternalID {
			acts := []string{f.Action}
			for _, m := range sortedKeys(f.ByMechanism) {
				acts = append(acts, f.ByMechanism[m])
			}
			for _, a := range acts {
				if a != FieldKeep && a != FieldTokenize {
					badf(fp+".external_id", "an external id field must be kept or tokenized under every mechanism (got %q)", a)
					break
				}
			}
			if f.Type == FieldTypeFreeText {
				badf(fp+".external_id", "a free_text field cannot be an external id")
			}
		}
		for _, m := range sortedKeys(f.ByMechanism) {
			if !slices.Contains(fieldMechanisms, m) {
				badf(fp+".by_mechanism", "mechanism %q must be one of %v", m, fieldMechanisms)
			}
			if a := f.ByMechanism[m]; !slices.Contains(fieldActions, a) {
				badf(fp+".by_mechanism."+m, "action must be one of %v (got %q)", fieldActions, a)
			}
		}
	}
}

// PathIn returns the store's file: Path, or <dataDir>/crm/<region>.db.
func (st RegionalStore) PathIn(dataDir string) string {
	if st.Path != "" {
		return st.Path
	}
	return filepath.Join(dataDir, "crm", st.Region+".db")
}

// StoreFor returns the store of the region whose jurisdiction is jur.
func (s *Salesforce) StoreFor(c *Config, jur string) (*RegionalStore, bool) {
	for i := range s.Stores {
		if r, ok := c.Region(s.Stores[i].Region); ok && r.Jurisdiction == jur {
			return &s.Stores[i], true
		}
	}
	return nil, false
}

// DecodeKey32 decodes a 32-byte key written as base64 (standard or URL, with
// or without padding) or as 64 hex digits. Errors never echo the key.
func DecodeKey32(b []byte) ([]byte, error) {
	s := strings.TrimSpace(string(b))
	if len(s) == 64 {
		if k, err := hex.DecodeString(s); err == nil {
			return k, nil
		}
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if k, err := enc.DecodeString(s); err == nil {
			if len(k) != 32 {
				return nil, fmt.Errorf("key decodes to %d bytes, want 32", len(k))
			}
			return k, nil
		}
	}
	return nil, errors.New("key must be 32 bytes written as base64 or 64 hex digits")
}

// ParseRSAPrivateKey parses a PEM RSA private key (PKCS#1 or PKCS#8).
func ParseRSAPrivateKey(b []byte) (*rsa.PrivateKey, error) {
	blk, _ := pem.Decode(b)
	if blk == nil {
		return nil, errors.New("private key is not PEM")
	}
	if k, err := x509.ParsePKCS1PrivateKey(blk.Bytes); err == nil {
		return k, nil
	}
	k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		return nil, errors.New("private key is neither PKCS#1 nor PKCS#8")
	}
	rk, ok := k.(*rsa.PrivateKey)
	if !ok {
		return nil, errors.New("private key is not an RSA key")
	}
	return rk, nil
}

func findDestination(c *Config, name string) (*Destination, bool) {
	for i := range c.Destinations {
		if c.Destinations[i].Name == name {
			return &c.Destinations[i], true
		}
	}
	return nil, false
}

func findRegion(c *Config, id string) *Region {
	for i := range c.Regions {
		if c.Regions[i].ID == id {
			return &c.Regions[i]
		}
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
