package classify

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/sovereign-gateway/sovereign/internal/synth"
)

// TestQualityOnLabeledPayloads measures recall and precision per type on
// generated payloads whose planted personal values are known
// (synth.GenerateLabeled): every other number and word in them (order,
// tracking and SKU numbers, EANs, ids, timestamps, prices, cities) is a
// negative. A finding counts as right when its type and its exact text match
// a planted value.
func TestQualityOnLabeledPayloads(t *testing.T) {
	e, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	type tally struct{ planted, tp, fp int }
	per := map[string]*tally{}
	get := func(ty string) *tally {
		if per[ty] == nil {
			per[ty] = &tally{}
		}
		return per[ty]
	}
	var fpExamples, missed []string
	for _, k := range []synth.Kind{synth.Customers, synth.Orders, synth.Chat} {
		for seed := uint64(1); seed <= 3; seed++ {
			body, labels := synth.GenerateLabeled(k, 64<<10, seed)
			want := map[[2]string]int{}
			for _, l := range labels {
				want[[2]string{l.Type, l.Value}]++
				get(l.Type).planted++
			}
			fs, err := e.JSON(body, nil)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range fs {
				key := [2]string{string(f.Type), string(body[f.Start:f.End])}
				if want[key] > 0 {
					want[key]--
					get(string(f.Type)).tp++
					continue
				}
				get(string(f.Type)).fp++
				if len(fpExamples) < 30 {
					fpExamples = append(fpExamples, fmt.Sprintf("%s %s %q", k, f.Type, key[1]))
				}
			}
			for key, n := range want {
				if n > 0 && len(missed) < 30 {
					missed = append(missed, fmt.Sprintf("%s %s %q", k, key[0], key[1]))
				}
			}
		}
	}
	types := make([]string, 0, len(per))
	for ty := range per {
		types = append(types, ty)
	}
	sort.Strings(types)
	var report strings.Builder
	fmt.Fprintf(&report, "\n%-16s %8s %8s %8s %8s\n", "type", "planted", "recall", "precis.", "false+")
	for _, ty := range types {
		x := per[ty]
		recall, precision := ratio(x.tp, x.planted), ratio(x.tp, x.tp+x.fp)
		fmt.Fprintf(&report, "%-16s %8d %8.3f %8.3f %8d\n", ty, x.planted, recall, precision, x.fp)
		if x.planted > 0 && recall < 0.98 {
			t.Errorf("%s: recall %.3f below 0.98", ty, recall)
		}
		if x.tp+x.fp > 0 && precision < 0.98 {
			t.Errorf("%s: precision %.3f below 0.98", ty, precision)
		}
	}
	t.Log(report.String())
	if t.Failed() {
		t.Logf("false positives, first ones: %s", strings.Join(fpExamples, "; "))
		t.Logf("missed, first ones: %s", strings.Join(missed, "; "))
	}
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}
