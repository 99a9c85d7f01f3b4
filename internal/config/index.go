package config

import (
	"encoding/hex"
	"time"
)

// index holds the lookups built once after a successful load.
type index struct {
	loc           locator
	jurisdictions map[string]*Jurisdiction
	countries     map[string]string // ISO 3166 alpha-2 → jurisdiction id
	regions       map[string]*Region
	destinations  map[string]*Destination
	models        map[string]*Model
	clientsByHash map[[32]byte]*Client
}

func buildIndex(c *Config, loc locator) *index {
	ix := &index{
		loc:           loc,
		jurisdictions: map[string]*Jurisdiction{},
		countries:     map[string]string{},
		regions:       map[string]*Region{},
		destinations:  map[string]*Destination{},
		models:        map[string]*Model{},
		clientsByHash: map[[32]byte]*Client{},
	}
	for i := range c.Jurisdictions {
		j := &c.Jurisdictions[i]
		ix.jurisdictions[j.ID] = j
		for _, cc := range j.Countries {
			ix.countries[cc] = j.ID
		}
	}
	for i := range c.Regions {
		ix.regions[c.Regions[i].ID] = &c.Regions[i]
	}
	for i := range c.Destinations {
		ix.destinations[c.Destinations[i].Name] = &c.Destinations[i]
	}
	for i := range c.Models {
		ix.models[c.Models[i].Name] = &c.Models[i]
	}
	for i := range c.Clients {
		var h [32]byte
		b, _ := hex.DecodeString(c.Clients[i].KeySHA256) // validated
		copy(h[:], b)
		ix.clientsByHash[h] = &c.Clients[i]
	}
	return ix
}

// Jurisdiction returns the jurisdiction with this id.
func (c *Config) Jurisdiction(id string) (*Jurisdiction, bool) {
	j, ok := c.index.jurisdictions[id]
	return j, ok
}

// JurisdictionOfCountry maps an ISO 3166 alpha-2 code to its jurisdiction id.
func (c *Config) JurisdictionOfCountry(cc string) (string, bool) {
	j, ok := c.index.countries[cc]
	return j, ok
}

// Region returns the region with this id.
func (c *Config) Region(id string) (*Region, bool) {
	r, ok := c.index.regions[id]
	return r, ok
}

// Destination returns the destination with this name.
func (c *Config) Destination(name string) (*Destination, bool) {
	d, ok := c.index.destinations[name]
	return d, ok
}

// DestinationJurisdiction returns the jurisdiction a destination's region belongs to.
func (c *Config) DestinationJurisdiction(d *Destination) string {
	if r, ok := c.index.regions[d.Region]; ok {
		return r.Jurisdiction
	}
	return ""
}

// Model returns the model with this name.
func (c *Config) Model(name string) (*Model, bool) {
	m, ok := c.index.models[name]
	return m, ok
}

// ClientByKeyHash returns the client whose key hashes to h.
func (c *Config) ClientByKeyHash(h [32]byte) (*Client, bool) {
	cl, ok := c.index.clientsByHash[h]
	return cl, ok
}

// Mechanism returns the transfer mechanism that covers data of a subject in
// jurisdiction from going to destination d on day at: domestic when both are
// the same jurisdiction, adequacy when a decision in the table is in force,
// else the destination's declared mechanism (none, scc, dpf or bcr).
func (c *Config) Mechanism(from string, d *Destination, at time.Time) string {
	to := c.DestinationJurisdiction(d)
	if to == from {
		return MechanismDomestic
	}
	if c.HasAdequacy(from, to, at) {
		return MechanismAdequacy
	}
	return d.Mechanism
}

// HasAdequacy reports whether an adequacy decision from → to is in force at.
func (c *Config) HasAdequacy(from, to string, at time.Time) bool {
	day := at.UTC().Truncate(24 * time.Hour)
	for _, a := range c.Adequacy {
		if a.From != from || a.To != to || day.Before(a.Since.Time) {
			continue
		}
		if a.Until.IsZero() || !day.After(a.Until.Time) {
			return true
		}
	}
	return false
}
