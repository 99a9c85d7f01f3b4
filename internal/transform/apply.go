package transform

import (
	"errors"

	"github.com/sovereign-gateway/sovereign/internal/classify"
	"github.com/sovereign-gateway/sovereign/internal/policy"
)

// Apply builds a new body from body with each finding transformed by its
// action. It never modifies body.
func Apply(body []byte, findings []classify.Finding, actions []policy.Action, v *Vault) ([]byte, error) {
	return nil, errors.New("transform: not implemented")
}
