package exposure

import (
	"fmt"
	"testing"

	"github.com/corefence/corefence/internal/inventory"
)

// TestHostingChainLevels is the regression case for a 100,000-element
// hosting chain, which once made the choke-point search run once per
// hosting depth (quadratic: 72 s at 100,000). However long the chain, a
// bare chain adds at most one search, and the graph is built in one pass.
func TestHostingChainLevels(t *testing.T) {
	const n = 100_000
	for _, tc := range []struct {
		name     string
		core     bool // the core functions run on the deepest server
		linked   bool // every server has a link of its own
		want     int32
		wantBare int // elements scored as their one relevant guest
		wantPath int // elements scored in one pass (chokePath)
	}{
		{"bare chain", false, false, 0, 0, 0},
		{"core at the bottom", true, false, 2, n - 1, 0},
		// s0, without a link, is a bare host; the other servers are
		// scored, in one path of n-1 that goes on to one function of
		// the deepest server; the other function is the one level.
		{"linked chain", true, true, 1, 1, n},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc := &inventory.Doc{
				Operators: []inventory.Operator{{ID: "op", Name: "Op", Country: "GB"}},
				Sites:     []inventory.Site{{ID: "core", Operator: "op", Lat: 51.5, Lon: -0.1}},
				Elements:  []inventory.Element{{ID: "s0", Site: "core", Function: "server", Vendor: "Huawei"}},
			}
			if tc.linked {
				doc.Elements = append(doc.Elements, inventory.Element{ID: "cr", Site: "core", Function: "core-router", Vendor: "Cisco"})
			}
			for i := 1; i < n; i++ {
				doc.Elements = append(doc.Elements, inventory.Element{ID: fmt.Sprintf("s%d", i), HostedOn: fmt.Sprintf("s%d", i-1), Function: "server", Vendor: "Huawei"})
				if tc.linked {
					doc.Links = append(doc.Links, inventory.Link{A: fmt.Sprintf("s%d", i), B: "cr", Kind: "core"})
				}
			}
			if tc.core {
				for _, f := range []string{"amf", "upf"} {
					doc.Elements = append(doc.Elements, inventory.Element{ID: f, HostedOn: fmt.Sprintf("s%d", n-1), Function: f, Vendor: "Ericsson"})
				}
			}
			inv, err := inventory.Build(doc, inventory.Options{})
			if err != nil {
				t.Fatal(err)
			}
			g, err := NewGraph(inv, Options{})
			if err != nil {
				t.Fatal(err)
			}
			o := g.ops[0]
			wantDepth := int32(n - 1)
			if tc.core {
				wantDepth++ // the functions on the deepest server
			}
			if o.maxDepth != wantDepth {
				t.Fatalf("hosting depth %d, want %d", o.maxDepth, wantDepth)
			}
			lv := o.hostingLevels()
			o.hostingPaths(lv)
			onPaths := 0
			for _, p := range lv.paths {
				onPaths += len(p)
			}
			if onPaths != tc.wantPath {
				t.Errorf("%d elements on %d paths, want %d", onPaths, len(lv.paths), tc.wantPath)
			}
			bare := 0
			for _, l := range lv.like {
				if l >= 0 {
					bare++
				}
			}
			if lv.n != tc.want || bare != tc.wantBare {
				t.Errorf("%d searches and %d bare hosts, want %d and %d", lv.n, bare, tc.want, tc.wantBare)
			}
			for x := range o.order[1:] {
				if h := o.host[o.order[x+1]]; h >= 0 && !o.hosts(h, o.order[x+1]) {
					t.Fatalf("preorder: %d does not contain its guest %d", h, o.order[x+1])
				}
			}
		})
	}
}
