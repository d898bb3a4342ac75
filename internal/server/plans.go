package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	cf "github.com/corefence/corefence"
	"github.com/corefence/corefence/internal/inventory"
	"github.com/corefence/corefence/internal/planner"
	"github.com/corefence/corefence/internal/store"
)

// PlanRequest asks for a rip-and-replace plan of a snapshot, as
// `corefence plan` makes one, or for a comparison of policy options, as
// `corefence compare` does.
type PlanRequest struct {
	// Snapshot is a snapshot id, or "latest": the snapshot describing the
	// network on the plan's start.
	Snapshot string `json:"snapshot"`
	// Packs are the packs of a single plan; Options, instead, the policy
	// options to compare on one horizon.
	Packs   []string          `json:"packs"`
	Options []PlanOptionInput `json:"options"`
	// AsOf is the plan's start (the parameters' start); one of the two is
	// needed, and they agree when both are given.
	AsOf string `json:"as_of"`
	// Params are the planner's parameters, as a parameter file holds them
	// (docs/planner.md); every one left out takes its default.
	Params json.RawMessage `json:"params"`
	// Method is auto (default), exact or lagrangian.
	Method string `json:"method"`
	// TimeLimitSeconds is the planner's safety limit for each plan
	// (default 60, at most maxPlanSeconds).
	TimeLimitSeconds int `json:"time_limit_seconds"`
}

// PlanOptionInput is one policy option to compare: a name and its packs.
type PlanOptionInput struct {
	Name  string   `json:"name"`
	Packs []string `json:"packs"`
}

// maxPlanSeconds bounds a plan's time limit, within the server's 15-minute
// response timeout.
const maxPlanSeconds = 600

// planInputs is what a plan depends on; its digest is the id.
type planInputs struct {
	Engine    string            `json:"engine"`
	Snapshot  string            `json:"snapshot,omitempty"` // an operator's plan
	National  *viewInput        `json:"national,omitempty"` // the national removal plan
	Options   []planOptionInput `json:"options"`            // one, unnamed, for a single plan
	Start     string            `json:"start"`
	Params    json.RawMessage   `json:"params"` // as given, keys sorted
	Method    string            `json:"method"`
	TimeLimit int               `json:"time_limit_seconds"`
}

type planOptionInput struct {
	Name  string      `json:"name"`
	Packs []packInput `json:"packs"`
}

// PlanResult is what a plan run keeps: each option's plan.
type PlanResult struct {
	Currency string        `json:"currency"`
	Options  []PlanOutcome `json:"options"`
}

// PlanOutcome is one option's plan: the planner's report, as `corefence
// plan --format json` writes it, and its jobs counted by period and
// region for the plan page.
type PlanOutcome struct {
	Option string          `json:"option"` // "" for a single plan
	Packs  []string        `json:"packs"`
	Report *planner.Report `json:"report"`
	// Regions are the regions jobs are in; JobsByRegion[i][j] is the
	// number of jobs done in report.periods[i] in Regions[j].
	Regions      []string `json:"regions"`
	JobsByRegion [][]int  `json:"jobs_by_region"`
}

// planOutcome summarises plan as the plan page shows it.
func planOutcome(name string, plan *planner.Plan) PlanOutcome {
	rep := plan.Report()
	out := PlanOutcome{Option: name, Packs: rep.Packs, Report: rep, Regions: []string{}, JobsByRegion: [][]int{}}
	period := map[string]int{}
	for i, p := range rep.Periods {
		period[p.Period] = i
		out.JobsByRegion = append(out.JobsByRegion, []int{})
	}
	for _, j := range rep.Jobs {
		if !slices.Contains(out.Regions, j.Region) {
			out.Regions = append(out.Regions, j.Region)
		}
	}
	slices.Sort(out.Regions)
	for i := range out.JobsByRegion {
		out.JobsByRegion[i] = make([]int, len(out.Regions))
	}
	for _, j := range rep.Jobs {
		if j.Period == nil {
			continue
		}
		if i, ok := period[*j.Period]; ok {
			r, _ := slices.BinarySearch(out.Regions, j.Region)
			out.JobsByRegion[i][r]++
		}
	}
	return out
}

