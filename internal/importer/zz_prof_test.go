package importer

import (
	"context"
	"os"
	"testing"

	cf "github.com/corefence/corefence"
	"github.com/corefence/corefence/internal/inventory"
)

func BenchmarkZZ(b *testing.B) {
	f := os.Getenv("ZZ")
	data, _ := os.ReadFile(f)
	for b.Loop() {
		var doc inventory.Doc
		var probs cf.Problems
		if !decodeStream(context.Background(), f, f[len(f)-4:] == "json", data, cf.DefaultLimits(), &doc, &probs) {
			b.Fatal("no stream")
		}
	}
}
