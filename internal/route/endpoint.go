package route

import (
	"strings"
	"sync/atomic"
	"time"

	"github.com/sovereign-gateway/sovereign/internal/config"
)

// Endpoint is one upstream base URL of a destination, with its health.
type Endpoint struct {
	Dest   *Destination
	URL    string // base URL without a trailing slash, e.g. http://127.0.0.1:18081/v1
	Index  int    // position in the destination's endpoints, for labels
	apiKey []byte

	activeDown   atomic.Bool  // the last active check failed
	failures     atomic.Int32 // consecutive passive failures
	ejectedUntil atomic.Int64 // unix nanos; 0 when not ejected
}

// Healthy reports whether the endpoint may take traffic at now: its last
// active check passed (or none ran yet) and it is not ejected.
func (e *Endpoint) Healthy(now time.Time) bool {
	return !e.activeDown.Load() && now.UnixNano() >= e.ejectedUntil.Load()
}

// Destination is a configured destination with its endpoints.
type Destination struct {
	Config       *config.Destination
	Jurisdiction string
	Endpoints    []*Endpoint
	next         atomic.Uint32 // round-robin start
}

// Name is the destination's configured name.
func (d *Destination) Name() string { return d.Config.Name }

// Healthy appends d's healthy endpoints at now to dst, starting at a
// rotating offset so load spreads over the pool.
func (d *Destination) Healthy(dst []*Endpoint, now time.Time) []*Endpoint {
	n := len(d.Endpoints)
	if n == 0 {
		return dst
	}
	start := int(d.next.Add(1)-1) % n
	for i := range n {
		if e := d.Endpoints[(start+i)%n]; e.Healthy(now) {
			dst = append(dst, e)
		}
	}
	return dst
}

func newDestination(cfg *config.Config, d *config.Destination) *Destination {
	rd := &Destination{Config: d, Jurisdiction: cfg.DestinationJurisdiction(d)}
	for i, ep := range d.Endpoints {
		rd.Endpoints = append(rd.Endpoints, &Endpoint{
			Dest:   rd,
			URL:    strings.TrimRight(ep.URL, "/"),
			Index:  i,
			apiKey: ep.APIKey.Value(),
		})
	}
	return rd
}
