// Package policy is the decide stage. In: who the data is about (subject
// jurisdiction, tenant, purpose), where it would go (destination and its
// transfer mechanism) and what is in it (classify findings, never values).
// Out: a Decision, the strictest action of the matching rules for each
// finding and for the request, with the ids of the rules that decided.
//
// Rules are CEL expressions from the config's policy section, type-checked
// and compiled once by Compile; built-in defaults (ids "default.*") always
// apply. See README.md for the variables, precedence and defaults.
package policy
