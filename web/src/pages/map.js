// Map: every site of the national view (the regulator) or of an operator's
// run, coloured by vendor group or by finding status, filtered by operator,
// vendor group, status, rule and technology, with the legend counting what
// the filters leave; the inventories' sensitive areas drawn to scale,
// listed beside the map and switched on or off; a site chosen opens its
// drill-down. Drawing, pan, zoom, clustering and picking are the shared
// engine's (internal/sitemap).
import { createSiteMap } from "../../../internal/sitemap/sitemap.js";
import gbOutline from "../../../internal/htmlreport/data/gb-outline.json";
import { get, op, all, NATIONAL } from "../api.js";
import { h, field, select, table, errorBox } from "../dom.js";
import { latestRun } from "./findings.js";

let current = null; // the map shown, destroyed when the page goes

export function teardown() {
  if (current) current.destroy();
  current = null;
}

// loadSites fetches the columns: the national view for a regulator asking
// for it (or with no one operator chosen), else the operator's run.
async function loadSites(ctx, params) {
  if (ctx.me.role === "regulator" && (params.get("scope") !== "operator" || ctx.op === NATIONAL)) {
    return { scope: "national", sm: await get("/national/sites", { as_of: params.get("as_of") || undefined }) };
  }
  const run = params.get("run") || (await latestRun(ctx.op) || {}).id;
  if (!run) return { scope: "operator", sm: null };
  return { scope: "operator", sm: await get(`${op(ctx.op)}/runs/${encodeURIComponent(run)}/sites`) };
}

// columns turns the server's columns into the engine's typed arrays and
// category keys.
export function columns(sm) {
  const n = sm.id.length;
  const lon = new Float32Array(n), lat = new Float32Array(n);
  const vendor = new Uint8Array(n), status = new Uint8Array(n), operator = new Uint8Array(n);
  const designated = sm.groups.map((_, g) => sm.groups_designated[g]);
  // A site's vendor category: the first designated group among its
  // elements' groups, else "other vendors only", else "no elements".
  const desIdx = sm.groups.map((_, g) => g).filter((g) => designated[g]);
  const setCat = sm.group_sets.map((set) => {
    const d = desIdx.find((g) => set.includes(g));
    if (d !== undefined) return desIdx.indexOf(d);
    return set.length ? desIdx.length : desIdx.length + 1;
  });
  for (let i = 0; i < n; i++) {
    lon[i] = sm.lon[i];
    lat[i] = sm.lat[i];
    vendor[i] = setCat[sm.group_set[i]];
    status[i] = sm.worst[i] < 0 ? sm.statuses.length : sm.worst[i];
    operator[i] = sm.operator[i];
  }
  const statusColours = { violation: "#D55E00", advisory: "#0072B2", upcoming: "#E69F00", unmeasured: "#999999", waived: "#009E73" };
  const keys = {
    vendor: { title: "Vendor group", labels: [...desIdx.map((g) => sm.groups[g] + " (designated)"), "other vendors only", "no elements"],
      colors: [...desIdx.map((_, j) => ["#D55E00", "#CC79A7", "#E69F00", "#000000"][j % 4]), "#56B4E9", "#BDBDBD"] },
    status: { title: "Worst finding", labels: [...sm.statuses, "no finding"],
      colors: [...sm.statuses.map((s) => statusColours[s] || "#5A5A5A"), "#56B4E9"] },
    operator: { title: "Operator", labels: sm.operators },
  };
  return { n, sites: { lon, lat, columns: { vendor, status, operator } }, keys };
}

