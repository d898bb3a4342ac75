// Package sqlstore implements store.Store on SQLite (modernc.org/sqlite,
// pure Go, WAL) and on PostgreSQL (pgx). Both run the same queries over
// database/sql; the dialect differs only in placeholders, column types and
// how a write transaction takes its lock. The schema of each is a numbered
// list of migrations embedded in the binary and applied on open.
package sqlstore

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"embed"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx"
	_ "modernc.org/sqlite"             // registers "sqlite"

	"github.com/corefence/corefence/internal/audit"
	"github.com/corefence/corefence/internal/store"
)

//go:embed migrations
var migrations embed.FS

// DB is a store.Store on a SQL database.
type DB struct {
	db       *sql.DB
	postgres bool
	now      func() time.Time
	stmts    sync.Map // query text → *sql.Stmt, see stmt
}

var _ store.Store = (*DB)(nil)

// Open opens the store named by dsn: a postgres:// or postgresql:// URL for
// PostgreSQL, anything else a SQLite file path. It applies any migration
// the database lacks.
func Open(ctx context.Context, dsn string) (*DB, error) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		return OpenPostgres(ctx, dsn)
	}
	return OpenSQLite(ctx, dsn)
}

// OpenSQLite opens (creating if needed) the SQLite store at path, in WAL
// mode with foreign keys on. Write transactions begin IMMEDIATE, so two
// writers queue on the lock instead of failing to upgrade.
func OpenSQLite(ctx context.Context, path string) (*DB, error) {
	// The store holds token hashes and every operator's network: create it
	// readable by its owner only (SQLite gives its -wal and -shm files the
	// same mode).
	if f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600); err == nil {
		f.Close()
	} else if !errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("store: %w", err)
	}
	q := url.Values{}
	for _, p := range []string{"journal_mode(WAL)", "foreign_keys(1)", "busy_timeout(30000)", "synchronous(FULL)"} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, err
	}
	// Keep connections open: a new SQLite connection re-opens the file and
	// re-applies the pragmas, which costs more than most queries.
	db.SetMaxOpenConns(32)
	db.SetMaxIdleConns(32)
	return open(ctx, db, false)
}

// OpenPostgres connects to the PostgreSQL database at dsn.
func OpenPostgres(ctx context.Context, dsn string) (*DB, error) {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(32)
	db.SetMaxIdleConns(32)
	return open(ctx, db, true)
}

func open(ctx context.Context, db *sql.DB, postgres bool) (*DB, error) {
	s := &DB{db: db, postgres: postgres, now: time.Now}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// SetClock replaces the clock the store stamps records with (tests).
func (s *DB) SetClock(now func() time.Time) { s.now = now }

// Close closes the database.
func (s *DB) Close() error {
	s.stmts.Range(func(_, v any) bool {
		v.(*sql.Stmt).Close()
		return true
	})
	return s.db.Close()
}

// Ping checks the database answers.
func (s *DB) Ping(ctx context.Context) error { return s.db.PingContext(ctx) }

// SQL returns the underlying database, for backups and tests.
func (s *DB) SQL() *sql.DB { return s.db }

func (s *DB) micros() int64 { return s.now().UTC().UnixMicro() }

// Version is the number of the newest migration in the binary.
func Version() int {
	names, _ := migrationNames("sqlite")
	return len(names)
}

func migrationNames(dialect string) ([]string, error) {
	entries, err := fs.ReadDir(migrations, "migrations/"+dialect)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	for i, n := range names {
		if v, err := strconv.Atoi(strings.SplitN(n, "_", 2)[0]); err != nil || v != i+1 {
			return nil, fmt.Errorf("migration %s: want number %03d", n, i+1)
		}
	}
	return names, nil
}

// migrate applies the migrations the database lacks, each in its own
// transaction with its version row, so a crash leaves a whole version.
func (s *DB) migrate(ctx context.Context) error {
	dialect := "sqlite"
	if s.postgres {
		dialect = "postgres"
	}
	names, err := migrationNames(dialect)
	if err != nil {
		return err
	}
	if _, err := s.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied BIGINT NOT NULL)`); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	for i, name := range names {
		version := i + 1
		err := s.migrationTx(ctx, func(tx *sql.Tx) error {
			if s.postgres { // two servers starting at once take turns
				if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(7306)`); err != nil {
					return err
				}
			}
			var n int
			if err := tx.QueryRowContext(ctx, s.q(`SELECT count(*) FROM schema_migrations WHERE version = ?`), version).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			body, err := migrations.ReadFile(path.Join("migrations", dialect, name))
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, string(body)); err != nil {
				return fmt.Errorf("migration %s: %w", name, err)
			}
			_, err = tx.ExecContext(ctx, s.q(`INSERT INTO schema_migrations (version, applied) VALUES (?, ?)`), version, s.micros())
			return err
		})
		if err != nil {
			return fmt.Errorf("store: %w", err)
		}
	}
	var newest int
	if err := s.db.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&newest); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	if newest > len(names) {
		return fmt.Errorf("store: the database is at schema version %d, newer than this binary's %d: upgrade corefence", newest, len(names))
	}
	return nil
}

