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

// ExposureRequest asks for an exposure analysis of a snapshot, with the
// options of `corefence exposure`.
type ExposureRequest struct {
	Snapshot       string   `json:"snapshot"`
	Vendors        []string `json:"vendors"` // groups to analyse; empty: the designated ones present and the largest others
	Top            int      `json:"top"`     // choke points reported; 0: 10
	IncludePlanned bool     `json:"include_planned"`
}

// exposureInputs is what an analysis depends on; its digest is the id.
type exposureInputs struct {
	Engine         string   `json:"engine"`
	Snapshot       string   `json:"snapshot"`
	Vendors        []string `json:"vendors"`
	Top            int      `json:"top"`
	IncludePlanned bool     `json:"include_planned"`
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

// Exposure analyses operator's snapshot as req asks, or returns the
// stored analysis of the same inputs (created == false).
func (s *Server) Exposure(ctx context.Context, by store.Actor, operator string, req ExposureRequest) (store.Exposure, bool, error) {
	probs := &cf.Problems{}
	if req.Snapshot == "" {
		probs.Add(cf.Problem{Field: "snapshot", Message: "name the snapshot to analyse"})
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
	if _, err := s.store.Snapshot(ctx, operator, req.Snapshot); err != nil {
		return store.Exposure{}, false, err
	}
	inputs, _ := json.Marshal(exposureInputs{Engine: "corefence " + s.cfg.Version, Snapshot: req.Snapshot,
		Vendors: req.Vendors, Top: req.Top, IncludePlanned: req.IncludePlanned})
	id := digest(inputs)[len("sha256:"):]
	if x, err := s.store.Exposure(ctx, operator, id); err == nil {
		return x, false, nil // the same inputs: the stored result stands
	} else if !isNotFound(err) {
		return store.Exposure{}, false, err
	}

	select { // bound the analyses computed at once, with the checks
	case s.runs <- struct{}{}:
		defer func() { <-s.runs }()
	case <-ctx.Done():
		return store.Exposure{}, false, ctx.Err()
	}
	inv, err := s.loadSnapshot(ctx, operator, req.Snapshot)
	if err != nil {
		return store.Exposure{}, false, err
	}
	groups, warnings, err := resolveVendors(inv, req.Vendors)
	if err != nil {
		return store.Exposure{}, false, err
	}
	rep, err := exposure.Analyse(ctx, inv, exposure.AnalyseOptions{Options: exposure.Options{IncludePlanned: req.IncludePlanned}, Vendors: groups, Top: req.Top})
	if err != nil {
		return store.Exposure{}, false, err
	}
	rep.Warnings = append(rep.Warnings, warnings...)
	report, err := json.Marshal(rep)
	if err != nil {
		return store.Exposure{}, false, err
	}
	return s.store.PutExposure(ctx, by, store.Exposure{ID: id, Operator: operator, Snapshot: req.Snapshot, Inputs: string(inputs), Report: string(report)})
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
	x, created, err := s.Exposure(r.Context(), c.actor(), r.PathValue("op"), req)
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
	pg, err := page(r)
	if err != nil {
		return err
	}
	xs, err := s.store.Exposures(r.Context(), r.PathValue("op"), pg)
	if err != nil {
		return err
	}
	out := Page[ExposureView]{Items: []ExposureView{}}
	for _, x := range xs {
		out.Items = append(out.Items, exposureView(x))
	}
	if len(xs) > 0 {
		out.Next = nextCursor(len(xs), pg.Limit, xs[len(xs)-1].Seq)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) getExposure(w http.ResponseWriter, r *http.Request, _ *caller) error {
	x, err := s.store.Exposure(r.Context(), r.PathValue("op"), r.PathValue("exposure"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, exposureView(x))
	return nil
}
