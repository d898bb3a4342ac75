// The report's map: decodes the columnar data Go wrote (window.corefenceMap,
// see mapdata.go), draws it with createSiteMap (sitemap.js, inlined just
// above in the same module), wires the filters, and shows a site's
// equipment and findings when one is chosen. It builds every text with
// textContent, never markup, and requests nothing.
const D = window.corefenceMap;
const body = document.body;

function bytes(b64) {
  const s = atob(b64), u = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) u[i] = s.charCodeAt(i);
  return u;
}
function ints(c) {
  const u = bytes(c.b);
  if (c.w === 1) return u;
  return c.w === 2 ? new Uint16Array(u.buffer, 0, u.length / 2) : new Uint32Array(u.buffer, 0, u.length / 4);
}
function floats(b64) { const u = bytes(b64); return new Float32Array(u.buffer, 0, u.length / 4); }

const n = D.n, S = D.dates.length;
const lon = floats(D.lon), lat = floats(D.lat);
const op = ints(D.op), vendor = ints(D.vendor), tech = ints(D.tech);
const statusAt = D.status.map(ints);
const NONE = D.statuses.length - 1;
const status = new Uint8Array(n);
const dsite = ints(D.dsite), dname = ints(D.dname), eoff = ints(D.eoff), foff = ints(D.foff);
const efunc = ints(D.efunc), evendor = ints(D.evendor), emodel = ints(D.emodel), esw = ints(D.esw), einst = ints(D.einst);
const frule = ints(D.frule), felem = ints(D.felem), fstatus = ints(D.fstatus);
const drill = new Int32Array(n).fill(-1); // site → its drill-down row, or -1
for (let d = 0; d < dsite.length; d++) drill[dsite[d]] = d;
let byID = null; // built on the first search

const STATUS_COLORS = ["#D55E00", "#E69F00", "#0072B2", "#CC79A7", "#56B4E9", "#D9D9D9"];
const STATUS_SHAPES = ["triangle", "diamond", "square", "cross", "hexagon", "circle"];
const TECHS = ["2G", "3G", "4G", "5G", "full fibre", "copper"];
const $ = (id) => document.getElementById(id);
const fmt = (x) => x.toLocaleString("en-GB");
let step = D.focus;
status.set(statusAt[step]);

const map = createSiteMap($("map"), {
  sites: { lon, lat, columns: { vendor, status } },
  keys: {
    vendor: { title: "Vendor", labels: D.vendors, colors: D.vcolors },
    status: { title: "Most serious finding", labels: D.statuses, colors: STATUS_COLORS, shapes: STATUS_SHAPES },
  },
  colorBy: "vendor",
  outline: D.outline,
  areas: D.areas,
  legend: $("map-legend"),
  label: (i) => "site " + D.ids[i],
  onSelect: show,
  ariaLabel: "Map of " + fmt(n) + " sites",
});

function techNames(t) {
  const out = [];
  TECHS.forEach((name, b) => { if (t & (1 << b)) out.push(name); });
  return out.length ? out.join(", ") : "none known";
}

// filter rebuilds the mask of shown sites from the controls.
function filter() {
  const fop = $("f-op").value, fv = $("f-vendor").value, fs = $("f-status").value, fr = $("f-rule").value, ft = +$("f-tech").value;
  if (!fop && !fv && !fs && !fr && !ft) { map.setFilter(null); return; }
  let ruled = null;
  if (fr !== "") {
    ruled = new Uint8Array(n);
    const r = +fr;
    for (let d = 0; d < dsite.length; d++) {
      for (let f = foff[d]; f < foff[d + 1]; f++) {
        if (frule[f] === r && fstatus[f * S + step] !== NONE) { ruled[dsite[d]] = 1; break; }
      }
    }
  }
  const mask = new Uint8Array(n);
  const o = fop === "" ? -1 : +fop, v = fv === "" ? -1 : +fv, s = fs === "" || fs === "any" ? -1 : +fs;
  for (let i = 0; i < n; i++) {
    mask[i] = (o < 0 || op[i] === o) && (v < 0 || vendor[i] === v) && (!ft || (tech[i] & ft)) &&
      (fs !== "any" || status[i] !== NONE) && (s < 0 || status[i] === s) && (!ruled || ruled[i]) ? 1 : 0;
  }
  map.setFilter(mask);
}

function setStep(s) {
  step = s;
  status.set(statusAt[step]);
  map.setColorBy($("f-color").value); // recounts the legend for the new date
  filter();
  if (map.selected() >= 0) show(map.selected());
}

function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (cls) e.className = cls;
  return e;
}

function cells(tr, values, tag) { values.forEach((v) => tr.appendChild(el(tag || "td", v))); return tr; }

