package gen_test

import (
	"bytes"
	"context"
	"errors"
	"math"
	"os"
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

func generate(t testing.TB, country string, sites int, seed int64) *inventory.Doc {
	t.Helper()
	doc, err := gen.Generate(gen.Config{Country: country, Sites: sites, Seed: seed})
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// arcepFile is ARCEP's 2018 site list in the shared data beside the
// repository (from this package: ../../../shared/...).
var arcepFile = filepath.Join("..", "..", "..", "shared", "data", "fr-arcep-sites-2018", "sites-mobiles-2018-01-L93.csv")

// arcepHead reads the first n data rows of ARCEP's site list, or skips.
func arcepHead(t testing.TB, n int) *gen.ARCEPList {
	t.Helper()
	data, err := os.ReadFile(arcepFile)
	if err != nil {
		t.Skipf("ARCEP site list not found (%v); it is in the shared data beside the repository", err)
	}
	lines := bytes.SplitAfterN(data, []byte("\n"), n+2)
	l, err := gen.ReadARCEP(bytes.NewReader(bytes.Join(lines[:min(n+1, len(lines))], nil)), "arcep.csv")
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// written returns the bytes export.Write gives for doc in format: the file,
// or the CSV files of the directory in name order.
func written(t *testing.T, doc *inventory.Doc, format string) []byte {
	t.Helper()
	path := filepath.Join(t.TempDir(), "net."+format)
	if err := export.Write(path, format, doc); err != nil {
		t.Fatal(err)
	}
	return readOutput(t, path, format)
}

// readOutput returns the bytes of an output file, or the CSV files of an
// output directory in name order.
func readOutput(t *testing.T, path, format string) []byte {
	t.Helper()
	if format != "csv" {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	entries, err := os.ReadDir(path)
	if err != nil {
		t.Fatal(err)
	}
	var all []byte
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(path, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		all = append(append(all, e.Name()...), b...)
	}
	return all
}

// TestDeterministic: the same flags give byte-identical output, through
// export.Write, for both countries and for ARCEP's sites; different seeds
// give different networks.
func TestDeterministic(t *testing.T) {
	cfgs := []gen.Config{
		{Country: "gb", Sites: 400, Seed: 2019},
		{Country: "gb", Sites: 3000, Seed: -7},
		{Country: "GB", Sites: 40, Seed: 1},
		{Country: "fr", Sites: 2000, Seed: 3},
		{Country: "fr", Seed: 5, ARCEP: arcepHead(t, 4000)},
	}
	for i, cfg := range cfgs {
		a, err := gen.Generate(cfg)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := gen.Generate(cfg)
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("config %d: two runs differ", i)
		}
		format := []string{"yaml", "json", "csv"}[i%3]
		if !bytes.Equal(written(t, a, format), written(t, b, format)) {
			t.Fatalf("config %d: two runs give different %s", i, format)
		}
	}
	if !reflect.DeepEqual(gen.Sample(), generate(t, "gb", 400, 2019)) {
		t.Fatal("Sample differs from Generate(gb, 400, 2019)")
	}
	if bytes.Equal(written(t, generate(t, "gb", 400, 1), "yaml"), written(t, generate(t, "gb", 400, 2), "yaml")) {
		t.Fatal("different seeds give the same network")
	}
}

func TestConfigErrors(t *testing.T) {
	l := arcepHead(t, 100)
	for _, cfg := range []gen.Config{
		{Country: "de", Sites: 400, Seed: 1},
		{Country: "", Sites: 400, Seed: 1},
		{Country: "gb", Sites: 39, Seed: 1},
		{Country: "gb", Sites: 0, Seed: 1},
		{Country: "fr", Sites: gen.MaxSites + 1, Seed: 1},
		{Country: "gb", Seed: 1, ARCEP: l},
		{Country: "fr", Seed: 1, ARCEP: &gen.ARCEPList{File: "empty.csv"}},
	} {
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
		// Exactly the two deliberate vendor problems are reported. (Spare
		// exchange routers with no site behind them are reported too, as
		// technology-unknown: they serve nothing.)
		var codes []string
		for _, w := range inv.Warnings {
			if strings.HasPrefix(w.Code, "vendor-") {
				codes = append(codes, w.Code)
			}
		}
		sort.Strings(codes)
		if want := []string{"vendor-near-miss", "vendor-unknown"}; !reflect.DeepEqual(codes, want) {
			t.Errorf("%s: warnings %v, want %v", f.format, inv.Warnings, want)
		}
	}
}

// TestPartialSiteList: a site list that holds some operators only still
// gives a whole network (the others have a core and no RAN).
func TestPartialSiteList(t *testing.T) {
	l := arcepHead(t, 200)
	orange := &gen.ARCEPList{File: l.File}
	for _, s := range l.Sites {
		if s.Operator == "orange" {
			orange.Sites = append(orange.Sites, s)
		}
	}
	doc, err := gen.Generate(gen.Config{Country: "fr", Seed: 1, ARCEP: orange})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := inventory.Build(doc, inventory.Options{}); err != nil {
		t.Fatal(err)
	}
	ran := map[string]int{}
	for _, s := range doc.Sites {
		if s.Kind == inventory.SiteMacro {
			ran[s.Operator]++
		}
	}
	if len(doc.Operators) != 4 || len(ran) != 1 || ran["orange"] != len(orange.Sites) {
		t.Errorf("%d operators, RAN sites %v; want 4 operators and %d Orange sites only", len(doc.Operators), ran, len(orange.Sites))
	}
}

// TestBuilds checks that networks of every size and seed pass Build.
func TestBuilds(t *testing.T) {
	for _, country := range gen.Countries {
		for _, n := range []int{40, 41, 97, 400, 5000} {
			for seed := int64(0); seed < 3; seed++ {
				if _, err := inventory.Build(generate(t, country, n, seed), inventory.Options{}); err != nil {
					t.Fatalf("%s sites %d seed %d: %v", country, n, seed, err)
				}
			}
		}
	}
}

// TestVendorStrings checks that every vendor string resolves exactly in the
// registry, except the one deliberate misspelling and a handful of
// unknown-vendor elements, and that the spellings vary.
func TestVendorStrings(t *testing.T) {
	reg := vendor.Builtin()
	docs := []*inventory.Doc{gen.Sample(), generate(t, "gb", 40, 9), generate(t, "gb", 10_000, 9), generate(t, "fr", 3000, 9)}
	for _, doc := range docs {
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

// siteClass tells RAN sites, exchanges, metro PoPs and data centres apart.
func siteClass(s *inventory.Site) string {
	switch {
	case s.Kind == inventory.SiteDataCentre:
		return "dc"
	case s.Kind == inventory.SiteExchange && strings.Contains(s.ID, "-M"):
		return "metro"
	case s.Kind == inventory.SiteExchange:
		return "exchange"
	}
	return "ran"
}

func TestCounts(t *testing.T) {
	for _, c := range []struct {
		country string
		n       int
	}{{"gb", 400}, {"gb", 40}, {"gb", 20_000}, {"fr", 400}, {"fr", 20_000}} {
		doc := generate(t, c.country, c.n, 2019)
		byFn := map[string]int{}
		byStatus := map[string]int{}
		undated := 0
		for _, e := range doc.Elements {
			byFn[e.Function]++
			byStatus[e.Status]++
			if e.Installed.IsZero() {
				undated++
			}
		}
		class := map[string]int{}
		siteKind := map[string]int{}
		natsec, cni := 0, 0
		for i := range doc.Sites {
			s := &doc.Sites[i]
			class[siteClass(s)]++
			siteKind[s.Kind]++
			natsec += count(s.Tags, inventory.TagNationalSecurity)
			cni += count(s.Tags, inventory.TagCNISafety)
		}
		ran, dcs, ex, metro := class["ran"], class["dc"], class["exchange"], class["metro"]
		t.Logf("%s %d: %d sites %v, %d elements (%.2f per RAN site), %d links, %d areas; status %v, %d undated, %d national-security, %d cni-safety",
			c.country, c.n, len(doc.Sites), class, len(doc.Elements), float64(len(doc.Elements))/float64(ran), len(doc.Links), len(doc.Areas), byStatus, undated, natsec, cni)
		if ran != c.n {
			t.Errorf("%d RAN sites, want %d", ran, c.n)
		}
		if len(doc.Operators) != 4 {
			t.Errorf("%d operators", len(doc.Operators))
		}
		if dcs < 8 || dcs > 16 {
			t.Errorf("%d data centres, want 2-4 per operator", dcs)
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
		// One EMS per RAN vendor of each operator: at least one each, and
		// two each in the UK at any size where every region has sites.
		if byFn["ems"] < 4 || c.country == "gb" && c.n >= 400 && byFn["ems"] != 8 {
			t.Errorf("%d EMS", byFn["ems"])
		}
		if lo, hi := c.n/sitesPerExchange/2, c.n/sitesPerExchange*2+52; ex < lo || ex > hi {
			t.Errorf("%d exchanges for %d RAN sites", ex, c.n)
		}
		if metro < 8 || metro > ex/6+52 {
			t.Errorf("%d metro PoPs for %d exchanges", metro, ex)
		}
		if byFn["router"] != ran+2*ex+metro {
			t.Errorf("%d routers, want one per RAN site, two per exchange, one per metro PoP (%d)", byFn["router"], ran+2*ex+metro)
		}
		if byFn["microwave"]%2 != 0 || byFn["microwave"] > ran {
			t.Errorf("%d microwave units: want two per microwave link, on at most a third of sites", byFn["microwave"])
		}
		if c.country == "gb" && byFn["enb"] != siteKind[inventory.SiteMacro] {
			t.Errorf("%d eNBs for %d macro sites", byFn["enb"], siteKind[inventory.SiteMacro])
		}
		if byFn["o-ru"] != 3*byFn["gnb-du"] {
			t.Errorf("%d O-RUs for %d DUs", byFn["o-ru"], byFn["gnb-du"])
		}
		if byFn["gnb-du"] > 0 && (byFn["gnb-cu-cp"] == 0 || byFn["gnb-cu-up"] == 0) {
			t.Errorf("split 5G without CUs")
		}
		if byFn["nodeb"] > 0 && byFn["rnc"] == 0 || byFn["bts"] > 0 && byFn["bsc"] == 0 {
			t.Errorf("%d NodeBs and %d RNCs, %d BTSs and %d BSCs", byFn["nodeb"], byFn["rnc"], byFn["bts"], byFn["bsc"])
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
		if c.n >= 400 {
			if byStatus[inventory.StatusPlanned] == 0 || byStatus[inventory.StatusDecommissioning] == 0 || undated == 0 {
				t.Errorf("want some planned, decommissioning and undated elements: %v, %d undated", byStatus, undated)
			}
			if d := float64(byStatus[inventory.StatusDecommissioning]) / float64(len(doc.Elements)); d > 0.03 {
				t.Errorf("%.3f of elements decommissioning, want about 1%%", d)
			}
		}
		if natsec < 1 || cni < 1 || natsec > max(1, c.n/50) {
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
	if r := float64(coreEnc) / float64(core); r < 0.2 || r > 0.7 {
		t.Errorf("%.2f of core links encrypted, want between a fifth and two thirds", r)
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

// TestPlacement checks that sites stay in and around each country.
func TestPlacement(t *testing.T) {
	for _, c := range []struct {
		country                    string
		latLo, latHi, lonLo, lonHi float64
	}{{"gb", 49.8, 60.9, -8.3, 1.9}, {"fr", 41.3, 51.2, -5.3, 9.7}} {
		for _, s := range generate(t, c.country, 20_000, 4).Sites {
			if s.Lat < c.latLo || s.Lat > c.latHi || s.Lon < c.lonLo || s.Lon > c.lonHi {
				t.Fatalf("%s: site %s at %v,%v is outside the country", c.country, s.ID, s.Lat, s.Lon)
			}
		}
	}
}

// TestNational generates the national-scale UK network: 100,000 RAN sites
// and about a million elements.
func TestNational(t *testing.T) {
	if testing.Short() {
		t.Skip("national-scale network skipped in -short mode")
	}
	start := time.Now()
	doc := generate(t, "gb", 100_000, 2019)
	took := time.Since(start)
	links := map[string]int{}
	for _, l := range doc.Links {
		links[l.Kind]++
	}
	t.Logf("100k: %d sites, %d elements, %d links %v, %d areas in %s", len(doc.Sites), len(doc.Elements), len(doc.Links), links, len(doc.Areas), took)
	if n := len(doc.Elements); n < 900_000 || n > 1_100_000 {
		t.Errorf("%d elements, want about 1,000,000", n)
	}
}

// BenchmarkGenerate1M generates the UK with 100,000 RAN sites: about a
// million elements and 1.1 million links.
func BenchmarkGenerate1M(b *testing.B) {
	b.ReportAllocs()
	var elements int
	for b.Loop() {
		doc, err := gen.Generate(gen.Config{Country: "gb", Sites: 100_000, Seed: 2019})
		if err != nil {
			b.Fatal(err)
		}
		elements = len(doc.Elements)
	}
	b.ReportMetric(float64(elements), "elements")
}

// TestGenerateCancelled: a cancelled context stops the generator with its
// error and no network.
func TestGenerateCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	doc, err := gen.GenerateContext(ctx, gen.Config{Country: "gb", Sites: gen.MinSites, Seed: 1})
	if !errors.Is(err, context.Canceled) || doc != nil {
		t.Errorf("GenerateContext with a cancelled context: %v, %v", doc != nil, err)
	}
}
