package sqlstore_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/corefence/corefence/internal/store"
	"github.com/corefence/corefence/internal/store/sqlstore"
	"github.com/corefence/corefence/internal/store/storetest"
)

var ctx = context.Background()

func openSQLite(t *testing.T) *sqlstore.DB {
	t.Helper()
	s, err := sqlstore.Open(ctx, filepath.Join(t.TempDir(), "corefence.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func openPostgres(t *testing.T) *sqlstore.DB {
	t.Helper()
	s, err := sqlstore.Open(ctx, storetest.PostgresDSN(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

var backends = []struct {
	name string
	open func(*testing.T) *sqlstore.DB
}{{"sqlite", openSQLite}, {"postgres", openPostgres}}

func TestStore(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			storetest.Run(t, func(t *testing.T) store.Store { return b.open(t) })
		})
	}
}

// TestReopen opens an existing store again: migrations already applied
// are not applied twice, and the data is there.
func TestReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "corefence.db")
	s, err := sqlstore.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateOperator(ctx, store.System, store.Operator{ID: "a", Name: "A"}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err = sqlstore.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, f := range []string{path, path + "-wal"} {
		if st, err := os.Stat(f); err != nil || st.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v %v, want mode 0600", f, st.Mode(), err)
		}
	}
	if _, err := s.Operator(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	// A database from a newer binary is refused, not half-understood.
	if _, err := s.SQL().Exec(`INSERT INTO schema_migrations (version, applied) VALUES (99, 0)`); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := sqlstore.Open(ctx, path); err == nil || !strings.Contains(err.Error(), "newer than this binary") {
		t.Fatalf("opening a newer database: %v", err)
	}
}

// TestAuditTamper edits, removes and reorders entries behind the store's
// back (dropping the append-only triggers first, as someone with the
// database would) and expects verification to name what happened.
func TestAuditTamper(t *testing.T) {
	dropTriggers := map[string]string{
		"sqlite":   `DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete`,
		"postgres": `DROP TRIGGER audit_log_no_change ON audit_log`,
	}
	cases := []struct {
		name, sql, want string
	}{
		{"edited", `UPDATE audit_log SET actor = 'someone-else' WHERE seq = 2`, "entry 2: hash"},
		{"removed", `DELETE FROM audit_log WHERE seq = 3`, "entry 4: expected sequence number 3"},
		{"reordered", `UPDATE audit_log SET seq = -2 WHERE seq = 2; UPDATE audit_log SET seq = 2 WHERE seq = 3; UPDATE audit_log SET seq = 3 WHERE seq = -2`, "entry 2: previous hash"},
		{"truncated", `DELETE FROM audit_log WHERE seq = 5`, "the log ends at entry 4"},
		{"rewritten", `UPDATE audit_log SET detail = '{}', hash = 'x' WHERE seq = 1`, "entry 1: hash"},
	}
	for _, b := range backends {
		for _, c := range cases {
			t.Run(b.name+"/"+c.name, func(t *testing.T) {
				s := b.open(t)
				for _, id := range []string{"a", "b", "c", "d", "e"} {
					if _, err := s.CreateOperator(ctx, store.System, store.Operator{ID: id, Name: id}); err != nil {
						t.Fatal(err)
					}
				}
				if probs := storetest.Verify(t, s); len(probs) != 0 {
					t.Fatalf("before tampering: %v", probs)
				}
				if _, err := s.SQL().Exec(`UPDATE audit_log SET actor = 'x' WHERE seq = 1`); err == nil {
					t.Fatal("the log accepted an update")
				}
				if _, err := s.SQL().Exec(`DELETE FROM audit_log WHERE seq = 1`); err == nil {
					t.Fatal("the log accepted a delete")
				}
				for _, stmt := range strings.Split(dropTriggers[b.name], ";") {
					if _, err := s.SQL().Exec(stmt); err != nil {
						t.Fatal(err)
					}
				}
				for _, stmt := range strings.Split(c.sql, ";") {
					if _, err := s.SQL().Exec(stmt); err != nil {
						t.Fatal(err)
					}
				}
				probs := storetest.Verify(t, s)
				if len(probs) == 0 || !strings.Contains(strings.Join(probs, "\n"), c.want) {
					t.Fatalf("verify after %s: %q, want %q", c.name, probs, c.want)
				}
			})
		}
	}
}

// TestSnapshotContentBeforeChunks: a snapshot stored before contents were
// stored in chunks (schema version 6) keeps its content in
// snapshots.content, and reads back from there; one stored now leaves
// that column empty and reads back from its chunks.
func TestSnapshotContentBeforeChunks(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			s := b.open(t)
			if _, err := s.CreateOperator(ctx, store.System, store.Operator{ID: "a", Name: "A"}); err != nil {
				t.Fatal(err)
			}
			old := []byte("stored whole, as version 6 did")
			q := `INSERT INTO snapshots (id, operator, digest, source, valid_from, uploaded, uploader, counts, content)
				VALUES ('old', 'a', 'sha256:old', 'sha256:src', '2024-01-01', 1, 'admin', '{}', ?)`
			if b.name == "postgres" {
				q = strings.Replace(q, "?", "$1", 1)
			}
			if _, err := s.SQL().Exec(q, old); err != nil {
				t.Fatal(err)
			}
			if got, err := s.SnapshotContent(ctx, "a", "old"); err != nil || !bytes.Equal(got, old) {
				t.Fatalf("old snapshot: %q, %v", got, err)
			}
			content := bytes.Repeat([]byte("0123456789abcdef"), 3<<20/16+1)
			if _, _, err := s.PutSnapshot(ctx, store.System, store.NewSnapshot{ID: "new", Operator: "a", Digest: "sha256:new",
				Source: "sha256:src", ValidFrom: "2025-01-01", Counts: "{}", Content: content}); err != nil {
				t.Fatal(err)
			}
			var whole, chunks int
			if err := s.SQL().QueryRow(`SELECT length(content), (SELECT count(*) FROM snapshot_chunks WHERE snapshot = 'new') FROM snapshots WHERE id = 'new'`).Scan(&whole, &chunks); err != nil {
				t.Fatal(err)
			}
			if whole != 0 || chunks != 4 {
				t.Errorf("new snapshot: %d bytes in snapshots.content and %d chunks, want 0 and 4", whole, chunks)
			}
			if got, err := s.SnapshotContent(ctx, "a", "new"); err != nil || !bytes.Equal(got, content) {
				t.Fatalf("new snapshot: %d bytes back of %d, %v", len(got), len(content), err)
			}
		})
	}
}
