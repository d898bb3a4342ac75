// Findings: one run's findings in pages, filtered, sorted and grouped by
// the server, each with its rule, the rule's citation (its source) and the
// message the engine derived; exported as the server's CSV. With the
// national view chosen (a regulator), the national runs' findings, and a
// form that checks the national view as of a date.
import { get, post, all, request, runsOf, NATIONAL } from "../api.js";
import { h, table, field, select, download, short, errorBox } from "../dom.js";

export const filters = ["status", "rule", "site", "vendor", "group", "technology", "policy"];
const views = ["sort", "order", "group_by"]; // how the list is shown, not which findings
const statusOptions = [["", "any"], ["violation", "violation"], ["upcoming", "upcoming"], ["advisory", "advisory"],
  ["unmeasured", "unmeasured"], ["waived", "waived"]];

// latestRun is the run a page shows when none is named: the newest.
export async function latestRun(opID) {
  const runs = await all(runsOf(opID));
  return runs.length ? runs[runs.length - 1] : null;
}

export async function render(ctx, view, params) {
  if (!ctx.op) return view.replaceChildren(h("p", null, "No operator to show."));
  const national = ctx.op === NATIONAL;
  const runs = await all(runsOf(ctx.op));
  const check = national ? await nationalCheck(ctx, runs) : null;
  if (!runs.length) return view.replaceChildren(check, h("p", null, national ? "No national run yet." : "No runs yet."));
  const runID = runs.some((r) => r.id === params.get("run")) ? params.get("run") : runs[runs.length - 1].id;
  const run = runs.find((r) => r.id === runID);
  const q = Object.fromEntries(filters.map((f) => [f, params.get(f) || ""]));
  const v = Object.fromEntries(views.map((f) => [f, params.get(f) || ""]));
  const cursor = params.get("cursor") || "";
  const text = (name) => h("input", { type: "text", name, value: q[name], autocomplete: "off" });
  const controls = {
    run: select("run", runs.map((r) => [r.id, `${r.as_of} · ${short(r.id)}`]), runID),
    status: select("status", statusOptions, q.status),
    rule: text("rule"), site: text("site"), vendor: text("vendor"), policy: text("policy"),
    group: select("group", [["", "any"], ["designated", "designated groups"]], q.group),
    technology: select("technology", [["", "any"], ...["2g", "3g", "4g", "5g", "fttp", "copper"].map((t) => [t, t])], q.technology),
    sort: select("sort", [["", "run order"], ["site", "site"], ["rule", "rule"], ["status", "severity"], ["vendor", "vendor"], ["deadline", "deadline"], ["count", "count (groups)"]], v.sort),
    order: select("order", [["", "ascending"], ["desc", "descending"]], v.order),
    group_by: select("group_by", [["", "none"], ["site", "site"], ["rule", "rule"]], v.group_by),
  };
  const apply = (extra = {}) => ctx.go("findings", { run: controls.run.value,
    ...Object.fromEntries([...filters, ...views].map((f) => [f, controls[f].value.trim()])), ...extra });
  const path = `${runsOf(ctx.op)}/${encodeURIComponent(runID)}/findings`;
  const page = await get(path, { ...q, ...v, cursor, limit: 100 });
  const exportStatus = h("span", { "aria-live": "polite" });
  const here = { run: runID, ...clean(q), ...clean(v) };

  view.replaceChildren(check,
    h("form", { class: "filters", onsubmit: (e) => { e.preventDefault(); apply(); } },
      field("Run", controls.run), field("Status", controls.status), field("Rule", controls.rule),
      field("Site", controls.site), field("Vendor group", controls.vendor), field("Designated", controls.group),
      field("Technology", controls.technology), field("Policy", controls.policy),
      field("Sort by", controls.sort), field("Order", controls.order), field("Group by", controls.group_by),
      h("div", { class: "buttons" },
        h("button", { type: "submit" }, "Filter"),
        h("button", { type: "button", onclick: async () => {
          exportStatus.textContent = " exporting…";
          try {
            const resp = await request("GET", path, { query: { ...q, sort: v.sort === "count" ? "" : v.sort, order: v.order, format: "csv" } });
            download(`${national ? "national" : ctx.op}-${run.as_of}-findings.csv`, await resp.text(), "text/csv");
            exportStatus.textContent = " exported.";
          } catch (err) {
            exportStatus.replaceChildren(errorBox(err));
          }
        } }, "Export CSV"), exportStatus)),
    h("p", { class: "muted", id: "findings-count" }, `${page.items.length} ${v.group_by ? "groups" : "findings"} on this page${page.next ? " (more follow)" : ""}; ${national ? "national run" : "run"} as of ${run.as_of}, ${run.findings} findings in all.`),
    v.group_by ? groupTable(v.group_by, page.items, here) : findingsTable(page.items),
    h("nav", { class: "pager", "aria-label": "Findings pages" },
      cursor ? h("a", { href: "#/findings?" + new URLSearchParams(here) }, "First page") : null,
      page.next ? h("a", { href: "#/findings?" + new URLSearchParams({ ...here, cursor: page.next }) }, "Next page") : null));
}

