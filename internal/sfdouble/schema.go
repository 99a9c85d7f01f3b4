package sfdouble

// Kind is a field's type, as far as the double validates it.
type Kind int

// Field kinds.
const (
	String Kind = iota
	Email
	Text // long text area: not filterable in SOQL
	Any
)

// Object is an sObject type the double knows.
type Object struct {
	Prefix      string          // three-character key prefix of its Ids, e.g. 003
	Fields      map[string]Kind // fields besides Id
	Required    []string        // needed on create
	ExternalIDs []string        // fields usable for upsert
}

// DefaultObjects returns Contact, Lead, Account, Order, Case and
// Loyalty_Member__c with their common fields and the Sovereign_Id__c and
// Customer_Number__c external id fields.
func DefaultObjects() map[string]Object {
	common := func(extra map[string]Kind) map[string]Kind {
		m := map[string]Kind{"Sovereign_Id__c": String, "Customer_Number__c": String, "Description": Text, "OwnerId": String}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	ext := []string{"Sovereign_Id__c", "Customer_Number__c"}
	return map[string]Object{
		"Contact": {Prefix: "003", Required: []string{"LastName"}, ExternalIDs: ext, Fields: common(map[string]Kind{
			"FirstName": String, "LastName": String, "Email": Email, "Phone": String, "MobilePhone": String,
			"MailingStreet": String, "MailingCity": String, "MailingPostalCode": String, "MailingCountry": String,
			"Birthdate": String, "AccountId": String, "Title": String, "LeadSource": String,
		})},
		"Lead": {Prefix: "00Q", Required: []string{"LastName", "Company"}, ExternalIDs: ext, Fields: common(map[string]Kind{
			"FirstName": String, "LastName": String, "Company": String, "Email": Email, "Phone": String,
			"Country": String, "PostalCode": String, "Status": String,
		})},
		"Account": {Prefix: "001", Required: []string{"Name"}, ExternalIDs: ext, Fields: common(map[string]Kind{
			"Name": String, "Phone": String, "BillingCountry": String, "BillingPostalCode": String,
			"BillingStreet": String, "Industry": String, "Website": String,
		})},
		"Order": {Prefix: "801", Required: []string{"AccountId", "EffectiveDate", "Status"}, ExternalIDs: ext, Fields: common(map[string]Kind{
			"AccountId": String, "EffectiveDate": String, "Status": String, "BillToContactId": String,
			"ShippingCountry": String, "ShippingPostalCode": String, "ShippingStreet": String, "TotalAmount": Any,
		})},
		"Case": {Prefix: "500", ExternalIDs: ext, Fields: common(map[string]Kind{
			"Subject": String, "Status": String, "Origin": String, "ContactId": String, "SuppliedEmail": Email,
			"SuppliedName": String, "SuppliedPhone": String, "Priority": String,
		})},
		"Loyalty_Member__c": {Prefix: "a01", ExternalIDs: ext, Fields: common(map[string]Kind{
			"Name": String, "Member_Email__c": Email, "Tier__c": String, "Points__c": Any, "Country__c": String,
		})},
	}
}
