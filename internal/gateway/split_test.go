package gateway

import (
	"bytes"
	"net/http"
	"regexp"
	"runtime"
	"testing"

	"github.com/sovereign-gateway/sovereign/internal/classify"
	"github.com/sovereign-gateway/sovereign/internal/synth"
)

// TestLargeRequestSplitAsSerial sends a 300 KiB chat request, whose
// messages the classifier splits between two cores, from an EU subject to
// a US model: the upstream must receive it pseudonymized byte for byte as
// a gateway with classify.serial forwards it.
func TestLargeRequestSplitAsSerial(t *testing.T) {
	procs := runtime.GOMAXPROCS(0)
	runtime.GOMAXPROCS(max(procs, 2)) // a split needs an idle P
	t.Cleanup(func() { runtime.GOMAXPROCS(procs) })
	body := bytes.Replace(synth.Generate(synth.Chat, 300<<10, 7), []byte(`"model":"regional"`), []byte(`"model":"us-frontier"`), 1)
	header := http.Header{"Authorization": {"Bearer " + testKey}, "Content-Type": {"application/json"},
		"Sovereign-Jurisdiction": {"EU"}}
	forward := func(serial bool) ([]byte, int64) {
		var eng *classify.Engine
		h := newHarness(t, harnessOptions{
			yaml: func(s string) string {
				if serial {
					s += "\nclassify:\n  serial: true\n"
				}
				return s
			},
			classifier: func(e *classify.Engine) Classifier { eng = e; return e },
		})
		resp, out := h.post("/v1/chat/completions", header, body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("serial %v: status %d: %s", serial, resp.StatusCode, out)
		}
		calls := h.up["us"].Calls()
		if len(calls) != 1 {
			t.Fatalf("serial %v: the us upstream got %d calls", serial, len(calls))
		}
		return calls[0].Body, eng.Splits()
	}
	split, splits := forward(false)
	serial, serialSplits := forward(true)
	if splits == 0 || serialSplits != 0 {
		t.Fatalf("%d splits by default, %d with classify.serial; want some and none", splits, serialSplits)
	}
	if !bytes.Contains(split, []byte("<EMAIL_1>")) {
		t.Fatal("nothing was pseudonymized: the comparison means little")
	}
	// The request's email addresses are its canaries: none may reach the
	// US upstream from either half of the split.
	emails := regexp.MustCompile(`[a-z.]+@[a-z.]+\.[a-z]+`).FindAll(body, -1)
	if len(emails) < 50 {
		t.Fatalf("only %d email addresses in the request", len(emails))
	}
	for _, m := range emails {
		if bytes.Contains(split, m) {
			t.Fatalf("the us upstream received an email address of the request (at %d of %d bytes)",
				bytes.Index(split, m), len(split))
		}
	}
	if !bytes.Equal(split, serial) {
		k := 0
		for k < min(len(split), len(serial)) && split[k] == serial[k] {
			k++
		}
		t.Fatalf("the forwarded bodies differ from byte %d (%d and %d bytes)", k, len(split), len(serial))
	}
}
