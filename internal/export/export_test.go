package export_test

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/corefence/corefence/internal/export"
	"github.com/corefence/corefence/internal/importer"
	"github.com/corefence/corefence/internal/inventory"
)

// TestRoundTrip writes an inventory in every format and reads it back: the
// model must not change, whatever the container.
func TestRoundTrip(t *testing.T) {
	src := "../../testdata/small-network.yaml"
	want, err := importer.Load(src, inventory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, format := range export.Formats {
		t.Run(format, func(t *testing.T) {
			doc, err := importer.Read(src)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(t.TempDir(), "inv."+format)
			if err := export.Write(path, format, doc); err != nil {
				t.Fatal(err)
			}
			got, err := importer.Load(path, inventory.Options{})
			if err != nil {
				t.Fatalf("reading back %s: %v", format, err)
			}
			compare(t, got, want)
		})
	}
}

func compare(t *testing.T, got, want *inventory.Inventory) {
	t.Helper()
	if len(got.Elements) != len(want.Elements) || len(got.Sites) != len(want.Sites) ||
		len(got.Links) != len(want.Links) || len(got.Areas) != len(want.Areas) || len(got.Operators) != len(want.Operators) {
		t.Fatalf("counts differ")
	}
	for i := range want.Sites {
		g, w := got.Sites[i], want.Sites[i]
		g.Pos = w.Pos
		if !reflect.DeepEqual(g, w) {
			t.Errorf("site %d = %+v, want %+v", i, g, w)
		}
	}
	for i := range want.Elements {
		g, w := got.Elements[i], want.Elements[i]
		g.Pos = w.Pos
		if !reflect.DeepEqual(g, w) {
			t.Errorf("element %d = %+v, want %+v", i, g, w)
		}
	}
	for i := range want.Links {
		g, w := got.Links[i], want.Links[i]
		g.Pos = w.Pos
		if !reflect.DeepEqual(g, w) {
			t.Errorf("link %d = %+v, want %+v", i, g, w)
		}
	}
	for i := range want.Areas {
		g, w := got.Areas[i], want.Areas[i]
		g.Pos = w.Pos
		if !reflect.DeepEqual(g, w) {
			t.Errorf("area %d = %+v, want %+v", i, g, w)
		}
	}
}

// TestDeterministic: the same document gives the same bytes.
func TestDeterministic(t *testing.T) {
	doc, err := importer.Read("../../testdata/small-network.yaml")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, format := range []string{"yaml", "json"} {
		a, b := filepath.Join(dir, "a."+format), filepath.Join(dir, "b."+format)
		if err := export.Write(a, format, doc); err != nil {
			t.Fatal(err)
		}
		if err := export.Write(b, format, doc); err != nil {
			t.Fatal(err)
		}
		da, _ := os.ReadFile(a)
		db, _ := os.ReadFile(b)
		if string(da) != string(db) {
			t.Errorf("%s output differs between two writes", format)
		}
	}
}
