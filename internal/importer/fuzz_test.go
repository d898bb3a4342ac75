package importer_test

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime/metrics"
	"testing"

	cf "github.com/corefence/corefence"
	"github.com/corefence/corefence/internal/importer"
	"github.com/corefence/corefence/internal/inventory"
)

// fuzzNames are the file names a fuzzed input is loaded as: it says the
// format, and for CSV the section.
var fuzzNames = []string{"inventory.yaml", "inventory.json", "operators.csv", "sites.csv", "elements.csv",
	"links.csv", "areas.csv", "vendors.csv", "functions.csv"}

// FuzzLoad loads one YAML, JSON or CSV file as an inventory: no panic; an
// inventory or input problems, never both, never neither; allocation
// bounded by the input's size (aliases are bounded by the limits).
func FuzzLoad(f *testing.F) {
	for _, glob := range []string{"../../testdata/*.yaml", "../../testdata/hostile/*", "testdata/invalid/*.*", "testdata/invalid/*/*.csv"} {
		files, _ := filepath.Glob(glob)
		for _, file := range files {
			data, err := os.ReadFile(file)
			if err != nil || len(data) > 1<<20 {
				continue
			}
			for i, name := range fuzzNames {
				if filepath.Ext(name) == filepath.Ext(file) && (filepath.Ext(name) != ".csv" || name == filepath.Base(file)) {
					f.Add(data, uint8(i))
				}
			}
		}
	}
	f.Add([]byte("id,operator,lat,lon\nS1,alpha,51,0\n"), uint8(3))
	lim := cf.DefaultLimits()
	lim.InputBytes, lim.AliasNodes, lim.Records, lim.LineBytes = 1<<20, 10_000, 10_000, 64<<10
	f.Fuzz(func(t *testing.T, data []byte, kind uint8) {
		name := fuzzNames[int(kind)%len(fuzzNames)]
		before := allocatedBytes()
		inv, err := importer.LoadFiles([]importer.File{{Name: name, Data: bytes.NewReader(data)}}, inventory.Options{}, lim)
		if grown := allocatedBytes() - before; grown > 64<<20+uint64(len(data))<<12 {
			t.Fatalf("allocated %d bytes loading %d", grown, len(data))
		}
		if (inv == nil) == (err == nil) {
			t.Fatalf("LoadFiles(%s) = %v, %v: want an inventory or problems", name, inv != nil, err)
		}
		if _, ok := cf.AsProblems(err); err != nil && !ok {
			t.Fatalf("error %T is not input problems: %v", err, err)
		}
	})
}

// allocatedBytes returns the bytes allocated on the heap so far, without
// stopping the world as runtime.ReadMemStats does.
func allocatedBytes() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}
