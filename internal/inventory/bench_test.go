package inventory_test

import (
	"syscall"
	"testing"
	"time"

	"github.com/corefence/corefence/internal/gen"
	"github.com/corefence/corefence/internal/inventory"
)

// BenchmarkBuild1M times inventory.Build — references, vendors, hosting
// chains and technology inference — on a generated UK network of 100,000
// radio sites (about 970,000 elements), without parsing:
//
//	go test -run '^$' -bench '^BenchmarkBuild1M$' -count 5 ./internal/inventory/
func BenchmarkBuild1M(b *testing.B) {
	var elements int
	var cpu time.Duration
	for b.Loop() {
		b.StopTimer()
		doc, err := gen.Generate(gen.Config{Country: "gb", Sites: 100_000, Seed: 2019})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start := cpuTime()
		inv, err := inventory.Build(doc, inventory.Options{})
		cpu += cpuTime() - start
		if err != nil {
			b.Fatal(err)
		}
		elements = len(inv.Elements)
	}
	b.ReportMetric(float64(elements), "elements")
	b.ReportMetric(float64(cpu.Milliseconds())/float64(b.N), "cpu-ms/op")
}

// cpuTime is the CPU time the process has used, in user and system mode
// and on every thread: on a shared machine it varies less than wall time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkTechnologies1M times Build's technology step alone (inference
// from hosting, links and management) on the same network:
//
//	go test -run '^$' -bench '^BenchmarkTechnologies1M$' -count 5 ./internal/inventory/
func BenchmarkTechnologies1M(b *testing.B) {
	doc, err := gen.Generate(gen.Config{Country: "gb", Sites: 100_000, Seed: 2019})
	if err != nil {
		b.Fatal(err)
	}
	inv, err := inventory.Build(doc, inventory.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	start := cpuTime()
	for b.Loop() {
		inventory.InferTechnologies(inv)
	}
	b.ReportMetric(float64((cpuTime()-start).Milliseconds())/float64(b.N), "cpu-ms/op")
}
