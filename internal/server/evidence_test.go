package server_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	cf "github.com/corefence/corefence"
	"github.com/corefence/corefence/internal/evidence"
	"github.com/corefence/corefence/internal/evidence/attest"
	"github.com/corefence/corefence/internal/importer"
	"github.com/corefence/corefence/internal/inventory"
	"github.com/corefence/corefence/internal/policy"
	"github.com/corefence/corefence/internal/server"
	"github.com/corefence/corefence/internal/store"
)

// TestEvidence signs a run on the server and verifies what a partner
// fetches — the envelope and the public key — as `corefence verify` does,
// then recomputes the statement from the operator's own inventory file
// with the CLI's check, and verifies a site proof the operator fetches.
func TestEvidence(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *apiEnv) {
		nets := networks(t)
		snap := e.snapshot("op-alpha", "alpha", nets["alpha"], "2023-06-01")
		var run runView
		e.sendJSON("op-alpha", "POST", "/api/v1/operators/alpha/runs",
			map[string]any{"snapshot": snap.ID, "packs": []string{"uk-dvd-2022"}, "as_of": "2024-01-01"}, 201, &run)

		var att store.Attestation
		e.sendJSON("op-alpha", "POST", "/api/v1/operators/alpha/runs/"+run.ID+"/attestation", nil, 201, &att)
		var again store.Attestation
		e.sendJSON("reg", "POST", "/api/v1/operators/alpha/runs/"+run.ID+"/attestation", nil, 200, &again)
		if again.Statement != att.Statement || att.Run != run.ID || att.AsOf != "2024-01-01" {
			t.Fatalf("attestations: %+v then %+v", att, again)
		}

		// What a partner reads: the list, the envelope, the key.
		var list server.Page[store.Attestation]
		e.getJSON("partner", "/api/v1/operators/alpha/attestations", 200, &list)
		if len(list.Items) != 1 || list.Items[0].Statement != att.Statement {
			t.Fatalf("partner's list: %+v", list)
		}
		var every server.Page[store.Attestation]
		e.getJSON("partner", "/api/v1/attestations", 200, &every)
		if len(every.Items) != 1 || every.Items[0].Operator != "alpha" {
			t.Fatalf("partner's list of every operator's: %+v", every)
		}
		e.getJSON("op-beta", "/api/v1/attestations", 200, &every)
		if len(every.Items) != 0 {
			t.Fatalf("beta's operator lists alpha's attestations: %+v", every)
		}
		var key server.KeyView
		e.getJSON("partner", "/api/v1/evidence/key", 200, &key)
		envBody := e.getJSON("partner", "/api/v1/operators/alpha/attestations/"+run.ID, 200, nil).body
		trusted, err := evidence.ParsePublicKeys([]byte(key.PublicKey))
		if err != nil || len(trusted) != 1 || evidence.KeyID(trusted[0]) != key.KeyID || key.KeyID != att.KeyID {
			t.Fatalf("public key: %v %+v", err, key)
		}
		env, err := evidence.ParseEnvelope(envBody)
		if err != nil {
			t.Fatal(err)
		}
		o := evidence.Verify(env, trusted, 1)
		if !o.Verified() {
			t.Fatalf("the server's envelope does not verify under its key: %v", o.Failures)
		}
		if evidence.Digest(o.Payload) != att.Statement {
			t.Fatalf("statement digest %s, the record says %s", evidence.Digest(o.Payload), att.Statement)
		}
		for _, id := range networkIDs(t) {
			if strings.Contains(string(o.Payload), `"`+id+`"`) {
				t.Errorf("the signed statement names %q; it must say nothing about single sites or elements", id)
			}
		}

		// The statement is what the CLI computes from the operator's own
		// file: the inventory's canonical digest, the pack, every figure.
		dir := t.TempDir()
		path := filepath.Join(dir, "alpha.yaml")
		if err := os.WriteFile(path, nets["alpha"], 0o600); err != nil {
			t.Fatal(err)
		}
		inv, err := importer.Load(path, inventory.Options{})
		if err != nil {
			t.Fatal(err)
		}
		pack, _, err := policy.Builtin("uk-dvd-2022")
		if err != nil {
			t.Fatal(err)
		}
		src, _ := policy.BuiltinSource("uk-dvd-2022")
		res, err := policy.Check(ctx, inv, []*policy.Pack{pack}, policy.Options{AsOf: cf.NewDate(2024, 1, 1)})
		if err != nil {
			t.Fatal(err)
		}
		attest.ConfirmCheck(o, &attest.Input{Result: res, PackDigests: map[string]string{"uk-dvd-2022": evidence.Digest(src)}, Version: "test"}, nil)
		if !o.Verified() {
			t.Fatalf("the statement differs from the CLI's check of the same file: %v", o.Failures)
		}

		// A site proof, to the operator: it verifies against the signed
		// root. A partner may not have one; another operator finds none.
		var proofBody []byte
		for _, site := range []string{"A-001", "A-DC1", "A-003"} {
			proofBody = e.getJSON("op-alpha", "/api/v1/operators/alpha/attestations/"+run.ID+"/proofs/"+site, 200, nil).body
			p, err := evidence.ParseProof(proofBody)
			if err != nil {
				t.Fatal(err)
			}
			po := evidence.Verify(env, trusted, 1)
			po.ConfirmProof(p)
			if !po.Verified() || p.Site != site || p.Statement != att.Statement {
				t.Fatalf("proof of %s: %v\n%s", site, po.Failures, proofBody)
			}
		}
		e.getJSON("reg", "/api/v1/operators/alpha/attestations/"+run.ID+"/proofs/A-002", 200, nil)
		e.getJSON("partner", "/api/v1/operators/alpha/attestations/"+run.ID+"/proofs/A-001", 403, nil)
		e.getJSON("op-beta", "/api/v1/operators/alpha/attestations/"+run.ID+"/proofs/A-001", 404, nil)
		e.getJSON("op-alpha", "/api/v1/operators/alpha/attestations/"+run.ID+"/proofs/B-001", 404, nil)
		e.getJSON("op-alpha", "/api/v1/operators/alpha/attestations/no-such-run", 404, nil)

		// A tampered proof fails: the evidence is bound, not decorative.
		p, _ := evidence.ParseProof(proofBody)
		p.Findings = append(p.Findings, evidence.FindingCount{Rule: "uk-dvd-2022/x", Status: "violation", Count: 1})
		po := evidence.Verify(env, trusted, 1)
		po.ConfirmProof(p)
		if po.Verified() {
			t.Fatal("an altered proof verified")
		}

		// The seed never leaves the server: no response carries it.
		full, err := e.store.Attestation(ctx, "alpha", run.ID)
		if err != nil {
			t.Fatal(err)
		}
		seedHex := strings.ToLower(strings.TrimSpace(hexOf(full.Seed)))
		for _, b := range [][]byte{envBody, proofBody} {
			if strings.Contains(string(b), seedHex) {
				t.Fatal("a response carries the attestation's seed")
			}
		}

		// A run whose waivers changed since is not signed: it is no longer
		// what the server would compute.
		var run2 runView
		e.sendJSON("reg", "POST", "/api/v1/operators/alpha/runs",
			map[string]any{"snapshot": snap.ID, "packs": []string{"uk-dvd-2022"}, "as_of": "2024-02-01"}, 201, &run2)
		e.sendJSON("reg", "POST", "/api/v1/operators/alpha/waivers",
			map[string]any{"rule": "uk-dvd-2022/*", "site": "A-001", "reason": "trial", "approver": "J. Smith", "expires": "2030-01-01"}, 201, nil)
		r := e.do("reg", "POST", "/api/v1/operators/alpha/runs/"+run2.ID+"/attestation", "", nil)
		if r.status != 409 || !contains(r.body, "waivers") {
			t.Fatalf("attesting a run whose waivers changed: %d %s", r.status, r.body)
		}
		// The run made now, with the waiver, is signed, and counts it; the
		// first attestation still proves its sites.
		var run3 runView
		e.sendJSON("reg", "POST", "/api/v1/operators/alpha/runs",
			map[string]any{"snapshot": snap.ID, "packs": []string{"uk-dvd-2022"}, "as_of": "2024-02-01"}, 201, &run3)
		e.sendJSON("reg", "POST", "/api/v1/operators/alpha/runs/"+run3.ID+"/attestation", nil, 201, nil)
		env3, _ := evidence.ParseEnvelope(e.getJSON("partner", "/api/v1/operators/alpha/attestations/"+run3.ID, 200, nil).body)
		if o3 := evidence.Verify(env3, trusted, 1); !o3.Verified() || o3.Statement.Predicate.Waivers != 1 || o3.Statement.SubjectDigest(evidence.SubjectWaivers) == "" {
			t.Fatalf("attestation with a waiver: %v %+v", o3.Failures, o3.Statement)
		}
		e.getJSON("op-alpha", "/api/v1/operators/alpha/attestations/"+run.ID+"/proofs/A-001", 200, nil)
	})
}

