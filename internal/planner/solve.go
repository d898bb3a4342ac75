package planner

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	cf "github.com/corefence/corefence"
	"github.com/corefence/corefence/internal/inventory"
	"github.com/corefence/corefence/internal/planner/milp"
	"github.com/corefence/corefence/internal/policy"
)

// Methods.
const (
	MethodAuto       = "auto"
	MethodExact      = "exact"
	MethodLagrangian = "lagrangian"
)

// Plan statuses.
const (
	StatusOptimal    = "optimal"    // proven optimal (exact method)
	StatusFeasible   = "feasible"   // meets every constraint; Gap bounds how far from optimal
	StatusInfeasible = "infeasible" // proven: no plan meets every deadline, milestone and budget
	StatusUnknown    = "unknown"    // no plan found, infeasibility not proven
)

// Options set how Solve works. The search is bounded by work — subgradient
// iterations, local-search passes, branch-and-bound nodes — so that the
// same problem always gives the same plan, on any machine and under any
// load; TimeLimit is only a safety net, and a plan it cut short says so
// (Plan.TimeLimited and a warning).
type Options struct {
	// Method is auto (exact for small instances, Lagrangian otherwise),
	// exact or lagrangian.
	Method string
	// TimeLimit is a hard limit on Solve (default 60 s): when it runs
	// out the search stops with the best plan found so far, or Solve
	// returns ErrTimeLimit when there is none yet.
	TimeLimit time.Duration
	// ExactSize is the largest instance, in job-period variables, that
	// auto solves exactly (default 6000).
	ExactSize int
	// Gap is the relative gap within which the exact method calls a plan
	// optimal (default 1e-6): it stops once the plan's objective is within
	// Gap·max(1, objective) of a proven lower bound.
	Gap float64
	// Nodes bounds the exact method's branch and bound (default 4000).
	Nodes int
	// Work bounds the subgradient method: its iterations times the
	// job-period variables (default 2e9, at most 5,500 iterations).
	Work float64
	// Progress, when set, is told what the planner is doing (for a person
	// watching; never part of the output).
	Progress func(msg string)
}

func (o *Options) progress(format string, args ...any) {
	if o.Progress != nil {
		o.Progress(fmt.Sprintf(format, args...))
	}
}

// exactSizeDefault is the largest instance, in job-period variables, that
// auto solves exactly and whose least extra crews are found exactly.
const exactSizeDefault = 6000

// ErrTimeLimit means the time limit ran out before the planner had a plan
// or a proof that none exists.
var ErrTimeLimit = errors.New("the time limit ran out before a plan was found or shown impossible (raise it with --time-limit)")

func (o *Options) defaults() {
	if o.TimeLimit <= 0 {
		o.TimeLimit = 60 * time.Second
	}
	if o.ExactSize <= 0 {
		o.ExactSize = exactSizeDefault
	}
	if o.Gap <= 0 {
		o.Gap = 1e-6
	}
	if o.Nodes <= 0 {
		o.Nodes = 4000
	}
	if o.Work <= 0 {
		o.Work = 2e9
	}
}

// Plan is a schedule with its costs, its bound and what it means for each
// period, job and cap.
type Plan struct {
	Problem  *Problem
	Status   string
	Method   string
	Schedule Schedule
	Costs    Costs
	// LowerBound no plan's objective can beat; Gap = (Costs.Objective −
	// LowerBound) / Costs.Objective. ScheduleGap is the same gap measured on the part of the
	// cost a schedule can change (the total less every mandatory job's
	// cheapest period), a stricter measure.
	LowerBound  float64
	Gap         float64
	ScheduleGap float64
	Elapsed     time.Duration
	Iterations  int // subgradient iterations
	Nodes       int // branch-and-bound nodes
	// TimeLimited is true when the time limit, not the work bounds,
	// stopped the search: the plan may then differ between runs.
	TimeLimited bool
	tol         float64 // the gap within which a plan is optimal

	Finish cf.Date // end of the last period with work
	// BacklogCleared is the end of the period in which the new-build
	// backlogs the plan leaves have all cleared (the end of the reported
	// tail); zero when the plan delays no new build past the horizon or the
	// backlog outlasts the tail.
	BacklogCleared  cf.Date
	RolloutDelay    float64 // months the worst operator's new-build programme falls behind, at worst
	TrafficYears    float64 // Gbps·years of traffic carried over designated equipment in the horizon
	DeadlinesMissed int     // deadlines (and caps) already passed at the start: met as soon as possible
	Operators       []OperatorSummary
	Periods         []PeriodSummary
	Jobs            []JobPlan
	Milestones      []MilestonePlan
	Infeasible      *Infeasibility
	Warnings        []string
	Eval            *Evaluation
}