// PlanView is a stored plan; lists leave the result out, and the result
// leaves out each report's job list, which …/plans/{plan}/jobs pages.
type PlanView struct {
	ID       string          `json:"id"`
	Operator string          `json:"operator"`
	Snapshot string          `json:"snapshot"`
	Created  int64           `json:"created"`
	Creator  string          `json:"creator"`
	Inputs   json.RawMessage `json:"inputs"`
	Result   *PlanResult     `json:"result,omitempty"`
}

func planView(p store.Plan) (PlanView, error) {
	v := PlanView{ID: p.ID, Operator: p.Operator, Snapshot: p.Snapshot, Created: p.Created, Creator: p.Creator, Inputs: json.RawMessage(p.Inputs)}
	if p.Report == "" {
		return v, nil
	}
	var res PlanResult
	if err := json.Unmarshal([]byte(p.Report), &res); err != nil {
		return v, fmt.Errorf("plan %s: %w", p.ID, err)
	}
	for _, o := range res.Options {
		o.Report.Jobs = nil
	}
	v.Result = &res
	return v, nil
}

// Plan plans operator's snapshot as req asks — or, for store.National,
// the national view on the plan's start: the regulator's national removal
// plan — or returns the stored plan of the same inputs (created == false).
func (s *Server) Plan(ctx context.Context, by store.Actor, operator string, req PlanRequest) (store.Plan, bool, error) {
	probs := &cf.Problems{}
	snapshotProblem(operator, req.Snapshot, `name the snapshot to plan, or "latest" for the one valid on the plan's start`, probs)
	method := req.Method
	switch method {
	case "":
		method = planner.MethodAuto
	case planner.MethodAuto, planner.MethodExact, planner.MethodLagrangian:
	default:
		probs.Add(cf.Problem{Field: "method", ID: method, Message: "want auto, exact or lagrangian"})
	}
	limit := req.TimeLimitSeconds
	switch {
	case limit == 0:
		limit = 60
	case limit < 0 || limit > maxPlanSeconds:
		probs.Add(cf.Problem{Field: "time_limit_seconds", Message: fmt.Sprintf("want 1 to %d seconds (0: the default, 60)", maxPlanSeconds)})
	}
	options, optionInputs, err := s.planOptions(ctx, req, probs)
	if err != nil {
		return store.Plan{}, false, err
	}
	params, paramsJSON := planParams(req, probs)
	if err := probs.Err(); err != nil {
		return store.Plan{}, false, err
	}
	snapshot := req.Snapshot
	if operator == store.National {
		snapshot = "" // the view on the start
	} else if snapshot == "latest" {
		sn, err := s.store.SnapshotAsOf(ctx, operator, params.Start.String())
		if isNotFound(err) {
			return store.Plan{}, false, fieldProblem("snapshot", fmt.Sprintf("no snapshot describes the network on %s, the plan's start", params.Start))
		}
		if err != nil {
			return store.Plan{}, false, err
		}
		snapshot = sn.ID
	}
	sb, err := s.resolveSubject(ctx, operator, snapshot, params.Start)
	if err != nil {
		return store.Plan{}, false, err
	}
	in, _ := json.Marshal(planInputs{Engine: "corefence " + s.cfg.Version, Snapshot: sb.snapshot, National: sb.input(), Options: optionInputs,
		Start: params.Start.String(), Params: paramsJSON, Method: method, TimeLimit: limit})
	return s.analyse(ctx, by, analysis{operator: operator, snapshot: sb.snapshot, inputs: in,
		stored: s.store.Plan, put: s.store.PutPlan, slots: s.plans,
		compute: func(ctx context.Context) (any, error) {
			inv, err := s.planInventory(ctx, sb)
			if err != nil {
				return nil, err
			}
			each := time.Duration(limit) * time.Second
			// The planner's limit is a safety net it checks itself; this
			// one, with a second's grace, holds even if it did not.
			ctx, cancel := context.WithTimeout(ctx, each*time.Duration(len(options))+time.Second)
			defer cancel()
			opts := planner.Options{Method: method, TimeLimit: each}
			res := PlanResult{Currency: "GBP thousands", Options: []PlanOutcome{}}
			if len(req.Options) == 0 {
				plan, err := planner.Run(ctx, inv, options[0].Packs, params, opts)
				if err != nil {
					return nil, planError(err)
				}
				res.Options = append(res.Options, planOutcome("", plan))
				return res, nil
			}
			outcomes, err := planner.Compare(ctx, inv, options, params, opts)
			if err != nil {
				return nil, planError(err)
			}
			for _, o := range outcomes {
				res.Options = append(res.Options, planOutcome(o.Name, o.Plan))
			}
			return res, nil
		}})
}