// migrationTx runs one migration in one transaction. On SQLite it runs
// with foreign keys off, on a connection of its own, and checks every
// foreign key before committing: the procedure SQLite documents for
// changing a table it cannot ALTER (create the new one, copy, drop the
// old, rename), which with foreign keys on would refuse to drop a table
// others refer to. PostgreSQL alters tables in place.
func (s *DB) migrationTx(ctx context.Context, fn func(*sql.Tx) error) error {
	if s.postgres {
		return s.tx(ctx, fn)
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	// The pragma is a no-op inside a transaction: set it before, and back
	// after, whatever happened, on this connection only.
	if _, err := conn.ExecContext(ctx, `PRAGMA foreign_keys = OFF`); err != nil {
		return err
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), `PRAGMA foreign_keys = ON`)
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	rows, err := tx.QueryContext(ctx, `PRAGMA foreign_key_check`)
	if err != nil {
		tx.Rollback()
		return err
	}
	broken := rows.Next()
	rows.Close()
	if err := rows.Err(); err != nil {
		tx.Rollback()
		return err
	}
	if broken {
		tx.Rollback()
		return errors.New("a migration left a foreign key unsatisfied; nothing was changed")
	}
	return tx.Commit()
}

// q rewrites ? placeholders as $1, $2 … for PostgreSQL. Queries here never
// hold a literal question mark.
func (s *DB) q(query string) string {
	if !s.postgres {
		return query
	}
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// stmt returns query (with ? placeholders) prepared, on SQLite. Parsing
// and planning a statement costs SQLite more than running one of the
// indexed reads here, so each query is prepared once (per connection,
// database/sql keeps track) and kept. Query texts are constants of this
// file, or built from a fixed set of them, so the map stays small.
// PostgreSQL needs none of this: pgx keeps a statement cache per
// connection of its own.
func (s *DB) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := s.stmts.Load(query); ok {
		return st.(*sql.Stmt), nil
	}
	st, err := s.db.PrepareContext(ctx, s.q(query))
	if err != nil {
		return nil, err
	}
	if prev, loaded := s.stmts.LoadOrStore(query, st); loaded {
		st.Close()
		return prev.(*sql.Stmt), nil
	}
	return st, nil
}

// query runs a read through its prepared statement.
func (s *DB) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if s.postgres {
		return s.db.QueryContext(ctx, s.q(query), args...)
	}
	st, err := s.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

// queryRow runs a one-row read through its prepared statement.
func (s *DB) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	if !s.postgres {
		if st, err := s.stmt(ctx, query); err == nil {
			return st.QueryRowContext(ctx, args...)
		}
	}
	// PostgreSQL, or a statement that did not prepare: database/sql
	// carries the error in the Row.
	return s.db.QueryRowContext(ctx, s.q(query), args...)
}

// tx runs fn in one transaction, committing if it returns nil.
func (s *DB) tx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// appendAudit adds an entry to the chain inside tx. Locking the head row
// first serialises appends on PostgreSQL; SQLite's IMMEDIATE transactions
// already do.
func (s *DB) appendAudit(ctx context.Context, tx *sql.Tx, by store.Actor, action, operator, subject, detail string) error {
	lock := ""
	if s.postgres {
		lock = " FOR UPDATE"
	}
	prev := audit.Entry{}
	if err := tx.QueryRowContext(ctx, `SELECT seq, hash FROM audit_head WHERE one = 1`+lock).Scan(&prev.Seq, &prev.Hash); err != nil {
		return fmt.Errorf("audit head: %w", err)
	}
	e := audit.Entry{At: s.micros(), Actor: by.Principal, Action: action, Operator: operator, Subject: subject, Detail: detail}
	if detail == "" {
		e.Detail = "{}"
	}
	if prev.Seq == 0 {
		e.Seal(nil)
	} else {
		e.Seal(&prev)
	}
	if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO audit_log (seq, at, actor, action, operator, subject, detail, prev, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`),
		e.Seq, e.At, e.Actor, e.Action, e.Operator, e.Subject, e.Detail, e.Prev, e.Hash); err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	_, err := tx.ExecContext(ctx, s.q(`UPDATE audit_head SET seq = ?, hash = ? WHERE one = 1`), e.Seq, e.Hash)
	return err
}

// lockAudit takes the audit head's lock at the start of a write that
// numbers its record (snapshots, runs …), so that the records' order and
// the audit log's agree when writes race. On PostgreSQL an identity is
// drawn at INSERT, before the head is locked, so two writes could
// otherwise be numbered in one order and audited in the other. SQLite's
// IMMEDIATE transactions serialise whole writes already.
func (s *DB) lockAudit(ctx context.Context, tx *sql.Tx) error {
	if !s.postgres {
		return nil
	}
	_, err := tx.ExecContext(ctx, `SELECT one FROM audit_head WHERE one = 1 FOR UPDATE`)
	return err
}

// Audit appends an entry for an event that is not itself a write.
func (s *DB) Audit(ctx context.Context, by store.Actor, action, operator, subject, detail string) error {
	return s.tx(ctx, func(tx *sql.Tx) error { return s.appendAudit(ctx, tx, by, action, operator, subject, detail) })
}

// AuditLog streams the log in order and returns the recorded head. It reads
// in one transaction, so the entries and the head agree.
func (s *DB) AuditLog(ctx context.Context, fn func(audit.Entry) error) (int64, string, error) {
	var headSeq int64
	var headHash string
	err := s.readTx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `SELECT seq, hash FROM audit_head WHERE one = 1`).Scan(&headSeq, &headHash); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT seq, at, actor, action, operator, subject, detail, prev, hash FROM audit_log ORDER BY seq`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var e audit.Entry
			if err := rows.Scan(&e.Seq, &e.At, &e.Actor, &e.Action, &e.Operator, &e.Subject, &e.Detail, &e.Prev, &e.Hash); err != nil {
				return err
			}
			if err := fn(e); err != nil {
				return err
			}
		}
		return rows.Err()
	})
	return headSeq, headHash, err
}

