// Evidence: the signed summaries (DSSE envelopes) of check runs, the
// server's public key, a site's inclusion proof, and the commands that
// verify them offline. A partner sees this page only.
import { get, request, op } from "../api.js";
import { h, table, field, download, errorBox, short, fmtTime, fmtPct } from "../dom.js";

export async function render(ctx, view) {
  const [list, key] = await Promise.all([get("/attestations"), get("/evidence/key")]);
  const items = list.items;
  const canProve = ctx.me.role === "regulator" || ctx.me.role === "operator";
  const detail = h("div", { "aria-live": "polite" });
  view.replaceChildren(
    h("section", null, h("h2", null, "Server public key"),
      h("p", null, "Key id ", h("code", { class: "wrap" }, key.key_id), ". Compare it with the key id the server's operator publishes before trusting it."),
      h("button", { type: "button", onclick: () => download("server.pub", key.public_key, "application/x-pem-file") }, "Download public key (server.pub)")),
    h("section", null, h("h2", null, "Signed check runs"),
      items.length ? table("Attestations", [
        ["Operator", (a) => a.operator],
        ["As of", (a) => a.as_of],
        ["Run", (a) => h("code", { title: a.run }, short(a.run))],
        ["Signed", (a) => fmtTime(a.created)],
        ["Actions", (a) => h("div", { class: "actions" },
          h("button", { type: "button", onclick: () => downloadEnvelope(a) }, `Download envelope`),
          h("button", { type: "button", onclick: () => showSummary(a, detail, canProve) }, "Show summary"))],
      ], items, { class: "attestations" }) : h("p", null, "No signed runs yet.")),
    detail,
    h("section", null, h("h2", null, "Verify"),
      h("p", null, "With the envelope and the public key saved, verify offline (the signature, the statement's shape, and a site's proof):"),
      h("pre", null, h("code", null, [
        "corefence verify --attestation OPERATOR.dsse.json --trust server.pub",
        canProve ? "corefence verify --attestation OPERATOR.dsse.json --trust server.pub --proof SITE.proof.json" : null,
        "# holding the inventory and packs too: recompute the check and compare",
        "corefence verify --attestation OPERATOR.dsse.json --trust server.pub --inventory INVENTORY",
      ].filter(Boolean).join("\n")))));
}

async function envelopeText(a) {
  return (await request("GET", op(a.operator) + "/attestations/" + encodeURIComponent(a.run))).text();
}

async function downloadEnvelope(a) {
  download(`${a.operator}-${a.as_of}.dsse.json`, await envelopeText(a));
}

// showSummary decodes the envelope's statement for reading. The signature
// is checked by `corefence verify`, not here: the page only shows it.
async function showSummary(a, into, canProve) {
  try {
    const env = JSON.parse(await envelopeText(a));
    const bytes = Uint8Array.from(atob(env.payload), (c) => c.charCodeAt(0));
    const st = JSON.parse(new TextDecoder().decode(bytes));
    const p = st.predicate;
    into.replaceChildren(h("section", { class: "summary" },
      h("h2", null, `Signed summary: ${a.operator}, as of ${p.as_of}`),
      h("p", null, "Decoded from the envelope for reading; run the verify command below to check its signature."),
      table("Verdicts", [["Operator", (o) => o.id], ["Verdict", (o) => (o.compliant ? "compliant" : "not compliant")],
        ["Violations", (o) => String(o.counts.violation)], ["Upcoming", (o) => String(o.counts.upcoming)],
        ["Next deadline", (o) => o.next_deadline || "none"]], p.operators),
      table("Shares", [["Rule", (x) => x.rule], ["Metric", (x) => x.metric], ["Share", (x) => (x.measured ? fmtPct(Number(x.share)) : "unmeasured")],
        ["Cap", (x) => fmtPct(Number(x.cap))], ["In force", (x) => (x.in_force ? "yes" : "no")], ["Exceeds", (x) => (x.exceeds ? "yes" : "no")]], p.shares || []),
      table("Deadlines", [["Rule", (x) => x.rule], ["Effective", (x) => x.effective], ["Days left", (x) => String(x.days_left)],
        ["Upcoming findings", (x) => String(x.upcoming)]], p.deadlines || []),
      h("p", null, "Subjects: ", st.subject.map((s) => `${s.name} sha256:${short(s.digest.sha256)}…`).join(", "),
        `; Merkle root of the sites ${short(p.sites && p.sites.merkle_root)}….`),
      canProve ? proofForm(a) : null));
  } catch (err) {
    into.replaceChildren(errorBox(err));
  }
}

// proofForm fetches one site's inclusion proof (the owning operator and
// the regulator only; the server refuses anyone else).
function proofForm(a) {
  const site = h("input", { type: "text", name: "site", required: true, autocomplete: "off" });
  const status = h("div", { "aria-live": "polite" });
  return h("form", { class: "row", onsubmit: async (e) => {
    e.preventDefault();
    status.replaceChildren();
    try {
      const resp = await request("GET", `${op(a.operator)}/attestations/${encodeURIComponent(a.run)}/proofs/${encodeURIComponent(site.value.trim())}`);
      download(`${site.value.trim()}.proof.json`, await resp.text());
      status.replaceChildren(h("p", null, `Saved ${site.value.trim()}.proof.json`));
    } catch (err) {
      status.replaceChildren(errorBox(err));
    }
  } }, h("h3", null, "A site's proof"), field("Site id", site), h("button", { type: "submit" }, "Download proof"), status);
}