// planInventory is the inventory a plan is made on: an operator's
// snapshot through the cache the map pages share, or the national view
// merged.
func (s *Server) planInventory(ctx context.Context, sb subject) (*inventory.Inventory, error) {
	if sb.national() {
		return s.loadView(ctx, sb)
	}
	cached, err := s.snapshots.load(ctx, s, sb.operator, sb.snapshot)
	if err != nil {
		return nil, err
	}
	return cached.inv, nil
}

// planError tells a plan the planner could not make within its time
// limit (a 503 the client may retry with a longer one) from a failure.
func planError(err error) error {
	if errors.Is(err, planner.ErrTimeLimit) {
		return fmt.Errorf("%w: %v", context.DeadlineExceeded, err)
	}
	return err
}

// planOptions resolves the packs of the single plan or of each option,
// adding every problem to probs; an error is the store's.
func (s *Server) planOptions(ctx context.Context, req PlanRequest, probs *cf.Problems) ([]planner.Option, []planOptionInput, error) {
	requested := req.Options
	switch {
	case len(req.Packs) > 0 && len(req.Options) > 0:
		probs.Add(cf.Problem{Field: "options", Message: "give packs for one plan, or options to compare, not both"})
		return nil, nil, nil
	case len(req.Options) == 0:
		requested = []PlanOptionInput{{Packs: req.Packs}}
	}
	var inputs []planOptionInput
	var options []planner.Option
	names := map[string]bool{}
	for i, o := range requested {
		if len(req.Options) > 0 {
			switch {
			case !slug().MatchString(o.Name):
				probs.Add(cf.Problem{Field: fmt.Sprintf("options[%d].name", i), ID: o.Name, Message: "an option name is lower case letters, digits, '.', '_' or '-', at most 64"})
			case names[o.Name]:
				probs.Add(cf.Problem{Field: fmt.Sprintf("options[%d].name", i), ID: o.Name, Message: "given twice"})
			}
			names[o.Name] = true
		}
		packs, packInputs, err := s.openPacks(ctx, o.Packs)
		if ps, ok := cf.AsProblems(err); ok {
			probs.Merge(ps)
			continue
		} else if err != nil {
			return nil, nil, err
		}
		options = append(options, planner.Option{Name: o.Name, Packs: packs})
		inputs = append(inputs, planOptionInput{Name: o.Name, Packs: packInputs})
	}
	return options, inputs, nil
}

