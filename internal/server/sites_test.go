package server_test

import (
	"bytes"
	"math"
	"slices"
	"strings"
	"testing"

	cf "github.com/corefence/corefence"
	"github.com/corefence/corefence/internal/export"
	"github.com/corefence/corefence/internal/importer"
	"github.com/corefence/corefence/internal/inventory"
	"github.com/corefence/corefence/internal/server"
)

// TestSiteMap: the run's map columns say, site by site, what the network
// loaded here and the run's findings say.
func TestSiteMap(t *testing.T) {
	g := generatedNetwork(t, 300)
	forEachBackend(t, func(t *testing.T, e *apiEnv) {
		snap, run := checkGenerated(t, e, g)
		all := pageAll[finding](t, e, "/api/v1/operators/"+g.op+"/runs/"+run.ID+"/findings?", 1000)
		bySite := map[string][]finding{}
		for _, f := range all {
			bySite[f.str(f.Site)] = append(bySite[f.str(f.Site)], f)
		}

		var m server.SiteMap
		r := e.getJSON("reg", "/api/v1/operators/"+g.op+"/runs/"+run.ID+"/sites", 200, &m)
		n := len(g.inv.Sites)
		for name, l := range map[string]int{"id": len(m.ID), "lon": len(m.Lon), "lat": len(m.Lat), "operator": len(m.Operator),
			"group_set": len(m.GroupSet), "worst": len(m.Worst), "tech": len(m.Tech), "findings": len(m.Findings)} {
			if l != n {
				t.Fatalf("column %s has %d entries for %d sites", name, l, n)
			}
		}
		if len(m.Runs) != 1 || m.Runs[0].Snapshot != snap.ID || *m.Runs[0].Run != run.ID || len(m.Groups) != len(m.Designated) {
			t.Fatalf("runs %+v, %d groups, %d designation flags", m.Runs, len(m.Groups), len(m.Designated))
		}
		t.Logf("map of %d sites: %d bytes", n, len(r.body))
		if perSite := len(r.body) / n; perSite > 160 {
			t.Errorf("%d bytes a site: 100,000 sites would not stay a few MB", perSite)
		}
		if !slices.Equal(m.Technologies, cf.TechNames()) {
			t.Fatalf("technologies %v", m.Technologies)
		}
		groups := map[string][]string{}
		tech := map[string]cf.Tech{}
		for i := range g.inv.Elements {
			el := &g.inv.Elements[i]
			if el.SiteRef == inventory.NoRef || !el.InNetwork(false) {
				continue
			}
			id := g.inv.SiteID(el.SiteRef)
			tech[id] |= el.Tech
			if grp := g.inv.Groups[el.Group].ID; !slices.Contains(groups[id], grp) {
				groups[id] = append(groups[id], grp)
			}
		}
		rank := func(st string) int { return slices.Index(m.Statuses, st) }
		coloured := 0
		for i, id := range m.ID {
			ref, ok := g.inv.Site(id)
			if !ok {
				t.Fatalf("site %s is not in the network", id)
			}
			s := &g.inv.Sites[ref]
			if math.Abs(m.Lon[i]-s.Lon) > 5e-6 || math.Abs(m.Lat[i]-s.Lat) > 5e-6 || m.Operators[m.Operator[i]] != s.Operator {
				t.Fatalf("site %s at %v,%v of %s; the network says %v,%v of %s", id, m.Lon[i], m.Lat[i], m.Operators[m.Operator[i]], s.Lon, s.Lat, s.Operator)
			}
			var got []string
			for _, gi := range m.GroupSets[m.GroupSet[i]] {
				got = append(got, m.Groups[gi])
			}
			want := slices.Clone(groups[id])
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) || cf.Tech(m.Tech[i]) != tech[id] {
				t.Fatalf("site %s: groups %v tech %v; want %v %v", id, got, cf.Tech(m.Tech[i]), want, tech[id])
			}
			worst := -1
			for _, f := range bySite[id] {
				if r := rank(f.Status); worst < 0 || r < worst {
					worst = r
				}
			}
			if m.Findings[i] != len(bySite[id]) || m.Worst[i] != worst {
				t.Fatalf("site %s: %d findings, worst %d; the findings list has %d, worst %d", id, m.Findings[i], m.Worst[i], len(bySite[id]), worst)
			}
			if worst >= 0 {
				coloured++
			}
		}
		if coloured == 0 || coloured == n {
			t.Fatalf("%d of %d sites have findings: not a map worth testing", coloured, n)
		}

		// The national map holds the same sites, by the latest run on the
		// snapshot valid on the date; before any snapshot, none.
		var nat server.SiteMap
		e.getJSON("reg", "/api/v1/national/sites?as_of=2024-01-01", 200, &nat)
		if !slices.Equal(nat.ID, m.ID) || !slices.Equal(nat.Worst, m.Worst) || len(nat.Runs) != 1 || *nat.Runs[0].Run != run.ID {
			t.Fatalf("national map: %d sites, runs %+v", len(nat.ID), nat.Runs)
		}
		e.getJSON("reg", "/api/v1/national/sites?as_of=2020-01-01", 200, &nat)
		if len(nat.ID) != 0 || len(nat.Runs) != 0 {
			t.Fatalf("national map before any snapshot: %d sites", len(nat.ID))
		}
		e.getJSON("reg", "/api/v1/national/sites?as_of=yesterday", 400, nil)

		// A site's page: its elements, its findings with their rules, and
		// the elements upstream on its traffic's paths.
		var radio string
		for id, fs := range bySite {
			if ref, ok := g.inv.Site(id); ok && len(fs) > 0 && tech[id]&(cf.Tech4G|cf.Tech5G) != 0 && g.inv.Sites[ref].Kind != inventory.SiteDataCentre {
				if radio == "" || id < radio {
					radio = id
				}
			}
		}
		if radio == "" {
			t.Fatal("no radio site with findings")
		}
		var d server.SiteDetail
		e.getJSON("reg", "/api/v1/operators/"+g.op+"/runs/"+run.ID+"/sites/"+radio, 200, &d)
		ref, _ := g.inv.Site(radio)
		var wantEls, gotEls []string
		for i := range g.inv.Elements {
			if g.inv.Elements[i].SiteRef == ref {
				wantEls = append(wantEls, g.inv.Elements[i].ID)
			}
		}
		for _, el := range d.Elements {
			gotEls = append(gotEls, el.ID)
		}
		if d.Site.ID != radio || !slices.Equal(gotEls, wantEls) || len(d.Findings) != len(bySite[radio]) {
			t.Fatalf("site %s: elements %v, want %v; %d findings, want %d", radio, gotEls, wantEls, len(d.Findings), len(bySite[radio]))
		}
		for _, f := range d.Findings {
			if f.Rule == nil || f.Rule.Title == "" || f.Rule.Citation == "" {
				t.Fatalf("finding %s without its rule's text", f.Finding)
			}
		}
		if d.Upstream == nil || !d.Upstream.Routed || len(d.Upstream.Elements) == 0 {
			t.Fatalf("a radio site's traffic goes nowhere: %+v", d.Upstream)
		}
		for _, u := range d.Upstream.Elements {
			if u.Site == radio || u.Share <= 0 || u.Share > 1 {
				t.Fatalf("upstream element %+v", u)
			}
		}
		e.getJSON("reg", "/api/v1/operators/"+g.op+"/runs/"+run.ID+"/sites/no-such-site", 404, nil)
	})
}