// OperatorSummary is one operator's part of a plan.
type OperatorSummary struct {
	ID           string  `json:"id"`
	Jobs         int     `json:"jobs"`
	Capital      float64 `json:"capital"`
	Writeoff     float64 `json:"writeoff"`
	Delay        float64 `json:"delay_cost"`
	RolloutDelay float64 `json:"rollout_delay_months"`
	Finish       cf.Date `json:"finish"`
}

// PeriodSummary is one period of a plan.
type PeriodSummary struct {
	Label          string
	Start, End     cf.Date
	Tail           bool
	Jobs           int
	Spend          float64 // capital
	Cost           float64 // what the period costs: capital, write-off, delay, risk
	CrewsUsed      float64 // crew-equivalents the swaps take
	Crews          float64 // crews available
	NewBuilds      float64 // new builds done
	Delayed        float64 // new builds waiting at the end of the period
	Shares         []ShareAt
	Due, Met       int // deadlines falling in the period, and met
	OverdueDone    int // jobs whose deadline had passed at the start, done in the period
	DeadlineLabels []string
}

// ShareAt is an operator's designated share under a cap at the end of a
// period.
type ShareAt struct {
	Rule     string  `json:"rule"`
	Operator string  `json:"operator"`
	Metric   string  `json:"metric"`
	Share    float64 `json:"share"`
	Cap      float64 `json:"cap"`
}

// JobPlan is one job and when it is done.
type JobPlan struct {
	*Job
	Period   string
	Start    cf.Date
	End      cf.Date
	Done     bool
	Writeoff float64
	Penalty  float64
	Risk     float64
	Cost     float64
}

// MilestonePlan is a cap and how the plan meets it.
type MilestonePlan struct {
	*Milestone
	PeriodLabel string
	ShareStart  float64
	ShareAt     float64 // at the milestone
	Met         bool
}

// Run derives the problem from the packs' findings and solves it: the
// function the CLI and the demo call.
func Run(ctx context.Context, inv *inventory.Inventory, packs []*policy.Pack, params *Params, opts Options) (*Plan, error) {
	p, err := Build(ctx, inv, packs, params)
	if err != nil {
		return nil, err
	}
	return Solve(ctx, p, opts)
}

