// Package sfdouble is a Salesforce REST test double that speaks the real wire
// format: OAuth 2.0 token endpoint (JWT bearer and client credentials), sObject
// create, get, update, delete and upsert by external id (201, 204, 300, 400,
// 401, 404 with Salesforce error arrays), sObject Collections, Composite with
// @{ref} references, and a SOQL subset (SELECT ... FROM ... WHERE with =, !=,
// <, >, LIKE, IN, AND, OR, NOT, ORDER BY, LIMIT; query locators).
//
// It records what it stores and every request body it received, so a test
// can prove that a value never reached the central org, and it can be told to
// fail (down, drop the connection after a write, expire tokens).
package sfdouble