// AuditEntries returns a page of the log.
func (s *DB) AuditEntries(ctx context.Context, page store.Page) ([]audit.Entry, error) {
	rows, err := s.query(ctx, `SELECT seq, at, actor, action, operator, subject, detail, prev, hash
		FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?`, page.After, limit(page.Limit))
	return collect(rows, err, func(r *sql.Rows, e *audit.Entry) error {
		return r.Scan(&e.Seq, &e.At, &e.Actor, &e.Action, &e.Operator, &e.Subject, &e.Detail, &e.Prev, &e.Hash)
	})
}

// Size is the database's size: its pages on SQLite, pg_database_size on
// PostgreSQL (the whole database, other schemas included).
func (s *DB) Size(ctx context.Context) (int64, error) {
	var n int64
	query := `SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()`
	if s.postgres {
		query = `SELECT pg_database_size(current_database())`
	}
	err := s.db.QueryRowContext(ctx, query).Scan(&n)
	return n, err
}

// readTx runs fn in one transaction that only reads: a consistent view on
// both databases (on SQLite, whose transactions here all begin IMMEDIATE,
// writers wait for it).
func (s *DB) readTx(ctx context.Context, fn func(*sql.Tx) error) error {
	var opts *sql.TxOptions
	if s.postgres {
		opts = &sql.TxOptions{ReadOnly: true, Isolation: sql.LevelRepeatableRead}
	}
	tx, err := s.db.BeginTx(ctx, opts)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	return fn(tx)
}

// Operators

// CreateOperator adds a tenant.
func (s *DB) CreateOperator(ctx context.Context, by store.Actor, op store.Operator) (store.Operator, error) {
	op.Created = s.micros()
	err := s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`INSERT INTO operators (id, name, created) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`), op.ID, op.Name, op.Created)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("operator %q: %w", op.ID, store.ErrConflict)
		}
		return s.appendAudit(ctx, tx, by, "operator.create", op.ID, op.ID, jsonObject("name", op.Name))
	})
	return op, err
}

// Operator returns one tenant.
func (s *DB) Operator(ctx context.Context, id string) (store.Operator, error) {
	var op store.Operator
	err := s.queryRow(ctx, `SELECT id, name, created FROM operators WHERE id = ?`, id).Scan(&op.ID, &op.Name, &op.Created)
	return op, notFound(err, "operator", id)
}

// Operators lists the tenants by id.
func (s *DB) Operators(ctx context.Context) ([]store.Operator, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, name, created FROM operators ORDER BY id`)
	return collect(rows, err, func(r *sql.Rows, op *store.Operator) error { return r.Scan(&op.ID, &op.Name, &op.Created) })
}

// Principals and tokens

// CreatePrincipal adds a principal.
func (s *DB) CreatePrincipal(ctx context.Context, by store.Actor, p store.Principal) (store.Principal, error) {
	if !store.ValidRole(p.Role) {
		return p, fmt.Errorf("role %q: want one of %s", p.Role, strings.Join(store.Roles, ", "))
	}
	if (p.Role == store.RoleOperator) != (p.Operator != "") {
		return p, fmt.Errorf("principal %q: an operator principal names its operator, and only it does", p.ID)
	}
	p.Created = s.micros()
	err := s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`INSERT INTO principals (id, name, role, operator, created) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`),
			p.ID, p.Name, p.Role, nullString(p.Operator), p.Created)
		if err != nil {
			return foreignKey(err, "operator", p.Operator)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("principal %q: %w", p.ID, store.ErrConflict)
		}
		return s.appendAudit(ctx, tx, by, "principal.create", p.Operator, p.ID, jsonObject("role", p.Role, "name", p.Name))
	})
	return p, err
}

const principalColumns = `id, name, role, coalesce(operator, ''), created`

func scanPrincipal(r interface{ Scan(...any) error }, p *store.Principal) error {
	return r.Scan(&p.ID, &p.Name, &p.Role, &p.Operator, &p.Created)
}

// Principal returns one principal.
func (s *DB) Principal(ctx context.Context, id string) (store.Principal, error) {
	var p store.Principal
	err := scanPrincipal(s.queryRow(ctx, `SELECT `+principalColumns+` FROM principals WHERE id = ?`, id), &p)
	return p, notFound(err, "principal", id)
}

// Principals lists every principal by id.
func (s *DB) Principals(ctx context.Context) ([]store.Principal, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+principalColumns+` FROM principals ORDER BY id`)
	return collect(rows, err, func(r *sql.Rows, p *store.Principal) error { return scanPrincipal(r, p) })
}

// tokenPrefix marks corefence tokens, so that secret scanners and people
// recognise one.
const tokenPrefix = "cft_"

// IssueToken creates a token: "cft_" + its id (hex) + "_" + 32 random
// bytes (base64url). The
// id finds the row; the secret's SHA-256 is compared in constant time.
func (s *DB) IssueToken(ctx context.Context, by store.Actor, principal string, expires int64) (string, store.Token, error) {
	id, secret := make([]byte, 9), make([]byte, 32)
	if _, err := rand.Read(id); err != nil {
		return "", store.Token{}, err
	}
	if _, err := rand.Read(secret); err != nil {
		return "", store.Token{}, err
	}
	t := store.Token{ID: hex.EncodeToString(id), Principal: principal, Created: s.micros(), Expires: expires}
	full := tokenPrefix + t.ID + "_" + base64.RawURLEncoding.EncodeToString(secret)
	hash := sha256.Sum256([]byte(full))
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var op string
		err := tx.QueryRowContext(ctx, s.q(`SELECT coalesce(operator, '') FROM principals WHERE id = ?`), principal).Scan(&op)
		if err != nil {
			return notFound(err, "principal", principal)
		}
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO tokens (id, principal, hash, created, expires) VALUES (?, ?, ?, ?, ?)`),
			t.ID, principal, hash[:], t.Created, expires); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, by, "token.issue", op, t.ID, jsonObject("principal", principal, "expires", strconv.FormatInt(expires, 10)))
	})
	if err != nil {
		return "", store.Token{}, err
	}
	return full, t, nil
}

