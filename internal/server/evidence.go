package server

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"

	cf "github.com/corefence/corefence"
	"github.com/corefence/corefence/internal/evidence"
	"github.com/corefence/corefence/internal/evidence/attest"
	"github.com/corefence/corefence/internal/policy"
	"github.com/corefence/corefence/internal/store"
)

// Signed evidence: the server attests its own check runs with its key, in
// the envelopes `corefence attest` makes (docs/evidence.md), and serves
// them with its public key. The seed of an attestation's site salts stays
// in the store; only a site's proof, to its operator and the regulator,
// discloses one salt at a time.

// recipe is what an attestation was computed from, kept so that sites can
// be proved later even after packs are replaced or waivers revoked.
type recipe struct {
	Snapshot       string         `json:"snapshot"`
	AsOf           string         `json:"as_of"`
	IncludePlanned bool           `json:"include_planned"`
	Packs          []recipePack   `json:"packs"`
	Waivers        []store.Waiver `json:"waivers"` // the waiver records in force for the run
}

type recipePack struct {
	ID      string `json:"id"`
	Builtin bool   `json:"builtin"`
	Digest  string `json:"digest"`           // hex SHA-256 of the pack's source
	Source  []byte `json:"source,omitempty"` // a stored pack's source; a built-in one is in the binary
}

// KeyView is the server's public signing key.
type KeyView struct {
	KeyID     string `json:"key_id"`
	PublicKey string `json:"public_key"` // PEM, as `corefence verify --trust` reads it
}

func errNoKey() error {
	return &inputError{http.StatusServiceUnavailable, "unavailable",
		"this server has no signing key, so it makes no evidence (docs/server.md: signing key)"}
}

func errStale(msg string) error { return &inputError{http.StatusConflict, "conflict", msg} }

// Attest signs the check run of operator, or returns the stored
// attestation of it (created == false).
func (s *Server) Attest(ctx context.Context, by store.Actor, operator, runID string) (store.Attestation, bool, error) {
	if s.cfg.Key == nil {
		return store.Attestation{}, false, errNoKey()
	}
	if a, err := s.store.Attestation(ctx, operator, runID); err == nil {
		return a, false, nil
	} else if !isNotFound(err) {
		return store.Attestation{}, false, err
	}
	run, err := s.store.Run(ctx, operator, runID)
	if err != nil {
		return store.Attestation{}, false, err
	}
	rc, err := s.recipeOf(ctx, run)
	if err != nil {
		return store.Attestation{}, false, err
	}
	in, err := s.recheck(ctx, operator, rc)
	if err != nil {
		return store.Attestation{}, false, err
	}
	// The check just made must be the stored run's: the same counts.
	var sum RunSummary
	if err := json.Unmarshal([]byte(run.Summary), &sum); err != nil {
		return store.Attestation{}, false, fmt.Errorf("run %s: summary: %w", run.ID, err)
	}
	if !maps.Equal(sum.Counts, in.Result.Count()) {
		return store.Attestation{}, false, fmt.Errorf("run %s: the check recomputed for signing counts %v, the stored run %v", run.ID, in.Result.Count(), sum.Counts)
	}
	seed, err := attest.NewSeed(rand.Reader)
	if err != nil {
		return store.Attestation{}, false, err
	}
	env, err := attest.Attest(in, seed, s.cfg.Key)
	if err != nil {
		return store.Attestation{}, false, err
	}
	payload, err := env.DecodePayload()
	if err != nil {
		return store.Attestation{}, false, err
	}
	rcJSON, err := json.Marshal(rc)
	if err != nil {
		return store.Attestation{}, false, err
	}
	return s.store.PutAttestation(ctx, by, store.Attestation{Run: run.ID, Operator: operator, AsOf: run.AsOf,
		KeyID: evidence.KeyID(s.cfg.Key.Public().(ed25519.PublicKey)), Statement: evidence.Digest(payload),
		Envelope: env.Marshal(), Seed: seed, Recipe: string(rcJSON)})
}

