package gen_test

import (
	"bytes"
	"math"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/corefence/corefence/internal/export"
	"github.com/corefence/corefence/internal/gen"
	"github.com/corefence/corefence/internal/importer"
	"github.com/corefence/corefence/internal/inventory"
	"github.com/corefence/corefence/internal/vendor"
)

func generate(t testing.TB, sites int, seed int64) *inventory.Doc {
	t.Helper()
	doc, err := gen.Generate(gen.Config{Country: "gb", Sites: sites, Seed: seed})
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func yamlOf(t *testing.T, doc *inventory.Doc) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := export.WriteYAML(&buf, doc); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestDeterministic(t *testing.T) {
	for _, cfg := range []gen.Config{{"gb", 400, 2019}, {"gb", 3000, -7}, {"GB", 40, 1}} {
		a, err := gen.Generate(cfg)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := gen.Generate(cfg)
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("%+v: two runs differ", cfg)
		}
		if !bytes.Equal(yamlOf(t, a), yamlOf(t, b)) {
			t.Fatalf("%+v: two runs give different YAML", cfg)
		}
	}
	if !reflect.DeepEqual(gen.Sample(), generate(t, 400, 2019)) {
		t.Fatal("Sample differs from Generate(gb, 400, 2019)")
	}
	if bytes.Equal(yamlOf(t, generate(t, 400, 1)), yamlOf(t, generate(t, 400, 2))) {
		t.Fatal("different seeds give the same network")
	}
}

func TestConfigErrors(t *testing.T) {
	for _, cfg := range []gen.Config{{"fr", 400, 1}, {"", 400, 1}, {"gb", 39, 1}, {"gb", 0, 1}, {"gb", gen.MaxSites + 1, 1}} {
		if _, err := gen.Generate(cfg); err == nil {
			t.Errorf("%+v: no error", cfg)
		}
	}
}

// TestSampleLoads writes the sample in every format and loads it back.
func TestSampleLoads(t *testing.T) {
	doc := gen.Sample()
	dir := t.TempDir()
	for _, f := range []struct{ format, name string }{{"yaml", "net.yaml"}, {"json", "net.json"}, {"csv", "net"}} {
		path := filepath.Join(dir, f.name)
		if err := export.Write(path, f.format, doc); err != nil {
			t.Fatal(err)
		}
		inv, err := importer.Load(path, inventory.Options{})
		if err != nil {
			t.Fatalf("%s: %v", f.format, err)
		}
		if len(inv.Sites) != len(doc.Sites) || len(inv.Elements) != len(doc.Elements) ||
			len(inv.Links) != len(doc.Links) || len(inv.Areas) != len(doc.Areas) {
			t.Errorf("%s: loaded %d sites, %d elements, %d links, %d areas; want %d, %d, %d, %d", f.format,
				len(inv.Sites), len(inv.Elements), len(inv.Links), len(inv.Areas),
				len(doc.Sites), len(doc.Elements), len(doc.Links), len(doc.Areas))
		}
		// Exactly the two deliberate vendor problems are reported.
		var codes []string
		for _, w := range inv.Warnings {
			codes = append(codes, w.Code)
		}
		sort.Strings(codes)
		if want := []string{"vendor-near-miss", "vendor-unknown"}; !reflect.DeepEqual(codes, want) {
			t.Errorf("%s: warnings %v, want %v", f.format, inv.Warnings, want)
		}
	}
}

// TestBuilds checks that networks of every size and seed pass Build.
func TestBuilds(t *testing.T) {
	for _, n := range []int{40, 41, 97, 400, 5000} {
		for seed := int64(0); seed < 5; seed++ {
			if _, err := inventory.Build(generate(t, n, seed), inventory.Options{}); err != nil {
				t.Fatalf("sites %d seed %d: %v", n, seed, err)
			}
		}
	}
}

