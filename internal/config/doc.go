// Package config loads and validates Sovereign's YAML configuration.
//
// In: a YAML document (strict: unknown fields are errors) and the process
// environment for secret references. Out: a typed, validated *Config with
// defaults applied and secrets resolved, or a Problems error that lists every
// problem with its location (file:line and key path).
//
// Secrets are only ever given by reference (env:NAME or file:PATH) and held in
// the Secret type, which never prints its value.
package config
