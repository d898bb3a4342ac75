package uitest

import (
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// rolePages are the pages each role's menu offers: the server's access
// rules (docs/server.md) decide what a role may read.
var rolePages = []struct {
	principal string
	pages     []string
}{
	{regulator, []string{"overview", "map", "findings", "exposure", "plan", "history", "evidence", "audit"}},
	{opPrincipal("ee"), []string{"overview", "map", "findings", "exposure", "plan", "history", "evidence"}},
	{partner, []string{"evidence"}},
	{admin, []string{"audit"}},
}

// TestEveryPageEveryRole signs in as each role, opens every page its menu
// offers, and checks that each renders without an error or a console
// message, passes axe-core's WCAG 2.1 A/AA rules, and can be walked with
// the keyboard; it saves a screenshot of each.
func TestEveryPageEveryRole(t *testing.T) {
	w := sharedWorld(t)
	axeJS := axeSource(t)
	dir := artefacts(t)
	for _, rp := range rolePages {
		t.Run(rp.principal, func(t *testing.T) {
			b := newBrowser(t)
			b.signIn(w, rp.principal)
			nav := eval[[]string](b, `[...document.querySelectorAll("#nav a")].map(a => a.getAttribute("href").slice(2))`)
			if !slices.Equal(nav, rp.pages) {
				t.Fatalf("menu of %s: %v, want %v", rp.principal, nav, rp.pages)
			}
			eval[chromedp.Void](b, axeJS)
			for _, page := range rp.pages {
				b.open(w, page)
				errs := eval[[]string](b, `[...document.querySelectorAll(".error")].map(e => e.textContent)`)
				if len(errs) > 0 {
					t.Errorf("%s as %s shows errors: %q", page, rp.principal, errs)
				}
				if c := b.consoleErrors(); len(c) > 0 {
					t.Errorf("%s as %s: console: %q", page, rp.principal, c)
				}
				b.screenshot(dir, rp.principal+"-"+page)
				if v := b.axe(); len(v) > 0 {
					t.Errorf("%s as %s: axe-core found %d accessibility problems:\n  %s", page, rp.principal, len(v), strings.Join(v, "\n  "))
				}
				if missed := b.keyboardWalk(); len(missed) > 0 {
					t.Errorf("%s as %s: Tab never reaches %q", page, rp.principal, missed)
				}
			}
			for _, u := range b.requested() {
				if !strings.HasPrefix(u, w.url+"/") && !strings.HasPrefix(u, "blob:") && !strings.HasPrefix(u, "data:") {
					t.Errorf("the page requested %s, outside the server", u)
				}
			}
		})
	}
	t.Logf("screenshots in %s", dir)
}

// axeSource is axe-core, installed by npm ci in web/ (a devDependency: it
// is never part of the product's bundle).
func axeSource(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "..", "web", "node_modules", "axe-core", "axe.min.js"))
	if err != nil {
		t.Skipf("axe-core is not installed (cd web && npm ci): %v", err)
	}
	return string(b)
}

// axe runs axe-core's WCAG 2.0/2.1 A and AA rules on the document and
// returns each violation with the first elements it concerns.
func (b *browser) axe() []string {
	b.t.Helper()
	return eval[[]string](b, `axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}})
		.then(r => r.violations.map(v => v.id + " (" + v.impact + "): " + v.help + " — " +
			v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(", ")))`, chromedp.EvalAwaitPromise)
}

// keyboardWalk presses Tab until focus has gone round the page and returns
// the visible controls it never reached.
func (b *browser) keyboardWalk() []string {
	b.t.Helper()
	n := eval[int](b, `(() => {
		const els = [...document.querySelectorAll('a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea, summary, [tabindex]:not([tabindex="-1"])')]
			.filter(e => e.checkVisibility({visibilityProperty: true})); // not hidden, nor inside a closed <details>
		els.forEach((e, i) => e.dataset.kbd = i);
		document.activeElement && document.activeElement.blur();
		return els.length;
	})()`)
	const most = 400 // a page offering more stops than this is tested by its first ones
	seen := map[string]bool{}
	for i := 0; i < min(n, most)+3; i++ {
		b.do(chromedp.KeyEvent(kb.Tab))
		k := eval[string](b, `document.activeElement && document.activeElement.dataset.kbd || ""`)
		seen[k] = true
	}
	var missed []string
	for i := 0; i < min(n, most); i++ {
		if !seen[fmt.Sprint(i)] {
			d := eval[string](b, fmt.Sprintf(`(e => e.tagName.toLowerCase() + " " + (e.textContent || e.name || "").trim().slice(0, 40))(document.querySelector('[data-kbd="%d"]'))`, i))
			missed = append(missed, d)
		}
	}
	return missed
}

