package policy

import (
	"errors"
	"fmt"
)

// Action is what happens to data that a rule matches. Actions are ordered by
// strictness: a larger value is stricter, and the strictest match wins.
type Action uint8

// The actions, least strict first.
const (
	Allow Action = iota
	Pseudonymize
	Redact
	Block
)

var actionNames = [...]string{Allow: "allow", Pseudonymize: "pseudonymize", Redact: "redact", Block: "block"}

// String returns the config name of a: allow, pseudonymize, redact or block.
func (a Action) String() string {
	if int(a) < len(actionNames) {
		return actionNames[a]
	}
	return fmt.Sprintf("action(%d)", uint8(a))
}

// ErrUnknownAction reports an action name that is not one of the four.
var ErrUnknownAction = errors.New("policy: unknown action")

// ParseAction parses a config action name.
func ParseAction(s string) (Action, error) {
	for i, n := range actionNames {
		if n == s {
			return Action(i), nil
		}
	}
	return Block, fmt.Errorf("%w %q (want allow, pseudonymize, redact or block)", ErrUnknownAction, s)
}

// MarshalText encodes a as its name, for JSON and YAML output.
func (a Action) MarshalText() ([]byte, error) {
	if int(a) >= len(actionNames) {
		return nil, fmt.Errorf("%w %d", ErrUnknownAction, uint8(a))
	}
	return []byte(actionNames[a]), nil
}

// UnmarshalText decodes an action name.
func (a *Action) UnmarshalText(b []byte) error {
	v, err := ParseAction(string(b))
	if err != nil {
		return err
	}
	*a = v
	return nil
}

// Stricter returns the stricter of a and b.
func Stricter(a, b Action) Action {
	return max(a, b)
}
