package bench

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"sort"
	"strings"
	"testing"

	cf "github.com/corefence/corefence"
	"github.com/corefence/corefence/bench/regotrans"
	"github.com/corefence/corefence/internal/export"
	"github.com/corefence/corefence/internal/gen"
	"github.com/corefence/corefence/internal/importer"
	"github.com/corefence/corefence/internal/inventory"
	"github.com/corefence/corefence/internal/policy"
)

// The packs and dates every cross-check runs: before, between and after the
// UK and Canadian deadlines.
var (
	crossPacks = []string{"uk-dvd-2022", "uk-2020-ncsc", "uk-2020-07", "ca-2022", "de-2024"}
	crossDates = []string{"2020-01-28", "2023-01-28", "2023-12-31", "2028-01-01"}
)

func builtinPacks(t testing.TB, ids ...string) []*policy.Pack {
	t.Helper()
	var out []*policy.Pack
	for _, id := range ids {
		p, ok, err := policy.Builtin(id)
		if !ok || err != nil {
			t.Fatalf("built-in pack %s: found %v, %v", id, ok, err)
		}
		out = append(out, p)
	}
	return out
}

func date(t testing.TB, s string) cf.Date {
	t.Helper()
	d, err := cf.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// coverage records what the cross-checks compared, so that a test can make
// sure they were not vacuous.
type coverage map[string]int

// crossCheck runs corefence and the Rego translation on inv at each date and
// requires the same set of findings.
func crossCheck(t *testing.T, inv *inventory.Inventory, packs []*policy.Pack, dates []string, cov coverage) {
	t.Helper()
	ctx := context.Background()
	var buf bytes.Buffer
	if err := regotrans.WriteInput(&buf, inv); err != nil {
		t.Fatal(err)
	}
	input, err := regotrans.ParseInput(&buf) // once, shared by every date
	if err != nil {
		t.Fatal(err)
	}
	mod, err := regotrans.Translate(packs)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range dates {
		asOf := date(t, s)
		res, err := policy.Check(ctx, inv, packs, policy.Options{AsOf: asOf})
		if err != nil {
			t.Fatal(err)
		}
		ev, err := regotrans.PrepareModule(ctx, mod, packs, asOf)
		if err != nil {
			t.Fatalf("%v\n%s", err, numbered(mod.Text))
		}
		got, err := ev.Eval(ctx, input)
		if err != nil {
			t.Fatal(err)
		}
		want := regotrans.ProductKeys(res)
		if d := regotrans.Diff(want, got, 40); d != "" {
			t.Errorf("as of %s: corefence and OPA disagree (corefence %d findings, OPA %d)\n%s", s, want.Count(), got.Count(), d)
			continue
		}
		t.Logf("as of %s: %d findings agree: %s", s, want.Count(), summary(want))
		for k, n := range want {
			kind := ""
			for _, p := range packs {
				for i := range p.Rules {
					if p.Rules[i].ID == k.Rule {
						kind = p.Rules[i].Kind
					}
				}
			}
			if cov != nil {
				cov[kind+" "+k.Status] += n
			}
		}
	}
}

func summary(ks regotrans.Keys) string {
	m := map[string]int{}
	for k, n := range ks {
		m[k.Status] += n
	}
	var parts []string
	for _, s := range policy.Statuses {
		if m[s] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", m[s], s))
		}
	}
	return strings.Join(parts, ", ")
}

func numbered(text string) string {
	var b strings.Builder
	for i, l := range strings.Split(text, "\n") {
		fmt.Fprintf(&b, "%4d  %s\n", i+1, l)
	}
	return b.String()
}

