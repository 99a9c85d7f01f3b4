package config

// Salesforce configures the CRM face: the central org, per-object field
// policy and the regional stores. Owned by the CRM path (internal/crm).
type Salesforce struct {
	// Destination names the salesforce destination (the central org).
	Destination string `yaml:"destination"`
}

func (s *Salesforce) applyDefaults() {}

func (s *Salesforce) resolveSecrets(check func(s *Secret, path string)) {}

func (s *Salesforce) validate(c *Config, bad func(path, msg string)) {
	if d, ok := findDestination(c, s.Destination); !ok || d.Kind != KindSalesforce {
		bad("salesforce.destination", "must name a destination of kind salesforce")
	}
}

func findDestination(c *Config, name string) (*Destination, bool) {
	for i := range c.Destinations {
		if c.Destinations[i].Name == name {
			return &c.Destinations[i], true
		}
	}
	return nil, false
}
