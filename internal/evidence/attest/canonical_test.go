package attest

import (
	"encoding/json"

	cf "github.com/corefence/corefence"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/corefence/corefence/internal/export"
	"github.com/corefence/corefence/internal/gen"
	"github.com/corefence/corefence/internal/importer"
	"github.com/corefence/corefence/internal/inventory"
)

// reshuffled returns doc with every section's records in reverse order and
// every link's ends swapped: the same network, written differently.
func reshuffled(doc *inventory.Doc) *inventory.Doc {
	out := *doc
	out.Operators = slices.Clone(doc.Operators)
	out.Sites = slices.Clone(doc.Sites)
	out.Elements = slices.Clone(doc.Elements)
	out.Links = slices.Clone(doc.Links)
	out.Areas = slices.Clone(doc.Areas)
	slices.Reverse(out.Operators)
	slices.Reverse(out.Sites)
	slices.Reverse(out.Elements)
	slices.Reverse(out.Links)
	slices.Reverse(out.Areas)
	for i := range out.Links {
		out.Links[i].A, out.Links[i].B = out.Links[i].B, out.Links[i].A
	}
	return &out
}

func loadInventory(t testing.TB, path string) *inventory.Inventory {
	t.Helper()
	inv, err := importer.Load(path, inventory.Options{})
	if err != nil {
		t.Fatalf("load %s: %v", path, err)
	}
	return inv
}

// TestDigestIndependentOfFormatAndOrder: the same network as YAML, JSON or
// a CSV bundle, in any record order, has one canonical digest; and any
// change to the network changes it.
func TestDigestIndependentOfFormatAndOrder(t *testing.T) {
	small, err := importer.Read("../../../testdata/small-network.yaml")
	if err != nil {
		t.Fatal(err)
	}
	// Typed attributes: YAML and JSON keep numbers and booleans, a CSV
	// bundle only text; the canonical form must not tell them apart.
	small.Elements[0].Attributes = map[string]any{"rack": json.Number("3"), "owner": "ops", "critical": true}
	generated, err := gen.Generate(gen.Config{Country: "gb", Sites: 60, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	for name, doc := range map[string]*inventory.Doc{"small-network": small, "generated": generated} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			paths := map[string]string{
				"yaml":          filepath.Join(dir, "n.yaml"),
				"json":          filepath.Join(dir, "n.json"),
				"csv":           filepath.Join(dir, "csv"),
				"shuffled yaml": filepath.Join(dir, "s.yaml"),
				"shuffled csv":  filepath.Join(dir, "scsv"),
			}
			for what, p := range paths {
				d := doc
				if strings.HasPrefix(what, "shuffled") {
					d = reshuffled(doc)
				}
				format := strings.TrimPrefix(what, "shuffled ")
				if err := export.Write(p, format, d); err != nil {
					t.Fatal(err)
				}
			}
			want := InventoryDigest(loadInventory(t, paths["yaml"]))
			for what, p := range paths {
				if got := InventoryDigest(loadInventory(t, p)); got != want {
					t.Errorf("%s: digest %s, want %s (YAML)", what, got, want)
				}
			}
			// The file digests differ: the canonical one is what binds.
			if a, b := loadInventory(t, paths["yaml"]).Digest, loadInventory(t, paths["json"]).Digest; a == b {
				t.Errorf("file digests of YAML and JSON are equal (%s); the test would prove nothing", a)
			}

			changes := map[string]func(inv *inventory.Inventory){
				"one element's vendor": func(inv *inventory.Inventory) { inv.Elements[len(inv.Elements)/2].Vendor += " Ltd (altered)" },
				"one site's latitude":  func(inv *inventory.Inventory) { inv.Sites[0].Lat += 1e-9 },
				"one link encrypted":   func(inv *inventory.Inventory) { inv.Links[0].Encrypted = !inv.Links[0].Encrypted },
				"one element removed":  func(inv *inventory.Inventory) { inv.Elements = inv.Elements[1:] },
				"an element duplicated": func(inv *inventory.Inventory) {
					inv.Elements = append(inv.Elements, inv.Elements[0])
				},
				"a tag added": func(inv *inventory.Inventory) { inv.Sites[1].Tags = append(inv.Sites[1].Tags, "x") },
			}
			for what, change := range changes {
				inv := loadInventory(t, paths["yaml"])
				change(inv)
				if InventoryDigest(inv) == want {
					t.Errorf("%s: the digest did not change", what)
				}
			}
		})
	}
}

