package server_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	cf "github.com/corefence/corefence"
	"github.com/corefence/corefence/internal/store"
)

// TestIngestCancelled: an upload whose request is cancelled (the client
// went away) stops with the context's error and stores nothing, on valid
// input and on input with problems alike.
func TestIngestCancelled(t *testing.T) {
	day, err := cf.ParseDate("2024-01-01")
	if err != nil {
		t.Fatal(err)
	}
	forEachBackend(t, func(t *testing.T, e *apiEnv) {
		for name, content := range map[string][]byte{
			"valid":   networks(t)["alpha"],
			"invalid": []byte("operators:\n  - id: alpha\nelements:\n  - id: e1\n    site: nowhere\n"),
		} {
			dir := t.TempDir()
			target := filepath.Join(dir, "inventory.yaml")
			if err := os.WriteFile(target, content, 0o600); err != nil {
				t.Fatal(err)
			}
			cctx, cancel := context.WithCancel(ctx)
			cancel()
			_, _, err := e.srv.Ingest(cctx, store.System, "alpha", dir, target, day)
			if !errors.Is(err, context.Canceled) {
				t.Errorf("%s upload, cancelled: %v, want context.Canceled", name, err)
			}
		}
		snaps, err := e.store.Snapshots(ctx, "alpha", store.Page{})
		if err != nil {
			t.Fatal(err)
		}
		if len(snaps) != 0 {
			t.Errorf("cancelled uploads stored %d snapshots", len(snaps))
		}
	})
}
