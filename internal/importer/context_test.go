package importer_test

import (
	"context"
	"errors"
	"math"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/corefence/corefence/internal/export"
	"github.com/corefence/corefence/internal/gen"
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

// countdown is a context that is cancelled at its after-th look: a
// cancellation at a chosen point of the work, the same on every run, so
// that the test needs no clock.
type countdown struct {
	context.Context
	after int64
	looks atomic.Int64
}

func (c *countdown) Err() error {
	if c.looks.Add(1) > c.after {
		return context.Canceled
	}
	return nil
}

// TestLoadCancelledMidway loads a generated inventory of about 5,000
// elements in each format, cancelled at a third and two thirds
// of the way (counted in looks at the context). Each load must return
// context.Canceled and no inventory, and stop at its next looks: since the
// parsers and Build look every few thousand records, that bounds the work
// done after cancellation by a few thousand records per file, whatever the
// size of the input.
func TestLoadCancelledMidway(t *testing.T) {
	doc, err := gen.Generate(gen.Config{Country: "gb", Sites: 500, Seed: 14})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	paths := map[string]string{
		"csv":  filepath.Join(dir, "csv"),
		"yaml": filepath.Join(dir, "network.yaml"),
		"json": filepath.Join(dir, "network.json"),
	}
	if err := export.WriteCSV(paths["csv"], doc); err != nil {
		t.Fatal(err)
	}
	for _, format := range []string{"yaml", "json"} {
		if err := export.Write(paths[format], format, doc); err != nil {
			t.Fatal(err)
		}
	}
	for format, path := range paths {
		t.Run(format, func(t *testing.T) {
			full := &countdown{Context: context.Background(), after: math.MaxInt64}
			inv, err := importer.LoadContext(full, path, inventory.Options{})
			if err != nil {
				t.Fatal(err)
			}
			looks := full.looks.Load()
			t.Logf("%d elements, %d looks at the context", len(inv.Elements), looks)
			// Parsing and building each look at least once per 4096
			// elements.
			if min := int64(2 * len(inv.Elements) / 4096); looks < min {
				t.Fatalf("a load of %d elements looked at the context %d times, want at least %d", len(inv.Elements), looks, min)
			}
			for _, at := range []int64{looks / 3, 2 * looks / 3} {
				ctx := &countdown{Context: context.Background(), after: at}
				inv, err := importer.LoadContext(ctx, path, inventory.Options{})
				if inv != nil || !errors.Is(err, context.Canceled) {
					t.Fatalf("cancelled at look %d of %d: loaded %v, error %v", at, looks, inv != nil, err)
				}
				// One more look per file being read, and one per level
				// of the call stack returning.
				if after := ctx.looks.Load() - at; after > 32 {
					t.Errorf("cancelled at look %d of %d: went on for %d more looks, want at most 32", at, looks, after)
				}
			}
		})
	}
}
