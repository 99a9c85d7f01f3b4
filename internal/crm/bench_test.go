package crm

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// Benchmarks of the latency the face adds: the same write sent to the
// double directly and through the gateway (minimize, regional commit in
// batch durability, audit append in batch mode, delivery, settle).
//
//	go test -run '^$' -bench 'Create|Collection' -benchmem -count 6 ./internal/crm/

func BenchmarkCreate(b *testing.B) {
	h := newHarness(b, harnessOptions{})
	body := func(i int) []byte {
		return fmt.Appendf(nil, `{"LastName":"Bench%d","FirstName":"Ben","Email":"bench%d@example.de","Phone":"+49 30 %07d","MailingCountry":"DE","Title":"Buyer","Description":"Call back about order %d"}`, i, i, i, i)
	}
	b.Run("direct", func(b *testing.B) {
		benchPost(b, h.org.URL+"/services/data/v62.0/sobjects/Contact", "Bearer "+orgToken(b, h), body, http.StatusCreated)
	})
	b.Run("gateway", func(b *testing.B) {
		benchPost(b, h.gw.URL+"/services/data/v62.0/sobjects/Contact", "Bearer "+keyEUSupport, body, http.StatusCreated)
	})
}

func BenchmarkCollection200(b *testing.B) {
	h := newHarness(b, harnessOptions{})
	body := func(i int) []byte {
		var sb strings.Builder
		sb.WriteString(`{"allOrNone":false,"records":[`)
		for k := range 200 {
			if k > 0 {
				sb.WriteByte(',')
			}
			fmt.Fprintf(&sb, `{"attributes":{"type":"Contact"},"LastName":"Bulk%d_%d","Email":"bulk%d_%d@example.de","MailingCountry":"DE","Title":"Buyer"}`, i, k, i, k)
		}
		sb.WriteString(`]}`)
		return []byte(sb.String())
	}
	b.Run("direct", func(b *testing.B) {
		benchPost(b, h.org.URL+"/services/data/v62.0/composite/sobjects", "Bearer "+orgToken(b, h), body, http.StatusOK)
	})
	b.Run("gateway", func(b *testing.B) {
		benchPost(b, h.gw.URL+"/services/data/v62.0/composite/sobjects", "Bearer "+keyEUSupport, body, http.StatusOK)
	})
}

func benchPost(b *testing.B, target, auth string, body func(int) []byte, want int) {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, target, bytes.NewReader(body(i)))
		req.Header.Set("Authorization", auth)
		req.Header.Set("Content-Type", "application/json")
		b.StartTimer()
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		out, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != want || bytes.Contains(out, []byte(`"success":false`)) || resp.Header.Get(HeaderDelivery) != "" {
			b.Fatalf("%d %s %v", resp.StatusCode, out, resp.Header)
		}
	}
}

// orgToken gets an access token from the double as the gateway would.
func orgToken(b *testing.B, h *harness) string {
	resp, err := http.PostForm(h.org.URL+"/services/oauth2/token", url.Values{
		"grant_type": {"client_credentials"}, "client_id": {orgClientID}, "client_secret": {orgClientSecret}})
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	_, tok, _ := strings.Cut(string(out), `"access_token":"`)
	tok, _, _ = strings.Cut(tok, `"`)
	return tok
}