// TestReachesCore checks that every element placed at a site is connected
// through links to a core router, so every RAN site reaches the core.
func TestReachesCore(t *testing.T) {
	for _, doc := range []*inventory.Doc{gen.Sample(), generate(t, 40, 3), generate(t, 5000, 11)} {
		idx := make(map[string]int, len(doc.Elements))
		for i, e := range doc.Elements {
			idx[e.ID] = i
		}
		adj := make([][]int, len(doc.Elements))
		for _, l := range doc.Links {
			a, b := idx[l.A], idx[l.B]
			adj[a] = append(adj[a], b)
			adj[b] = append(adj[b], a)
		}
		seen := make([]bool, len(doc.Elements))
		var queue []int
		for i, e := range doc.Elements {
			if e.Function == "core-router" {
				seen[i] = true
				queue = append(queue, i)
			}
		}
		for len(queue) > 0 {
			i := queue[0]
			queue = queue[1:]
			for _, j := range adj[i] {
				if !seen[j] {
					seen[j] = true
					queue = append(queue, j)
				}
			}
		}
		reached := map[string]bool{}
		for i, e := range doc.Elements {
			if e.Site == "" {
				continue // hosted: reaches the network through its host
			}
			if !seen[i] {
				t.Errorf("%s (%s) does not reach a core router", e.ID, e.Function)
			}
			reached[e.Site] = reached[e.Site] || seen[i]
		}
		for _, s := range doc.Sites {
			if !reached[s.ID] {
				t.Errorf("site %s (%s) does not reach a core router", s.ID, s.Kind)
			}
		}
	}
}

type opStats struct {
	ran, huawei int
}

// huaweiShares returns per operator the RAN sites and those whose radio
// equipment (eNB, gNB, DU, small cell) is Huawei, by the vendor registry.
func huaweiShares(doc *inventory.Doc) map[string]*opStats {
	reg := vendor.Builtin()
	opOf := map[string]string{}
	stats := map[string]*opStats{}
	for _, s := range doc.Sites {
		opOf[s.ID] = s.Operator
		if stats[s.Operator] == nil {
			stats[s.Operator] = &opStats{}
		}
		if s.Kind == inventory.SiteMacro || s.Kind == inventory.SiteSmallCell {
			stats[s.Operator].ran++
		}
	}
	hw := map[string]bool{}
	for _, e := range doc.Elements {
		switch e.Function {
		case "enb", "gnb", "gnb-du", "small-cell":
			if reg.Resolve(e.Vendor).Group == "huawei" {
				hw[e.Site] = true
			}
		}
	}
	for site := range hw {
		stats[opOf[site]].huawei++
	}
	return stats
}

func TestHuaweiShares(t *testing.T) {
	want := map[string][2]float64{"ee": {0.40, 0.60}, "vodafone": {0.25, 0.42}, "o2": {0, 0}, "three": {0.65, 0.92}}
	for _, doc := range []*inventory.Doc{gen.Sample(), generate(t, 20_000, 5)} {
		stats := huaweiShares(doc)
		for op, r := range want {
			s := stats[op]
			share := float64(s.huawei) / float64(s.ran)
			t.Logf("%d sites: %s %d RAN sites, Huawei %.1f%%", len(doc.Sites), op, s.ran, 100*share)
			if share < r[0] || share > r[1] {
				t.Errorf("%s: Huawei share of RAN sites %.3f, want %.2f..%.2f", op, share, r[0], r[1])
			}
		}
		if stats["ee"].ran <= stats["vodafone"].ran || stats["ee"].ran <= stats["three"].ran || stats["ee"].ran <= stats["o2"].ran {
			t.Errorf("EE should have the most RAN sites: %+v", stats)
		}
	}
}

// TestVendorStrings checks that every vendor string resolves exactly in the
// registry, except the one deliberate misspelling and a handful of
// unknown-vendor elements, and that the spellings vary.
func TestVendorStrings(t *testing.T) {
	reg := vendor.Builtin()
	for _, doc := range []*inventory.Doc{gen.Sample(), generate(t, 40, 9), generate(t, 10_000, 9)} {
		near, unknown := 0, 0
		spellings := map[string]map[string]bool{}
		for _, e := range doc.Elements {
			m := reg.Resolve(e.Vendor)
			switch {
			case m.Kind == vendor.Exact:
				if spellings[m.Group] == nil {
					spellings[m.Group] = map[string]bool{}
				}
				spellings[m.Group][e.Vendor] = true
			case m.Kind == vendor.Unknown && m.NearMiss == "huawei":
				near++
			case m.Kind == vendor.Unknown:
				unknown++
			default:
				t.Errorf("%s: vendor %q resolves as %v to %s", e.ID, e.Vendor, m.Kind, m.Group)
			}
		}
		if near != 1 {
			t.Errorf("%d elements with a misspelt Huawei, want 1", near)
		}
		if unknown > 5 {
			t.Errorf("%d elements of unknown vendors, want at most 5", unknown)
		}
		if len(doc.Elements) > 10_000 && len(spellings["huawei"]) < 3 {
			t.Errorf("Huawei spelt only as %v", spellings["huawei"])
		}
	}
}

