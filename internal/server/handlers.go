package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	cf "github.com/corefence/corefence"
	"github.com/corefence/corefence/internal/audit"
	"github.com/corefence/corefence/internal/diff"
	"github.com/corefence/corefence/internal/policy"
	"github.com/corefence/corefence/internal/store"
)

type handler = func(*Server, http.ResponseWriter, *http.Request, *caller) error

func (s *Server) routes() []Route {
	r := func(method, pattern string, access Access, h handler) Route {
		return Route{Method: method, Pattern: pattern, Access: access, handle: h}
	}
	return []Route{
		r("GET", "/healthz", Public, (*Server).health),
		r("GET", "/readyz", Public, (*Server).ready),
		r("GET", "/metrics", Public, (*Server).handleMetrics),
		r("GET", "/api/v1/openapi.json", Public, (*Server).openapi),
		r("GET", "/api/v1/me", AnyRole, (*Server).me),

		r("GET", "/api/v1/operators", Catalogue, (*Server).listOperators),
		r("POST", "/api/v1/operators", Admin, (*Server).createOperator),
		r("GET", "/api/v1/operators/{op}", TenantRead, (*Server).getOperator),

		r("GET", "/api/v1/principals", Manage, (*Server).listPrincipals),
		r("POST", "/api/v1/principals", Manage, (*Server).createPrincipal),
		r("POST", "/api/v1/principals/{principal}/tokens", Manage, (*Server).issueToken),
		r("DELETE", "/api/v1/tokens/{token}", Manage, (*Server).revokeToken),
		r("GET", "/api/v1/audit", Manage, (*Server).auditLog),
		r("GET", "/api/v1/audit/verify", Manage, (*Server).auditVerify),
		r("GET", "/api/v1/national", National, (*Server).national),
		r("GET", "/api/v1/national/sites", National, (*Server).nationalSites),
		// Runs, exposure analyses and plans on the national view: the
		// handlers of an operator's, whose subject is the view (subjectOf).
		r("POST", "/api/v1/national/runs", National, (*Server).createRun),
		r("GET", "/api/v1/national/runs", National, (*Server).listRuns),
		r("GET", "/api/v1/national/runs/{run}", National, (*Server).getRun),
		r("GET", "/api/v1/national/runs/{run}/findings", National, (*Server).findings),
		r("POST", "/api/v1/national/exposures", National, (*Server).createExposure),
		r("GET", "/api/v1/national/exposures", National, (*Server).listExposures),
		r("GET", "/api/v1/national/exposures/{exposure}", National, (*Server).getExposure),
		r("POST", "/api/v1/national/plans", National, (*Server).createPlan),
		r("GET", "/api/v1/national/plans", National, (*Server).listPlans),
		r("GET", "/api/v1/national/plans/{plan}", National, (*Server).getPlan),
		r("GET", "/api/v1/national/plans/{plan}/jobs", National, (*Server).planJobs),

		r("POST", "/api/v1/operators/{op}/snapshots", TenantWrite, (*Server).upload),
		r("GET", "/api/v1/operators/{op}/snapshots", TenantRead, (*Server).listSnapshots),
		r("GET", "/api/v1/operators/{op}/snapshots/{snapshot}", TenantRead, (*Server).getSnapshot),
		r("GET", "/api/v1/operators/{op}/snapshots/{snapshot}/inventory", TenantRead, (*Server).snapshotInventory),
		r("GET", "/api/v1/operators/{op}/diff", TenantRead, (*Server).diff),
		r("GET", "/api/v1/operators/{op}/history", TenantRead, (*Server).history),

		r("POST", "/api/v1/operators/{op}/runs", TenantWrite, (*Server).createRun),
		r("GET", "/api/v1/operators/{op}/runs", TenantRead, (*Server).listRuns),
		r("GET", "/api/v1/operators/{op}/runs/{run}", TenantRead, (*Server).getRun),
		r("GET", "/api/v1/operators/{op}/runs/{run}/findings", TenantRead, (*Server).findings),
		r("GET", "/api/v1/operators/{op}/runs/{run}/sites", TenantRead, (*Server).runSites),
		r("GET", "/api/v1/operators/{op}/runs/{run}/sites/{site}", TenantRead, (*Server).siteDetail),

		r("POST", "/api/v1/operators/{op}/exposures", TenantWrite, (*Server).createExposure),
		r("GET", "/api/v1/operators/{op}/exposures", TenantRead, (*Server).listExposures),
		r("GET", "/api/v1/operators/{op}/exposures/{exposure}", TenantRead, (*Server).getExposure),

		r("POST", "/api/v1/operators/{op}/plans", TenantWrite, (*Server).createPlan),
		r("GET", "/api/v1/operators/{op}/plans", TenantRead, (*Server).listPlans),
		r("GET", "/api/v1/operators/{op}/plans/{plan}", TenantRead, (*Server).getPlan),
		r("GET", "/api/v1/operators/{op}/plans/{plan}/jobs", TenantRead, (*Server).planJobs),

		r("GET", "/api/v1/evidence/key", AnyRole, (*Server).publicKey),
		r("GET", "/api/v1/attestations", Evidence, (*Server).listAllAttestations),
		r("POST", "/api/v1/operators/{op}/runs/{run}/attestation", TenantWrite, (*Server).attest),
		r("GET", "/api/v1/operators/{op}/attestations", Evidence, (*Server).listAttestations),
		r("GET", "/api/v1/operators/{op}/attestations/{run}", Evidence, (*Server).envelope),
		r("GET", "/api/v1/operators/{op}/attestations/{run}/proofs/{site}", TenantRead, (*Server).proof),

		r("GET", "/api/v1/operators/{op}/waivers", TenantRead, (*Server).listWaivers),
		r("POST", "/api/v1/operators/{op}/waivers", Regulator, (*Server).createWaiver),
		r("DELETE", "/api/v1/operators/{op}/waivers/{waiver}", Regulator, (*Server).revokeWaiver),

		r("GET", "/api/v1/packs", Catalogue, (*Server).listPacks),
		r("PUT", "/api/v1/packs/{pack}", Regulator, (*Server).putPack),
	}
}

