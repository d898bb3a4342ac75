package exposure_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/corefence/corefence/internal/exposure"
	"github.com/corefence/corefence/internal/importer"
	"github.com/corefence/corefence/internal/inventory"
)

// A case is a directory under testdata/cases holding a hand-built network
// (inventory.yaml) and case.yaml: the vendor groups to analyse and, per
// analysis, the lines wanted (a section left out is not checked). Each
// case is one corner of a definition in docs/exposure.md.
type exposureCase struct {
	Vendors         []string  `yaml:"vendors"`
	KillSwitch      *[]string `yaml:"kill_switch"`
	ChokePoints     *[]string `yaml:"choke_points"`
	TrafficExposure *[]string `yaml:"traffic_exposure"`
	SensitiveFlows  *[]string `yaml:"sensitive_flows"`
	ManagementReach *[]string `yaml:"management_reach"`
	Diversity       *[]string `yaml:"diversity"`
	Warnings        []string  `yaml:"warnings"`
}

func loadCase(t *testing.T, dir string) (*inventory.Inventory, exposureCase) {
	t.Helper()
	var c exposureCase
	data, err := os.ReadFile(filepath.Join(dir, "case.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(data, &c); err != nil {
		t.Fatal(err)
	}
	inv, err := importer.Load(filepath.Join(dir, "inventory.yaml"), inventory.Options{})
	if err != nil {
		t.Fatalf("load %s: %v", dir, err)
	}
	return inv, c
}

func groupRefs(t testing.TB, inv *inventory.Inventory, ids []string) []inventory.GroupRef {
	t.Helper()
	var out []inventory.GroupRef
	for _, id := range ids {
		g, ok := inv.Group(id)
		if !ok {
			t.Fatalf("no vendor group %q in the inventory", id)
		}
		out = append(out, g)
	}
	return out
}

func TestCases(t *testing.T) {
	dirs, err := filepath.Glob("testdata/cases/*")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no cases: %v", err)
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			inv, c := loadCase(t, dir)
			rep, err := exposure.Analyse(context.Background(), inv, exposure.AnalyseOptions{Vendors: groupRefs(t, inv, c.Vendors)})
			if err != nil {
				t.Fatalf("Analyse: %v", err)
			}
			check := func(name string, want *[]string, got []string) {
				if want == nil {
					return
				}
				if strings.Join(got, "\n") != strings.Join(*want, "\n") {
					t.Errorf("Analyse(%s) %s:\n  got:  %s\n  want: %s", dir, name,
						strings.Join(got, "\n        "), strings.Join(*want, "\n        "))
				}
			}
			check("kill_switch", c.KillSwitch, describeKillSwitch(rep.KillSwitch))
			check("choke_points", c.ChokePoints, describeChokePoints(rep.ChokePoints))
			check("traffic_exposure", c.TrafficExposure, describeTraffic(rep.TrafficExposure))
			check("sensitive_flows", c.SensitiveFlows, describeFlows(rep.SensitiveFlows))
			check("management_reach", c.ManagementReach, describeReach(rep.ManagementReach))
			check("diversity", c.Diversity, describeDiversity(rep.SupplyDiversity))
			codes := map[string]bool{}
			for _, w := range rep.Warnings {
				codes[w.Code] = true
			}
			for _, code := range c.Warnings {
				if !codes[code] {
					t.Errorf("Analyse(%s): no %s warning in %v", dir, code, rep.Warnings)
				}
			}
		})
	}
}

func describeKillSwitch(ks []exposure.VendorKillSwitch) []string {
	var out []string
	for _, v := range ks {
		for _, o := range v.Operators {
			out = append(out, fmt.Sprintf("%s %s lost=[%s] traffic=%s/%s in_service=%d/%d sensitive=%d core_lost=[%s] removed=%d hosted=%d",
				v.Vendor, o.Operator, strings.Join(o.LostSites, " "), o.TrafficLost, o.TrafficTotal, o.SitesInService, o.SitesTotal,
				o.SensitiveSitesLost, strings.Join(o.CoreFunctionsLost, " "), o.ElementsRemoved, o.HostedRemoved))
		}
	}
	return out
}

func describeChokePoints(cps []exposure.ChokePoint) []string {
	out := []string{}
	for _, c := range cps {
		out = append(out, fmt.Sprintf("%s sites=%d traffic=%s sensitive=%d", c.Element, c.SitesLost, c.TrafficLost, c.SensitiveSitesLost))
	}
	return out
}

func describeTraffic(ts []exposure.VendorTraffic) []string {
	var out []string
	for _, v := range ts {
		out = append(out, fmt.Sprintf("%s %s share=%.4f cleartext=%.4f exposed=%d routed=%d",
			v.Vendor, v.Operator, v.TrafficShare, v.CleartextShare, v.SitesExposed, v.SitesRouted))
	}
	return out
}

func describeFlows(fs []exposure.SensitiveFlow) []string {
	out := []string{}
	for _, f := range fs {
		line := fmt.Sprintf("%s routed=%t", f.Site, f.Routed)
		if len(f.Areas) > 0 {
			line += " areas=[" + strings.Join(f.Areas, " ") + "]"
		}
		for _, e := range f.Elements {
			line += " " + e.Element + ":" + strconv.FormatFloat(e.Share, 'g', 4, 64)
			if e.Cleartext {
				line += ":clear"
			}
		}
		out = append(out, line)
	}
	return out
}

func describeReach(rs []exposure.ManagementReach) []string {
	var out []string
	for _, r := range rs {
		out = append(out, fmt.Sprintf("%s managers=%d elements=%d direct=%d core=%d other=%d",
			r.Vendor, r.Managers, r.Elements, r.Direct, r.CoreElements, r.OtherVendorElements))
	}
	return out
}

func describeDiversity(ds []exposure.Diversity) []string {
	var out []string
	for _, d := range ds {
		op := "national"
		if d.Operator != nil {
			op = *d.Operator
		}
		line := fmt.Sprintf("%s %s elements=%d hhi=%s largest=%s:%s", op, d.Domain, d.Elements,
			strconv.FormatFloat(d.HHI, 'f', -1, 64), d.LargestVendor, strconv.FormatFloat(d.LargestShare, 'g', 4, 64))
		if d.Sites != nil {
			line += fmt.Sprintf(" sites=%d", *d.Sites)
		}
		out = append(out, line)
	}
	return out
}
