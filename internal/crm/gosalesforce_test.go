package crm

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"

	salesforce "github.com/k-capehart/go-salesforce/v3"
	"gopkg.in/yaml.v3"
)

// contact is how a go-salesforce user declares a record.
type contact struct {
	Id                 string `json:",omitempty" mapstructure:",omitempty"`
	LastName           string `json:",omitempty" mapstructure:",omitempty"`
	Email              string `json:",omitempty" mapstructure:",omitempty"`
	MailingCountry     string `json:",omitempty" mapstructure:",omitempty"`
	Title              string `json:",omitempty" mapstructure:",omitempty"`
	Customer_Number__c string `json:",omitempty" mapstructure:",omitempty"`
}

// TestGoSalesforce drives the face with github.com/k-capehart/go-salesforce
// v3.1.0, authenticated with a gateway API key as its access token, on its
// default API version (v63.0: the face serves any version).
func TestGoSalesforce(t *testing.T) {
	h := newHarness(t, harnessOptions{queryBatch: 10})
	sf, err := salesforce.Init(salesforce.Creds{Domain: h.gw.URL, AccessToken: keyEUSupport})
	if err != nil {
		t.Fatalf("init (validates the session with GET /limits): %v", err)
	}
	us, err := salesforce.Init(salesforce.Creds{Domain: h.gw.URL, AccessToken: keyUSAnalytics})
	if err != nil {
		t.Fatal(err)
	}
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}

	res, err := sf.InsertOne("Contact", contact{LastName: "Vandermeer", Email: "lena.v@example.nl", MailingCountry: "NL"})
	must("insert", err)
	if !res.Success || !strings.HasPrefix(res.Id, "003") {
		t.Fatalf("insert result %+v", res)
	}
	must("update", sf.UpdateOne("Contact", contact{Id: res.Id, Title: "Analyst"}))

	up, err := sf.UpsertOne("Contact", "Customer_Number__c", contact{Customer_Number__c: "GS-CUST-31337", LastName: "Quinn", Email: "quinn@example.de", MailingCountry: "DE"})
	must("upsert", err)
	if !up.Success {
		t.Fatalf("upsert result %+v", up)
	}

	var bulk []contact
	for i := range 23 {
		bulk = append(bulk, contact{LastName: fmt.Sprintf("Bulkgo%d", i), Email: fmt.Sprintf("b%d@bulk.example.de", i), MailingCountry: "DE"})
	}
	cres, err := sf.InsertCollection("Contact", bulk, 200)
	must("insert collection", err)
	if cres.HasSalesforceErrors || len(cres.Results) != 23 {
		t.Fatalf("collection results %+v", cres)
	}
	comp, err := sf.InsertComposite("Contact", []contact{{LastName: "Kaur", Email: "kaur@example.co.uk", MailingCountry: "GB"}}, 200, true)
	must("insert composite", err)
	if comp.HasSalesforceErrors || len(comp.Results) != 1 || !comp.Results[0].Success {
		t.Fatalf("composite results %+v", comp)
	}
	acct, err := sf.InsertOne("Account", map[string]any{"Name": "Umbrella"})
	must("insert account", err)
	tmp, err := sf.InsertOne("Account", map[string]any{"Name": "Temporary"})
	must("insert second account", err)
	must("delete", sf.DeleteOne("Account", map[string]any{"Id": tmp.Id}))
	_ = acct

	// Query: more rows than the org's page size, so go-salesforce follows
	// nextRecordsUrl through the face.
	var got []contact
	must("query", sf.Query("SELECT Id, LastName, Email FROM Contact WHERE MailingCountry = 'DE'", &got))
	if len(got) != 24 {
		t.Fatalf("query returned %d contacts, want 24", len(got))
	}
	plain := 0
	for _, c := range got {
		if strings.HasPrefix(c.LastName, "Bulkgo") && strings.HasSuffix(c.Email, "@bulk.example.de") {
			plain++
		}
	}
	if plain != 23 {
		t.Fatalf("the authorized caller saw %d of 23 bulk contacts in clear: %+v", plain, got)
	}
	var one []contact
	must("query by email", sf.Query("SELECT Id, LastName, Email, Title FROM Contact WHERE Email = 'lena.v@example.nl'", &one))
	if len(one) != 1 || one[0].LastName != "Vandermeer" || one[0].Title != "Analyst" {
		t.Fatalf("query by a tokenized field: %+v", one)
	}
	var other []contact
	must("query as us-analytics", us.Query("SELECT Id, LastName, Email FROM Contact WHERE Email = 'lena.v@example.nl'", &other))
	if len(other) != 1 || other[0].LastName == "Vandermeer" || !strings.HasSuffix(other[0].Email, "@token.invalid") {
		t.Fatalf("another caller must see tokens: %+v", other)
	}

	// Raw calls: get by id, and Salesforce-shaped errors.
	resp, err := sf.DoRequest(http.MethodGet, "/sobjects/Contact/"+res.Id, nil)
	must("get", err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var rec map[string]any
	if json.Unmarshal(body, &rec) != nil || rec["Email"] != "lena.v@example.nl" {
		t.Fatalf("get: %s", body)
	}
	if _, err := sf.InsertOne("Spaceship__c", map[string]any{"Name": "x"}); err == nil || !strings.Contains(err.Error(), "NOT_FOUND") {
		t.Fatalf("unknown object: %v", err)
	}
	if err := sf.Query("SELECT Id FROM Contact WHERE LastName = 'Quinn'", &other); err == nil || !strings.Contains(err.Error(), "MALFORMED_QUERY") {
		t.Fatalf("filter on a masked field: %v", err)
	}

	var checks testCase
	data, err := os.ReadFile("testdata/gosalesforce.yaml")
	must("read checks", err)
	must("decode checks", yaml.Unmarshal(data, &checks))
	h.flush()
	checkCase(t, h, checks, nil)
}