// Authenticate checks a bearer secret.
func (s *DB) Authenticate(ctx context.Context, secret string, now int64) (store.Principal, store.Token, error) {
	var p store.Principal
	var t store.Token
	rest, ok := strings.CutPrefix(secret, tokenPrefix)
	id, _, ok2 := strings.Cut(rest, "_")
	if !ok || !ok2 || len(secret) > 200 {
		return p, t, store.ErrUnauthenticated
	}
	var stored []byte
	err := s.queryRow(ctx, `SELECT t.id, t.principal, t.hash, t.created, t.expires, t.revoked,
		p.id, p.name, p.role, coalesce(p.operator, ''), p.created
		FROM tokens t JOIN principals p ON p.id = t.principal WHERE t.id = ?`, id).
		Scan(&t.ID, &t.Principal, &stored, &t.Created, &t.Expires, &t.Revoked, &p.ID, &p.Name, &p.Role, &p.Operator, &p.Created)
	if errors.Is(err, sql.ErrNoRows) {
		return store.Principal{}, store.Token{}, store.ErrUnauthenticated
	}
	if err != nil {
		return store.Principal{}, store.Token{}, err
	}
	got := sha256.Sum256([]byte(secret))
	if subtle.ConstantTimeCompare(got[:], stored) != 1 || t.Revoked != 0 || (t.Expires != 0 && now >= t.Expires) {
		return store.Principal{}, store.Token{}, store.ErrUnauthenticated
	}
	return p, t, nil
}

// RevokeToken revokes a token; revoking it again is harmless.
func (s *DB) RevokeToken(ctx context.Context, by store.Actor, id string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		var principal string
		if err := tx.QueryRowContext(ctx, s.q(`SELECT principal FROM tokens WHERE id = ?`), id).Scan(&principal); err != nil {
			return notFound(err, "token", id)
		}
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE tokens SET revoked = ? WHERE id = ? AND revoked = 0`), s.micros(), id); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, by, "token.revoke", "", id, jsonObject("principal", principal))
	})
}

// Tokens lists a principal's tokens, without secrets.
func (s *DB) Tokens(ctx context.Context, principal string) ([]store.Token, error) {
	rows, err := s.query(ctx, `SELECT id, principal, created, expires, revoked FROM tokens WHERE principal = ? ORDER BY created, id`, principal)
	return collect(rows, err, func(r *sql.Rows, t *store.Token) error {
		return r.Scan(&t.ID, &t.Principal, &t.Created, &t.Expires, &t.Revoked)
	})
}

// Snapshots

const snapshotColumns = `seq, id, operator, digest, source, valid_from, uploaded, uploader, counts`

func scanSnapshot(r interface{ Scan(...any) error }, sn *store.Snapshot) error {
	return r.Scan(&sn.Seq, &sn.ID, &sn.Operator, &sn.Digest, &sn.Source, &sn.ValidFrom, &sn.Uploaded, &sn.Uploader, &sn.Counts)
}

// PutSnapshot stores a snapshot once.
func (s *DB) PutSnapshot(ctx context.Context, by store.Actor, n store.NewSnapshot) (store.Snapshot, bool, error) {
	var sn store.Snapshot
	created := false
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.lockAudit(ctx, tx); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, s.q(`INSERT INTO snapshots (id, operator, digest, source, valid_from, uploaded, uploader, counts, content)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`),
			n.ID, n.Operator, n.Digest, n.Source, n.ValidFrom, s.micros(), by.Principal, n.Counts, []byte{})
		if err != nil {
			return foreignKey(err, "operator", n.Operator)
		}
		if k, _ := res.RowsAffected(); k == 1 {
			created = true
			if err := s.putChunks(ctx, tx, n.ID, n.Content); err != nil {
				return err
			}
			if err := s.appendAudit(ctx, tx, by, "snapshot.create", n.Operator, n.ID,
				jsonObject("digest", n.Digest, "source", n.Source, "valid_from", n.ValidFrom)); err != nil {
				return err
			}
		}
		err = scanSnapshot(tx.QueryRowContext(ctx, s.q(`SELECT `+snapshotColumns+` FROM snapshots WHERE id = ?`), n.ID), &sn)
		if err == nil && sn.Operator != n.Operator { // ids include the operator; this cannot happen
			return fmt.Errorf("snapshot %s: %w", n.ID, store.ErrConflict)
		}
		return err
	})
	return sn, created, err
}

// Snapshot returns one of operator's snapshots.
func (s *DB) Snapshot(ctx context.Context, operator, id string) (store.Snapshot, error) {
	var sn store.Snapshot
	err := scanSnapshot(s.queryRow(ctx, `SELECT `+snapshotColumns+` FROM snapshots WHERE operator = ? AND id = ?`, operator, id), &sn)
	return sn, notFound(err, "snapshot", id)
}

// chunkSize is the most a row of snapshot_chunks holds.
const chunkSize = 1 << 20

// putChunks stores a snapshot's content in rows of chunkSize bytes.
func (s *DB) putChunks(ctx context.Context, tx *sql.Tx, id string, content []byte) error {
	stmt, err := tx.PrepareContext(ctx, s.q(`INSERT INTO snapshot_chunks (snapshot, n, data) VALUES (?, ?, ?)`))
	if err != nil {
		return err
	}
	defer stmt.Close()
	for n := 0; n*chunkSize < len(content); n++ {
		if _, err := stmt.ExecContext(ctx, id, n, content[n*chunkSize:min((n+1)*chunkSize, len(content))]); err != nil {
			return err
		}
	}
	return nil
}

// SnapshotContent returns a snapshot's canonical inventory: its chunks in
// order, or, for a snapshot stored before they were, its content column.
func (s *DB) SnapshotContent(ctx context.Context, operator, id string) ([]byte, error) {
	var b []byte
	var size int64
	err := s.queryRow(ctx, `SELECT content, (SELECT coalesce(sum(length(data)), 0) FROM snapshot_chunks WHERE snapshot = snapshots.id)
		FROM snapshots WHERE operator = ? AND id = ?`, operator, id).Scan(&b, &size)
	if err != nil || size == 0 {
		return b, notFound(err, "snapshot", id)
	}
	rows, err := s.query(ctx, `SELECT data FROM snapshot_chunks WHERE snapshot = ? ORDER BY n`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	b = make([]byte, 0, size)
	var chunk sql.RawBytes
	for rows.Next() {
		if err := rows.Scan(&chunk); err != nil {
			return nil, err
		}
		b = append(b, chunk...)
	}
	return b, rows.Err()
}

// Snapshots lists operator's snapshots in upload order.
func (s *DB) Snapshots(ctx context.Context, operator string, page store.Page) ([]store.Snapshot, error) {
	rows, err := s.query(ctx, `SELECT `+snapshotColumns+` FROM snapshots WHERE operator = ? AND seq > ? ORDER BY seq LIMIT ?`,
		operator, page.After, limit(page.Limit))
	return collect(rows, err, func(r *sql.Rows, sn *store.Snapshot) error { return scanSnapshot(r, sn) })
}

// SnapshotAsOf returns the snapshot that describes operator's network on date.
func (s *DB) SnapshotAsOf(ctx context.Context, operator, date string) (store.Snapshot, error) {
	var sn store.Snapshot
	err := scanSnapshot(s.queryRow(ctx, `SELECT `+snapshotColumns+` FROM snapshots
		WHERE operator = ? AND valid_from <= ? ORDER BY valid_from DESC, seq DESC LIMIT 1`, operator, date), &sn)
	return sn, notFound(err, "snapshot of "+operator+" valid on", date)
}

// SnapshotCount counts every snapshot.
func (s *DB) SnapshotCount(ctx context.Context) (int64, error) {
	var n int64
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM snapshots`).Scan(&n)
	return n, err
}

