package attest

import (
	"testing"

	"github.com/corefence/corefence/internal/gen"
	"github.com/corefence/corefence/internal/inventory"
)

// BenchmarkInventoryDigest digests a generated 20,000-site network (about
// 200,000 elements); bench/ has the national-scale figures.
func BenchmarkInventoryDigest(b *testing.B) {
	doc, err := gen.Generate(gen.Config{Country: "gb", Sites: 20000, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	inv, err := inventory.Build(doc, inventory.Options{})
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		InventoryDigest(inv)
	}
	b.ReportMetric(float64(len(inv.Elements)+len(inv.Links)+len(inv.Sites)), "records")
}
