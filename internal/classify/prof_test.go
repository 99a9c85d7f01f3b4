package classify

import (
	"testing"

	"github.com/sovereign-gateway/sovereign/internal/synth"
)

func BenchmarkProf(b *testing.B) {
	for _, k := range []synth.Kind{synth.Prose, synth.Customers} {
		b.Run(string(k), func(b *testing.B) {
			e, _ := New(Config{})
			body := synth.Generate(k, 1<<20, 1)
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				e.Scan(body, nil)
			}
		})
	}
}
