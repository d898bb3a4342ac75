package exposure_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/corefence/corefence/internal/exposure"
	"github.com/corefence/corefence/internal/gen"
	"github.com/corefence/corefence/internal/inventory"
)

// The national-scale benchmarks run on a generated UK network of about
// 1,000,000 elements, built in memory once per process (gen.Generate and
// inventory.Build, no files). Run them with scripts/bench-exposure, which
// also times NetworkX on the same network:
//
//	go test -run '^$' -bench 1M -benchtime 3x ./internal/exposure

// elements1M is the size the benchmarks aim at.
const elements1M = 1_000_000

var (
	once1M sync.Once
	inv1M  *inventory.Inventory
	err1M  error
	info1M string
)

// network1M generates the national network: as many RAN sites as give a
// million elements, measured on a sample so that it follows the
// generator's mix.
func network1M(tb testing.TB) *inventory.Inventory {
	tb.Helper()
	once1M.Do(func() {
		const sample = 10_000
		doc, err := gen.Generate(gen.Config{Country: "gb", Sites: sample, Seed: 1})
		if err != nil {
			err1M = err
			return
		}
		// Elements per site vary a little with the size: adjust until the
		// network has at least a million.
		sites := (elements1M*sample + len(doc.Elements) - 1) / len(doc.Elements)
		start := time.Now()
		for {
			if doc, err = gen.Generate(gen.Config{Country: "gb", Sites: sites, Seed: 1}); err != nil {
				err1M = err
				return
			}
			if len(doc.Elements) >= elements1M || sites >= gen.MaxSites {
				break
			}
			sites = min(gen.MaxSites, sites*elements1M/len(doc.Elements)+sites/1000+1)
		}
		inv1M, err1M = inventory.Build(doc, inventory.Options{})
		if err1M == nil {
			info1M = fmt.Sprintf("gen.Generate(gb, Sites: %d, Seed: 1): %d sites, %d elements, %d links, %d operators (made in %s)",
				sites, len(inv1M.Sites), len(inv1M.Elements), len(inv1M.Links), len(inv1M.Operators), time.Since(start).Round(time.Millisecond))
		}
	})
	if err1M != nil {
		tb.Fatal(err1M)
	}
	tb.Log(info1M)
	return inv1M
}

// peakRSSMB is the process's peak resident set size (VmHWM), or -1.
func peakRSSMB() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			if err == nil {
				return kb / 1024
			}
		}
	}
	return -1
}

func graph1M(b *testing.B) (*inventory.Inventory, *exposure.Graph) {
	inv := network1M(b)
	g, err := exposure.NewGraph(inv, exposure.Options{})
	if err != nil {
		b.Fatal(err)
	}
	return inv, g
}

func BenchmarkGraph1M(b *testing.B) {
	inv := network1M(b)
	for b.Loop() {
		if _, err := exposure.NewGraph(inv, exposure.Options{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(peakRSSMB(), "peak-RSS-MB")
}

// BenchmarkKillSwitch1M: the default vendor groups (every designated one
// present and the five largest others: six on the generated UK).
func BenchmarkKillSwitch1M(b *testing.B) {
	inv, g := graph1M(b)
	groups := exposure.DefaultVendors(inv)
	for b.Loop() {
		if _, err := g.KillSwitch(context.Background(), groups); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(groups)), "groups")
	b.ReportMetric(peakRSSMB(), "peak-RSS-MB")
}

func BenchmarkChokePoints1M(b *testing.B) {
	_, g := graph1M(b)
	for b.Loop() {
		if _, err := g.ChokePoints(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(peakRSSMB(), "peak-RSS-MB")
}

// BenchmarkTrafficExposure1M: the shortest paths of every operator and
// the exposure of the default vendor groups.
func BenchmarkTrafficExposure1M(b *testing.B) {
	inv, g := graph1M(b)
	groups := exposure.DefaultVendors(inv)
	for b.Loop() {
		r, err := g.Routes(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		if _, err := r.Exposure(context.Background(), groups); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(peakRSSMB(), "peak-RSS-MB")
}

// BenchmarkAnalyse1M: everything `corefence exposure` computes, graph
// included.
func BenchmarkAnalyse1M(b *testing.B) {
	inv := network1M(b)
	for b.Loop() {
		if _, err := exposure.Analyse(context.Background(), inv, exposure.AnalyseOptions{Top: 10}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(peakRSSMB(), "peak-RSS-MB")
}

// TestNetworkXKillSwitch1M times the kill switch of the default groups on
// the national network in corefence and in NetworkX, in the same run,
// checks that both give the same answer, and prints the ratio. It runs
// only when COREFENCE_BENCH_NETWORKX=1 (scripts/bench-exposure sets it):
// NetworkX takes minutes and gigabytes here.
func TestNetworkXKillSwitch1M(t *testing.T) {
	if os.Getenv("COREFENCE_BENCH_NETWORKX") != "1" {
		t.Skip("set COREFENCE_BENCH_NETWORKX=1 (or run scripts/bench-exposure) to time NetworkX on the 1M-element network")
	}
	needNetworkX(t)
	inv := network1M(t)
	groups := exposure.DefaultVendors(inv)
	ctx := context.Background()

	start := time.Now()
	g, err := exposure.NewGraph(inv, exposure.Options{})
	if err != nil {
		t.Fatal(err)
	}
	graphTime := time.Since(start)
	var ks []exposure.VendorKillSwitch
	best := time.Duration(1 << 62)
	for range 3 {
		start = time.Now()
		if ks, err = g.KillSwitch(ctx, groups); err != nil {
			t.Fatal(err)
		}
		best = min(best, time.Since(start))
	}
	peak := peakRSSMB()

	dir := t.TempDir()
	exportNetwork(t, dir, inv)
	var names []string
	for _, gr := range groups {
		names = append(names, inv.Groups[gr].ID)
	}
	out := runNetworkX(t, dir, append([]string{"bench"}, names...)...)
	var nx struct {
		KillSwitch  []nxKillSwitch `json:"kill_switch"`
		Load        float64        `json:"seconds_load"`
		KillSeconds float64        `json:"seconds_kill_switch"`
		PeakMB      float64        `json:"peak_rss_mb"`
	}
	if err := json.Unmarshal(out, &nx); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(normalise(t, ks), nx.KillSwitch) {
		t.Errorf("kill switch on the national network differs from NetworkX")
	}
	ratio := nx.KillSeconds / best.Seconds()
	fmt.Printf("network: %s\n", info1M)
	fmt.Printf("kill switch, %d groups (%s), GOMAXPROCS=%d:\n", len(groups), strings.Join(names, ", "), runtime.GOMAXPROCS(0))
	fmt.Printf("  corefence: %.3f s (best of 3; graph built once in %.3f s); peak RSS of the Go process %.0f MB\n", best.Seconds(), graphTime.Seconds(), peak)
	fmt.Printf("  NetworkX %s: %.3f s (graph built in %.3f s); peak RSS of Python %.0f MB\n", nxVersion(t), nx.KillSeconds, nx.Load, nx.PeakMB)
	fmt.Printf("  results identical: %t; corefence is %.0f× faster\n", !t.Failed(), ratio)
	if ratio < 20 {
		t.Errorf("corefence is only %.1f× faster than NetworkX; the target is 20×", ratio)
	}
}

func nxVersion(t *testing.T) string {
	out, err := exec.Command(python, "-c", "import networkx, sys; print(networkx.__version__, 'on Python', sys.version.split()[0])").Output()
	if err != nil {
		t.Fatal(err)
	}
	return "networkx " + strings.TrimSpace(string(out))
}
