// Overview: per operator, the verdict and counts at a date chosen on a
// timeline, each share against its cap, the next deadlines with the days
// left, and the trend over snapshots. With the national view chosen (a
// regulator), the latest national run's summary comes first.
import { get, post, op, NATIONAL } from "../api.js";
import { latestRun } from "./findings.js";
import { h, s, table, field, fmtPct, daysBetween, addDays, statusColour, errorBox } from "../dom.js";

const statuses = ["violation", "upcoming", "advisory", "unmeasured", "waived"];

// stateAt is what an operator's history says on date: the snapshot that
// describes its network then, and the run on it checked as of the date (or
// the nearest earlier one; failing that, the earliest).
export function stateAt(history, date) {
  let snap = null;
  for (const e of history) {
    if (e.snapshot.valid_from <= date && (!snap || e.snapshot.valid_from > snap.snapshot.valid_from ||
        (e.snapshot.valid_from === snap.snapshot.valid_from && e.snapshot.seq > snap.snapshot.seq))) snap = e;
  }
  if (!snap) return { snapshot: null, run: null };
  const runs = [...snap.runs].sort((a, b) => a.as_of.localeCompare(b.as_of) || a.created - b.created);
  const before = runs.filter((r) => r.as_of <= date);
  return { snapshot: snap.snapshot, run: before.length ? before[before.length - 1] : runs[0] || null };
}

// dateSpan covers every date the histories mention: validity, check dates,
// deadlines and caps taking effect, with a year after the last.
function dateSpan(histories) {
  const dates = [];
  for (const hist of histories) {
    for (const e of hist) {
      dates.push(e.snapshot.valid_from);
      for (const r of e.runs) {
        dates.push(r.as_of);
        for (const o of r.summary.operators || []) if (o.next_deadline) dates.push(o.next_deadline);
        for (const sh of r.summary.shares || []) if (sh.effective) dates.push(sh.effective);
      }
    }
  }
  dates.sort();
  if (!dates.length) return null;
  return { from: dates[0], to: addDays(dates[dates.length - 1], 365) };
}

function latestRunDate(histories) {
  let d = "";
  for (const hist of histories) for (const e of hist) for (const r of e.runs) if (r.as_of > d) d = r.as_of;
  return d;
}

export async function render(ctx, view, params) {
  const ops = ctx.me.role === "operator" ? ctx.operators.filter((o) => o.id === ctx.me.operator) : ctx.operators;
  const [histories, national] = await Promise.all([
    Promise.all(ops.map((o) => get(op(o.id) + "/history").then((r) => r.items))),
    ctx.op === NATIONAL ? latestRun(NATIONAL).then(nationalCard) : null]);
  const span = dateSpan(histories);
  if (!span) {
    view.replaceChildren(national, h("p", null, "No snapshots yet: upload an inventory (POST /api/v1/operators/{op}/snapshots)."));
    return;
  }
  const total = daysBetween(span.from, span.to);
  let date = params.get("as_of") || latestRunDate(histories) || span.from;
  const slider = h("input", { type: "range", min: 0, max: total, step: 1, value: daysBetween(span.from, date), id: "as-of" });
  const out = h("output", { for: "as-of", class: "date" }, date);
  const body = h("div", { class: "overview" });
  const draw = () => {
    out.textContent = date;
    slider.setAttribute("aria-valuetext", date);
    body.replaceChildren(...ops.map((o, i) => card(ctx, o, histories[i], date)), trend(ops, histories));
  };
  slider.addEventListener("input", () => { date = addDays(span.from, Number(slider.value)); draw(); });
  view.replaceChildren(national,
    h("div", { class: "timeline" },
      field("As of", slider, `${span.from} … ${span.to}: snapshot validity, check dates, deadlines and caps`), out),
    body);
  draw();
}

