package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/corefence/corefence/internal/export"
	"github.com/corefence/corefence/internal/importer"
	"github.com/corefence/corefence/internal/server"
	"github.com/corefence/corefence/internal/store"
)

// TestServeSigningKey: --init creates the signing key beside a SQLite
// store, mode 0600; the server refuses a key others may read, and a key
// asked for that is missing; the key never reaches the output.
func TestServeSigningKey(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "corefence.db")
	code, out, errs := run(t, time.Now(), "serve", "--init", "--db", db)
	if code != 0 {
		t.Fatalf("serve --init: %d %s", code, errs)
	}
	key := db + ".signing.key"
	st, err := os.Stat(key)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("signing key: %v %v", st, err)
	}
	if _, err := os.Stat(db + ".signing.pub"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "key id ") || strings.Contains(out, "PRIVATE KEY") {
		t.Fatalf("--init output:\n%s", out)
	}
	// A second --init refuses and keeps the key.
	before, _ := os.ReadFile(key)
	if code, _, _ := run(t, time.Now(), "serve", "--init", "--db", db); code == 0 {
		t.Fatal("a second --init succeeded")
	}
	if after, _ := os.ReadFile(key); string(after) != string(before) {
		t.Fatal("a second --init changed the signing key")
	}

	if err := os.Chmod(key, 0o640); err != nil {
		t.Fatal(err)
	}
	code, out, errs = run(t, time.Now(), "serve", "--db", db, "--listen", "127.0.0.1:0")
	if code == 0 || !strings.Contains(errs, "0640") || strings.Contains(out+errs, "PRIVATE KEY") {
		t.Fatalf("serve with a group-readable key: %d\n%s%s", code, out, errs)
	}
	code, _, errs = run(t, time.Now(), "serve", "--db", db, "--listen", "127.0.0.1:0", "--signing-key", filepath.Join(dir, "missing.key"))
	if code == 0 || !strings.Contains(errs, "missing.key") {
		t.Fatalf("serve with a missing key: %d %s", code, errs)
	}
}

// TestServeEvidenceVerifies: a real server process signs a run; the
// envelope and public key a partner fetches, and a proof the operator
// fetches, pass `corefence verify`.
func TestServeEvidenceVerifies(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server process")
	}
	dir := t.TempDir()
	db := filepath.Join(dir, "corefence.db")
	code, out, errs := run(t, time.Now(), "serve", "--init", "--db", db)
	if code != 0 {
		t.Fatalf("serve --init: %d %s", code, errs)
	}
	admin := regexp.MustCompile(`cft_\S+`).FindString(out)
	srv := startServer(t, db)
	token := func(id, body string) string {
		mustCall(t, srv.base, admin, "POST", "/api/v1/principals", "application/json", []byte(body), 201, nil)
		var tok struct{ Secret string }
		mustCall(t, srv.base, admin, "POST", "/api/v1/principals/"+id+"/tokens", "application/json", []byte(`{}`), 201, &tok)
		return tok.Secret
	}
	mustCall(t, srv.base, admin, "POST", "/api/v1/operators", "application/json", []byte(`{"id": "alpha"}`), 201, nil)
	op := token("op-alpha", `{"id": "op-alpha", "role": "operator", "operator": "alpha"}`)
	partner := token("ally", `{"id": "ally", "role": "partner"}`)

	alpha := filepath.Join(dir, "alpha.yaml")
	parts := splitNetwork(t, "../../testdata/small-network.yaml")
	if err := os.WriteFile(alpha, parts["alpha"], 0o600); err != nil {
		t.Fatal(err)
	}
	var snap store.Snapshot
	mustCall(t, srv.base, op, "POST", "/api/v1/operators/alpha/snapshots?valid_from=2023-06-01", "application/yaml", parts["alpha"], 201, &snap)
	var runRec struct{ ID string }
	mustCall(t, srv.base, op, "POST", "/api/v1/operators/alpha/runs", "application/json",
		[]byte(`{"snapshot": "`+snap.ID+`", "packs": ["uk-dvd-2022"], "as_of": "2024-01-01"}`), 201, &runRec)
	mustCall(t, srv.base, op, "POST", "/api/v1/operators/alpha/runs/"+runRec.ID+"/attestation", "", nil, 201, nil)

	var key server.KeyView
	mustCall(t, srv.base, partner, "GET", "/api/v1/evidence/key", "", nil, 200, &key)
	var envelope, proof json.RawMessage
	mustCall(t, srv.base, partner, "GET", "/api/v1/operators/alpha/attestations/"+runRec.ID, "", nil, 200, &envelope)
	mustCall(t, srv.base, op, "GET", "/api/v1/operators/alpha/attestations/"+runRec.ID+"/proofs/A-001", "", nil, 200, &proof)
	mustCall(t, srv.base, partner, "GET", "/api/v1/operators/alpha/attestations/"+runRec.ID+"/proofs/A-001", "", nil, 403, nil)
	files := map[string][]byte{"server.pub": []byte(key.PublicKey), "alpha.dsse.json": envelope, "A-001.proof.json": proof}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	// The partner's check: signature and statement, and one disclosed site.
	code, out, errs = run(t, time.Now(), "verify", "--attestation", filepath.Join(dir, "alpha.dsse.json"),
		"--trust", filepath.Join(dir, "server.pub"), "--proof", filepath.Join(dir, "A-001.proof.json"))
	if code != 0 {
		t.Fatalf("corefence verify: %d\n%s%s", code, out, errs)
	}
	// The operator's check: the statement is what its own file gives.
	code, out, errs = run(t, time.Now(), "verify", "--attestation", filepath.Join(dir, "alpha.dsse.json"),
		"--trust", filepath.Join(dir, "server.pub"), "--inventory", alpha)
	if code != 0 {
		t.Fatalf("corefence verify --inventory: %d\n%s%s", code, out, errs)
	}
	t.Logf("corefence verify:\n%s", out)
}

// splitNetwork returns each operator's part of a network file, as YAML.
func splitNetwork(t *testing.T, path string) map[string][]byte {
	t.Helper()
	doc, err := importer.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for op, d := range server.SplitByOperator(doc) {
		var b bytes.Buffer
		if err := export.WriteYAML(&b, d); err != nil {
			t.Fatal(err)
		}
		out[op] = b.Bytes()
	}
	return out
}
