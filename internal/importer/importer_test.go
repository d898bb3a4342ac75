package importer_test

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	cf "github.com/corefence/corefence"
	"github.com/corefence/corefence/internal/importer"
	"github.com/corefence/corefence/internal/inventory"
)

var update = flag.Bool("update", false, "rewrite the .want files of testdata/invalid")

// TestInvalid loads each input under testdata/invalid and compares every
// problem reported with the case's .want file, one problem a line.
func TestInvalid(t *testing.T) {
	entries, err := os.ReadDir("testdata/invalid")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".want") {
			continue
		}
		n++
		path := filepath.Join("testdata/invalid", e.Name())
		t.Run(e.Name(), func(t *testing.T) {
			inv, err := importer.Load(path, inventory.Options{})
			if err == nil {
				t.Fatalf("Load(%s) = %d elements, want problems", path, len(inv.Elements))
			}
			if inv != nil {
				t.Errorf("Load(%s) returned an inventory with its error: nothing may load", path)
			}
			ps, ok := cf.AsProblems(err)
			if !ok {
				t.Fatalf("Load(%s) error %T is not input problems: %v", path, err, err)
			}
			var b strings.Builder
			for _, p := range ps.List {
				b.WriteString(p.Error() + "\n")
			}
			got := b.String()
			wantFile := strings.TrimSuffix(path, filepath.Ext(path)) + ".want"
			if *update {
				if err := os.WriteFile(wantFile, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(wantFile)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("Load(%s) problems:\n--- got\n%s--- want\n%s", path, got, want)
			}
		})
	}
	if n < 15 {
		t.Errorf("only %d invalid cases", n)
	}
}

// TestExample loads the example inventory that docs/inventory.md links to:
// it must load without problems and use every section, every reserved tag
// and every link kind it shows.
func TestExample(t *testing.T) {
	inv, err := importer.Load("../../examples/inventory.yaml", inventory.Options{})
	if err != nil {
		t.Fatalf("Load(examples/inventory.yaml): %v", err)
	}
	if len(inv.Operators) == 0 || len(inv.Sites) == 0 || len(inv.Elements) == 0 || len(inv.Links) == 0 || len(inv.Areas) == 0 {
		t.Errorf("example lacks a section: %+v", inv.Counts())
	}
	if _, ok := inv.Group("acme-radio"); !ok {
		t.Error("example's vendors section did not add acme-radio")
	}
	if _, ok := inv.Catalogue.Lookup("edge-upf"); !ok {
		t.Error("example's functions section did not add edge-upf")
	}
	for _, tag := range inventory.ReservedTags {
		found := false
		for i := range inv.Sites {
			found = found || inv.Sites[i].HasTag(tag)
		}
		if !found {
			t.Errorf("example has no site tagged %s", tag)
		}
	}
	for _, w := range inv.Warnings {
		if w.Code == "vendor-near-miss" || w.Code == "vendor-unknown" {
			t.Errorf("example has warning %s: %s", w.Code, w.Message)
		}
	}
}
