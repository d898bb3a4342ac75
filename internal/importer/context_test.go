package importer_test

import (
	"context"
	"errors"
	"testing"

	"github.com/corefence/corefence/internal/importer"
	"github.com/corefence/corefence/internal/inventory"
)

// TestLoadCancelled: a cancelled context loads nothing and says why.
func TestLoadCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, path := range []string{"../../testdata/small-network.yaml", "testdata/invalid/csv-errors"} {
		inv, err := importer.LoadContext(ctx, path, inventory.Options{})
		if inv != nil || !errors.Is(err, context.Canceled) {
			t.Errorf("%s with a cancelled context: loaded %v, error %v", path, inv != nil, err)
		}
	}
}
