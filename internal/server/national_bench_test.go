package server_test

import (
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// BenchmarkNationalCheck compares, on a generated UK network (BENCH_SITES
// sites, 20,000 by default, in four operators, uploaded as snapshots), a
// check of the national view with the checks of each operator's snapshot
// that find the same findings (uk-dvd-2022 and uk-2020-ncsc), and the
// same national request answered from the stored run. Each iteration
// checks a new date, so nothing is reused but in "stored". It reports the
// process's CPU time (user+sys) per iteration, which a shared machine
// disturbs less than wall time, and each sub-benchmark's peak RSS (the
// set-up's memory returned to the system first).
func BenchmarkNationalCheck(b *testing.B) {
	e, doc, snaps := benchNationalNetwork(b)
	elements := len(doc.Elements)
	doc = nil
	packs := []string{"uk-dvd-2022", "uk-2020-ncsc"}
	day := 0
	date := func() string {
		day++
		return time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, day).Format(time.DateOnly)
	}
	cpu := func() time.Duration {
		var ru syscall.Rusage
		if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
			b.Fatal(err)
		}
		return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	measure := func(b *testing.B, iteration func()) {
		resetPeakRSS()
		start := cpu()
		for b.Loop() {
			iteration()
		}
		b.ReportMetric(float64((cpu()-start).Milliseconds())/float64(b.N), "cpu-ms/op")
		b.ReportMetric(float64(elements), "elements")
		if mb := peakRSS(); mb > 0 {
			b.ReportMetric(float64(mb), "peak-RSS-MB")
		}
	}
	b.Run("operators", func(b *testing.B) {
		measure(b, func() {
			asOf := date()
			for op, sn := range snaps {
				e.sendJSON("reg", "POST", "/api/v1/operators/"+op+"/runs", map[string]any{"snapshot": sn, "packs": packs, "as_of": asOf}, 201, nil)
			}
		})
	})
	b.Run("national", func(b *testing.B) {
		measure(b, func() {
			e.sendJSON("reg", "POST", "/api/v1/national/runs", map[string]any{"packs": packs, "as_of": date()}, 201, nil)
		})
	})
	stored := map[string]any{"packs": packs, "as_of": date()}
	e.sendJSON("reg", "POST", "/api/v1/national/runs", stored, 201, nil)
	b.Run("stored", func(b *testing.B) {
		measure(b, func() {
			e.sendJSON("reg", "POST", "/api/v1/national/runs", stored, 200, nil)
		})
	})
}

// resetPeakRSS returns the memory the set-up freed to the system and
// starts the process's peak RSS (VmHWM) again from the current RSS, so
// that peakRSS measures what follows (Linux; elsewhere peakRSS is 0).
func resetPeakRSS() {
	runtime.GC()
	debug.FreeOSMemory()
	os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
}

// peakRSS is the process's peak RSS since resetPeakRSS, in MB.
func peakRSS() int {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(status), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			return kb / 1024
		}
	}
	return 0
}
