//go:build !unix

package audit

import (
	"fmt"
	"os"
)

// lockDir opens the lock file; without flock, one writer is by convention.
func lockDir(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("lock audit dir: %w", err)
	}
	return f, nil
}