// TestOperatorSeesOnlyItsOwn walks every page as one operator and checks
// that no other operator appears, in the DOM or in a request the page made.
func TestOperatorSeesOnlyItsOwn(t *testing.T) {
	w := sharedWorld(t)
	for _, me := range []string{"ee", "three"} {
		t.Run(me, func(t *testing.T) {
			b := newBrowser(t)
			b.signIn(w, opPrincipal(me))
			for _, page := range rolePages[1].pages {
				b.open(w, page)
				html := eval[string](b, `document.documentElement.outerHTML`)
				for _, other := range w.operators {
					// Site and element ids start with their operator's id ("o2-S000123").
					mention := regexp.MustCompile(`(^|[^A-Za-z0-9_.-])` + regexp.QuoteMeta(other) + `-S\d|/operators/` + regexp.QuoteMeta(other) + `\b`)
					if other != me && mention.MatchString(html) {
						t.Errorf("%s's %s page shows operator %s", me, page, other)
					}
				}
			}
			apiCalls := 0
			for _, u := range b.requested() {
				p, err := url.Parse(u)
				if err != nil || !strings.HasPrefix(p.Path, "/api/v1/") {
					continue
				}
				apiCalls++
				if p.Path == "/api/v1/national" || p.Path == "/api/v1/audit" {
					t.Errorf("%s's UI asked for %s", me, p.Path)
				}
				for _, other := range w.operators {
					if other != me && strings.Contains(p.Path, "/operators/"+other) {
						t.Errorf("%s's UI requested %s", me, u)
					}
				}
			}
			if apiCalls == 0 {
				t.Fatal("no API requests were seen: the request log is not working")
			}
		})
	}
}

// TestOverviewMatchesRuns checks the overview's verdicts and counts against
// the runs the API returns.
func TestOverviewMatchesRuns(t *testing.T) {
	w := sharedWorld(t)
	b := newBrowser(t)
	b.signIn(w, regulator)
	b.open(w, "overview?as_of=2024-01-01")
	for _, op := range w.operators {
		var hist struct {
			Items []struct {
				Runs []struct {
					Summary struct {
						Compliant bool           `json:"compliant"`
						Counts    map[string]int `json:"counts"`
					} `json:"summary"`
				} `json:"runs"`
			} `json:"items"`
		}
		w.api(t, regulator, "/operators/"+op+"/history", &hist)
		sum := hist.Items[0].Runs[0].Summary
		for status, n := range sum.Counts {
			got := b.text(fmt.Sprintf(`article[data-operator=%q] dd[data-status=%q]`, op, status))
			if got != fmt.Sprint(n) {
				t.Errorf("%s %s: overview shows %s, the run counts %d", op, status, got, n)
			}
		}
		verdict := b.text(fmt.Sprintf(`article[data-operator=%q] .verdict`, op))
		if want := map[bool]string{true: "compliant", false: "not compliant"}[sum.Compliant]; verdict != want {
			t.Errorf("%s: verdict %q, want %q", op, verdict, want)
		}
	}
}

