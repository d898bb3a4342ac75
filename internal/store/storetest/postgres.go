package storetest

import (
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx"
)

// DefaultPostgres is the database the tests use unless
// COREFENCE_TEST_POSTGRES names another: scripts/test starts it.
const DefaultPostgres = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// PostgresDSN creates a schema of its own for the test in the test
// PostgreSQL database, drops it when the test ends, and returns a DSN whose
// search_path is that schema. Without a reachable PostgreSQL the test is
// skipped, saying how to get one.
func PostgresDSN(t *testing.T) string {
	t.Helper()
	base := os.Getenv("COREFENCE_TEST_POSTGRES")
	if base == "" {
		base = DefaultPostgres
	}
	db, err := sql.Open("pgx", base)
	if err == nil {
		err = db.Ping()
	}
	if err != nil {
		if db != nil {
			db.Close()
		}
		t.Skipf("PostgreSQL is not reachable at %s (%v): run scripts/test, which starts one, or set COREFENCE_TEST_POSTGRES", base, err)
	}
	b := make([]byte, 6)
	rand.Read(b)
	schema := "cftest_" + hex.EncodeToString(b)
	if _, err := db.Exec(`CREATE SCHEMA ` + schema); err != nil { // a fresh random name, not input
		db.Close()
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		db.Exec(`DROP SCHEMA ` + schema + ` CASCADE`)
		db.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