// TestSiteMapAreas: a run's map holds its own snapshot's sensitive areas,
// as the inventory gives them, and no other operator's; the national map
// holds every operator's, an area alike in two snapshots once, naming
// both, and areas differing in any field apart.
func TestSiteMapAreas(t *testing.T) {
	doc, err := importer.Read("../../testdata/small-network.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.Areas) == 0 {
		t.Fatal("testdata/small-network.yaml has no areas to share")
	}
	parts := server.SplitByOperator(doc)
	// Each operator's own areas, besides the shared ones: one of each
	// alone, and one with the same id but another radius.
	own := map[string][]inventory.Area{
		"alpha": {{ID: "alpha-mast", Name: "Alpha's mast", Category: "military", Lat: 53.8, Lon: -1.55, RadiusKm: 0.75},
			{ID: "gov-1", Category: "government", Lat: 51.5, Lon: -0.12, RadiusKm: 1.5}},
		"beta": {{ID: "beta-plant", Name: "Beta's plant", Category: "nuclear", Lat: 52.41, Lon: -1.52, RadiusKm: 2.25},
			{ID: "gov-1", Category: "government", Lat: 51.5, Lon: -0.12, RadiusKm: 2}},
	}
	forEachBackend(t, func(t *testing.T, e *apiEnv) {
		runs := map[string]string{}
		for _, op := range []string{"alpha", "beta"} {
			d := *parts[op]
			d.Areas = append(slices.Clone(d.Areas), own[op]...)
			var b bytes.Buffer
			if err := export.WriteYAML(&b, &d); err != nil {
				t.Fatal(err)
			}
			snap := e.snapshot("reg", op, b.Bytes(), "2023-01-01")
			var run runView
			e.sendJSON("reg", "POST", "/api/v1/operators/"+op+"/runs", map[string]any{"snapshot": snap.ID, "packs": []string{"uk-2020-ncsc"}, "as_of": "2024-01-01"}, 201, &run)
			runs[op] = run.ID
		}

		// area is an area as the map gives it, its operators by name.
		type area struct {
			id, name, category string
			lon, lat, radiusM  float64
			operators          string
		}
		areasOf := func(m server.SiteMap) []area {
			var out []area
			for _, a := range m.Areas {
				var ops []string
				for _, o := range a.Operators {
					ops = append(ops, m.Operators[o])
				}
				out = append(out, area{a.ID, a.Name, a.Category, a.Lon, a.Lat, a.RadiusM, strings.Join(ops, ",")})
			}
			return out
		}
		want := func(ops string, as ...inventory.Area) []area {
			var out []area
			for _, a := range as {
				out = append(out, area{a.ID, a.Name, a.Category, a.Lon, a.Lat, a.RadiusKm * 1000, ops})
			}
			return out
		}
		shared := doc.Areas

		// Each operator reads its own run's areas, and nothing of the
		// other's, whose run is not found.
		for _, op := range []string{"alpha", "beta"} {
			var m server.SiteMap
			e.getJSON("op-"+op, "/api/v1/operators/"+op+"/runs/"+runs[op]+"/sites", 200, &m)
			if got, w := areasOf(m), want(op, append(slices.Clone(shared), own[op]...)...); !slices.Equal(got, w) {
				t.Errorf("%s's map: areas %+v\nwant %+v", op, got, w)
			}
		}
		r := e.do("op-alpha", "GET", "/api/v1/operators/beta/runs/"+runs["beta"]+"/sites", "", nil)
		if r.status != 404 || contains(r.body, "beta-plant") {
			t.Errorf("alpha reading beta's map: %d %s", r.status, r.body)
		}
		e.getJSON("op-alpha", "/api/v1/national/sites", 403, nil)

		// The national map: the shared areas once, naming both.
		var nat server.SiteMap
		e.getJSON("reg", "/api/v1/national/sites?as_of=2024-01-01", 200, &nat)
		w := append(want("alpha,beta", shared...), want("alpha", own["alpha"]...)...)
		w = append(w, want("beta", own["beta"]...)...)
		if got := areasOf(nat); !slices.Equal(got, w) {
			t.Errorf("national map: areas %+v\nwant %+v", got, w)
		}
	})
}
