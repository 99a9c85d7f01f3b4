package classify

import (
	"errors"
	"math/rand/v2"
	"regexp"
	"testing"
	"time"

	"github.com/nyaruka/phonenumbers"
)

// Every region gets an automaton, and it answers exactly what the region's
// regexps answer: on every digit string of length 1..4, random strings of
// every length 1..17, the example numbers of each number type with every
// one-digit substitution, deletion and insertion, their prefixes and
// extensions, walks along the automaton's live states (mostly valid
// numbers) and their substitutions, and strings with a non-digit. Under
// -race (nothing concurrent here, only ten times slower) the exhaustive
// part stops at three digits and the random parts are smaller.
func TestPhoneDFAAgreesWithRegexp(t *testing.T) {
	plans, _ := compilePhonePlans(true)
	examples := phoneExamples(t)
	rng := rand.New(rand.NewPCG(3, 4))
	var fellBack []string
	checked, accepted, bad := 0, 0, 0
	for _, id := range phoneRegionIDs {
		r := plans[id]
		if r == nil {
			t.Errorf("%s: no numbering plan compiled", id)
			continue
		}
		if r.dfa == nil {
			_, err := buildDigitDFA([]string{r.general.String(), r.types.String()}, maxDFAStates)
			fellBack = append(fellBack, id+" ("+err.Error()+")")
			continue
		}
		if len(examples[id]) == 0 {
			t.Errorf("%s: no example numbers in the metadata", id)
		}
		regionAccepted := 0
		for _, s := range phoneDFASamples(r.dfa, examples[id], rng) {
			got, ok := r.dfa.match(s)
			want := r.matchRegexp(s)
			digits := true
			for _, c := range s {
				digits = digits && c >= '0' && c <= '9'
			}
			if ok != digits || ok && got != want {
				t.Errorf("%s %q: automaton says %v (ok %v), regexps %v", id, s, got, ok, want)
				bad++
			}
			lengthOK := len(s) < 32 && r.lengths&(1<<uint(len(s))) != 0
			if v := r.validNSN(s); v != (lengthOK && want) {
				t.Errorf("%s %q: validNSN says %v, regexps and lengths %v", id, s, v, lengthOK && want)
				bad++
			}
			if bad > 20 {
				t.FailNow()
			}
			checked++
			if want {
				regionAccepted++
			}
		}
		// The check must see plenty of valid numbers, not only rejections.
		if regionAccepted < 200 {
			t.Errorf("%s: only %d accepted samples", id, regionAccepted)
		}
		accepted += regionAccepted
	}
	if len(fellBack) > 0 {
		t.Errorf("regions without an automaton (using the regexps): %v", fellBack)
	}
	t.Logf("%d regions, %d samples, %d accepted by the regexps", len(phoneRegionIDs), checked, accepted)
}

// phoneExamples returns the example national numbers of every number type,
// by region.
func phoneExamples(t testing.TB) map[string][]string {
	coll, err := phonenumbers.MetadataCollection()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, md := range coll.GetMetadata() {
		for _, d := range []*phonenumbers.PhoneNumberDesc{md.GetGeneralDesc(), md.GetFixedLine(), md.GetMobile(),
			md.GetTollFree(), md.GetPremiumRate(), md.GetSharedCost(), md.GetPersonalNumber(), md.GetVoip(),
			md.GetPager(), md.GetUan(), md.GetVoicemail()} {
			if ex := d.GetExampleNumber(); ex != "" {
				out[md.GetId()] = append(out[md.GetId()], ex)
			}
		}
	}
	return out
}