// Solve plans the problem.
func Solve(ctx context.Context, p *Problem, opts Options) (*Plan, error) {
	start := time.Now()
	opts.defaults()
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < opts.TimeLimit {
		opts.TimeLimit = time.Until(dl)
	}
	size := 0
	for _, j := range p.Jobs {
		size += j.Last - j.Release + 1
	}
	method := opts.Method
	switch method {
	case "", MethodAuto:
		method = MethodLagrangian
		if size <= opts.ExactSize {
			method = MethodExact
		}
	case MethodExact, MethodLagrangian:
	default:
		return nil, errors.New("planner: unknown method " + method)
	}
	plan := &Plan{Problem: p, Method: method, Warnings: p.Warnings, tol: opts.Gap}

	// sctx ends at the time limit: every loop of the search watches it.
	sctx, cancel := context.WithTimeout(ctx, opts.TimeLimit)
	defer cancel()
	// stopped tells a time limit (the search goes on with what it has)
	// from a cancellation (Solve returns the context's error).
	stopped := func() (bool, error) {
		if err := ctx.Err(); err != nil {
			return true, err
		}
		if sctx.Err() != nil {
			plan.TimeLimited = true
			return true, nil
		}
		return false, nil
	}
	fail := func() (*Plan, error) {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("planner: %w (%s)", ErrTimeLimit, opts.TimeLimit)
	}

	if len(p.Jobs) == 0 {
		plan.Status = StatusOptimal
		return plan.finish(Schedule{}, start), nil
	}
	opts.progress("%d jobs, %d pools, %d periods: checking that a plan can exist", len(p.Jobs), len(p.Pools), len(p.Periods))
	inf, err := p.necessary(sctx)
	if err != nil {
		return fail()
	}
	if inf != nil {
		p.explain(sctx, inf)
		if _, err := stopped(); err != nil {
			return nil, err
		}
		plan.Status, plan.Infeasible = StatusInfeasible, inf
		return plan.finish(nil, start), nil
	}

	// Lagrangian bound and heuristic plans, steered by its multipliers.
	lg := newLagrangian(p)
	var best *search
	bestCost := math.Inf(1)
	const plans = 5 // the true costs, then two guided plans after each part of the subgradient iterations
	built := 0
	try := func(price pricer) error {
		built++
		opts.progress("plan %d (of up to %d): construction", built, plans)
		x, err := construct(sctx, p, price)
		if err != nil {
			if errors.Is(err, errNoSchedule) {
				return nil
			}
			if stop, err := stopped(); stop {
				return err
			}
			return err
		}
		opts.progress("plan %d: cost %.0f; local search", built, x.total())
		passes := x.improve(sctx)
		opts.progress("plan %d: cost %.0f after %d local-search passes", built, x.total(), passes)
		if c := x.total(); c < bestCost {
			best, bestCost = x, c
		}
		return nil
	}
	trueCost := func(ji, t int) float64 { return p.Jobs[ji].Cost(t) }
	if err := try(trueCost); err != nil {
		return nil, err
	}
	if best != nil {
		lg.warmStart(best)
	}
	guided := func() error {
		if lg.bestPi == nil {
			return nil
		}
		opIndex := p.opIndex()
		for _, withPi := range []bool{false, true} {
			pi := lg.bestPi
			if !withPi {
				pi = grid(len(p.Pools), len(p.Periods))
			}
			lam, mu := lg.bestLam, lg.bestMu
			price := func(ji, t int) float64 {
				return lg.reduced(ji, t, pi, lam, mu, opIndex[p.Jobs[ji].Operator])
			}
			if err := try(price); err != nil {
				return err
			}
		}
		return nil
	}
	// Subgradient iterations: as many as the work bound allows, at least
	// 50 and at most 5,500, a tenth of them before the first guided plans.
	iters := int(math.Min(5500, math.Max(50, opts.Work/float64(max(size, 1)))))
	opts.progress("first plan %.0f; %d subgradient iterations for the bound", bestCost, iters)
	if opts.Progress != nil {
		lg.progress = func(done int) {
			if done%500 == 0 {
				opts.progress("subgradient iteration %d of %d, bound %.0f", done, iters, lg.best)
			}
		}
	}
	lg.run(sctx, iters/10, bestCost)
	if err := guided(); err != nil {
		return nil, err
	}
	lg.run(sctx, iters-iters/10, bestCost)
	if err := guided(); err != nil {
		return nil, err
	}
	plan.Iterations = lg.iters
	plan.LowerBound = lg.best
	if _, err := stopped(); err != nil {
		return nil, err
	}
	if method == MethodLagrangian && size <= opts.ExactSize && sctx.Err() == nil {
		// The LP relaxation is affordable: report the tighter bound.
		if lp, err := p.lpBound(ctx, start.Add(opts.TimeLimit)); err != nil {
			return nil, err
		} else if lp > plan.LowerBound {
			plan.LowerBound = lp
		}
	}

	opts.progress("best plan %.0f, bound %.0f", bestCost, lg.best)
	if method == MethodExact && sctx.Err() == nil {
		opts.progress("branch and bound, up to %d nodes", opts.Nodes)
		var inc Schedule
		if best != nil {
			inc = best.s
		}
		r, err := p.solveExact(ctx, start.Add(opts.TimeLimit), inc, opts.Nodes, opts.Gap)
		if err != nil {
			return nil, err
		}
		{
			plan.Nodes = r.nodes
			plan.TimeLimited = plan.TimeLimited || r.timeLimited
			switch {
			case r.status == milp.Infeasible:
				inf := &Infeasibility{Proven: true}
				inf.add(Binding{Kind: BindCombined}, "branch and bound on the exact model finds no plan that meets every deadline, cap and budget together, although each condition checked alone holds")
				p.explain(sctx, inf)
				plan.Status, plan.Infeasible = StatusInfeasible, inf
				return plan.finish(nil, start), nil
			case r.schedule != nil:
				plan.LowerBound = math.Max(plan.LowerBound, r.bound)
				if r.status == milp.Optimal {
					plan.Status = StatusOptimal
				}
				return plan.finish(r.schedule, start), nil
			}
		}
	}
	if best == nil {
		if plan.TimeLimited {
			return fail()
		}
		inf := &Infeasibility{Proven: lg.infeasible()}
		if inf.Proven {
			inf.add(Binding{Kind: BindCombined}, "the Lagrangian bound exceeds the cost of any plan: the deadlines, caps and budgets cannot all be met together")
		} else {
			inf.add(Binding{Kind: BindNotFound}, "no plan was found that meets every deadline, cap and budget, although the necessary conditions hold")
		}
		p.explain(sctx, inf)
		if _, err := stopped(); err != nil {
			return nil, err
		}
		plan.Status, plan.Infeasible = StatusUnknown, inf
		if inf.Proven {
			plan.Status = StatusInfeasible
		}
		return plan.finish(nil, start), nil
	}
	return plan.finish(best.s, start), nil
}

