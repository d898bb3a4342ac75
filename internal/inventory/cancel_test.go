package inventory_test

import (
	"context"
	"errors"
	"math"
	"sync/atomic"
	"testing"

	"github.com/corefence/corefence/internal/gen"
	"github.com/corefence/corefence/internal/inventory"
)

// countdown is a context cancelled at its after-th look: a cancellation at
// a chosen point of the build, the same on every run.
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

// TestBuildCancelledMidway: a build cancelled part of the way returns
// context.Canceled and no inventory, at its next look; and it looks at
// least once per 4096 elements, so that the work after cancellation is
// bounded whatever the inventory's size.
func TestBuildCancelledMidway(t *testing.T) {
	generate := func() *inventory.Doc {
		doc, err := gen.Generate(gen.Config{Country: "gb", Sites: 2000, Seed: 14})
		if err != nil {
			t.Fatal(err)
		}
		return doc
	}
	full := &countdown{Context: context.Background(), after: math.MaxInt64}
	inv, err := inventory.BuildContext(full, generate(), inventory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	looks := full.looks.Load()
	if min := int64(2 * len(inv.Elements) / 4096); looks < min {
		t.Fatalf("a build of %d elements looked at the context %d times, want at least %d", len(inv.Elements), looks, min)
	}
	for at := int64(0); at < looks; at++ {
		ctx := &countdown{Context: context.Background(), after: at}
		inv, err := inventory.BuildContext(ctx, generate(), inventory.Options{})
		if inv != nil || !errors.Is(err, context.Canceled) {
			t.Fatalf("cancelled at look %d of %d: built %v, error %v", at, looks, inv != nil, err)
		}
		if after := ctx.looks.Load() - at; after > 4 {
			t.Errorf("cancelled at look %d of %d: went on for %d more looks", at, looks, after)
		}
	}
}