// planParams reads the request's parameters, taking the start from as_of
// when they leave it out; params and their canonical JSON (keys sorted).
func planParams(req PlanRequest, probs *cf.Problems) (*planner.Params, json.RawMessage) {
	fields := map[string]any{}
	if len(req.Params) > 0 && string(req.Params) != "null" {
		if err := json.Unmarshal(req.Params, &fields); err != nil {
			probs.Add(cf.Problem{Field: "params", Message: "want an object of planner parameters (docs/planner.md)"})
			return nil, nil
		}
	}
	if req.AsOf != "" {
		d, err := cf.ParseDate(req.AsOf)
		if err != nil {
			probs.Add(cf.Problem{Field: "as_of", Message: err.Error()})
			return nil, nil
		}
		if start, ok := fields["start"]; ok && start != d.String() {
			probs.Add(cf.Problem{Field: "as_of", Message: fmt.Sprintf("%s, but params.start is %v: give one, or the same date", d, start)})
			return nil, nil
		}
		fields["start"] = d.String()
	}
	canonical, _ := json.MarshalIndent(fields, "", " ") // one key a line: problems name a useful line
	params, err := planner.ParseParams("params", canonical)
	if ps, ok := cf.AsProblems(err); ok {
		probs.Merge(ps)
		return nil, nil
	} else if err != nil {
		probs.Add(cf.Problem{Field: "params", Message: err.Error()})
		return nil, nil
	}
	compact, _ := json.Marshal(fields)
	return params, compact
}

func (s *Server) createPlan(w http.ResponseWriter, r *http.Request, c *caller) error {
	var req PlanRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	p, created, err := s.Plan(r.Context(), c.actor(), subjectOf(r), req)
	if err != nil {
		return err
	}
	v, err := planView(p)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	writeJSON(w, status, v)
	return nil
}

func (s *Server) listPlans(w http.ResponseWriter, r *http.Request, _ *caller) error {
	return listAnalyses(w, r, s.store.Plans, planView)
}

func (s *Server) getPlan(w http.ResponseWriter, r *http.Request, _ *caller) error {
	p, err := s.store.Plan(r.Context(), subjectOf(r), r.PathValue("plan"))
	if err != nil {
		return err
	}
	v, err := planView(p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

// planJobs pages the jobs of one option of a plan (?option=NAME; a single
// plan's option is "").
func (s *Server) planJobs(w http.ResponseWriter, r *http.Request, _ *caller) error {
	pg, err := page(r)
	if err != nil {
		return err
	}
	p, err := s.store.Plan(r.Context(), subjectOf(r), r.PathValue("plan"))
	if err != nil {
		return err
	}
	var res PlanResult
	if err := json.Unmarshal([]byte(p.Report), &res); err != nil {
		return fmt.Errorf("plan %s: %w", p.ID, err)
	}
	name := r.URL.Query().Get("option")
	i := slices.IndexFunc(res.Options, func(o PlanOutcome) bool { return o.Option == name })
	if i < 0 {
		var have []string
		for _, o := range res.Options {
			have = append(have, fmt.Sprintf("%q", o.Option))
		}
		return cf.Problem{Field: "option", ID: name, Message: "the plan has no such option; it has " + strings.Join(have, ", ")}
	}
	jobs := res.Options[i].Report.Jobs
	start := min(int(pg.After), len(jobs))
	end := min(start+pg.Limit, len(jobs))
	out := Page[planner.JobReport]{Items: jobs[start:end]}
	if out.Items == nil {
		out.Items = []planner.JobReport{}
	}
	if end < len(jobs) {
		out.Next = fmt.Sprint(end)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// listAnalyses writes a page of an operator's analyses (or the national
// view's) as views.
func listAnalyses[V any](w http.ResponseWriter, r *http.Request, list func(context.Context, string, store.Page) ([]store.Analysis, error),
	view func(store.Analysis) (V, error)) error {
	pg, err := page(r)
	if err != nil {
		return err
	}
	xs, err := list(r.Context(), subjectOf(r), pg)
	if err != nil {
		return err
	}
	out := Page[V]{Items: []V{}}
	for _, x := range xs {
		v, err := view(x)
		if err != nil {
			return err
		}
		out.Items = append(out.Items, v)
	}
	if len(xs) > 0 {
		out.Next = nextCursor(len(xs), pg.Limit, xs[len(xs)-1].Seq)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
