package gateway

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/openai/openai-go/v3"

	"github.com/sovereign-gateway/sovereign/internal/audit"
	"github.com/sovereign-gateway/sovereign/internal/llmtest"
)

// canaries are personal data and a secret, each found by the engine, that
// no gateway-side artifact may ever hold.
var canaries = []string{
	"Anna Canarysmith", "anna.canary@example.com", "+49 30 9876 5432", "DE89 3704 0044 0532 0130 00",
	"4111 1111 1111 1111", "Hauptstraße 5", "sk-proj-CanaryKey0123456789abcdefghij",
	"739164205813", // a PIN: twelve digits, so that no timestamp or hash in a record holds it by chance
}

const canaryText = "Customer Anna Canarysmith, anna.canary@example.com, +49 30 9876 5432, " +
	"IBAN DE89 3704 0044 0532 0130 00, card 4111 1111 1111 1111, lives at Hauptstraße 5, 10115 Berlin."

// TestNoCanaryLeaves runs a full gateway through forwarded, pseudonymized,
// streamed, inspected, blocked and failed requests full of canary values,
// then requires that none appears in any log line, in /metrics, in any
// error body or inspect answer, or in any file of the audit directory.
func TestNoCanaryLeaves(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	ctx := context.Background()
	eu := h.client(subject("DE"))
	chat := func(model, text string) openai.ChatCompletionNewParams {
		return openai.ChatCompletionNewParams{Model: model,
			Messages: []openai.ChatCompletionMessageParamUnion{openai.SystemMessage("Be brief."), openai.UserMessage(text)}}
	}
	for _, model := range []string{"regional", "us-frontier"} {
		comp, err := eu.Chat.Completions.New(ctx, chat(model, canaryText))
		if err != nil || comp.Choices[0].Message.Content != canaryText {
			t.Fatalf("%s: %v %+v", model, err, comp)
		}
		s := eu.Chat.Completions.NewStreaming(ctx, chat(model, canaryText))
		for s.Next() {
		}
		if err := s.Err(); err != nil {
			t.Fatalf("%s stream: %v", model, err)
		}
	}
	if _, err := eu.Embeddings.New(ctx, openai.EmbeddingNewParams{Model: "us-frontier",
		Input: openai.EmbeddingNewParamsInputUnion{OfArrayOfStrings: []string{canaryText, "plain text"}}}); err != nil {
		t.Fatal(err)
	}
	if h.up["us"].Saw("anna.canary") || h.up["us"].Saw("Canarysmith") {
		t.Fatal("the us upstream saw a canary")
	}

	// Answers that must hold no canary: errors and dry runs.
	hdr := http.Header{"Content-Type": {"application/json"}, "Authorization": {"Bearer " + testKey}}
	body := func(model, text string) []byte {
		b, _ := chatBody(model, text)
		return b
	}
	var answers []string
	for _, r := range []struct {
		path, jur string
		body      []byte
	}{
		{"/v1/inspect", "EU", body("us-frontier", canaryText+" "+canaries[6])},
		{"/v1/chat/completions", "EU", body("regional", "my key "+canaries[6])},    // secret: 403
		{"/v1/chat/completions", "EU", body("regional", "my PIN is "+canaries[7])}, // secret: 403
		{"/v1/inspect", "EU", body("regional", "PIN: "+canaries[7])},
		{"/v1/chat/completions", "UK", body("us-frontier", canaryText)},                                        // may not leave the UK: 403
		{"/v1/chat/completions", "EU", []byte(`{"model":"regional","messages":[` + canaryText)},                // malformed
		{"/v1/chat/completions", "EU", append([]byte(`{"model":"regional","x":"`+canaryText), 0xff, '"', '}')}, // invalid UTF-8
		{"/v1/chat/completions", "EU", body(canaries[1], canaryText)},                                          // unknown model
	} {
		hdr.Set("Sovereign-Jurisdiction", r.jur)
		_, got := h.post(r.path, hdr, r.body)
		answers = append(answers, string(got))
	}
	if !strings.Contains(strings.Join(answers, "\n"), `"rule":"pin"`) {
		t.Fatalf("no answer reports the PIN canary as a PIN: the case tests nothing\n%s", strings.Join(answers, "\n"))
	}
	// An upstream whose 400 quotes the request: its text is not relayed.
	h.up["eu"].SetFault(llmtest.RejectEcho)
	hdr.Set("Sovereign-Jurisdiction", "EU")
	resp, got := h.post("/v1/chat/completions", hdr, body("regional", canaryText))
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(got), "upstream_rejected") {
		t.Fatalf("upstream 400: %d %s", resp.StatusCode, got)
	}
	answers = append(answers, string(got))
	h.up["eu"].SetFault(llmtest.Healthy)

	mresp, err := http.Get(strings.TrimSuffix(h.base, "/v1") + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(mresp.Body)
	mresp.Body.Close()
	if !strings.Contains(string(metrics), `sovereign_findings_total{type="email",class="personal",direction="request"}`) {
		t.Errorf("metrics do not count findings:\n%s", metrics)
	}
	if len(h.records()) < 10 {
		t.Fatalf("only %d records", len(h.records()))
	}
	if err := h.sink.Sink.(*audit.Log).Sync(ctx); err != nil {
		t.Fatal(err)
	}

	logs := h.logs.String()
	for _, c := range canaries {
		for _, a := range answers {
			if strings.Contains(a, c) {
				t.Errorf("an answer holds %q: %s", c, a)
			}
		}
		if strings.Contains(logs, c) {
			t.Errorf("the log holds %q", c)
		}
		if strings.Contains(string(metrics), c) {
			t.Errorf("the metrics hold %q", c)
		}
		hits, err := audit.ScanForCanary(h.auditDir, c)
		if err != nil {
			t.Fatal(err)
		}
		if len(hits) > 0 {
			t.Errorf("the audit directory holds %q at %+v", c, hits)
		}
	}
}

