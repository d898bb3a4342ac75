package exposure_test

import (
	"math/rand/v2"

	"context"
	"fmt"
	cf "github.com/corefence/corefence"
	"testing"

	"github.com/corefence/corefence/internal/exposure"
	"github.com/corefence/corefence/internal/inventory"
)

// chainNetwork is one operator whose core runs on a hosting chain of n
// servers, each hosted on the one before; the 5G core functions run on
// the deepest, so that the failure of any server of the chain takes the
// radio site out of service.
func chainNetwork(tb testing.TB, n int) *inventory.Inventory {
	tb.Helper()
	doc := &inventory.Doc{
		Operators: []inventory.Operator{{ID: "op", Name: "Op", Country: "GB"}},
		Sites: []inventory.Site{
			{ID: "core", Operator: "op", Lat: 51.5, Lon: -0.1},
			{ID: "radio", Operator: "op", Lat: 51.6, Lon: -0.2},
		},
	}
	doc.Elements = append(doc.Elements, inventory.Element{ID: "s0", Site: "core", Function: "server", Vendor: "Huawei"})
	for i := 1; i < n; i++ {
		doc.Elements = append(doc.Elements, inventory.Element{ID: fmt.Sprintf("s%d", i), HostedOn: fmt.Sprintf("s%d", i-1), Function: "server", Vendor: "Huawei"})
	}
	last := fmt.Sprintf("s%d", n-1)
	for _, f := range []string{"amf", "smf", "upf", "udm"} {
		doc.Elements = append(doc.Elements, inventory.Element{ID: f, HostedOn: last, Function: f, Vendor: "Ericsson"})
	}
	doc.Elements = append(doc.Elements, inventory.Element{ID: "gnb", Site: "radio", Function: "gnb", Vendor: "Nokia"})
	doc.Links = append(doc.Links, inventory.Link{A: "gnb", B: "amf", Kind: "backhaul"}, inventory.Link{A: "gnb", B: "upf", Kind: "backhaul"})
	inv, err := inventory.Build(doc, inventory.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	return inv
}

func benchmarkChain(b *testing.B, n int) {
	inv := chainNetwork(b, n)
	for b.Loop() {
		if _, err := exposure.Analyse(context.Background(), inv, exposure.AnalyseOptions{Top: 10}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkHostingChain25k(b *testing.B)  { benchmarkChain(b, 25_000) }
func BenchmarkHostingChain100k(b *testing.B) { benchmarkChain(b, 100_000) }
func BenchmarkHostingChain1M(b *testing.B)   { benchmarkChain(b, 1_000_000) }

// deepHosting is a random network whose core runs on a random hosting
// forest of servers, some chains of them long, some servers linked to the
// transport, core functions and routers hosted at any depth: the shapes
// hostingLevels treats specially (bare hosts, hosts of nothing relevant,
// hosts with links of their own) mixed at random.
func deepHosting(tb testing.TB, seed int64, servers, radioSites int) *inventory.Inventory {
	tb.Helper()
	rnd := rand.New(rand.NewPCG(uint64(seed), 1))
	doc := &inventory.Doc{
		Operators: []inventory.Operator{{ID: "op", Name: "Op", Country: "GB"}},
		Sites:     []inventory.Site{{ID: "core", Operator: "op", Lat: 51.5, Lon: -0.1}},
	}
	add := func(e inventory.Element) { doc.Elements = append(doc.Elements, e) }
	link := func(a, b string) { doc.Links = append(doc.Links, inventory.Link{A: a, B: b, Kind: "backhaul"}) }
	for i := range servers {
		e := inventory.Element{ID: fmt.Sprintf("srv%d", i), Function: "server", Vendor: "Huawei"}
		switch {
		case i == 0 || rnd.IntN(8) == 0:
			e.Site = "core"
		case rnd.IntN(4) > 0: // mostly chains: hosted on the one before
			e.HostedOn = fmt.Sprintf("srv%d", i-1)
		default:
			e.HostedOn = fmt.Sprintf("srv%d", rnd.IntN(i))
		}
		add(e)
	}
	host := func(e inventory.Element) inventory.Element {
		if rnd.IntN(5) == 0 {
			e.Site = "core"
		} else {
			e.HostedOn = fmt.Sprintf("srv%d", rnd.IntN(servers))
		}
		return e
	}
	routers := 3
	for i := range routers {
		add(host(inventory.Element{ID: fmt.Sprintf("rtr%d", i), Function: "core-router", Vendor: "Cisco"}))
	}
	for i := range servers {
		if rnd.IntN(6) == 0 {
			link(fmt.Sprintf("srv%d", i), fmt.Sprintf("rtr%d", rnd.IntN(routers)))
		}
	}
	for _, f := range []string{"amf", "smf", "upf", "udm", "mme", "sgw", "pgw", "hss"} {
		for j := range 1 + rnd.IntN(2) {
			id := fmt.Sprintf("%s%d", f, j)
			add(host(inventory.Element{ID: id, Function: f, Vendor: "Ericsson"}))
			link(id, fmt.Sprintf("rtr%d", rnd.IntN(routers)))
		}
	}
	for i := range radioSites {
		site := fmt.Sprintf("site%d", i)
		doc.Sites = append(doc.Sites, inventory.Site{ID: site, Operator: "op", Lat: 52, Lon: -1, Traffic: cf.QuantityFromInt(1), HasTraffic: true})
		for _, f := range []string{"gnb", "enb"} {
			if rnd.IntN(3) > 0 {
				id := site + "-" + f
				add(inventory.Element{ID: id, Site: site, Function: f, Vendor: "Nokia"})
				link(id, fmt.Sprintf("rtr%d", rnd.IntN(routers)))
				if rnd.IntN(3) == 0 {
					link(id, fmt.Sprintf("rtr%d", rnd.IntN(routers)))
				}
			}
		}
	}
	inv, err := inventory.Build(doc, inventory.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	return inv
}

// TestChokePointsDeepHosting checks the choke points of random deep
// hosting forests against the definition, element by element.
//
// It runs twice: with the default length from which a chain of scored
// elements is scored in one pass of its own (chokePath), and with every
// chain of two or more so scored, which these small forests need to reach
// that pass at all.
func TestChokePointsDeepHosting(t *testing.T) {
	for _, minPath := range []int{0, 2} {
		t.Run(fmt.Sprintf("paths from %d", minPath), func(t *testing.T) {
			if minPath > 0 {
				defer exposure.SetMinPath(minPath)()
			}
			for seed := range int64(30) {
				inv := deepHosting(t, seed, 60, 12)
				checkChokeByRemoval(t, fmt.Sprintf("seed %d", seed), inv)
			}
			checkChokeByRemoval(t, "chain", chainNetwork(t, 200))
			checkChokeByRemoval(t, "linked chain", linkedChainNetwork(t, 200))
		})
	}
}

func checkChokeByRemoval(t *testing.T, name string, inv *inventory.Inventory) {
	t.Helper()
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
	for i := range inv.Elements {
		e := inventory.Ref(i)
		if !g.InGraph(e) {
			continue
		}
		if want := len(g.SitesLostWithout([]inventory.Ref{e})); got[e] != want {
			t.Errorf("%s: element %s: ChokePoints says its failure loses %d sites, removing it loses %d", name, inv.Elements[i].ID, got[e], want)
		}
	}
}

// linkedChainNetwork is chainNetwork with every server of the chain linked
// to a core router as well: no host of the chain is bare, so every server
// is scored, and the chain is scored in one pass (chokePath) rather than
// one search per server.
func linkedChainNetwork(tb testing.TB, n int) *inventory.Inventory {
	tb.Helper()
	doc := &inventory.Doc{
		Operators: []inventory.Operator{{ID: "op", Name: "Op", Country: "GB"}},
		Sites: []inventory.Site{
			{ID: "core", Operator: "op", Lat: 51.5, Lon: -0.1},
			{ID: "radio", Operator: "op", Lat: 51.6, Lon: -0.2},
		},
	}
	doc.Elements = append(doc.Elements,
		inventory.Element{ID: "cr", Site: "core", Function: "core-router", Vendor: "Cisco"},
		inventory.Element{ID: "s0", Site: "core", Function: "server", Vendor: "Huawei"})
	for i := 1; i < n; i++ {
		id := fmt.Sprintf("s%d", i)
		doc.Elements = append(doc.Elements, inventory.Element{ID: id, HostedOn: fmt.Sprintf("s%d", i-1), Function: "server", Vendor: "Huawei"})
		doc.Links = append(doc.Links, inventory.Link{A: id, B: "cr", Kind: "core"})
	}
	last := fmt.Sprintf("s%d", n-1)
	for _, f := range []string{"amf", "smf", "upf", "udm"} {
		doc.Elements = append(doc.Elements, inventory.Element{ID: f, HostedOn: last, Function: f, Vendor: "Ericsson"})
	}
	doc.Elements = append(doc.Elements, inventory.Element{ID: "gnb", Site: "radio", Function: "gnb", Vendor: "Nokia"})
	doc.Links = append(doc.Links, inventory.Link{A: "gnb", B: "cr", Kind: "backhaul"})
	inv, err := inventory.Build(doc, inventory.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	return inv
}

func benchmarkLinkedChain(b *testing.B, n int) {
	inv := linkedChainNetwork(b, n)
	for b.Loop() {
		if _, err := exposure.Analyse(context.Background(), inv, exposure.AnalyseOptions{Top: 10}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkHostingChainLinked25k(b *testing.B)  { benchmarkLinkedChain(b, 25_000) }
func BenchmarkHostingChainLinked100k(b *testing.B) { benchmarkLinkedChain(b, 100_000) }
func BenchmarkHostingChainLinked1M(b *testing.B)   { benchmarkLinkedChain(b, 1_000_000) }
