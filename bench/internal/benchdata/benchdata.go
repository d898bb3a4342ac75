// Package benchdata makes the benchmark data once and keeps it: a
// generated national network as a CSV bundle, and the same network as the
// JSON input of the Rego translation. Files are written beside their final
// name and renamed into place, so an interrupted run leaves nothing that
// looks complete.
package benchdata

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"

	"github.com/corefence/corefence/bench/regotrans"
	"github.com/corefence/corefence/internal/export"
	"github.com/corefence/corefence/internal/gen"
	"github.com/corefence/corefence/internal/importer"
	"github.com/corefence/corefence/internal/inventory"
	"github.com/corefence/corefence/internal/policy"

	cf "github.com/corefence/corefence"
)

// The national-scale network: 100,000 RAN sites of the generated UK, about
// a million elements across four operators.
const (
	Sites1M = 100_000
	Seed1M  = 1
)

// Marker is the file, inside a CSV bundle, that says the bundle is complete
// and what made it. The importer skips dot files.
const Marker = ".complete"

// MarkerText is what Marker holds for a bundle generated as sites/seed by
// the generator in this tree: a bundle made by another version of the
// generator (or the exporter) is stale.
func MarkerText(sites int, seed int64) string {
	return fmt.Sprintf("gen country=gb sites=%d seed=%d source=%s\n", sites, seed, sourceDigest())
}

// generatorDirs are the product packages, relative to the repository root,
// whose files decide a generated bundle's bytes.
var generatorDirs = []string{"internal/gen", "internal/geo", "internal/export", "internal/inventory"}

var digestOnce = sync.OnceValue(func() string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return "unknown"
	}
	root := filepath.Join(filepath.Dir(file), "..", "..", "..")
	h := sha256.New()
	for _, d := range generatorDirs {
		err := filepath.WalkDir(filepath.Join(root, d), func(path string, e fs.DirEntry, err error) error {
			if err != nil || e.IsDir() || strings.HasSuffix(path, "_test.go") {
				return err
			}
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(root, path)
			fmt.Fprintf(h, "%s\x00%d\x00", filepath.ToSlash(rel), len(b))
			h.Write(b)
			return nil
		})
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return "unknown"
		}
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
})

// sourceDigest identifies the generator's source files (see
// generatorDirs), or is "unknown" in a binary built without them.
func sourceDigest() string { return digestOnce() }

// Complete reports whether dir holds a complete bundle made as sites/seed.
func Complete(dir string, sites int, seed int64) bool {
	b, err := os.ReadFile(filepath.Join(dir, Marker))
	return err == nil && string(b) == MarkerText(sites, seed)
}

// EnsureCSV generates the network (gen.Generate + export.WriteCSV) into dir
// unless it is there already. It reports whether it generated.
func EnsureCSV(dir string, sites int, seed int64) (bool, error) {
	if Complete(dir, sites, seed) {
		return false, nil
	}
	doc, err := gen.Generate(gen.Config{Country: "gb", Sites: sites, Seed: seed})
	if err != nil {
		return false, err
	}
	tmp := dir + ".tmp"
	if err := os.RemoveAll(tmp); err != nil {
		return false, err
	}
	if err := export.WriteCSV(tmp, doc); err != nil {
		return false, err
	}
	doc = nil
	if err := os.WriteFile(filepath.Join(tmp, Marker), []byte(MarkerText(sites, seed)), 0o644); err != nil {
		return false, err
	}
	if err := os.RemoveAll(dir); err != nil {
		return false, err
	}
	if err := os.Rename(tmp, dir); err != nil {
		return false, err
	}
	FreeMemory()
	return true, nil
}

// InputPath is where the Rego input of the bundle at dir goes.
func InputPath(dir string) string { return strings.TrimSuffix(dir, "/") + "-input.json" }

// EnsureInput writes the Rego input JSON of the bundle at dir to path,
// unless a file newer than the bundle's marker is there. It reports
// whether it wrote.
func EnsureInput(path, dir string) (bool, error) {
	mk, err := os.Stat(filepath.Join(dir, Marker))
	if err != nil {
		return false, fmt.Errorf("%s: not a complete bundle: %w", dir, err)
	}
	if st, err := os.Stat(path); err == nil && st.ModTime().After(mk.ModTime()) {
		return false, nil
	}
	inv, err := importer.Load(dir, inventory.Options{})
	if err != nil {
		return false, err
	}
	if err := WriteFile(path, func(f *os.File) error { return regotrans.WriteInput(f, inv) }); err != nil {
		return false, err
	}
	FreeMemory()
	return true, nil
}

// WriteRego writes the translation of packs and its parameters (as-of date,
// designated groups) for `opa eval -d rego -d params`.
func WriteRego(regoPath, paramsPath string, packs []*policy.Pack, asOf cf.Date) (*regotrans.Module, error) {
	mod, err := regotrans.Translate(packs)
	if err != nil {
		return nil, err
	}
	if err := WriteFile(regoPath, func(f *os.File) error { _, err := f.WriteString(mod.Text); return err }); err != nil {
		return nil, err
	}
	err = WriteFile(paramsPath, func(f *os.File) error { return regotrans.WriteParams(f, packs, asOf) })
	return mod, err
}

// WriteFile writes path through a temporary file renamed into place.
func WriteFile(path string, write func(*os.File) error) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	err = write(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	return os.Rename(tmp, path)
}

// Packs opens built-in packs (or pack files) by id.
func Packs(ids ...string) ([]*policy.Pack, error) {
	var out []*policy.Pack
	for _, id := range ids {
		p, err := policy.Open(id)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// FreeMemory returns what the Go heap no longer uses to the OS, so that
// what came before does not count in a later peak.
func FreeMemory() {
	runtime.GC()
	debug.FreeOSMemory()
}

// ResetPeakRSS frees memory and resets the process's peak resident set size
// (VmHWM) to its current size, so that PeakRSSMB measures what follows. It
// reports false where the kernel does not allow it; the peak then counts
// from the start of the process.
func ResetPeakRSS() bool {
	FreeMemory()
	return os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
}

// PeakRSSMB returns the process's peak resident set size (VmHWM) in MiB, or
// -1 where /proc does not tell.
func PeakRSSMB() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			if err != nil {
				return -1
			}
			return kb / 1024
		}
	}
	return -1
}
