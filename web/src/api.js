// The UI's one way to the server: the public API under /api/v1, with the
// signed-in principal's bearer token. Nothing else is ever requested.

const TOKEN_KEY = "corefence.token";

// The token lives in sessionStorage: it goes with the tab, and is never in
// a URL, a cookie or the page.
export const token = {
  get: () => sessionStorage.getItem(TOKEN_KEY) || "",
  set: (t) => sessionStorage.setItem(TOKEN_KEY, t),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
};

// APIError carries the server's error body: code, message, problems.
export class APIError extends Error {
  constructor(status, body) {
    const e = (body && body.error) || {};
    super(e.message || `HTTP ${status}`);
    this.status = status;
    this.code = e.code || "";
    this.problems = e.problems || [];
  }
}

// request calls the API and returns the Response; non-2xx become APIError.
export async function request(method, path, { query, body, accept } = {}) {
  const url = new URL("/api/v1" + path, location.origin);
  for (const [k, v] of Object.entries(query || {})) {
    if (v !== undefined && v !== null && v !== "") url.searchParams.set(k, v);
  }
  const headers = { Authorization: "Bearer " + token.get() };
  if (accept) headers.Accept = accept;
  const init = { method, headers, cache: "no-store", credentials: "omit" };
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const resp = await fetch(url, init);
  if (!resp.ok) {
    let parsed = null;
    try {
      parsed = await resp.json();
    } catch {
      // not the API's error shape; the status says enough
    }
    const err = new APIError(resp.status, parsed);
    if (resp.status === 401) window.dispatchEvent(new CustomEvent("corefence:unauthenticated"));
    throw err;
  }
  return resp;
}

export async function get(path, query) {
  return (await request("GET", path, { query })).json();
}

export async function post(path, body) {
  return (await request("POST", path, { body })).json();
}

// all follows a list's cursors to the end (bounded, in case a server
// misbehaves).
export async function all(path, query = {}, maxPages = 1000) {
  const items = [];
  let cursor = "";
  for (let i = 0; i < maxPages; i++) {
    const page = await get(path, { ...query, limit: 1000, cursor });
    items.push(...page.items);
    if (!page.next) break;
    cursor = page.next;
  }
  return items;
}

export const op = (id) => "/operators/" + encodeURIComponent(id);

// NATIONAL is the regulator's choice of every operator at once: the
// national view, whose records the server keeps under /api/v1/national
// and shows as operator "*" (docs/server.md, "The national view").
export const NATIONAL = "*";

// runsOf is where a subject's runs live: an operator's, or the national
// view's, which take the same requests and answer in the same shapes.
export const runsOf = (id) => (id === NATIONAL ? "/national" : op(id)) + "/runs";