func isNotFound(err error) bool { return errors.Is(err, store.ErrNotFound) }

// Page is a page of a list and the cursor of the next one (absent on the
// last page).
type Page[T any] struct {
	Items []T    `json:"items"`
	Next  string `json:"next,omitempty"`
}

const defaultPageSize = 100

// page reads ?cursor= and ?limit=.
func page(r *http.Request) (store.Page, error) {
	p := store.Page{Limit: defaultPageSize}
	probs := &cf.Problems{}
	if c := r.URL.Query().Get("cursor"); c != "" {
		n, err := strconv.ParseInt(c, 10, 64)
		if err != nil || n < 0 {
			probs.Add(cf.Problem{Field: "cursor", Message: "not a cursor this server gave out"})
		}
		p.After = n
	}
	if l := r.URL.Query().Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > 1000 {
			probs.Add(cf.Problem{Field: "limit", Message: "want a number from 1 to 1000"})
		}
		p.Limit = n
	}
	return p, probs.Err()
}

// all reads every page of a list.
func all[T any](list func(store.Page) ([]T, error), seq func(T) int64) ([]T, error) {
	var out []T
	page := store.Page{Limit: 1000}
	for {
		items, err := list(page)
		if err != nil {
			return nil, err
		}
		out = append(out, items...)
		if len(items) < page.Limit {
			return out, nil
		}
		page.After = seq(items[len(items)-1])
	}
}

func nextCursor(n, limit int, lastSeq int64) string {
	if n < limit {
		return ""
	}
	return strconv.FormatInt(lastSeq, 10)
}

