package server

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/corefence/corefence/internal/export"
	"github.com/corefence/corefence/internal/gen"
)

// BenchmarkValidate measures what an upload costs the server before the
// store: the UTF-8 check, the importer, Build, and the canonical form with
// its digest. The upload is the largest operator's CSV bundle from a
// generated UK network of BENCH_SITES sites (20,000 by default). It
// reports the process's CPU time (user+sys) per upload, which a shared
// machine disturbs less than wall time; -benchmem gives the bytes
// allocated, all goroutines included.
func BenchmarkValidate(b *testing.B) {
	sites := 20000
	if v := os.Getenv("BENCH_SITES"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			b.Fatal(err)
		}
		sites = n
	}
	doc, err := gen.Generate(gen.Config{Country: "gb", Sites: sites, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	operator, elements := "", 0
	dir := filepath.Join(b.TempDir(), "bundle")
	for op, part := range SplitByOperator(doc) {
		if len(part.Elements) > elements {
			operator, elements = op, len(part.Elements)
			os.RemoveAll(dir)
			if err := export.WriteCSV(dir, part); err != nil {
				b.Fatal(err)
			}
		}
	}
	doc = nil
	cpu := func() time.Duration {
		var ru syscall.Rusage
		if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
			b.Fatal(err)
		}
		return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	b.ResetTimer()
	start := cpu()
	for range b.N {
		p, err := validate(context.Background(), dir, dir, operator)
		if err != nil {
			b.Fatal(err)
		}
		if len(p.canonical) == 0 {
			b.Fatal("no canonical form")
		}
	}
	b.ReportMetric(float64((cpu()-start).Milliseconds())/float64(b.N), "cpu-ms/op")
	b.ReportMetric(float64(elements), "elements")
}