func phoneDFASamples(m *digitDFA, examples []string, rng *rand.Rand) [][]byte {
	var out [][]byte
	add := func(s []byte) { out = append(out, append([]byte(nil), s...)) }
	randDigits := func(n int) []byte {
		s := make([]byte, n)
		for i := range s {
			s[i] = byte('0' + rng.IntN(10))
		}
		return s
	}
	exhaustive, random, nwalks, walkSeeds := 4, 100, 400, 40
	if raceEnabled {
		exhaustive, random, nwalks, walkSeeds = 3, 30, 150, 10
	}
	// Everything up to four digits.
	for n := 1; n <= exhaustive; n++ {
		s := make([]byte, n)
		for v := range pow10(n) {
			for i, x := n-1, v; i >= 0; i, x = i-1, x/10 {
				s[i] = byte('0' + x%10)
			}
			add(s)
		}
	}
	// Random strings of every length.
	for n := 1; n <= 17; n++ {
		for range random {
			add(randDigits(n))
		}
	}
	// Walks through live states: prefixes of valid numbers, most of them
	// valid themselves at some length.
	var walks [][]byte
	for range nwalks {
		n := 1 + rng.IntN(17)
		s, st := []byte{}, uint(m.start)
		for range n {
			var live []int
			for d := range 10 {
				if m.next[st*10+uint(d)] != 0 {
					live = append(live, d)
				}
			}
			d := rng.IntN(10)
			if len(live) > 0 {
				d = live[rng.IntN(len(live))]
			}
			s = append(s, byte('0'+d))
			st = uint(m.next[st*10+uint(d)])
		}
		add(s)
		walks = append(walks, s)
	}
	// Mutations of the examples and of some walks.
	var seeds [][]byte
	for _, ex := range examples {
		seeds = append(seeds, []byte(ex))
	}
	seeds = append(seeds, walks[:walkSeeds]...)
	for _, ex := range seeds {
		for i := range ex {
			add(ex[:i+1]) // prefixes
			for d := byte('0'); d <= '9'; d++ {
				add(append(append(append([]byte{}, ex[:i]...), d), ex[i+1:]...)) // substitution
				add(append(append(append([]byte{}, ex[:i]...), d), ex[i:]...))   // insertion
			}
			add(append(append([]byte{}, ex[:i]...), ex[i+1:]...)) // deletion
			for _, c := range []byte{'x', ' ', '-', 0xff} {
				add(append(append(append([]byte{}, ex[:i]...), c), ex[i+1:]...)) // not a digit
			}
		}
		for n := 1; n <= 3; n++ {
			add(append(append([]byte{}, ex...), randDigits(n)...)) // extensions
		}
	}
	return out
}

func pow10(n int) int {
	p := 1
	for range n {
		p *= 10
	}
	return p
}

// The construction on patterns beyond the numbering plans: loops, anchors
// in odd places, non-digit atoms, products of several patterns, and the
// refusals. Checked against regexp on every digit string up to length 5
// (4 under -race).
func TestDigitDFAPatterns(t *testing.T) {
	maxLen := 5
	if raceEnabled {
		maxLen = 4
	}
	for _, pats := range [][]string{
		{`\d{3,5}`},
		{`1\d*`},
		{`(?:12)+3?`},
		{`[2-9]\d{2}|0`},
		{`^1$`},
		{`^$`},
		{``},
		{`1^2`},
		{`1$2`},
		{`1$|2`},
		{`(?:1|$)`},
		{`(?:^|1)2`},
		{`^^1$$`},
		{`x|12`},
		{`.{2}`},
		{`(?s:.)1`},
		{`(?i)1[^5]`},
		{`[^0-9]`},
		{`(1)(2)?`},
		{`a^`},
		{`\d{2,4}`, `1\d+`},
		{`^(?:1\d{3}|2\d{2})$`, `^(?:\d{3})$`},
		{`1`, `2`},
		{`[01]*1[01]{4}`},
	} {
		m, err := buildDigitDFA(pats, maxDFAStates)
		if err != nil {
			t.Errorf("%q: %v", pats, err)
			continue
		}
		var res []*regexp.Regexp
		for _, p := range pats {
			res = append(res, regexp.MustCompile(`^(?:`+p+`)$`))
		}
		for n := 0; n <= maxLen; n++ {
			s := make([]byte, n)
			for v := range pow10(n) {
				for i, x := n-1, v; i >= 0; i, x = i-1, x/10 {
					s[i] = byte('0' + x%10)
				}
				want := true
				for _, re := range res {
					want = want && re.Match(s)
				}
				if got, ok := m.match(s); !ok || got != want {
					t.Errorf("%q on %q: automaton %v (ok %v), regexp %v", pats, s, got, ok, want)
				}
			}
		}
		if _, ok := m.match([]byte("1x")); ok {
			t.Errorf("%q: answered for a non-digit", pats)
		}
	}
	for _, p := range []string{`\b1`, `1\B2`, `(?m)^1`, `1$(?m)$`, `(`} {
		if _, err := buildDigitDFA([]string{p}, maxDFAStates); err == nil {
			t.Errorf("%q: built, want refused", p)
		}
	}
	// 2^9 states are needed; the limit is lower.
	if _, err := buildDigitDFA([]string{`[01]*1[01]{8}`}, 256); !errors.Is(err, errDFATooLarge) {
		t.Errorf("state limit: err = %v, want errDFATooLarge", err)
	}
	if _, err := buildDigitDFA([]string{`[01]*1[01]{8}`}, 2048); err != nil {
		t.Errorf("under the state limit: %v", err)
	}
}

