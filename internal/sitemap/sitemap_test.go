package sitemap

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/corefence/corefence/internal/htmlreport/browsertest"
)

// driver builds a map of a grid of sites and exercises it as a reader
// would, writing what it saw into attributes of <body>: the legend's count
// of shown sites after a filter, the site a click and an Enter picked, and
// the drawing mode at full extent.
const driver = `
const n = 3000, lon = new Float32Array(n), lat = new Float32Array(n);
const vendor = new Uint8Array(n), op = new Uint8Array(n);
for (let i = 0; i < n; i++) {
  lon[i] = -3 + (i % 60) * 0.05; lat[i] = 51 + Math.floor(i / 60) * 0.04;
  vendor[i] = i % 3; op[i] = i % 2;
}
const body = document.body, picked = [];
function set(k, v) { body.setAttribute("data-" + k, String(v)); }
const legend = document.getElementById("legend");
const map = createSiteMap(document.getElementById("map"), {
  sites: { lon, lat, columns: { vendor, op } },
  keys: { vendor: { title: "Vendor", labels: ["Huawei", "Ericsson", "Nokia"] }, op: { title: "Operator", labels: ["A", "B"] } },
  colorBy: "vendor", legend, pointLimit: 1000,
  outline: [{ role: "subject", polygons: [[[[-4, 50], [0, 50], [0, 54], [-4, 54], [-4, 50]]]] }],
  areas: [{ lon: -2, lat: 52, radiusM: 5000, label: "1" }, { lon: 10, lat: 52, radiusM: 2000, label: "2", name: "Far area" }],
  label: (i) => "site " + i, onSelect: (i) => picked.push(i),
});
set("mode-all", map.stats().mode);
const count = () => legend.querySelector(".sitemap-legend-total .sitemap-legend-count").textContent;
set("legend-all", count());
map.setFilter((i) => op[i] === 0 && vendor[i] !== 2);
set("legend-filtered", count());
set("legend-rows", Array.from(legend.querySelectorAll("li[data-code] .sitemap-legend-count")).map((e) => e.textContent).join(","));
map.setColorBy("op");
set("legend-op", Array.from(legend.querySelectorAll("li[data-code] .sitemap-legend-count")).map((e) => e.textContent).join(","));
// A click on site 1234 (op 0, vendor 1: shown) at street scale.
map.zoomTo(lon[1234], lat[1234], 20000);
map.render();
set("mode-zoomed", map.stats().mode);
const [x, y] = map.project(1234), r = map.canvas.getBoundingClientRect();
const ev = (type) => new PointerEvent(type, { clientX: r.left + x + 2, clientY: r.top + y - 1, button: 0, pointerId: 1, bubbles: true });
map.canvas.dispatchEvent(ev("pointerdown"));
map.canvas.dispatchEvent(ev("pointerup"));
set("clicked", picked.join(","));
// Enter picks the site under the centre cross: 1240 (op 0, vendor 1).
map.zoomTo(lon[1240], lat[1240], 20000);
map.render();
map.canvas.focus();
map.canvas.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true }));
set("entered", map.selected());
// Arrows pan and minus zooms out without losing the sites.
map.canvas.dispatchEvent(new KeyboardEvent("keydown", { key: "ArrowLeft", bubbles: true }));
map.canvas.dispatchEvent(new KeyboardEvent("keydown", { key: "-", bubbles: true }));
map.fitAll(); map.render();
set("in-view", map.stats().inView);
set("status", document.querySelector(".sitemap-status").textContent);
// Areas: the one among the sites is drawn at full extent, the far one is
// not; framing the far one draws it alone, filling 40% of the height
// (520 px) at its radius; hovering its centre names it; hidden, none.
set("areas-all", map.stats().areas);
map.fitArea(1); map.render();
set("areas-far", map.stats().areas);
set("far-radius", Math.round(map.stats().scale * 2000 / (40075016.686 * Math.cos(52 * Math.PI / 180))));
const c = map.canvas.getBoundingClientRect();
map.canvas.dispatchEvent(new PointerEvent("pointermove", { clientX: c.left + c.width / 2 + 3, clientY: c.top + c.height / 2 - 2, pointerId: 1, bubbles: true }));
set("hover", map.canvas.title);
map.setAreas(false); map.render();
set("areas-hidden", map.stats().areas + "/" + (map.canvas.title || "no title"));
map.setAreas(new Uint8Array([1, 0])); map.fitAll(); map.render();
set("areas-masked", map.stats().areas + "/" + document.querySelector(".sitemap").dataset.areas);
set("done", 1);
`

func page(script string) string {
	return "<!DOCTYPE html><html lang=en><head><meta charset=utf-8><title>sitemap</title><style>" + CSS +
		"</style></head><body><div id=map style='width:800px'></div><div id=legend></div><script type=module>\n" +
		JS + "\n" + script + "\n</script></body></html>"
}

var attrRE = regexp.MustCompile(`\sdata-([a-z-]+)="([^"]*)"`)

func bodyAttrs(t *testing.T, dom string) map[string]string {
	t.Helper()
	i := strings.Index(dom, "<body")
	if i < 0 {
		t.Fatalf("no body in %.500s", dom)
	}
	tag := dom[i : i+strings.Index(dom[i:], ">")]
	out := map[string]string{}
	for _, m := range attrRE.FindAllStringSubmatch(tag, -1) {
		out[m[1]] = m[2]
	}
	return out
}

// TestInBrowser runs the engine in headless Chromium: no console output,
// legend counts that follow the filter, clusters at full extent and points
// when zoomed, and a click and an Enter that pick the right sites.
func TestInBrowser(t *testing.T) {
	browsertest.Require(t)
	file := filepath.Join(t.TempDir(), "map.html")
	if err := os.WriteFile(file, []byte(page(driver)), 0o644); err != nil {
		t.Fatal(err)
	}
	dom, console := browsertest.DumpDOM(t, file)
	if len(console) > 0 {
		t.Errorf("console: %q", console)
	}
	got := bodyAttrs(t, dom)
	// Op 0 is the even sites (1500); of those, vendor 2 is every third: 500.
	want := map[string]string{
		"done": "1", "mode-all": "clusters", "mode-zoomed": "points",
		"legend-all": "3,000 of 3,000 sites", "legend-filtered": "1,000 of 3,000 sites",
		"legend-rows": "500,500,0", "legend-op": "1,000,0",
		"clicked": "1234", "entered": "1240", "in-view": "1000", "status": "selected site 1240",
		"areas-all": "1", "areas-far": "1", "far-radius": "208", "hover": "Sensitive area: Far area",
		"areas-hidden": "0/no title", "areas-masked": "1/1",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
	if png := os.Getenv("COREFENCE_SCREENSHOT"); png != "" {
		browsertest.Screenshot(t, file, png, 1000, 800)
	}
}

// TestSelfContained: the engine requests nothing and names no address.
func TestSelfContained(t *testing.T) {
	browsertest.CheckSelfContained(t, page(""))
	if strings.Contains(JS, "http://") || strings.Contains(JS, "https://") {
		t.Error("sitemap.js names an address")
	}
}
