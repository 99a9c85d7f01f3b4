// Package crm is the Salesforce face of the gateway: a Salesforce-REST
// compatible API under /services/data/vNN.N/ that minimizes every record
// before it reaches the central org and keeps the full record in the data
// subject's region.
//
// In: Salesforce REST calls from integration jobs and clients (jsforce,
// go-salesforce) authenticated with gateway API keys. Out: the minimal record
// (fields kept, tokenized, masked or dropped per object and field policy) to
// the org through an outbox, the full record encrypted in the regional store,
// a decision record per write in the audit log, and Salesforce-shaped answers;
// reads put plaintext back only for callers allowed the subject's
// jurisdiction and purpose.
//
// See README.md for the contract (ids, queued deliveries, SOQL limits).
package crm
