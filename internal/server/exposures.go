package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	cf "github.com/corefence/corefence"
	"github.com/corefence/corefence/internal/exposure"
	"github.com/corefence/corefence/internal/inventory"
	"github.com/corefence/corefence/internal/store"
	"github.com/corefence/corefence/internal/vendor"
)

// ExposureRequest asks for an exposure analysis of a snapshot, or of the
// national view on AsOf, with the options of `corefence exposure`.
type ExposureRequest struct {
	Snapshot       string   `json:"snapshot"`
	AsOf           string   `json:"as_of"`   // the national view's date (today when empty); an operator's analysis names its snapshot instead
	Vendors        []string `json:"vendors"` // groups to analyse; empty: the designated ones present and the largest others
	Top            int      `json:"top"`     // choke points reported; 0: 10
	IncludePlanned bool     `json:"include_planned"`
}

// exposureInputs is what an analysis depends on; its digest is the id.
type exposureInputs struct {
	Engine         string     `json:"engine"`
	Snapshot       string     `json:"snapshot,omitempty"` // an operator's analysis
	National       *viewInput `json:"national,omitempty"` // an analysis of the national view
	Vendors        []string   `json:"vendors"`
	Top            int        `json:"top"`
	IncludePlanned bool       `json:"include_planned"`
}

// ExposureView is a stored analysis; lists leave the report out.
type ExposureView struct {
	ID       string          `json:"id"`
	Operator string          `json:"operator"`
	Snapshot string          `json:"snapshot"`
	Created  int64           `json:"created"`
	Creator  string          `json:"creator"`
	Inputs   json.RawMessage `json:"inputs"`
	Report   json.RawMessage `json:"report,omitempty"`
}

func exposureView(x store.Exposure) ExposureView {
	v := ExposureView{ID: x.ID, Operator: x.Operator, Snapshot: x.Snapshot, Created: x.Created, Creator: x.Creator, Inputs: json.RawMessage(x.Inputs)}
	if x.Report != "" {
		v.Report = json.RawMessage(x.Report)
	}
	return v
}

// Exposure analyses operator's snapshot (or, for store.National, the
// national view on req.AsOf) as req asks, or returns the stored analysis
// of the same inputs (created == false).
func (s *Server) Exposure(ctx context.Context, by store.Actor, operator string, req ExposureRequest) (store.Exposure, bool, error) {
	probs := &cf.Problems{}
	snapshotProblem(operator, req.Snapshot, "name the snapshot to analyse", probs)
	date := cf.DateOf(s.cfg.Now())
	switch {
	case req.AsOf != "" && operator != store.National:
		probs.Add(cf.Problem{Field: "as_of", Message: "an operator's analysis names its snapshot; as_of is the national view's date"})
	case req.AsOf != "":
		d, err := cf.ParseDate(req.AsOf)
		if err != nil {
			probs.Add(cf.Problem{Field: "as_of", Message: err.Error()})
		}
		date = d
	}
	if req.Top < 0 || req.Top > 1000 {
		probs.Add(cf.Problem{Field: "top", Message: "want a number from 1 to 1000 (0: the default, 10)"})
	}
	if err := probs.Err(); err != nil {
		return store.Exposure{}, false, err
	}
	if req.Top == 0 {
		req.Top = 10
	}
	if req.Vendors == nil {
		req.Vendors = []string{}
	}
	sb, err := s.resolveSubject(ctx, operator, req.Snapshot, date)
	if err != nil {
		return store.Exposure{}, false, err
	}
	inputs, _ := json.Marshal(exposureInputs{Engine: "corefence " + s.cfg.Version, Snapshot: sb.snapshot, National: sb.input(),
		Vendors: req.Vendors, Top: req.Top, IncludePlanned: req.IncludePlanned})
	return s.analyse(ctx, by, analysis{operator: operator, snapshot: sb.snapshot, inputs: inputs,
		stored: s.store.Exposure, put: s.store.PutExposure, slots: s.runs, // shares the bound on checks
		compute: func(ctx context.Context) (any, error) {
			inv, err := s.loadSubject(ctx, sb)
			if err != nil {
				return nil, err
			}
			groups, warnings, err := resolveVendors(inv, req.Vendors)
			if err != nil {
				return nil, err
			}
			rep, err := exposure.Analyse(ctx, inv, exposure.AnalyseOptions{Options: exposure.Options{IncludePlanned: req.IncludePlanned}, Vendors: groups, Top: req.Top})
			if err != nil {
				return nil, err
			}
			rep.Warnings = append(rep.Warnings, warnings...)
			return rep, nil
		}})
}

