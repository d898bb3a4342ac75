package bench

import (
	"context"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/corefence/corefence/bench/internal/benchdata"
	"github.com/corefence/corefence/bench/regotrans"
	"github.com/corefence/corefence/internal/importer"
	"github.com/corefence/corefence/internal/inventory"
	"github.com/corefence/corefence/internal/policy"
)

// The national-scale benchmarks. Run them one at a time, once each, so that
// each reports its own peak memory (run.sh does):
//
//	go test -run '^$' -bench '^BenchmarkLoad1M$' -benchtime 1x
//
// The data is made on first use and kept under data/ (git-ignored).

// benchPacks are the packs of the target: check ≤ 1 s.
var benchPacks = []string{"uk-dvd-2022", "uk-2020-ncsc"}

const benchAsOf = "2023-12-31"

var dir1M = "data/uk-1m"

var (
	once1M sync.Once
	err1M  error
)

// bundle1M makes the 1M-element CSV bundle if it is not there yet.
func bundle1M(b *testing.B) string {
	b.Helper()
	once1M.Do(func() {
		var made bool
		start := time.Now()
		made, err1M = benchdata.EnsureCSV(dir1M, benchdata.Sites1M, benchdata.Seed1M)
		if made {
			b.Logf("generated %s in %s", dir1M, time.Since(start).Round(time.Millisecond))
		}
	})
	if err1M != nil {
		b.Fatal(err1M)
	}
	return dir1M
}

func load(b *testing.B, dir string) *inventory.Inventory {
	b.Helper()
	inv, err := importer.Load(dir, inventory.Options{})
	if err != nil {
		b.Fatal(err)
	}
	return inv
}

func reportPeak(b *testing.B, resetOK bool) {
	b.Helper()
	if !resetOK {
		b.Log("could not reset the peak RSS: peak-RSS-MB counts from the start of the process")
	}
	b.ReportMetric(benchdata.PeakRSSMB(), "peak-RSS-MB")
}

// BenchmarkLoad1M times importer.Load of the CSV bundle: parsing every file
// and inventory.Build (references, vendors, functions, hosting chains,
// technologies).
func BenchmarkLoad1M(b *testing.B) {
	dir := bundle1M(b)
	reset := benchdata.ResetPeakRSS()
	var inv *inventory.Inventory
	for b.Loop() {
		inv = load(b, dir)
	}
	reportPeak(b, reset)
	b.ReportMetric(float64(len(inv.Elements)), "elements")
	b.ReportMetric(float64(len(inv.Sites)), "sites")
}

func benchCheck(b *testing.B, packs []*policy.Pack) {
	dir := bundle1M(b)
	inv := load(b, dir)
	ctx := context.Background()
	opts := policy.Options{AsOf: date(b, benchAsOf)}
	reset := benchdata.ResetPeakRSS() // the loaded inventory stays in
	var res *policy.Result
	for b.Loop() {
		var err error
		if res, err = policy.Check(ctx, inv, packs, opts); err != nil {
			b.Fatal(err)
		}
	}
	reportPeak(b, reset)
	b.ReportMetric(float64(len(res.Findings)), "findings")
	rules := 0
	for _, p := range packs {
		rules += len(p.Rules)
	}
	b.ReportMetric(float64(rules), "rules")
}

// BenchmarkCheck1M times policy.Check of uk-dvd-2022 and uk-2020-ncsc on the
// loaded inventory; its peak counts the inventory.
func BenchmarkCheck1M(b *testing.B) {
	benchCheck(b, builtinPacks(b, benchPacks...))
}

// BenchmarkCheckSameRules1M times policy.Check of only the rules the Rego
// translation has, so that it compares with BenchmarkOPAEval1M.
func BenchmarkCheckSameRules1M(b *testing.B) {
	benchCheck(b, regotrans.SameRules(builtinPacks(b, benchPacks...)))
}

// BenchmarkOPAEval1M times OPA evaluating the same rules, in process, on
// the same network: the input JSON is parsed before the timer (its parse
// time is reported as parse-s) and the query is prepared (compiled) before
// it too. After the timer, the findings are compared with corefence's.
func BenchmarkOPAEval1M(b *testing.B) {
	dir := bundle1M(b)
	inputPath := benchdata.InputPath(dir)
	if made, err := benchdata.EnsureInput(inputPath, dir); err != nil {
		b.Fatal(err)
	} else if made {
		b.Logf("wrote %s", inputPath)
	}
	packs := regotrans.SameRules(builtinPacks(b, benchPacks...))
	asOf := date(b, benchAsOf)
	ctx := context.Background()

	reset := benchdata.ResetPeakRSS()
	start := time.Now()
	input := parseInputFile(b, inputPath)
	parse := time.Since(start)
	ev, err := regotrans.Prepare(ctx, packs, asOf)
	if err != nil {
		b.Fatal(err)
	}
	var got regotrans.Keys
	b.ResetTimer()
	for b.Loop() {
		if got, err = ev.Eval(ctx, input); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	reportPeak(b, reset) // the parsed input stays in
	b.ReportMetric(parse.Seconds(), "parse-s")
	b.ReportMetric(float64(got.Count()), "findings")

	if os.Getenv("CF_BENCH_NO_VERIFY") != "" {
		return
	}
	input = nil
	benchdata.FreeMemory()
	res, err := policy.Check(ctx, load(b, dir), packs, policy.Options{AsOf: asOf})
	if err != nil {
		b.Fatal(err)
	}
	if d := regotrans.Diff(regotrans.ProductKeys(res), got, 40); d != "" {
		b.Errorf("at national scale, corefence and OPA disagree:\n%s", d)
	} else {
		b.Logf("cross-check at national scale: the %d findings agree", got.Count())
	}
}

func parseInputFile(b *testing.B, path string) ast.Value {
	b.Helper()
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	v, err := regotrans.ParseInput(f)
	if err != nil {
		b.Fatal(err)
	}
	return v
}
