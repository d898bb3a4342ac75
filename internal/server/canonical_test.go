package server

import (
	"archive/tar"
	"bytes"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/corefence/corefence/internal/export"
	"github.com/corefence/corefence/internal/gen"
	"github.com/corefence/corefence/internal/importer"
	"github.com/corefence/corefence/internal/inventory"
)

// TestCanonicalAsWritten: the canonical form made in memory is, byte for
// byte, the archive of the directory export.WriteCSV writes (manifest
// included), so snapshots stored before keep their digests.
func TestCanonicalAsWritten(t *testing.T) {
	small, err := importer.Read("../../testdata/small-network.yaml")
	if err != nil {
		t.Fatal(err)
	}
	generated, err := gen.Generate(gen.Config{Country: "gb", Sites: 300, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	// operators.csv of exactly one block: "id,name,country\n" and "o,NAME,gb\n".
	block := &inventory.Doc{Operators: []inventory.Operator{{ID: "o", Name: strings.Repeat("a", 512-16-6), Country: "gb"}}}
	for name, doc := range map[string]*inventory.Doc{"small": small, "generated": generated, "empty": {}, "one block": block} {
		if !csvLossless(doc) {
			t.Fatalf("%s: want a network CSV holds", name)
		}
		want := tarOfExport(t, doc)
		// The size hint only sizes a buffer: none, too small, about
		// right and too large give the same bytes.
		for _, hint := range []int64{0, 100, int64(len(want)), 3 * int64(len(want))} {
			got, err := canonical(doc, hint)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s, size hint %d: the canonical form (%d bytes) differs from the archive of export.WriteCSV's directory (%d bytes)", name, hint, len(got), len(want))
			}
		}
	}
}

// tarOfExport is how the canonical form was made: export.WriteCSV into a
// directory, then its files in name order into a tar archive.
func tarOfExport(t *testing.T, doc *inventory.Doc) []byte {
	dir := filepath.Join(t.TempDir(), "csv")
	if err := export.WriteCSV(dir, doc); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].Name() < entries[j].Name() })
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		tw.WriteHeader(&tar.Header{Name: e.Name(), Mode: 0o644, Size: int64(len(data)), Typeflag: tar.TypeReg, Format: tar.FormatUSTAR})
		tw.Write(data)
	}
	tw.Close()
	return buf.Bytes()
}
