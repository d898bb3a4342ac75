package cli

import (
	"context"
	"fmt"
	"testing"

	cf "github.com/corefence/corefence"
	"github.com/corefence/corefence/internal/inventory"
	"github.com/corefence/corefence/internal/policy"
)

// TestComplyStopsAtCap derives the 2028 network of the NCSC option on a
// tiny network: twenty 5G sites, all Huawei, with traffic 1..20, and a
// Huawei AMF in the core. The AMF is excluded outright; the 35% access cap
// is met by swapping out the thirteen busiest sites, which leaves 7 of 20
// (exactly 35%), and not one site more.
func TestComplyStopsAtCap(t *testing.T) {
	const n = 20
	doc := &inventory.Doc{
		Operators: []inventory.Operator{{ID: "op", Name: "Op"}},
		Sites:     []inventory.Site{{ID: "dc", Operator: "op", Kind: inventory.SiteDataCentre, Lat: 51.5, Lon: -0.1}},
		Elements: []inventory.Element{
			{ID: "amf-1", Site: "dc", Function: "amf", Vendor: "Huawei"},
			{ID: "smf-1", Site: "dc", Function: "smf", Vendor: "Ericsson"},
			{ID: "enb-0", Site: "s0", Function: "enb", Vendor: "Nokia"},
		},
	}
	for i := range n {
		id := fmt.Sprintf("s%d", i)
		doc.Sites = append(doc.Sites, inventory.Site{ID: id, Operator: "op", Lat: 52 + float64(i)/100, Lon: -1,
			Traffic: cf.QuantityFromInt(int64(i + 1)), HasTraffic: true})
		doc.Elements = append(doc.Elements, inventory.Element{ID: "gnb-" + id, Site: id, Function: "gnb", Vendor: "Huawei"})
	}
	inv, err := inventory.Build(doc, inventory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	packs, err := openPacks([]string{"uk-2020-ncsc"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	asOf, _ := cf.ParseDate("2028-01-01")
	c, err := comply(context.Background(), inv, packs, asOf, "huawei")
	if err != nil {
		t.Fatal(err)
	}
	if c.Replaced != 1 || c.CapSites != 13 || c.CapElements != 13 {
		t.Errorf("replaced %d for exclusions, %d elements at %d sites for the cap; want 1, 13 at 13", c.Replaced, c.CapElements, c.CapSites)
	}
	out := c.Inventory
	vendorOf := func(inv *inventory.Inventory, id string) string {
		ref, ok := inv.Element(id)
		if !ok {
			t.Fatalf("no element %s", id)
		}
		return inv.Groups[inv.Elements[ref].Group].ID
	}
	// The core's main other vendor replaces the AMF; the access domain's,
	// the swapped gNBs; the seven quietest sites keep Huawei.
	if got := vendorOf(out, "amf-1"); got != "ericsson" {
		t.Errorf("amf-1 is %s, want ericsson", got)
	}
	for i := range n {
		want := "huawei"
		if i >= 7 {
			want = "nokia"
		}
		if got := vendorOf(out, fmt.Sprintf("gnb-s%d", i)); got != want {
			t.Errorf("gnb-s%d (traffic %d) is %s, want %s", i, i+1, got, want)
		}
	}
	if got := vendorOf(inv, "gnb-s19"); got != "huawei" {
		t.Errorf("comply changed its input: gnb-s19 is %s", got)
	}

	// The share is at the cap exactly: 7 of 20 sites.
	p := packs[0]
	var rule *policy.Rule
	for i := range p.Rules {
		if p.Rules[i].ID == "uk-2020-ncsc/access-cap-mobile" {
			rule = &p.Rules[i]
		}
	}
	if rule == nil {
		t.Fatal("no rule uk-2020-ncsc/access-cap-mobile")
	}
	shares, err := policy.Shares(out, p, rule, policy.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, sh := range shares {
		if sh.Metric == "sites" && sh.Value.Float() != 0.35 {
			t.Errorf("sites share %s, want 35%%: %s", policy.Percent(sh.Value.Float()), sh.Why)
		}
		if sh.Value.Exceeds(*rule.Cap) {
			t.Errorf("%s share %s exceeds the cap", sh.Metric, policy.Percent(sh.Value.Float()))
		}
	}
	res, err := policy.Check(context.Background(), out, packs, policy.Options{AsOf: asOf})
	if err != nil {
		t.Fatal(err)
	}
	if v := res.Count()[policy.StatusViolation]; v != 0 {
		t.Errorf("the derived network has %d violations as of %s", v, asOf)
	}
}
