package exposure_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/corefence/corefence/internal/exposure"
	"github.com/corefence/corefence/internal/gen"
	"github.com/corefence/corefence/internal/inventory"
)

// The NetworkX cross-checks: testdata/networkx_check.py reads the network
// exported here, applies the model of docs/exposure.md on its own and
// computes the kill switch and the choke points with NetworkX; the results
// must be identical to the engine's, site for site and to the last decimal
// of traffic.

// python is Debian's interpreter, where python3-networkx installs (a
// pyenv python3 first on PATH would not see it).
const python = "/usr/bin/python3"

func needNetworkX(t testing.TB) {
	t.Helper()
	if out, err := exec.Command(python, "-c", "import networkx").CombinedOutput(); err != nil {
		t.Skipf("NetworkX cross-check skipped: `%s -c 'import networkx'` failed (%v: %s); install Debian's python3-networkx (scripts/test does)",
			python, err, strings.TrimSpace(string(out)))
	}
}

// exportNetwork writes what the Python implementation reads: elements
// (with their resolved operator, site, host, function, domain, vendor
// group, technologies and whether they are in the network), links, sites
// and areas, as tab-separated files.
func exportNetwork(t testing.TB, dir string, inv *inventory.Inventory) {
	t.Helper()
	write := func(name string, rows func(w *bufio.Writer)) {
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		w := bufio.NewWriterSize(f, 1<<20)
		rows(w)
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
	}
	write("elements.tsv", func(w *bufio.Writer) {
		for i := range inv.Elements {
			e := &inv.Elements[i]
			host := "-"
			if e.HostRef != inventory.NoRef {
				host = inv.Elements[e.HostRef].ID
			}
			in := "0"
			if e.InNetwork(false) {
				in = "1"
			}
			site := &inv.Sites[e.SiteRef]
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", e.ID, site.Operator, site.ID, host, e.Function,
				inv.Function(e).Domain, inv.Groups[e.Group].ID, e.Tech, in)
		}
	})
	write("links.tsv", func(w *bufio.Writer) {
		for _, l := range inv.Links {
			fmt.Fprintf(w, "%s\t%s\t%s\n", l.A, l.B, l.Kind)
		}
	})
	write("sites.tsv", func(w *bufio.Writer) {
		for i := range inv.Sites {
			s := &inv.Sites[i]
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", s.ID, s.Operator, s.Traffic, strconv.FormatFloat(s.Lat, 'g', -1, 64),
				strconv.FormatFloat(s.Lon, 'g', -1, 64), strings.Join(s.Tags, ","))
		}
	})
	write("areas.tsv", func(w *bufio.Writer) {
		for _, a := range inv.Areas {
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", a.ID, strconv.FormatFloat(a.Lat, 'g', -1, 64),
				strconv.FormatFloat(a.Lon, 'g', -1, 64), strconv.FormatFloat(a.RadiusKm, 'g', -1, 64))
		}
	})
}

