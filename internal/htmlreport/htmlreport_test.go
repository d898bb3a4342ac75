package htmlreport

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	cf "github.com/corefence/corefence"
	"github.com/corefence/corefence/internal/exposure"
	"github.com/corefence/corefence/internal/gen"
	"github.com/corefence/corefence/internal/htmlreport/browsertest"
	"github.com/corefence/corefence/internal/importer"
	"github.com/corefence/corefence/internal/inventory"
	"github.com/corefence/corefence/internal/policy"
)

// hostile is an inventory whose every free-text field tries to break out
// of the page: markup, script, attribute and CSS injections, and a link.
const hostile = `format: corefence/v1
operators:
  - {id: evil, name: "<script>console.error('op')</script>", country: GB}
  - {id: plain, name: "Plain & Simple", country: GB}
sites:
  - {id: "s1\"><img src=x onerror=console.error(1)>", operator: evil, name: "</title><script>console.error(2)</script>", lat: 51.5, lon: -0.12, traffic: 1, tags: [national-security]}
  - {id: s2, operator: evil, name: "x", lat: 53.48, lon: -2.24, traffic: 1}
  - {id: s3, operator: plain, name: "y", lat: 55.86, lon: -4.25, traffic: 1}
elements:
  - {id: "e1<svg onload=console.error(3)>", site: "s1\"><img src=x onerror=console.error(1)>", function: gnb, vendor: Huawei, installed: 2019-11-15}
  - {id: e2, site: s2, function: gnb, vendor: "</style><script>console.error(4)</script>", installed: 2019-11-15}
  - {id: e3, site: s3, function: gnb, vendor: Ericsson, installed: 2019-11-15}
  - {id: e4, site: s2, function: amf, vendor: "Huawei", installed: 2019-11-15}
areas:
  - {id: a1, name: "<b onmouseover=console.error(5)>area</b>\" style=\"x:y https://evil.example/", category: military, lat: 51.5, lon: -0.12, radius_km: 3}
`

