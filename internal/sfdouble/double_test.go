package sfdouble

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

func newServer(t *testing.T, opts Options) (*Double, *httptest.Server) {
	t.Helper()
	d := New(opts)
	srv := httptest.NewServer(d)
	t.Cleanup(srv.Close)
	return d, srv
}

func clientCredentialsToken(t *testing.T, base string) string {
	t.Helper()
	resp, err := http.PostForm(base+"/services/oauth2/token", url.Values{
		"grant_type": {"client_credentials"}, "client_id": {"app"}, "client_secret": {"s3cret"}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
		InstanceURL string `json:"instance_url"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || tok.AccessToken == "" || tok.InstanceURL != base {
		t.Fatalf("token: %d %+v %v", resp.StatusCode, tok, err)
	}
	return tok.AccessToken
}

type step struct {
	name, method, path, body string
	wantStatus               int
	wantBody                 string // substring of the answer
}

// TestWireFormat walks one org through the status codes and shapes clients
// depend on; later steps use Ids assigned by earlier ones ({id1}, {id2}).
func TestWireFormat(t *testing.T) {
	_, srv := newServer(t, Options{ClientID: "app", ClientSecret: "s3cret"})
	tok := clientCredentialsToken(t, srv.URL)
	many := make([]string, 201)
	for i := range many {
		many[i] = `{"attributes":{"type":"Contact"},"LastName":"x"}`
	}
	steps := []step{
		{"create", "POST", "/sobjects/Contact", `{"LastName":"Doe","Email":"tok_a@token.invalid","Customer_Number__c":"C1"}`, 201, `"success":true,"errors":[]`},
		{"create second", "POST", "/sobjects/Contact", `{"LastName":"Roe","Customer_Number__c":"C1"}`, 201, `"id":"003`},
		{"required field", "POST", "/sobjects/Contact", `{"FirstName":"x"}`, 400, `"errorCode":"REQUIRED_FIELD_MISSING","fields":["LastName"]`},
		{"invalid email", "POST", "/sobjects/Contact", `{"LastName":"x","Email":"not-an-email"}`, 400, `INVALID_EMAIL_ADDRESS`},
		{"unknown field", "POST", "/sobjects/Contact", `{"LastName":"x","Shoe__c":"9"}`, 400, `"errorCode":"INVALID_FIELD"`},
		{"unknown object", "POST", "/sobjects/Spaceship__c", `{}`, 404, `"errorCode":"NOT_FOUND"`},
		{"malformed body", "POST", "/sobjects/Contact", `{"LastName":`, 400, `JSON_PARSER_ERROR`},
		{"get", "GET", "/sobjects/Contact/{id1}?fields=LastName,Email", ``, 200, `"LastName":"Doe"`},
		{"get missing", "GET", "/sobjects/Contact/003000000000999AAA", ``, 404, `[{"message":"The requested resource does not exist","errorCode":"NOT_FOUND","fields":[]}]`},
		{"update", "PATCH", "/sobjects/Contact/{id1}", `{"Phone":"tok_p"}`, 204, ``},
		{"upsert creates", "PATCH", "/sobjects/Contact/Sovereign_Id__c/sv1", `{"LastName":"New"}`, 201, `"created":true`},
		{"upsert updates", "PATCH", "/sobjects/Contact/Sovereign_Id__c/sv1", `{"LastName":"Newer"}`, 200, `"created":false`},
		{"upsert ambiguous", "PATCH", "/sobjects/Contact/Customer_Number__c/C1", `{"LastName":"x"}`, 300, `/sobjects/Contact/{id1}`},
		{"upsert bad field", "PATCH", "/sobjects/Contact/Email/x", `{}`, 404, `Provided external ID field does not exist`},
		{"collection create", "POST", "/composite/sobjects", `{"allOrNone":false,"records":[{"attributes":{"type":"Contact"},"LastName":"A"},{"attributes":{"type":"Contact"}}]}`, 200, `"success":false,"errors":[{"statusCode":"REQUIRED_FIELD_MISSING"`},
		{"collection all or none", "POST", "/composite/sobjects", `{"allOrNone":true,"records":[{"attributes":{"type":"Contact"},"LastName":"A"},{"attributes":{"type":"Contact"}}]}`, 200, `ALL_OR_NONE_OPERATION_ROLLED_BACK`},
		{"collection too many", "POST", "/composite/sobjects", `{"records":[` + strings.Join(many, ",") + `]}`, 400, `"errorCode":"EXCEEDED_ID_LIMIT"`},
		{"collection upsert", "PATCH", "/composite/sobjects/Contact/Sovereign_Id__c", `{"records":[{"attributes":{"type":"Contact"},"Sovereign_Id__c":"sv2","LastName":"B"}]}`, 200, `"created":true`},
		{"composite", "POST", "/composite", `{"compositeRequest":[{"method":"POST","url":"/services/data/v62.0/sobjects/Account","referenceId":"acc","body":{"Name":"Acme"}},{"method":"POST","url":"/services/data/v62.0/sobjects/Contact","referenceId":"c","body":{"LastName":"Z","AccountId":"@{acc.id}"}},{"method":"GET","url":"/services/data/v62.0/sobjects/Contact/@{c.id}?fields=AccountId","referenceId":"g"}]}`, 200, `"AccountId":"001`},
		{"query", "GET", "/query?q=" + url.QueryEscape("SELECT Id, LastName FROM Contact WHERE Customer_Number__c = 'C1' AND LastName IN ('Doe','x') ORDER BY LastName"), ``, 200, `"totalSize":1,"done":true`},
		{"query malformed", "GET", "/query?q=" + url.QueryEscape("SELECT FROM"), ``, 400, `MALFORMED_QUERY`},
		{"query long text filter", "GET", "/query?q=" + url.QueryEscape("SELECT Id FROM Contact WHERE Description = 'x'"), ``, 400, `can not be filtered`},
		{"external id moves with an update", "PATCH", "/sobjects/Contact/{id1}", `{"Customer_Number__c":"C9"}`, 204, ``},
		{"upsert finds the new value", "PATCH", "/sobjects/Contact/Customer_Number__c/C9", `{"Title":"moved"}`, 200, `"id":"{id1}","success":true,"errors":[],"created":false`},
		{"the old value now names one record", "PATCH", "/sobjects/Contact/Customer_Number__c/C1", `{"Title":"only"}`, 200, `"id":"{id2}"`},
		{"limits", "GET", "/limits", ``, 200, `"DailyApiRequests"`},
		{"delete", "DELETE", "/sobjects/Contact/{id2}", ``, 204, ``},
		{"deleted record leaves the index", "PATCH", "/sobjects/Contact/Customer_Number__c/C1", `{"LastName":"Fresh"}`, 201, `"created":true`},
		{"delete again", "DELETE", "/sobjects/Contact/{id2}", ``, 404, `NOT_FOUND`},
	}
	ids := map[string]string{}
	for _, s := range steps {
		path := s.path
		for k, v := range ids {
			path = strings.ReplaceAll(path, "{"+k+"}", v)
		}
		req, _ := http.NewRequest(s.method, srv.URL+"/services/data/v62.0"+path, strings.NewReader(s.body))
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		want := s.wantBody
		for k, v := range ids {
			want = strings.ReplaceAll(want, "{"+k+"}", v)
		}
		if resp.StatusCode != s.wantStatus || !strings.Contains(string(b), want) {
			t.Errorf("%s: %d %s\nwant %d containing %s", s.name, resp.StatusCode, b, s.wantStatus, want)
		}
		if s.method == "POST" && strings.HasPrefix(s.path, "/sobjects/Contact") && resp.StatusCode == 201 {
			var r struct{ ID string }
			_ = json.Unmarshal(b, &r)
			ids[fmt.Sprintf("id%d", len(ids)+1)] = r.ID
		}
	}
}

func TestUnauthorizedAndExpiry(t *testing.T) {
	d, srv := newServer(t, Options{ClientID: "app", ClientSecret: "s3cret"})
	get := func(tok string) int {
		req, _ := http.NewRequest("GET", srv.URL+"/services/data/v62.0/sobjects/Contact/x", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if c := get("forged"); c != 401 {
		t.Fatalf("forged token: %d", c)
	}
	tok := clientCredentialsToken(t, srv.URL)
	if c := get(tok); c != 404 {
		t.Fatalf("valid token: %d", c)
	}
	d.ExpireTokens()
	if c := get(tok); c != 401 {
		t.Fatalf("expired token: %d", c)
	}
	resp, _ := http.PostForm(srv.URL+"/services/oauth2/token", url.Values{"grant_type": {"client_credentials"}, "client_id": {"app"}, "client_secret": {"wrong"}})
	resp.Body.Close()
	if resp.StatusCode != 400 {
		t.Fatalf("wrong secret: %d", resp.StatusCode)
	}
}

func TestJWTBearer(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	other, _ := rsa.GenerateKey(rand.Reader, 2048)
	_, srv := newServer(t, Options{ClientID: "app", Username: "int@example.com", PublicKey: &key.PublicKey, Audience: "https://login.salesforce.com"})
	sign := func(k *rsa.PrivateKey, sub string, exp time.Time) string {
		enc := base64.RawURLEncoding
		h := enc.EncodeToString([]byte(`{"alg":"RS256","typ":"JWT"}`))
		p := enc.EncodeToString([]byte(fmt.Sprintf(`{"iss":"app","sub":%q,"aud":"https://login.salesforce.com","exp":%d}`, sub, exp.Unix())))
		sum := sha256.Sum256([]byte(h + "." + p))
		sig, _ := rsa.SignPKCS1v15(rand.Reader, k, crypto.SHA256, sum[:])
		return h + "." + p + "." + enc.EncodeToString(sig)
	}
	cases := []struct {
		name      string
		assertion string
		want      int
	}{
		{"good", sign(key, "int@example.com", time.Now().Add(time.Minute)), 200},
		{"other key", sign(other, "int@example.com", time.Now().Add(time.Minute)), 400},
		{"other user", sign(key, "eve@example.com", time.Now().Add(time.Minute)), 400},
		{"expired", sign(key, "int@example.com", time.Now().Add(-time.Minute)), 400},
		{"garbage", "a.b.c", 400},
	}
	for _, c := range cases {
		resp, err := http.PostForm(srv.URL+"/services/oauth2/token", url.Values{
			"grant_type": {"urn:ietf:params:oauth:grant-type:jwt-bearer"}, "assertion": {c.assertion}})
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != c.want {
			t.Errorf("%s: %d %s", c.name, resp.StatusCode, b)
		}
	}
}

func TestDownAndDrop(t *testing.T) {
	d, srv := newServer(t, Options{ClientID: "app", ClientSecret: "s3cret"})
	tok := clientCredentialsToken(t, srv.URL)
	post := func() (int, error) {
		req, _ := http.NewRequest("POST", srv.URL+"/services/data/v62.0/sobjects/Contact", bytes.NewReader([]byte(`{"LastName":"x"}`)))
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, err
		}
		resp.Body.Close()
		return resp.StatusCode, nil
	}
	d.SetDown(true)
	if c, _ := post(); c != 503 {
		t.Fatalf("down: %d", c)
	}
	d.SetDown(false)
	d.DropAfterWrite(1)
	if _, err := post(); err == nil {
		t.Fatal("dropped write answered")
	}
	if n := len(d.Records("Contact")); n != 1 {
		t.Fatalf("dropped write not stored: %d records", n)
	}
	if c, _ := post(); c != 201 {
		t.Fatalf("after drop: %d", c)
	}
}
