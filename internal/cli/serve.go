package cli

import (
	"context"
	"crypto/ed25519"
	"crypto/tls"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	cf "github.com/corefence/corefence"
	"github.com/corefence/corefence/internal/evidence"
	"github.com/corefence/corefence/internal/export"
	"github.com/corefence/corefence/internal/gen"
	"github.com/corefence/corefence/internal/server"
	"github.com/corefence/corefence/internal/store"
	"github.com/corefence/corefence/internal/store/sqlstore"
	"github.com/corefence/corefence/internal/tree"
)

const serveSynopsis = `serve [--listen 127.0.0.1:8080] [--db PATH|postgres://…] [--config FILE]
                 [--tls-cert FILE --tls-key FILE] [--signing-key FILE] [--init | --demo]
                 [--pprof 127.0.0.1:PORT]`

// serveConfig is the server's configuration file (YAML or JSON). Flags
// given on the command line override it.
type serveConfig struct {
	Listen  string `yaml:"listen"`
	DB      string `yaml:"db"`
	TLSCert string `yaml:"tls_cert"`
	TLSKey  string `yaml:"tls_key"`
	TempDir string `yaml:"temp_dir"`
	// SigningKey is the evidence signing key (Ed25519, PEM, mode 0600);
	// default: the SQLite file's path + ".signing.key".
	SigningKey string      `yaml:"signing_key"`
	Limits     limitConfig `yaml:"limits"`
}

type limitConfig struct {
	RequestBytes   int64   `yaml:"request_bytes"`
	ExtractedBytes int64   `yaml:"extracted_bytes"`
	RatePerSecond  float64 `yaml:"rate_per_second"`
	Burst          int     `yaml:"burst"`
	ConcurrentRuns int     `yaml:"concurrent_runs"`
}

func loadServeConfig(path string) (serveConfig, error) {
	var c serveConfig
	root, err := tree.ReadFile(path, "no such configuration file")
	if err != nil {
		return c, err
	}
	probs := &cf.Problems{}
	tree.Decode(root, &c, "config", probs)
	return c, probs.Err()
}

func (l limitConfig) apply(base server.Limits) server.Limits {
	if l.RequestBytes > 0 {
		base.Request = l.RequestBytes
	}
	if l.ExtractedBytes > 0 {
		base.Extracted = l.ExtractedBytes
	}
	if l.RatePerSecond > 0 {
		base.RatePerSecond = l.RatePerSecond
	}
	if l.Burst > 0 {
		base.Burst = l.Burst
	}
	if l.ConcurrentRuns > 0 {
		base.ConcurrentRuns = l.ConcurrentRuns
	}
	return base
}

