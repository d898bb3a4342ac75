package inventory_test

import (
	"context"
	"strings"
	"testing"

	cf "github.com/corefence/corefence"
	"github.com/corefence/corefence/internal/inventory"
)

func at(file string, line int) cf.Position { return cf.Position{File: file, Line: line} }

// operatorDoc is one operator's network as read from its own file: a
// site, an element on it, a link, and a sensitive area regulators publish
// to every operator alike.
func operatorDoc(op, file string) *inventory.Doc {
	s := site(strings.ToUpper(op)+"-1", op)
	s.Pos = at(file, 2)
	return &inventory.Doc{
		Operators: []inventory.Operator{{ID: op, Name: op, Pos: at(file, 1)}},
		Sites:     []inventory.Site{s},
		Elements: []inventory.Element{
			{ID: op + "-gnb", Site: s.ID, Function: "gnb", Vendor: "Ericsson", Pos: at(file, 3)},
			{ID: op + "-core", Site: s.ID, Function: "upf", Vendor: "Huawei", Pos: at(file, 4)},
		},
		Links: []inventory.Link{{A: op + "-gnb", B: op + "-core", Kind: "backhaul", Pos: at(file, 5)}},
		Areas: []inventory.Area{{ID: "mod-1", Name: "Base", Category: "military", Lat: 51, Lon: 0, RadiusKm: 2, Pos: at(file, 6)}},
	}
}

func TestMerge(t *testing.T) {
	doc, err := inventory.Merge([]*inventory.Doc{operatorDoc("a", "a.yaml"), operatorDoc("b", "b.yaml")})
	if err != nil {
		t.Fatal(err)
	}
	// Both networks whole, the area both give identically once.
	if len(doc.Operators) != 2 || len(doc.Sites) != 2 || len(doc.Elements) != 4 || len(doc.Links) != 2 || len(doc.Areas) != 1 {
		t.Fatalf("merged: %d operators, %d sites, %d elements, %d links, %d areas",
			len(doc.Operators), len(doc.Sites), len(doc.Elements), len(doc.Links), len(doc.Areas))
	}
	if doc.Areas[0].Pos.File != "a.yaml" || doc.Elements[2].ID != "b-gnb" {
		t.Fatalf("merged out of order: area from %s, third element %s", doc.Areas[0].Pos.File, doc.Elements[2].ID)
	}
	inv := build(t, doc)
	if _, ok := inv.Element("b-core"); !ok {
		t.Fatal("b-core lost")
	}
}

// TestMergeSharedElements: an element two operators' inventories both
// give identically (shared equipment), with the link between two such,
// is kept once; links of each operator's own elements are all kept.
func TestMergeSharedElements(t *testing.T) {
	a, b := operatorDoc("a", "a.yaml"), operatorDoc("b", "b.yaml")
	shared := []inventory.Element{
		{ID: "shared-1", Site: "A-1", Function: "router", Vendor: "Cisco", Pos: at("a.yaml", 7)},
		{ID: "shared-2", Site: "A-1", Function: "router", Vendor: "Cisco", Pos: at("a.yaml", 8)},
	}
	link := inventory.Link{A: "shared-1", B: "shared-2", Kind: "core", Pos: at("a.yaml", 9)}
	a.Elements, a.Links = append(a.Elements, shared...), append(a.Links, link)
	b.Sites = append(b.Sites, a.Sites[0])
	for _, e := range shared {
		e.Pos = at("b.yaml", 20)
		b.Elements = append(b.Elements, e)
	}
	link.Pos = at("b.yaml", 21)
	b.Links = append(b.Links, link)
	doc, err := inventory.Merge([]*inventory.Doc{a, b})
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.Sites) != 2 || len(doc.Elements) != 6 || len(doc.Links) != 3 {
		t.Fatalf("merged: %d sites, %d elements, %d links", len(doc.Sites), len(doc.Elements), len(doc.Links))
	}
	build(t, doc)
}

