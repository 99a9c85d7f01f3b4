package classify

import (
	"testing"
	"unicode/utf8"
)

// checkFindings asserts what holds for every result: spans inside the body,
// on UTF-8 boundaries when the body is valid UTF-8, sorted and not
// overlapping; classes match types; confidences in [threshold, 1]; secrets
// and business findings name a rule.
func checkFindings(t testing.TB, body []byte, fs []Finding) {
	t.Helper()
	valid := utf8.Valid(body)
	prevEnd := 0
	for i, f := range fs {
		if f.Start < 0 || f.End > len(body) || f.Start >= f.End {
			t.Fatalf("finding %d (%s) span [%d,%d) outside body of %d bytes", i, f.Type, f.Start, f.End, len(body))
		}
		if valid && (!utf8.RuneStart(body[f.Start]) || f.End < len(body) && !utf8.RuneStart(body[f.End])) {
			t.Fatalf("finding %d (%s) span [%d,%d) splits a rune", i, f.Type, f.Start, f.End)
		}
		if f.Start < prevEnd {
			t.Fatalf("finding %d (%s) at %d overlaps or precedes the previous one ending at %d", i, f.Type, f.Start, prevEnd)
		}
		prevEnd = f.End
		if f.Class != classOf(f.Type) {
			t.Fatalf("finding %d: type %s has class %s", i, f.Type, f.Class)
		}
		if f.Confidence < DefaultThreshold-1e-9 || f.Confidence > 1 {
			t.Fatalf("finding %d: confidence %v", i, f.Confidence)
		}
		if (f.Type == Secret || f.Type == Business) != (f.Rule != "") {
			t.Fatalf("finding %d: type %s with rule %q", i, f.Type, f.Rule)
		}
	}
}