func runServe(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "serve", serveSynopsis)
	listen := fs.String("listen", "", "address to listen on (default 127.0.0.1:8080: loopback only)")
	db := fs.String("db", "", "SQLite file, or a postgres:// URL (default corefence.db in the working directory)")
	config := fs.String("config", "", "configuration file (YAML or JSON; see docs/server.md)")
	cert := fs.String("tls-cert", "", "TLS certificate file (PEM)")
	key := fs.String("tls-key", "", "TLS private key file (PEM)")
	signingKey := fs.String("signing-key", "", "evidence signing key (Ed25519, mode 0600; default: beside a SQLite store, DB.signing.key)")
	initStore := fs.Bool("init", false, "create the store and an admin, print the admin's token once, and exit")
	demo := fs.Bool("demo", false, "serve a fresh store holding the demo network as four operators, with tokens printed")
	pprofAddr := fs.String("pprof", "", "also serve Go's profiles (net/http/pprof) on this loopback address; off by default")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("unexpected argument %q", pos[0])
	}
	var cfg serveConfig
	if *config != "" {
		if cfg, err = loadServeConfig(*config); err != nil {
			return err
		}
	}
	for _, o := range []struct {
		flag string
		into *string
	}{{*listen, &cfg.Listen}, {*db, &cfg.DB}, {*cert, &cfg.TLSCert}, {*key, &cfg.TLSKey}, {*signingKey, &cfg.SigningKey}} {
		if o.flag != "" {
			*o.into = o.flag
		}
	}
	switch {
	case *initStore && *demo:
		return usagef("--init and --demo do not go together")
	case (cfg.TLSCert == "") != (cfg.TLSKey == ""):
		return usagef("--tls-cert and --tls-key go together")
	}
	if cfg.Listen == "" {
		cfg.Listen = "127.0.0.1:8080"
	}
	if cfg.DB == "" {
		cfg.DB = "corefence.db"
		if *demo {
			dir, err := os.MkdirTemp("", "corefence-demo-")
			if err != nil {
				return err
			}
			defer os.RemoveAll(dir)
			cfg.DB = filepath.Join(dir, "corefence.db")
		}
	}
	log := slog.New(slog.NewTextHandler(env.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))

	st, err := sqlstore.Open(ctx, cfg.DB)
	if err != nil {
		return err
	}
	defer st.Close()
	keyPath, keyGiven := cfg.SigningKey, cfg.SigningKey != ""
	if !keyGiven && !strings.Contains(cfg.DB, "://") {
		keyPath = cfg.DB + ".signing.key"
	}
	if *initStore {
		if err := initAdmin(ctx, env, st, cfg.DB); err != nil {
			return err
		}
		return initSigningKey(env, keyPath)
	}
	if *demo {
		if err := initSigningKey(env, keyPath); err != nil {
			return err
		}
	}
	signer, err := loadSigningKey(keyPath, keyGiven)
	if err != nil {
		return err
	}
	if signer == nil {
		log.Warn("no evidence signing key: the evidence endpoints answer 503 (see docs/server.md, signing key)", "expected", keyPath)
	}
	srv := server.New(st, server.Config{Limits: cfg.Limits.apply(server.DefaultLimits), TempDir: cfg.TempDir,
		Version: Version, Logger: log, Now: env.Now, Key: signer})

	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return err
	}
	scheme := "http"
	hs := srv.HTTPServer(cfg.Listen)
	if cfg.TLSCert != "" {
		pair, err := tls.LoadX509KeyPair(cfg.TLSCert, cfg.TLSKey)
		if err != nil {
			ln.Close()
			return fmt.Errorf("TLS: %w", err)
		}
		hs.TLSConfig = &tls.Config{Certificates: []tls.Certificate{pair}, MinVersion: tls.VersionTLS12}
		ln = tls.NewListener(ln, hs.TLSConfig)
		scheme = "https"
	}
	base := scheme + "://" + ln.Addr().String()
	if host, _, _ := net.SplitHostPort(ln.Addr().String()); !net.ParseIP(host).IsLoopback() && scheme == "http" {
		log.Warn("listening beyond loopback without TLS: tokens cross the network in clear", "listen", ln.Addr().String())
	}
	if *demo {
		if err := loadDemo(ctx, env, srv, st, base); err != nil {
			ln.Close()
			return err
		}
	}

	if *pprofAddr != "" {
		stop, err := serveProfiles(*pprofAddr, log)
		if err != nil {
			ln.Close()
			return err
		}
		defer stop()
	}

	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	log.Info("corefence serving", "url", base, "store", storeName(cfg.DB), "version", Version)
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down: finishing requests in flight")
	shutdown, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutdown); err != nil {
		return err
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	log.Info("stopped")
	return nil
}

// storeName is the store as logs may show it: a PostgreSQL URL loses its
// password.
func storeName(dsn string) string {
	if i := strings.Index(dsn, "://"); i > 0 {
		if at := strings.LastIndex(dsn, "@"); at > i {
			return dsn[:i+3] + "…" + dsn[at:]
		}
	}
	return dsn
}

// initAdmin creates the admin principal and prints its token, once.
func initAdmin(ctx context.Context, env *Env, st store.Store, db string) error {
	if _, err := st.Principal(ctx, "admin"); err == nil {
		return fmt.Errorf("%s is already initialised: its admin exists (issue new tokens with POST /api/v1/principals/admin/tokens)", storeName(db))
	}
	if _, err := st.CreatePrincipal(ctx, store.System, store.Principal{ID: "admin", Name: "Administrator", Role: store.RoleAdmin}); err != nil {
		return err
	}
	secret, tok, err := st.IssueToken(ctx, store.System, "admin", 0)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "Store %s is ready.\n\nAdmin token (shown once; it is stored only as a hash):\n\n  %s\n\n", storeName(db), secret)
	fmt.Fprintf(env.Stdout, "Token id %s. Keep it secret; revoke it with DELETE /api/v1/tokens/%s.\n", tok.ID, tok.ID)
	return nil
}

// initSigningKey creates the evidence signing key at path (mode 0600,
// never overwriting one), with its public key beside it (.pub).
func initSigningKey(env *Env, path string) error {
	if path == "" {
		fmt.Fprintf(env.Stdout, "\nNo evidence signing key: a PostgreSQL store needs --signing-key FILE (or signing_key in the configuration); make one with `corefence keygen`.\n")
		return nil
	}
	if _, err := os.Lstat(path); err == nil {
		fmt.Fprintf(env.Stdout, "\nEvidence signing key: %s (kept; it exists)\n", path)
		return nil
	}
	pubPath := strings.TrimSuffix(path, ".key") + ".pub"
	pub, err := writeKeyPair(path, pubPath, true)
	if err != nil {
		return fmt.Errorf("signing key: %w", err)
	}
	fmt.Fprintf(env.Stdout, "\nEvidence signing key: %s (mode 0600; back it up with the store), public key %s\nkey id %s\n", path, pubPath, evidence.KeyID(pub))
	return nil
}