// finish fills in the plan's figures from its schedule.
func (plan *Plan) finish(s Schedule, start time.Time) *Plan {
	p := plan.Problem
	defer func() { plan.Elapsed = time.Since(start) }()
	if plan.TimeLimited {
		plan.Warnings = append(plan.Warnings[:len(plan.Warnings):len(plan.Warnings)],
			"the time limit stopped the search before its work bounds: the figures may differ between runs (raise it with --time-limit)")
	}
	if s == nil {
		return plan
	}
	plan.Schedule = s
	ev := p.Evaluate(s)
	plan.Eval = ev
	plan.Costs = ev.Costs
	if plan.Status == "" {
		plan.Status = StatusFeasible
	}
	plan.LowerBound = math.Min(plan.LowerBound, ev.Costs.Objective)
	if ev.Costs.Objective > 0 {
		plan.Gap = (ev.Costs.Objective - plan.LowerBound) / ev.Costs.Objective
	}
	// Optimal only when proven: the bound meets the cost within the
	// tolerance (the exact method's own test, applied to either method).
	if plan.Status == StatusFeasible && ev.Costs.Objective-plan.LowerBound <= plan.tol*math.Max(1, ev.Costs.Objective) {
		plan.Status = StatusOptimal
	}
	fixed := 0.0
	for ji := range p.Jobs {
		j := &p.Jobs[ji]
		if j.Optional {
			continue
		}
		m := math.Inf(1)
		for _, c := range j.cost {
			m = math.Min(m, c)
		}
		fixed += m
	}
	if v := ev.Costs.Objective - fixed; v > 1e-9 {
		plan.ScheduleGap = math.Max(0, (ev.Costs.Objective-plan.LowerBound)/v)
	}
	plan.summarise(ev)
	return plan
}

