// Plan: the removal plan as a timeline (jobs per period per region), its
// cost, crews and the designated share over time against each cap; and
// policy options compared side by side. Plans are made and kept by the
// server (POST …/plans), keyed by their inputs.
import { get, post, op, all } from "../api.js";
import { h, s, table, field, select, errorBox, short, fmtTime, fmtPct } from "../dom.js";
import { latestRun } from "./findings.js";

// money shows a report's thousands as millions, in the report's currency
// ("GBP thousands" → "12.3m GBP").
const money = (k, cur) => `${(k / 1000).toFixed(1)}m ${(cur || "").replace(/\s*thousands$/, "")}`;

export async function render(ctx, view, params) {
  if (!ctx.op) return view.replaceChildren(h("p", null, "No operator to show."));
  const [plans, packs, run] = await Promise.all([all(op(ctx.op) + "/plans"), get("/packs"), latestRun(ctx.op)]);
  const packOpts = packs.items.map((p) => [p.id, `${p.id} — ${p.title}`]);
  const runPack = run ? run.inputs.packs[0].id : packOpts[0][0];
  // The plan starts by default in the month the latest snapshot is valid from.
  const snap = run ? await get(`${op(ctx.op)}/snapshots/${encodeURIComponent(run.snapshot)}`) : null;
  const start = h("input", { type: "text", name: "start", value: params.get("start") || (snap ? snap.valid_from.slice(0, 8) + "01" : ""), pattern: "\\d{4}-\\d{2}-01", required: true, autocomplete: "off" });
  const packA = select("packs-a", packOpts, runPack);
  const packB = select("packs-b", [["", "none: one plan"], ...packOpts], "");
  const period = select("period", [["quarter", "quarter"], ["month", "month"], ["year", "year"]], "quarter");
  const status = h("div", { "aria-live": "polite" });
  const result = h("div", { class: "plan-result" });
  const canWrite = ctx.me.role === "regulator" || ctx.me.role === "operator";

  const make = async (e) => {
    e.preventDefault();
    status.replaceChildren(h("p", { class: "muted" }, "Planning… (a national plan can take a minute)"));
    const body = { snapshot: "latest", as_of: start.value.trim(), params: { period: period.value } };
    if (packB.value) body.options = [{ name: packA.value, packs: [packA.value] }, { name: packB.value, packs: [packB.value] }];
    else body.packs = [packA.value];
    try {
      const p = await post(op(ctx.op) + "/plans", body);
      status.replaceChildren();
      ctx.go("plan", { plan: p.id });
    } catch (err) {
      status.replaceChildren(errorBox(err));
    }
  };
  const chosen = params.get("plan") || (plans.length ? plans[plans.length - 1].id : "");
  view.replaceChildren(
    canWrite ? h("form", { class: "filters", onsubmit: make },
      field("Start (first of a month)", start), field("Policy", packA), field("Compare with", packB), field("Period", period),
      h("div", { class: "buttons" }, h("button", { type: "submit" }, "Make plan")), status) : null,
    plans.length ? h("details", null, h("summary", null, `Plans of ${ctx.op} (${plans.length})`),
      h("ul", null, plans.map((p) => h("li", null, h("a", { href: `#/plan?plan=${p.id}` }, short(p.id)), ` made ${fmtTime(p.created)} by ${p.creator}`))))
      : h("p", null, "No plan yet."),
    result);
  if (chosen) {
    const p = await get(`${op(ctx.op)}/plans/${encodeURIComponent(chosen)}`);
    result.replaceChildren(planView(p));
  }
}

function planView(p) {
  const res = p.result;
  const opts = res.options;
  return h("div", null,
    h("h2", null, opts.length > 1 ? "Policy options side by side" : "Plan", " ", h("span", { class: "muted" }, short(p.id))),
    h("div", { class: "options" }, opts.map((o) => optionView(o, res.currency, opts.length > 1))));
}