// TestFindingsFilter filters the findings in the UI, as a user does, and
// compares the rows with what the API returns for the same filter.
func TestFindingsFilter(t *testing.T) {
	w := sharedWorld(t)
	b := newBrowser(t)
	b.signIn(w, regulator)
	op := w.operators[0]
	b.do(chromedp.SetValue(chromedp.CSS(`#op-select`), op))
	eval[chromedp.Void](b, `document.getElementById("op-select").dispatchEvent(new Event("change"))`)
	b.open(w, "findings")
	eval[chromedp.Void](b, `delete document.getElementById("main").dataset.ready`)
	b.do(
		chromedp.SetValue(chromedp.CSS(`select[name="status"]`), "violation"),
		chromedp.Click(chromedp.CSS(`form.filters button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`main[data-ready="findings"]`)),
	)
	ui := eval[[]string](b, `[...document.querySelectorAll("tr[data-finding]")].map(r => r.dataset.finding)`)
	var runs struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
	}
	w.api(t, regulator, "/operators/"+op+"/runs", &runs)
	var api struct {
		Items []json.RawMessage `json:"items"`
	}
	w.api(t, regulator, "/operators/"+op+"/runs/"+runs.Items[len(runs.Items)-1].ID+"/findings?status=violation&limit=100", &api)
	var want []string
	for _, raw := range api.Items {
		var f struct {
			ID     string `json:"id"`
			Status string `json:"status"`
		}
		json.Unmarshal(raw, &f)
		want = append(want, f.ID)
	}
	if len(want) == 0 {
		t.Fatal("the run has no violations to filter for")
	}
	if !slices.Equal(ui, want) {
		t.Errorf("the UI lists %d findings %v…, the API %d %v…", len(ui), first(ui), len(want), first(want))
	}
}

func first(s []string) []string { return s[:min(len(s), 3)] }

// TestFindingsGrouped groups a run's findings by rule in the UI, most
// first, and compares the rows with the API's groups.
func TestFindingsGrouped(t *testing.T) {
	w := sharedWorld(t)
	op := w.operators[0]
	b := newBrowser(t)
	b.signIn(w, opPrincipal(op))
	b.open(w, "findings?group_by=rule&sort=count&order=desc")
	ui := eval[[][]string](b, `[...document.querySelectorAll("table.groups tbody tr")].map(r => [r.cells[0].textContent, r.cells[1].textContent])`)
	var runs struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
	}
	w.api(t, opPrincipal(op), "/operators/"+op+"/runs", &runs)
	var api struct {
		Items []struct {
			Key      string `json:"key"`
			Findings int    `json:"findings"`
		} `json:"items"`
	}
	w.api(t, opPrincipal(op), "/operators/"+op+"/runs/"+runs.Items[len(runs.Items)-1].ID+"/findings?group_by=rule&sort=count&order=desc&limit=100", &api)
	var want [][]string
	for _, g := range api.Items {
		want = append(want, []string{g.Key, fmt.Sprint(g.Findings)})
	}
	if len(want) == 0 || !slices.EqualFunc(ui, want, slices.Equal) {
		t.Logf("page: %.600s", eval[string](b, `document.getElementById("main").innerText`))
		t.Errorf("groups in the UI %v, the API's %v", ui, want)
	}
	if c := b.consoleErrors(); len(c) > 0 {
		t.Errorf("console: %q", c)
	}
}

// TestPartnerReadsSignedSummary opens a signed run's summary as a partner
// and checks its verdicts against the run the regulator reads.
func TestPartnerReadsSignedSummary(t *testing.T) {
	w := sharedWorld(t)
	b := newBrowser(t)
	b.signIn(w, partner)
	b.open(w, "evidence")
	op := eval[string](b, `document.querySelector("table.attestations tbody tr td").textContent`)
	b.do(chromedp.Click(chromedp.CSS(`table.attestations tbody tr button:nth-of-type(2)`)),
		chromedp.WaitVisible(chromedp.CSS(`section.summary`)))
	row := eval[[]string](b, `[...document.querySelector("section.summary table tbody tr").cells].map(c => c.textContent)`)
	var hist struct {
		Items []struct {
			Runs []struct {
				Summary struct {
					Compliant bool           `json:"compliant"`
					Counts    map[string]int `json:"counts"`
				} `json:"summary"`
			} `json:"runs"`
		} `json:"items"`
	}
	w.api(t, regulator, "/operators/"+op+"/history", &hist)
	sum := hist.Items[0].Runs[0].Summary
	want := []string{op, map[bool]string{true: "compliant", false: "not compliant"}[sum.Compliant], fmt.Sprint(sum.Counts["violation"]), fmt.Sprint(sum.Counts["upcoming"])}
	if len(row) < 4 || !slices.Equal(row[:4], want) {
		t.Errorf("signed summary row %q, want %q", row, want)
	}
	if c := b.consoleErrors(); len(c) > 0 {
		t.Errorf("console: %q", c)
	}
}
