// sitemap.js: a dependency-free map of many sites on a 2D canvas, shared by
// corefence's HTML report and its server's web UI. It loads nothing: the
// outline and areas are given as data, and there are no tiles or fonts.
//
//   import { createSiteMap } from "./sitemap.js";
//   const map = createSiteMap(container, {
//     sites: {                      // columnar, so that 100,000 sites stay fast
//       lon: Float32Array, lat: Float32Array,       // degrees, WGS84
//       columns: { vendor: Uint8Array, status: Uint8Array, … },  // small-int codes per site
//     },
//     keys: {                       // the categories of each column that can colour
//       vendor: { title: "Vendor", labels: ["Huawei", "Ericsson", …],
//                 colors: [optional CSS colours], shapes: [optional shape names] },
//     },
//     colorBy: "vendor",            // the key sites are coloured and shaped by
//     outline: [{ role: "subject"|"context", polygons: [[[[lon, lat], …] ring, …] polygon, …] }],
//     areas: [{ lon, lat, radiusM, label, name }],  // circles drawn to scale; the
//                                   // label beside the circle, the name (or label) on hover
//     legend: element,              // optional: where the legend (with counts) goes
//     label: (i) => "site S1",      // optional: a site's name, announced on selection
//     onSelect: (i) => {},          // a site was chosen (click, Enter); -1: none
//     height: 520,                  // CSS pixels; the width follows the container
//     pointLimit: 3000,             // sites in view above which they are clustered
//     ariaLabel: "Map of sites",
//   });
//
// It returns:
//   setFilter(fn | Uint8Array | null)  which sites are shown: fn(i) → bool, or a
//                                      mask with 1 for shown; null shows all
//   setColorBy(key)                    colour and shape sites by another key
//   fitAll()                           frame every shown site (or the outline)
//   setAreas(true | false | Uint8Array) which areas are drawn: all, none, or a
//                                      mask with 1 for drawn
//   fitArea(i)                         frame area i
//   zoomTo(lon, lat, pxPerDegree)      centre on a point; scale optional
//   panBy(dx, dy), zoomBy(factor, x, y)  in screen pixels, as the mouse does
//   select(i), selected()              the chosen site (-1: none)
//   render()                           draw now (synchronously); returns ms
//   stats()                            { total, shown, inView, mode, counts, frameMs, scale, colorBy,
//                                        areas (drawn in the last frame, in view) }
//   project(i)                         site i's [x, y] on the canvas, CSS pixels
//   canvas                             the canvas element (focusable)
//   destroy()                          remove the map and its listeners
//
// Sites are drawn one by one, each category in its own Okabe–Ito colour and
// shape (so colour is never the only cue), when fewer than pointLimit are in
// view; otherwise they are counted in a screen-space grid and each cell is
// drawn as one disc sized by its count, coloured by its largest category.
// The projection is Web Mercator: conformal, so a sensitive area's circle
// stays a circle, its radius in pixels being metres over metres-per-pixel at
// its latitude.
//
// Keyboard: the map is one focusable element. Arrows pan, + and − zoom,
// 0 fits all, Enter (or Space) picks the site nearest the centre cross (or
// zooms into the cluster there), Escape clears the choice.

// Okabe & Ito's palette, distinguishable with the common colour-vision
// deficiencies; ordered so the first categories get the most distinct.
export const OKABE_ITO = ["#D55E00", "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#F0E442", "#000000"];
const EXTRA = ["#8C8C8C", "#BDBDBD", "#5A5A5A", "#D9D9D9"];
export const SHAPES = ["circle", "square", "triangle", "diamond", "triangleDown", "cross", "star", "hexagon"];

const EARTH_M = 40075016.686; // equatorial circumference in metres
const CELL = 34;              // cluster grid cell, CSS pixels
const DEG = Math.PI / 180;

