package audit

import (
	"sort"
	"time"
)

// Report is a record of processing and cross-border transfers shaped after
// GDPR Art. 30 (1)(c)-(e) and 30 (2)(c): per recipient and third country,
// which categories of data went there, how much, under which transfer
// mechanism, decided by which rules, and what was blocked. It is built from
// decision records only: no data values.
type Report struct {
	Generated   time.Time  `json:"generated"`
	From        *time.Time `json:"from,omitempty"`
	To          *time.Time `json:"to,omitempty"`
	FirstTime   *time.Time `json:"first_record_time,omitempty"`
	LastTime    *time.Time `json:"last_record_time,omitempty"`
	Records     int        `json:"records"`
	Forwarded   int        `json:"forwarded"`
	Blocked     int        `json:"blocked"`
	Errors      int        `json:"errors"`
	DryRuns     int        `json:"dry_runs"`
	CrossBorder int        `json:"cross_border"` // records whose subject and destination jurisdictions differ
	Transfers   []Transfer `json:"transfers"`
}

// Transfer groups the records for one recipient in one country/jurisdiction.
// Forwarded, Blocked, Errors and DryRuns split Requests by outcome.
type Transfer struct {
	Recipient    string     `json:"recipient"`    // destination vendor
	Destination  string     `json:"destination"`  // destination name
	Jurisdiction string     `json:"jurisdiction"` // where the recipient is
	Regions      []string   `json:"regions"`
	Mechanisms   []string   `json:"transfer_mechanisms"`
	CrossBorder  bool       `json:"cross_border"` // some flow comes from another jurisdiction
	Flows        []Flow     `json:"flows"`        // by data subjects' jurisdiction
	Purposes     []string   `json:"purposes"`
	Tenants      []string   `json:"tenants"`
	Faces        []string   `json:"faces"`
	Categories   []Category `json:"data_categories"`
	Rules        []string   `json:"rules"`
	Requests     int        `json:"requests"`
	Forwarded    int        `json:"forwarded"`
	Blocked      int        `json:"blocked_attempts"`
	Errors       int        `json:"errors"`
	DryRuns      int        `json:"dry_runs"`
	Personal     int        `json:"forwarded_with_personal_data"` // forwarded with personal or special findings
	Findings     int        `json:"findings"`
	BytesOut     int64      `json:"bytes_out"` // sent by forwarded requests
	Actions      []KeyCount `json:"actions"`
	FirstSeen    time.Time  `json:"first_seen"`
	LastSeen     time.Time  `json:"last_seen"`
}

// Flow is the part of a transfer whose data subjects are in one
// jurisdiction: "EU data to a US recipient, under DPF".
type Flow struct {
	SubjectJurisdiction string   `json:"subject_jurisdiction"` // "" when the record did not say
	CrossBorder         bool     `json:"cross_border"`
	Mechanisms          []string `json:"transfer_mechanisms"`
	Requests            int      `json:"requests"`
	Forwarded           int      `json:"forwarded"`
	Blocked             int      `json:"blocked_attempts"`
	Personal            int      `json:"forwarded_with_personal_data"`
}

// Category is one data category (finding class and type) seen in requests
// to a recipient: how many carried it, and how many of those were forwarded
// or blocked.
type Category struct {
	Class     string `json:"class"`
	Type      string `json:"type"`
	Requests  int    `json:"requests"`
	Forwarded int    `json:"forwarded"`
	Blocked   int    `json:"blocked_attempts"`
	Findings  int    `json:"findings"`
}

// KeyCount is a name with a count.
type KeyCount struct {
	Key   string `json:"key"`
	Count int    `json:"count"`
}

// BuildReport reads dir and aggregates the records in tr.
func BuildReport(dir string, tr TimeRange, now time.Time, progress func(uint64)) (*Report, error) {
	b := newReportBuilder()
	err := ReadRecords(dir, func(e Entry) error {
		if tr.Contains(e.Record.Time) {
			b.add(&e.Record)
		}
		return nil
	}, progress)
	if err != nil {
		return nil, err
	}
	rep := b.build()
	rep.Generated = now.UTC()
	if !tr.From.IsZero() {
		t := tr.From.UTC()
		rep.From = &t
	}
	if !tr.To.IsZero() {
		t := tr.To.UTC()
		rep.To = &t
	}
	return rep, nil
}

type transferKey struct{ vendor, name, jurisdiction string }

type transferAgg struct {
	t          Transfer
	regions    set
	mechanisms set
	purposes   set
	tenants    set
	faces      set
	rules      set
	flows      map[string]*flowAgg
	actions    map[string]int
	categories map[[2]string]*Category
}

type flowAgg struct {
	f          Flow
	mechanisms set
}

type set map[string]struct{}

func (s set) add(v string) {
	if v != "" {
		s[v] = struct{}{}
	}
}

func (s set) sorted() []string {
	out := make([]string, 0, len(s))
	for v := range s {
		out = append(out, v)
	}
	sort.Strings(out)
	return out
}

type reportBuilder struct {
	rep  Report
	aggs map[transferKey]*transferAgg
}

func newReportBuilder() *reportBuilder {
	return &reportBuilder{aggs: map[transferKey]*transferAgg{}}
}

func isBlocked(r *Record) bool { return r.Outcome == OutcomeBlocked || r.Action == "block" }