// recipeOf gathers what run was computed from, as it is now, and refuses
// when that is no longer what the run recorded: then a new run is needed.
func (s *Server) recipeOf(ctx context.Context, run store.Run) (*recipe, error) {
	var in runInputs
	if err := json.Unmarshal([]byte(run.Inputs), &in); err != nil {
		return nil, fmt.Errorf("run %s: inputs: %w", run.ID, err)
	}
	if in.Engine != "corefence "+s.cfg.Version {
		return nil, errStale(fmt.Sprintf("run %s was computed by %s, this server is corefence %s: run the check again (POST …/runs) and sign the new run", run.ID, in.Engine, s.cfg.Version))
	}
	rc := &recipe{Snapshot: run.Snapshot, AsOf: in.AsOf, IncludePlanned: in.IncludePlanned, Waivers: []store.Waiver{}}
	for _, p := range in.Packs {
		if p.Builtin {
			src, ok := policy.BuiltinSource(p.ID)
			if !ok {
				return nil, errStale(fmt.Sprintf("run %s used built-in pack %s, which this server lacks", run.ID, p.ID))
			}
			rc.Packs = append(rc.Packs, recipePack{ID: p.ID, Builtin: true, Digest: evidence.Digest(src)})
			continue
		}
		stored, err := s.store.Pack(ctx, p.ID)
		if err != nil && !isNotFound(err) {
			return nil, err
		}
		if err != nil || stored.Digest != p.Digest {
			return nil, errStale(fmt.Sprintf("pack %s was replaced after run %s: run the check again and sign the new run", p.ID, run.ID))
		}
		rc.Packs = append(rc.Packs, recipePack{ID: p.ID, Digest: evidence.Digest(stored.Content), Source: stored.Content})
	}
	ws, err := s.store.Waivers(ctx, run.Operator)
	if err != nil {
		return nil, err
	}
	for _, w := range ws {
		if w.Revoked == 0 {
			rc.Waivers = append(rc.Waivers, w)
		}
	}
	if waiverDigest(rc.Waivers) != in.Waivers {
		return nil, errStale(fmt.Sprintf("the waivers of %s changed after run %s: run the check again and sign the new run", run.Operator, run.ID))
	}
	return rc, nil
}

