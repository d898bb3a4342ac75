package diff_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	cf "github.com/corefence/corefence"
	"github.com/corefence/corefence/internal/diff"
	"github.com/corefence/corefence/internal/importer"
	"github.com/corefence/corefence/internal/inventory"
	"github.com/corefence/corefence/internal/policy"
)

func load(t *testing.T) *inventory.Inventory {
	t.Helper()
	inv, err := importer.Load("../../testdata/small-network.yaml", inventory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return inv
}

// edit loads the small network and changes it before Build.
func edit(t *testing.T, fn func(doc *inventory.Doc)) *inventory.Inventory {
	t.Helper()
	doc, err := importer.Read("../../testdata/small-network.yaml")
	if err != nil {
		t.Fatal(err)
	}
	fn(doc)
	inv, err := inventory.Build(doc, inventory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return inv
}

func element(doc *inventory.Doc, id string) *inventory.Element {
	for i := range doc.Elements {
		if doc.Elements[i].ID == id {
			return &doc.Elements[i]
		}
	}
	panic("no element " + id)
}

func TestInventories(t *testing.T) {
	cases := []struct {
		name string
		edit func(doc *inventory.Doc)
		want string // added | removed | changed
	}{
		{"same", func(*inventory.Doc) {}, "||"},
		{"vendor", func(doc *inventory.Doc) { element(doc, "A-DC1-ems").Vendor = "Nokia" },
			`||A-DC1-ems: vendor "Huawei Technologies (UK) Co. Ltd" → "Nokia", vendor_group "huawei" → "nokia"`},
		{"spelling of the same group", func(doc *inventory.Doc) { element(doc, "A-001-gnb").Vendor = "HUAWEI" },
			`||A-001-gnb: vendor "Huawei" → "HUAWEI"`},
		{"status", func(doc *inventory.Doc) { element(doc, "A-004-ru").Status = "active" },
			`||A-004-ru: status "planned" → "active"`},
		{"rehosted", func(doc *inventory.Doc) {
			e := element(doc, "A-DC1-amf")
			e.HostedOn, e.Site = "", "A-003"
		}, `||A-DC1-amf: site "A-DC1" → "A-003", hosted_on "A-DC1-srv1" → ""`},
		{"added and removed", func(doc *inventory.Doc) {
			element(doc, "A-002-gnb").ID = "A-002-gnb-new"
			doc.Links = doc.Links[:0]
		}, "A-002-gnb-new|A-002-gnb|"},
	}
	old := load(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := diff.Inventories(old, edit(t, c.edit))
			var changed []string
			for _, ch := range d.Changed {
				var fs []string
				for _, f := range ch.Changes {
					fs = append(fs, f.Field+` "`+f.Old+`" → "`+f.New+`"`)
				}
				changed = append(changed, ch.ID+": "+strings.Join(fs, ", "))
			}
			got := strings.Join(d.Added, ",") + "|" + strings.Join(d.Removed, ",") + "|" + strings.Join(changed, "; ")
			if got != c.want {
				t.Fatalf("got  %s\nwant %s", got, c.want)
			}
			if total := len(d.Added) + len(d.Changed) + d.Unchanged; total != len(edit(t, c.edit).Elements) {
				t.Fatalf("added + changed + unchanged = %d, the new inventory has %d", total, len(edit(t, c.edit).Elements))
			}
		})
	}
}