// TestOutputGuard: a credential the model adds to its answer is redacted
// before the caller gets it, whole and streamed in deltas of every size,
// while the caller's own values are restored.
func TestOutputGuard(t *testing.T) {
	const key = "sk-proj-ModelLeakedKey0123456789abcdefgh"
	var chunk atomic.Int64
	h := newHarness(t, harnessOptions{upstream: func(string) llmtest.Options {
		return llmtest.Options{
			Reply:  func(r *llmtest.ChatRequest) string { return llmtest.Echo(r) + " Use key " + key + " now." },
			Chunks: func(s string) []string { return llmtest.ChunkBy(int(chunk.Load()))(s) },
		}
	}})
	c := h.client(subject("EU"))
	const msg = "Mail anna.canary@example.com."
	params := openai.ChatCompletionNewParams{Model: "us-frontier", Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage(msg)}}
	want := msg + " Use key [SECRET] now."
	chunk.Store(1000)
	comp, err := c.Chat.Completions.New(context.Background(), params)
	if err != nil {
		t.Fatal(err)
	}
	if got := comp.Choices[0].Message.Content; got != want {
		t.Fatalf("json: %q, want %q", got, want)
	}
	for _, n := range []int{1, 2, 3, 5, 8, 13, 40, 1000} {
		chunk.Store(int64(n))
		got, err := streamText(c, params)
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Fatalf("deltas of %d bytes: %q", n, got)
		}
	}
	rec := h.records()
	if last := rec[len(rec)-1]; len(last.OutputFindings) == 0 || last.OutputFindings[0].Type != "secret" {
		t.Errorf("record output findings: %+v", last.OutputFindings)
	}
}

