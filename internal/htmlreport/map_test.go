package htmlreport

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/corefence/corefence/internal/htmlreport/browsertest"
	"github.com/corefence/corefence/internal/inventory"
	"github.com/corefence/corefence/internal/policy"
)

func decode(t *testing.T, c codes) []uint32 {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(c.B)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]uint32, len(b)/c.W)
	for i := range out {
		switch c.W {
		case 1:
			out[i] = uint32(b[i])
		case 2:
			out[i] = uint32(binary.LittleEndian.Uint16(b[2*i:]))
		default:
			out[i] = binary.LittleEndian.Uint32(b[4*i:])
		}
	}
	return out
}

// TestMapDataDrillDown: every site with a finding at any date has a
// drill-down holding each of its elements and each of its findings, with
// the status at every date; no other site has one.
func TestMapDataDrillDown(t *testing.T) {
	inv := generated(t, 400)
	r, _ := render(t, inv, "2020-01-28", "2023-12-31", "2028-01-01")
	v, err := build(r)
	if err != nil {
		t.Fatal(err)
	}
	var md mapData
	if err := json.Unmarshal([]byte(v.Map.Data), &md); err != nil {
		t.Fatal(err)
	}
	want := map[uint32]map[string]bool{} // site → "rule|element" of its findings
	for _, st := range r.Steps {
		for _, f := range st.Result.Findings {
			if f.Site == inventory.NoRef {
				continue
			}
			if want[uint32(f.Site)] == nil {
				want[uint32(f.Site)] = map[string]bool{}
			}
			el := ""
			if f.Element != inventory.NoRef {
				el = inv.Elements[f.Element].ID
			}
			want[uint32(f.Site)][f.Rule.ID+"|"+el] = true
		}
	}
	dsite, eoff, foff, frule, felem := decode(t, md.DSite), decode(t, md.EOff), decode(t, md.FOff), decode(t, md.FRule), decode(t, md.FElem)
	fstatus := decode(t, md.FStatus)
	if len(dsite) != len(want) || len(want) == 0 {
		t.Fatalf("%d sites with a drill-down, want %d (every site with a finding)", len(dsite), len(want))
	}
	elems := map[inventory.Ref]int{}
	for i := range inv.Elements {
		elems[inv.Elements[i].SiteRef]++
	}
	for d, s := range dsite {
		site := &inv.Sites[s]
		if want[s] == nil {
			t.Fatalf("site %s has a drill-down but no finding", site.ID)
		}
		if n := int(eoff[d+1] - eoff[d]); n != elems[inventory.Ref(s)] {
			t.Errorf("site %s: %d elements in its drill-down, want %d", site.ID, n, elems[inventory.Ref(s)])
		}
		got := map[string]bool{}
		for f := foff[d]; f < foff[d+1]; f++ {
			el := ""
			if felem[f] > 0 {
				el = md.EID[eoff[d]+felem[f]-1]
				el = strings.Replace(el, "~", site.ID, 1)
			}
			got[md.Rules[frule[f]].ID+"|"+el] = true
			none := 0
			for s := range r.Steps {
				if fstatus[int(f)*len(r.Steps)+s] == noFinding {
					none++
				}
			}
			if none == len(r.Steps) {
				t.Errorf("site %s: finding %s has no status at any date", site.ID, md.Rules[frule[f]].ID)
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(want[s]) {
			t.Errorf("site %s: findings %v, want %v", site.ID, got, want[s])
		}
	}
}

var bodyAttrRE = regexp.MustCompile(`\sdata-([a-z-]+)="([^"]*)"`)

// TestMapInBrowser drives the report's map in headless Chromium as a
// reader would: the legend counts what the filters show, a click on a site
// and Enter on the centre cross each open that site's drill-down, and a
// screenshot of the map is kept as an artefact.
func TestMapInBrowser(t *testing.T) {
	browsertest.Require(t)
	inv := generated(t, 2000)
	r, out := render(t, inv, "2020-01-28", "2023-12-31", "2028-01-01")
	res := r.Steps[r.Focus].Result
	// Expected: operator 0's sites; those of them with a violation at the
	// focus date; a violating site to click, and another to pick by key.
	opSites := 0
	for i := range inv.Sites {
		if inv.Sites[i].OperatorRef == 0 {
			opSites++
		}
	}
	violating := map[inventory.Ref]bool{}
	var pick []inventory.Ref
	for _, f := range res.Findings {
		if f.Status == policy.StatusViolation && f.Site != inventory.NoRef && inv.Sites[f.Site].OperatorRef == 0 && !violating[f.Site] {
			violating[f.Site] = true
			pick = append(pick, f.Site)
		}
	}
	if len(pick) < 2 {
		t.Fatal("the generated network has too few violating sites to pick from")
	}
	a, b := pick[0], pick[len(pick)/2]
	elems := 0
	for i := range inv.Elements {
		if inv.Elements[i].SiteRef == a {
			elems++
		}
	}
	driver := `<script type="module">
const map = window.corefenceSiteMap, body = document.body;
const set = (k, v) => body.setAttribute("data-t-" + k, String(v));
const total = () => document.querySelector("#map-legend .sitemap-legend-total .sitemap-legend-count").textContent;
const change = (id, v) => { const s = document.getElementById(id); s.value = v; s.dispatchEvent(new Event("change")); };
set("all", total());
change("f-op", "0"); set("op", total());
change("f-status", "0"); set("op-violation", total());
change("f-color", "status"); set("status-legend", document.querySelector("#map-legend li[data-code='0'] .sitemap-legend-count").textContent);
const A = ` + strconv.Itoa(int(a)) + `, B = ` + strconv.Itoa(int(b)) + `;
const D = window.corefenceMap;
function ll(i) { const s = atob(D.lon), t = atob(D.lat); const f = (str) => { const u = new Uint8Array(4); for (let k = 0; k < 4; k++) u[k] = str.charCodeAt(4 * i + k); return new Float32Array(u.buffer)[0]; }; return [f(s), f(t)]; }
let [x0, y0] = ll(A);
map.zoomTo(x0, y0, 20000); map.render();
const [x, y] = map.project(A), r = map.canvas.getBoundingClientRect();
const ev = (type) => new PointerEvent(type, { clientX: r.left + x, clientY: r.top + y, button: 0, pointerId: 1, bubbles: true });
map.canvas.dispatchEvent(ev("pointerdown")); map.canvas.dispatchEvent(ev("pointerup"));
const box = document.getElementById("site-detail");
set("click-title", box.querySelector("h3").textContent);
set("click-elements", box.querySelectorAll("table")[0].querySelectorAll("tbody tr").length);
set("click-findings", box.querySelectorAll("table")[1].querySelectorAll("tbody tr").length);
set("click-violation", box.querySelectorAll("td.st-0").length > 0);
set("click-citation", box.querySelectorAll(".detail-rule blockquote").length > 0);
[x0, y0] = ll(B);
map.zoomTo(x0, y0, 20000); map.render();
map.canvas.focus();
map.canvas.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true }));
set("enter-title", box.querySelector("h3").textContent);
change("f-op", ""); change("f-status", ""); map.select(A); map.fitAll(); map.render();
set("done", 1);
</script>
`
	page := strings.Replace(string(out), "</body>", driver+"</body>", 1)
	file := filepath.Join(t.TempDir(), "report.html")
	if err := os.WriteFile(file, []byte(page), 0o644); err != nil {
		t.Fatal(err)
	}
	dom, console := browsertest.DumpDOM(t, file)
	if len(console) > 0 {
		t.Errorf("console: %q", console)
	}
	i := strings.Index(dom, "<body")
	got := map[string]string{}
	for _, m := range bodyAttrRE.FindAllStringSubmatch(dom[i:i+strings.Index(dom[i:], ">")], -1) {
		got[m[1]] = m[2]
	}
	n := len(inv.Sites)
	want := map[string]string{
		"t-done":            "1",
		"t-all":             thousands(int64(n)) + " of " + thousands(int64(n)) + " sites",
		"t-op":              thousands(int64(opSites)) + " of " + thousands(int64(n)) + " sites",
		"t-op-violation":    thousands(int64(len(violating))) + " of " + thousands(int64(n)) + " sites",
		"t-status-legend":   thousands(int64(len(violating))),
		"t-click-title":     "Site " + inv.Sites[a].ID,
		"t-click-elements":  strconv.Itoa(elems),
		"t-click-violation": "true",
		"t-click-citation":  "true",
		"t-enter-title":     "Site " + inv.Sites[b].ID,
		"map":               "ready",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
	if got["t-click-findings"] == "" || got["t-click-findings"] == "0" {
		t.Errorf("the clicked site's drill-down lists no findings")
	}
	png := os.Getenv("COREFENCE_MAP_SCREENSHOT")
	if png == "" {
		png = filepath.Join(t.TempDir(), "map.png")
	}
	// The artefact shows the map section alone, with the clicked site
	// chosen and its drill-down open.
	shot := strings.Replace(page, "</head>", "<style>.masthead, main > :not(#map-section) { display: none; }</style></head>", 1)
	if err := os.WriteFile(file, []byte(shot), 0o644); err != nil {
		t.Fatal(err)
	}
	browsertest.Screenshot(t, file, png, 1400, 1500)
	t.Logf("screenshot: %s", png)
}