// TestCanonicalEncoding pins the record encoding with hand-made vectors
// (docs/evidence.md shows the first) and the small network's digest.
func TestCanonicalEncoding(t *testing.T) {
	for _, c := range []struct {
		got  []byte
		want string
	}{
		{canonOperator(nil, &inventory.Operator{ID: "alpha", Name: "Alpha Mobile", Country: "GB"}),
			"\x01\x05alpha\x02\x0cAlpha Mobile\x03\x02GB"},
		{canonSite(nil, &inventory.Site{ID: "S1", Operator: "alpha", Lat: 51.5, Lon: -0.000001, Kind: "macro", Traffic: 2_500_000_000, HasTraffic: true, Tags: []string{"a", "b"}}),
			"\x01\x02S1\x02\x05alpha\x04\x0451.5\x05\x09-0.000001\x06\x05macro\x08\x032.5\x0a\x02\x01a\x01b"},
		{canonLink(nil, &inventory.Link{A: "z", B: "a", Metric: 1_000_000_000}),
			"\x01\x01a\x02\x01z\x04\x05false\x05\x011"},
		{canonElement(nil, &inventory.Element{ID: "E", Site: "S1", Function: "gnb", Vendor: "Huawei", Technology: cf.Tech5G | cf.Tech4G,
			Installed: cf.NewDate(2020, 1, 2), Status: "active", Attributes: map[string]any{"rack": json.Number("3"), "on": true}}),
			"\x01\x01E\x02\x02S1\x04\x03gnb\x05\x06Huawei\x08\x02\x024g\x025g\x09\x0a2020-01-02\x0a\x06active\x0c\x18{\"on\":\"true\",\"rack\":\"3\"}"},
	} {
		if string(c.got) != c.want {
			t.Errorf("encoding %q, want %q", c.got, c.want)
		}
	}
	golden := filepath.Join("testdata", "small-network.digest")
	got := InventoryDigest(loadInventory(t, "../../../testdata/small-network.yaml")) + "\n"
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to write it)", err)
	}
	if got != string(want) {
		t.Errorf("the small network's digest is %s, %s says %s (if the canonical form changed on purpose, bump its version and run with -update)", got, golden, want)
	}
}

func TestAppendNumber(t *testing.T) {
	for f, want := range map[float64]string{
		0: "0", 51.5072: "51.5072", -0.1276: "-0.1276", 1e-7: "1e-7", 1e21: "1e+21", 123456789: "123456789", 0.000001: "0.000001",
	} {
		if got := string(appendNumber(nil, f)); got != want {
			t.Errorf("appendNumber(%v) = %s, want %s", f, got, want)
		}
	}
	for _, q := range []cf.Quantity{0, 1, 1_000_000_000, 2_500_000_000, -1_500_000_000, 123_456_789_012, 1_000_000_001} {
		var r record
		r.quantity(7, q)
		if got, want := string(r.b[2:]), q.String(); got != want || r.b[0] != 7 || int(r.b[1]) != len(want) {
			t.Errorf("quantity %d: %s, want %s", int64(q), got, want)
		}
	}
	if got := string(appendString(nil, "a\"b\\c\n\x01é<")); got != `"a\"b\\c\n\u0001é<"` {
		t.Errorf("appendString = %s", got)
	}
}
