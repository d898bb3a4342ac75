package planner

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/corefence/corefence/internal/planner/milp"
	"sort"
	"strconv"
)

// Infeasibility says why no plan meets every deadline, milestone and
// budget, and what would make one possible.
type Infeasibility struct {
	// Proven is true when a necessary condition fails (or the Lagrangian
	// bound exceeds any plan's cost), so no plan exists; false when the
	// search merely found none.
	Proven  bool
	Reasons []string
	// Crews are the extra crews that make the necessary conditions hold,
	// per pool (checked by planning with them when Verified).
	Crews []CrewNeed
	// Budget is the extra capital needed, per operator and span of years.
	Budget []BudgetNeed
	// ExtraMonths is the shortest extension of every deadline and
	// milestone (in months, whole periods) with which a plan was found;
	// 0 otherwise, when Extension says why.
	ExtraMonths int
	// Verified is true when a plan was found with the extra crews (and
	// budget).
	Verified bool
	// CrewsMinimal is true when Crews is the least total of extra crews
	// with which a plan exists, proven by branch and bound on the model
	// with a variable of extra crews per pool (instances the exact method
	// handles); false when Crews come from the necessary conditions, which
	// may ask for more than the least.
	CrewsMinimal bool
	// Extension says what extending the deadlines does: "found" (by
	// ExtraMonths), "none-helps" (no extension of up to ten years makes a
	// plan possible: crews or budget must change) or "not-searched" (the
	// time limit ran out first).
	Extension string
	// Binding names the constraint behind each reason, in the same order
	// as Reasons.
	Binding []Binding
}

// Binding kinds: what a reason an instance has no plan is about.
const (
	BindJob         = "job"           // one job is larger than its pool's capacity in any period of its window
	BindCrews       = "crews"         // a pool's work due in From..Period exceeds its capacity then
	BindCapLeadTime = "cap-lead-time" // too few counted sites can be cleared by a cap's period at all
	BindCapCrews    = "cap-crews"     // meeting a cap and the deadlines before it takes more work than the crews do
	BindBudget      = "budget"        // capital due within a span of budgeted years exceeds the budgets
	BindCombined    = "combined"      // each condition holds alone, but not together (proven by branch and bound or the Lagrangian bound)
	BindNotFound    = "not-found"     // no plan was found and none of the conditions fails: not proven
)

// Binding is the constraint behind one reason an instance has no plan,
// for tools: which pool and periods, which cap (rule, operator, period),
// or which budget; Need and Available are in the unit the Kind measures
// (work units; a cap's weight for cap-lead-time; £ thousands for budget).
type Binding struct {
	Kind      string  `json:"kind"`
	Reason    string  `json:"reason"`   // the text of the matching entry of Reasons
	Operator  string  `json:"operator"` // "" for combined and not-found
	Pool      string  `json:"pool"`     // operator/region or operator/core, for job and crews
	Job       string  `json:"job"`      // for job
	Rule      string  `json:"rule"`     // the cap's rule, for cap-lead-time and cap-crews
	From      string  `json:"from"`     // first period of the span, for crews
	Period    string  `json:"period"`   // last period: the job's deadline, the span's end or the cap's period
	Years     string  `json:"years"`    // for budget: "2024" or "2024-2026"
	Need      float64 `json:"need"`
	Available float64 `json:"available"`
}

// add records a reason and the constraint it is about.
func (inf *Infeasibility) add(b Binding, format string, args ...any) {
	b.Reason = fmt.Sprintf(format, args...)
	inf.Reasons = append(inf.Reasons, b.Reason)
	inf.Binding = append(inf.Binding, b)
}

// Extension outcomes.
const (
	ExtensionFound       = "found"
	ExtensionNoneHelps   = "none-helps"
	ExtensionNotSearched = "not-searched"
)

// CrewNeed is a pool that needs more crews.
type CrewNeed struct {
	Operator string  `json:"operator"`
	Region   string  `json:"region"` // "" for core teams
	Crews    float64 `json:"crews"`  // crews it has
	Extra    float64 `json:"extra"`  // more crews it needs
	By       string  `json:"by"`     // the period the binding deadline falls in
}

