// History: an operator's snapshots with the runs made on each, and the
// difference between two: elements added, removed, changed; findings new
// and resolved.
import { get, op } from "../api.js";
import { h, table, field, select, fmtTime, short, errorBox } from "../dom.js";

const shown = 200; // rows of a diff list drawn; the rest are counted

export async function render(ctx, view, params) {
  if (!ctx.op) return view.replaceChildren(h("p", null, "No operator to show."));
  const items = (await get(op(ctx.op) + "/history")).items;
  if (!items.length) return view.replaceChildren(h("p", null, "No snapshots yet."));
  const opts = items.map((e) => [e.snapshot.id, `${e.snapshot.valid_from} · ${short(e.snapshot.id)}`]);
  const from = select("from", opts, params.get("from") || opts[0][0]);
  const to = select("to", opts, params.get("to") || opts[opts.length - 1][0]);
  const result = h("div", { "aria-live": "polite" });
  const compare = async () => {
    result.replaceChildren(h("p", { class: "muted" }, "Comparing…"));
    const later = items.find((e) => e.snapshot.id === to.value);
    const run = later && later.runs[later.runs.length - 1];
    const query = { from: from.value, to: to.value };
    if (run) Object.assign(query, { packs: run.inputs.packs.map((p) => p.id).join(","), as_of: run.as_of });
    try {
      result.replaceChildren(diffView(await get(op(ctx.op) + "/diff", query)));
    } catch (err) {
      result.replaceChildren(errorBox(err));
    }
  };
  view.replaceChildren(
    table(`Snapshots of ${ctx.op}`, [
      ["Valid from", (e) => e.snapshot.valid_from],
      ["Snapshot", (e) => h("code", { title: e.snapshot.id }, short(e.snapshot.id))],
      ["Uploaded", (e) => fmtTime(e.snapshot.uploaded)],
      ["By", (e) => e.snapshot.uploader],
      ["Sites", (e) => String(e.snapshot.counts.sites)],
      ["Elements", (e) => String(e.snapshot.counts.elements)],
      ["Runs", (e) => e.runs.length ? h("ul", { class: "plain" }, e.runs.map((r) => h("li", null,
        `as of ${r.as_of}: ${r.summary.compliant ? "compliant" : "not compliant"}, ${r.summary.counts.violation || 0} violations `,
        h("a", { href: `#/findings?run=${r.id}` }, "findings")))) : "none"],
    ], items, { class: "snapshots" }),
    h("h2", null, "Compare two snapshots"),
    h("form", { class: "row", onsubmit: (e) => { e.preventDefault(); compare(); } },
      field("From", from), field("To", to), h("button", { type: "submit" }, "Compare")),
    result);
  if (items.length > 1 || params.get("from")) compare();
}

function list(title, items, line) {
  return h("details", { open: items.length > 0 && items.length <= 20 },
    h("summary", null, `${title}: ${items.length}`),
    h("ul", null, items.slice(0, shown).map((x) => h("li", null, line(x)))),
    items.length > shown ? h("p", { class: "muted" }, `and ${items.length - shown} more`) : null);
}

function diffView(d) {
  const el = d.elements;
  const parts = [
    h("h3", null, "Elements"),
    h("p", null, `${el.added.length} added, ${el.removed.length} removed, ${el.changed.length} changed, ${el.unchanged} unchanged.`),
    list("Added", el.added, (id) => id),
    list("Removed", el.removed, (id) => id),
    list("Changed", el.changed, (c) => `${c.id}: ` + c.changes.map((f) => `${f.field} ${f.old || "∅"} → ${f.new || "∅"}`).join("; ")),
  ];
  if (d.findings) {
    const f = d.findings;
    const line = (x) => [h("span", { class: "status-" + x.status }, x.status), ` ${x.rule}: ${x.message}`];
    parts.push(h("h3", null, `Findings (as of ${d.as_of}, ${d.packs.join(", ")})`),
      h("p", null, `${f.new.length} new, ${f.resolved.length} resolved, ${f.changed.length} changed status, ${f.unchanged} unchanged.`),
      list("New", f.new, line), list("Resolved", f.resolved, line),
      list("Changed status", f.changed, (c) => `${c.old_status} → ${c.finding.status}: ${c.finding.message}`));
  }
  return h("div", { class: "diff" }, parts);
}