export async function render(ctx, view, params) {
  teardown();
  const { scope, sm } = await loadSites(ctx, params);
  performance.mark("corefence:map:data"); // the columns have arrived and are parsed
  if (!sm || !sm.id.length) return view.replaceChildren(h("p", null, "No sites to show: no checked snapshot."));
  const { n, sites, keys } = columns(sm);
  const index = new Map(sm.id.map((id, i) => [id, i]));

  const colorBy = select("color", [["vendor", "vendor group"], ["status", "finding status"], ["operator", "operator"]], params.get("color") || "vendor");
  const f = {
    operator: select("operator", [["", "any"], ...sm.operators.map((o, i) => [String(i), o])], ""),
    group: select("group", [["", "any"], ...sm.groups.map((g, i) => [String(i), g + (sm.groups_designated[i] ? " (designated)" : "")])], ""),
    status: select("status", [["", "any"], ...sm.statuses.map((s, i) => [String(i), s]), ["-1", "no finding"]], ""),
    technology: select("technology", [["", "any"], ...sm.technologies.map((t, i) => [String(i), t])], ""),
    rule: h("input", { type: "text", name: "rule", autocomplete: "off", placeholder: "e.g. uk-dvd-2022/remove-5g" }),
  };
  const legend = h("div", { class: "legend", "aria-label": "Legend" });
  const detail = h("div", { class: "drill", "aria-live": "polite" }, h("p", { class: "muted" }, "Choose a site (click, or Enter at the centre cross) to see its elements, findings and dependencies."));
  const status = h("p", { class: "muted", "aria-live": "polite" });
  const mapBox = h("div", { class: "map-box" });
  const areas = sm.areas || [];
  const areasBox = areasLegend(sm, areas, scope, (j) => {
    map.fitArea(j);
    status.textContent = `Map centred on sensitive area ${j + 1}, ${areaName(areas[j])}.`;
  }, () => drawAreas());
  const scopeNote = scope === "national"
    ? h("p", { class: "muted" }, `National view: ${n.toLocaleString("en-GB")} sites of ${sm.operators.length} operators, each from the snapshot valid on the date and the latest run on it.`,
      ctx.op === NATIONAL ? null : [" ", h("a", { href: "#/map?scope=operator" }, "Show the chosen operator's run instead"), "."])
    : h("p", { class: "muted" }, `${n.toLocaleString("en-GB")} sites of ${ctx.op}.`,
      ctx.me.role === "regulator" ? [" ", h("a", { href: "#/map" }, "National view")] : null);

  view.replaceChildren(scopeNote,
    h("form", { class: "filters", onsubmit: (e) => { e.preventDefault(); applyFilters(); } },
      field("Colour by", colorBy), field("Operator", f.operator), field("Vendor group", f.group), field("Worst status", f.status),
      field("Technology", f.technology), field("Rule", f.rule, "sites with a finding under this rule"),
      h("div", { class: "buttons" }, h("button", { type: "submit" }, "Apply"), status)),
    h("div", { class: "map-layout" }, mapBox, h("aside", { class: "map-side" }, h("h2", null, "Legend"), legend, areasBox.el, h("h2", null, "Site"), detail)));

  const runOf = new Map(sm.runs.map((r) => [r.operator, r.run]));
  const map = createSiteMap(mapBox, {
    sites, keys, colorBy: colorBy.value, legend, height: 560,
    outline: gbOutline.countries.map((c) => ({ role: c.role, polygons: c.polygons })),
    areas: areas.map((a, j) => ({ lon: a.lon, lat: a.lat, radiusM: a.radius_m, label: String(j + 1), name: `${j + 1}. ${areaName(a)} (${a.category})` })),
    label: (i) => `site ${sm.id[i]} (${sm.operators[sm.operator[i]]})`,
    ariaLabel: `Map of ${n} sites`,
    onSelect: (i) => { if (i >= 0) showSite(ctx, detail, sm, i, runOf); },
  });
  current = map;
  colorBy.addEventListener("change", () => map.setColorBy(colorBy.value));

  // drawAreas draws the areas when the switch is on: those of the
  // operator filtered by, or all.
  let areaOperator = -1;
  function drawAreas() {
    const on = areasBox.shown();
    const mask = new Uint8Array(areas.length);
    areas.forEach((a, j) => {
      const held = areaOperator < 0 || a.operators.includes(areaOperator);
      mask[j] = on && held ? 1 : 0;
      areasBox.items[j].hidden = !held;
    });
    map.setAreas(mask);
  }

  // applyFilters builds the mask; a rule asks the server which sites have
  // findings under it (grouped by site, per operator's run).
  async function applyFilters() {
    status.textContent = "filtering…";
    let ruleSites = null;
    const rule = f.rule.value.trim();
    try {
      if (rule) {
        ruleSites = new Set();
        for (const r of sm.runs) {
          if (!r.run) continue;
          const groups = await all(`${op(r.operator)}/runs/${encodeURIComponent(r.run)}/findings`, { rule, group_by: "site" });
          for (const g of groups) if (g.key) ruleSites.add(g.key);
        }
      }
    } catch (err) {
      status.replaceChildren(errorBox(err));
      return;
    }
    const want = {
      operator: f.operator.value === "" ? -1 : Number(f.operator.value),
      group: f.group.value === "" ? -1 : Number(f.group.value),
      status: f.status.value === "" ? null : Number(f.status.value),
      tech: f.technology.value === "" ? -1 : Number(f.technology.value),
    };
    const setHas = sm.group_sets.map((set) => want.group < 0 || set.includes(want.group));
    const mask = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      mask[i] = (want.operator < 0 || sm.operator[i] === want.operator) && setHas[sm.group_set[i]] &&
        (want.status === null || sm.worst[i] === want.status) && (want.tech < 0 || (sm.tech[i] >> want.tech) & 1) &&
        (!ruleSites || ruleSites.has(sm.id[i])) ? 1 : 0;
    }
    map.setFilter(mask);
    areaOperator = want.operator;
    drawAreas();
    status.textContent = "";
  }

  // A kill switch from the exposure page: show the sites it takes down.
  const ks = params.get("killswitch");
  if (ks) {
    const a = await get(`${op(ctx.op)}/exposures/${encodeURIComponent(ks)}`);
    const lost = new Set(a.report.kill_switch.filter((k) => k.vendor === params.get("vendor"))
      .flatMap((k) => k.operators.flatMap((o) => o.lost_sites || [])));
    map.setFilter((i) => lost.has(sm.id[i]));
    scopeNote.append(h("strong", { class: "killswitch-note" }, ` Kill switch of ${params.get("vendor")}: the ${lost.size} sites lost are shown.`));
  }
  map.fitAll();
  const focus = params.get("site") || params.get("focus");
  if (focus && index.has(focus)) {
    const i = index.get(focus);
    map.zoomTo(sm.lon[i], sm.lat[i], 4000);
    if (params.get("site")) map.select(i);
  }
  map.render();
  performance.mark("corefence:map:first-frame");
  mapBox.sitemap = map; // for scripting from the console, and the benchmark's frame timing
}