// Runs

const runColumns = `seq, id, ` + subjectColumns + `, as_of, inputs, summary, created, creator, findings`

// subjectColumns read a record's operator and snapshot: NULL, on the
// national view, reads as store.National and "".
const subjectColumns = `coalesce(operator, '` + store.National + `'), coalesce(snapshot, '')`

// ofSubject is the condition selecting operator's records, and its
// arguments: those of the national view have no operator. Both forms are
// index searches on (operator, seq).
func ofSubject(operator string) (string, []any) {
	if operator == store.National {
		return `operator IS NULL`, nil
	}
	return `operator = ?`, []any{operator}
}

// subjectValues are the operator and snapshot columns to insert for a
// record: NULL on the national view.
func subjectValues(operator, snapshot string) (any, any) {
	if operator == store.National {
		return nil, nil
	}
	return operator, snapshot
}

// checkSubject confirms, inside tx, that a record's snapshot is its
// operator's; a record of the national view names none.
func (s *DB) checkSubject(ctx context.Context, tx *sql.Tx, operator, snapshot string) error {
	if operator == store.National {
		if snapshot != "" {
			return fmt.Errorf("a record of the national view names no snapshot, not %s", snapshot)
		}
		return nil
	}
	var snapOp string
	if err := tx.QueryRowContext(ctx, s.q(`SELECT operator FROM snapshots WHERE id = ?`), snapshot).Scan(&snapOp); err != nil {
		return notFound(err, "snapshot", snapshot)
	}
	if snapOp != operator {
		return fmt.Errorf("snapshot %s: %w", snapshot, store.ErrNotFound)
	}
	return nil
}

func scanRun(r interface{ Scan(...any) error }, run *store.Run) error {
	return r.Scan(&run.Seq, &run.ID, &run.Operator, &run.Snapshot, &run.AsOf, &run.Inputs, &run.Summary, &run.Created, &run.Creator, &run.Findings)
}

// Run returns one of operator's runs.
func (s *DB) Run(ctx context.Context, operator, id string) (store.Run, error) {
	var r store.Run
	cond, args := ofSubject(operator)
	err := scanRun(s.queryRow(ctx, `SELECT `+runColumns+` FROM runs WHERE `+cond+` AND id = ?`, append(args, id)...), &r)
	return r, notFound(err, "run", id)
}