func load(t *testing.T, yaml string) *inventory.Inventory {
	t.Helper()
	path := filepath.Join(t.TempDir(), "inv.yaml")
	if err := os.WriteFile(path, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	inv, err := importer.Load(path, inventory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return inv
}

func ukPacks(t *testing.T) []*policy.Pack {
	t.Helper()
	var packs []*policy.Pack
	for _, id := range []string{"uk-2020-ncsc", "uk-dvd-2022"} {
		p, err := policy.Open(id)
		if err != nil {
			t.Fatal(err)
		}
		packs = append(packs, p)
	}
	return packs
}

// hostilePack is a pack whose texts and source addresses try to break out.
const hostilePack = `id: hostile
title: "<script>console.error('pack')</script>"
kind: scenario
status: proposal
summary: "</p><iframe src=https://evil.example/>"
designated: [huawei]
sources:
  - {id: s1, title: "<i>source</i>", url: "https://evil.example/\"><script>console.error(6)</script>"}
rules:
  - {id: core, title: "<svg/onload=console.error(8)>", kind: exclude, severity: high, effective: 2020-01-01,
     scope: {domains: [access]}, citation: "</blockquote><script>console.error(9)</script>", sources: [s1],
     confidence: interpreted, interpretation: "<style>body{display:none}</style>"}
`

// render checks inv at the dates and renders the report.
func render(t *testing.T, inv *inventory.Inventory, dates ...string) (*Report, []byte) {
	t.Helper()
	return renderWith(t, inv, ukPacks(t), dates...)
}

func renderWith(t *testing.T, inv *inventory.Inventory, packs []*policy.Pack, dates ...string) (*Report, []byte) {
	t.Helper()
	r := &Report{Title: "Test <report>", Notice: "Synthetic & generated.", Inventory: inv, InventoryPath: "inventory/",
		Generated: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), Version: "test"}
	for _, d := range dates {
		asOf, err := cf.ParseDate(d)
		if err != nil {
			t.Fatal(err)
		}
		res, err := policy.Check(context.Background(), inv, packs, policy.Options{AsOf: asOf})
		if err != nil {
			t.Fatal(err)
		}
		r.Steps = append(r.Steps, Step{Title: "At " + d, Detail: "What happened <then>.", Result: res, JSONReport: "check-" + d + ".json"})
	}
	for _, p := range packs {
		for i := range p.Rules {
			if p.Rules[i].Kind != policy.KindShareCap {
				continue
			}
			shares, err := policy.Shares(inv, p, &p.Rules[i], policy.Options{})
			if err != nil {
				t.Fatal(err)
			}
			r.Caps = append(r.Caps, Cap{Pack: p, Rule: &p.Rules[i], Shares: shares})
		}
	}
	r.Focus = len(r.Steps) - 1
	r.KillSwitch = killSwitch(t, inv)
	var buf bytes.Buffer
	if err := Write(&buf, r); err != nil {
		t.Fatal(err)
	}
	return r, buf.Bytes()
}

// killSwitch is Huawei's kill switch on inv, twice: on the whole network,
// and with the first operator left out (a network without it).
func killSwitch(t *testing.T, inv *inventory.Inventory) *KillSwitch {
	t.Helper()
	gr, ok := inv.Group("huawei")
	if !ok {
		return nil
	}
	g, err := exposure.NewGraph(inv, exposure.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ks, err := g.KillSwitch(context.Background(), []inventory.GroupRef{gr})
	if err != nil {
		t.Fatal(err)
	}
	ops := ks[0].Operators
	return &KillSwitch{Vendor: "Huawei", Model: "The <b>model</b>.", Caveat: "Derived <i>caveat</i>.",
		Scenarios: []KillScenario{
			{Title: "Now <as built>", Detail: "the network", Operators: ops},
			{Title: "Later", Detail: "without the first operator", Operators: ops[1:]},
		}}
}

// TestKillSwitchSection: a row per operator and one for all, a cell per
// scenario, the operator missing from a scenario said so.
func TestKillSwitchSection(t *testing.T) {
	inv := generated(t, 400)
	r, out := render(t, inv, "2028-01-01")
	page := string(out)
	i := strings.Index(page, `<section id="kill-switch"`)
	if i < 0 {
		t.Fatal("no kill-switch section")
	}
	sec := page[i:]
	sec = sec[:strings.Index(sec, "</section>")]
	ops := len(inv.Operators)
	if got, want := strings.Count(sec, `class="kill-sites"`), 2*(ops+1)-1; got != want {
		t.Errorf("%d cells with figures, want %d", got, want)
	}
	if got := strings.Count(sec, "not in this network"); got != 1 {
		t.Errorf("%d cells say the operator is missing, want 1", got)
	}
	for _, want := range []string{"If Huawei's equipment went dark", "Now &lt;as built&gt;", "The &lt;b&gt;model&lt;/b&gt;.", "Derived &lt;i&gt;caveat&lt;/i&gt;.", "All operators"} {
		if !strings.Contains(sec, want) {
			t.Errorf("the section lacks %q", want)
		}
	}
	o := r.KillSwitch.Scenarios[0].Operators[0]
	if want := thousands(int64(o.SitesLost)) + "</strong> <span class=\"muted\">of " + thousands(int64(o.SitesTotal)) + " sites"; !strings.Contains(sec, want) {
		t.Errorf("the section lacks the first operator's figures %q", want)
	}
}

// TestHostileNamesAreEscaped: names from the inventory are text on the
// page, never markup, script or style.
func TestHostileNamesAreEscaped(t *testing.T) {
	hp, err := policy.Parse("hostile.yaml", []byte(hostilePack))
	if err != nil {
		t.Fatal(err)
	}
	_, out := renderWith(t, load(t, hostile), append(ukPacks(t), hp), "2020-01-28", "2028-01-01")
	page := string(out)
	for _, bad := range []string{
		"<script>console", "<img src=x", "<svg onload", "<svg/onload", "<b onmouseover", "</title><script>", "</style><script>", `" style="x:y`,
		"<iframe", `href="javascript:`, "<style>body", "<i>source", "<b>model", "<as built>",
	} {
		if strings.Contains(page, bad) {
			t.Errorf("the page contains %q unescaped", bad)
		}
	}
	// The names are there, as text.
	for _, want := range []string{"&lt;script&gt;console.error(&#39;op&#39;)&lt;/script&gt;", "Plain &amp; Simple", "&lt;b onmouseover=console.error(5)&gt;area&lt;/b&gt;"} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks the escaped name %q", want)
		}
	}
	if !strings.Contains(page, `<a href="https://evil.example/%22%3e%3cscript%3econsole.error%286%29%3c/script%3e"`) {
		t.Errorf("the hostile source address is not an escaped link")
	}
	if n := strings.Count(page, "<script"); n != 3 {
		t.Errorf("the page has %d <script> elements, want its own three (the page's, the map's data, the map's module)", n)
	}
	browsertest.CheckSelfContained(t, page)
}