// summarise builds the per-period, per-job, per-cap and per-operator views.
func (plan *Plan) summarise(ev *Evaluation) {
	p := plan.Problem
	s := plan.Schedule
	H := len(p.Periods)
	plan.Periods = make([]PeriodSummary, H)
	for t := range plan.Periods {
		ps := &plan.Periods[t]
		ps.Label, ps.Start, ps.End, ps.Tail = p.Periods[t].Label, p.Periods[t].Start, p.Periods[t].End, p.Periods[t].Tail
	}
	opIndex := p.opIndex()
	ops := make([]OperatorSummary, len(p.operators()))
	for i, id := range p.operators() {
		ops[i].ID = id
	}
	lastT := -1
	for ji := range p.Jobs {
		j := &p.Jobs[ji]
		jp := JobPlan{Job: j}
		t := s[ji]
		if t >= 0 {
			jp.Done = true
			jp.Period, jp.Start, jp.End = p.Periods[t].Label, p.Periods[t].Start, p.Periods[t].End
			jp.Writeoff, jp.Penalty, jp.Risk, jp.Cost = j.Writeoff(t), j.Penalty(t), j.Risk(t), j.Cost(t)
			ps := &plan.Periods[t]
			ps.Jobs++
			ps.Spend += j.Capex
			ps.Cost += j.Cost(t) - j.Penalty(t)
			if j.Overdue {
				ps.OverdueDone++
				plan.DeadlinesMissed++
			}
			o := &ops[opIndex[j.Operator]]
			o.Jobs++
			o.Capital += j.Capex
			o.Writeoff += jp.Writeoff
			if p.Periods[t].End > o.Finish {
				o.Finish = p.Periods[t].End
			}
			lastT = max(lastT, t)
		}
		if !j.Optional && !j.Overdue {
			ps := &plan.Periods[j.Last]
			ps.Due++
			if t >= 0 && t <= j.Last {
				ps.Met++
			}
		}
		plan.Jobs = append(plan.Jobs, jp)
	}
	if lastT >= 0 {
		plan.Finish = p.Periods[lastT].End
	}
	// Crews and new builds.
	months := float64(p.Months())
	opBacklog := grid(len(ops), H)
	opRate := grid(len(ops), H)
	for pi := range p.Pools {
		pl := &p.Pools[pi]
		oi, ok := opIndex[pl.Operator]
		for t := 0; t < H; t++ {
			ps := &plan.Periods[t]
			if pl.PerCrew > 0 && !pl.Core {
				ps.CrewsUsed += ev.Usage[pi][t] / pl.PerCrew
				ps.Crews += pl.Crews
			}
			ps.NewBuilds += ev.Served[pi][t]
			ps.Delayed += ev.Backlog[pi][t]
			ps.Cost += pl.Delay * ev.Backlog[pi][t]
			if ok {
				opBacklog[oi][t] += ev.Backlog[pi][t]
				opRate[oi][t] += pl.Arrivals[t] / months
				ops[oi].Delay += pl.Delay * ev.Backlog[pi][t]
			}
		}
	}
	for oi := range ops {
		for t := 0; t < H; t++ {
			if opRate[oi][t] > 0 {
				ops[oi].RolloutDelay = math.Max(ops[oi].RolloutDelay, opBacklog[oi][t]/opRate[oi][t])
			}
		}
		plan.RolloutDelay = math.Max(plan.RolloutDelay, ops[oi].RolloutDelay)
	}
	plan.Operators = ops
	// Caps.
	for k := range p.Milestones {
		ms := &p.Milestones[k]
		mp := MilestonePlan{Milestone: ms, PeriodLabel: p.Periods[ms.Period].Label}
		if ms.Total > 0 {
			mp.ShareStart = ms.Start / ms.Total
			mp.ShareAt = (ms.Start - ev.Done[k][ms.Period]) / ms.Total
		}
		mp.Met = ev.Done[k][ms.Period] >= ms.Need-tolCheck*(1+ms.Need)
		if ms.Overdue {
			plan.DeadlinesMissed++
		}
		for t := 0; t < p.T; t++ {
			share := 0.0
			if ms.Total > 0 {
				share = (ms.Start - ev.Done[k][t]) / ms.Total
			}
			plan.Periods[t].Shares = append(plan.Periods[t].Shares, ShareAt{Rule: ms.Rule, Operator: ms.Operator, Metric: ms.Metric, Share: share, Cap: ms.Cap})
		}
		plan.Milestones = append(plan.Milestones, mp)
	}
	// Risk: traffic over designated equipment until the site's job is done.
	end := p.End().AddDays(1)
	for _, e := range p.Exposed {
		until := end
		if e.Job >= 0 {
			if t := s[e.Job]; t >= 0 {
				until = p.Periods[t].End.AddDays(1)
			}
		}
		plan.TrafficYears += e.Traffic * float64(until.Sub(p.Params.Start)) / 365.25
	}
	plan.followBacklog(ev)
}

// followBacklog ends the reported tail with the period in which every
// pool's new-build backlog is back to what it would be with no removal
// work (zero unless the programme needs all the crews), and records that
// period's end in BacklogCleared. Later periods cost nothing the plan can
// change, so they are left out; the costs already count every period.
func (plan *Plan) followBacklog(ev *Evaluation) {
	p := plan.Problem
	H := len(p.Periods)
	last := -1 // the last period in which the plan leaves a backlog
	for pi := range p.Pools {
		pl := &p.Pools[pi]
		served, base := make([]float64, H), make([]float64, H)
		pl.simulate(nil, served, base)
		for t := H - 1; t > last; t-- {
			if math.Abs(ev.Backlog[pi][t]-base[t]) > 1e-9 {
				last = t
				break
			}
		}
	}
	switch {
	case last+1 < p.T:
		plan.Periods = plan.Periods[:p.T]
	case last+1 < H:
		plan.BacklogCleared = p.Periods[last+1].End
		plan.Periods = plan.Periods[:last+2]
	}
}
