package uitest

import (
	"math"
	"slices"
	"strconv"
	"testing"

	"github.com/chromedp/chromedp"
)

// siteMap is the part of the server's map columns the tests read.
type siteMap struct {
	Operators  []string `json:"operators"`
	Groups     []string `json:"groups"`
	Designated []bool   `json:"groups_designated"`
	GroupSets  [][]int  `json:"group_sets"`
	Statuses   []string `json:"statuses"`
	ID         []string `json:"id"`
	Lon        []float64
	Lat        []float64
	Operator   []int `json:"operator"`
	GroupSet   []int `json:"group_set"`
	Worst      []int `json:"worst"`
}

// TestMapFilterAndDrillDown filters the national map in the UI and checks
// the sites shown against the API's columns, then clicks a site and checks
// that its own drill-down opens.
func TestMapFilterAndDrillDown(t *testing.T) {
	w := sharedWorld(t)
	var sm siteMap
	w.api(t, regulator, "/national/sites", &sm)
	opIdx := slices.Index(sm.Operators, "ee")
	group := slices.IndexFunc(sm.Designated, func(d bool) bool { return d })
	if opIdx < 0 || group < 0 {
		t.Fatalf("the network lacks operator ee or a designated group: %v %v", sm.Operators, sm.Groups)
	}
	want := 0
	for i := range sm.ID {
		if sm.Operator[i] == opIdx && slices.Contains(sm.GroupSets[sm.GroupSet[i]], group) {
			want++
		}
	}

	b := newBrowser(t)
	b.signIn(w, regulator)
	b.open(w, "map")
	if got := b.text(".sitemap-legend-total .sitemap-legend-count"); got != strconv.Itoa(len(sm.ID))+" of "+strconv.Itoa(len(sm.ID))+" sites" {
		t.Errorf("unfiltered legend total %q, want all %d sites", got, len(sm.ID))
	}
	b.do(
		chromedp.SetValue(chromedp.CSS(`form.filters select[name="operator"]`), strconv.Itoa(opIdx)),
		chromedp.SetValue(chromedp.CSS(`form.filters select[name="group"]`), strconv.Itoa(group)),
		chromedp.Click(chromedp.CSS(`form.filters button[type="submit"]`)),
	)
	shown := eval[string](b, `document.querySelector(".sitemap").dataset.shown`)
	if shown != strconv.Itoa(want) {
		t.Errorf("operator ee with %s: the map shows %s sites, the API's columns have %d", sm.Groups[group], shown, want)
	}
	if got := b.text(".sitemap-legend-total .sitemap-legend-count"); got != strconv.Itoa(want)+" of "+strconv.Itoa(len(sm.ID))+" sites" {
		t.Errorf("filtered legend total %q, want %d", got, want)
	}
	if c := b.consoleErrors(); len(c) > 0 {
		t.Errorf("console: %q", c)
	}

	// A site with findings and no other site near it, so a click at it can
	// only mean it.
	site := -1
	for i := range sm.ID {
		if sm.Worst[i] < 0 {
			continue
		}
		alone := true
		for j := range sm.ID {
			if j != i && math.Hypot(sm.Lon[j]-sm.Lon[i], sm.Lat[j]-sm.Lat[i]) < 0.01 {
				alone = false
				break
			}
		}
		if alone {
			site = i
			break
		}
	}
	if site < 0 {
		t.Fatal("no isolated site with findings to click")
	}
	b.open(w, "map?focus="+sm.ID[site])
	rect := eval[[]float64](b, `(r => [r.left + r.width / 2, r.top + r.height / 2])(document.querySelector(".sitemap-canvas").getBoundingClientRect())`)
	b.do(chromedp.MouseClickXY(rect[0], rect[1]),
		chromedp.WaitVisible(chromedp.CSS(`article.site[data-site="`+sm.ID[site]+`"]`)))
	elements := eval[int](b, `document.querySelectorAll("article.site table.elements tbody tr").length`)
	findings := eval[int](b, `document.querySelectorAll("article.site .site-findings > li").length`)
	if elements == 0 || findings == 0 {
		t.Errorf("drill-down of %s: %d elements, %d findings; want some of each", sm.ID[site], elements, findings)
	}
	b.screenshot(artefacts(t), "regulator-map-drilldown")
	if c := b.consoleErrors(); len(c) > 0 {
		t.Errorf("console: %q", c)
	}
}