function worldX(lon) { return (lon + 180) / 360; }
function worldY(lat) {
  const l = Math.max(-85, Math.min(85, lat)) * DEG;
  return (1 - Math.log(Math.tan(l) + 1 / Math.cos(l)) / Math.PI) / 2;
}
function latOf(wy) { return Math.atan(Math.sinh(Math.PI * (1 - 2 * wy))) / DEG; }

// traceShape adds one marker of radius r at (x, y) to the current path.
function traceShape(ctx, shape, x, y, r) {
  switch (shape) {
    case "square": ctx.rect(x - r * 0.85, y - r * 0.85, r * 1.7, r * 1.7); return;
    case "triangle": ctx.moveTo(x, y - r * 1.1); ctx.lineTo(x + r, y + r * 0.75); ctx.lineTo(x - r, y + r * 0.75); ctx.closePath(); return;
    case "triangleDown": ctx.moveTo(x, y + r * 1.1); ctx.lineTo(x + r, y - r * 0.75); ctx.lineTo(x - r, y - r * 0.75); ctx.closePath(); return;
    case "diamond": ctx.moveTo(x, y - r * 1.15); ctx.lineTo(x + r * 1.15, y); ctx.lineTo(x, y + r * 1.15); ctx.lineTo(x - r * 1.15, y); ctx.closePath(); return;
    case "cross": {
      const a = r * 0.38;
      ctx.moveTo(x - a, y - r); ctx.lineTo(x + a, y - r); ctx.lineTo(x + a, y - a); ctx.lineTo(x + r, y - a); ctx.lineTo(x + r, y + a);
      ctx.lineTo(x + a, y + a); ctx.lineTo(x + a, y + r); ctx.lineTo(x - a, y + r); ctx.lineTo(x - a, y + a); ctx.lineTo(x - r, y + a);
      ctx.lineTo(x - r, y - a); ctx.lineTo(x - a, y - a); ctx.closePath(); return;
    }
    case "star":
      for (let k = 0; k < 10; k++) {
        const rr = k % 2 ? r * 0.5 : r * 1.2, t = -Math.PI / 2 + k * Math.PI / 5;
        if (k) ctx.lineTo(x + rr * Math.cos(t), y + rr * Math.sin(t)); else ctx.moveTo(x + rr * Math.cos(t), y + rr * Math.sin(t));
      }
      ctx.closePath(); return;
    case "hexagon":
      for (let k = 0; k < 6; k++) {
        const t = k * Math.PI / 3;
        if (k) ctx.lineTo(x + r * Math.cos(t), y + r * Math.sin(t)); else ctx.moveTo(x + r * Math.cos(t), y + r * Math.sin(t));
      }
      ctx.closePath(); return;
    default: ctx.moveTo(x + r, y); ctx.arc(x, y, r, 0, 2 * Math.PI);
  }
}

// swatch is a legend entry's marker, drawn as the map draws it.
function swatch(doc, shape, color) {
  const c = doc.createElement("canvas");
  const dpr = (doc.defaultView && doc.defaultView.devicePixelRatio) || 1;
  c.width = Math.round(14 * dpr); c.height = Math.round(14 * dpr);
  c.style.width = "14px"; c.style.height = "14px";
  c.className = "sitemap-swatch";
  c.setAttribute("aria-hidden", "true");
  const g = c.getContext("2d");
  g.setTransform(dpr, 0, 0, dpr, 0, 0);
  g.beginPath();
  traceShape(g, shape, 7, 7, 5);
  g.fillStyle = color; g.fill();
  g.lineWidth = 0.8; g.strokeStyle = "#1c2633"; g.stroke();
  return c;
}

