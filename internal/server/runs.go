package server

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"

	cf "github.com/corefence/corefence"
	"github.com/corefence/corefence/internal/importer"
	"github.com/corefence/corefence/internal/inventory"
	"github.com/corefence/corefence/internal/policy"
	"github.com/corefence/corefence/internal/report"
	"github.com/corefence/corefence/internal/store"
)

// RunRequest asks for a check of a snapshot, or of the national view on
// AsOf (which names no snapshot).
type RunRequest struct {
	Snapshot       string   `json:"snapshot"`
	Packs          []string `json:"packs"`
	AsOf           string   `json:"as_of"` // YYYY-MM-DD; today when empty
	IncludePlanned bool     `json:"include_planned"`
}

// runInputs is what a run's result depends on; its digest is the run id.
type runInputs struct {
	Engine         string      `json:"engine"`
	Snapshot       string      `json:"snapshot,omitempty"` // an operator's run
	National       *viewInput  `json:"national,omitempty"` // a run on the national view
	Packs          []packInput `json:"packs"`
	AsOf           string      `json:"as_of"`
	IncludePlanned bool        `json:"include_planned"`
	Waivers        string      `json:"waivers"` // digest of the waivers in force (every operator's, on the national view)
}

type packInput struct {
	ID      string `json:"id"`
	Version string `json:"version"`
	Digest  string `json:"digest,omitempty"` // stored packs; a built-in one is fixed by the engine version
	Builtin bool   `json:"builtin"`
}

// RunSummary is a run's outcome without its findings.
type RunSummary struct {
	Compliant bool                     `json:"compliant"`
	Counts    map[string]int           `json:"counts"`
	Operators []report.OperatorVerdict `json:"operators"` // verdicts, counts by status, next deadlines
	Shares    []ShareMeasure           `json:"shares"`    // every share cap measured, in force or not
	Warnings  int                      `json:"warnings"`
}

// ShareMeasure is one operator's designated share under a share-cap rule,
// for one metric, as the history shows it over time.
type ShareMeasure struct {
	Rule      string   `json:"rule"`
	Operator  string   `json:"operator"`
	Metric    string   `json:"metric"`
	Share     *float64 `json:"share"` // null when unmeasured
	Cap       float64  `json:"cap"`
	Effective string   `json:"effective"`
}

// shareMeasures measures every share-cap rule of packs.
func shareMeasures(inv *inventory.Inventory, packs []*policy.Pack, opts policy.Options) ([]ShareMeasure, error) {
	out := []ShareMeasure{}
	for _, p := range packs {
		for i := range p.Rules {
			r := &p.Rules[i]
			if r.Kind != policy.KindShareCap {
				continue
			}
			shares, err := policy.Shares(inv, p, r, opts)
			if err != nil {
				return nil, err
			}
			for _, sh := range shares {
				m := ShareMeasure{Rule: r.ID, Operator: inv.OperatorID(sh.Operator), Metric: sh.Metric,
					Cap: r.Cap.Float(), Effective: r.Effective.String()}
				if sh.Measured {
					v := sh.Value.Float()
					m.Share = &v
				}
				out = append(out, m)
			}
		}
	}
	return out, nil
}

func digest(b []byte) string {
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// openPacks resolves pack ids: a pack the regulator stored, else a
// built-in one. Every unknown id is reported.
func (s *Server) openPacks(ctx context.Context, ids []string) ([]*policy.Pack, []packInput, error) {
	if len(ids) == 0 {
		return nil, nil, fieldProblem("packs", "name at least one policy pack (GET /api/v1/packs lists them)")
	}
	probs := &cf.Problems{}
	var packs []*policy.Pack
	var inputs []packInput
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id] {
			continue
		}
		seen[id] = true
		stored, err := s.store.Pack(ctx, id)
		switch {
		case err == nil:
			p, err := policy.Parse(id+".yaml", stored.Content)
			if err != nil {
				return nil, nil, fmt.Errorf("stored pack %s: %w", id, err)
			}
			packs = append(packs, p)
			inputs = append(inputs, packInput{ID: id, Version: p.Version, Digest: stored.Digest})
			continue
		case !isNotFound(err):
			return nil, nil, err
		}
		p, ok, err := policy.Builtin(id)
		if !ok {
			probs.Add(cf.Problem{Field: "packs", ID: id, Message: fmt.Sprintf("no policy pack %q (GET /api/v1/packs lists them)", id)})
			continue
		}
		if err != nil {
			return nil, nil, err
		}
		inputs = append(inputs, packInput{ID: id, Version: p.Version, Builtin: true})
		packs = append(packs, p)
	}
	if err := probs.Err(); err != nil {
		return nil, nil, err
	}
	return packs, inputs, nil
}