// BudgetNeed is capital an operator lacks over a span of years.
type BudgetNeed struct {
	Operator string  `json:"operator"`
	From, To int     `json:"-"`
	Years    string  `json:"years"`
	Short    float64 `json:"short"` // £k
}

// necessary checks conditions every feasible plan meets — in every pool and
// interval of periods, the work whose whole window lies in the interval
// fits the crews' capacity over it; every cap can be met with the
// operator's crews; every span of years can pay for the work that must be
// done in it — and returns what fails, with the extra crews and capital
// that would make each hold. It returns ctx's error when ctx ends first.
func (p *Problem) necessary(ctx context.Context) (*Infeasibility, error) {
	inf := &Infeasibility{Proven: true}
	extra := make([]float64, len(p.Pools))
	by := make([]int, len(p.Pools))
	T := p.T
	window := func(j *Job) (int, int) {
		if j.Overdue {
			return j.Release, T - 1
		}
		return j.Release, j.Last
	}
	for pi := range p.Pools {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		pl := &p.Pools[pi]
		// work[r][l]: effort of hard jobs with window [r, l].
		work := grid(T, T)
		any := false
		for ji := range p.Jobs {
			j := &p.Jobs[ji]
			if j.Pool != pi || j.Optional {
				continue
			}
			r, l := window(j)
			work[r][l] += j.Effort
			any = true
		}
		if !any {
			continue
		}
		// A job is done within one period: some period of its window must
		// hold its whole effort.
		biggest, bj := 0.0, -1
		for ji := range p.Jobs {
			j := &p.Jobs[ji]
			if j.Pool != pi || j.Optional {
				continue
			}
			r, l := window(j)
			room := 0.0
			for t := r; t <= l; t++ {
				room = math.Max(room, pl.Capacity[t])
			}
			if j.Effort-room > biggest+1e-12 {
				biggest, bj = j.Effort-room, ji
			}
		}
		if bj >= 0 {
			j := &p.Jobs[bj]
			need := math.Inf(1)
			if pl.PerCrew > 0 {
				need = biggest / pl.PerCrew
			}
			extra[pi] = math.Max(extra[pi], need)
			_, by[pi] = window(j)
			inf.add(Binding{Kind: BindJob, Operator: pl.Operator, Pool: pl.Name(), Job: j.ID, Period: p.Periods[by[pi]].Label,
				Need: j.Effort, Available: pl.Capacity[by[pi]]},
				"%s: job %s takes %s work units in one %s but its %s crews do %s a %s",
				pl.Name(), j.ID, num(j.Effort), p.Params.Period, crewNum(pl.Crews), num(pl.Capacity[by[pi]]), p.Params.Period)
		}
		capSum := make([]float64, T+1)
		for t := 0; t < T; t++ {
			capSum[t+1] = capSum[t] + pl.Capacity[t]
		}
		worst, wa, wb, wW, wC := 0.0, 0, 0, 0.0, 0.0
		for a := 0; a < T; a++ {
			if a%16 == 0 && ctx.Err() != nil {
				return nil, ctx.Err()
			}
			// W(a, b) for growing b: add jobs with release ≥ a and last = b.
			w := 0.0
			for b := a; b < T; b++ {
				for r := a; r <= b; r++ {
					w += work[r][b]
				}
				c := capSum[b+1] - capSum[a]
				if w-c > 1e-9*(1+c) {
					need := (w - c) / (pl.PerCrew * float64(b-a+1))
					if pl.PerCrew == 0 {
						need = math.Inf(1)
					}
					if need > worst {
						worst, wa, wb, wW, wC = need, a, b, w, c
					}
				}
			}
		}
		if worst > 0 {
			extra[pi] = math.Max(extra[pi], worst)
			by[pi] = wb
			inf.add(Binding{Kind: BindCrews, Operator: pl.Operator, Pool: pl.Name(), From: p.Periods[wa].Label, Period: p.Periods[wb].Label,
				Need: wW, Available: wC},
				"%s: %s work units must be done in %s..%s but its %s crews can do %s",
				pl.Name(), num(wW), p.Periods[wa].Label, p.Periods[wb].Label, crewNum(pl.Crews), num(wC))
		}
	}
	// Caps, per operator, with the operator's crews pooled.
	for k := range p.Milestones {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		ms := &p.Milestones[k]
		m := ms.Period
		forcedJob := func(j *Job) bool { _, l := window(j); return !j.Optional && l <= m }
		var pools []int
		for _, ji := range ms.Jobs {
			if pl := p.Jobs[ji].Pool; !slices.Contains(pools, pl) {
				pools = append(pools, pl)
			}
		}
		sort.Ints(pools)
		work, capacity := 0.0, 0.0
		for _, pi := range pools {
			for t := 0; t <= m; t++ {
				capacity += p.Pools[pi].Capacity[t] + extra[pi]*p.Pools[pi].PerCrew
			}
		}
		for ji := range p.Jobs {
			if j := &p.Jobs[ji]; slices.Contains(pools, j.Pool) && forcedJob(j) {
				work += j.Effort
			}
		}
		// Sites cleared by forced work count at once; the rest of the need
		// comes from the sites with the most weight per unit of the work
		// still to do there (a fractional knapsack: a bound, not a plan).
		type cand struct{ w, e float64 }
		var cs []cand
		got, avail := 0.0, 0.0
		for _, cu := range ms.Units {
			c, ok := cand{w: cu.Weight}, true
			for _, ji := range cu.Jobs {
				j := &p.Jobs[ji]
				if forcedJob(j) {
					continue
				}
				if j.Release > m {
					ok = false
				}
				c.e += j.Effort
			}
			switch {
			case !ok:
			case c.e == 0:
				got += c.w
				avail += c.w
			default:
				cs = append(cs, c)
				avail += c.w
			}
		}
		if avail < ms.Need-tolCheck*(1+ms.Need) {
			inf.add(Binding{Kind: BindCapLeadTime, Operator: ms.Operator, Rule: ms.Rule, Period: p.Periods[m].Label, Need: ms.Need, Available: avail},
				"cap %s for %s: only %s of the %s needed can be cleared by %s (lead time)",
				ms.Rule, ms.Operator, num(avail), num(ms.Need), p.Periods[m].Label)
			continue
		}
		sort.SliceStable(cs, func(a, b int) bool { return cs[a].w*cs[b].e > cs[b].w*cs[a].e })
		for _, c := range cs {
			if got >= ms.Need-tolCheck*(1+ms.Need) {
				break
			}
			f := math.Min(1, (ms.Need-got)/c.w)
			got += f * c.w
			work += f * c.e
		}
		if work > capacity*(1+1e-9)+1e-9 {
			// Spread the shortfall over the pools of the candidates.
			short := work - capacity
			n := 0.0
			for _, pi := range pools {
				n += p.Pools[pi].PerCrew * float64(m+1)
			}
			perPool := short / n
			for _, pi := range pools {
				extra[pi] += perPool
				if by[pi] == 0 || m < by[pi] {
					by[pi] = m
				}
			}
			inf.add(Binding{Kind: BindCapCrews, Operator: ms.Operator, Rule: ms.Rule, Period: p.Periods[m].Label, Need: work, Available: capacity},
				"cap %s for %s: %s work units must be done by %s (deadlines and the cap) but the crews can do %s",
				ms.Rule, ms.Operator, num(work), p.Periods[m].Label, num(capacity))
		}
	}
	for pi, e := range extra {
		if e > 0 {
			pl := &p.Pools[pi]
			inf.Crews = append(inf.Crews, CrewNeed{Operator: pl.Operator, Region: pl.Region, Crews: pl.Crews,
				Extra: math.Ceil(e*100-1e-9) / 100, By: p.Periods[by[pi]].Label})
		}
	}
	p.budgetConditions(inf, window)
	if len(inf.Reasons) == 0 {
		return nil, nil
	}
	return inf, nil
}

