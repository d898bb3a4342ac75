// Findings: one run's findings in pages, filtered by the server, each with
// its rule, the rule's citation (its source) and the message the engine
// derived; exportable as CSV.
import { get, op, all } from "../api.js";
import { h, field, select, download, short, errorBox } from "../dom.js";

export const filters = ["status", "rule", "site", "vendor", "policy"];
const statusOptions = [["", "any"], ["violation", "violation"], ["upcoming", "upcoming"], ["advisory", "advisory"],
  ["unmeasured", "unmeasured"], ["waived", "waived"]];

// latestRun is the run a page shows when none is named: the newest.
export async function latestRun(opID) {
  const runs = await all(op(opID) + "/runs");
  return runs.length ? runs[runs.length - 1] : null;
}

export async function render(ctx, view, params) {
  if (!ctx.op) return view.replaceChildren(h("p", null, "No operator to show."));
  const runs = await all(op(ctx.op) + "/runs");
  if (!runs.length) return view.replaceChildren(h("p", null, "No runs yet."));
  const runID = runs.some((r) => r.id === params.get("run")) ? params.get("run") : runs[runs.length - 1].id;
  const run = runs.find((r) => r.id === runID);
  const q = Object.fromEntries(filters.map((f) => [f, params.get(f) || ""]));
  const cursor = params.get("cursor") || "";

  const controls = {
    run: select("run", runs.map((r) => [r.id, `${r.as_of} · ${short(r.id)}`]), runID),
    status: select("status", statusOptions, q.status),
    rule: h("input", { type: "text", name: "rule", value: q.rule, autocomplete: "off" }),
    site: h("input", { type: "text", name: "site", value: q.site, autocomplete: "off" }),
    vendor: h("input", { type: "text", name: "vendor", value: q.vendor, autocomplete: "off" }),
    policy: h("input", { type: "text", name: "policy", value: q.policy, autocomplete: "off" }),
  };
  const apply = (extra = {}) => ctx.go("findings", { run: controls.run.value,
    ...Object.fromEntries(filters.map((f) => [f, controls[f].value.trim()])), ...extra });
  const path = `${op(ctx.op)}/runs/${encodeURIComponent(runID)}/findings`;
  const page = await get(path, { ...q, cursor, limit: 100 });
  const exportStatus = h("span", { "aria-live": "polite" });

  view.replaceChildren(
    h("form", { class: "filters", onsubmit: (e) => { e.preventDefault(); apply(); } },
      field("Run", controls.run), field("Status", controls.status), field("Rule", controls.rule),
      field("Site", controls.site), field("Vendor", controls.vendor), field("Policy", controls.policy),
      h("div", { class: "buttons" },
        h("button", { type: "submit" }, "Filter"),
        h("button", { type: "button", onclick: async () => {
          exportStatus.textContent = " exporting…";
          try {
            const rows = await all(path, q);
            download(`${ctx.op}-${run.as_of}-findings.csv`, toCSV(rows), "text/csv");
            exportStatus.textContent = ` ${rows.length} findings exported.`;
          } catch (err) {
            exportStatus.replaceChildren(errorBox(err));
          }
        } }, "Export CSV"), exportStatus)),
    h("p", { class: "muted", id: "findings-count" }, `${page.items.length} findings on this page${page.next ? " (more follow)" : ""}; run as of ${run.as_of}, ${run.findings} findings in all.`),
    findingsTable(page.items),
    h("nav", { class: "pager", "aria-label": "Findings pages" },
      cursor ? h("a", { href: "#/findings?" + new URLSearchParams({ run: runID, ...clean(q) }) }, "First page") : null,
      page.next ? h("a", { href: "#/findings?" + new URLSearchParams({ run: runID, ...clean(q), cursor: page.next }) }, "Next page") : null));
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

// toCSV writes findings as CSV; a cell starting with = + - @ is prefixed
// with ' so a spreadsheet does not run it as a formula.
export function toCSV(rows) {
  const cols = ["id", "status", "severity", "policy", "rule", "operator", "site", "element", "vendor", "due_by", "message", "citation"];
  const cell = (v) => {
    let t = v === null || v === undefined ? "" : String(v);
    if (/^[=+\-@\t\r]/.test(t)) t = "'" + t;
    return /[",\n\r]/.test(t) ? '"' + t.replace(/"/g, '""') + '"' : t;
  };
  return [cols.join(","), ...rows.map((r) => cols.map((c) => cell(r[c])).join(","))].join("\r\n") + "\r\n";
}