func TestCounts(t *testing.T) {
	for _, n := range []int{400, 40, 20_000} {
		doc := generate(t, n, 2019)
		byFn := map[string]int{}
		byStatus := map[string]int{}
		undated := 0
		for _, e := range doc.Elements {
			byFn[e.Function]++
			byStatus[e.Status]++
			if e.Installed.IsZero() {
				undated++
			}
			if e.Status == inventory.StatusPlanned && e.Installed.String() < "2021" {
				t.Errorf("%s planned for %s, want 2021", e.ID, e.Installed)
			}
		}
		siteKind := map[string]int{}
		natsec, cni := 0, 0
		for _, s := range doc.Sites {
			siteKind[s.Kind]++
			natsec += count(s.Tags, inventory.TagNationalSecurity)
			cni += count(s.Tags, inventory.TagCNISafety)
		}
		ran := siteKind[inventory.SiteMacro] + siteKind[inventory.SiteSmallCell]
		t.Logf("%d: %d sites %v, %d elements, %d links, %d areas; status %v, %d undated, %d national-security, %d cni-safety",
			n, len(doc.Sites), siteKind, len(doc.Elements), len(doc.Links), len(doc.Areas), byStatus, undated, natsec, cni)
		if ran != n {
			t.Errorf("%d RAN sites, want %d", ran, n)
		}
		if len(doc.Operators) != 4 {
			t.Errorf("%d operators", len(doc.Operators))
		}
		dcs := siteKind[inventory.SiteDataCentre]
		if dcs < 8 || dcs > 12 {
			t.Errorf("%d data centres, want 2-3 per operator", dcs)
		}
		if byFn["core-router"] != 2*dcs {
			t.Errorf("%d core routers for %d data centres", byFn["core-router"], dcs)
		}
		if byFn["nfvi"] != 4*dcs {
			t.Errorf("%d nfvi hosts for %d data centres", byFn["nfvi"], dcs)
		}
		for _, fn := range []string{"amf", "smf", "upf", "ausf", "udm", "udr", "pcf", "nrf", "nssf", "nef", "scp", "sepp", "chf",
			"mme", "sgw", "pgw", "hss", "pcrf", "ims", "firewall", "seg", "li", "dea", "internet-gw"} {
			if byFn[fn] != dcs {
				t.Errorf("%d %s, want one per data centre (%d)", byFn[fn], fn, dcs)
			}
		}
		for _, fn := range []string{"oss", "nfvo", "sdn-controller", "ipx-gw"} {
			if byFn[fn] != 4 {
				t.Errorf("%d %s, want one per operator", byFn[fn], fn)
			}
		}
		// One EMS per RAN vendor of each operator: two each at any size
		// where every region has sites.
		if byFn["ems"] < 4 || n >= 400 && byFn["ems"] != 8 {
			t.Errorf("%d EMS", byFn["ems"])
		}
		ex := siteKind[inventory.SiteExchange]
		if lo, hi := n/sitesPerExchange/2, n/sitesPerExchange*2+48; ex < lo || ex > hi {
			t.Errorf("%d exchanges for %d RAN sites", ex, n)
		}
		if byFn["enb"] != siteKind[inventory.SiteMacro] {
			t.Errorf("%d eNBs for %d macro sites", byFn["enb"], siteKind[inventory.SiteMacro])
		}
		if byFn["antenna"] < 3*siteKind[inventory.SiteMacro] {
			t.Errorf("%d antennas for %d macro sites", byFn["antenna"], siteKind[inventory.SiteMacro])
		}
		if got := byFn["router"] + byFn["microwave"]; got != ran+2*ex {
			t.Errorf("%d routers and microwave units, want one per RAN site and two per exchange (%d)", got, ran+2*ex)
		}
		fiveG := byFn["gnb"] + byFn["gnb-du"]
		if r := float64(fiveG) / float64(siteKind[inventory.SiteMacro]); r < 0.45 || r > 0.75 {
			t.Errorf("5G on %.2f of macro sites, want about 0.6", r)
		}
		if byFn["o-ru"] != 3*byFn["gnb-du"] {
			t.Errorf("%d O-RUs for %d DUs", byFn["o-ru"], byFn["gnb-du"])
		}
		if byFn["gnb-du"] > 0 && (byFn["gnb-cu-cp"] == 0 || byFn["gnb-cu-up"] == 0) {
			t.Errorf("split 5G without CUs")
		}
		undatedHW5G := 0
		for _, e := range doc.Elements {
			if (e.Function == "gnb" || e.Function == "gnb-du") && e.Installed.IsZero() && strings.HasPrefix(strings.ToLower(e.Vendor), "huawei") {
				undatedHW5G++
			}
		}
		if undatedHW5G == 0 {
			t.Error("no Huawei 5G baseband without an install date")
		}
		if n >= 400 {
			if byStatus[inventory.StatusPlanned] == 0 || byStatus[inventory.StatusDecommissioning] == 0 || undated == 0 {
				t.Errorf("want some planned, decommissioning and undated elements: %v, %d undated", byStatus, undated)
			}
			if d := float64(byStatus[inventory.StatusDecommissioning]) / float64(len(doc.Elements)); d > 0.03 {
				t.Errorf("%.3f of elements decommissioning, want about 1%%", d)
			}
		}
		if natsec < 1 || cni < 1 || natsec > max(1, n/50) {
			t.Errorf("%d national-security and %d cni-safety sites", natsec, cni)
		}
		checkLinks(t, doc)
		checkAreas(t, doc)
	}
}