// PutRun stores a run with its findings, all or nothing.
func (s *DB) PutRun(ctx context.Context, by store.Actor, r store.Run, findings []store.Finding) (store.Run, bool, error) {
	created := false
	var out store.Run
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.lockAudit(ctx, tx); err != nil {
			return err
		}
		if err := s.checkSubject(ctx, tx, r.Operator, r.Snapshot); err != nil {
			return err
		}
		op, snap := subjectValues(r.Operator, r.Snapshot)
		res, err := tx.ExecContext(ctx, s.q(`INSERT INTO runs (id, operator, snapshot, as_of, inputs, summary, created, creator, findings)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`),
			r.ID, op, snap, r.AsOf, r.Inputs, r.Summary, s.micros(), by.Principal, len(findings))
		if err != nil {
			return err
		}
		if k, _ := res.RowsAffected(); k == 1 {
			created = true
			if err := s.insertFindings(ctx, tx, r.ID, findings); err != nil {
				return err
			}
			if err := s.appendAudit(ctx, tx, by, "run.create", r.Operator, r.ID,
				jsonObject("snapshot", r.Snapshot, "as_of", r.AsOf, "findings", strconv.Itoa(len(findings)))); err != nil {
				return err
			}
		}
		if err := scanRun(tx.QueryRowContext(ctx, s.q(`SELECT `+runColumns+` FROM runs WHERE id = ?`), r.ID), &out); err != nil {
			return err
		}
		if out.Operator != r.Operator { // ids are digests of inputs that name the subject; this cannot happen
			return fmt.Errorf("run %s: %w", r.ID, store.ErrConflict)
		}
		return nil
	})
	return out, created, err
}

// insertFindings writes findings in multi-row statements: one round trip
// per batch instead of per row.
func (s *DB) insertFindings(ctx context.Context, tx *sql.Tx, run string, fs []store.Finding) error {
	const cols = 13
	const batch = 500 // SQLite allows 32766 parameters; PostgreSQL 65535
	for start := 0; start < len(fs); start += batch {
		end := min(start+batch, len(fs))
		var b strings.Builder
		b.WriteString(`INSERT INTO findings (run, seq, id, policy, rule, status, operator, site, element, vendor, body, technology, deadline) VALUES `)
		args := make([]any, 0, (end-start)*cols)
		for i := start; i < end; i++ {
			if i > start {
				b.WriteByte(',')
			}
			b.WriteString(`(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
			f := &fs[i]
			args = append(args, run, int64(i+1), f.ID, f.Policy, f.Rule, f.Status, f.Operator, f.Site, f.Element, f.Vendor, f.JSON,
				f.Technology, f.Deadline)
		}
		if _, err := tx.ExecContext(ctx, s.q(b.String()), args...); err != nil {
			return fmt.Errorf("findings: %w", err)
		}
	}
	return nil
}

// Runs lists operator's runs in creation order.
func (s *DB) Runs(ctx context.Context, operator string, page store.Page) ([]store.Run, error) {
	cond, args := ofSubject(operator)
	rows, err := s.query(ctx, `SELECT `+runColumns+` FROM runs WHERE `+cond+` AND seq > ? ORDER BY seq LIMIT ?`,
		append(args, page.After, limit(page.Limit))...)
	return collect(rows, err, func(r *sql.Rows, run *store.Run) error { return scanRun(r, run) })
}

// RunCount counts every run.
func (s *DB) RunCount(ctx context.Context) (int64, error) {
	var n int64
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM runs`).Scan(&n)
	return n, err
}

// Findings returns a filtered page of a run's findings. The caller has
// checked the run is visible to it.
func (s *DB) Findings(ctx context.Context, fq store.FindingQuery) ([]store.Finding, error) {
	where := []string{"run = ?", "seq > ?"}
	args := []any{fq.Run, fq.After}
	for _, f := range []struct{ col, v string }{{"rule", fq.Rule}, {"status", fq.Status}, {"site", fq.Site}, {"vendor", fq.Vendor}, {"policy", fq.Policy}} {
		if f.v != "" {
			where = append(where, f.col+" = ?") // column names are constants
			args = append(args, f.v)
		}
	}
	args = append(args, limit(fq.Limit))
	rows, err := s.query(ctx, `SELECT run, seq, id, policy, rule, status, operator, site, element, vendor, body
		FROM findings WHERE `+strings.Join(where, " AND ")+` ORDER BY seq LIMIT ?`, args...)
	return collect(rows, err, func(r *sql.Rows, f *store.Finding) error {
		return r.Scan(&f.Run, &f.Seq, &f.ID, &f.Policy, &f.Rule, &f.Status, &f.Operator, &f.Site, &f.Element, &f.Vendor, &f.JSON)
	})
}

// Waivers

// PutWaiver records a waiver; its id is assigned when empty.
func (s *DB) PutWaiver(ctx context.Context, by store.Actor, w store.Waiver) (store.Waiver, error) {
	if w.ID == "" {
		b := make([]byte, 12)
		if _, err := rand.Read(b); err != nil {
			return w, err
		}
		w.ID = "w_" + hex.EncodeToString(b)
	}
	w.Created, w.Creator, w.Revoked = s.micros(), by.Principal, 0
	err := s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`INSERT INTO waivers (id, operator, rule, element, site, reason, approver, expires, created, creator)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`),
			w.ID, w.Operator, w.Rule, w.Element, w.Site, w.Reason, w.Approver, w.Expires, w.Created, w.Creator)
		if err != nil {
			return foreignKey(err, "operator", w.Operator)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("waiver %q: %w", w.ID, store.ErrConflict)
		}
		return s.appendAudit(ctx, tx, by, "waiver.create", w.Operator, w.ID,
			jsonObject("rule", w.Rule, "element", w.Element, "site", w.Site, "approver", w.Approver, "expires", w.Expires, "reason", w.Reason))
	})
	return w, err
}

// Waivers lists operator's waivers, revoked ones included, oldest first.
func (s *DB) Waivers(ctx context.Context, operator string) ([]store.Waiver, error) {
	rows, err := s.query(ctx, `SELECT id, operator, rule, element, site, reason, approver, expires, created, creator, revoked
		FROM waivers WHERE operator = ? ORDER BY created, id`, operator)
	return collect(rows, err, func(r *sql.Rows, w *store.Waiver) error {
		return r.Scan(&w.ID, &w.Operator, &w.Rule, &w.Element, &w.Site, &w.Reason, &w.Approver, &w.Expires, &w.Created, &w.Creator, &w.Revoked)
	})
}