function card(ctx, o, history, date) {
  const { snapshot, run } = stateAt(history, date);
  const head = h("h2", null, o.name, " ", h("span", { class: "muted" }, `(${o.id})`));
  if (!snapshot) return h("article", { class: "card", "data-operator": o.id }, head, h("p", null, `No snapshot describes the network on ${date}.`));
  if (!run) return h("article", { class: "card", "data-operator": o.id }, head, h("p", null, `Snapshot of ${snapshot.valid_from}, not checked yet.`));
  const sum = run.summary;
  const mine = (sum.operators || []).find((x) => x.id === o.id) || { compliant: sum.compliant, counts: sum.counts };
  const verdict = mine.compliant ? "compliant" : "not compliant";
  const deadlines = nextDeadlines(sum, o.id, date);
  const canCheck = ctx.me.role === "regulator" || ctx.me.role === "operator";
  return h("article", { class: "card", "data-operator": o.id },
    head,
    h("p", { class: "verdict " + (mine.compliant ? "ok" : "bad") }, verdict),
    h("p", { class: "muted" }, `Snapshot valid from ${snapshot.valid_from} (${snapshot.counts.sites} sites, ${snapshot.counts.elements} elements); checked as of ${run.as_of}.`),
    run.as_of !== date && canCheck ? checkButton(ctx, o, snapshot, run, date) : null,
    h("dl", { class: "counts" }, statuses.map((st) => [
      h("dt", null, swatch(statusColour[st]), st),
      h("dd", { "data-status": st }, String(mine.counts[st] || 0))])),
    shares(sum.shares.filter((sh) => sh.operator === o.id), date),
    h("h3", null, "Next deadlines"),
    deadlines.length
      ? h("ul", { class: "deadlines" }, deadlines.map((d) => h("li", null, h("time", { datetime: d.date }, d.date), ` — ${d.what}: `,
        h("strong", null, `${daysBetween(date, d.date)} days left`))))
      : h("p", null, "None after this date."));
}

// nationalCard is the latest national run's summary: the verdict and
// counts over every operator's snapshot valid on its date, merged, and
// each operator's verdict within it. National runs keep no history per
// snapshot, so the timeline below stays the operators' own.
function nationalCard(run) {
  const head = h("h2", null, "All operators (national view)");
  const attrs = { class: "card national", "data-operator": NATIONAL };
  if (!run) return h("article", attrs, head, h("p", null, "No national run yet: check the national view on the ", h("a", { href: "#/findings" }, "Findings page"), "."));
  const sum = run.summary;
  const snapshots = (run.inputs.national && run.inputs.national.snapshots) || [];
  const verdict = (c) => (c ? "compliant" : "not compliant");
  return h("article", attrs,
    head,
    h("p", { class: "verdict " + (sum.compliant ? "ok" : "bad") }, verdict(sum.compliant)),
    h("p", { class: "muted" }, `Latest national run: the snapshots of ${snapshots.length} operators valid on ${run.as_of}, checked as of it; ${run.findings} findings (`,
      h("a", { href: "#/findings?run=" + encodeURIComponent(run.id) }, "list them"), ")."),
    h("dl", { class: "counts" }, statuses.map((st) => [
      h("dt", null, swatch(statusColour[st]), st),
      h("dd", { "data-status": st }, String(sum.counts[st] || 0))])),
    table("Each operator in the national run", [["Operator", (o) => o.id], ["Verdict", (o) => verdict(o.compliant)],
      ["Violations", (o) => String(o.counts.violation || 0)], ["Upcoming", (o) => String(o.counts.upcoming || 0)],
      ["Next deadline", (o) => o.next_deadline || "none"]], sum.operators || [], { class: "national-operators" }));
}

// checkButton asks the server for a check as of the chosen date, with the
// run's packs on the same snapshot: runs are keyed by their inputs, so
// asking twice costs one check.
function checkButton(ctx, o, snapshot, run, date) {
  const status = h("span", { "aria-live": "polite" });
  const btn = h("button", { type: "button", onclick: async () => {
    btn.disabled = true;
    status.textContent = " checking…";
    try {
      await post(op(o.id) + "/runs", { snapshot: snapshot.id, packs: run.inputs.packs.map((p) => p.id), as_of: date,
        include_planned: run.inputs.include_planned });
      ctx.go("overview", { as_of: date });
      ctx.refresh();
    } catch (err) {
      status.replaceChildren(errorBox(err));
      btn.disabled = false;
    }
  } }, `Check as of ${date}`);
  return h("p", null, btn, status);
}

// swatch is a small square of colour (an SVG attribute: the page's CSP
// allows no inline style).
const swatch = (colour) => s("svg", { width: 12, height: 12, "aria-hidden": "true", class: "swatch" },
  s("rect", { x: 0.5, y: 0.5, width: 11, height: 11, fill: colour, stroke: "#333" }));

