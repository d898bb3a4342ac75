package tree

import (
	"os"
	"path/filepath"
	"runtime/metrics"
	"testing"

	cf "github.com/corefence/corefence"
)

// fuzzLimits are small limits, so that an input can only cost what they
// allow.
func fuzzLimits() cf.Limits {
	lim := cf.DefaultLimits()
	lim.InputBytes, lim.ConfigBytes, lim.AliasNodes = 1<<20, 1<<20, 10_000
	return lim
}

// addSeeds adds every file matching the globs, as found from this
// package's directory.
func addSeeds(f *testing.F, globs ...string) {
	for _, g := range globs {
		files, _ := filepath.Glob(g)
		for _, file := range files {
			if data, err := os.ReadFile(file); err == nil && len(data) < 1<<20 {
				f.Add(data, filepath.Ext(file) == ".json")
			}
		}
	}
}

// FuzzParse parses YAML and JSON: no panic; a tree or a problem, never
// both, never neither; bounded allocation.
func FuzzParse(f *testing.F) {
	addSeeds(f, "../../testdata/*.yaml", "../../testdata/hostile/*", "../importer/testdata/invalid/*.*",
		"../policy/testdata/invalid/*.yaml", "../planner/testdata/params/*.yaml")
	f.Add([]byte(`{"a": [1, 2, {"b": null}], "a": true}`), true)
	f.Add([]byte("a: &x [1, 2]\nb: [*x, *x]\n"), false)
	lim := fuzzLimits()
	f.Fuzz(func(t *testing.T, data []byte, json bool) {
		name := "f.yaml"
		if json {
			name = "f.json"
		}
		before := allocatedBytes()
		n, err := ParseWith(name, data, lim)
		grown := allocatedBytes() - before
		if (n == nil) == (err == nil) {
			t.Fatalf("ParseWith = %v, %v: want a tree or an error", n, err)
		}
		if _, ok := cf.AsProblems(err); err != nil && !ok {
			t.Fatalf("error %T is not an input problem: %v", err, err)
		}
		// A node costs a few hundred bytes; aliases may add AliasNodes.
		if grown > 64<<20+uint64(len(data))*1024 {
			t.Fatalf("allocated %d bytes parsing %d", grown, len(data))
		}
		if n != nil {
			var d fuzzDoc
			Decode(n, &d, "fuzz", &cf.Problems{})
		}
	})
}

// fuzzDoc has a field of every kind Decode handles.
type fuzzDoc struct {
	ID  string            `yaml:"id,required"`
	N   int32             `yaml:"n"`
	F   float64           `yaml:"f"`
	D   cf.Date           `yaml:"d"`
	Q   cf.Quantity       `yaml:"q"`
	P   *cf.Quantity      `yaml:"p"`
	B   bool              `yaml:"b"`
	L   []string          `yaml:"l"`
	M   map[string]any    `yaml:"m"`
	T   map[string]string `yaml:"t"`
	S   []fuzzDoc         `yaml:"s"`
	Pos cf.Position
}

// allocatedBytes returns the bytes allocated on the heap so far. Unlike
// runtime.ReadMemStats it does not stop the world, so a fuzzer can call it
// on every input.
func allocatedBytes() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}