// nationalCheck is the form that checks the national view — every
// operator's snapshot valid on a date, merged — as of that date. It starts
// from the latest national run's date and packs, or, before the first, from
// the first operator's latest run, so that it checks what the operators'
// own runs check. The server keys runs by their inputs: asking again for
// the same check returns the stored run.
async function nationalCheck(ctx, runs) {
  const packs = (await get("/packs")).items;
  const last = runs.length ? runs[runs.length - 1] : ctx.operators.length ? await latestRun(ctx.operators[0].id) : null;
  const lastPacks = last ? last.inputs.packs.map((p) => p.id) : [];
  const date = h("input", { type: "text", name: "as_of", value: last ? last.as_of : new Date().toISOString().slice(0, 10),
    pattern: "\\d{4}-\\d{2}-\\d{2}", required: true, autocomplete: "off" });
  const pack = select("pack", packs.map((p) => [p.id, `${p.id} — ${p.title}`]), lastPacks[0] || (packs[0] && packs[0].id));
  const status = h("span", { "aria-live": "polite" });
  return h("form", { class: "filters national-check", onsubmit: async (e) => {
    e.preventDefault();
    status.textContent = " checking every operator's snapshot valid on the date…";
    try {
      const run = await post(runsOf(NATIONAL), { packs: [pack.value], as_of: date.value });
      status.textContent = "";
      ctx.go("findings", { run: run.id });
      ctx.refresh(); // the same run again leaves the hash as it was
    } catch (err) {
      status.replaceChildren(errorBox(err));
    }
  } },
  h("h2", null, "Check the national view"),
  field("As of (YYYY-MM-DD)", date, "every operator's snapshot valid on this date, checked as of it"), field("Policy pack", pack),
  h("div", { class: "buttons" }, h("button", { type: "submit" }, "Check all operators"), status));
}

// groupTable lists groups (one site or rule each) with their counts by
// status; a key opens the findings of that group.
function groupTable(by, items, here) {
  const statuses = ["violation", "advisory", "upcoming", "unmeasured", "waived"];
  return table(`Findings by ${by}`, [
    [by === "site" ? "Site" : "Rule", (g) => g.key
      ? h("a", { href: "#/findings?" + new URLSearchParams({ ...here, group_by: "", sort: "", [by]: g.key }) }, g.key) : "(none)"],
    ["Findings", (g) => String(g.findings)],
    ...statuses.map((st) => [st, (g) => String((g.statuses || {})[st] || 0)]),
  ], items, { class: "groups" });
}

const clean = (q) => Object.fromEntries(Object.entries(q).filter(([, v]) => v));

export function findingsTable(items) {
  return h("table", { class: "findings" },
    h("caption", null, "Findings"),
    h("thead", null, h("tr", null, ["Status", "Rule and source", "Site", "Element", "Vendor", "Due by", "Finding"].map((c) => h("th", { scope: "col" }, c)))),
    h("tbody", null, items.map((f) => h("tr", { "data-finding": f.id },
      h("td", null, h("span", { class: "status status-" + f.status }, f.status)),
      h("td", null, h("details", null, h("summary", null, f.rule),
        h("p", null, h("strong", null, "Source: "), f.citation || "—"),
        h("p", { class: "muted" }, `${f.kind}, ${f.severity}, ${f.basis && f.basis.binding ? "binding" : "not binding"}; confidence ${f.confidence}`))),
      h("td", null, f.site ? h("a", { href: "#/map?site=" + encodeURIComponent(f.site) }, f.site) : ""),
      h("td", null, f.element || ""),
      h("td", null, f.vendor || ""),
      h("td", null, f.due_by || ""),
      h("td", null, f.message)))));
}
