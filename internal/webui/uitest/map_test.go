package uitest

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
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

// TestMapAreas: the map draws the network's sensitive areas and lists
// them beside it, numbered as drawn; the switch hides and shows them from
// the keyboard, a name in the list frames its area, and hovering the area
// names it.
func TestMapAreas(t *testing.T) {
	w := sharedWorld(t)
	if len(w.areas) == 0 {
		t.Fatal("the generated network has no sensitive areas")
	}
	b := newBrowser(t)
	b.signIn(w, regulator)
	b.open(w, "map")

	// Every operator's part holds the same areas: the national map lists
	// each once, in the network's order.
	listed := eval[[]string](b, `[...document.querySelectorAll(".areas-list li")].map(li => li.dataset.area + "|" + li.querySelector("button").textContent)`)
	var want []string
	for _, a := range w.areas {
		want = append(want, a.ID+"|"+a.Name)
	}
	if !slices.Equal(listed, want) {
		t.Errorf("areas listed %q, want %q", listed, want)
	}
	// Each area lies by a site, so framing every site frames every area.
	drawn := func() int {
		// Two frames: the map draws on the next animation frame.
		eval[chromedp.Void](b, `new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r())))`, chromedp.EvalAwaitPromise)
		n, err := strconv.Atoi(eval[string](b, `document.querySelector(".sitemap").dataset.areas`))
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := drawn(); n != len(w.areas) {
		t.Errorf("the map draws %d areas at full extent; the network has %d", n, len(w.areas))
	}
	toggle := `document.querySelector('.areas input[type="checkbox"]')`
	if name := eval[string](b, toggle+`.labels[0].textContent.trim()`); name != "Show the "+strconv.Itoa(len(w.areas))+" sensitive areas, to scale" {
		t.Errorf("the switch is labelled %q", name)
	}
	eval[chromedp.Void](b, toggle+`.focus()`)
	b.do(chromedp.KeyEvent(" "))
	if n := drawn(); n != 0 {
		t.Errorf("switched off, the map still draws %d areas", n)
	}
	b.do(chromedp.KeyEvent(" "))
	if n := drawn(); n != len(w.areas) {
		t.Errorf("switched on again, the map draws %d areas, want %d", n, len(w.areas))
	}

	// Enter on the first area's name frames it: its circle, at the
	// canvas's centre, fills 40% of the map's height.
	eval[chromedp.Void](b, `document.querySelector(".areas-list li button").focus()`)
	b.do(chromedp.KeyEvent(kb.Enter))
	if n := drawn(); n < 1 {
		t.Errorf("framed on area 1, the map draws %d areas", n)
	}
	a := w.areas[0]
	radius := eval[float64](b, `document.querySelector(".map-box").sitemap.stats().scale`) * a.RadiusKm * 1000 / (40075016.686 * math.Cos(a.Lat*math.Pi/180))
	height := eval[float64](b, `document.querySelector(".sitemap-canvas").getBoundingClientRect().height`)
	if math.Abs(radius-0.4*height) > 2 {
		t.Errorf("framed on area 1 (%.1f km), its radius is %.0f px on a map %.0f px high", a.RadiusKm, radius, height)
	}
	rect := eval[[]float64](b, `(r => [r.left + r.width / 2, r.top + r.height / 2])(document.querySelector(".sitemap-canvas").getBoundingClientRect())`)
	b.do(chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, rect[0]+5, rect[1]+5))
	if title := eval[string](b, `document.querySelector(".sitemap-canvas").title`); !strings.Contains(title, "1. "+a.Name+" ("+a.Category+")") {
		t.Errorf("hovering area 1, the map's tooltip says %q", title)
	}
	b.screenshot(artefacts(t), "regulator-map-area")
	if c := b.consoleErrors(); len(c) > 0 {
		t.Errorf("console: %q", c)
	}
}
