package inventory_test

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"unsafe"

	cf "github.com/corefence/corefence"
	"github.com/corefence/corefence/internal/importer"
	"github.com/corefence/corefence/internal/inventory"
)

func site(id, op string) inventory.Site {
	return inventory.Site{ID: id, Operator: op, Lat: 51, Lon: 0}
}

func build(t *testing.T, doc *inventory.Doc) *inventory.Inventory {
	t.Helper()
	inv, err := inventory.Build(doc, inventory.Options{})
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	return inv
}

// TestTechnologies: an element's technologies are its own, else its
// function's default, else those of what it serves in the topology
// (testdata/technology.yaml says, per element, what and why).
func TestTechnologies(t *testing.T) {
	inv, err := importer.Load("testdata/technology.yaml", inventory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	bases := map[string]inventory.TechBasis{
		"own": inventory.TechOwn, "function": inventory.TechFunction, "hosted": inventory.TechHosted,
		"carried": inventory.TechCarried, "attached": inventory.TechAttached, "managed": inventory.TechManaged,
		"no-core": inventory.TechUnknownNoCore, "nothing": inventory.TechUnknownNothing, "retired": inventory.TechUnknownRetired,
	}
	for i := range inv.Elements {
		e := &inv.Elements[i]
		want, basis := e.Attributes["want"], bases[e.Attributes["basis"].(string)]
		got := inv.TechBasis(inventory.Ref(i))
		if e.Tech.String() != want || got != basis {
			t.Errorf("element %s: Tech %q from %q; want %q from %q", e.ID, e.Tech, got, want, basis)
		}
		if got.Known() != (e.Tech != 0) {
			t.Errorf("element %s: Tech %q but basis %q", e.ID, e.Tech, got)
		}
	}
	var warned []string
	for _, w := range inv.Warnings {
		if w.Code == "technology-unknown" {
			warned = append(warned, w.Message)
		}
	}
	if len(warned) != 2 || !strings.HasPrefix(warned[0], "1 element(s) have no technology (i-rtr)") ||
		!strings.HasPrefix(warned[1], "3 element(s) have no technology (c-rtr, d-rtr, d-sc)") {
		t.Errorf("technology-unknown warnings = %q, want one for the island, one for what serves nothing", warned)
	}
	if got := inv.Operators[0].Tech; got != cf.Tech3G|cf.Tech4G|cf.Tech5G|cf.TechFTTP|cf.TechCopper {
		t.Errorf("operator conv runs %q, want 3g,4g,5g,fttp,copper (the planned gNB does not count, but the CU does)", got)
	}
}

// TestHostingChain: a hosted element takes the site at the end of its
// chain, whatever the order the records come in.
func TestHostingChain(t *testing.T) {
	inv := build(t, &inventory.Doc{
		Operators: []inventory.Operator{{ID: "op"}},
		Sites:     []inventory.Site{site("DC", "op")},
		Elements: []inventory.Element{
			{ID: "amf", HostedOn: "vm", Function: "amf", Vendor: "Ericsson"},
			{ID: "vm", HostedOn: "host", Function: "server", Vendor: "VMware"},
			{ID: "host", Site: "DC", Function: "nfvi", Vendor: "Dell"},
		},
	})
	for _, e := range inv.Elements {
		if e.SiteRef != 0 {
			t.Errorf("element %s: SiteRef = %d, want 0 (DC)", e.ID, e.SiteRef)
		}
	}
	amf, _ := inv.Element("amf")
	vm, _ := inv.Element("vm")
	if inv.Elements[amf].HostRef != vm {
		t.Errorf("amf hosted on %d, want vm (%d)", inv.Elements[amf].HostRef, vm)
	}
}

// TestVendorGroups: spellings of one group are one group; unknown vendors
// and near misses are kept and reported.
func TestVendorGroups(t *testing.T) {
	inv := build(t, &inventory.Doc{
		Operators: []inventory.Operator{{ID: "op"}},
		Sites:     []inventory.Site{site("S", "op")},
		Elements: []inventory.Element{
			{ID: "a", Site: "S", Function: "gnb", Vendor: "HUAWEI TECHNOLOGIES CO., LTD."},
			{ID: "b", Site: "S", Function: "gnb", Vendor: "Huawei Technologies (UK) Co. Ltd"},
			{ID: "c", Site: "S", Function: "gnb", Vendor: "Huawie"},
			{ID: "d", Site: "S", Function: "gnb", Vendor: "Acme Radio Ltd"},
		},
	})
	if inv.Elements[0].Group != inv.Elements[1].Group {
		t.Errorf("two spellings of Huawei are two groups")
	}
	hw, _ := inv.Group("huawei")
	if g := inv.Groups[hw]; !g.Designated || g.Elements != 2 || len(g.Spellings) != 2 {
		t.Errorf("huawei group = %+v", g)
	}
	codes := map[string]int{}
	for _, w := range inv.Warnings {
		codes[w.Code]++
	}
	if codes["vendor-near-miss"] != 1 || codes["vendor-unknown"] != 1 {
		t.Errorf("warnings = %v, want one near miss and one unknown vendor", inv.Warnings)
	}
}

func TestAreaRequiresRadius(t *testing.T) {
	_, err := inventory.Build(&inventory.Doc{
		Areas: []inventory.Area{{ID: "a", Category: "military", Lat: 1, Lon: 1, RadiusKm: math.NaN()}},
	}, inventory.Options{})
	if ps, ok := cf.AsProblems(err); !ok || len(ps.List) != 1 || ps.List[0].Field != "radius_km" {
		t.Errorf("Build = %v, want one radius_km problem", err)
	}
}

// TestCatalogueCorrections pins the catalogue entries whose domain or
// technology differs from inventory format v1's first table, and why
// (docs/inventory.md, "Function catalogue").
func TestCatalogueCorrections(t *testing.T) {
	c := inventory.BuiltinCatalogue()
	core, security := cf.DomainSet(0).With(cf.DomainCore), cf.DomainSet(0).With(cf.DomainSecurity)
	for _, tc := range []struct {
		id      string
		domain  cf.Domain
		domains cf.DomainSet
		tech    cf.Tech
	}{
		// 5G core network functions (TS 23.501) that are also security-critical.
		{"sepp", cf.DomainCore, core | security, cf.Tech5G},
		{"n3iwf", cf.DomainCore, core | security, cf.Tech5G},
		{"tngf", cf.DomainCore, core | security, cf.Tech5G},
		{"ibcf", cf.DomainCore, core | security, cf.Tech4G | cf.Tech5G},
		{"sbc", cf.DomainCore, core | security, 0},
		{"bng", cf.DomainCore, core, 0},
		{"bras", cf.DomainCore, core, 0},
		{"near-rt-ric", cf.DomainManagement, cf.DomainSet(0).With(cf.DomainManagement), cf.Tech5G},
		{"mec-host", cf.DomainVirtualisation, cf.DomainSet(0).With(cf.DomainVirtualisation), 0},
		{"dslam", cf.DomainFixedAccess, cf.DomainSet(0).With(cf.DomainFixedAccess), cf.TechCopper},
		{"msan", cf.DomainFixedAccess, cf.DomainSet(0).With(cf.DomainFixedAccess), cf.TechCopper},
		{"olt", cf.DomainFixedAccess, cf.DomainSet(0).With(cf.DomainFixedAccess), cf.TechFTTP},
		{"firewall", cf.DomainSecurity, security, 0},
	} {
		ref, ok := c.Lookup(tc.id)
		if !ok {
			t.Errorf("Lookup(%q): not in the built-in catalogue", tc.id)
			continue
		}
		f := c.Func(ref)
		if f.Domain != tc.domain || f.Domains() != tc.domains || f.Technology != tc.tech {
			t.Errorf("%s: domain %s, domains %b, technology %q; want %s, %b, %q", tc.id, f.Domain, f.Domains(), f.Technology, tc.domain, tc.domains, tc.tech)
		}
	}
}

// TestTechnologiesLongChain: technology inference stays linear on a long
// hosting chain of elements of known technology (each one an AMF hosted on
// the next), and every host takes its guests' technology.
func TestTechnologiesLongChain(t *testing.T) {
	const n = 200_000
	doc := &inventory.Doc{
		Operators: []inventory.Operator{{ID: "op"}},
		Sites:     []inventory.Site{site("S", "op")},
		Elements:  make([]inventory.Element, n),
	}
	for i := range doc.Elements {
		e := &doc.Elements[i]
		e.ID, e.Function, e.Vendor = fmt.Sprintf("e%d", i), "amf", "Ericsson"
		if i == n-1 {
			e.Function, e.Site = "server", "S"
		} else {
			e.HostedOn = fmt.Sprintf("e%d", i+1)
		}
	}
	inv := build(t, doc)
	last := inventory.Ref(n - 1)
	if got := inv.Elements[last].Tech; got != cf.Tech5G || inv.TechBasis(last) != inventory.TechHosted {
		t.Errorf("server at the end of the chain: Tech %q from %q, want 5g from its guests", got, inv.TechBasis(last))
	}
}

// TestLinksInParts resolves enough links to be split between goroutines,
// with ends repeated from one link to the next (known and unknown): every
// end resolves to its element, and the problems are those of one loop, in
// record order.
func TestLinksInParts(t *testing.T) {
	doc := &inventory.Doc{
		Operators: []inventory.Operator{{ID: "op"}},
		Sites:     []inventory.Site{site("S", "op")},
	}
	const n = 1000
	for i := range n {
		doc.Elements = append(doc.Elements, inventory.Element{ID: fmt.Sprint("E", i), Site: "S", Function: "core-router", Vendor: "Nokia"})
	}
	var want []string
	for i := range 70_000 {
		a, b := fmt.Sprint("E", i/5%n), fmt.Sprint("E", (i+1)%n)
		if i%10_000 == 7 || i%10_000 == 8 { // two links in a row with the same unknown end
			b = "E-missing"
			want = append(want, fmt.Sprintf("line %d: links %s—%s: b: unknown element %q", i+1, a, b, b))
		}
		if a == b {
			continue
		}
		doc.Links = append(doc.Links, inventory.Link{A: a, B: b, Pos: cf.Position{File: "links.csv", Line: i + 1}})
	}
	_, err := inventory.Build(doc, inventory.Options{})
	ps, ok := cf.AsProblems(err)
	if !ok {
		t.Fatalf("Build: %v, want problems", err)
	}
	var got []string
	for _, p := range ps.List {
		got = append(got, fmt.Sprintf("line %d: %s %s: %s: %s", p.Pos.Line, p.Section, p.ID, p.Field, p.Message))
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	doc.Links = slicesWithout(doc.Links, "E-missing")
	inv := build(t, doc)
	for i := range inv.Links {
		l := &inv.Links[i]
		if inv.Elements[l.ARef].ID != l.A || inv.Elements[l.BRef].ID != l.B {
			t.Fatalf("link %s—%s resolved to %s—%s", l.A, l.B, inv.Elements[l.ARef].ID, inv.Elements[l.BRef].ID)
		}
	}
}

func slicesWithout(links []inventory.Link, end string) []inventory.Link {
	var out []inventory.Link
	for _, l := range links {
		if l.A != end && l.B != end {
			out = append(out, l)
		}
	}
	return out
}

// TestModelSize keeps the records compact: a national inventory holds a
// million elements and as many links, so a field added to them costs a
// million times its size, and reordering fields can waste padding. Growing
// these bounds is a decision for docs/benchmarks.md ("The CSV path").
func TestModelSize(t *testing.T) {
	for _, c := range []struct {
		name      string
		got, most uintptr
	}{
		{"Element", unsafe.Sizeof(inventory.Element{}), 216},
		{"Link", unsafe.Sizeof(inventory.Link{}), 112},
		{"Site", unsafe.Sizeof(inventory.Site{}), 176},
	} {
		if c.got > c.most {
			t.Errorf("inventory.%s is %d bytes, more than %d", c.name, c.got, c.most)
		}
	}
}