func TestResults(t *testing.T) {
	pack, err := policy.LoadFile("../../testdata/small-pack.yaml")
	if err != nil {
		t.Fatal(err)
	}
	check := func(inv *inventory.Inventory, asOf cf.Date) *policy.Result {
		res, err := policy.Check(context.Background(), inv, []*policy.Pack{pack}, policy.Options{AsOf: asOf})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	old := load(t)
	// The same network a year apart: upcoming findings fall due.
	before, after := check(old, cf.NewDate(2023, 1, 1)), check(old, cf.NewDate(2024, 1, 1))
	d := diff.Results(before, after)
	if len(d.Changed) == 0 {
		t.Fatal("no finding changed status between 2023 and 2024")
	}
	for _, c := range d.Changed {
		if c.Old != policy.StatusUpcoming || c.Finding.Status != policy.StatusViolation {
			t.Errorf("%s: %s → %s, want upcoming → violation", c.Finding.ID, c.Old, c.Finding.Status)
		}
	}
	if len(d.New)+len(d.Changed)+d.Unchanged != len(after.Findings) || len(d.Resolved)+len(d.Changed)+d.Unchanged != len(before.Findings) {
		t.Fatalf("counts do not add up: %d new, %d resolved, %d changed, %d unchanged; %d → %d findings",
			len(d.New), len(d.Resolved), len(d.Changed), d.Unchanged, len(before.Findings), len(after.Findings))
	}
	// The EMS replaced: its finding resolves, nothing is new.
	fixed := edit(t, func(doc *inventory.Doc) { element(doc, "A-DC1-ems").Vendor = "Nokia" })
	d = diff.Results(after, check(fixed, cf.NewDate(2024, 1, 1)))
	if len(d.New) != 0 || len(d.Resolved) == 0 {
		t.Fatalf("replacing the EMS: %d new, %d resolved", len(d.New), len(d.Resolved))
	}
	for _, f := range d.Resolved {
		if f.Element != nil && *f.Element != "A-DC1-ems" {
			t.Errorf("resolved: %s", *f.Element)
		}
	}
}

// TestShares: the share-cap measures of two checks, per rule, operator and
// metric, before and after. The figures are the small network's, worked
// by hand: alpha's four access sites carry traffic 2.5, 1.5, 3 and 1; at
// first have Huawei radios (2 of 4 sites, 4 of 8 traffic).
func TestShares(t *testing.T) {
	cases := []struct {
		name string
		edit func(doc *inventory.Doc)
		want string // alpha's sites and traffic shares, old → new, * over the 35% cap
	}{
		{"same", func(*inventory.Doc) {}, "sites 0.5* → 0.5*, traffic 0.5* → 0.5*"},
		{"a Nokia site turns Huawei", func(doc *inventory.Doc) { element(doc, "A-003-gnb").Vendor = "Huawei" },
			"sites 0.5* → 0.75*, traffic 0.5* → 0.875*"},
		{"a Huawei radio replaced", func(doc *inventory.Doc) { element(doc, "A-002-gnb").Vendor = "Ericsson" },
			"sites 0.5* → 0.25, traffic 0.5* → 0.3125"},
		{"below the cap", func(doc *inventory.Doc) {
			element(doc, "A-002-gnb").Vendor = "Ericsson"
			element(doc, "A-001-gnb").Vendor = "Ericsson"
			element(doc, "A-001-enb").Vendor = "Ericsson"
		}, "sites 0.5* → 0, traffic 0.5* → 0"},
		{"a site loses its traffic figure", func(doc *inventory.Doc) {
			for i := range doc.Sites {
				if doc.Sites[i].ID == "A-003" {
					doc.Sites[i].Traffic, doc.Sites[i].HasTraffic = 0, false
				}
			}
		}, "sites 0.5* → 0.5*, traffic 0.5* → unmeasured"},
	}
	pack, _, err := policy.Builtin("uk-2020-ncsc")
	if err != nil {
		t.Fatal(err)
	}
	opts := policy.Options{AsOf: cf.NewDate(2024, 1, 1)}
	check := func(inv *inventory.Inventory) *policy.Result {
		res, err := policy.Check(context.Background(), inv, []*policy.Pack{pack}, opts)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	old := check(load(t))
	show := func(v *float64, over bool) string {
		if v == nil {
			return "unmeasured"
		}
		s := strconv.FormatFloat(*v, 'f', -1, 64)
		if over {
			s += "*"
		}
		return s
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			shares, err := diff.Shares(old, check(edit(t, c.edit)), opts)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			rules := map[string]bool{}
			for _, s := range shares {
				rules[s.Rule] = true
				if s.Rule == "uk-2020-ncsc/access-cap-mobile" && s.Operator == "alpha" {
					got = append(got, s.Metric+" "+show(s.Old, s.OldExceeds)+" → "+show(s.New, s.NewExceeds))
				}
				if s.Cap != 0.35 {
					t.Errorf("%s: cap %v", s.Rule, s.Cap)
				}
			}
			if g := strings.Join(got, ", "); g != c.want {
				t.Errorf("alpha's shares: %s\nwant %s", g, c.want)
			}
			if !rules["uk-2020-ncsc/access-cap-full-fibre"] {
				t.Errorf("the full-fibre cap is missing: %+v", shares)
			}
		})
	}
}