// TestUKReport renders the UK packs over a generated network and checks
// what a reader relies on: every date, every operator, a site mark per
// site, the caps, the sources with their links, the outline attribution.
func TestUKReport(t *testing.T) {
	inv := generated(t, 400)
	r, out := render(t, inv, "2020-01-28", "2023-12-31", "2028-01-01")
	page := string(out)
	browsertest.CheckSelfContained(t, page)
	for _, s := range r.Steps {
		if !strings.Contains(page, s.Result.AsOf.String()) {
			t.Errorf("the page lacks the date %s", s.Result.AsOf)
		}
	}
	for _, op := range inv.Operators {
		if !strings.Contains(page, op.Name) {
			t.Errorf("the page lacks operator %s", op.Name)
		}
	}
	if got := browsertest.SiteMarks(page); got != len(inv.Sites) {
		t.Errorf("the map has %d site marks, want one per site (%d)", got, len(inv.Sites))
	}
	for _, want := range []string{"35% cap", "uk-dvd-2022/5g-access-cap", "uk-2020-ncsc/access-cap-mobile",
		"Natural Earth", "public domain", "Synthetic &amp; generated.", `href="check-2028-01-01.json"`,
		`<a href="https://www.gov.uk/`, "interpreted", "confirmed"} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if size := len(out); size > 400_000 {
		t.Errorf("a 400-site report is %d bytes", size)
	}
}

