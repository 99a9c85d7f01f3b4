package classify

import (
	"strings"
	"testing"

	"github.com/sovereign-gateway/sovereign/internal/synth"
)

// Long text segments are scanned block by block (blockSize), each checked
// for characters to normalize just before: findings near and across block
// boundaries, and a character to normalize far into the body, must come out
// as in a short body.
func TestLongSegmentsAcrossBlocks(t *testing.T) {
	e, _ := New(Config{})
	filler := string(synth.Generate(synth.Prose, 3*blockSize, 1))
	email, card := "anna.schmidt@example.de", "4111 1111 1111 1111"
	for _, tc := range []struct {
		name  string
		late  string // appended after the filler's end, to force normalization late
		wants []string
	}{
		{"ascii", "", []string{email, card, email}},
		{"normalize late", " and ＡＢ123456Ｃ", []string{email, card, email, "ＡＢ123456Ｃ"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b strings.Builder
			// An email straddling the first block boundary, a card right
			// after the second, an email at the very end.
			b.WriteString(filler[:blockSize-10])
			b.WriteString(" " + email + " ")
			b.WriteString(filler[blockSize : 2*blockSize-40])
			b.WriteString(" card " + card + " ")
			b.WriteString(filler[2*blockSize : 3*blockSize-100])
			b.WriteString(" mail " + email + tc.late)
			body := []byte(b.String())
			fs := e.Text(body, nil)
			checkFindings(t, body, fs)
			var got []string
			for _, f := range fs {
				got = append(got, string(body[f.Start:f.End]))
			}
			if strings.Join(got, "|") != strings.Join(tc.wants, "|") {
				t.Fatalf("findings %q, want %q", got, tc.wants)
			}
		})
	}
}

// A candidate that starts before a block's end and runs to the body's end
// leaves no block to scan: the scan must end there, not index past the
// body (a panic on the last word of a text of 64 KiB and more, found by a
// probe).
func TestCandidateToTheEndOfALongBody(t *testing.T) {
	e, _ := New(Config{})
	for _, tail := range []string{" ORD1234567", " Regards, Anna Schmidt", " 4111 1111 1111 1111"} {
		for _, n := range []int{blockSize - 6, blockSize - 1, 2*blockSize - 4} {
			body := []byte(strings.Repeat("x", n) + tail)
			fs := e.Text(body, nil)
			checkFindings(t, body, fs)
			js := []byte(`{"content":"` + string(body) + `"}`)
			jfs, err := e.JSON(js, nil)
			if err != nil {
				t.Fatal(err)
			}
			checkFindings(t, js, jfs)
		}
	}
}
