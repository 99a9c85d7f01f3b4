// Package sfwire holds the Salesforce REST wire format shared by the CRM face
// and the Salesforce test double: error arrays, save results, Composite
// requests with @{ref} references, and a SOQL lexer.
//
// In: bytes and values of the Salesforce REST API (v42.0 and later). Out: the
// same shapes Salesforce answers with, so clients such as jsforce see no
// difference between the org and the gateway.
package sfwire
