// Small DOM helpers. Text always goes in as text nodes, never as HTML, so
// nothing from the server can become markup.

// h builds an element: h("a", {href: "#x", class: "c"}, "text", child…).
// Attributes starting with "on" are listeners.
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (k === "class") el.className = v;
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

const svgNS = "http://www.w3.org/2000/svg";

// s builds an SVG element.
export function s(tag, attrs, ...children) {
  const el = document.createElementNS(svgNS, tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v !== undefined && v !== null) el.setAttribute(k, String(v));
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

// table renders rows under a header; cols are [label, row => cell].
export function table(caption, cols, rows, attrs = {}) {
  return h("table", attrs,
    caption ? h("caption", null, caption) : null,
    h("thead", null, h("tr", null, cols.map(([label]) => h("th", { scope: "col" }, label)))),
    h("tbody", null, rows.map((r) => h("tr", null, cols.map(([, cell]) => h("td", null, cell(r)))))),
  );
}

// field is a labelled control.
let nextID = 0;
export function field(label, control, hint) {
  const id = control.id || (control.id = "f" + ++nextID);
  return h("div", { class: "field" }, h("label", { for: id }, label), control, hint ? h("small", null, hint) : null);
}

export function select(name, options, value, attrs = {}) {
  return h("select", { name, ...attrs },
    options.map(([v, label]) => h("option", { value: v, selected: v === value }, label)));
}

// download offers text as a file, the way a browser saves a link.
export function download(name, text, type = "application/json") {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = h("a", { href: url, download: name, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function errorBox(err) {
  return h("div", { class: "error", role: "alert" },
    h("strong", null, err.message || String(err)),
    err.problems && err.problems.length
      ? h("ul", null, err.problems.map((p) => h("li", null, p.text || `${p.field}: ${p.message}`)))
      : null);
}

export const fmtPct = (x) => (x === null || x === undefined ? "unmeasured" : (x * 100).toFixed(1) + "%");
export const fmtTime = (us) => new Date(us / 1000).toISOString().replace("T", " ").slice(0, 19) + " UTC";
export const short = (id) => (id || "").slice(0, 12);

// daysBetween counts days from a to b (YYYY-MM-DD), negative when b is earlier.
export function daysBetween(a, b) {
  return Math.round((Date.parse(b + "T00:00:00Z") - Date.parse(a + "T00:00:00Z")) / 86400000);
}

export function addDays(date, n) {
  return new Date(Date.parse(date + "T00:00:00Z") + n * 86400000).toISOString().slice(0, 10);
}

// Colour-blind-safe (Okabe–Ito) colours for statuses and vendor groups.
export const statusColour = {
  violation: "#D55E00", upcoming: "#E69F00", advisory: "#0072B2",
  unmeasured: "#999999", waived: "#009E73", compliant: "#009E73",
};
