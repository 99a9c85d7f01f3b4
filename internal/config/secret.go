package config

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
)

// Secret is a value given by reference in the config: "env:NAME" reads an
// environment variable, "file:PATH" reads a file (trailing newline trimmed).
// Inline values are rejected so that a config file never holds a credential.
// A Secret prints as "<secret>" everywhere: fmt, slog, YAML and JSON.
type Secret struct {
	Ref   string // the reference as written, e.g. "env:SOVEREIGN_DEMO_KEY"
	value []byte
}

// Value returns the resolved secret bytes.
func (s Secret) Value() []byte { return s.value }

// IsSet reports whether the config named a secret here.
func (s Secret) IsSet() bool { return s.Ref != "" }

func (s Secret) String() string { return "<secret>" }

// GoString keeps %#v from printing the value.
func (s Secret) GoString() string { return "config.Secret{<secret>}" }

// LogValue keeps slog from printing the value.
func (s Secret) LogValue() slog.Value { return slog.StringValue("<secret>") }

// MarshalJSON never writes the value, only the reference.
func (s Secret) MarshalJSON() ([]byte, error) { return []byte(fmt.Sprintf("%q", s.Ref)), nil }

// UnmarshalYAML keeps the reference; Resolve reads it later.
func (s *Secret) UnmarshalYAML(unmarshal func(any) error) error {
	var ref string
	if err := unmarshal(&ref); err != nil {
		return err
	}
	s.Ref = ref
	return nil
}

var errInlineSecret = errors.New(`secrets must be given by reference ("env:NAME" or "file:PATH"), not inline`)

// resolve reads the referenced value. lookupEnv and readFile are injected so
// tests need not touch the process environment.
func (s *Secret) resolve(lookupEnv func(string) (string, bool), readFile func(string) ([]byte, error)) error {
	kind, name, ok := strings.Cut(s.Ref, ":")
	if !ok || name == "" {
		return errInlineSecret
	}
	switch kind {
	case "env":
		v, ok := lookupEnv(name)
		if !ok || v == "" {
			return fmt.Errorf("environment variable %s is not set", name)
		}
		s.value = []byte(v)
	case "file":
		b, err := readFile(name)
		if err != nil {
			return fmt.Errorf("cannot read secret file: %w", err)
		}
		s.value = []byte(strings.TrimRight(string(b), "\r\n"))
		if len(s.value) == 0 {
			return fmt.Errorf("secret file %s is empty", name)
		}
	default:
		return errInlineSecret
	}
	return nil
}

// SecretFromValue builds a resolved secret in code (tests, generated keys).
func SecretFromValue(ref string, value []byte) Secret { return Secret{Ref: ref, value: value} }

var _ slog.LogValuer = Secret{}

func defaultReadFile(path string) ([]byte, error) { return os.ReadFile(path) }