function nextDeadlines(sum, opID, date) {
  const out = [];
  for (const x of sum.operators || []) if (x.id === opID && x.next_deadline && x.next_deadline >= date) out.push({ date: x.next_deadline, what: "next deadline of a finding" });
  for (const sh of sum.shares || []) if (sh.operator === opID && sh.effective > date) out.push({ date: sh.effective, what: `${sh.rule} (${sh.metric}) takes effect` });
  const seen = new Set();
  return out.sort((a, b) => a.date.localeCompare(b.date)).filter((d) => !seen.has(d.date + d.what) && seen.add(d.date + d.what)).slice(0, 5);
}

function shares(list, date) {
  if (!list.length) return h("p", { class: "muted" }, "No share caps in these packs.");
  return h("div", { class: "shares" }, h("h3", null, "Share against each cap"),
    list.map((sh) => {
      const inForce = sh.effective <= date;
      const over = sh.share !== null && sh.share > sh.cap;
      const w = 240, pct = (x) => Math.max(0, Math.min(1, x)) * w;
      return h("div", { class: "share" },
        h("span", null, `${sh.rule} · ${sh.metric}: ${fmtPct(sh.share)} of cap ${fmtPct(sh.cap)}${inForce ? "" : ` (from ${sh.effective})`}${over ? " — over" : ""}`),
        s("svg", { width: w, height: 14, role: "img", "aria-label": `${fmtPct(sh.share)} against a cap of ${fmtPct(sh.cap)}` },
          s("rect", { x: 0, y: 2, width: w, height: 10, fill: "#e8e8e8" }),
          sh.share === null ? null : s("rect", { x: 0, y: 2, width: pct(sh.share), height: 10, fill: over ? statusColour.violation : "#0072B2" }),
          s("line", { x1: pct(sh.cap), x2: pct(sh.cap), y1: 0, y2: 14, stroke: "#000", "stroke-width": 2 })));
    }));
}

// trend draws violations per snapshot (the latest run of each) for every
// operator.
function trend(ops, histories) {
  const rows = [];
  ops.forEach((o, i) => {
    for (const e of histories[i]) {
      const run = [...e.runs].sort((a, b) => a.created - b.created).pop();
      if (run) rows.push({ op: o.id, date: e.snapshot.valid_from, run });
    }
  });
  if (!rows.length) return h("p", null, "No checked snapshots yet.");
  const W = 560, H = 160, pad = 30;
  const dates = [...new Set(rows.map((r) => r.date))].sort();
  const maxV = Math.max(1, ...rows.map((r) => r.run.summary.counts.violation || 0));
  const x = (d) => pad + (dates.length === 1 ? (W - 2 * pad) / 2 : (dates.indexOf(d) * (W - 2 * pad)) / (dates.length - 1));
  const y = (v) => H - pad - (v * (H - 2 * pad)) / maxV;
  const palette = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"];
  const series = ops.map((o, i) => {
    const pts = rows.filter((r) => r.op === o.id);
    const c = palette[i % palette.length];
    return s("g", null,
      s("polyline", { fill: "none", stroke: c, "stroke-width": 2, points: pts.map((p) => `${x(p.date)},${y(p.run.summary.counts.violation || 0)}`).join(" ") }),
      pts.map((p) => s("circle", { cx: x(p.date), cy: y(p.run.summary.counts.violation || 0), r: 4, fill: c },
        s("title", null, `${o.id} ${p.date}: ${p.run.summary.counts.violation || 0} violations`))));
  });
  return h("section", { class: "trend" }, h("h2", null, "Trend over snapshots"),
    s("svg", { viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: "img", "aria-label": "Violations per snapshot, per operator" },
      s("line", { x1: pad, x2: W - pad, y1: H - pad, y2: H - pad, stroke: "#555" }),
      s("text", { x: 2, y: pad, "font-size": 11 }, String(maxV)),
      dates.map((d) => s("text", { x: x(d), y: H - 8, "font-size": 11, "text-anchor": "middle" }, d)),
      series),
    table("Violations per snapshot", [["Operator", (r) => [swatch(palette[ops.findIndex((o) => o.id === r.op) % palette.length]), " ", r.op]], ["Snapshot valid from", (r) => r.date],
      ["Checked as of", (r) => r.run.as_of], ["Violations", (r) => String(r.run.summary.counts.violation || 0)],
      ["Upcoming", (r) => String(r.run.summary.counts.upcoming || 0)]], rows));
}