func runNetworkX(t testing.TB, dir string, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(python, append([]string{"testdata/networkx_check.py", dir}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("networkx_check.py %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return out
}

// nxKillSwitch is the kill switch as both implementations write it.
type nxKillSwitch struct {
	Vendor    string `json:"vendor"`
	Operators []struct {
		Operator                  string   `json:"operator"`
		SitesTotal                int      `json:"sites_total"`
		SitesInService            int      `json:"sites_in_service"`
		SitesLost                 int      `json:"sites_lost"`
		TrafficTotal              string   `json:"traffic_total"`
		TrafficLost               string   `json:"traffic_lost"`
		SensitiveSitesLost        int      `json:"sensitive_sites_lost"`
		NationalSecuritySitesLost int      `json:"national_security_sites_lost"`
		InAreaSitesLost           int      `json:"in_area_sites_lost"`
		CoreFunctionsLost         []string `json:"core_functions_lost"`
		ElementsRemoved           int      `json:"elements_removed"`
		HostedRemoved             int      `json:"hosted_removed"`
		LostSites                 []string `json:"lost_sites"`
	} `json:"operators"`
}

// normalise re-reads the engine's kill switch in the common form (traffic
// as a decimal string).
func normalise(t testing.TB, ks []exposure.VendorKillSwitch) []nxKillSwitch {
	t.Helper()
	data, err := json.Marshal(ks)
	if err != nil {
		t.Fatal(err)
	}
	// Traffic figures are JSON numbers here and strings in Python's output.
	var generic []map[string]any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&generic); err != nil {
		t.Fatal(err)
	}
	for _, v := range generic {
		for _, o := range v["operators"].([]any) {
			m := o.(map[string]any)
			for _, k := range []string{"traffic_total", "traffic_lost"} {
				m[k] = string(m[k].(json.Number))
			}
		}
	}
	data, _ = json.Marshal(generic)
	var out []nxKillSwitch
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// crossCheck compares the engine with the Python implementation on inv:
// the kill switch of groups, and every choke point (by brute force or
// from NetworkX's dominators).
func crossCheck(t *testing.T, inv *inventory.Inventory, groups []inventory.GroupRef, chokeMode string) {
	t.Helper()
	dir := t.TempDir()
	exportNetwork(t, dir, inv)
	g, err := exposure.NewGraph(inv, exposure.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()

	ks, err := g.KillSwitch(ctx, groups)
	if err != nil {
		t.Fatal(err)
	}
	args := []string{"killswitch"}
	for _, gr := range groups {
		args = append(args, inv.Groups[gr].ID)
	}
	var nx struct {
		KillSwitch []nxKillSwitch `json:"kill_switch"`
	}
	if err := json.Unmarshal(runNetworkX(t, dir, args...), &nx); err != nil {
		t.Fatal(err)
	}
	got := normalise(t, ks)
	if !reflect.DeepEqual(got, nx.KillSwitch) {
		a, _ := json.MarshalIndent(got, "", " ")
		b, _ := json.MarshalIndent(nx.KillSwitch, "", " ")
		t.Errorf("kill switch differs from NetworkX:\ncorefence: %s\nnetworkx:  %s", a, b)
	}
	lost := 0
	for _, v := range got {
		for _, o := range v.Operators {
			lost += o.SitesLost
		}
	}

	cps, err := g.ChokePoints(ctx)
	if err != nil {
		t.Fatal(err)
	}
	mine := map[string][]any{}
	for _, c := range cps {
		mine[c.Element] = []any{float64(c.SitesLost), c.TrafficLost.String(), float64(c.SensitiveSitesLost)}
	}
	var theirs struct {
		ChokePoints map[string][]any `json:"choke_points"`
	}
	if err := json.Unmarshal(runNetworkX(t, dir, chokeMode), &theirs); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(mine, theirs.ChokePoints) {
		var diff []string
		for _, k := range union(mine, theirs.ChokePoints) {
			if !reflect.DeepEqual(mine[k], theirs.ChokePoints[k]) {
				diff = append(diff, fmt.Sprintf("%s: corefence %v, networkx %v", k, mine[k], theirs.ChokePoints[k]))
			}
		}
		t.Errorf("choke points differ from NetworkX (%s), %d elements:\n%s", chokeMode, len(diff), strings.Join(diff[:min(len(diff), 20)], "\n"))
	}
	t.Logf("%d elements, %d groups: %d sites lost in all; %d choke points (%s) agree", len(inv.Elements), len(groups), lost, len(cps), chokeMode)
}

func union(a, b map[string][]any) []string {
	var keys []string
	for k := range a {
		keys = append(keys, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return keys
}

// TestNetworkXCases cross-checks the hand-built corner cases, choke points
// by brute force.
func TestNetworkXCases(t *testing.T) {
	needNetworkX(t)
	dirs, _ := filepath.Glob("testdata/cases/*")
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			inv, c := loadCase(t, dir)
			crossCheck(t, inv, groupRefs(t, inv, c.Vendors), "brute")
		})
	}
}

// TestNetworkXGenerated cross-checks generated national networks: small
// ones with every element removed in turn, a larger one against NetworkX's
// dominators.
func TestNetworkXGenerated(t *testing.T) {
	needNetworkX(t)
	for _, tc := range []struct {
		sites int
		seed  int64
		choke string
	}{
		{gen.MinSites, 1, "brute"},
		{gen.MinSites, 2, "brute"},
		{1500, 3, "dominators"},
	} {
		t.Run(fmt.Sprintf("sites=%d,seed=%d", tc.sites, tc.seed), func(t *testing.T) {
			if testing.Short() && tc.sites > gen.MinSites {
				t.Skip("large network in -short mode")
			}
			inv := generate(t, tc.sites, tc.seed)
			crossCheck(t, inv, exposure.DefaultVendors(inv), tc.choke)
		})
	}
}

func generate(t testing.TB, sites int, seed int64) *inventory.Inventory {
	t.Helper()
	doc, err := gen.Generate(gen.Config{Country: "gb", Sites: sites, Seed: seed})
	if err != nil {
		t.Fatal(err)
	}
	inv, err := inventory.Build(doc, inventory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return inv
}