// budgetConditions checks, for every operator and span of budgeted years,
// that the capital of the jobs that must be done within the span fits.
func (p *Problem) budgetConditions(inf *Infeasibility, window func(*Job) (int, int)) {
	byOp := map[string][]int{}
	for bi, b := range p.Budgets {
		byOp[b.Operator] = append(byOp[b.Operator], bi)
	}
	for _, op := range sortedKeys(byOp) {
		bs := byOp[op]
		sort.Slice(bs, func(a, b int) bool { return p.Budgets[bs[a]].Year < p.Budgets[bs[b]].Year })
		// Consecutive budgeted years only: an unbudgeted year can absorb work.
		for a := 0; a < len(bs); a++ {
			limit := 0.0
			for b := a; b < len(bs); b++ {
				if b > a && p.Budgets[bs[b]].Year != p.Budgets[bs[b-1]].Year+1 {
					break
				}
				limit += p.Budgets[bs[b]].Limit
				from, to := p.Budgets[bs[a]].From, p.Budgets[bs[b]].To
				need := 0.0
				for ji := range p.Jobs {
					j := &p.Jobs[ji]
					if r, l := window(j); j.Operator == op && !j.Optional && r >= from && l <= to {
						need += j.Capex
					}
				}
				if need > limit*(1+tolCheck)+tolCheck {
					years := strconv.Itoa(p.Budgets[bs[a]].Year)
					if b > a {
						years += "-" + strconv.Itoa(p.Budgets[bs[b]].Year)
					}
					inf.Budget = append(inf.Budget, BudgetNeed{Operator: op, From: p.Budgets[bs[a]].Year, To: p.Budgets[bs[b]].Year, Years: years, Short: need - limit})
					inf.add(Binding{Kind: BindBudget, Operator: op, Years: years, Need: need, Available: limit},
						"budget of %s in %s: jobs due then cost £%sk, the budget is £%sk", op, years, num(need), num(limit))
				}
			}
		}
	}
}