// recheck runs the check rc describes again, for signing or proving.
func (s *Server) recheck(ctx context.Context, operator string, rc *recipe) (*attest.Input, error) {
	asOf, err := cf.ParseDate(rc.AsOf)
	if err != nil {
		return nil, err
	}
	in := &attest.Input{PackDigests: map[string]string{}, IncludePlanned: rc.IncludePlanned, Version: s.cfg.Version}
	var packs []*policy.Pack
	for _, rp := range rc.Packs {
		var p *policy.Pack
		if rp.Builtin {
			src, _ := policy.BuiltinSource(rp.ID)
			if evidence.Digest(src) != rp.Digest {
				return nil, errStale(fmt.Sprintf("built-in pack %s has changed since the attestation (a new corefence version): its sites can no longer be proved here", rp.ID))
			}
			if p, _, err = policy.Builtin(rp.ID); err != nil {
				return nil, err
			}
		} else if p, err = policy.Parse(rp.ID+".yaml", rp.Source); err != nil {
			return nil, fmt.Errorf("pack %s: %w", rp.ID, err)
		}
		packs = append(packs, p)
		in.PackDigests[rp.ID] = rp.Digest
	}
	waivers, err := policyWaivers(rc.Waivers)
	if err != nil {
		return nil, err
	}
	if len(rc.Waivers) > 0 {
		b, _ := json.Marshal(rc.Waivers)
		in.WaiversDigest, in.Waivers = evidence.Digest(b), len(rc.Waivers)
	}
	select { // bound the checks computed at once
	case s.runs <- struct{}{}:
		defer func() { <-s.runs }()
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	inv, err := s.loadSnapshot(ctx, operator, rc.Snapshot)
	if err != nil {
		return nil, err
	}
	if in.Result, err = policy.Check(ctx, inv, packs, policy.Options{AsOf: asOf, IncludePlanned: rc.IncludePlanned, Waivers: waivers}); err != nil {
		return nil, err
	}
	return in, nil
}

func (s *Server) attest(w http.ResponseWriter, r *http.Request, c *caller) error {
	a, created, err := s.Attest(r.Context(), c.actor(), r.PathValue("op"), r.PathValue("run"))
	if err != nil {
		return err
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	writeJSON(w, status, a)
	return nil
}

func (s *Server) listAttestations(w http.ResponseWriter, r *http.Request, _ *caller) error {
	pg, err := page(r)
	if err != nil {
		return err
	}
	as, err := s.store.Attestations(r.Context(), r.PathValue("op"), pg)
	if err != nil {
		return err
	}
	out := Page[store.Attestation]{Items: as}
	if len(as) > 0 {
		out.Next = nextCursor(len(as), pg.Limit, as[len(as)-1].Seq)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// listAllAttestations lists the attestations the caller may read, of every
// operator: how a partner, who cannot list operators, finds envelopes. An
// operator sees its own only.
func (s *Server) listAllAttestations(w http.ResponseWriter, r *http.Request, c *caller) error {
	pg, err := page(r)
	if err != nil {
		return err
	}
	operator := ""
	if c.Role == store.RoleOperator {
		operator = c.Operator
	}
	as, err := s.store.Attestations(r.Context(), operator, pg)
	if err != nil {
		return err
	}
	out := Page[store.Attestation]{Items: as}
	if len(as) > 0 {
		out.Next = nextCursor(len(as), pg.Limit, as[len(as)-1].Seq)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// envelope serves the signed envelope exactly as stored: the bytes
// `corefence verify --attestation` reads.
func (s *Server) envelope(w http.ResponseWriter, r *http.Request, _ *caller) error {
	a, err := s.store.Attestation(r.Context(), r.PathValue("op"), r.PathValue("run"))
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(a.Envelope)
	return nil
}

// proof discloses one site of an attestation: its findings, salt and
// Merkle path (attest.Prove), recomputed from the recipe and the seed.
func (s *Server) proof(w http.ResponseWriter, r *http.Request, _ *caller) error {
	op, site := r.PathValue("op"), r.PathValue("site")
	a, err := s.store.Attestation(r.Context(), op, r.PathValue("run"))
	if err != nil {
		return err
	}
	var rc recipe
	if err := json.Unmarshal([]byte(a.Recipe), &rc); err != nil {
		return fmt.Errorf("attestation of run %s: recipe: %w", a.Run, err)
	}
	env, err := evidence.ParseEnvelope(a.Envelope)
	if err != nil {
		return err
	}
	payload, err := env.DecodePayload()
	if err != nil {
		return err
	}
	st, problems := evidence.ParseStatement(payload)
	if st == nil {
		return fmt.Errorf("attestation of run %s: %v", a.Run, problems)
	}
	in, err := s.recheck(r.Context(), op, &rc)
	if err != nil {
		return err
	}
	if _, ok := in.Result.Inventory.Site(site); !ok {
		return &inputError{http.StatusNotFound, "not_found", "no such site in the attested snapshot"}
	}
	p, err := attest.Prove(in, a.Seed, payload, st, site)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(p.Marshal())
	return nil
}

func (s *Server) publicKey(w http.ResponseWriter, _ *http.Request, _ *caller) error {
	if s.cfg.Key == nil {
		return errNoKey()
	}
	pub := s.cfg.Key.Public().(ed25519.PublicKey)
	pem, err := evidence.MarshalPublicKey(pub)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, KeyView{KeyID: evidence.KeyID(pub), PublicKey: string(pem)})
	return nil
}

// waiverDigest is the digest of the waiver records a run depends on: their
// ids, sorted.
func waiverDigest(ws []store.Waiver) string {
	ids := make([]string, 0, len(ws))
	for _, w := range ws {
		ids = append(ids, w.ID)
	}
	slices.Sort(ids)
	b, _ := json.Marshal(ids)
	return digest(b)
}

// policyWaivers converts waiver records for the check.
func policyWaivers(ws []store.Waiver) ([]policy.Waiver, error) {
	var out []policy.Waiver
	for _, w := range ws {
		exp, err := cf.ParseDate(w.Expires)
		if err != nil {
			return nil, fmt.Errorf("waiver %s: %w", w.ID, err)
		}
		pw := policy.Waiver{Rule: w.Rule, Element: w.Element, Site: w.Site, Reason: w.Reason, Approver: w.Approver, Expires: exp}
		if w.Element == "" && w.Site == "" {
			pw.Operator = w.Operator
		}
		out = append(out, pw)
	}
	return out, nil
}
