package policy

import (
	"errors"

	"github.com/sovereign-gateway/sovereign/internal/config"
)

// Engine decides. It is immutable after Compile and safe for concurrent use.
type Engine struct {
	hash string
}

// Compile type-checks and compiles cfg's policy rules together with the
// built-in defaults. Problems are returned as a *config.Problems located at
// policy.rules[i].
func Compile(cfg *config.Config) (*Engine, error) {
	return &Engine{}, nil
}

// Decide evaluates the rules for in. On error the caller must fail closed.
func (e *Engine) Decide(in *Input) (Decision, error) {
	return Decision{Action: Block}, errors.New("policy: not implemented")
}

// Hash is the hex SHA-256 of the canonical rule set and defaults.
func (e *Engine) Hash() string { return e.hash }