// TestEvidenceWithoutKey: a server without a signing key says so.
func TestEvidenceWithoutKey(t *testing.T) {
	e := newEnv(t, filepath.Join(t.TempDir(), "corefence.db"))
	srv := server.New(e.store, server.Config{TempDir: t.TempDir(), Version: "test"})
	e.http.Config.Handler = srv
	snap := e.snapshot("op-alpha", "alpha", networks(t)["alpha"], "2023-06-01")
	var run runView
	e.sendJSON("op-alpha", "POST", "/api/v1/operators/alpha/runs",
		map[string]any{"snapshot": snap.ID, "packs": []string{"uk-dvd-2022"}, "as_of": "2024-01-01"}, 201, &run)
	for _, c := range []struct{ method, path string }{
		{"GET", "/api/v1/evidence/key"},
		{"POST", "/api/v1/operators/alpha/runs/" + run.ID + "/attestation"},
	} {
		if r := e.do("op-alpha", c.method, c.path, "", nil); r.status != 503 || !contains(r.body, "signing key") {
			t.Errorf("%s %s without a key: %d %s", c.method, c.path, r.status, r.body)
		}
	}
}

func hexOf(b []byte) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 0, 2*len(b))
	for _, c := range b {
		out = append(out, digits[c>>4], digits[c&15])
	}
	return string(out)
}
