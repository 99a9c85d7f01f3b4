package reqid

import (
	"context"
	"strings"
	"testing"
)

func TestNewIsUniqueAndCarried(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		id := New()
		if !strings.HasPrefix(id, "req_") || len(id) != 30 || seen[id] {
			t.Fatalf("bad or repeated id %q", id)
		}
		seen[id] = true
	}
	ctx := With(context.Background(), "req_x")
	if From(ctx) != "req_x" || From(context.Background()) != "" {
		t.Fatal("context round trip failed")
	}
}