const sitesPerExchange = 40

func count(tags []string, tag string) int {
	n := 0
	for _, t := range tags {
		if t == tag {
			n++
		}
	}
	return n
}

func checkLinks(t *testing.T, doc *inventory.Doc) {
	t.Helper()
	kinds := map[string]int{}
	core, coreEnc := 0, 0
	for _, l := range doc.Links {
		kinds[l.Kind]++
		if l.Metric.Float() < 1 {
			t.Errorf("link %s-%s: metric %s", l.A, l.B, l.Metric)
		}
		switch l.Kind {
		case "interconnect":
			if !l.Encrypted {
				t.Errorf("interconnect %s-%s not encrypted", l.A, l.B)
			}
		case "core":
			core++
			if l.Encrypted {
				coreEnc++
			}
		}
	}
	for _, k := range []string{"fronthaul", "backhaul", "aggregation", "core", "interconnect", "management"} {
		if kinds[k] == 0 {
			t.Errorf("no %s links: %v", k, kinds)
		}
	}
	if r := float64(coreEnc) / float64(core); r < 0.3 || r > 0.7 {
		t.Errorf("%.2f of core links encrypted, want about half", r)
	}
}

func checkAreas(t *testing.T, doc *inventory.Doc) {
	t.Helper()
	if n := len(doc.Areas); n < 3 || n > 6 {
		t.Errorf("%d areas, want 3-6", n)
	}
	cats := map[string]bool{}
	for _, a := range doc.Areas {
		cats[a.Category] = true
		if a.RadiusKm < 2 || a.RadiusKm > 10 || !strings.HasPrefix(a.Name, "Synthetic ") {
			t.Errorf("area %+v", a)
		}
		inside := 0
		for _, s := range doc.Sites {
			if haversine(s.Lat, s.Lon, a.Lat, a.Lon) <= a.RadiusKm {
				inside++
			}
		}
		if inside == 0 {
			t.Errorf("no site inside area %s", a.ID)
		}
	}
	for _, c := range []string{"military", "nuclear", "government"} {
		if !cats[c] {
			t.Errorf("no %s area", c)
		}
	}
}

func haversine(lat1, lon1, lat2, lon2 float64) float64 {
	const r = 6371.0088
	rad := math.Pi / 180
	dLat, dLon := (lat2-lat1)*rad, (lon2-lon1)*rad
	h := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * r * math.Asin(math.Sqrt(h))
}

// TestPlacement checks that sites stay in and around the UK.
func TestPlacement(t *testing.T) {
	for _, s := range generate(t, 20_000, 4).Sites {
		if s.Lat < 49.9 || s.Lat > 58.7 || s.Lon < -8.2 || s.Lon > 1.8 {
			t.Fatalf("site %s at %v,%v is outside the UK", s.ID, s.Lat, s.Lon)
		}
	}
}

func TestNational(t *testing.T) {
	if testing.Short() {
		t.Skip("national-scale network skipped in -short mode")
	}
	start := time.Now()
	doc := generate(t, 100_000, 2019)
	took := time.Since(start)
	links := map[string]int{}
	for _, l := range doc.Links {
		links[l.Kind]++
	}
	t.Logf("100k: %d sites, %d elements, %d links %v, %d areas in %s", len(doc.Sites), len(doc.Elements), len(doc.Links), links, len(doc.Areas), took)
	if n := len(doc.Elements); n < 850_000 || n > 1_200_000 {
		t.Errorf("%d elements, want about 1,000,000", n)
	}
	for op, s := range huaweiShares(doc) {
		t.Logf("%s: %d RAN sites, Huawei %.1f%%", op, s.ran, 100*float64(s.huawei)/float64(s.ran))
	}
}

func BenchmarkGenerate100k(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := gen.Generate(gen.Config{Country: "gb", Sites: 100_000, Seed: 2019}); err != nil {
			b.Fatal(err)
		}
	}
}
