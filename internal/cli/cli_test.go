package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/corefence/corefence/internal/atomicfile"
	"github.com/corefence/corefence/internal/htmlreport/browsertest"
)

func run(t *testing.T, now time.Time, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	env := &Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Now: func() time.Time { return now }}
	code = Run(context.Background(), env, args)
	return code, out.String(), errb.String()
}

// TestCheckDefaultsToToday: without --as-of, check evaluates as of the
// clock's date.
func TestCheckDefaultsToToday(t *testing.T) {
	now := time.Date(2023, 12, 31, 23, 59, 0, 0, time.UTC)
	code, out, errs := run(t, now, "check", "--inventory", "../../testdata/small-network.yaml",
		"--policy", "../../testdata/small-pack.yaml", "--format", "json")
	if code != ExitViolations {
		t.Fatalf("exit %d, stderr %s", code, errs)
	}
	var doc struct {
		AsOf string `json:"as_of"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.AsOf != "2023-12-31" {
		t.Errorf("as_of = %s, want 2023-12-31 (the injected clock's date)", doc.AsOf)
	}
}

// TestErrorsLeaveStdoutEmpty: every input error exits 2 and writes nothing
// to stdout, whatever the format.
func TestErrorsLeaveStdoutEmpty(t *testing.T) {
	now := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, args := range [][]string{
		{"check", "--inventory", "nope.yaml", "--policy", "uk-dvd-2022", "--format", "json"},
		{"check", "--inventory", "../../testdata/small-network.yaml", "--policy", "nope", "--format", "csv"},
		{"check", "--inventory", "../../testdata/small-network.yaml", "--policy", "../../testdata/small-pack.yaml", "--waivers", "nope.yaml"},
		{"check", "--inventory", "../../testdata/small-network.yaml", "--policy", "../../testdata/small-pack.yaml", "--param", "small.x=2020-01-01"},
		{"check", "--inventory", "../../testdata/small-network.yaml", "--policy", "../../testdata/small-pack.yaml", "--policy", "../../testdata/small-pack.yaml"},
		{"check", "--inventory", "../../testdata/small-network.yaml", "--policy", "../../testdata/small-pack.yaml", "extra"},
		{"validate", "--inventory", "../../testdata/small-pack.yaml"},
		{"validate"},
		{"policies", "show", "nope"},
	} {
		code, out, errs := run(t, now, args...)
		if code != ExitError || out != "" || errs == "" {
			t.Errorf("corefence %s: exit %d, stdout %q, stderr %q; want 2, nothing, a message", strings.Join(args, " "), code, out, errs)
		}
	}
}

// TestDemo runs the demo into a fresh directory: it generates a national
// network, checks it at each date of the story, writes the inventory, a
// JSON report per date and one self-contained HTML report, only into the
// directory it was given, and says where the report is. The report is
// then loaded in a real browser (skipped when Chromium is not installed).
func TestDemo(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "demo")
	code, stdout, stderr := run(t, time.Now(), "demo", "--out", out)
	if code != ExitOK {
		t.Fatalf("demo exit %d: %s", code, stderr)
	}
	report := filepath.Join(out, "report.html")
	for _, want := range []string{report, "synthetic", "35% cap", "ee ", "vodafone ", "o2 ", "three "} {
		if !strings.Contains(stdout, want) {
			t.Errorf("demo output lacks %q:\n%s", want, stdout)
		}
	}
	for _, step := range ukStory {
		if !strings.Contains(stdout, step.date) {
			t.Errorf("demo output lacks the %s step", step.date)
		}
	}
	if lines := strings.Count(stdout, "\n"); lines > 32 {
		t.Errorf("demo output is %d lines; the report has the detail", lines)
	}

	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) != 1 || entries[0].Name() != "demo" {
		t.Errorf("demo wrote outside its directory: %v", entries)
	}
	if _, err := os.Stat("corefence-demo"); err == nil {
		t.Errorf("demo wrote into the working directory")
	}
	// Only what a person needs: the report, the signed evidence, one
	// inventory (--keep-all adds the full check per date; see
	// cmd/corefence/testdata/script/demo_keep_all.txtar).
	want := []string{atomicfile.Manifest, "inventory", "report.html", "evidence-" + demoFocus + ".json", "regulator.pub", "site-*.proof"}
	sort.Strings(want)
	var got []string
	proof := ""
	files, _ := os.ReadDir(out)
	for _, f := range files {
		name := f.Name()
		if strings.HasPrefix(name, "site-") && strings.HasSuffix(name, ".proof") {
			proof, name = name, "site-*.proof"
		}
		got = append(got, name)
	}
	sort.Strings(got)
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("demo directory holds %v, want %v", got, want)
	}

	// The 2023-12-31 check is signed; the commands the report and the
	// output give verify it, its inventory and the site proof.
	envelope := "evidence-" + demoFocus + ".json"
	for _, args := range [][]string{
		{"--trust", "regulator.pub"},
		{"--trust", "regulator.pub", "--inventory", "inventory/"},
		{"--trust", "regulator.pub", "--proof", proof},
	} {
		cmd := "corefence verify --attestation " + envelope + " " + strings.Join(args, " ")
		if !strings.Contains(stdout, cmd) {
			t.Errorf("demo output lacks %q", cmd)
		}
		abs := []string{"verify", "--attestation", filepath.Join(out, envelope)}
		for i, a := range args {
			if i%2 == 1 {
				a = filepath.Join(out, a)
			}
			abs = append(abs, a)
		}
		if code, vout, verr := run(t, time.Now(), abs...); code != ExitOK || !strings.Contains(vout, "VERIFIED") {
			t.Errorf("%s: exit %d\n%s%s", cmd, code, vout, verr)
		}
	}

	// The inventory is a CSV bundle of a national network.
	sitesCSV, err := os.ReadFile(filepath.Join(out, "inventory", "sites.csv"))
	if err != nil {
		t.Fatal(err)
	}
	sites := strings.Count(string(sitesCSV), "\n") - 1
	if sites < demoSites {
		t.Errorf("the inventory has %d sites, want at least %d", sites, demoSites)
	}

	// The report is one file holding every date and operator, loading
	// nothing.
	html, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	page := string(html)
	if strings.Contains(page, `href="check-`) {
		t.Errorf("the report links to per-date check files the demo did not write")
	}
	for _, step := range ukStory {
		if !strings.Contains(page, step.date) {
			t.Errorf("the report lacks %s", step.date)
		}
	}
	for _, op := range []string{"EE", "Vodafone UK", "O2 UK", "Three UK"} {
		if !strings.Contains(page, ">"+op+"<") {
			t.Errorf("the report lacks operator %s", op)
		}
	}
	if i := strings.Index(page, `<section id="evidence"`); i < 0 {
		t.Errorf("the report has no evidence section")
	} else if sec := page[i:]; !strings.Contains(sec[:strings.Index(sec, "</section>")],
		"corefence verify --attestation "+envelope+" --trust regulator.pub --proof "+proof) {
		t.Errorf("the evidence section lacks the verify commands")
	}
	// The kill-switch section, with the 2020 network and the three
	// options' 2028 networks.
	if i := strings.Index(page, `<section id="kill-switch"`); i < 0 {
		t.Errorf("the report has no kill-switch section")
	} else {
		kill := page[i:]
		kill = kill[:strings.Index(kill, "</section>")]
		for _, want := range []string{"If Huawei's equipment went dark", "2020, as built", "2028, &#34;non-core&#34;", "2028, 35% cap",
			"2028, removal", "minimal compliance", "docs/exposure.md", "All operators"} {
			if !strings.Contains(kill, want) {
				t.Errorf("the kill-switch section lacks %q", want)
			}
		}
		if got := strings.Count(kill, `class="kill-sites"`); got != 4*5 {
			t.Errorf("the kill-switch section has %d cells, want 4 scenarios × (4 operators + all)", got)
		}
	}
	if !strings.Contains(stdout, "If Huawei's equipment went dark") || !strings.Contains(stdout, "2028, removal: ") {
		t.Errorf("demo output lacks the kill switch:\n%s", stdout)
	}
	// The policy options: the three, planned, in a table and a chart
	// panel each, with a line per operator.
	if i := strings.Index(page, `<section id="policy-options"`); i < 0 {
		t.Errorf("the report has no policy-options section")
	} else {
		sec := page[i:]
		sec = sec[:strings.Index(sec, "</section>")]
		for _, want := range []string{"Policy options", "planned from 2020-07-01", "uk-2019-nsc", "uk-2020-ncsc",
			"uk-dvd-2022 &#43; uk-2020-07", ">non-core<", ">35% cap<", ">removal<", "docs/planner.md", "assumed costs", "35% cap (uk-2020-ncsc/access-cap-mobile)"} {
			if !strings.Contains(sec, want) {
				t.Errorf("the policy-options section lacks %q", want)
			}
		}
		if strings.Contains(sec, "no plan") {
			t.Errorf("an option has no plan")
		}
		if got := strings.Count(sec, `class="panel"`); got != len(ukOptions) {
			t.Errorf("the policy-options chart has %d panels, want %d", got, len(ukOptions))
		}
		if got := strings.Count(sec, "<polyline"); got != len(ukOptions)*4 {
			t.Errorf("the policy-options chart has %d lines, want 3 options × 4 operators", got)
		}
	}
	for _, want := range []string{"The options planned from 2020-07-01", "non-core £0, nothing to do", "35% cap £", "removal £"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("demo output lacks %q:\n%s", want, stdout)
		}
	}
	browsertest.CheckSelfContained(t, page)
	if got := browsertest.SiteMarks(page); got != sites {
		t.Errorf("the report's map has %d site marks, want %d", got, sites)
	}
	if len(html) > 4<<20 {
		t.Errorf("the report is %d bytes", len(html))
	}

	t.Run("browser", func(t *testing.T) {
		browsertest.Require(t)
		dom, console := browsertest.DumpDOM(t, report)
		browsertest.CheckReportDOM(t, dom, console, sites)
		png := filepath.Join(t.TempDir(), "report.png")
		if console := browsertest.Screenshot(t, report, png, 1400, 2400); len(console) > 0 {
			t.Errorf("console while rendering: %q", console)
		}
	})
}
