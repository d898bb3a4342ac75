// Package server is corefence's HTTP API: the system of record (the store)
// behind JSON endpoints under /api/v1, with bearer-token authentication,
// tenant isolation by role, and the CLI's engines run on stored snapshots.
// Handlers are thin: they check access, decode, call the store or an
// engine, and encode.
package server

import (
	"context"
	"crypto/ed25519"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/corefence/corefence/internal/store"
	"github.com/corefence/corefence/internal/webui"
)

// Limits bound what one request may cost.
type Limits struct {
	// Request is the largest request body, in bytes.
	Request int64
	// Extracted is the most an upload may unpack to (an archive's files, or
	// a single document), in bytes.
	Extracted int64
	// RatePerSecond and Burst set each token's request rate.
	RatePerSecond float64
	Burst         int
	// ConcurrentRuns bounds the checks computed at once.
	ConcurrentRuns int
}

// DefaultLimits fit a national inventory of a million elements (about
// 300 MB as CSV) with room to spare.
var DefaultLimits = Limits{
	Request:        1 << 30,
	Extracted:      2 << 30,
	RatePerSecond:  50,
	Burst:          100,
	ConcurrentRuns: 2,
}

// Config is what a Server needs besides its store.
type Config struct {
	Limits  Limits
	TempDir string       // where uploads are unpacked; os.TempDir() when empty
	Version string       // the corefence version, part of every run's key
	Logger  *slog.Logger // nil: discard
	Now     func() time.Time
	// Key signs the evidence of check runs; nil: the server makes none.
	// It is never logged.
	Key ed25519.PrivateKey
}

// Server is the API. It is an http.Handler.
type Server struct {
	store   store.Store
	cfg     Config
	log     *slog.Logger
	mux     *http.ServeMux
	limiter *rateLimiter
	metrics *metrics
	runs    chan struct{} // semaphore of concurrent check runs
	plans   chan struct{} // semaphore of plans: one at a time, apart from checks, which it never holds up
	// snapshots keeps recently loaded snapshots for maps and site pages.
	snapshots snapshotCache
	maps      mapCache    // the last maps served
	tokens    *tokenCache // recently verified bearer tokens
	runInfo   *runCache   // runs read, which never change
	pages     *pageCache  // findings pages served, which never change
}

// New returns a server over st.
func New(st store.Store, cfg Config) *Server {
	if cfg.Limits == (Limits{}) {
		cfg.Limits = DefaultLimits
	}
	if cfg.TempDir == "" {
		cfg.TempDir = os.TempDir()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Server{store: st, cfg: cfg, log: cfg.Logger, mux: http.NewServeMux(),
		limiter: newRateLimiter(cfg.Limits.RatePerSecond, cfg.Limits.Burst, cfg.Now),
		metrics: newMetrics(), runs: make(chan struct{}, max(1, cfg.Limits.ConcurrentRuns)),
		plans:  make(chan struct{}, 1),
		tokens: newTokenCache(), runInfo: newRunCache(), pages: newPageCache(pageCacheBytes)}
	for _, rt := range s.routes() {
		s.mux.Handle(rt.Method+" "+rt.Pattern, s.wrap(rt))
	}
	// The web UI: static files that call the API above like any client.
	ui := webui.New()
	s.mux.Handle("GET /{$}", ui)
	s.mux.Handle("GET /assets/", ui)
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "not_found", "no such endpoint: see /api/v1/openapi.json")
	})
	return s
}

// ServeHTTP serves the API.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// HTTPServer returns an http.Server for s with timeouts that bound slow
// clients: headers must arrive within 10 s, a body at a steady pace.
func (s *Server) HTTPServer(addr string) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       10 * time.Minute, // a large upload over a slow link
		WriteTimeout:      15 * time.Minute, // a national check run
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
}

// Access is who may call a route.
type Access int

// The access levels of routes.
const (
	Public      Access = iota // no token: health, metrics, the API description
	AnyRole                   // any valid token
	TenantRead                // an operator for its own operator; the regulator for any
	TenantWrite               // as TenantRead, to write
	Regulator                 // the regulator only
	Manage                    // the regulator or an admin: principals and tokens
	Admin                     // an admin only
	Catalogue                 // operators, regulators and admins: packs and their rules
	Evidence                  // signed summaries: partners and the regulator for any operator; an operator for its own
	National                  // the national view, every operator's data at once: the regulator only, each request audited as a read of all
)

// String names the access level, as docs and tests print it.
func (a Access) String() string {
	return [...]string{"public", "any-role", "tenant-read", "tenant-write", "regulator", "manage", "admin", "catalogue", "evidence", "national"}[a]
}

// Allows reports whether role may call a route of this access level, for
// its own operator (own) or another.
func (a Access) Allows(role string, own bool) bool {
	switch a {
	case Public, AnyRole:
		return true
	case TenantRead, TenantWrite:
		return role == store.RoleRegulator || (role == store.RoleOperator && own)
	case Regulator, National:
		return role == store.RoleRegulator
	case Manage:
		return role == store.RoleRegulator || role == store.RoleAdmin
	case Admin:
		return role == store.RoleAdmin
	case Catalogue:
		return role != store.RolePartner
	case Evidence:
		return role == store.RolePartner || role == store.RoleRegulator || (role == store.RoleOperator && own)
	}
	return false
}

