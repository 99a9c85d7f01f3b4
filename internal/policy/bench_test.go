package policy

import (
	"testing"

	"github.com/sovereign-gateway/sovereign/internal/classify"
)

// benchInput is an EU chat toward the US with ten findings of four keys,
// decided by the three-regions policy (pseudonymize).
func benchInput(b *testing.B) *Input {
	cfg := loadConfig(b, "../../examples/three-regions.yaml")
	in := euToUS(b, cfg)
	keys := []classify.Finding{
		{Type: classify.Email, Class: classify.ClassPersonal},
		{Type: classify.Phone, Class: classify.ClassPersonal},
		{Type: classify.PersonName, Class: classify.ClassPersonal},
		{Type: classify.IBAN, Class: classify.ClassPersonal},
	}
	for i := range 10 {
		f := keys[i%len(keys)]
		f.Start, f.End = i*100, i*100+20
		in.Findings = append(in.Findings, f)
	}
	return in
}

func benchDecide(b *testing.B, opts ...Option) {
	in := benchInput(b)
	eng, err := Compile(loadConfig(b, "../../examples/three-regions.yaml"), opts...)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		d, err := eng.Decide(in)
		if err != nil || d.Action != Pseudonymize {
			b.Fatal(d.Action, err)
		}
	}
}

func BenchmarkDecideCached(b *testing.B)   { benchDecide(b) }
func BenchmarkDecideUncached(b *testing.B) { benchDecide(b, WithCacheSize(0)) }