function areaName(a) { return a.name || a.id; }

// areasLegend lists the sensitive areas, numbered as on the map, each a
// button that frames it, under a switch that shows or hides them all.
function areasLegend(sm, areas, scope, onGo, onToggle) {
  if (!areas.length) return { el: h("p", { class: "muted" }, "No sensitive areas in the inventory."), items: [], shown: () => false };
  const toggle = h("input", { type: "checkbox", name: "areas", checked: true, onchange: onToggle });
  const every = sm.operators.length;
  const items = areas.map((a, j) => h("li", { value: j + 1, "data-area": a.id },
    h("button", { type: "button", class: "link", onclick: () => { if (!toggle.checked) { toggle.checked = true; onToggle(); } onGo(j); } }, areaName(a)),
    h("span", { class: "muted" }, ` — ${a.category}, radius ${(a.radius_m / 1000).toLocaleString("en-GB", { maximumFractionDigits: 3 })} km`,
      scope === "national" ? (a.operators.length === every && every > 1 ? "; every operator's inventory" : "; " + a.operators.map((o) => sm.operators[o]).join(", ")) : "")));
  const el = h("section", { class: "areas", "aria-labelledby": "areas-title" },
    h("h2", { id: "areas-title" }, "Sensitive areas"),
    h("label", { class: "inline toggle" }, toggle, ` Show the ${areas.length.toLocaleString("en-GB")} sensitive area${areas.length === 1 ? "" : "s"}, to scale`),
    h("p", { class: "muted" }, "Dashed circles, numbered as below; a name centres the map on its area."),
    h("ol", { class: "areas-list" }, items));
  return { el, items, shown: () => toggle.checked };
}

