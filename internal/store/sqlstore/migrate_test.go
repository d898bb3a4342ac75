package sqlstore_test

import (
	"database/sql"
	"os"
	"path/filepath"
	"testing"

	_ "modernc.org/sqlite"

	"github.com/corefence/corefence/internal/store"
	"github.com/corefence/corefence/internal/store/sqlstore"
)

// TestMigrateNationalSQLite upgrades a store of schema version 5, holding
// a run with findings and an attestation, an exposure analysis and a plan,
// to the version that rebuilds those tables for the national view: every
// record is kept, foreign keys still hold, and numbering carries on.
func TestMigrateNationalSQLite(t *testing.T) {
	path := filepath.Join(t.TempDir(), "corefence.db")
	old, err := sql.Open("sqlite", "file:"+path+"?_pragma=foreign_keys(1)")
	if err != nil {
		t.Fatal(err)
	}
	exec := func(db *sql.DB, q string, args ...any) {
		t.Helper()
		if _, err := db.Exec(q, args...); err != nil {
			t.Fatalf("%.80s: %v", q, err)
		}
	}
	exec(old, `CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied BIGINT NOT NULL)`)
	for v, name := range []string{"001_init.sql", "002_attestations.sql", "003_exposures.sql", "004_finding_facets.sql", "005_plans.sql"} {
		body, err := os.ReadFile(filepath.Join("migrations", "sqlite", name))
		if err != nil {
			t.Fatal(err)
		}
		exec(old, string(body))
		exec(old, `INSERT INTO schema_migrations (version, applied) VALUES (?, 0)`, v+1)
	}
	exec(old, `INSERT INTO operators (id, name, created) VALUES ('a', 'A', 1)`)
	exec(old, `INSERT INTO snapshots (id, operator, digest, source, valid_from, uploaded, uploader, counts, content)
		VALUES ('s1', 'a', 'd', 'src', '2024-01-01', 1, 'x', '{}', x'00')`)
	exec(old, `INSERT INTO runs (seq, id, operator, snapshot, as_of, inputs, summary, created, creator, findings)
		VALUES (7, 'r1', 'a', 's1', '2025-01-01', '{}', '{}', 1, 'x', 1)`)
	exec(old, `INSERT INTO findings (run, seq, id, policy, rule, status, operator, site, element, vendor, body)
		VALUES ('r1', 1, 'f1', 'p', 'r', 'violation', 'a', 'S', 'E', 'huawei', '{}')`)
	exec(old, `INSERT INTO attestations (run, operator, as_of, key_id, statement, envelope, seed, recipe, created, creator)
		VALUES ('r1', 'a', '2025-01-01', 'k', 'st', '{}', x'00', '{}', 1, 'x')`)
	exec(old, `INSERT INTO exposures (id, operator, snapshot, inputs, report, created, creator) VALUES ('x1', 'a', 's1', '{}', '{}', 1, 'x')`)
	exec(old, `INSERT INTO plans (id, operator, snapshot, inputs, report, created, creator) VALUES ('p1', 'a', 's1', '{}', '{}', 1, 'x')`)
	old.Close()

	s, err := sqlstore.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	r, err := s.Run(ctx, "a", "r1")
	if err != nil || r.Snapshot != "s1" || r.Findings != 1 {
		t.Fatalf("the run after the upgrade: %+v %v", r, err)
	}
	if fs, err := s.Findings(ctx, store.FindingQuery{Run: "r1", Limit: 10}); err != nil || len(fs) != 1 {
		t.Fatalf("its findings: %+v %v", fs, err)
	}
	if a, err := s.Attestation(ctx, "a", "r1"); err != nil || a.KeyID != "k" {
		t.Fatalf("its attestation: %+v %v", a, err)
	}
	if _, err := s.Exposure(ctx, "a", "x1"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Plan(ctx, "a", "p1"); err != nil {
		t.Fatal(err)
	}
	// Findings and attestations still refer to runs: an orphan is refused.
	if _, err := s.SQL().Exec(`INSERT INTO findings (run, seq, id, policy, rule, status, operator, site, element, vendor, body)
		VALUES ('nope', 1, 'f', 'p', 'r', 's', 'a', '', '', '', '{}')`); err == nil {
		t.Fatal("a finding of no run was stored after the upgrade")
	}
	// A half national record (a snapshot without an operator) is refused.
	if _, err := s.SQL().Exec(`INSERT INTO runs (id, operator, snapshot, as_of, inputs, summary, created, creator, findings)
		VALUES ('bad', NULL, 's1', '2025-01-01', '{}', '{}', 1, 'x', 0)`); err == nil {
		t.Fatal("a run with a snapshot and no operator was stored")
	}
	// Runs are numbered after the ones kept.
	n, _, err := s.PutRun(ctx, store.System, store.Run{ID: "n1", Operator: store.National, AsOf: "2025-01-01", Inputs: "{}", Summary: "{}"}, nil)
	if err != nil || n.Seq <= 7 {
		t.Fatalf("a national run after the upgrade: %+v %v", n, err)
	}
	var fk int
	if err := s.SQL().QueryRow(`SELECT foreign_keys FROM pragma_foreign_keys`).Scan(&fk); err != nil || fk != 1 {
		t.Fatalf("foreign keys after the upgrade: %d %v", fk, err)
	}
}