// crewNum writes a number of crews with up to two decimals.
func crewNum(v float64) string { return strconv.FormatFloat(math.Round(v*100)/100, 'f', -1, 64) }

func num(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return strconv.FormatFloat(v, 'f', 1, 64)
}

func sortedInts(m map[int]float64) []int {
	keys := make([]int, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	return keys
}

// withCrews returns a copy of the problem with more crews in some pools and
// more capital in some years.
func (p *Problem) withCrews(crews []CrewNeed, budget []BudgetNeed) *Problem {
	q := *p
	q.Pools = append([]Pool(nil), p.Pools...)
	for _, c := range crews {
		for pi := range q.Pools {
			pl := &q.Pools[pi]
			if pl.Operator == c.Operator && pl.Region == c.Region {
				pl.Crews += c.Extra
				pl.Capacity = make([]float64, len(p.Pools[pi].Capacity))
				for t := range pl.Capacity {
					pl.Capacity[t] = pl.Crews * pl.PerCrew
				}
			}
		}
	}
	q.Budgets = append([]Budget(nil), p.Budgets...)
	for _, b := range budget {
		years := float64(b.To - b.From + 1)
		for bi := range q.Budgets {
			if q.Budgets[bi].Operator == b.Operator && q.Budgets[bi].Year >= b.From && q.Budgets[bi].Year <= b.To {
				q.Budgets[bi].Limit += b.Short / years
			}
		}
	}
	return &q
}

// extended returns a copy of the problem with every deadline and milestone
// (and the horizon) later by d periods; new periods have the last one's
// crews and costs, and no budget limit.
func (p *Problem) extended(d int) *Problem {
	q := *p
	H := len(p.Periods)
	q.T = p.T + d
	q.Periods = make([]Period, 0, H+d)
	q.Periods = append(q.Periods, p.Periods[:p.T]...)
	for i := 0; i < d; i++ {
		s := p.Params.periodStart(p.T + i)
		q.Periods = append(q.Periods, Period{Label: periodLabel(p.Params, s), Start: s, End: p.Params.periodStart(p.T + i + 1).AddDays(-1)})
	}
	for i := p.T; i < H; i++ {
		s := p.Params.periodStart(i + d)
		q.Periods = append(q.Periods, Period{Label: periodLabel(p.Params, s), Start: s, End: p.Params.periodStart(i + d + 1).AddDays(-1), Tail: true})
	}
	stretch := func(v []float64) []float64 {
		out := make([]float64, 0, len(v)+d)
		out = append(out, v[:p.T]...)
		for i := 0; i < d; i++ {
			out = append(out, v[p.T-1])
		}
		return append(out, v[p.T:]...)
	}
	q.Pools = append([]Pool(nil), p.Pools...)
	for pi := range q.Pools {
		q.Pools[pi].Capacity = stretch(p.Pools[pi].Capacity)
		q.Pools[pi].Arrivals = stretch(p.Pools[pi].Arrivals)
	}
	q.Jobs = append([]Job(nil), p.Jobs...)
	for ji := range q.Jobs {
		j := &q.Jobs[ji]
		last := j.Last + d
		if j.Optional || j.Overdue {
			last = q.T - 1
		}
		grow := func(v []float64) []float64 {
			out := append([]float64(nil), v...)
			for len(out) < last-j.Release+1 {
				out = append(out, v[len(v)-1])
			}
			return out
		}
		j.cost, j.writeoff, j.penalty, j.risk = grow(j.cost), grow(j.writeoff), grow(j.penalty), grow(j.risk)
		j.Last = last
	}
	q.Milestones = append([]Milestone(nil), p.Milestones...)
	for k := range q.Milestones {
		q.Milestones[k].Period += d
	}
	q.ops, q.opIdx = nil, nil
	return &q
}

// minCrews finds the least total of extra crews, per pool, with which a
// plan exists (budgets aside), by branch and bound on the least-crews
// model, for instances of at most maxSize job-period variables. ok is
// false when it could not tell (too big, or no solution within nodes);
// minimal is true when the optimum was proven.
//
// start, when it makes a plan possible, gives branch and bound its first
// solution.
func (p *Problem) minCrews(ctx context.Context, start []CrewNeed, maxSize, nodes int) (crews []CrewNeed, minimal, ok bool) {
	size := 0
	for _, j := range p.Jobs {
		size += j.Last - j.Release + 1
	}
	if size > maxSize || ctx.Err() != nil {
		return nil, false, false
	}
	mm := p.model(true)
	opts := milp.Options{NodeLimit: nodes, RelGap: 1e-6}
	if len(start) > 0 {
		q := p.withCrews(start, nil)
		if x, err := construct(ctx, q, func(ji, t int) float64 { return q.Jobs[ji].Cost(t) }); err == nil && x != nil {
			v := make([]float64, mm.Model.NumVars())
			for ji, t := range x.s {
				if t >= 0 {
					v[mm.x[ji][t-p.Jobs[ji].Release]] = 1
				}
			}
			for k := range p.Milestones {
				ms := &p.Milestones[k]
				for u, y := range mm.y[k] {
					if t := ms.unitDone(u, x.s); y >= 0 && t >= 0 && t <= ms.Period {
						v[y] = 1
					}
				}
			}
			for pi, z := range mm.z {
				for _, c := range start {
					if c.Operator == p.Pools[pi].Operator && c.Region == p.Pools[pi].Region {
						v[z] = c.Extra
					}
				}
			}
			opts.Incumbent = v
		}
	}
	if dl, has := ctx.Deadline(); has {
		opts.TimeLimit = max(time.Until(dl), time.Nanosecond)
	}
	sol, err := milp.Solve(ctx, mm.Model, opts)
	if err != nil || sol.X == nil {
		return nil, false, false
	}
	s := mm.Schedule(p, sol.X)
	usage := grid(len(p.Pools), p.T)
	for ji, t := range s {
		if t >= 0 {
			usage[p.Jobs[ji].Pool][t] += p.Jobs[ji].Effort
		}
	}
	for pi, z := range mm.z {
		extra := sol.X[z]
		if extra <= 1e-9 {
			continue
		}
		pl := &p.Pools[pi]
		// The first period whose work needs them names the binding one.
		by := p.T - 1
		for t := 0; t < p.T; t++ {
			if usage[pi][t] > pl.Capacity[t]*(1+tolCheck)+tolCheck {
				by = t
				break
			}
		}
		crews = append(crews, CrewNeed{Operator: pl.Operator, Region: pl.Region, Crews: pl.Crews,
			Extra: math.Ceil(extra*100-1e-9) / 100, By: p.Periods[by].Label})
	}
	return crews, sol.Status == milp.Optimal, len(crews) > 0
}

// explain fills in what would make an infeasible problem feasible: the
// least extra crews (by branch and bound where the instance allows, else
// those the necessary conditions ask for, checked by planning with them),
// the capital, and the shortest extension of the deadlines that allows a
// plan, or that none does.
func (p *Problem) explain(ctx context.Context, inf *Infeasibility) {
	p.explainCrews(ctx, inf)
	if len(inf.Budget) == 0 && ctx.Err() == nil {
		if crews, minimal, ok := p.minCrews(ctx, inf.Crews, exactSizeDefault, minCrewsNodes); ok {
			// Keep the binding period the necessary conditions found for
			// a pool (the deadline or cap that needs the crews).
			for i := range crews {
				for _, old := range inf.Crews {
					if old.Operator == crews[i].Operator && old.Region == crews[i].Region {
						crews[i].By = old.By
					}
				}
			}
			inf.Crews, inf.CrewsMinimal, inf.Verified = crews, minimal, true
		}
	}
	p.explainExtension(ctx, inf)
}

// explainCrews finds extra crews (and capital) from the necessary
// conditions, checked by planning with them, or, when those hold, where
// the search got stuck.
func (p *Problem) explainCrews(ctx context.Context, inf *Infeasibility) {
	feasible := p.feasibleFunc(ctx)
	if !inf.Verified && (len(inf.Crews) > 0 || len(inf.Budget) > 0) {
		crews := append([]CrewNeed(nil), inf.Crews...)
		for try := 0; try < 6 && ctx.Err() == nil; try++ {
			if feasible(p.withCrews(crews, inf.Budget)) {
				inf.Crews, inf.Verified = crews, true
				break
			}
			for i := range crews {
				crews[i].Extra = math.Ceil(crews[i].Extra*1.25*100) / 100
			}
		}
	}
	if len(inf.Crews) == 0 && len(inf.Budget) == 0 && ctx.Err() == nil {
		// The conditions hold but no plan was found (work that does not
		// pack into periods, say): add crews where the search got stuck,
		// a tenth of a pool (at least a tenth of a crew) at a time.
		extra := map[int]float64{}
		q := p
		for try := 0; try < 30 && ctx.Err() == nil; try++ {
			_, err := construct(ctx, q, func(ji, t int) float64 { return q.Jobs[ji].Cost(t) })
			var st *stuck
			if err == nil {
				inf.Verified = true
				for _, pi := range sortedInts(extra) {
					pl := &p.Pools[pi]
					inf.Crews = append(inf.Crews, CrewNeed{Operator: pl.Operator, Region: pl.Region, Crews: pl.Crews,
						Extra: math.Ceil(extra[pi]*100-1e-9) / 100, By: p.Periods[p.T-1].Label})
				}
				break
			}
			if !errors.As(err, &st) {
				break
			}
			for _, pi := range st.pools {
				extra[pi] += math.Max(0.1, p.Pools[pi].Crews/10)
			}
			var crews []CrewNeed
			for _, pi := range sortedInts(extra) {
				crews = append(crews, CrewNeed{Operator: p.Pools[pi].Operator, Region: p.Pools[pi].Region, Extra: extra[pi]})
			}
			q = p.withCrews(crews, nil)
		}
	}
}

// feasibleFunc returns a test that a problem has a plan: the necessary
// conditions hold and the construction finds one.
func (p *Problem) feasibleFunc(ctx context.Context) func(q *Problem) bool {
	return func(q *Problem) bool {
		if inf, err := q.necessary(ctx); inf != nil || err != nil {
			return false
		}
		x, err := construct(ctx, q, func(ji, t int) float64 { return q.Jobs[ji].Cost(t) })
		return err == nil && x != nil
	}
}

// explainExtension finds the shortest extension of every deadline and
// cap date, in whole periods up to ten years, with which a plan exists,
// or records that none helps.
func (p *Problem) explainExtension(ctx context.Context, inf *Infeasibility) {
	feasible := p.feasibleFunc(ctx)
	maxD := max(1, 120/p.Months()) // ten years
	inf.Extension = ExtensionNoneHelps
	for d := 1; d <= maxD; d++ {
		if ctx.Err() != nil {
			inf.Extension = ExtensionNotSearched
			break
		}
		if q := p.extended(d); feasible(q) {
			inf.ExtraMonths = d * p.Months()
			inf.Extension = ExtensionFound
			break
		}
	}
}

// minCrewsNodes bounds the branch and bound for the least extra crews:
// the model has no costs to guide it, so it proves the least quickly or
// not at all.
const minCrewsNodes = 300
