package audit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// CanaryHit is one place a canary value was found.
type CanaryHit struct {
	File   string // path relative to the scanned directory
	Offset int64
}

// ScanForCanary reports every occurrence of canary in any file under dir,
// raw or as it would appear inside a JSON string. Tests plant canary values
// in requests and require that no audit file ever holds one.
func ScanForCanary(dir, canary string) ([]CanaryHit, error) {
	if canary == "" {
		return nil, fmt.Errorf("scan for canary: empty canary")
	}
	needles := [][]byte{[]byte(canary)}
	if q, err := json.Marshal(canary); err == nil {
		if esc := q[1 : len(q)-1]; !bytes.Equal(esc, needles[0]) {
			needles = append(needles, esc)
		}
	}
	var hits []CanaryHit
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		for _, n := range needles {
			for off := 0; ; {
				i := bytes.Index(b[off:], n)
				if i < 0 {
					break
				}
				hits = append(hits, CanaryHit{File: rel, Offset: int64(off + i)})
				off += i + 1
			}
		}
		return nil
	})
	if err != nil {
		return hits, fmt.Errorf("scan for canary: %w", err)
	}
	return hits, nil
}
