// corefence web UI: sign-in, role-aware navigation and a hash router over
// the pages. Every page reads the public API only (api.js); what a role
// sees is what the server answers it.
import { get, token, APIError, all, NATIONAL } from "./api.js";
import { h, field, errorBox, select } from "./dom.js";
import * as overview from "./pages/overview.js";
import * as history from "./pages/history.js";
import * as evidence from "./pages/evidence.js";
import * as audit from "./pages/audit.js";
import * as findings from "./pages/findings.js";
import * as map from "./pages/map.js";
import * as exposure from "./pages/exposure.js";
import * as plan from "./pages/plan.js";

// pages in navigation order, with the roles that see them: the server's
// access rules (docs/server.md) decide, the menu only follows them.
// national marks the pages that work with the national view chosen (they
// show it, or are about no one operator); the others show one operator's
// records and ask for one to be chosen.
const pages = [
  { path: "overview", title: "Overview", mod: overview, roles: ["regulator", "operator"], national: true },
  { path: "map", title: "Map", mod: map, roles: ["regulator", "operator"], national: true },
  { path: "findings", title: "Findings", mod: findings, roles: ["regulator", "operator"], national: true },
  { path: "exposure", title: "Exposure", mod: exposure, roles: ["regulator", "operator"] },
  { path: "plan", title: "Plan", mod: plan, roles: ["regulator", "operator"] },
  { path: "history", title: "History", mod: history, roles: ["regulator", "operator"] },
  { path: "evidence", title: "Evidence", mod: evidence, roles: ["regulator", "operator", "partner"], national: true },
  { path: "audit", title: "Audit", mod: audit, roles: ["regulator", "admin"], national: true },
];

const main = document.getElementById("main");
const nav = document.getElementById("nav");
const who = document.getElementById("who");

// ctx is what pages share: the principal, the operators it may see, and
// the operator chosen (a regulator's choice, which may be NATIONAL; an
// operator's own).
const ctx = { me: null, operators: [], op: "", refresh: () => route() };

function parseHash() {
  const [path, q] = location.hash.replace(/^#\/?/, "").split("?");
  return { path: path || "", params: new URLSearchParams(q || "") };
}

// go navigates to a page with parameters.
export function go(path, params = {}) {
  const q = new URLSearchParams(Object.entries(params).filter(([, v]) => v !== "" && v != null)).toString();
  location.hash = "#/" + path + (q ? "?" + q : "");
}
ctx.go = go;

async function signIn() {
  ctx.me = null;
  nav.replaceChildren();
  who.replaceChildren();
  const input = h("input", { type: "password", name: "token", autocomplete: "off", spellcheck: "false", required: true, placeholder: "cft_…" });
  const status = h("div", { "aria-live": "polite" });
  const form = h("form", { class: "signin", onsubmit: async (e) => {
    e.preventDefault();
    token.set(input.value.trim());
    try {
      await load();
      const first = visiblePages()[0];
      go(first ? first.path : "");
    } catch (err) {
      token.clear();
      status.replaceChildren(errorBox(err.status === 401 ? new Error("That token is not valid (unknown, expired or revoked).") : err));
    }
  } },
  h("h1", null, "Sign in"),
  h("p", null, "Paste the bearer token you were issued (", h("code", null, "cft_…"), "). It is kept in this tab only."),
  field("Token", input),
  h("button", { type: "submit" }, "Sign in"),
  status);
  main.replaceChildren(form);
  document.title = "Sign in · corefence";
  input.focus();
}

// load reads the principal and the operators it may see.
async function load() {
  ctx.me = await get("/me");
  ctx.operators = ctx.me.role === "partner" ? [] : await all("/operators");
  if (ctx.me.role === "operator") ctx.op = ctx.me.operator;
  else if (!(ctx.op === NATIONAL && ctx.me.role === "regulator") && !ctx.operators.some((o) => o.id === ctx.op)) {
    ctx.op = ctx.operators[0] ? ctx.operators[0].id : "";
  }
  renderChrome();
}

function visiblePages() {
  return ctx.me ? pages.filter((p) => p.roles.includes(ctx.me.role)) : [];
}

function renderChrome() {
  const current = parseHash().path;
  nav.replaceChildren(h("ul", null, visiblePages().map((p) =>
    h("li", null, h("a", { href: "#/" + p.path, "aria-current": p.path === current ? "page" : null }, p.title)))));
  const parts = [h("span", null, `${ctx.me.name || ctx.me.id} (${ctx.me.role}${ctx.me.operator ? ", " + ctx.me.operator : ""})`)];
  if (ctx.me.role === "regulator" && ctx.operators.length) {
    // Only a regulator is offered the national view: the server answers
    // anyone else's request for it with 403.
    const choices = [[NATIONAL, "All operators (national view)"], ...ctx.operators.map((o) => [o.id, o.name])];
    const sel = select("operator", choices, ctx.op, { id: "op-select",
      onchange: (e) => { ctx.op = e.target.value; route(); } });
    parts.push(h("label", { for: "op-select", class: "inline" }, "Operator"), sel);
  }
  parts.push(h("button", { type: "button", class: "link", onclick: () => { token.clear(); location.hash = "#/signin"; signIn(); } }, "Sign out"));
  who.replaceChildren(...parts);
}

let generation = 0;
let active = null; // the page shown, torn down when another replaces it

async function route() {
  const gen = ++generation;
  if (!token.get()) return signIn();
  if (!ctx.me) {
    try {
      await load();
    } catch (err) {
      if (err instanceof APIError && err.status === 401) { token.clear(); return signIn(); }
      main.replaceChildren(errorBox(err));
      return;
    }
  }
  const { path, params } = parseHash();
  const visible = visiblePages();
  const page = visible.find((p) => p.path === path);
  if (!page) {
    if (visible.length) go(visible[0].path);
    else main.replaceChildren(h("p", null, "This role has no pages here."));
    return;
  }
  renderChrome();
  document.title = page.title + " · corefence";
  const view = h("section", { "aria-labelledby": "page-title", class: "page page-" + page.path });
  main.replaceChildren(h("h1", { id: "page-title" }, page.title), view);
  if (active && active.teardown) active.teardown();
  active = page.mod;
  try {
    view.append(h("p", { class: "muted", "data-loading": "" }, "Loading…"));
    if (ctx.op === NATIONAL && !page.national) {
      view.replaceChildren(h("p", { class: "needs-operator" }, `${page.title} shows one operator at a time: choose an operator in the Operator selector. `,
        "With all operators (the national view) chosen, the Overview, Map and Findings pages show the national view."));
    } else {
      await page.mod.render(ctx, view, params, () => gen === generation);
    }
    view.querySelectorAll(":scope > [data-loading]").forEach((el) => el.remove());
  } catch (err) {
    if (gen !== generation) return;
    view.replaceChildren(errorBox(err));
  }
  if (gen === generation) {
    main.dataset.ready = page.path; // tests wait on this
    performance.mark("corefence:ready:" + page.path); // and the benchmark times it
  }
}

window.addEventListener("hashchange", () => { delete main.dataset.ready; route(); });
window.addEventListener("corefence:unauthenticated", () => { token.clear(); ctx.me = null; });
route();

// The skip link focuses the content without touching the hash the router
// reads.
document.querySelector(".skip").addEventListener("click", (e) => {
  e.preventDefault();
  main.focus();
});
