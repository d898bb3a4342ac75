// Exposure: per vendor group, what a kill switch would take down (sites
// and traffic lost, core functions), the choke points, and the traffic
// each group handles in clear or ciphered. Analyses are made and kept by
// the server (POST …/exposures), keyed by their inputs.
import { get, post, op, all } from "../api.js";
import { h, table, errorBox, short, fmtTime, fmtPct } from "../dom.js";
import { latestRun } from "./findings.js";

// Traffic figures are exact decimals the engine writes as strings or numbers.
const num = (t) => (typeof t === "string" ? Number(t) : t || 0);

export async function render(ctx, view, params) {
  if (!ctx.op) return view.replaceChildren(h("p", null, "No operator to show."));
  const list = await all(op(ctx.op) + "/exposures");
  const chosen = params.get("exposure") || (list.length ? list[list.length - 1].id : "");
  const status = h("div", { "aria-live": "polite" });
  const canWrite = ctx.me.role === "regulator" || ctx.me.role === "operator";
  const analyse = async () => {
    status.replaceChildren(h("p", { class: "muted" }, "Analysing…"));
    try {
      const run = await latestRun(ctx.op);
      if (!run) throw new Error("No checked snapshot to analyse.");
      const a = await post(op(ctx.op) + "/exposures", { snapshot: run.snapshot, vendors: [], top: 10 });
      ctx.go("exposure", { exposure: a.id });
    } catch (err) {
      status.replaceChildren(errorBox(err));
    }
  };
  view.replaceChildren(
    canWrite ? h("p", null, h("button", { type: "button", onclick: analyse }, "Analyse the latest snapshot"), status) : null,
    list.length ? h("details", null, h("summary", null, `Analyses of ${ctx.op} (${list.length})`),
      h("ul", null, list.map((a) => h("li", null, h("a", { href: `#/exposure?exposure=${a.id}` }, short(a.id)), ` made ${fmtTime(a.created)}`))))
      : h("p", null, "No exposure analysis yet."));
  if (chosen) view.append(report(await get(`${op(ctx.op)}/exposures/${encodeURIComponent(chosen)}`)));
}

function report(a) {
  const r = a.report;
  const killRows = r.kill_switch.flatMap((k) => k.operators.map((o) => ({ vendor: k.vendor, ...o })));
  return h("div", { class: "exposure" },
    h("h2", null, "Kill switch: if one vendor group went dark"),
    table("Per vendor group and operator", [
      ["Vendor group", (x) => x.vendor], ["Operator", (x) => x.operator],
      ["Sites lost", (x) => `${x.sites_lost} of ${x.sites_in_service}`],
      ["Traffic lost", (x) => fmtPct(num(x.traffic_total) ? num(x.traffic_lost) / num(x.traffic_total) : 0)],
      ["Sensitive sites lost", (x) => String(x.sensitive_sites_lost)],
      ["Core functions lost", (x) => (x.core_functions_lost || []).join(", ") || "none"],
      ["On the map", (x) => h("a", { href: `#/map?scope=operator&killswitch=${a.id}&vendor=${encodeURIComponent(x.vendor)}` },
        `the ${x.sites_lost} lost sites`)],
    ], killRows, { class: "killswitch" }),
    h("h2", null, "Choke points"),
    r.choke_points.length ? table("Elements whose loss cuts sites off", [
      ["Element", (c) => c.element], ["Function", (c) => c.function], ["Vendor", (c) => c.vendor],
      ["Site", (c) => h("a", { href: "#/map?scope=operator&site=" + encodeURIComponent(c.site) }, c.site)],
      ["Sites lost", (c) => String(c.sites_lost)], ["Sensitive sites lost", (c) => String(c.sensitive_sites_lost)],
    ], r.choke_points, { class: "choke" }) : h("p", null, "None."),
    h("h2", null, "Traffic exposure: in clear and ciphered"),
    table("Traffic through each vendor group", [
      ["Vendor group", (t) => t.vendor], ["Operator", (t) => t.operator],
      ["Traffic share", (t) => fmtPct(t.traffic_share)],
      ["In clear", (t) => fmtPct(t.cleartext_share)],
      ["Ciphered", (t) => fmtPct(Math.max(0, t.traffic_share - t.cleartext_share))],
      ["Sites exposed", (t) => String(t.sites_exposed)], ["Sites in clear", (t) => String(t.sites_cleartext)],
    ], r.traffic_exposure, { class: "traffic" }));
}