function optionView(o, cur, named) {
  const r = o.report;
  return h("section", { class: "option card", "data-option": o.option },
    named ? h("h3", null, o.option) : null,
    h("p", null, `${r.status}, ${r.method}; packs ${o.packs.join(", ")}; ${r.start} to ${r.end} by ${r.period}.`,
      r.time_limited ? h("strong", null, " Cut short by the time limit: figures may differ between runs.") : null),
    h("dl", { class: "counts" },
      h("dt", null, "Total cost"), h("dd", null, money(r.costs.total, cur)),
      h("dt", null, "Capital"), h("dd", null, money(r.costs.capital, cur)),
      h("dt", null, "Write-off"), h("dd", null, money(r.costs.writeoff, cur)),
      h("dt", null, "Delay"), h("dd", null, money(r.costs.delay, cur)),
      h("dt", null, "Jobs"), h("dd", null, String(r.job_count)),
      h("dt", null, "Finish"), h("dd", null, r.finish || "—"),
      h("dt", null, "Deadlines missed"), h("dd", null, String(r.deadlines_missed)),
      h("dt", null, "Rollout delay"), h("dd", null, `${r.rollout_delay_months.toFixed(1)} months`)),
    r.infeasible ? h("p", { class: "error" }, "Infeasible: ", JSON.stringify(r.infeasible)) : null,
    timeline(o, r),
    sharesChart(r),
    r.warnings && r.warnings.length ? h("ul", { class: "muted" }, r.warnings.map((w) => h("li", null, w))) : null);
}

// timeline is the jobs per period and region, with the crews used against
// those available.
function timeline(o, r) {
  const max = Math.max(1, ...o.jobs_by_region.flat());
  const periods = r.periods.map((p, i) => ({ ...p, i })).filter((p) => p.jobs > 0 || p.crews_used > 0);
  if (!periods.length) return h("p", null, "No jobs: nothing to remove.");
  // A wide table scrolls in its own region, which the keyboard can reach.
  return h("div", { class: "scroll", tabindex: 0, role: "region", "aria-label": `Jobs per period and region${o.option ? ", " + o.option : ""}` },
    table("Jobs per period and region; crews used of available", [
    ["Period", (p) => p.period],
    ...o.regions.map((reg, j) => [reg, (p) => {
      const n = o.jobs_by_region[p.i][j];
      return n ? h("span", { class: "bar", title: `${n} jobs` }, s("svg", { width: 40, height: 10, "aria-hidden": "true" },
        s("rect", { x: 0, y: 0, width: Math.max(2, (40 * n) / max), height: 10, fill: "#0072B2" })), " ", String(n)) : "";
    }]),
    ["Crews", (p) => `${p.crews_used.toFixed(1)} / ${p.crews.toFixed(1)}`],
    ["Spend", (p) => (p.spend / 1000).toFixed(2) + "m"],
  ], periods, { class: "timeline-table" }));
}

// sharesChart draws each cap's designated share per period against the cap.
function sharesChart(r) {
  const series = new Map();
  r.periods.forEach((p, i) => {
    for (const sh of p.shares || []) {
      const key = `${sh.rule} · ${sh.operator} · ${sh.metric}`;
      if (!series.has(key)) series.set(key, { cap: sh.cap, pts: [] });
      series.get(key).pts.push([i, sh.share]);
    }
  });
  if (!series.size) return h("p", { class: "muted" }, "No share caps in these packs.");
  const W = 520, H = 150, pad = 28, n = Math.max(1, r.periods.length - 1);
  const x = (i) => pad + (i * (W - 2 * pad)) / n, y = (v) => H - pad - v * (H - 2 * pad);
  const colours = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00"];
  return h("div", null, h("h4", null, "Designated share over time against each cap"),
    [...series].map(([key, sr], k) => h("figure", null,
      s("svg", { viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: "img", "aria-label": `${key}: share per period against a cap of ${fmtPct(sr.cap)}` },
        s("line", { x1: pad, x2: W - pad, y1: y(sr.cap), y2: y(sr.cap), stroke: "#000", "stroke-dasharray": "4 3" }),
        s("text", { x: W - pad, y: y(sr.cap) - 4, "font-size": 11, "text-anchor": "end" }, `cap ${fmtPct(sr.cap)}`),
        s("line", { x1: pad, x2: W - pad, y1: H - pad, y2: H - pad, stroke: "#555" }),
        s("text", { x: pad, y: H - 8, "font-size": 11 }, r.periods[0].period),
        s("text", { x: W - pad, y: H - 8, "font-size": 11, "text-anchor": "end" }, r.periods[r.periods.length - 1].period),
        s("polyline", { fill: "none", stroke: colours[k % colours.length], "stroke-width": 2, points: sr.pts.map(([i, v]) => `${x(i)},${y(v)}`).join(" ") })),
      h("figcaption", null, `${key}: from ${fmtPct(sr.pts[0][1])} to ${fmtPct(sr.pts[sr.pts.length - 1][1])}`))));
}