export function createSiteMap(container, opt) {
  const doc = container.ownerDocument;
  const win = doc.defaultView;
  const n = opt.sites.lon.length;
  const keys = opt.keys || {};
  const pointLimit = opt.pointLimit || 3000;
  const height = opt.height || 520;

  // World coordinates (0..1 Web Mercator), computed once.
  const wx = new Float64Array(n), wy = new Float64Array(n);
  for (let i = 0; i < n; i++) { wx[i] = worldX(opt.sites.lon[i]); wy[i] = worldY(opt.sites.lat[i]); }
  const rings = [];
  for (const part of opt.outline || []) {
    for (const poly of part.polygons || []) {
      for (const ring of poly) {
        const a = new Float64Array(ring.length * 2);
        ring.forEach((p, j) => { a[2 * j] = worldX(p[0]); a[2 * j + 1] = worldY(p[1]); });
        rings.push({ role: part.role || "subject", a });
      }
    }
  }
  const areas = (opt.areas || []).map((a) => ({ x: worldX(a.lon), y: worldY(a.lat), lat: a.lat, r: a.radiusM, label: a.label || "", name: a.name || a.label || "" }));
  let areaMask = null;      // Uint8Array, or null: every area drawn
  let areasDrawn = 0;       // in the last frame
  let hover = "";           // the areas under the pointer, named in the tooltip

  // State.
  let mask = null;          // Uint8Array, or null: every site shown
  let shown = n;
  let colorKey = opt.colorBy;
  let codes = null, colors = [], shapes = [], labels = [];
  let counts = [];
  let cx = 0.5, cy = 0.5, k = 1; // view centre (world) and scale (CSS px per world unit)
  let sel = -1;
  let pending = 0;
  let lastMs = 0, lastMode = "points", lastInView = 0;
  let focused = false;
  // Scratch of the last frame, for hit-testing: the sites drawn and where.
  let drawn = new Int32Array(0), drawnN = 0, sx = new Float32Array(n), sy = new Float32Array(n);
  let cells = null, cellCols = 0, cellRows = 0;

  // DOM.
  const root = doc.createElement("div");
  root.className = "sitemap";
  const canvas = doc.createElement("canvas");
  canvas.className = "sitemap-canvas";
  canvas.tabIndex = 0;
  canvas.setAttribute("role", "application");
  canvas.setAttribute("aria-roledescription", "map");
  canvas.setAttribute("aria-label", (opt.ariaLabel || "Map of sites") + ". Arrow keys pan, plus and minus zoom, 0 fits all, Enter picks the site at the centre cross, Escape clears.");
  canvas.style.height = height + "px";
  const controls = doc.createElement("div");
  controls.className = "sitemap-controls";
  function button(text, label, fn) {
    const b = doc.createElement("button");
    b.type = "button"; b.textContent = text; b.setAttribute("aria-label", label); b.title = label;
    b.addEventListener("click", fn);
    controls.appendChild(b);
    return b;
  }
  button("+", "Zoom in", () => zoomBy(2));
  button("\u2212", "Zoom out", () => zoomBy(0.5));
  button("Fit", "Fit: show all sites", () => fitAll()); // the visible text inside the accessible name (WCAG 2.5.3)
  const status = doc.createElement("div");
  status.className = "sitemap-status";
  status.setAttribute("aria-live", "polite");
  root.append(canvas, controls, status);
  container.appendChild(root);
  const ctx = canvas.getContext("2d");
  let W = 0, H = 0, dpr = 1;

  function resize() {
    const w = Math.max(50, root.clientWidth || container.clientWidth || 600);
    dpr = win.devicePixelRatio || 1;
    if (w === W && height === H && canvas.width === Math.round(w * dpr)) return false;
    W = w; H = height;
    canvas.width = Math.round(W * dpr); canvas.height = Math.round(H * dpr);
    canvas.style.width = W + "px";
    return true;
  }

  function setColorBy(key) {
    const spec = keys[key];
    if (!spec || !opt.sites.columns || !opt.sites.columns[key]) throw new Error("sitemap: no key " + key);
    colorKey = key;
    codes = opt.sites.columns[key];
    labels = spec.labels || [];
    colors = labels.map((_, c) => (spec.colors && spec.colors[c]) || (c < OKABE_ITO.length ? OKABE_ITO[c] : EXTRA[(c - OKABE_ITO.length) % EXTRA.length]));
    shapes = labels.map((_, c) => (spec.shapes && spec.shapes[c]) || SHAPES[c % SHAPES.length]);
    recount();
    schedule();
  }

  function recount() {
    counts = new Array(labels.length).fill(0);
    shown = 0;
    for (let i = 0; i < n; i++) {
      if (mask && !mask[i]) continue;
      shown++;
      const c = codes[i];
      if (c < counts.length) counts[c]++;
    }
    renderLegend();
    root.setAttribute("data-shown", String(shown));
  }

  function renderLegend() {
    const el = opt.legend;
    if (!el) return;
    const spec = keys[colorKey] || {};
    const ul = doc.createElement("ul");
    ul.className = "sitemap-legend";
    ul.setAttribute("aria-label", (spec.title || colorKey) + ": sites shown per category");
    labels.forEach((lab, c) => {
      const li = doc.createElement("li");
      li.setAttribute("data-code", String(c));
      const name = doc.createElement("span");
      name.className = "sitemap-legend-name";
      name.textContent = lab;
      const cnt = doc.createElement("span");
      cnt.className = "sitemap-legend-count";
      cnt.textContent = counts[c].toLocaleString("en-GB");
      li.append(swatch(doc, shapes[c], colors[c]), name, cnt);
      if (!counts[c]) li.className = "sitemap-legend-empty";
      ul.appendChild(li);
    });
    const total = doc.createElement("li");
    total.className = "sitemap-legend-total";
    const tn = doc.createElement("span"); tn.className = "sitemap-legend-name"; tn.textContent = "shown";
    const tc = doc.createElement("span"); tc.className = "sitemap-legend-count"; tc.textContent = shown.toLocaleString("en-GB") + " of " + n.toLocaleString("en-GB") + " sites";
    total.append(doc.createElement("span"), tn, tc);
    ul.appendChild(total);
    el.replaceChildren(ul);
  }

  function setFilter(f) {
    if (f == null) mask = null;
    else if (f instanceof Uint8Array) mask = f;
    else { mask = new Uint8Array(n); for (let i = 0; i < n; i++) mask[i] = f(i) ? 1 : 0; }
    if (sel >= 0 && mask && !mask[sel]) select(-1);
    recount();
    schedule();
  }

  // View.
  function fitBox(x0, y0, x1, y1) {
    resize();
    const pad = 24;
    const w = Math.max(x1 - x0, 1e-7), h = Math.max(y1 - y0, 1e-7);
    k = Math.min((W - 2 * pad) / w, (H - 2 * pad) / h);
    k = Math.min(k, 1 << 26);
    cx = (x0 + x1) / 2; cy = (y0 + y1) / 2;
  }
  function fitAll() {
    let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    for (let i = 0; i < n; i++) {
      if (mask && !mask[i]) continue;
      if (wx[i] < x0) x0 = wx[i]; if (wx[i] > x1) x1 = wx[i];
      if (wy[i] < y0) y0 = wy[i]; if (wy[i] > y1) y1 = wy[i];
    }
    if (x0 === Infinity) {
      for (const r of rings) for (let j = 0; j < r.a.length; j += 2) {
        x0 = Math.min(x0, r.a[j]); x1 = Math.max(x1, r.a[j]); y0 = Math.min(y0, r.a[j + 1]); y1 = Math.max(y1, r.a[j + 1]);
      }
    }
    if (x0 === Infinity) { x0 = 0; y0 = 0; x1 = 1; y1 = 1; }
    fitBox(x0, y0, x1, y1);
    schedule();
  }
  function zoomTo(lon, lat, pxPerDegree) {
    cx = worldX(lon); cy = worldY(lat);
    if (pxPerDegree) k = pxPerDegree * 360;
    schedule();
  }
  function panBy(dx, dy) { cx -= dx / k; cy -= dy / k; schedule(); }
  function zoomBy(f, x, y) {
    if (x === undefined) { x = W / 2; y = H / 2; }
    const nk = Math.max(W / 4, Math.min(k * f, 1 << 27)); // no further out than the world, no nearer than ~0.3 m per pixel
    const mx = cx + (x - W / 2) / k, my = cy + (y - H / 2) / k; // the world point under (x, y) stays there
    k = nk;
    cx = mx - (x - W / 2) / k; cy = my - (y - H / 2) / k;
    schedule();
  }
  function schedule() {
    if (pending) return;
    pending = win.requestAnimationFrame(() => { pending = 0; render(); });
  }

  // Drawing.
  function render() {
    const t0 = win.performance.now();
    resize();
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.fillStyle = "#eef3f7";
    ctx.fillRect(0, 0, W, H);
    const ox = W / 2 - cx * k, oy = H / 2 - cy * k; // screen = world * k + o

    // Outline: context countries first, then the subject.
    for (const role of ["context", "subject"]) {
      ctx.beginPath();
      for (const r of rings) {
        if (r.role !== role) continue;
        const a = r.a;
        ctx.moveTo(a[0] * k + ox, a[1] * k + oy);
        for (let j = 2; j < a.length; j += 2) ctx.lineTo(a[j] * k + ox, a[j + 1] * k + oy);
        ctx.closePath();
      }
      ctx.fillStyle = role === "subject" ? "#ffffff" : "#e4e8ec";
      ctx.strokeStyle = role === "subject" ? "#8a96a3" : "#bcc4cc";
      ctx.lineWidth = 0.8;
      ctx.fill("evenodd"); ctx.stroke();
    }

    // Sites in view.
    if (drawn.length < n) drawn = new Int32Array(n);
    drawnN = 0;
    const m = 8;
    for (let i = 0; i < n; i++) {
      if (mask && !mask[i]) continue;
      const x = wx[i] * k + ox, y = wy[i] * k + oy;
      if (x < -m || y < -m || x > W + m || y > H + m) continue;
      sx[i] = x; sy[i] = y;
      drawn[drawnN++] = i;
    }
    lastInView = drawnN;
    cells = null;
    if (drawnN > pointLimit) drawClusters(); else drawPoints();

    // Sensitive areas to scale, over the sites so that they stay visible.
    ctx.setLineDash([4, 3]);
    ctx.lineWidth = 1.2;
    areasDrawn = 0;
    areas.forEach((a, j) => {
      if (areaMask && !areaMask[j]) return;
      const x = a.x * k + ox, y = a.y * k + oy;
      const r = areaRadius(a);
      if (x + r < 0 || y + r < 0 || x - r > W || y - r > H) return;
      areasDrawn++;
      ctx.beginPath(); ctx.arc(x, y, r, 0, 2 * Math.PI);
      ctx.fillStyle = "rgba(23,50,77,0.08)"; ctx.fill();
      ctx.strokeStyle = "#17324d"; ctx.stroke();
      if (a.label && r > 10) {
        ctx.font = "600 11px system-ui, sans-serif"; ctx.fillStyle = "#17324d";
        ctx.fillText(a.label, x + r * 0.72 + 3, y - r * 0.72);
      }
    });
    ctx.setLineDash([]);

    if (sel >= 0) {
      const x = wx[sel] * k + ox, y = wy[sel] * k + oy;
      ctx.beginPath(); ctx.arc(x, y, 9, 0, 2 * Math.PI);
      ctx.lineWidth = 4; ctx.strokeStyle = "#ffffff"; ctx.stroke();
      ctx.lineWidth = 2; ctx.strokeStyle = "#000000"; ctx.stroke();
    }
    if (focused) { // the cross Enter picks at
      ctx.beginPath();
      ctx.moveTo(W / 2 - 10, H / 2); ctx.lineTo(W / 2 + 10, H / 2); ctx.moveTo(W / 2, H / 2 - 10); ctx.lineTo(W / 2, H / 2 + 10);
      ctx.lineWidth = 3; ctx.strokeStyle = "#ffffff"; ctx.stroke();
      ctx.lineWidth = 1.5; ctx.strokeStyle = "#1c2633"; ctx.stroke();
    }
    drawScale();
    lastMs = win.performance.now() - t0;
    root.setAttribute("data-mode", lastMode);
    root.setAttribute("data-in-view", String(lastInView));
    root.setAttribute("data-areas", String(areasDrawn));
    return lastMs;
  }

  // areaRadius is an area's radius on screen, in CSS pixels: metres over
  // the metres a pixel spans at its latitude (Mercator's scale factor).
  function areaRadius(a) { return Math.max(2, a.r / (EARTH_M * Math.cos(a.lat * DEG)) * k); }

  function setAreas(v) {
    if (v === true || v == null) areaMask = null;
    else if (v === false) areaMask = new Uint8Array(areas.length);
    else areaMask = v;
    hover = ""; canvas.removeAttribute("title"); // it may name an area no longer drawn
    schedule();
  }
  // fitArea frames area i, its circle filling most of the smaller side.
  function fitArea(i) {
    const a = areas[i];
    if (!a) return;
    resize();
    cx = a.x; cy = a.y;
    k = Math.max(W / 4, Math.min(1 << 27, 0.4 * Math.min(W, H) * EARTH_M * Math.cos(a.lat * DEG) / a.r));
    schedule();
  }

  function drawPoints() {
    lastMode = "points";
    const r = Math.max(3, Math.min(6, 2 + Math.log2(Math.max(1, k / 4000))));
    // Outlines keep light colours visible on white, but stroking thousands
    // of small shapes costs more than filling them: only when few.
    const outline = drawnN <= 1500;
    ctx.lineWidth = 0.8;
    ctx.strokeStyle = "#1c2633";
    // One path per category, drawn in reverse so that the first (the most
    // important, e.g. the high-risk vendor) are on top.
    for (let c = labels.length - 1; c >= 0; c--) {
      ctx.beginPath();
      let any = false;
      for (let j = 0; j < drawnN; j++) {
        const i = drawn[j];
        if (codes[i] !== c) continue;
        traceShape(ctx, shapes[c], sx[i], sy[i], r);
        any = true;
      }
      if (!any) continue;
      ctx.fillStyle = colors[c];
      ctx.fill();
      if (outline) ctx.stroke();
    }
  }

  function drawClusters() {
    lastMode = "clusters";
    cellCols = Math.ceil(W / CELL) + 1; cellRows = Math.ceil(H / CELL) + 1;
    const nc = cellCols * cellRows, L = Math.max(1, labels.length);
    const cnt = new Int32Array(nc), sumx = new Float64Array(nc), sumy = new Float64Array(nc), byCat = new Int32Array(nc * L);
    for (let j = 0; j < drawnN; j++) {
      const i = drawn[j];
      const gx = Math.max(0, Math.floor(sx[i] / CELL)), gy = Math.max(0, Math.floor(sy[i] / CELL));
      const g = Math.min(gy, cellRows - 1) * cellCols + Math.min(gx, cellCols - 1);
      cnt[g]++; sumx[g] += sx[i]; sumy[g] += sy[i];
      const c = codes[i];
      if (c < L) byCat[g * L + c]++;
    }
    cells = { cnt, sumx, sumy };
    let max = 1;
    for (let g = 0; g < nc; g++) if (cnt[g] > max) max = cnt[g];
    ctx.font = "600 10px system-ui, sans-serif";
    ctx.textAlign = "center"; ctx.textBaseline = "middle";
    for (let g = 0; g < nc; g++) {
      if (!cnt[g]) continue;
      let best = 0;
      for (let c = 1; c < L; c++) if (byCat[g * L + c] > byCat[g * L + best]) best = c;
      const x = sumx[g] / cnt[g], y = sumy[g] / cnt[g];
      const r = 4 + (CELL / 2 - 5) * Math.sqrt(cnt[g] / max);
      ctx.beginPath();
      traceShape(ctx, shapes[best] || "circle", x, y, r);
      ctx.globalAlpha = 0.85;
      ctx.fillStyle = colors[best] || "#888";
      ctx.fill();
      ctx.globalAlpha = 1;
      ctx.lineWidth = 1; ctx.strokeStyle = "#1c2633"; ctx.stroke();
      if (r >= 9) { // the count, black on a white tab (a text halo costs more)
        const t = cnt[g] >= 1000 ? Math.round(cnt[g] / 100) / 10 + "k" : String(cnt[g]);
        const w = 6 * t.length + 4;
        ctx.fillStyle = "#ffffff"; ctx.fillRect(x - w / 2, y - 6, w, 12);
        ctx.fillStyle = "#000000"; ctx.fillText(t, x, y);
      }
    }
    ctx.textAlign = "start"; ctx.textBaseline = "alphabetic";
  }

  function drawScale() {
    const mPerPx = EARTH_M * Math.cos(latOf(cy) * DEG) / k;
    const target = mPerPx * 120;
    const p = Math.pow(10, Math.floor(Math.log10(target)));
    const nice = [5, 2, 1].map((f) => f * p).find((v) => v <= target) || p;
    const w = nice / mPerPx;
    const x = 12, y = H - 14;
    ctx.fillStyle = "rgba(255,255,255,0.85)"; ctx.fillRect(x - 4, y - 16, w + 8, 24);
    ctx.fillStyle = "#1c2633"; ctx.fillRect(x, y, w, 3);
    ctx.font = "11px system-ui, sans-serif";
    ctx.fillText(nice >= 1000 ? nice / 1000 + " km" : nice + " m", x, y - 4);
  }

  // Picking.
  function pick(x, y) {
    if (cells) { // a cluster: zoom in on it, or take its one site
      const gx = Math.floor(x / CELL), gy = Math.floor(y / CELL);
      if (gx < 0 || gy < 0 || gx >= cellCols || gy >= cellRows) return;
      const g = gy * cellCols + gx;
      if (!cells.cnt[g]) return;
      zoomBy(3, cells.sumx[g] / cells.cnt[g], cells.sumy[g] / cells.cnt[g]);
      say(cells.cnt[g].toLocaleString("en-GB") + " sites here; zoomed in");
      return;
    }
    let best = -1, bd = 14 * 14;
    for (let j = 0; j < drawnN; j++) {
      const i = drawn[j];
      const d = (sx[i] - x) * (sx[i] - x) + (sy[i] - y) * (sy[i] - y);
      if (d < bd) { bd = d; best = i; }
    }
    if (best < 0) { say("no site here"); return; }
    select(best);
  }
  function select(i) {
    sel = i;
    schedule();
    if (i >= 0) say("selected " + (opt.label ? opt.label(i) : "site " + i));
    if (opt.onSelect) opt.onSelect(i);
  }
  function say(text) { status.textContent = text; }

  // Input.
  let drag = null;
  function onDown(e) {
    if (e.button !== 0) return;
    drag = { x: e.clientX, y: e.clientY, moved: false, id: e.pointerId };
    try { canvas.setPointerCapture(e.pointerId); } catch (err) { /* a synthetic pointer cannot be captured */ }
  }
  // hoverAreas names the drawn areas under the pointer in the canvas's
  // tooltip (the aria-label stays the map's instructions).
  function hoverAreas(e) {
    if (!areas.length) return;
    const b = canvas.getBoundingClientRect();
    const x = e.clientX - b.left, y = e.clientY - b.top;
    const ox = W / 2 - cx * k, oy = H / 2 - cy * k;
    const under = [];
    areas.forEach((a, j) => {
      if (areaMask && !areaMask[j]) return;
      const dx = a.x * k + ox - x, dy = a.y * k + oy - y, r = areaRadius(a);
      if (dx * dx + dy * dy <= r * r) under.push(j);
    });
    const key = under.join(",");
    if (key === hover) return;
    hover = key;
    if (under.length) canvas.title = (under.length > 1 ? "Sensitive areas: " : "Sensitive area: ") + under.map((j) => areas[j].name).join("; ");
    else canvas.removeAttribute("title");
  }
  function onMove(e) {
    if (!drag) { hoverAreas(e); return; }
    const dx = e.clientX - drag.x, dy = e.clientY - drag.y;
    if (!drag.moved && dx * dx + dy * dy < 16) return;
    drag.moved = true;
    drag.x = e.clientX; drag.y = e.clientY;
    panBy(dx, dy);
  }
  function onUp(e) {
    if (!drag) return;
    const d = drag;
    drag = null;
    if (!d.moved) {
      const b = canvas.getBoundingClientRect();
      pick(e.clientX - b.left, e.clientY - b.top);
    }
  }
  function onWheel(e) {
    e.preventDefault();
    const b = canvas.getBoundingClientRect();
    const dy = e.deltaMode === 1 ? e.deltaY * 16 : e.deltaY;
    zoomBy(Math.exp(-dy * 0.0015), e.clientX - b.left, e.clientY - b.top);
  }
  function onKey(e) {
    const step = Math.round(Math.min(W, H) / 6);
    switch (e.key) {
      case "ArrowLeft": panBy(step, 0); break;
      case "ArrowRight": panBy(-step, 0); break;
      case "ArrowUp": panBy(0, step); break;
      case "ArrowDown": panBy(0, -step); break;
      case "+": case "=": zoomBy(2); break;
      case "-": case "_": zoomBy(0.5); break;
      case "0": fitAll(); break;
      case "Enter": case " ": pick(W / 2, H / 2); break;
      case "Escape": select(-1); say("nothing selected"); break;
      default: return;
    }
    e.preventDefault();
  }
  function onFocus() { focused = true; schedule(); }
  function onBlur() { focused = false; schedule(); }
  canvas.addEventListener("pointerdown", onDown);
  canvas.addEventListener("pointermove", onMove);
  canvas.addEventListener("pointerup", onUp);
  canvas.addEventListener("pointercancel", () => { drag = null; });
  canvas.addEventListener("wheel", onWheel, { passive: false });
  canvas.addEventListener("keydown", onKey);
  canvas.addEventListener("focus", onFocus);
  canvas.addEventListener("blur", onBlur);
  const ro = win.ResizeObserver ? new win.ResizeObserver(() => { if (resize()) schedule(); }) : null;
  if (ro) ro.observe(root);

  setColorBy(colorKey);
  fitAll();
  render();

  return {
    setFilter, setColorBy, fitAll, zoomTo, panBy, zoomBy, select, render, setAreas, fitArea,
    selected: () => sel,
    stats: () => ({ total: n, shown, inView: lastInView, mode: lastMode, counts: counts.slice(), frameMs: lastMs, scale: k, colorBy: colorKey, areas: areasDrawn }),
    // project gives a site's position on the canvas, in CSS pixels from
    // its top-left corner, as drawn by the last frame.
    project: (i) => [wx[i] * k + W / 2 - cx * k, wy[i] * k + H / 2 - cy * k],
    canvas,
    destroy() {
      if (pending) win.cancelAnimationFrame(pending);
      if (ro) ro.disconnect();
      root.remove();
      if (opt.legend) opt.legend.replaceChildren();
    },
  };
}