// loadSnapshot reloads a snapshot's canonical inventory with the importer.
func (s *Server) loadSnapshot(ctx context.Context, operator, id string) (*inventory.Inventory, error) {
	content, err := s.store.SnapshotContent(ctx, operator, id)
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp(s.cfg.TempDir, "snapshot-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	path, err := unpackCanonical(content, dir)
	if err != nil {
		return nil, err
	}
	inv, err := importer.LoadContext(ctx, path, inventory.Options{})
	if err != nil {
		return nil, fmt.Errorf("snapshot %s no longer loads: %w", id, err)
	}
	return inv, nil
}

// activeWaivers converts operator's unrevoked waiver records for the check
// and returns their digest.
func (s *Server) activeWaivers(ctx context.Context, operator string) ([]policy.Waiver, string, error) {
	ws, err := s.store.Waivers(ctx, operator)
	if err != nil {
		return nil, "", err
	}
	active := ws[:0]
	for _, w := range ws {
		if w.Revoked == 0 {
			active = append(active, w)
		}
	}
	out, err := policyWaivers(active)
	return out, waiverDigest(active), err
}

// Check runs the check req describes on operator's snapshot (or, for
// store.National, on the national view on req.AsOf), or returns the
// stored run of the same inputs (created == false).
func (s *Server) Check(ctx context.Context, by store.Actor, operator string, req RunRequest) (run store.Run, created bool, err error) {
	return s.check(ctx, by, operator, req)
}

// check runs (or finds) the check req describes on operator's snapshot,
// or on the national view.
func (s *Server) check(ctx context.Context, by store.Actor, operator string, req RunRequest) (store.Run, bool, error) {
	probs := &cf.Problems{}
	asOf := cf.DateOf(s.cfg.Now())
	if req.AsOf != "" {
		d, err := cf.ParseDate(req.AsOf)
		if err != nil {
			probs.Add(cf.Problem{Field: "as_of", Message: err.Error()})
		}
		asOf = d
	}
	snapshotProblem(operator, req.Snapshot, "name the snapshot to check", probs)
	packs, packInputs, err := s.openPacks(ctx, req.Packs)
	if ps, ok := cf.AsProblems(err); ok {
		probs.Merge(ps)
	} else if err != nil {
		return store.Run{}, false, err
	}
	if err := probs.Err(); err != nil {
		return store.Run{}, false, err
	}
	sb, err := s.resolveSubject(ctx, operator, req.Snapshot, asOf)
	if err != nil {
		return store.Run{}, false, err
	}
	waiverRecords, waiverDigest, err := s.waiverRecords(ctx, sb)
	if err != nil {
		return store.Run{}, false, err
	}
	in := runInputs{Engine: "corefence " + s.cfg.Version, Snapshot: sb.snapshot, National: sb.input(), Packs: packInputs,
		AsOf: asOf.String(), IncludePlanned: req.IncludePlanned, Waivers: waiverDigest}
	inputs, _ := json.Marshal(in)
	id := digest(inputs)[len("sha256:"):]
	if run, err := s.store.Run(ctx, operator, id); err == nil {
		return run, false, nil // the same inputs: the stored result stands
	} else if !isNotFound(err) {
		return store.Run{}, false, err
	}

	select { // bound the checks computed at once
	case s.runs <- struct{}{}:
		defer func() { <-s.runs }()
	case <-ctx.Done():
		return store.Run{}, false, ctx.Err()
	}
	inv, err := s.loadSubject(ctx, sb)
	if err != nil {
		return store.Run{}, false, err
	}
	waivers, err := subjectWaivers(inv, sb, waiverRecords)
	if err != nil {
		return store.Run{}, false, err
	}
	res, err := policy.Check(ctx, inv, packs, policy.Options{AsOf: asOf, IncludePlanned: req.IncludePlanned, Waivers: waivers})
	if err != nil {
		return store.Run{}, false, err
	}
	findings := make([]store.Finding, len(res.Findings))
	siteTech := siteTechnologies(inv, req.IncludePlanned)
	for i := range res.Findings {
		pf := &res.Findings[i]
		f := report.NewFinding(inv, pf)
		body, err := json.Marshal(f)
		if err != nil {
			return store.Run{}, false, err
		}
		findings[i] = store.Finding{ID: f.ID, Policy: f.Policy, Rule: f.Rule, Status: f.Status, Operator: deref(f.Operator),
			Site: deref(f.Site), Element: deref(f.Element), Vendor: deref(f.Vendor), JSON: string(body),
			Technology: int64(findingTech(inv, pf, siteTech)), Deadline: findingDeadline(pf)}
	}
	shares, err := shareMeasures(inv, packs, policy.Options{AsOf: asOf, IncludePlanned: req.IncludePlanned, Waivers: waivers})
	if err != nil {
		return store.Run{}, false, err
	}
	summary, _ := json.Marshal(RunSummary{Compliant: res.Compliant(), Counts: res.Count(), Operators: report.Verdicts(res),
		Shares: shares, Warnings: len(res.Warnings)})
	return s.store.PutRun(ctx, by, store.Run{ID: id, Operator: operator, Snapshot: sb.snapshot, AsOf: asOf.String(),
		Inputs: string(inputs), Summary: string(summary)}, findings)
}

// siteTechnologies is, per site, the technologies of its elements in the
// network.
func siteTechnologies(inv *inventory.Inventory, includePlanned bool) []cf.Tech {
	out := make([]cf.Tech, len(inv.Sites))
	for i := range inv.Elements {
		e := &inv.Elements[i]
		if e.SiteRef != inventory.NoRef && e.InNetwork(includePlanned) {
			out[e.SiteRef] |= e.Tech
		}
	}
	return out
}

// findingTech is what a finding is filtered by as technology: its
// element's, else its site's elements'.
func findingTech(inv *inventory.Inventory, f *policy.Finding, siteTech []cf.Tech) cf.Tech {
	switch {
	case f.Element != inventory.NoRef:
		return inv.Elements[f.Element].Tech
	case f.Site != inventory.NoRef:
		return siteTech[f.Site]
	}
	return 0
}

// findingDeadline is the day a finding falls due: the rule's due-by date,
// else its effective date; "" with neither.
func findingDeadline(f *policy.Finding) string {
	switch {
	case !f.DueBy.IsZero():
		return f.DueBy.String()
	case !f.Effective.IsZero():
		return f.Effective.String()
	}
	return ""
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func fieldProblem(field, msg string) error {
	return cf.Problem{Field: field, Message: msg}
}
