package classify

import (
	"regexp"
	"strings"
	"sync"

	"github.com/nyaruka/phonenumbers"
)

// Phone validation. Candidates are confirmed against the numbering plans of
// github.com/nyaruka/phonenumbers (libphonenumber's metadata). Calling
// phonenumbers.Parse + IsValidNumber costs about 15-30 µs and 50-75
// allocations per number here, which would dominate a PII-dense body, so the
// same metadata (national number patterns and possible lengths per region) is
// compiled once into one anchored matcher per region. The rules are the same
// as IsValidNumber's; phone_test.go checks the two agree. Matching runs only on
// candidates that passed the structural prefilter and can reach the threshold.
//
// The matcher was a pair of regexps, and their cost dominated PII-dense
// bodies; each region's pair is now also compiled into a digit automaton
// (phone_dfa.go) that answers the same in a table lookup per digit. The
// regexps stay for a region whose automaton could not be built.

type phoneRegion struct {
	id      string
	cc      int
	prefix  string // national (trunk) prefix, "0" in most of Europe
	general *regexp.Regexp
	types   *regexp.Regexp
	dfa     *digitDFA // general and types as one automaton; nil: use the regexps
	lengths uint32    // bit n set: national number length n is possible
}

// phoneRegionIDs are the regions Sovereign validates: EU, EEA, CH, UK, US/CA.
var phoneRegionIDs = []string{"GB", "US", "CA", "DE", "FR", "NL", "IT", "ES", "SE", "PL", "AT", "BE", "IE", "PT",
	"DK", "FI", "CZ", "SK", "HU", "RO", "BG", "GR", "HR", "SI", "LT", "LV", "EE", "LU", "MT", "CY", "CH", "NO", "IS", "LI"}

var phones struct {
	once     sync.Once
	byRegion map[string]*phoneRegion
	byCC     *ccRegions
}

// ccRegions lists the regions by country code (one to three digits): an
// array, as phoneIntl asks it up to three times per candidate.
type ccRegions [1000][]*phoneRegion

func loadPhones() {
	phones.once.Do(func() {
		phones.byRegion, phones.byCC = compilePhonePlans(true)
	})
}

// compilePhonePlans compiles the numbering plans of phoneRegionIDs, with
// digit automata if withDFA.
func compilePhonePlans(withDFA bool) (map[string]*phoneRegion, *ccRegions) {
	byRegion := map[string]*phoneRegion{}
	byCC := &ccRegions{}
	coll, err := phonenumbers.MetadataCollection()
	if err != nil {
		return byRegion, byCC // no metadata: phone candidates cannot be confirmed
	}
	want := map[string]bool{}
	for _, id := range phoneRegionIDs {
		want[id] = true
	}
	for _, md := range coll.GetMetadata() {
		if !want[md.GetId()] {
			continue
		}
		var alts []string
		for _, d := range []*phonenumbers.PhoneNumberDesc{md.GetFixedLine(), md.GetMobile(), md.GetTollFree(),
			md.GetPremiumRate(), md.GetSharedCost(), md.GetPersonalNumber(), md.GetVoip(), md.GetPager(),
			md.GetUan(), md.GetVoicemail()} {
			if p := d.GetNationalNumberPattern(); p != "" && p != "NA" {
				alts = append(alts, "(?:"+p+")")
			}
		}
		gsrc := "^(?:" + md.GetGeneralDesc().GetNationalNumberPattern() + ")$"
		tsrc := "^(?:" + strings.Join(alts, "|") + ")$"
		g, err1 := regexp.Compile(gsrc)
		t, err2 := regexp.Compile(tsrc)
		if err1 != nil || err2 != nil || len(alts) == 0 {
			continue
		}
		r := &phoneRegion{id: md.GetId(), cc: int(md.GetCountryCode()), prefix: md.GetNationalPrefix(), general: g, types: t}
		if withDFA {
			// On error (unsupported syntax, too many states) the regexps
			// answer for this region; the reason carries no data.
			r.dfa, _ = buildDigitDFA([]string{gsrc, tsrc}, maxDFAStates)
		}
		for _, n := range md.GetGeneralDesc().GetPossibleLength() {
			if n > 0 && n < 32 {
				r.lengths |= 1 << uint(n)
			}
		}
		if r.cc <= 0 || r.cc >= len(byCC) {
			continue // not a country code
		}
		byRegion[r.id] = r
		byCC[r.cc] = append(byCC[r.cc], r)
	}
	return byRegion, byCC
}