// analysis is a computation on a snapshot, or on the national view
// (operator store.National, no snapshot), that the server keeps with its
// result, keyed by the digest of its inputs: exposure analyses and plans.
type analysis struct {
	operator, snapshot string
	inputs             []byte // JSON; its digest is the id
	stored             func(ctx context.Context, operator, id string) (store.Analysis, error)
	put                func(ctx context.Context, by store.Actor, a store.Analysis) (store.Analysis, bool, error)
	slots              chan struct{} // bounds the computations at once
	compute            func(ctx context.Context) (report any, err error)
}

// analyse returns the stored result of a's inputs (created == false), or
// computes it within a's bound and stores it.
func (s *Server) analyse(ctx context.Context, by store.Actor, a analysis) (store.Analysis, bool, error) {
	id := digest(a.inputs)[len("sha256:"):]
	if x, err := a.stored(ctx, a.operator, id); err == nil {
		return x, false, nil // the same inputs: the stored result stands
	} else if !isNotFound(err) {
		return store.Analysis{}, false, err
	}
	select {
	case a.slots <- struct{}{}:
		defer func() { <-a.slots }()
	case <-ctx.Done():
		return store.Analysis{}, false, ctx.Err()
	}
	rep, err := a.compute(ctx)
	if err != nil {
		return store.Analysis{}, false, err
	}
	report, err := json.Marshal(rep)
	if err != nil {
		return store.Analysis{}, false, err
	}
	return a.put(ctx, by, store.Analysis{ID: id, Operator: a.operator, Snapshot: a.snapshot, Inputs: string(a.inputs), Report: string(report)})
}

// resolveVendors turns vendor names into the inventory's groups, as
// `corefence exposure --vendor` does; every unknown name is a problem.
func resolveVendors(inv *inventory.Inventory, names []string) ([]inventory.GroupRef, []cf.Warning, error) {
	if len(names) == 0 {
		return nil, nil, nil
	}
	probs := &cf.Problems{}
	groups := []inventory.GroupRef{}
	var warnings []cf.Warning
	seen := map[inventory.GroupRef]bool{}
	for _, name := range names {
		g, ok := inv.Group(name)
		if !ok {
			m := inv.Registry.Resolve(name)
			if m.Kind == vendor.Unknown {
				msg := fmt.Sprintf("no such vendor group %q (`corefence vendors` lists them)", name)
				if m.NearMiss != "" {
					msg = fmt.Sprintf("no such vendor group %q; did you mean %q?", name, m.NearMiss)
				}
				probs.Add(cf.Problem{Field: "vendors", ID: name, Message: msg})
				continue
			}
			if g, ok = inv.Group(m.Group); !ok {
				warnings = append(warnings, cf.Warning{Code: "vendor-absent",
					Message: fmt.Sprintf("vendor %s: group %q has no elements in this snapshot; nothing to analyse", name, m.Group)})
				continue
			}
		}
		if !seen[g] {
			seen[g] = true
			groups = append(groups, g)
		}
	}
	return groups, warnings, probs.Err()
}

func (s *Server) createExposure(w http.ResponseWriter, r *http.Request, c *caller) error {
	var req ExposureRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	x, created, err := s.Exposure(r.Context(), c.actor(), subjectOf(r), req)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	writeJSON(w, status, exposureView(x))
	return nil
}

func (s *Server) listExposures(w http.ResponseWriter, r *http.Request, _ *caller) error {
	return listAnalyses(w, r, s.store.Exposures, func(x store.Exposure) (ExposureView, error) { return exposureView(x), nil })
}

func (s *Server) getExposure(w http.ResponseWriter, r *http.Request, _ *caller) error {
	x, err := s.store.Exposure(r.Context(), subjectOf(r), r.PathValue("exposure"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, exposureView(x))
	return nil
}