// Load cost of the numbering plans, with and without the automata, and the
// size of the tables.
func TestPhonePlansLoadCost(t *testing.T) {
	t0 := time.Now()
	compilePhonePlans(false)
	plain := time.Since(t0)
	t0 = time.Now()
	plans, _ := compilePhonePlans(true)
	full := time.Since(t0)
	states, size := 0, 0
	for _, r := range plans {
		if r.dfa != nil {
			states += r.dfa.states()
			size += r.dfa.bytes()
		}
	}
	t.Logf("numbering plans: %v with regexps only, %v with automata; %d regions, %d states, %d table bytes",
		plain, full, len(plans), states, size)
}

// phoneBenchNumbers are digits after '+' as they reach phoneIntl: valid
// fixed, mobile and toll-free numbers of a dozen countries and near misses
// (wrong length, trunk 0 kept, bad area code, uncovered country codes).
var phoneBenchNumbers = []string{
	"442079460958", "448001234567", "447911123456", "441632960983", "4420794609", "4479111234567",
	"12125550123", "14155552671", "16502530000", "16135550199", "11234567890", "1212555012",
	"4930123456", "491711234567", "4915112345678", "4989123456", "49301",
	"33612345678", "33142685300", "33012345678", "331234",
	"390612345678", "393123456789", "39312345",
	"34612345678", "34912345678", "34012345678",
	"31612345678", "31201234567", "46701234567", "4681234567", "48512345678", "48221234567",
	"41446681800", "41781234567", "431234567890", "436641234567", "3224567890", "353851234567",
	"4520123456", "358401234567", "30697123456", "99912345678", "86123456789", "71234567890",
}

func BenchmarkPhoneValidate(b *testing.B) {
	loadPhones()
	nums := make([][]byte, len(phoneBenchNumbers))
	for i, s := range phoneBenchNumbers {
		nums[i] = []byte(s)
	}
	regexpRegions, regexpCC := compilePhonePlans(false)
	for _, impl := range []string{"regexp", "dfa"} {
		b.Run("impl="+impl, func(b *testing.B) {
			if impl == "regexp" {
				// Swap in plans without automata for the run; benchmarks
				// do not run alongside tests.
				saved, savedCC := phones.byRegion, phones.byCC
				phones.byRegion, phones.byCC = regexpRegions, regexpCC
				defer func() { phones.byRegion, phones.byCC = saved, savedCC }()
			}
			b.ReportAllocs()
			valid := 0
			for b.Loop() {
				valid = 0
				for _, d := range nums {
					if phoneIntl(d) {
						valid++
					}
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(nums)), "ns/number")
			b.ReportMetric(float64(valid), "valid")
		})
	}
}

// BenchmarkPhonePlansLoad is the one-time cost of compiling the numbering
// plans.
func BenchmarkPhonePlansLoad(b *testing.B) {
	for _, impl := range []string{"regexp", "dfa"} {
		b.Run("impl="+impl, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				compilePhonePlans(impl == "dfa")
			}
		})
	}
}