func TestCrossCheckSmallNetwork(t *testing.T) {
	inv, err := importer.Load("../testdata/small-network.yaml", inventory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	cov := coverage{}
	// And the day after 2023-12-31, when the Direction's core deadline
	// ("by 31 December 2023") is first missed.
	crossCheck(t, inv, builtinPacks(t, crossPacks...), append(crossDates, "2024-01-01"), cov)
	// The generated networks are the UK of 2019-2020, with no install after
	// the bans and every site's traffic known; the small network has both.
	// Its one late install breaks the 2020 decision, which does not bind:
	// an advisory finding, whose status the translation must also get right.
	requireCoverage(t, cov, "installation-ban advisory", "installation-ban upcoming", "installation-ban unmeasured",
		"share-cap unmeasured", "exclude advisory", "exclude violation", "share-cap advisory")
}

// requireCoverage fails unless every kind-and-status was compared at least
// once: a cross-check that finds nothing proves nothing.
func requireCoverage(t *testing.T, cov coverage, want ...string) {
	t.Helper()
	var missing []string
	for _, w := range want {
		if cov[w] == 0 {
			missing = append(missing, w)
		}
	}
	keys := make([]string, 0, len(cov))
	for k := range cov {
		keys = append(keys, fmt.Sprintf("%s: %d", k, cov[k]))
	}
	sort.Strings(keys)
	t.Logf("compared: %s", strings.Join(keys, "; "))
	if len(missing) > 0 && !t.Failed() {
		t.Errorf("no finding of: %s — the cross-check does not exercise them", strings.Join(missing, ", "))
	}
}

// TestCrossCheckGenerated compares corefence and OPA on generated national
// networks, written as CSV bundles and loaded back as a user's would be.
func TestCrossCheckGenerated(t *testing.T) {
	packs := builtinPacks(t, crossPacks...)
	cov := coverage{}
	for _, seed := range []int64{1, 7} {
		t.Run(fmt.Sprintf("seed-%d", seed), func(t *testing.T) {
			doc, err := gen.Generate(gen.Config{Country: "gb", Sites: 2000, Seed: seed})
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			if err := export.WriteCSV(dir, doc); err != nil {
				t.Fatal(err)
			}
			inv, err := importer.Load(dir, inventory.Options{})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%d operators, %d sites, %d elements, %d areas", len(inv.Operators), len(inv.Sites), len(inv.Elements), len(inv.Areas))
			crossCheck(t, inv, packs, crossDates, cov)
		})
	}
	// The generated networks are mobile only: their share caps are the
	// NCSC's and the Direction's draft 5G cap, which do not bind, so their
	// findings in force are advisory (the binding full-fibre cap is
	// cross-checked on the hand-built network below).
	requireCoverage(t, cov,
		"exclude violation", "exclude upcoming", "exclude advisory",
		"exclude-at-sites violation", "exclude-at-sites upcoming",
		"share-cap advisory", "share-cap upcoming",
		"installation-ban unmeasured")
}

// handNetwork builds an inventory from records, as a generator would.
func handNetwork(t *testing.T, doc *inventory.Doc) *inventory.Inventory {
	t.Helper()
	inv, err := inventory.Build(doc, inventory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return inv
}

func qty(t *testing.T, s string) cf.Quantity {
	t.Helper()
	q, err := cf.ParseQuantity(s)
	if err != nil {
		t.Fatal(err)
	}
	return q
}

// TestCrossCheckHosting: a designated server is in scope through what it
// hosts — a Huawei server under an Ericsson AMF is a core component, also
// down a chain — and only elements in the network count, hosts included.
func TestCrossCheckHosting(t *testing.T) {
	d, _ := cf.ParseDate("2019-06-01")
	doc := &inventory.Doc{
		Operators: []inventory.Operator{{ID: "op", Name: "Op", Country: "GB"}},
		Sites: []inventory.Site{
			{ID: "DC1", Operator: "op", Lat: 51.5, Lon: -0.12, Kind: "data-centre"},
			{ID: "DC2", Operator: "op", Lat: 53.4, Lon: -2.2, Kind: "data-centre"},
			{ID: "C1", Operator: "op", Lat: 52.0, Lon: -1.0},
		},
		Elements: []inventory.Element{
			// Directly: a Huawei server hosting an Ericsson AMF.
			{ID: "srv-hw", Site: "DC1", Function: "server", Vendor: "Huawei", Installed: d},
			{ID: "amf", HostedOn: "srv-hw", Function: "amf", Vendor: "Ericsson", Installed: d},
			// Down a chain: Huawei server ← Nokia cloud ← Ericsson SMF.
			{ID: "srv-hw2", Site: "DC2", Function: "server", Vendor: "Huawei"},
			{ID: "cloud", HostedOn: "srv-hw2", Function: "o-cloud", Vendor: "Nokia"},
			{ID: "smf", HostedOn: "cloud", Function: "smf", Vendor: "Ericsson"},
			// A Huawei router hosting a Huawei UPF at a cell site.
			{ID: "rtr-hw", Site: "C1", Function: "router", Vendor: "Huawei"},
			{ID: "upf-hw", HostedOn: "rtr-hw", Function: "upf", Vendor: "Huawei"},
			// A Huawei server hosting only a retired AMF: not a core component.
			{ID: "srv-hw3", Site: "DC2", Function: "server", Vendor: "Huawei"},
			{ID: "amf-old", HostedOn: "srv-hw3", Function: "amf", Vendor: "Ericsson", Status: "retired"},
			// A gNB hosted on a Huawei server: the server becomes 5G access.
			{ID: "srv-hw4", Site: "C1", Function: "server", Vendor: "Huawei"},
			{ID: "cu", HostedOn: "srv-hw4", Function: "gnb-cu-cp", Vendor: "Ericsson"},
		},
	}
	crossCheck(t, handNetwork(t, doc), builtinPacks(t, crossPacks...), crossDates, nil)
}

// TestCrossCheckNotInNetwork: a retired or planned Huawei server still
// listed as the host of an active Ericsson AMF is not part of the network
// (docs/policy-packs.md: only active and decommissioning elements count, never
// retired), so it must not be reported — whatever it hosts.
func TestCrossCheckNotInNetwork(t *testing.T) {
	doc := &inventory.Doc{
		Operators: []inventory.Operator{{ID: "op", Name: "Op", Country: "GB"}},
		Sites:     []inventory.Site{{ID: "DC1", Operator: "op", Lat: 51.5, Lon: -0.12, Kind: "data-centre"}},
		Elements: []inventory.Element{
			{ID: "srv-retired", Site: "DC1", Function: "server", Vendor: "Huawei", Status: "retired"},
			{ID: "amf", HostedOn: "srv-retired", Function: "amf", Vendor: "Ericsson"},
			{ID: "srv-planned", Site: "DC1", Function: "server", Vendor: "Huawei", Status: "planned"},
			{ID: "smf", HostedOn: "srv-planned", Function: "smf", Vendor: "Ericsson"},
		},
	}
	crossCheck(t, handNetwork(t, doc), builtinPacks(t, "uk-dvd-2022"), []string{"2023-12-31"}, nil)
}

// TestCrossCheckShareAtCap: a share exactly at the cap complies, compared
// exactly — 0.1 + 0.2 + 0.05 of 1.0 is 35%, not a hair over as in floating
// point — and one site more breaks it; a missing figure makes the metric
// unmeasured; no traffic at all gives no share.
func TestCrossCheckShareAtCap(t *testing.T) {
	doc := &inventory.Doc{}
	add := func(op string, n, designated int, traffic func(i int) string, premises func(i int) (int64, bool), fn string) {
		doc.Operators = append(doc.Operators, inventory.Operator{ID: op, Name: op, Country: "GB"})
		for i := 0; i < n; i++ {
			s := inventory.Site{ID: fmt.Sprintf("%s-%02d", op, i), Operator: op, Lat: 52 + float64(i)/100, Lon: -1}
			if tr := traffic(i); tr != "" {
				s.Traffic, s.HasTraffic = qty(t, tr), true
			}
			s.Premises, s.HasPremises = premises(i)
			doc.Sites = append(doc.Sites, s)
			vendor := "Nokia"
			if i < designated {
				vendor = "Huawei"
			}
			doc.Elements = append(doc.Elements,
				inventory.Element{ID: s.ID + "-" + fn, Site: s.ID, Function: fn, Vendor: vendor},
				// An out-of-scope element does not make a site count.
				inventory.Element{ID: s.ID + "-enb", Site: s.ID, Function: "enb", Vendor: "Huawei"})
		}
		// A site with only out-of-scope equipment is not in the denominator.
		doc.Sites = append(doc.Sites, inventory.Site{ID: op + "-4g", Operator: op, Lat: 51, Lon: -1})
		doc.Elements = append(doc.Elements, inventory.Element{ID: op + "-4g-enb", Site: op + "-4g", Function: "enb", Vendor: "Huawei"})
	}
	noPremises := func(int) (int64, bool) { return 0, false }
	// 7 of 20 sites, and 0.1 + 0.2 + 0.05 + 0 … of 1.0 traffic: exactly 35%.
	atCap := func(i int) string {
		switch {
		case i == 0:
			return "0.1"
		case i == 1:
			return "0.2"
		case i == 2:
			return "0.05"
		case i < 7:
			return "0"
		}
		return "0.05" // 13 × 0.05 = 0.65
	}
	add("at-cap", 20, 7, atCap, noPremises, "gnb")
	// 8 of 20 sites (40%), and one site without traffic.
	add("over-cap", 20, 8, func(i int) string {
		if i == 19 {
			return ""
		}
		return "1"
	}, noPremises, "gnb")
	// Designated traffic a billionth over 35%.
	add("hair-over", 20, 7, func(i int) string {
		if i == 0 {
			return "0.100000001"
		}
		return atCap(i)
	}, noPremises, "gnb")
	// No traffic anywhere: no share to compare.
	add("no-traffic", 3, 3, func(int) string { return "0" }, noPremises, "gnb")
	// Full fibre: premises 35 of 100 exactly, and 36 of 100.
	noTraffic := func(int) string { return "" }
	add("ftth-at-cap", 10, 1, noTraffic, func(i int) (int64, bool) {
		switch {
		case i == 0:
			return 35, true
		case i <= 5:
			return 13, true // 5 × 13 = 65
		}
		return 0, true
	}, "olt")
	add("ftth-over", 10, 1, noTraffic, func(i int) (int64, bool) {
		switch {
		case i == 0:
			return 36, true
		case i <= 4:
			return 16, true // 4 × 16 = 64
		}
		return 0, true
	}, "olt")
	crossCheck(t, handNetwork(t, doc), builtinPacks(t, "uk-dvd-2022", "uk-2020-ncsc"), []string{"2023-12-31"}, nil)

	// And the comparison is exact on corefence's side too.
	res, err := policy.Check(context.Background(), handNetwork(t, doc), builtinPacks(t, "uk-2020-ncsc"), policy.Options{AsOf: date(t, "2023-12-31")})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, k := range sortedKeys(regotrans.ProductKeys(res)) {
		if k.Metric != "" {
			got[k.Operator+" "+k.Metric] = k.Status
		}
	}
	// NCSC advice does not bind: over the cap is advisory, not a violation.
	want := map[string]string{
		"over-cap sites": "advisory", "over-cap traffic": "unmeasured",
		"hair-over traffic":  "advisory",
		"no-traffic sites":   "advisory", // 3 of 3 sites; its traffic share (0 of 0) is no finding
		"ftth-over premises": "advisory",
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("uk-2020-ncsc share findings:\n got %v\nwant %v", got, want)
	}
}

func sortedKeys(ks regotrans.Keys) []regotrans.Key {
	out := make([]regotrans.Key, 0, len(ks))
	for k := range ks {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out
}

// TestCrossCheckAreaEdges: a site exactly on an area's edge (radius plus
// buffer) is inside, half a millimetre beyond it too (the tolerance is one),
// a centimetre beyond it is not — north of the centre and east of it, where
// longitude degrees are shorter.
func TestCrossCheckAreaEdges(t *testing.T) {
	pack, err := policy.Parse("edges.yaml", []byte(`
id: edges
title: area edges
kind: scenario
status: proposal
designated: [huawei]
rules:
  - {id: near-military, title: military areas and 2.5 km around, kind: exclude-at-sites, effective: 2020-01-01, area_categories: [military], buffer_km: 2.5}
  - {id: nuclear, title: nuclear areas and tagged sites, kind: exclude-at-sites, effective: 2030-01-01, area_categories: [nuclear], site_tags: [national-security]}
`))
	if err != nil {
		t.Fatal(err)
	}
	const r = 6371.0088
	type place struct {
		name         string
		lat, lon     float64
		limit        float64 // radius + buffer
		areaCategory string
	}
	areas := []place{{"base", 51.0, -1.0, 3 + 2.5, "military"}, {"plant", 54.0, -3.0, 1.5, "nuclear"}}
	doc := &inventory.Doc{
		Operators: []inventory.Operator{{ID: "op", Name: "Op", Country: "GB"}},
		Areas: []inventory.Area{
			{ID: "base", Category: "military", Lat: 51.0, Lon: -1.0, RadiusKm: 3},
			{ID: "plant", Category: "nuclear", Lat: 54.0, Lon: -3.0, RadiusKm: 1.5},
		},
	}
	inside := map[string]bool{}
	for _, a := range areas {
		for _, off := range []struct {
			name   string
			dKm    float64
			inside bool
		}{{"edge", 0, true}, {"half-mm-out", 0.0000005, true}, {"cm-out", 0.00001, false}, {"100m-in", -0.1, true}, {"100m-out", 0.1, false}} {
			d := a.limit + off.dKm
			north := inventory.Site{ID: a.name + "-N-" + off.name, Operator: "op", Lat: a.lat + d/r*180/math.Pi, Lon: a.lon}
			// Due east on the same parallel: d = 2R asin(cos(lat) sin(dLon/2)).
			dLon := 2 * math.Asin(math.Sin(d/(2*r))/math.Cos(a.lat*math.Pi/180)) * 180 / math.Pi
			east := inventory.Site{ID: a.name + "-E-" + off.name, Operator: "op", Lat: a.lat, Lon: a.lon + dLon}
			for _, s := range []inventory.Site{north, east} {
				doc.Sites = append(doc.Sites, s)
				doc.Elements = append(doc.Elements,
					inventory.Element{ID: s.ID + "-hw", Site: s.ID, Function: "gnb", Vendor: "Huawei"},
					inventory.Element{ID: s.ID + "-nokia", Site: s.ID, Function: "gnb", Vendor: "Nokia"})
				inside[s.ID] = off.inside
			}
		}
	}
	doc.Sites = append(doc.Sites, inventory.Site{ID: "tagged", Operator: "op", Lat: 50, Lon: 0, Tags: []string{"national-security"}})
	doc.Elements = append(doc.Elements, inventory.Element{ID: "tagged-hw", Site: "tagged", Function: "router", Vendor: "Huawei"})
	inside["tagged"] = true
	inv := handNetwork(t, doc)
	packs := []*policy.Pack{pack}
	crossCheck(t, inv, packs, []string{"2025-01-01"}, nil)

	res, err := policy.Check(context.Background(), inv, packs, policy.Options{AsOf: date(t, "2025-01-01")})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for k := range regotrans.ProductKeys(res) {
		got[k.Site] = true
	}
	for site, want := range inside {
		if got[site] != want {
			t.Errorf("site %s: corefence says inside %v, want %v", site, got[site], want)
		}
	}
}

// TestCrossCheckUnmeasured compares the findings a rule cannot measure:
// designated elements whose technology the topology does not tell, and
// elements whose vendor resembles a designated group, under every kind of
// rule, on the hand-made topology of internal/policy's check cases.
func TestCrossCheckUnmeasured(t *testing.T) {
	cov := coverage{}
	for _, path := range []string{
		"../internal/policy/testdata/check/technology-topology/inventory.yaml",
		"../internal/policy/testdata/check/vendor-near-miss/inventory.yaml",
	} {
		inv, err := importer.Load(path, inventory.Options{})
		if err != nil {
			t.Fatal(err)
		}
		crossCheck(t, inv, builtinPacks(t, crossPacks...), crossDates, cov)
	}
	requireCoverage(t, cov, "exclude unmeasured", "exclude-at-sites unmeasured", "share-cap unmeasured", "installation-ban unmeasured")
}
