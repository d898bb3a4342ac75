// Audit: the log of every write and of the regulator's reads, in pages,
// with the hash chain verified by the server.
import { get } from "../api.js";
import { h, table, fmtTime, short } from "../dom.js";

export async function render(ctx, view, params) {
  const cursor = params.get("cursor") || "";
  const [check, page] = await Promise.all([get("/audit/verify"), get("/audit", { cursor, limit: 100 })]);
  view.replaceChildren(
    h("div", { class: "chain " + (check.verified ? "ok" : "bad"), role: "status" },
      h("strong", null, check.verified ? "Chain verified" : "Chain broken"),
      ` — ${check.entries} entries, head ${check.head} (`, h("code", { title: check.head_hash }, short(check.head_hash)), ")",
      check.problems.length ? h("ul", null, check.problems.map((p) => h("li", null, p))) : null),
    h("p", { class: "muted" }, "Record the head hash somewhere the database's owner cannot write: a later verification against it detects a rewritten log."),
    table("Audit log", [
      ["#", (e) => String(e.seq)],
      ["At", (e) => fmtTime(e.at)],
      ["Actor", (e) => e.actor],
      ["Action", (e) => e.action],
      ["Operator", (e) => e.operator || ""],
      ["Subject", (e) => e.subject.length > 40 ? h("code", { title: e.subject }, short(e.subject) + "…") : e.subject],
      ["Hash", (e) => h("code", { title: e.hash }, short(e.hash))],
    ], page.items, { class: "audit" }),
    h("nav", { class: "pager", "aria-label": "Audit pages" },
      cursor ? h("a", { href: "#/audit" }, "First page") : null,
      page.next ? h("a", { href: `#/audit?cursor=${encodeURIComponent(page.next)}` }, "Next page") : null));
}