func (b *reportBuilder) add(r *Record) {
	b.rep.Records++
	t := r.Time.UTC()
	if b.rep.FirstTime == nil || t.Before(*b.rep.FirstTime) {
		b.rep.FirstTime = &t
	}
	if b.rep.LastTime == nil || t.After(*b.rep.LastTime) {
		tt := t
		b.rep.LastTime = &tt
	}
	d := r.Destination
	a := b.transfer(d, t)
	a.regions.add(d.Region)
	a.mechanisms.add(d.Mechanism)
	a.purposes.add(r.Purpose)
	a.tenants.add(r.Tenant)
	a.faces.add(r.Face)
	for _, id := range r.Rules {
		a.rules.add(id)
	}
	if r.Action != "" {
		a.actions[r.Action]++
	}
	fl := a.flows[r.SubjectJurisdiction]
	if fl == nil {
		fl = &flowAgg{f: Flow{SubjectJurisdiction: r.SubjectJurisdiction}, mechanisms: set{}}
		a.flows[r.SubjectJurisdiction] = fl
	}
	fl.mechanisms.add(d.Mechanism)
	fl.f.Requests++
	if r.SubjectJurisdiction != "" && d.Jurisdiction != "" && r.SubjectJurisdiction != d.Jurisdiction {
		fl.f.CrossBorder, a.t.CrossBorder = true, true
		b.rep.CrossBorder++
	}
	a.t.Requests++
	blocked, forwarded := isBlocked(r), false
	switch {
	case blocked:
		a.t.Blocked++
		fl.f.Blocked++
		b.rep.Blocked++
	case r.Outcome == OutcomeForwarded:
		forwarded = true
		a.t.Forwarded++
		fl.f.Forwarded++
		b.rep.Forwarded++
		a.t.BytesOut += r.BytesOut
	case r.Outcome == OutcomeError || r.Outcome == OutcomeUpstreamError:
		a.t.Errors++
		b.rep.Errors++
	case r.Outcome == OutcomeDryRun:
		a.t.DryRuns++
		b.rep.DryRuns++
	}
	personal := false
	for _, c := range r.Findings {
		ck := [2]string{c.Class, c.Type}
		cat := a.categories[ck]
		if cat == nil {
			cat = &Category{Class: c.Class, Type: c.Type}
			a.categories[ck] = cat
		}
		cat.Requests++
		cat.Findings += c.N
		switch {
		case forwarded:
			cat.Forwarded++
		case blocked:
			cat.Blocked++
		}
		a.t.Findings += c.N
		if c.Class == "personal" || c.Class == "special" {
			personal = true
		}
	}
	if personal && forwarded {
		a.t.Personal++
		fl.f.Personal++
	}
}

// transfer returns the aggregate for a destination, creating it at time t.
func (b *reportBuilder) transfer(d Destination, t time.Time) *transferAgg {
	k := transferKey{d.Vendor, d.Name, d.Jurisdiction}
	a := b.aggs[k]
	if a == nil {
		a = &transferAgg{
			t:       Transfer{Recipient: d.Vendor, Destination: d.Name, Jurisdiction: d.Jurisdiction, FirstSeen: t, LastSeen: t},
			regions: set{}, mechanisms: set{}, purposes: set{}, tenants: set{}, faces: set{}, rules: set{},
			flows: map[string]*flowAgg{}, actions: map[string]int{}, categories: map[[2]string]*Category{},
		}
		b.aggs[k] = a
	}
	if t.Before(a.t.FirstSeen) {
		a.t.FirstSeen = t
	}
	if t.After(a.t.LastSeen) {
		a.t.LastSeen = t
	}
	return a
}

func (b *reportBuilder) build() *Report {
	rep := b.rep
	rep.Transfers = []Transfer{}
	for _, a := range b.aggs {
		t := a.t
		t.Regions, t.Mechanisms, t.Purposes = a.regions.sorted(), a.mechanisms.sorted(), a.purposes.sorted()
		t.Tenants, t.Faces, t.Rules = a.tenants.sorted(), a.faces.sorted(), a.rules.sorted()
		t.Actions = keyCounts(a.actions)
		t.Flows = make([]Flow, 0, len(a.flows))
		for _, fl := range a.flows {
			f := fl.f
			f.Mechanisms = fl.mechanisms.sorted()
			t.Flows = append(t.Flows, f)
		}
		sort.Slice(t.Flows, func(i, j int) bool { return t.Flows[i].SubjectJurisdiction < t.Flows[j].SubjectJurisdiction })
		t.Categories = make([]Category, 0, len(a.categories))
		for _, c := range a.categories {
			t.Categories = append(t.Categories, *c)
		}
		sort.Slice(t.Categories, func(i, j int) bool {
			x, y := t.Categories[i], t.Categories[j]
			if x.Class != y.Class {
				return x.Class < y.Class
			}
			return x.Type < y.Type
		})
		rep.Transfers = append(rep.Transfers, t)
	}
	sort.Slice(rep.Transfers, func(i, j int) bool {
		x, y := rep.Transfers[i], rep.Transfers[j]
		if x.Recipient != y.Recipient {
			return x.Recipient < y.Recipient
		}
		if x.Jurisdiction != y.Jurisdiction {
			return x.Jurisdiction < y.Jurisdiction
		}
		return x.Destination < y.Destination
	})
	return &rep
}

func keyCounts(m map[string]int) []KeyCount {
	out := make([]KeyCount, 0, len(m))
	for k, n := range m {
		out = append(out, KeyCount{k, n})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}
