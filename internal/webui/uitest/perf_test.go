package uitest

import (
	"fmt"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/corefence/corefence/internal/htmlreport/browsertest"
)

// TestPerformanceNational times the UI on a national view in headless
// Chromium with the page's performance API: the overview interactive
// (ready) and the map's first full frame, each after a full navigation,
// and the map's frame on each pan or zoom step. It generates, stores and
// checks a network of $COREFENCE_UI_BENCH sites (100000 for the national
// figures in docs/benchmarks.md), which takes minutes, so it runs only
// when that is set:
//
//	COREFENCE_UI_BENCH=100000 go test -run TestPerformanceNational -v -timeout 60m ./internal/webui/uitest
func TestPerformanceNational(t *testing.T) {
	sites, _ := strconv.Atoi(os.Getenv("COREFENCE_UI_BENCH"))
	if sites == 0 {
		t.Skip("set COREFENCE_UI_BENCH=100000 to time the UI on a national network (minutes)")
	}
	browsertest.Require(t)
	start := time.Now()
	w, err := startWorld(t.TempDir(), sites, false)
	if err != nil {
		t.Fatal(err)
	}
	var sm struct {
		ID []string `json:"id"`
	}
	w.api(t, regulator, "/national/sites", &sm)
	t.Logf("world of %d generated sites: %d sites on the national map, ready in %s", sites, len(sm.ID), time.Since(start).Round(time.Second))

	b := newBrowser(t)
	b.signIn(w, regulator)
	const rounds = 5
	var overview, mapData, mapFrame, frames []float64
	for r := 0; r < rounds; r++ {
		// A full navigation each time: the token stays in the tab's
		// session storage, the assets in its cache, as for a user.
		overview = append(overview, b.navigateTimed(w, "overview", "corefence:ready:overview"))
		mapFrame = append(mapFrame, b.navigateTimed(w, "map", "corefence:map:first-frame"))
		mapData = append(mapData, eval[float64](b, `performance.getEntriesByName("corefence:map:data")[0].startTime`))
		frames = append(frames, eval[[]float64](b, `(() => {
			const m = document.querySelector(".map-box").sitemap, out = [];
			for (let k = 0; k < 10; k++) { m.panBy(40, 25); out.push(m.render()); }
			for (let k = 0; k < 4; k++) { m.zoomBy(2); out.push(m.render()); }
			for (let k = 0; k < 4; k++) { m.zoomBy(0.5); out.push(m.render()); }
			for (let k = 0; k < 10; k++) { m.panBy(-40, -25); out.push(m.render()); }
			return out;
		})()`)...)
	}
	shown := eval[string](b, `document.querySelector(".sitemap").dataset.shown`)
	if shown != strconv.Itoa(len(sm.ID)) {
		t.Errorf("the map shows %s sites, the national view has %d", shown, len(sm.ID))
	}
	report := func(name string, v []float64, target float64) {
		slices.Sort(v)
		med, worst := v[len(v)/2], v[len(v)-1]
		p95 := v[min(len(v)-1, len(v)*95/100)]
		verdict := "met"
		if med > target {
			verdict = "NOT met"
		}
		t.Logf("%-34s median %7.1f ms  p95 %7.1f ms  max %7.1f ms  (n=%d; target %.0f ms: %s)", name, med, p95, worst, len(v), target, verdict)
	}
	report("overview interactive", overview, 1500)
	report("map: site columns fetched and parsed", mapData, 2000)
	report("map first full frame", mapFrame, 2000)
	report("map frame per pan/zoom step", frames, 50)
}

// navigateTimed loads the page afresh at route and returns the time of the
// performance mark, in ms since the navigation started.
func (b *browser) navigateTimed(w *world, route, mark string) float64 {
	b.t.Helper()
	// Leaving for a blank page first makes the next load a new document
	// (a change of hash alone is not), with its own navigation clock.
	b.do(chromedp.Navigate("about:blank"), chromedp.Navigate(w.url+"/#/"+route),
		chromedp.WaitVisible(chromedp.CSS(`main[data-ready="`+route+`"]`)))
	ms := eval[float64](b, fmt.Sprintf(`performance.getEntriesByName(%q)[0].startTime`, mark))
	return ms
}