func generated(t *testing.T, sites int) *inventory.Inventory {
	t.Helper()
	doc, err := gen.Generate(gen.Config{Country: "gb", Sites: sites, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	inv, err := inventory.Build(doc, inventory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return inv
}

// TestOutline: the embedded outline is the UK with its neighbours, a few
// hundred points in the map's frame, with its source and licence.
func TestOutline(t *testing.T) {
	var o outlineFile
	if err := json.Unmarshal(outlineJSON, &o); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(o.Source, "Natural Earth") || !strings.Contains(o.Licence, "public domain") || o.Generator == "" {
		t.Errorf("provenance: source %q, licence %q, generator %q", o.Source, o.Licence, o.Generator)
	}
	points, subject := 0, 0
	for _, c := range o.Countries {
		for _, poly := range c.Polygons {
			for _, ring := range poly {
				if len(ring) < 3 {
					t.Errorf("%s: a ring of %d points", c.Name, len(ring))
				}
				for _, p := range ring {
					points++
					if c.Role == "subject" {
						subject++
					}
					if p[0] < o.Frame[0]-1e-9 || p[1] < o.Frame[1]-1e-9 || p[0] > o.Frame[2]+1e-9 || p[1] > o.Frame[3]+1e-9 {
						t.Fatalf("%s: point %v outside the frame %v", c.Name, p, o.Frame)
					}
				}
			}
		}
	}
	if o.Countries[0].Name != "United Kingdom" || o.Countries[0].Role != "subject" {
		t.Errorf("the first country is %s (%s), want the United Kingdom as the subject", o.Countries[0].Name, o.Countries[0].Role)
	}
	if points != o.Points || subject < 200 || points > 3000 {
		t.Errorf("%d points (file says %d), %d of the UK: want a few hundred", points, o.Points, subject)
	}
}

// TestBrowser loads a report of a generated network in headless Chromium:
// its script runs without errors, the map has a mark per site, the date
// and operator switches work from the DOM's point of view, and the page
// loaded nothing besides itself.
func TestBrowser(t *testing.T) {
	browsertest.Require(t)
	inv := generated(t, 2000)
	_, out := render(t, inv, "2020-01-28", "2023-12-31", "2028-01-01")
	file := filepath.Join(t.TempDir(), "report.html")
	if err := os.WriteFile(file, out, 0o644); err != nil {
		t.Fatal(err)
	}
	dom, console := browsertest.DumpDOM(t, file)
	browsertest.CheckReportDOM(t, dom, console, len(inv.Sites))
	if png := os.Getenv("COREFENCE_SCREENSHOT"); png != "" {
		browsertest.Screenshot(t, file, png, 1400, 2400)
	}

	// Hostile names stay text in the browser too: their scripts would log.
	hp, err := policy.Parse("hostile.yaml", []byte(hostilePack))
	if err != nil {
		t.Fatal(err)
	}
	hinv := load(t, hostile)
	_, out = renderWith(t, hinv, append(ukPacks(t), hp), "2020-01-28", "2028-01-01")
	if err := os.WriteFile(file, out, 0o644); err != nil {
		t.Fatal(err)
	}
	dom, console = browsertest.DumpDOM(t, file)
	browsertest.CheckReportDOM(t, dom, console, len(hinv.Sites))
}

// TestPolicyOptionsSection: a table row and a chart panel per option, a
// line per operator with a series, the cap drawn in each panel, an option
// without a plan said so, and names escaped.
func TestPolicyOptionsSection(t *testing.T) {
	inv := generated(t, 400)
	r, _ := render(t, inv, "2028-01-01")
	start, end := cf.NewDate(2020, time.July, 1), cf.NewDate(2027, time.December, 31)
	series := func(from, to float64) []ShareSeries {
		var out []ShareSeries
		for _, op := range inv.Operators {
			out = append(out, ShareSeries{Operator: op.ID, Points: []SharePoint{{start, from}, {cf.NewDate(2023, time.March, 31), (from + to) / 2}, {end, to}}})
		}
		return out
	}
	r.Options = &PolicyOptions{Vendor: "Huawei", Lede: "The <b>lede</b>.", Note: "Assumed <i>costs</i>.",
		Measure: "share of 5G access sites", Cap: 0.35, CapLabel: "35% cap", Start: start, End: end,
		Options: []PolicyOption{
			{Name: "non-core", Packs: []string{"uk-2019-nsc"}, Status: "optimal", Planned: true, Series: series(0.6, 0.6), TrafficYears: 7748.5},
			{Name: "<b>cap</b>", Packs: []string{"uk-2020-ncsc"}, Status: "feasible", Planned: true, Jobs: 4511, Total: 386456,
				Capital: 240400, Writeoff: 69200, Delay: 76800, Finish: cf.NewDate(2022, time.December, 31), RolloutDelay: 18.32,
				TrafficYears: 6542.6, DeadlinesMissed: 586, Gap: 0.0018, Series: series(0.6, 0.3)},
			{Name: "removal", Packs: []string{"uk-dvd-2022", "uk-2020-07"}, Status: "unknown"},
		}}
	var buf bytes.Buffer
	if err := Write(&buf, r); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	i := strings.Index(page, `<section id="policy-options"`)
	if i < 0 {
		t.Fatal("no policy-options section")
	}
	sec := page[i:]
	sec = sec[:strings.Index(sec, "</section>")]
	for _, want := range []string{"Policy options", "planned from 2020-07-01 to 2027-12-31", "The &lt;b&gt;lede&lt;/b&gt;.",
		"Assumed &lt;i&gt;costs&lt;/i&gt;.", "&lt;b&gt;cap&lt;/b&gt;", "£386m", "capital £240m · write-off £69m · delay £77m",
		"2022-12-31", "18.3 months", "6,543", ">586<", "within 0.2% of its lower bound", "nothing to do", "no plan", "uk-dvd-2022 &#43; uk-2020-07"} {
		if !strings.Contains(sec, want) {
			t.Errorf("the section lacks %q", want)
		}
	}
	if strings.Contains(sec, "<b>") || strings.Contains(sec, "<i>") {
		t.Error("the section holds unescaped markup")
	}
	if got := strings.Count(sec, `class="panel"`); got != 3 {
		t.Errorf("%d chart panels, want 3", got)
	}
	if got, want := strings.Count(sec, "<polyline"), 2*len(inv.Operators); got != want {
		t.Errorf("%d lines, want %d (an operator per planned option)", got, want)
	}
	if got := strings.Count(sec, `class="capline"`); got != 3 {
		t.Errorf("%d cap lines, want one per panel", got)
	}
	if !strings.Contains(sec, "at or under the cap by 2027-12-31") {
		t.Error("a line's title lacks when it reaches the cap")
	}

	r.Options = &PolicyOptions{Start: start, End: end}
	if err := Write(&bytes.Buffer{}, r); err == nil {
		t.Error("policy options with no option: no error")
	}
}

// TestAdviceIsNotABreach: the UK story reads right. In 2020 operators fall
// short of the NCSC advice, which binds no one, so none is "not compliant";
// from 2024 the Designated Vendor Direction, which is law, can be broken.
func TestAdviceIsNotABreach(t *testing.T) {
	inv := generated(t, 400)
	r, out := render(t, inv, "2020-01-28", "2024-01-01")
	v, err := build(r)
	if err != nil {
		t.Fatal(err)
	}
	in2020, in2024 := v.Steps[0], v.Steps[1]
	if in2020.NotOK != 0 || in2020.Violations != 0 || in2020.Advisory == 0 {
		t.Errorf("2020: %d operators not compliant, %d violations, %d advisory; want 0, 0 and some advisory",
			in2020.NotOK, in2020.Violations, in2020.Advisory)
	}
	if in2024.NotOK == 0 || in2024.Violations == 0 {
		t.Errorf("2024: %d operators not compliant, %d violations; want the Direction broken", in2024.NotOK, in2024.Violations)
	}
	for _, rf := range in2020.Rules {
		if strings.HasPrefix(rf.ID, "uk-2020-ncsc/") && rf.Binding {
			t.Errorf("%s is shown as binding", rf.ID)
		}
	}
	page := string(out)
	for _, want := range []string{"short of the advice", "in breach of the law", "does not bind", "advisory — not binding: NCSC advice, not law"} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
}