// TestMergeConflicts: an id two inventories give differently is a problem
// naming both places; nothing is merged.
func TestMergeConflicts(t *testing.T) {
	a, b := operatorDoc("a", "a.yaml"), operatorDoc("b", "b.yaml")
	b.Areas[0].RadiusKm = 3                       // the same area, drawn differently
	b.Elements[0].ID = "a-gnb"                    // b reuses a's element id
	b.Links[0].A = "a-gnb"                        // (and links to it)
	b.Sites = append(b.Sites, a.Sites[0])         // a's site, identical: fine
	b.Sites[len(b.Sites)-1].Pos = at("b.yaml", 9) // wherever it was read
	doc, err := inventory.Merge([]*inventory.Doc{a, b})
	ps, ok := cf.AsProblems(err)
	if !ok || doc != nil {
		t.Fatalf("Merge: %v, doc %v", err, doc != nil)
	}
	var got []string
	for _, p := range ps.List {
		got = append(got, p.Error())
	}
	want := []string{
		"b.yaml:3: elements a-gnb: id: defined differently by another inventory (at a.yaml:3)",
		"b.yaml:6: areas mod-1: id: defined differently by another inventory (at a.yaml:6)",
	}
	if len(got) != len(want) {
		t.Fatalf("problems:\n%s", strings.Join(got, "\n"))
	}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("problem %d: %s\nwant prefix %s", i, got[i], want[i])
		}
	}
}

// TestMergeWithinOneDoc: a duplicate within one inventory is Build's to
// report, as it is without a merge.
func TestMergeWithinOneDoc(t *testing.T) {
	a := operatorDoc("a", "a.yaml")
	a.Sites = append(a.Sites, a.Sites[0])
	doc, err := inventory.Merge([]*inventory.Doc{a, operatorDoc("b", "b.yaml")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := inventory.Build(doc, inventory.Options{}); err == nil || !strings.Contains(err.Error(), "duplicate id") {
		t.Fatalf("Build: %v", err)
	}
}

// TestBuildMerged: the union Build(Merge(docs)) builds, by the short way
// when no site or element is shared and by Merge when one is; conflicts
// are Merge's problems; and the docs are left as read.
func TestBuildMerged(t *testing.T) {
	docs := func() []*inventory.Doc {
		return []*inventory.Doc{operatorDoc("a", "a.yaml"), operatorDoc("b", "b.yaml")}
	}
	want, err := inventory.Merge(docs())
	if err != nil {
		t.Fatal(err)
	}
	wantInv := build(t, want)
	in := docs()
	inv, err := inventory.BuildMerged(context.Background(), in, "sha256:view", inventory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if inv.Digest != "sha256:view" || len(inv.Elements) != len(wantInv.Elements) || len(inv.Areas) != 1 || len(inv.Sites) != 2 {
		t.Fatalf("built %+v", inv.Counts())
	}
	if in[0].Sites[0].Kind != "" || in[1].Elements[0].Status != "" {
		t.Fatal("BuildMerged changed the docs it was given")
	}

	// A site both give identically: the short way fails, Merge's succeeds.
	a, b := operatorDoc("a", "a.yaml"), operatorDoc("b", "b.yaml")
	b.Sites = append(b.Sites, a.Sites[0])
	inv, err = inventory.BuildMerged(context.Background(), []*inventory.Doc{a, b}, "", inventory.Options{})
	if err != nil || len(inv.Sites) != 2 {
		t.Fatalf("a shared site: %v", err)
	}
	// Given differently: Merge's problem, naming both.
	a, b = operatorDoc("a", "a.yaml"), operatorDoc("b", "b.yaml")
	b.Elements[0].ID = "a-gnb"
	b.Links[0].A = "a-gnb"
	_, err = inventory.BuildMerged(context.Background(), []*inventory.Doc{a, b}, "", inventory.Options{})
	if err == nil || !strings.Contains(err.Error(), "b.yaml:3: elements a-gnb: id: defined differently by another inventory (at a.yaml:3)") {
		t.Fatalf("a conflict: %v", err)
	}
}