// loadSigningKey reads the evidence signing key, refusing a file others
// may read. A missing key at the default path leaves the server without
// evidence (nil); a missing key that was asked for is an error.
func loadSigningKey(path string, given bool) (ed25519.PrivateKey, error) {
	if path == "" {
		return nil, nil
	}
	if _, err := os.Lstat(path); errors.Is(err, fs.ErrNotExist) && !given {
		return nil, nil
	}
	return evidence.ReadPrivateKeyFile(path)
}

// demoServeSites keeps the demo server quick to start; `corefence demo`
// shows the full 20,000-site network.
const demoServeSites = 2000

// loadDemo fills a fresh store with the demo network, one snapshot per
// operator, a check of each under the Designated Vendor Direction, and a
// regulator and operator principals whose tokens it prints.
func loadDemo(ctx context.Context, env *Env, srv *server.Server, st store.Store, base string) error {
	doc, err := gen.GenerateContext(ctx, gen.Config{Country: "gb", Sites: demoServeSites, Seed: demoSeed})
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "corefence-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	parts := server.SplitByOperator(doc)
	tokens := map[string]string{}
	// The day the Direction's core deadline ("by 31 December 2023") is
	// first missed, as the CLI demo's evidence is dated.
	asOf, err := cf.ParseDate(demoFocus)
	if err != nil {
		return err
	}
	for _, op := range doc.Operators {
		if _, err := st.CreateOperator(ctx, store.System, store.Operator{ID: op.ID, Name: op.Name}); err != nil {
			return err
		}
		path := filepath.Join(dir, op.ID+".yaml")
		if err := export.Write(path, "yaml", parts[op.ID]); err != nil {
			return err
		}
		snap, _, err := srv.Ingest(ctx, store.System, op.ID, dir, path, cf.NewDate(2023, 1, 1))
		if err != nil {
			return fmt.Errorf("demo network of %s: %w", op.ID, err)
		}
		os.Remove(path)
		run, _, err := srv.Check(ctx, store.System, op.ID, server.RunRequest{Snapshot: snap.ID, Packs: []string{"uk-dvd-2022"}, AsOf: asOf.String()})
		if err != nil {
			return err
		}
		if _, _, err := srv.Attest(ctx, store.System, op.ID, run.ID); err != nil {
			return fmt.Errorf("demo evidence of %s: %w", op.ID, err)
		}
		p := store.Principal{ID: "op-" + op.ID, Name: op.Name, Role: store.RoleOperator, Operator: op.ID}
		if _, err := st.CreatePrincipal(ctx, store.System, p); err != nil {
			return err
		}
		if tokens[p.ID], _, err = st.IssueToken(ctx, store.System, p.ID, 0); err != nil {
			return err
		}
	}
	if _, err := st.CreatePrincipal(ctx, store.System, store.Principal{ID: "regulator", Name: "The regulator", Role: store.RoleRegulator}); err != nil {
		return err
	}
	reg, _, err := st.IssueToken(ctx, store.System, "regulator", 0)
	if err != nil {
		return err
	}
	if _, err := st.CreatePrincipal(ctx, store.System, store.Principal{ID: "partner", Name: "An allied government", Role: store.RolePartner}); err != nil {
		return err
	}
	partner, _, err := st.IssueToken(ctx, store.System, "partner", 0)
	if err != nil {
		return err
	}
	w := env.Stdout
	fmt.Fprintf(w, "corefence demo server: a generated UK network of %d sites, as %d operators, each checked against uk-dvd-2022 as of %s.\n\n", demoServeSites, len(doc.Operators), asOf)
	fmt.Fprintf(w, "Regulator token (reads every operator):\n  export CF=%s\n\n", reg)
	fmt.Fprintf(w, "Operator tokens (each reads and writes only its own operator):\n")
	for _, op := range doc.Operators {
		fmt.Fprintf(w, "  %-10s %s\n", op.ID, tokens["op-"+op.ID])
	}
	fmt.Fprintf(w, "\nPartner token (reads only the signed evidence and the server's public key):\n  %s\n", partner)
	fmt.Fprintf(w, "\nTry:\n  curl -s -H \"Authorization: Bearer $CF\" %s/api/v1/operators\n", base)
	fmt.Fprintf(w, "  curl -s -H \"Authorization: Bearer $CF\" %s/api/v1/operators/%s/history\n", base, doc.Operators[0].ID)
	fmt.Fprintf(w, "  curl -s -H \"Authorization: Bearer $CF\" %s/api/v1/attestations   (signed evidence; the partner token reads it too)\n", base)
	fmt.Fprintf(w, "  curl -s %s/api/v1/openapi.json   (the API, described)\n\nThe store is temporary and goes when the server stops (Ctrl-C).\n", base)
	return nil
}
