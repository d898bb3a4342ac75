package uitest

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// nationalRun is the part of a run the national tests read.
type nationalRun struct {
	ID       string `json:"id"`
	Operator string `json:"operator"`
	AsOf     string `json:"as_of"`
	Findings int    `json:"findings"`
	Summary  struct {
		Compliant bool              `json:"compliant"`
		Counts    map[string]int    `json:"counts"`
		Operators []operatorVerdict `json:"operators"`
	} `json:"summary"`
}

// operatorVerdict is one operator's part of a run's summary.
type operatorVerdict struct {
	ID     string         `json:"id"`
	Counts map[string]int `json:"counts"`
}

// statuses are a finding's statuses, as the overview counts them.
var statuses = []string{"violation", "upcoming", "advisory", "unmeasured", "waived"}

// TestNationalView signs in as the regulator, chooses the national view,
// checks it as of a date from the Findings page, and compares the findings
// listed and the overview's national summary with the national run the
// API holds, which in turn must hold exactly the operators' own findings
// on that date (docs/server.md, "The national view"). The page passes
// axe-core and the keyboard walk; a page that shows one operator says so
// instead of asking the server for the national view's records.
func TestNationalView(t *testing.T) {
	w := sharedWorld(t)
	const asOf = "2024-01-01" // the date every operator's run in the world is checked as of
	b := newBrowser(t)
	b.signIn(w, regulator)
	label := eval[string](b, `(o => o ? o.textContent : "")(document.querySelector('#op-select option[value="*"]'))`)
	if label != "All operators (national view)" {
		t.Fatalf("the regulator's operator selector offers the national view as %q", label)
	}
	b.do(chromedp.SetValue(chromedp.CSS(`#op-select`), "*"))
	eval[chromedp.Void](b, `document.getElementById("op-select").dispatchEvent(new Event("change"))`)
	b.open(w, "findings")

	// Check the national view as of the date, as a regulator does.
	eval[chromedp.Void](b, `delete document.getElementById("main").dataset.ready`)
	b.do(
		chromedp.SetValue(chromedp.CSS(`form.national-check input[name="as_of"]`), asOf),
		chromedp.SetValue(chromedp.CSS(`form.national-check select[name="pack"]`), "uk-dvd-2022"),
		chromedp.Click(chromedp.CSS(`form.national-check button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`main[data-ready="findings"] #findings-count`)),
	)

	var runs struct {
		Items []nationalRun `json:"items"`
	}
	w.api(t, regulator, "/national/runs?limit=1000", &runs)
	i := slices.IndexFunc(runs.Items, func(r nationalRun) bool { return r.AsOf == asOf })
	if i < 0 {
		t.Fatalf("no national run as of %s after the check: %+v", asOf, runs.Items)
	}
	run := runs.Items[i]
	if run.Operator != "*" {
		t.Errorf("national run %s is recorded for operator %q", run.ID, run.Operator)
	}
	if shown := eval[string](b, `document.querySelector('select[name="run"]').value`); shown != run.ID {
		t.Errorf("the page shows run %s, the national check made %s", shown, run.ID)
	}

	// The national run holds the operators' findings together.
	opFindings := 0
	for _, op := range w.operators {
		var own struct {
			Items []nationalRun `json:"items"`
		}
		w.api(t, regulator, "/operators/"+op+"/runs?limit=1000", &own)
		j := slices.IndexFunc(own.Items, func(r nationalRun) bool { return r.AsOf == asOf })
		if j < 0 {
			t.Fatalf("%s has no run as of %s", op, asOf)
		}
		opFindings += own.Items[j].Findings
		// Each operator's counts in the national summary are its own run's.
		k := slices.IndexFunc(run.Summary.Operators, func(o operatorVerdict) bool { return o.ID == op })
		if k < 0 {
			t.Errorf("the national run's summary has no verdict for %s", op)
			continue
		}
		for _, st := range statuses {
			if got, want := run.Summary.Operators[k].Counts[st], own.Items[j].Summary.Counts[st]; got != want {
				t.Errorf("%s %s: %d in the national run, %d in its own run", op, st, got, want)
			}
		}
	}
	if run.Findings == 0 || run.Findings != opFindings {
		t.Errorf("the national run has %d findings, the operators' runs %d together", run.Findings, opFindings)
	}

	// The rows are the national run's first page of findings, in order.
	var page struct {
		Items []struct {
			ID   string `json:"id"`
			Site string `json:"site"`
		} `json:"items"`
	}
	w.api(t, regulator, "/national/runs/"+run.ID+"/findings?limit=100", &page)
	var want, sites []string
	for _, f := range page.Items {
		want = append(want, f.ID)
		sites = append(sites, f.Site)
	}
	ui := eval[[]string](b, `[...document.querySelectorAll("tr[data-finding]")].map(r => r.dataset.finding)`)
	if len(want) == 0 || !slices.Equal(ui, want) {
		t.Errorf("the UI lists %d findings %v…, the national run's first page %d %v…", len(ui), first(ui), len(want), first(want))
	}
	uiSites := eval[[]string](b, `[...document.querySelectorAll("tr[data-finding] td:nth-child(3)")].map(c => c.textContent)`)
	if !slices.Equal(uiSites, sites) {
		t.Errorf("sites in the UI %v…, in the national run %v…", first(uiSites), first(sites))
	}
	count := b.text("#findings-count")
	if wantCount := fmt.Sprintf("%d findings on this page", len(want)); !strings.HasPrefix(count, wantCount) ||
		!strings.Contains(count, fmt.Sprintf("national run as of %s, %d findings in all", asOf, run.Findings)) {
		t.Errorf("findings count %q; the national run has %d findings, %d on its first page", count, run.Findings, len(want))
	}
	if errs := eval[[]string](b, `[...document.querySelectorAll(".error")].map(e => e.textContent)`); len(errs) > 0 {
		t.Errorf("national findings show errors: %q", errs)
	}
	if c := b.consoleErrors(); len(c) > 0 {
		t.Errorf("console: %q", c)
	}
	eval[chromedp.Void](b, axeSource(t))
	if v := b.axe(); len(v) > 0 {
		t.Errorf("national findings: axe-core found %d accessibility problems:\n  %s", len(v), strings.Join(v, "\n  "))
	}
	if missed := b.keyboardWalk(); len(missed) > 0 {
		t.Errorf("national findings: Tab never reaches %q", missed)
	}
	b.screenshot(artefacts(t), "regulator-national-findings")

	// The overview leads with the latest national run's summary.
	b.open(w, "overview")
	for _, st := range statuses {
		if got := b.text(`article[data-operator="*"] dd[data-status="` + st + `"]`); got != fmt.Sprint(run.Summary.Counts[st]) {
			t.Errorf("national %s: the overview shows %s, the run counts %d", st, got, run.Summary.Counts[st])
		}
	}
	verdict := b.text(`article[data-operator="*"] .verdict`)
	if want := map[bool]string{true: "compliant", false: "not compliant"}[run.Summary.Compliant]; verdict != want {
		t.Errorf("national verdict %q, want %q", verdict, want)
	}
	if rows := eval[int](b, `document.querySelectorAll("table.national-operators tbody tr").length`); rows != len(w.operators) {
		t.Errorf("the national summary lists %d operators, the world has %d", rows, len(w.operators))
	}
	if v := b.axe(); len(v) > 0 {
		t.Errorf("national overview: axe-core found %d accessibility problems:\n  %s", len(v), strings.Join(v, "\n  "))
	}

	// The pages of one operator's records say so, and ask for nothing.
	before := len(b.requested())
	for _, p := range []string{"exposure", "plan", "history"} {
		b.open(w, p)
		if note := b.text(".needs-operator"); !strings.Contains(note, "choose an operator") {
			t.Errorf("%s with the national view chosen says %q", p, note)
		}
	}
	for _, u := range b.requested()[before:] {
		if p, err := url.Parse(u); err == nil && strings.HasPrefix(p.Path, "/api/v1/") && p.Path != "/api/v1/me" && p.Path != "/api/v1/operators" {
			t.Errorf("a page that needs one operator asked for %s", p.Path)
		}
	}
	if c := b.consoleErrors(); len(c) > 0 {
		t.Errorf("console: %q", c)
	}
}

// TestNationalNotOffered: an operator's selector has no national entry
// (an operator has no selector at all), and its pages ask nothing of the
// national routes, which would answer it 403.
func TestNationalNotOffered(t *testing.T) {
	w := sharedWorld(t)
	b := newBrowser(t)
	b.signIn(w, opPrincipal(w.operators[0]))
	for _, page := range []string{"overview", "findings", "map"} {
		b.open(w, page)
		if n := eval[int](b, `document.querySelectorAll('#op-select, option[value="*"]').length`); n != 0 {
			t.Errorf("%s as operator %s offers %d operator choices", page, w.operators[0], n)
		}
		if who := b.text("#who"); strings.Contains(who, "national") {
			t.Errorf("%s as operator %s: the header mentions the national view: %q", page, w.operators[0], who)
		}
	}
	apiCalls := 0
	for _, u := range b.requested() {
		p, err := url.Parse(u)
		if err != nil || !strings.HasPrefix(p.Path, "/api/v1/") {
			continue
		}
		apiCalls++
		if strings.HasPrefix(p.Path, "/api/v1/national") {
			t.Errorf("operator %s's UI asked for %s", w.operators[0], p.Path)
		}
	}
	if apiCalls == 0 {
		t.Fatal("no API requests were seen: the request log is not working")
	}
	if c := b.consoleErrors(); len(c) > 0 {
		t.Errorf("console: %q", c)
	}
}