// RevokeWaiver revokes one of operator's waivers.
func (s *DB) RevokeWaiver(ctx context.Context, by store.Actor, operator, id string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`UPDATE waivers SET revoked = ? WHERE operator = ? AND id = ? AND revoked = 0`), s.micros(), operator, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			var k int
			tx.QueryRowContext(ctx, s.q(`SELECT count(*) FROM waivers WHERE operator = ? AND id = ?`), operator, id).Scan(&k)
			if k == 0 {
				return fmt.Errorf("waiver %q: %w", id, store.ErrNotFound)
			}
			return nil // already revoked
		}
		return s.appendAudit(ctx, tx, by, "waiver.revoke", operator, id, "")
	})
}

// Analyses: exposure analyses and plans, one table each of the same
// shape.

const analysisColumns = `seq, id, ` + subjectColumns + `, inputs, created, creator`

func scanAnalysis(r interface{ Scan(...any) error }, e *store.Analysis, extra ...any) error {
	return r.Scan(append([]any{&e.Seq, &e.ID, &e.Operator, &e.Snapshot, &e.Inputs, &e.Created, &e.Creator}, extra...)...)
}

// analysisKind is one table of analyses and its audit action; both are
// constants, never input.
type analysisKind struct{ table, action, what string }

var (
	exposures = analysisKind{"exposures", "exposure.create", "exposure"}
	plans     = analysisKind{"plans", "plan.create", "plan"}
)

// putAnalysis stores an analysis of kind k, once.
func (s *DB) putAnalysis(ctx context.Context, k analysisKind, by store.Actor, e store.Analysis) (store.Analysis, bool, error) {
	created := false
	var out store.Analysis
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.lockAudit(ctx, tx); err != nil {
			return err
		}
		if err := s.checkSubject(ctx, tx, e.Operator, e.Snapshot); err != nil {
			return err
		}
		op, snap := subjectValues(e.Operator, e.Snapshot)
		res, err := tx.ExecContext(ctx, s.q(`INSERT INTO `+k.table+` (id, operator, snapshot, inputs, report, created, creator)
			VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`),
			e.ID, op, snap, e.Inputs, e.Report, s.micros(), by.Principal)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 1 {
			created = true
			if err := s.appendAudit(ctx, tx, by, k.action, e.Operator, e.ID, jsonObject("snapshot", e.Snapshot)); err != nil {
				return err
			}
		}
		if err := scanAnalysis(tx.QueryRowContext(ctx, s.q(`SELECT `+analysisColumns+`, report FROM `+k.table+` WHERE id = ?`), e.ID), &out, &out.Report); err != nil {
			return err
		}
		if out.Operator != e.Operator { // ids are digests of inputs that name the subject; this cannot happen
			return fmt.Errorf("%s %s: %w", k.what, e.ID, store.ErrConflict)
		}
		return nil
	})
	return out, created, err
}

// analysis returns one of operator's analyses of kind k with its report.
func (s *DB) analysis(ctx context.Context, k analysisKind, operator, id string) (store.Analysis, error) {
	var e store.Analysis
	cond, args := ofSubject(operator)
	err := scanAnalysis(s.queryRow(ctx, `SELECT `+analysisColumns+`, report FROM `+k.table+` WHERE `+cond+` AND id = ?`,
		append(args, id)...), &e, &e.Report)
	return e, notFound(err, k.what, id)
}

// analyses lists operator's analyses of kind k in creation order.
func (s *DB) analyses(ctx context.Context, k analysisKind, operator string, page store.Page) ([]store.Analysis, error) {
	cond, args := ofSubject(operator)
	rows, err := s.query(ctx, `SELECT `+analysisColumns+` FROM `+k.table+` WHERE `+cond+` AND seq > ? ORDER BY seq LIMIT ?`,
		append(args, page.After, limit(page.Limit))...)
	return collect(rows, err, func(r *sql.Rows, e *store.Analysis) error { return scanAnalysis(r, e) })
}

// PutExposure stores an exposure analysis, once.
func (s *DB) PutExposure(ctx context.Context, by store.Actor, e store.Exposure) (store.Exposure, bool, error) {
	return s.putAnalysis(ctx, exposures, by, e)
}

// Exposure returns one of operator's exposure analyses with its report.
func (s *DB) Exposure(ctx context.Context, operator, id string) (store.Exposure, error) {
	return s.analysis(ctx, exposures, operator, id)
}

// Exposures lists operator's exposure analyses in creation order.
func (s *DB) Exposures(ctx context.Context, operator string, page store.Page) ([]store.Exposure, error) {
	return s.analyses(ctx, exposures, operator, page)
}

// PutPlan stores a plan, once.
func (s *DB) PutPlan(ctx context.Context, by store.Actor, p store.Plan) (store.Plan, bool, error) {
	return s.putAnalysis(ctx, plans, by, p)
}

// Plan returns one of operator's plans with its report.
func (s *DB) Plan(ctx context.Context, operator, id string) (store.Plan, error) {
	return s.analysis(ctx, plans, operator, id)
}

// Plans lists operator's plans in creation order.
func (s *DB) Plans(ctx context.Context, operator string, page store.Page) ([]store.Plan, error) {
	return s.analyses(ctx, plans, operator, page)
}

// Attestations

const attestationColumns = `seq, run, operator, as_of, key_id, statement, created, creator`