// show fills the drill-down with site i: what it is, its equipment, and
// every finding at every date the report shows, with the rules' texts.
function show(i) {
  const box = $("site-detail");
  box.replaceChildren();
  if (i < 0) { box.appendChild(el("p", "No site chosen.", "muted small")); return; }
  const d = drill[i];
  const id = D.ids[i];
  const h = el("h3", "Site " + id);
  box.appendChild(h);
  const dl = el("dl", undefined, "site-facts");
  const fact = (k, v) => { dl.appendChild(el("dt", k)); dl.appendChild(el("dd", v)); };
  if (d >= 0 && D.dict[dname[d]]) fact("name", D.dict[dname[d]]);
  fact("operator", D.ops[op[i]]);
  fact("vendor class", D.vendors[vendor[i]]);
  fact("technologies", techNames(tech[i]));
  fact("position", Math.abs(lat[i]).toFixed(5) + "° " + (lat[i] < 0 ? "S" : "N") + ", " + Math.abs(lon[i]).toFixed(5) + "° " + (lon[i] < 0 ? "W" : "E") + " (WGS84)");
  if (d >= 0) fact("traffic", D.dtraffic[d] === "" ? "not given" : D.dtraffic[d] + " traffic units (the inventory's unit, the same for every site; busy-hour Gbit/s is usual)");
  fact("as of " + D.dates[step], D.statuses[status[i]]);
  box.appendChild(dl);
  if (d < 0) {
    box.appendChild(el("p", "No finding at any date of this report" + (S > 1 ? " (" + D.dates.join(", ") + ")" : " (" + D.dates[0] + ")") + ".", "muted small"));
    box.focus({ preventScroll: true });
    return;
  }
  const eid = (e) => { const s = D.eid[e]; return s.startsWith("~~") ? "~" + s.slice(2) : s.startsWith("~") ? id + s.slice(1) : s; };
  box.appendChild(el("h4", "Equipment (" + fmt(eoff[d + 1] - eoff[d]) + " elements)"));
  const et = el("table", undefined, "detail-table");
  et.appendChild(el("thead")).appendChild(cells(el("tr"), ["Element", "Function", "Vendor", "Model", "Software", "Installed"], "th"));
  const eb = et.appendChild(el("tbody"));
  for (let e = eoff[d]; e < eoff[d + 1]; e++) {
    cells(eb.appendChild(el("tr")), [eid(e), D.dict[efunc[e]], D.dict[evendor[e]], D.dict[emodel[e]] || "—", D.dict[esw[e]] || "—", D.dict[einst[e]] || "—"]);
  }
  box.appendChild(el("div", undefined, "scroll")).appendChild(et);
  box.appendChild(el("h4", "Findings (" + fmt(foff[d + 1] - foff[d]) + ")"));
  const ft = el("table", undefined, "detail-table");
  ft.appendChild(el("thead")).appendChild(cells(el("tr"), ["Rule", "Subject"].concat(D.dates.map((x) => "as of " + x)), "th"));
  const fb = ft.appendChild(el("tbody"));
  const rules = [];
  for (let f = foff[d]; f < foff[d + 1]; f++) {
    const r = D.rules[frule[f]];
    if (!rules.includes(frule[f])) rules.push(frule[f]);
    const tr = fb.appendChild(el("tr"));
    const td = tr.appendChild(el("td"));
    const a = td.appendChild(el("a", r.id));
    a.href = "#rule-" + r.id;
    const subject = felem[f] ? eid(eoff[d] + felem[f] - 1) : "the site";
    tr.appendChild(el("td", subject));
    for (let s = 0; s < S; s++) {
      const c = fstatus[f * S + s];
      tr.appendChild(el("td", c === NONE ? "—" : D.statuses[c], "st st-" + c));
    }
  }
  box.appendChild(el("div", undefined, "scroll")).appendChild(ft);
  box.appendChild(el("h4", "The rules"));
  for (const ri of rules) {
    const r = D.rules[ri];
    const div = box.appendChild(el("div", undefined, "detail-rule"));
    const p = div.appendChild(el("p"));
    p.appendChild(el("strong", r.title));
    p.appendChild(document.createTextNode(" "));
    p.appendChild(el("code", r.id));
    p.appendChild(document.createTextNode(" · " + r.basis));
    if (r.citation) div.appendChild(el("blockquote", r.citation));
    if (r.sources && r.sources.length) {
      const sp = div.appendChild(el("p", "Sources: " + r.sources.join("; ") + " — ", "small"));
      const a = sp.appendChild(el("a", "links under Rules and sources"));
      a.href = "#rule-" + r.id;
    }
  }
  box.focus({ preventScroll: true });
}

for (const id of ["f-op", "f-vendor", "f-status", "f-rule", "f-tech"]) $(id).addEventListener("change", filter);
$("f-color").addEventListener("change", () => map.setColorBy($("f-color").value));
$("f-date").addEventListener("change", () => setStep(+$("f-date").value));
// find centres the map on the site with id q and opens its drill-down.
function find(q) {
  if (!byID) { byID = new Map(); D.ids.forEach((x, i) => byID.set(x, i)); }
  const i = byID.get(q);
  if (i === undefined) { $("site-detail").replaceChildren(el("p", "No site with id " + q + ".", "bad-text")); return; }
  map.zoomTo(lon[i], lat[i], 4000);
  map.select(i);
}
$("map-filters").addEventListener("submit", (e) => {
  e.preventDefault();
  const q = $("f-site").value.trim();
  if (q) find(q);
});
document.querySelectorAll("a[data-site]").forEach((a) => a.addEventListener("click", () => find(a.getAttribute("data-site"))));

window.corefenceSiteMap = map; // for scripted checks of the page
body.setAttribute("data-site-marks", String(map.stats().total));
body.setAttribute("data-map", "ready");
