package exposure_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/corefence/corefence/internal/exposure"
	"github.com/corefence/corefence/internal/gen"
	"github.com/corefence/corefence/internal/inventory"
)

// TestChokePointsMatchRemoval checks the dominator computation against the
// definition, without NetworkX: every element failed in turn (with what it
// hosts), the sites lost recomputed from scratch.
func TestChokePointsMatchRemoval(t *testing.T) {
	invs := map[string]*inventory.Inventory{"generated": generate(t, gen.MinSites, 7)}
	dirs, _ := filepath.Glob("testdata/cases/*")
	for _, dir := range dirs {
		inv, _ := loadCase(t, dir)
		invs[filepath.Base(dir)] = inv
	}
	for name, inv := range invs {
		t.Run(name, func(t *testing.T) {
			g, err := exposure.NewGraph(inv, exposure.Options{})
			if err != nil {
				t.Fatal(err)
			}
			cps, err := g.ChokePoints(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			got := map[inventory.Ref]int{}
			for _, c := range cps {
				got[c.Ref] = c.SitesLost
			}
			checked := 0
			for i := range inv.Elements {
				e := inventory.Ref(i)
				if !g.InGraph(e) {
					continue
				}
				checked++
				if want := len(g.SitesLostWithout([]inventory.Ref{e})); got[e] != want {
					t.Errorf("element %s: ChokePoints says its failure loses %d sites, removing it loses %d", inv.Elements[i].ID, got[e], want)
				}
			}
			t.Logf("%d elements checked, %d choke points", checked, len(cps))
		})
	}
}