// showSite fetches one site's page from its operator's run.
async function showSite(ctx, into, sm, i, runOf) {
  const opID = sm.operators[sm.operator[i]], site = sm.id[i], run = runOf.get(opID);
  into.replaceChildren(h("p", { class: "muted" }, `Loading ${site}…`));
  if (!run) {
    into.replaceChildren(h("p", null, `${site} (${opID}): no run on this snapshot, so no findings to show.`));
    return;
  }
  try {
    const d = await get(`${op(opID)}/runs/${encodeURIComponent(run)}/sites/${encodeURIComponent(site)}`);
    into.replaceChildren(siteView(d));
  } catch (err) {
    into.replaceChildren(errorBox(err));
  }
}

function siteView(d) {
  const s = d.site;
  return h("article", { class: "site", "data-site": s.id },
    h("h3", null, `${s.id}${s.name && s.name !== s.id ? " — " + s.name : ""}`),
    h("p", null, `${s.operator} · ${s.kind}${s.region ? " · " + s.region : ""} · ${s.lat.toFixed(5)}, ${s.lon.toFixed(5)}`,
      s.tags.length ? ` · tags: ${s.tags.join(", ")}` : ""),
    h("h4", null, `Elements (${d.elements.length})`),
    table(null, [
      ["Element", (e) => e.id], ["Function", (e) => e.function],
      ["Vendor", (e) => [e.vendor, e.designated ? h("strong", null, " (designated)") : null]],
      ["Model", (e) => e.model || ""], ["Software", (e) => e.software || ""], ["Installed", (e) => e.installed || ""],
      ["Runs on", (e) => e.hosting.join(" → ")],
    ], d.elements, { class: "elements" }),
    h("h4", null, `Findings (${d.findings.length})`),
    d.findings.length ? h("ul", { class: "site-findings" }, d.findings.map(({ finding: f, rule }) => h("li", null,
      h("span", { class: "status status-" + f.status }, f.status), " ", f.message,
      rule ? h("details", null, h("summary", null, rule.title || rule.id),
        h("p", null, h("strong", null, "Rule: "), rule.citation),
        rule.interpretation ? h("p", null, h("strong", null, "Interpretation: "), rule.interpretation) : null,
        rule.sources.length ? h("ul", null, rule.sources.map((src) => h("li", null,
          src.url ? h("a", { href: src.url, rel: "noopener noreferrer", target: "_blank" }, src.title || src.id) : src.title || src.id,
          src.published ? ` (${src.published})` : ""))) : null)
        : h("p", { class: "muted" }, "The pack has changed since this run: its rule text is not shown.")))) : h("p", null, "None."),
    h("h4", null, "What it depends on"),
    !d.upstream ? h("p", null, "No radio traffic starts here.")
      : !d.upstream.routed ? h("p", null, "No path reaches the operator's core.")
        : table(null, [["Element", (e) => e.id], ["At site", (e) => e.site], ["Function", (e) => e.function],
          ["Vendor group", (e) => [e.group, e.designated ? h("strong", null, " (designated)") : null]],
          ["Share of traffic", (e) => (e.share * 100).toFixed(0) + "%"], ["In clear", (e) => (e.cleartext ? "yes" : "no")]],
        d.upstream.elements, { class: "upstream" }));
}
