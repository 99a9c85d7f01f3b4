// Package classify finds personal data, secrets and business IP in request
// bodies. In: a body (JSON or text). Out: typed findings with byte spans into
// the original body, JSON key paths and confidences, never the values.
package classify
