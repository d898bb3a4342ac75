package planner

import (
	"context"
	"errors"
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

// Options set how Solve works.
type Options struct {
	// Method is auto (exact for small instances, Lagrangian otherwise),
	// exact or lagrangian.
	Method string
	// TimeLimit bounds the search (default 60 s).
	TimeLimit time.Duration
	// ExactSize is the largest instance, in job-period variables, that
	// auto solves exactly (default 6000).
	ExactSize int
	// Gap is the relative gap at which the exact method stops and calls
	// its plan optimal (default 1e-4: within 0.01%).
	Gap float64
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

	Finish          cf.Date // end of the last period with work
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
	if opts.TimeLimit <= 0 {
		opts.TimeLimit = 60 * time.Second
	}
	if opts.ExactSize <= 0 {
		opts.ExactSize = 6000
	}
	if opts.Gap <= 0 {
		opts.Gap = 1e-4
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
	deadline := start.Add(opts.TimeLimit)
	plan := &Plan{Problem: p, Method: method, Warnings: p.Warnings}

	if len(p.Jobs) == 0 {
		plan.Status = StatusOptimal
		return plan.finish(Schedule{}, start), nil
	}
	if inf := p.necessary(); inf != nil {
		p.explain(ctx, inf)
		plan.Status, plan.Infeasible = StatusInfeasible, inf
		return plan.finish(nil, start), ctx.Err()
	}

	// Lagrangian bound and heuristic plans, steered by its multipliers.
	lg := newLagrangian(p)
	var best *search
	bestCost := math.Inf(1)
	try := func(price pricer) error {
		x, err := construct(ctx, p, price)
		if err != nil {
			if errors.Is(err, errNoSchedule) {
				return nil
			}
			return err
		}
		x.improve(ctx, deadline)
		if c := x.total(); c < bestCost {
			best, bestCost = x, c
		}
		return nil
	}
	trueCost := func(ji, t int) float64 { return p.Jobs[ji].Cost(t) }
	if err := try(trueCost); err != nil {
		return nil, err
	}
	budget := func(frac float64) time.Time {
		return time.Now().Add(time.Duration(frac * float64(time.Until(deadline))))
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
	lg.run(ctx, 500, bestCost, budget(0.25))
	if err := guided(); err != nil {
		return nil, err
	}
	lg.run(ctx, 5000, bestCost, budget(0.4))
	if err := guided(); err != nil {
		return nil, err
	}
	plan.Iterations = lg.iters
	plan.LowerBound = lg.best

	if method == MethodExact && ctx.Err() == nil {
		var inc Schedule
		if best != nil {
			inc = best.s
		}
		// Branch and bound gets a quarter of the time limit (at least
		// five seconds): it rarely improves much on the heuristic after
		// that, and its bound is reported either way.
		limit := min(time.Until(deadline), max(5*time.Second, opts.TimeLimit/4))
		r, err := p.solveExact(ctx, inc, limit, opts.Gap)
		if err != nil {
			return nil, err
		}
		plan.Nodes = r.nodes
		switch {
		case r.status == milp.Infeasible:
			inf := &Infeasibility{Proven: true, Reasons: []string{"the exact MILP has no solution: the deadlines, caps and budgets cannot all be met together"}}
			p.explain(ctx, inf)
			plan.Status, plan.Infeasible = StatusInfeasible, inf
			return plan.finish(nil, start), ctx.Err()
		case r.schedule != nil:
			plan.LowerBound = math.Max(plan.LowerBound, r.bound)
			if r.status == milp.Optimal {
				plan.Status = StatusOptimal
			}
			return plan.finish(r.schedule, start), nil
		}
	}
	if best == nil {
		inf := &Infeasibility{Proven: lg.infeasible(),
			Reasons: []string{"no plan was found that meets every deadline, cap and budget, although the necessary conditions hold"}}
		if inf.Proven {
			inf.Reasons[0] = "the Lagrangian bound exceeds the cost of any plan: the deadlines, caps and budgets cannot all be met together"
		}
		p.explain(ctx, inf)
		plan.Status, plan.Infeasible = StatusUnknown, inf
		if inf.Proven {
			plan.Status = StatusInfeasible
		}
		return plan.finish(nil, start), ctx.Err()
	}
	return plan.finish(best.s, start), nil
}

// finish fills in the plan's figures from its schedule.
func (plan *Plan) finish(s Schedule, start time.Time) *Plan {
	p := plan.Problem
	defer func() { plan.Elapsed = time.Since(start) }()
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
	if plan.Status == StatusOptimal {
		plan.LowerBound = math.Max(plan.LowerBound, ev.Costs.Objective)
	}
	plan.LowerBound = math.Min(plan.LowerBound, ev.Costs.Objective)
	if ev.Costs.Objective > 0 {
		plan.Gap = (ev.Costs.Objective - plan.LowerBound) / ev.Costs.Objective
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
}