// validNSN reports whether nsn (national significant number) is valid in r.
func (r *phoneRegion) validNSN(nsn []byte) bool {
	if len(nsn) >= 32 || r.lengths&(1<<uint(len(nsn))) == 0 {
		return false
	}
	if r.dfa != nil {
		if v, ok := r.dfa.match(nsn); ok {
			return v
		}
	}
	return r.matchRegexp(nsn)
}

// matchRegexp is validNSN's pattern test by the regexps, without the
// length check.
func (r *phoneRegion) matchRegexp(nsn []byte) bool {
	return r.general.Match(nsn) && r.types.Match(nsn)
}

// phoneIntl validates digits that followed '+' (or "00"): country code then
// national significant number. A "(0)" trunk digit must already be removed.
func phoneIntl(d []byte) bool {
	if len(d) < 8 || len(d) > 15 {
		return false
	}
	for ccLen := 1; ccLen <= 3; ccLen++ {
		regions := phones.byCC[atoi(d[:ccLen])]
		nsn := d[ccLen:]
		for _, r := range regions {
			// A trunk prefix written after the country code ("+44 020 ...")
			// is dropped, as libphonenumber does.
			if r.validNSN(nsn) || r.prefix != "" && hasPrefixAt(nsn, 0, r.prefix) && r.validNSN(nsn[len(r.prefix):]) {
				return true
			}
		}
		if len(regions) > 0 {
			return false // country codes are prefix-free
		}
	}
	return false
}

// phoneNational validates a number written in national format, trying the
// regions whose plans fit its shape: trunk prefix "0" (most of Europe, UK),
// NANP (10 digits, or 11 starting with 1), or no trunk prefix (ES, PL, ...).
func phoneNational(d []byte) bool {
	if len(d) < 7 || len(d) > 13 {
		return false
	}
	try := func(ids ...string) bool {
		for _, id := range ids {
			r := phones.byRegion[id]
			if r == nil {
				continue
			}
			nsn := d
			switch {
			case r.prefix == "":
			case hasPrefixAt(d, 0, r.prefix):
				nsn = d[len(r.prefix):]
			case r.cc != 1:
				continue // Europe's trunk "0" is written in national format
			}
			// NANP's trunk "1" is mostly left out: "(425) 882-9090".
			if r.validNSN(nsn) {
				return true
			}
		}
		return false
	}
	switch {
	case d[0] == '0' && d[1] != '0':
		return try("GB", "DE", "FR", "NL", "IT", "AT", "BE", "SE", "IE", "FI", "CH", "PT", "HU", "SK", "BG", "RO", "SI")
	case len(d) == 10 && d[0] >= '2':
		return try("US", "CA", "IT", "GR", "PL")
	case len(d) == 11 && d[0] == '1':
		return try("US", "CA")
	case len(d) == 9:
		return try("ES", "PL", "CZ", "DK", "NO", "GR", "PT", "LU", "BE")
	case len(d) == 8:
		return try("DK", "NO", "EE", "LV", "LT", "CY", "MT", "LU", "IS")
	}
	return false
}

// phoneMemo remembers the last numbers a scanner validated. Chat requests
// resend the whole conversation every turn, so the same number is checked
// again and again; a numbering-plan match costs a few microseconds.
type phoneMemo struct {
	slot [16]struct {
		n     uint8
		intl  bool
		valid bool
		d     [15]byte
	}
}

// check returns the memoized answer for digits d, computing it with f.
func (m *phoneMemo) check(d []byte, intl bool, f func([]byte) bool) bool {
	if len(d) > 15 {
		return f(d)
	}
	h := foldHash(d)
	e := &m.slot[h&15]
	if e.n == uint8(len(d)) && e.intl == intl && string(e.d[:e.n]) == string(d) {
		return e.valid
	}
	v := f(d)
	e.n, e.intl, e.valid = uint8(len(d)), intl, v
	copy(e.d[:], d)
	return v
}
