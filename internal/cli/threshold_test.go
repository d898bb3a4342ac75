package cli

import (
	"strings"
	"testing"

	"github.com/corefence/corefence/internal/exposure"
)

func TestParseThreshold(t *testing.T) {
	for _, c := range []struct {
		in   string
		want threshold
		err  string
	}{
		{in: "traffic_share>0.35", want: threshold{text: "traffic_share>0.35", metric: "traffic_share", op: ">", limit: 0.35}},
		{in: " huawei : sites_lost >= 1 ", want: threshold{text: "huawei : sites_lost >= 1", vendor: "huawei", metric: "sites_lost", op: ">=", limit: 1}},
		{in: "zte:cleartext_share<0.5", want: threshold{text: "zte:cleartext_share<0.5", vendor: "zte", metric: "cleartext_share", op: "<", limit: 0.5}},
		{in: "traffic_share=0.35", err: "want [VENDOR:]METRIC>LIMIT"},
		{in: "traffic_share>", err: "want [VENDOR:]METRIC>LIMIT"},
		{in: "traffic_shar>0.3", err: `unknown metric "traffic_shar"`},
		{in: "traffic_share>-1", err: "want [VENDOR:]METRIC>LIMIT"},
	} {
		got, err := parseThreshold(c.in)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%q: error %v, want %q", c.in, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("%q: got %+v, %v; want %+v", c.in, got, err, c.want)
		}
	}
}

// TestCheckThresholds: a vendor-less threshold gates the designated groups
// only; limits compare as written, a share exactly at the limit passes '>'.
func TestCheckThresholds(t *testing.T) {
	rep := &exposure.Report{
		Vendors: []exposure.Vendor{{ID: "huawei", Designated: true}, {ID: "ericsson"}},
		TrafficExposure: []exposure.VendorTraffic{
			{Vendor: "huawei", Operator: "ee", TrafficShare: 0.35},
			{Vendor: "huawei", Operator: "three", TrafficShare: 0.5},
			{Vendor: "ericsson", Operator: "ee", TrafficShare: 0.9},
		},
		KillSwitch: []exposure.VendorKillSwitch{{Vendor: "huawei", Operators: []exposure.OperatorKillSwitch{
			{Operator: "ee", SitesTotal: 10, SitesLost: 4}, {Operator: "three", SitesTotal: 0}}}},
	}
	parse := func(s string) threshold { th, _ := parseThreshold(s); return th }
	for _, c := range []struct {
		in   string
		want string
	}{
		{"traffic_share>0.35", "traffic_share>0.35: huawei at three is 0.5"},
		{"traffic_share>=0.35", "traffic_share>=0.35: huawei at ee is 0.35|traffic_share>=0.35: huawei at three is 0.5"},
		{"ericsson:traffic_share>0.8", "ericsson:traffic_share>0.8: ericsson at ee is 0.9"},
		{"sites_lost_share>0.3", "sites_lost_share>0.3: huawei at ee is 0.4"},
		{"sites_lost>4", ""},
	} {
		bs, err := checkThresholds(rep, []threshold{parse(c.in)}, false)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, b := range bs {
			got = append(got, b.String())
		}
		if strings.Join(got, "|") != c.want {
			t.Errorf("%s: got %q, want %q", c.in, strings.Join(got, "|"), c.want)
		}
	}
	if _, err := checkThresholds(rep, []threshold{parse("nokia:sites_lost>0")}, false); err == nil {
		t.Error("a threshold on a vendor not analysed passed")
	}
	rep.Vendors = rep.Vendors[1:]
	if _, err := checkThresholds(rep, []threshold{parse("traffic_share>0.35")}, true); err == nil {
		t.Error("a designated-group threshold with only trusted vendors named passed")
	}
}