// Tenanted reports whether routes of this level hold one operator's data,
// so that to other operators that data does not exist (404, never 403).
func (a Access) Tenanted() bool { return a == TenantRead || a == TenantWrite || a == Evidence }

// Route is one endpoint.
type Route struct {
	Method  string
	Pattern string // net/http pattern; {op} is the tenant
	Access  Access
	handle  func(*Server, http.ResponseWriter, *http.Request, *caller) error
}

// Routes lists every endpoint, for documentation and the isolation tests.
func Routes() []Route { return (&Server{}).routes() }

type callerKey struct{}

// caller is the authenticated principal of a request.
type caller struct {
	store.Principal
	token string
}

func (c *caller) actor() store.Actor { return store.Actor{Principal: c.ID} }

// wrap applies, in order: metrics, authentication, the rate limit, access
// control, the audit of cross-tenant reads, and error rendering.
func (s *Server) wrap(rt Route) http.Handler {
	label := rt.Method + " " + rt.Pattern
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler { // a stream cut short on purpose, logged by whoever cut it
					s.metrics.observe(label, rec.status, time.Since(start))
					panic(p)
				}
				s.log.Error("panic", "route", label, "panic", fmt.Sprint(p))
				if !rec.wrote {
					writeError(rec, http.StatusInternalServerError, "internal", "internal error")
				}
			}
			s.metrics.observe(label, rec.status, time.Since(start))
		}()
		w = rec
		c := &caller{}
		if rt.Access != Public {
			var err error
			c, err = s.authenticate(r)
			if err != nil {
				w.Header().Set("WWW-Authenticate", `Bearer realm="corefence"`)
				writeError(w, http.StatusUnauthorized, "unauthenticated", "a valid bearer token is required (Authorization: Bearer cft_…)")
				return
			}
			if !s.limiter.allow(c.token) {
				w.Header().Set("Retry-After", "1")
				writeError(w, http.StatusTooManyRequests, "rate_limited", "too many requests for this token: slow down")
				return
			}
			op := r.PathValue("op")
			own := op == "" || op == c.Operator
			if !rt.Access.Allows(c.Role, own) {
				if c.Role == store.RoleOperator && !own && rt.Access.Tenanted() {
					// Another tenant's data does not exist for an operator:
					// the same answer as for an operator nobody has.
					writeError(w, http.StatusNotFound, "not_found", "not found")
					return
				}
				writeError(w, http.StatusForbidden, "forbidden", fmt.Sprintf("a %s may not %s %s", c.Role, rt.Method, rt.Pattern))
				return
			}
			if op != "" && op != c.Operator { // an operator's own exists: its principal refers to it
				if _, err := s.store.Operator(r.Context(), op); err != nil {
					s.fail(w, r, err)
					return
				}
			}
			if (rt.Access == TenantRead || rt.Access == Evidence) && c.Role == store.RoleRegulator {
				if err := s.store.Audit(r.Context(), c.actor(), "read", op, r.URL.Path, ""); err != nil {
					s.fail(w, r, err)
					return
				}
			}
			if rt.Access == National { // a read of every operator's data, whoever's run it makes
				if err := s.store.Audit(r.Context(), c.actor(), "read", store.National, r.URL.Path, ""); err != nil {
					s.fail(w, r, err)
					return
				}
			}
		}
		if err := rt.handle(s, w, r, c); err != nil {
			s.fail(w, r, err)
		}
	})
}

func (s *Server) authenticate(r *http.Request) (*caller, error) {
	h := r.Header.Get("Authorization")
	secret, ok := strings.CutPrefix(h, "Bearer ")
	if !ok {
		return nil, store.ErrUnauthenticated
	}
	secret = strings.TrimSpace(secret)
	key, now := secretKey(secret), s.cfg.Now()
	c, gen, ok := s.tokens.get(key, now)
	if ok {
		return c, nil
	}
	p, t, err := s.store.Authenticate(r.Context(), secret, now.UnixMicro())
	if err != nil {
		return nil, err
	}
	c = &caller{Principal: p, token: t.ID}
	s.tokens.put(key, *c, t.Expires, now, gen)
	return c, nil
}

// statusRecorder remembers the status written, for metrics and panics.
type statusRecorder struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (r *statusRecorder) WriteHeader(code int) {
	if !r.wrote {
		r.status, r.wrote = code, true
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	r.wrote = true
	return r.ResponseWriter.Write(b)
}

// fail renders err as the API's error body.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	var in *inputError
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &in):
		writeError(w, in.status, in.code, in.msg)
	case errors.As(err, &tooBig):
		writeError(w, http.StatusRequestEntityTooLarge, "too_large", fmt.Sprintf("the request body is larger than %d bytes", tooBig.Limit))
	case isProblems(err):
		writeProblems(w, err)
	case errors.Is(err, store.ErrNotFound):
		writeError(w, http.StatusNotFound, "not_found", "not found")
	case errors.Is(err, store.ErrConflict):
		writeError(w, http.StatusConflict, "conflict", err.Error())
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		writeError(w, http.StatusServiceUnavailable, "unavailable", "the request was cancelled or timed out")
	default:
		s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "error", err)
		writeError(w, http.StatusInternalServerError, "internal", "internal error: the server log has the details")
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}

//go:embed openapi.json
var openAPI []byte

// OpenAPI returns the API's OpenAPI 3.1 document.
func OpenAPI() []byte { return openAPI }

// TempDir is where the server unpacks uploads.
func (s *Server) TempDir() string { return s.cfg.TempDir }