// decode reads a JSON request body strictly: unknown fields, trailing data
// and oversized bodies are errors.
func decode(w http.ResponseWriter, r *http.Request, v any) error {
	body := http.MaxBytesReader(w, r.Body, 1<<20)
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return err
		}
		return fieldProblem("", "request body: "+strings.TrimPrefix(err.Error(), "json: "))
	}
	if dec.More() {
		return fieldProblem("", "request body: one JSON object expected, found more")
	}
	if _, err := io.Copy(io.Discard, body); err != nil {
		return err
	}
	return nil
}

func (s *Server) health(w http.ResponseWriter, _ *http.Request, _ *caller) error {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	return nil
}

func (s *Server) ready(w http.ResponseWriter, r *http.Request, _ *caller) error {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.store.Ping(ctx); err != nil {
		s.log.Warn("store not ready", "error", err)
		writeError(w, http.StatusServiceUnavailable, "unavailable", "the store does not answer")
		return nil
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
	return nil
}

func (s *Server) openapi(w http.ResponseWriter, _ *http.Request, _ *caller) error {
	w.Header().Set("Content-Type", "application/json")
	w.Write(openAPI)
	return nil
}

func (s *Server) me(w http.ResponseWriter, _ *http.Request, c *caller) error {
	writeJSON(w, http.StatusOK, c.Principal)
	return nil
}

// Operators

// slug is compiled on first use, not at start-up: every command of the
// binary runs this package's initialisation, and the {0,63} repetition
// compiles to 64 copies of its class (about 0.2 ms).
var slug = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`) })

func (s *Server) listOperators(w http.ResponseWriter, r *http.Request, c *caller) error {
	ops, err := s.store.Operators(r.Context())
	if err != nil {
		return err
	}
	if c.Role == store.RoleOperator { // an operator knows of itself only
		mine := []store.Operator{}
		for _, op := range ops {
			if op.ID == c.Operator {
				mine = append(mine, op)
			}
		}
		ops = mine
	}
	writeJSON(w, http.StatusOK, Page[store.Operator]{Items: ops})
	return nil
}

func (s *Server) createOperator(w http.ResponseWriter, r *http.Request, c *caller) error {
	var op store.Operator
	if err := decode(w, r, &op); err != nil {
		return err
	}
	if !slug().MatchString(op.ID) {
		return fieldProblem("id", "an operator id is lower case letters, digits, '.', '_' or '-', at most 64")
	}
	if op.Name == "" {
		op.Name = op.ID
	}
	op, err := s.store.CreateOperator(r.Context(), c.actor(), store.Operator{ID: op.ID, Name: op.Name})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, op)
	return nil
}

func (s *Server) getOperator(w http.ResponseWriter, r *http.Request, _ *caller) error {
	op, err := s.store.Operator(r.Context(), r.PathValue("op"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, op)
	return nil
}

// Principals and tokens

func (s *Server) listPrincipals(w http.ResponseWriter, r *http.Request, _ *caller) error {
	ps, err := s.store.Principals(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, Page[store.Principal]{Items: ps})
	return nil
}

func (s *Server) createPrincipal(w http.ResponseWriter, r *http.Request, c *caller) error {
	var p store.Principal
	if err := decode(w, r, &p); err != nil {
		return err
	}
	probs := &cf.Problems{}
	if !slug().MatchString(p.ID) {
		probs.Add(cf.Problem{Field: "id", Message: "a principal id is lower case letters, digits, '.', '_' or '-', at most 64"})
	}
	if !store.ValidRole(p.Role) {
		probs.Add(cf.Problem{Field: "role", Message: "want one of " + strings.Join(store.Roles, ", ")})
	}
	if (p.Role == store.RoleOperator) != (p.Operator != "") {
		probs.Add(cf.Problem{Field: "operator", Message: "an operator principal names its operator, and no other role does"})
	}
	if p.Role == store.RoleAdmin && c.Role != store.RoleAdmin {
		return errForbidden("only an admin may create an admin")
	}
	if err := probs.Err(); err != nil {
		return err
	}
	p, err := s.store.CreatePrincipal(r.Context(), c.actor(), store.Principal{ID: p.ID, Name: p.Name, Role: p.Role, Operator: p.Operator})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, p)
	return nil
}

// TokenRequest asks for a token.
type TokenRequest struct {
	ExpiresInDays int `json:"expires_in_days"` // 0: 90 days
}

// IssuedToken is a new token with its secret, shown this once.
type IssuedToken struct {
	store.Token
	Secret string `json:"secret"`
}

func (s *Server) issueToken(w http.ResponseWriter, r *http.Request, c *caller) error {
	var req TokenRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if req.ExpiresInDays < 0 || req.ExpiresInDays > 3660 {
		return fieldProblem("expires_in_days", "want 1 to 3660 days (0 for the default, 90)")
	}
	if req.ExpiresInDays == 0 {
		req.ExpiresInDays = 90
	}
	p, err := s.store.Principal(r.Context(), r.PathValue("principal"))
	if err != nil {
		return err
	}
	if p.Role == store.RoleAdmin && c.Role != store.RoleAdmin {
		return errForbidden("only an admin may issue an admin's token")
	}
	expires := s.cfg.Now().AddDate(0, 0, req.ExpiresInDays).UnixMicro()
	secret, t, err := s.store.IssueToken(r.Context(), c.actor(), p.ID, expires)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, IssuedToken{Token: t, Secret: secret})
	return nil
}

func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request, c *caller) error {
	if err := s.store.RevokeToken(r.Context(), c.actor(), r.PathValue("token")); err != nil {
		return err
	}
	s.tokens.forget(r.PathValue("token"))
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) auditLog(w http.ResponseWriter, r *http.Request, _ *caller) error {
	pg, err := page(r)
	if err != nil {
		return err
	}
	items, err := s.store.AuditEntries(r.Context(), pg)
	if err != nil {
		return err
	}
	out := Page[audit.Entry]{Items: items}
	if len(items) > 0 {
		out.Next = nextCursor(len(items), pg.Limit, items[len(items)-1].Seq)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// AuditReport is the outcome of verifying the audit chain.
type AuditReport struct {
	Verified bool     `json:"verified"`
	Entries  int64    `json:"entries"`
	Head     int64    `json:"head"`
	HeadHash string   `json:"head_hash"`
	Problems []string `json:"problems"`
}

func (s *Server) auditVerify(w http.ResponseWriter, r *http.Request, _ *caller) error {
	var v audit.Verifier
	headSeq, headHash, err := s.store.AuditLog(r.Context(), func(e audit.Entry) error {
		v.Add(e)
		return r.Context().Err()
	})
	if err != nil {
		return err
	}
	problems := v.Finish(headSeq, headHash)
	if problems == nil {
		problems = []string{}
	}
	writeJSON(w, http.StatusOK, AuditReport{Verified: len(problems) == 0, Entries: v.Count(), Head: headSeq, HeadHash: headHash, Problems: problems})
	return nil
}

// NationalEntry is one operator in the national view: the snapshot that
// describes its network on the date, and the latest run made on it.
type NationalEntry struct {
	Operator store.Operator  `json:"operator"`
	Snapshot *store.Snapshot `json:"snapshot"`
	Run      *RunView        `json:"run"`
}

// national is the regulator's view of every operator on a date.
func (s *Server) national(w http.ResponseWriter, r *http.Request, c *caller) error {
	parts, err := s.nationalParts(r, c)
	if err != nil {
		return err
	}
	out := []NationalEntry{}
	for _, p := range parts {
		e := NationalEntry{Operator: p.operator, Snapshot: p.snapshot}
		if p.run != nil {
			v := runView(*p.run)
			e.Run = &v
		}
		out = append(out, e)
	}
	writeJSON(w, http.StatusOK, Page[NationalEntry]{Items: out})
	return nil
}

// nationalPart is one operator on a date: the snapshot describing its
// network then, and the latest run made on it.
type nationalPart struct {
	operator store.Operator
	snapshot *store.Snapshot
	run      *store.Run
}

// nationalParts reads ?as_of= (today by default) and finds every
// operator's snapshot and run on that date (the route, of National access,
// audited the read of all).
func (s *Server) nationalParts(r *http.Request, c *caller) ([]nationalPart, error) {
	date := cf.DateOf(s.cfg.Now())
	if a := r.URL.Query().Get("as_of"); a != "" {
		d, err := cf.ParseDate(a)
		if err != nil {
			return nil, fieldProblem("as_of", err.Error())
		}
		date = d
	}
	ops, err := s.store.Operators(r.Context())
	if err != nil {
		return nil, err
	}
	var out []nationalPart
	for _, op := range ops {
		p := nationalPart{operator: op}
		sn, err := s.store.SnapshotAsOf(r.Context(), op.ID, date.String())
		switch {
		case err == nil:
			p.snapshot = &sn
		case !isNotFound(err):
			return nil, err
		}
		if p.snapshot != nil {
			runs, err := all(func(pg store.Page) ([]store.Run, error) { return s.store.Runs(r.Context(), op.ID, pg) },
				func(r store.Run) int64 { return r.Seq })
			if err != nil {
				return nil, err
			}
			for i := len(runs) - 1; i >= 0; i-- {
				if runs[i].Snapshot == sn.ID {
					p.run = &runs[i]
					break
				}
			}
		}
		out = append(out, p)
	}
	return out, nil
}

// Snapshots

// Ingest validates the inventory at target (a file or directory inside
// dir, whose files problems are named relative to) as operator's network
// and stores it as a snapshot valid from the given date. Uploads and the
// demo both come through here.
func (s *Server) Ingest(ctx context.Context, by store.Actor, operator, dir, target string, validFrom cf.Date) (store.Snapshot, bool, error) {
	p, err := validate(ctx, dir, target, operator)
	if err != nil {
		return store.Snapshot{}, false, err
	}
	id := digest([]byte(operator + "\x00" + p.digest + "\x00" + validFrom.String()))[len("sha256:"):]
	counts, _ := json.Marshal(p.inv.Counts())
	return s.store.PutSnapshot(ctx, by, store.NewSnapshot{ID: id, Operator: operator, Digest: p.digest,
		Source: p.inv.Digest, ValidFrom: validFrom.String(), Counts: string(counts), Content: p.canonical})
}

func (s *Server) upload(w http.ResponseWriter, r *http.Request, c *caller) error {
	op := r.PathValue("op")
	valid := cf.DateOf(s.cfg.Now())
	if v := r.URL.Query().Get("valid_from"); v != "" {
		d, err := cf.ParseDate(v)
		if err != nil {
			return fieldProblem("valid_from", err.Error())
		}
		valid = d
	}
	r.Body = http.MaxBytesReader(w, r.Body, s.cfg.Limits.Request)
	dir, target, err := receive(r, s.cfg.TempDir, s.cfg.Limits)
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	snap, created, err := s.Ingest(r.Context(), c.actor(), op, dir, target, valid)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	writeJSON(w, status, snap)
	return nil
}

func (s *Server) listSnapshots(w http.ResponseWriter, r *http.Request, _ *caller) error {
	op := r.PathValue("op")
	if on := r.URL.Query().Get("valid_on"); on != "" {
		d, err := cf.ParseDate(on)
		if err != nil {
			return fieldProblem("valid_on", err.Error())
		}
		items := []store.Snapshot{}
		sn, err := s.store.SnapshotAsOf(r.Context(), op, d.String())
		switch {
		case err == nil:
			items = append(items, sn)
		case !isNotFound(err):
			return err
		}
		writeJSON(w, http.StatusOK, Page[store.Snapshot]{Items: items})
		return nil
	}
	pg, err := page(r)
	if err != nil {
		return err
	}
	items, err := s.store.Snapshots(r.Context(), op, pg)
	if err != nil {
		return err
	}
	out := Page[store.Snapshot]{Items: items}
	if len(items) > 0 {
		out.Next = nextCursor(len(items), pg.Limit, items[len(items)-1].Seq)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) getSnapshot(w http.ResponseWriter, r *http.Request, _ *caller) error {
	sn, err := s.store.Snapshot(r.Context(), r.PathValue("op"), r.PathValue("snapshot"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, sn)
	return nil
}

func (s *Server) snapshotInventory(w http.ResponseWriter, r *http.Request, _ *caller) error {
	b, err := s.store.SnapshotContent(r.Context(), r.PathValue("op"), r.PathValue("snapshot"))
	if err != nil {
		return err
	}
	var buf bytes.Buffer // rendered whole, so that a failure is a clean 500
	if err := canonicalJSON(&buf, b, s.cfg.TempDir); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	buf.WriteTo(w)
	return nil
}

// DiffResult is the difference between two of an operator's snapshots.
type DiffResult struct {
	From     string         `json:"from"`
	To       string         `json:"to"`
	Elements diff.Elements  `json:"elements"`
	Findings *diff.Findings `json:"findings,omitempty"`
	// Shares are every share cap's measures before and after, with packs.
	Shares []diff.ShareChange `json:"shares,omitempty"`
	AsOf   string             `json:"as_of,omitempty"`
	Packs  []string           `json:"packs,omitempty"`
}

func (s *Server) diff(w http.ResponseWriter, r *http.Request, _ *caller) error {
	op, q := r.PathValue("op"), r.URL.Query()
	from, to := q.Get("from"), q.Get("to")
	probs := &cf.Problems{}
	if from == "" || to == "" {
		probs.Add(cf.Problem{Field: "from", Message: "name two snapshots: ?from=ID&to=ID"})
	}
	var packIDs []string
	if p := q.Get("packs"); p != "" {
		packIDs = strings.Split(p, ",")
	}
	asOf := cf.DateOf(s.cfg.Now())
	if a := q.Get("as_of"); a != "" {
		d, err := cf.ParseDate(a)
		if err != nil {
			probs.Add(cf.Problem{Field: "as_of", Message: err.Error()})
		}
		asOf = d
	}
	if err := probs.Err(); err != nil {
		return err
	}
	old, err := s.loadSnapshot(r.Context(), op, from)
	if err != nil {
		return err
	}
	cur, err := s.loadSnapshot(r.Context(), op, to)
	if err != nil {
		return err
	}
	out := DiffResult{From: from, To: to, Elements: diff.Inventories(old, cur)}
	if len(packIDs) > 0 {
		packs, _, err := s.openPacks(r.Context(), packIDs)
		if err != nil {
			return err
		}
		waivers, _, err := s.activeWaivers(r.Context(), op)
		if err != nil {
			return err
		}
		opts := policy.Options{AsOf: asOf, Waivers: waivers}
		a, err := policy.Check(r.Context(), old, packs, opts)
		if err != nil {
			return err
		}
		b, err := policy.Check(r.Context(), cur, packs, opts)
		if err != nil {
			return err
		}
		fd := diff.Results(a, b)
		shares, err := diff.Shares(a, b, opts)
		if err != nil {
			return err
		}
		out.Findings, out.Shares, out.AsOf, out.Packs = &fd, shares, asOf.String(), packIDs
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// HistoryEntry is one snapshot of an operator with the runs made on it.
type HistoryEntry struct {
	Snapshot store.Snapshot `json:"snapshot"`
	Runs     []RunView      `json:"runs"`
}

func (s *Server) history(w http.ResponseWriter, r *http.Request, _ *caller) error {
	op := r.PathValue("op")
	snaps, err := all(func(p store.Page) ([]store.Snapshot, error) { return s.store.Snapshots(r.Context(), op, p) },
		func(sn store.Snapshot) int64 { return sn.Seq })
	if err != nil {
		return err
	}
	runs, err := all(func(p store.Page) ([]store.Run, error) { return s.store.Runs(r.Context(), op, p) },
		func(r store.Run) int64 { return r.Seq })
	if err != nil {
		return err
	}
	bySnap := map[string][]RunView{}
	for _, run := range runs {
		bySnap[run.Snapshot] = append(bySnap[run.Snapshot], runView(run))
	}
	out := []HistoryEntry{}
	for _, sn := range snaps {
		rs := bySnap[sn.ID]
		if rs == nil {
			rs = []RunView{}
		}
		out = append(out, HistoryEntry{Snapshot: sn, Runs: rs})
	}
	// Ordered by the date each snapshot describes, then by upload.
	sortHistory(out)
	writeJSON(w, http.StatusOK, Page[HistoryEntry]{Items: out})
	return nil
}

// Runs

// RunView is a run as the API shows it: its stored JSON columns decoded.
type RunView struct {
	ID       string          `json:"id"`
	Operator string          `json:"operator"`
	Snapshot string          `json:"snapshot"`
	AsOf     string          `json:"as_of"`
	Created  int64           `json:"created"`
	Creator  string          `json:"creator"`
	Findings int             `json:"findings"`
	Inputs   json.RawMessage `json:"inputs"`
	Summary  json.RawMessage `json:"summary"`
}

func runView(r store.Run) RunView {
	return RunView{ID: r.ID, Operator: r.Operator, Snapshot: r.Snapshot, AsOf: r.AsOf, Created: r.Created, Creator: r.Creator,
		Findings: r.Findings, Inputs: json.RawMessage(r.Inputs), Summary: json.RawMessage(r.Summary)}
}

func (s *Server) createRun(w http.ResponseWriter, r *http.Request, c *caller) error {
	var req RunRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	run, created, err := s.check(r.Context(), c.actor(), subjectOf(r), req)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	writeJSON(w, status, runView(run))
	return nil
}

func (s *Server) listRuns(w http.ResponseWriter, r *http.Request, _ *caller) error {
	pg, err := page(r)
	if err != nil {
		return err
	}
	runs, err := s.store.Runs(r.Context(), subjectOf(r), pg)
	if err != nil {
		return err
	}
	out := Page[RunView]{Items: []RunView{}}
	for _, run := range runs {
		out.Items = append(out.Items, runView(run))
	}
	if len(runs) > 0 {
		out.Next = nextCursor(len(runs), pg.Limit, runs[len(runs)-1].Seq)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) getRun(w http.ResponseWriter, r *http.Request, _ *caller) error {
	run, err := s.store.Run(r.Context(), subjectOf(r), r.PathValue("run"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, runView(run))
	return nil
}

// Waivers

func (s *Server) listWaivers(w http.ResponseWriter, r *http.Request, _ *caller) error {
	ws, err := s.store.Waivers(r.Context(), r.PathValue("op"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, Page[store.Waiver]{Items: ws})
	return nil
}

// WaiverRequest records a waiver.
type WaiverRequest struct {
	Rule     string `json:"rule"`
	Element  string `json:"element"`
	Site     string `json:"site"`
	Reason   string `json:"reason"`
	Approver string `json:"approver"`
	Expires  string `json:"expires"`
}

func (s *Server) createWaiver(w http.ResponseWriter, r *http.Request, c *caller) error {
	var req WaiverRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	probs := &cf.Problems{}
	for _, f := range []struct{ name, v string }{{"rule", req.Rule}, {"reason", req.Reason}, {"approver", req.Approver}, {"expires", req.Expires}} {
		if strings.TrimSpace(f.v) == "" {
			probs.Add(cf.Problem{Field: f.name, Message: "required"})
		}
	}
	if req.Element != "" && req.Site != "" {
		probs.Add(cf.Problem{Field: "site", Message: "a waiver covers one element, one site, or (naming neither) the whole operator"})
	}
	if req.Expires != "" {
		if _, err := cf.ParseDate(req.Expires); err != nil {
			probs.Add(cf.Problem{Field: "expires", Message: err.Error()})
		}
	}
	if err := probs.Err(); err != nil {
		return err
	}
	wv, err := s.store.PutWaiver(r.Context(), c.actor(), store.Waiver{Operator: r.PathValue("op"), Rule: req.Rule, Element: req.Element,
		Site: req.Site, Reason: req.Reason, Approver: req.Approver, Expires: req.Expires})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, wv)
	return nil
}

func (s *Server) revokeWaiver(w http.ResponseWriter, r *http.Request, c *caller) error {
	if err := s.store.RevokeWaiver(r.Context(), c.actor(), r.PathValue("op"), r.PathValue("waiver")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// Packs

// PackInfo describes a policy pack the server can check with.
type PackInfo struct {
	ID           string `json:"id"`
	Title        string `json:"title"`
	Version      string `json:"version"`
	Kind         string `json:"kind"`
	Status       string `json:"status"`
	Jurisdiction string `json:"jurisdiction"`
	Rules        int    `json:"rules"`
	Builtin      bool   `json:"builtin"`
	Digest       string `json:"digest,omitempty"`
}

func packInfo(p *policy.Pack) PackInfo {
	return PackInfo{ID: p.ID, Title: p.Title, Version: p.Version, Kind: p.Kind, Status: p.Status,
		Jurisdiction: p.Jurisdiction, Rules: len(p.Rules), Builtin: p.Builtin}
}

func (s *Server) listPacks(w http.ResponseWriter, r *http.Request, _ *caller) error {
	stored, err := s.store.Packs(r.Context())
	if err != nil {
		return err
	}
	out := []PackInfo{}
	have := map[string]bool{}
	for _, sp := range stored {
		full, err := s.store.Pack(r.Context(), sp.ID)
		if err != nil {
			return err
		}
		p, err := policy.Parse(sp.ID+".yaml", full.Content)
		if err != nil {
			return fmt.Errorf("stored pack %s: %w", sp.ID, err)
		}
		info := packInfo(p)
		info.Digest = sp.Digest
		out = append(out, info)
		have[sp.ID] = true
	}
	builtin, err := policy.BuiltinPacks()
	if err != nil {
		return err
	}
	for _, p := range builtin {
		if !have[p.ID] {
			out = append(out, packInfo(p))
		}
	}
	sortPacks(out)
	writeJSON(w, http.StatusOK, Page[PackInfo]{Items: out})
	return nil
}

func (s *Server) putPack(w http.ResponseWriter, r *http.Request, c *caller) error {
	id := r.PathValue("pack")
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 4<<20))
	if err != nil {
		return err
	}
	p, err := policy.Parse(id+".yaml", body)
	if err != nil {
		return err
	}
	if p.ID != id {
		return cf.Problem{Pos: p.Pos, Section: "pack", ID: p.ID, Field: "id", Message: fmt.Sprintf("the pack declares id %q but is put as %q", p.ID, id)}
	}
	sp, err := s.store.PutPack(r.Context(), c.actor(), store.Pack{ID: id, Version: p.Version, Digest: digest(body), Content: body})
	if err != nil {
		return err
	}
	info := packInfo(p)
	info.Digest = sp.Digest
	writeJSON(w, http.StatusOK, info)
	return nil
}

func errForbidden(msg string) error { return &inputError{http.StatusForbidden, "forbidden", msg} }