func scanAttestation(r interface{ Scan(...any) error }, a *store.Attestation, extra ...any) error {
	return r.Scan(append([]any{&a.Seq, &a.Run, &a.Operator, &a.AsOf, &a.KeyID, &a.Statement, &a.Created, &a.Creator}, extra...)...)
}

// PutAttestation stores a run's attestation, once.
func (s *DB) PutAttestation(ctx context.Context, by store.Actor, a store.Attestation) (store.Attestation, bool, error) {
	created := false
	var out store.Attestation
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.lockAudit(ctx, tx); err != nil {
			return err
		}
		var runOp string
		if err := tx.QueryRowContext(ctx, s.q(`SELECT coalesce(operator, '') FROM runs WHERE id = ?`), a.Run).Scan(&runOp); err != nil {
			return notFound(err, "run", a.Run)
		}
		if runOp != a.Operator {
			return fmt.Errorf("run %s: %w", a.Run, store.ErrNotFound)
		}
		res, err := tx.ExecContext(ctx, s.q(`INSERT INTO attestations (run, operator, as_of, key_id, statement, envelope, seed, recipe, created, creator)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`),
			a.Run, a.Operator, a.AsOf, a.KeyID, a.Statement, string(a.Envelope), a.Seed, a.Recipe, s.micros(), by.Principal)
		if err != nil {
			return err
		}
		if k, _ := res.RowsAffected(); k == 1 {
			created = true
			if err := s.appendAudit(ctx, tx, by, "attestation.create", a.Operator, a.Run,
				jsonObject("key_id", a.KeyID, "statement", a.Statement)); err != nil {
				return err
			}
		}
		return scanAttestation(tx.QueryRowContext(ctx, s.q(`SELECT `+attestationColumns+` FROM attestations WHERE run = ?`), a.Run), &out)
	})
	return out, created, err
}

// Attestation returns the attestation of one of operator's runs.
func (s *DB) Attestation(ctx context.Context, operator, run string) (store.Attestation, error) {
	var a store.Attestation
	var envelope string
	err := scanAttestation(s.queryRow(ctx, `SELECT `+attestationColumns+`, envelope, seed, recipe
		FROM attestations WHERE operator = ? AND run = ?`, operator, run), &a, &envelope, &a.Seed, &a.Recipe)
	a.Envelope = []byte(envelope)
	return a, notFound(err, "attestation of run", run)
}

// Attestations lists operator's attestations, or everyone's, in creation
// order.
func (s *DB) Attestations(ctx context.Context, operator string, page store.Page) ([]store.Attestation, error) {
	where, args := `operator = ? AND seq > ?`, []any{operator, page.After}
	if operator == "" {
		where, args = `seq > ?`, []any{page.After}
	}
	rows, err := s.query(ctx, `SELECT `+attestationColumns+` FROM attestations WHERE `+where+` ORDER BY seq LIMIT ?`,
		append(args, limit(page.Limit))...)
	return collect(rows, err, func(r *sql.Rows, a *store.Attestation) error { return scanAttestation(r, a) })
}

// Packs

// PutPack stores a pack, replacing an earlier one of the same id.
func (s *DB) PutPack(ctx context.Context, by store.Actor, p store.Pack) (store.Pack, error) {
	p.Created, p.Creator = s.micros(), by.Principal
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO packs (id, version, digest, created, creator, content) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET version = excluded.version, digest = excluded.digest, created = excluded.created,
			creator = excluded.creator, content = excluded.content`), p.ID, p.Version, p.Digest, p.Created, p.Creator, p.Content); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, by, "pack.put", "", p.ID, jsonObject("version", p.Version, "digest", p.Digest))
	})
	return p, err
}

// Pack returns a stored pack with its content.
func (s *DB) Pack(ctx context.Context, id string) (store.Pack, error) {
	var p store.Pack
	err := s.queryRow(ctx, `SELECT id, version, digest, created, creator, content FROM packs WHERE id = ?`, id).
		Scan(&p.ID, &p.Version, &p.Digest, &p.Created, &p.Creator, &p.Content)
	return p, notFound(err, "pack", id)
}

// Packs lists stored packs, without content.
func (s *DB) Packs(ctx context.Context) ([]store.Pack, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, version, digest, created, creator FROM packs ORDER BY id`)
	return collect(rows, err, func(r *sql.Rows, p *store.Pack) error {
		return r.Scan(&p.ID, &p.Version, &p.Digest, &p.Created, &p.Creator)
	})
}

// helpers

const maxLimit = 1000

func limit(n int) int {
	if n <= 0 || n > maxLimit {
		return maxLimit
	}
	return n
}

func collect[T any](rows *sql.Rows, err error, scan func(*sql.Rows, *T) error) ([]T, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		var v T
		if err := scan(rows, &v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

func notFound(err error, what, id string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%s %q: %w", what, id, store.ErrNotFound)
	}
	return err
}

// foreignKey turns a foreign-key failure into ErrNotFound for the record
// referred to.
func foreignKey(err error, what, id string) error {
	msg := err.Error()
	if strings.Contains(msg, "FOREIGN KEY") || strings.Contains(msg, "foreign key") || strings.Contains(msg, "23503") {
		return fmt.Errorf("%s %q: %w", what, id, store.ErrNotFound)
	}
	return err
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// jsonObject builds a small JSON object of string values for audit
// details, keys in the order given, empty values left out.
func jsonObject(kv ...string) string {
	var b strings.Builder
	b.WriteByte('{')
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			continue
		}
		if b.Len() > 1 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(kv[i])
		v, _ := json.Marshal(kv[i+1])
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.String()
}