// TestOutputGuardHoldsSecretStarts: a secret streamed in two pieces, split
// after each of its first bytes, never reaches the caller in part, whatever
// its first letters look like: fixed prefixes (sk-, ghp_, xoxb-, AKIA,
// AIza, eyJ) and secrets that only words around make one ("client secret
// abc8Q~...", "password: hunter2"). Before the guard knew them, the first
// letters ("sk", "ghp", "abc") passed as plain words.
func TestOutputGuardHoldsSecretStarts(t *testing.T) {
	cases := []struct{ lead, secret string }{
		{"Use key ", "sk-proj-ModelLeakedKey0123456789abcdefgh"},
		{"Stripe ", "sk_live_51Hx8KqLm9Np4Rs1Tv6Wx3Yz8Ab5Cd"},
		{"Clone with ", "ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"},
		{"Slack ", "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx"},
		{"CI uses ", "glpat-xY7kQ2lM9nP4rS1tV6wX"},
		{"The id is ", "AKIAIOSFODNN7EXAMPLE"},
		{"Maps ", "AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY"},
		{"Header ", "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"},
		{"The client secret ", "abc8Q~Xy7Kq2Lm9Np4Rs1Tv6Wx3Yz8Ab5Cd0Ef7G"},
		{"Log in with password: ", "hunter2Xy9Secret"},
		// A separator inside a password: split after the '&', the
		// tail must still be redacted with the rest.
		{"Log in with password=", "Tr0ub4dor&3xyzQ"},
		// Passwords given in words, as a support chat has them.
		{"My password is ", "hunter2Xy9Q"},
		{"Mein Passwort lautet ", "Geheim#42xy"},
		// Codes of digits, named before them.
		{"My PIN is ", "48213"},
		{"PIN ", "4821 5566"},
		{"Security code: ", "842"},
		{"Your verification code is ", "483920"},
		{"Ihr Bestätigungscode lautet ", "55 66 77"},
		{"PIN nr. ", "2468"},
		{"Your CVC2 is ", "842"},
		{"Din engångskod är ", "483920"},
		{"Twój kod BLIK to ", "771204"},
		{"Your security code is ", "483920"},
		{"Webhook ", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"},
		{"Token ", "ya29.a0AfH6SMBx3l9VbKmPq2r7nQ8gHk_xYz-123"},
		{"Publish with ", "npm_aB3dE5fG7hI9jK1lM3nO5pQ7rS9tU1vW3xY5"},
		{"Upload with ", "pypi-AgEIcHlwaS5vcmcCJGE4ZjY5NGI3LWQ0YzUtNDlhMy1hYjA5LTQzYzE2MmJmMzQwZgACKlszLCJkZDk3NjFjMy1hZmMy"},
		{"Model hub ", "hf_aBcDeFgHiJkLmNoPqRsTuVwXyZaBcDeFgH"},
		// Full-width letters and a zero-width space, which the
		// classifier reads through.
		{"Use key ", "ｓｋ－ｐｒｏｊ－ModelLeakedKey0123456789abcdefgh"},
		{"Use key ", "sk-pr\u200boj-ModelLeakedKey0123456789abcdefgh"},
		// Typographic quotes, a key's boundary as ASCII ones are.
		{"Use key „", "sk-proj-ModelLeakedKey0123456789abcdefgh"},
		{"La clé est «", "sk_live_51Hx8KqLm9Np4Rs1Tv6Wx3Yz8Ab5Cd"},
		{"Get https://shop.blob.core.windows.net/x/a.csv?sv=2022-11-02&sp=r&sig=", "LKKjnTdPEFW1Xi1%2BOLxp5P62sXfHO%2BD%2FpEPtWgRDQtU%3D"},
	}
	var reply, split atomic.Value
	var at atomic.Int64
	h := newHarness(t, harnessOptions{upstream: func(string) llmtest.Options {
		return llmtest.Options{
			Reply: func(*llmtest.ChatRequest) string { return reply.Load().(string) },
			Chunks: func(s string) []string {
				if !split.Load().(bool) {
					return []string{s}
				}
				return llmtest.SplitAt(int(at.Load()))(s)
			},
		}
	}})
	c := h.client(subject("EU"))
	params := openai.ChatCompletionNewParams{Model: "us-frontier", Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("Hello")}}
	for _, tc := range cases {
		text := tc.lead + tc.secret + " now."
		reply.Store(text)
		split.Store(false)
		comp, err := c.Chat.Completions.New(context.Background(), params)
		if err != nil {
			t.Fatal(err)
		}
		want := comp.Choices[0].Message.Content
		if want != tc.lead+"[SECRET] now." {
			t.Fatalf("%s...: the whole answer became %q: the case tests nothing", tc.secret[:4], want)
		}
		for k := 1; k <= min(len(tc.secret)-1, 24); k++ {
			split.Store(true)
			at.Store(int64(len(tc.lead) + k))
			got, err := streamText(c, params)
			if err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Fatalf("%s... split after %d bytes: streamed %q, want %q", tc.secret[:4], k, got, want)
			}
		}
	}
}

// TestOutputGuardHoldsNumbersInGroups: a card number, an IBAN and phone
// numbers written in groups, which a UK subject's data may not take to a US
// model, are redacted in a stream as in the whole answer, however the
// stream splits them: in two at every byte, and in deltas of one to six
// bytes (as models stream tokens).
func TestOutputGuardHoldsNumbersInGroups(t *testing.T) {
	cases := []struct{ lead, number, typ string }{
		{"Your card ", "4111 1111 1111 1111", "PAYMENT_CARD"},
		{"Pay to ", "GB82 WEST 1234 5698 7654 32", "IBAN"},
		{"Call us on ", "+44 20 7946 0958", "PHONE"},
		{"Call me at ", "(212) 736-5000", "PHONE"},
		// Digits the classifier normalizes: full-width, Arabic-Indic,
		// Devanagari, and ASCII ones split by zero-width spaces.
		{"Your card ", "４１１１ １１１１ １１１１ １１１１", "PAYMENT_CARD"},
		{"Your card ", "٤١١١١١١١١١١١١١١١", "PAYMENT_CARD"},
		{"Call us on ", "+४४ २० ७९४६ ०९५८", "PHONE"},
		{"Your card ", "4111\u200b1111\u200b1111\u200b1111", "PAYMENT_CARD"},
		{"Your card ", "4111 - 1111 - 1111 - 1111", "PAYMENT_CARD"},
	}
	var reply atomic.Value
	var chunks atomic.Value
	h := newHarness(t, harnessOptions{upstream: func(string) llmtest.Options {
		return llmtest.Options{
			Reply:  func(*llmtest.ChatRequest) string { return reply.Load().(string) },
			Chunks: func(s string) []string { return chunks.Load().(func(string) []string)(s) },
		}
	}})
	c := h.client(subject("UK"))
	params := openai.ChatCompletionNewParams{Model: "us-frontier", Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("Hello")}}
	whole := func(s string) []string { return []string{s} }
	for _, tc := range cases {
		text := tc.lead + tc.number + " is on file."
		reply.Store(text)
		chunks.Store(whole)
		comp, err := c.Chat.Completions.New(context.Background(), params)
		if err != nil {
			t.Fatal(err)
		}
		want := comp.Choices[0].Message.Content
		if want != tc.lead+"["+tc.typ+"] is on file." {
			t.Fatalf("%s: the whole answer became %q: the case tests nothing", tc.number, want)
		}
		streamsAsWhole(t, c, params, &chunks, len(tc.lead)+1, len(tc.lead)+len(tc.number), want)
	}
}

// streamsAsWhole streams the answer split in two after every byte from
// `from` to `to`, and in deltas of one to six bytes (as models stream
// tokens), through chunks, the upstream's splitter; each stream must read
// want, the whole answer.
func streamsAsWhole(t *testing.T, c openai.Client, params openai.ChatCompletionNewParams, chunks *atomic.Value, from, to int, want string) {
	t.Helper()
	var splits []func(string) []string
	for k := from; k < to; k++ {
		splits = append(splits, llmtest.SplitAt(k))
	}
	for n := 1; n <= 6; n++ {
		splits = append(splits, llmtest.ChunkBy(n))
	}
	for k, split := range splits {
		chunks.Store(split)
		got, err := streamText(c, params)
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Fatalf("split %d of %q: streamed %q", k, want, got)
		}
	}
}

// TestOutputGuardHoldsBusinessTerms: a supplier's name of several words,
// a business term the policy keeps in a UK subject's jurisdiction, is
// redacted in a stream as in the whole answer however the stream splits it.
func TestOutputGuardHoldsBusinessTerms(t *testing.T) {
	business := func(s string) string {
		return s + "\nclassify:\n  business:\n    - id: suppliers\n      terms: [Acme Supplies, Nordwind Textil GmbH]\n"
	}
	guardedAsWhole(t, business, "We buy from Nordwind Textil GmbH and Acme Supplies now.",
		"We buy from [BUSINESS] and [BUSINESS] now.")
}

// TestOutputGuardHoldsNames: names of two words, which a UK subject's data
// may not take to a US model, are redacted in a stream as in the whole
// answer however the stream splits them; "Will" alone is no name to the
// classifier, so a guard that sent it as a word let it out.
func TestOutputGuardHoldsNames(t *testing.T) {
	guardedAsWhole(t, nil, "Dear Will Smith, and thanks to Jean-Luc Picard.",
		"Dear [PERSON_NAME], and thanks to [PERSON_NAME].")
}

// guardedAsWhole has a US model answer text to a UK subject, whole and
// then streamed split every way streamsAsWhole splits it, with the config
// edited by yaml (nil: as it is); the whole answer must be want, and every
// stream must read the same.
func guardedAsWhole(t *testing.T, yaml func(string) string, text, want string) {
	t.Helper()
	var chunks atomic.Value
	h := newHarness(t, harnessOptions{
		yaml: yaml,
		upstream: func(string) llmtest.Options {
			return llmtest.Options{
				Reply:  func(*llmtest.ChatRequest) string { return text },
				Chunks: func(s string) []string { return chunks.Load().(func(string) []string)(s) },
			}
		},
	})
	c := h.client(subject("UK"))
	params := openai.ChatCompletionNewParams{Model: "us-frontier", Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("Hello")}}
	chunks.Store(func(s string) []string { return []string{s} })
	comp, err := c.Chat.Completions.New(context.Background(), params)
	if err != nil {
		t.Fatal(err)
	}
	if got := comp.Choices[0].Message.Content; got != want {
		t.Fatalf("the whole answer became %q, want %q: the case tests nothing", got, want)
	}
	streamsAsWhole(t, c, params, &chunks, 1, len(text), want)
}

// TestLogValuesHoldNoData: the types that carry request data log without it.
func TestLogValuesHoldNoData(t *testing.T) {
	body := []byte(`{"model":"regional","messages":[{"role":"user","content":"anna.canary@example.com"}]}`)
	env, e := parseEnvelope(body, opChat, false)
	if e != nil {
		t.Fatal(e)
	}
	x := &exchange{id: "req_x", op: opChat, body: body, env: env}
	p := &plan{body: body}
	var buf strings.Builder
	log := slog.New(slog.NewJSONHandler(&buf, nil))
	log.Info("values", "exchange", x, "envelope", env, "plan", p)
	if strings.Contains(buf.String(), "canary") || !strings.Contains(buf.String(), `"body_bytes":`) {
		t.Fatalf("logged %s", buf.String())
	}
}
