package planner

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/corefence/corefence/internal/planner/milp"
)

// MILP is the planning problem as a mixed-integer program: the model of
// docs/planner.md, written out. Solving it exactly is practical for a few
// hundred jobs; it is also what the tests hand to CBC.
type MILP struct {
	Model *milp.Model
	x     [][]int // per job, per period from Release: variable
	n, b  [][]int // per pool, per period: new builds served, backlog (nil when the pool has none)
	y     [][]int // per milestone and unit: cleared by the milestone (-1 for a one-job unit, whose x say it)
	z     []int   // per pool, in the least-crews model: extra crews
}

// Model writes the problem as a MILP.
//
//	min  Σ_j Σ_t c_jt x_jt + Σ_p Σ_t δ_p b_pt
//	s.t. Σ_t x_jt = 1 (≤ 1 for cap-only jobs)                 every job
//	     Σ_j e_j x_jt + f_p n_pt ≤ C_pt                        every pool, period
//	     b_pt = b_p,t−1 + N_pt − n_pt                           every pool, period
//	     Σ_{u∈U_k} w_u y_ku ≥ K_k                                every cap milestone
//	     y_ku ≤ Σ_{t≤m_k} x_jt                                  every counted site u, job j ∈ J_u
//	     Σ_{j∈o} Σ_{t∈y} capex_j x_jt ≤ B_oy                    every budget
//	     x binary, 0 ≤ y ≤ 1, n, b ≥ 0
//
// A counted site with one job needs no y: its x say it.
func (p *Problem) Model() *MILP { return p.model(false) }

// model writes the MILP; with crews set it writes instead the problem of
// the least extra crews: the same jobs, windows and caps, a variable z_p
// ≥ 0 of extra crews per pool that adds z_p times a crew's work to every
// period's capacity, and the objective Σ_p z_p (costs, budgets and new
// builds left out: they cannot make a plan impossible with more crews,
// budgets aside, which are reported apart).
func (p *Problem) model(crews bool) *MILP {
	mm := &MILP{Model: &milp.Model{}}
	cost := func(j *Job, t int) float64 {
		if crews {
			return 0
		}
		return j.Cost(t)
	}
	m := mm.Model
	mm.x = make([][]int, len(p.Jobs))
	for ji := range p.Jobs {
		j := &p.Jobs[ji]
		vars := make([]int, 0, j.Last-j.Release+1)
		ones := make([]float64, 0, cap(vars))
		for t := j.Release; t <= j.Last; t++ {
			vars = append(vars, m.AddVar(fmt.Sprintf("x%d_%d", ji, t), cost(j, t), 0, 1, true))
			ones = append(ones, 1)
		}
		mm.x[ji] = vars
		sense := milp.EQ
		if j.Optional {
			sense = milp.LE
		}
		m.AddRow(fmt.Sprintf("job%d", ji), vars, ones, sense, 1)
		m.AddSet(vars)
	}
	H := len(p.Periods)
	mm.n = make([][]int, len(p.Pools))
	mm.b = make([][]int, len(p.Pools))
	for pi := range p.Pools {
		pl := &p.Pools[pi]
		if !pl.hasNewBuilds() || crews {
			continue
		}
		mm.n[pi] = make([]int, H)
		mm.b[pi] = make([]int, H)
		for t := 0; t < H; t++ {
			hi := milp.Inf
			if t >= p.T {
				hi = pl.Capacity[t] / pl.NBEffort
			}
			mm.n[pi][t] = m.AddVar(fmt.Sprintf("n%d_%d", pi, t), 0, 0, hi, false)
			mm.b[pi][t] = m.AddVar(fmt.Sprintf("b%d_%d", pi, t), pl.Delay, 0, milp.Inf, false)
		}
		for t := 0; t < H; t++ {
			idx := []int{mm.b[pi][t], mm.n[pi][t]}
			val := []float64{1, 1}
			if t > 0 {
				idx = append(idx, mm.b[pi][t-1])
				val = append(val, -1)
			}
			m.AddRow(fmt.Sprintf("flow%d_%d", pi, t), idx, val, milp.EQ, pl.Arrivals[t])
		}
	}
	for pi := range p.Pools {
		pl := &p.Pools[pi]
		idx := make([][]int, p.T)
		val := make([][]float64, p.T)
		for ji := range p.Jobs {
			j := &p.Jobs[ji]
			if j.Pool != pi {
				continue
			}
			for k, v := range mm.x[ji] {
				t := j.Release + k
				idx[t] = append(idx[t], v)
				val[t] = append(val[t], j.Effort)
			}
		}
		z := -1
		if crews {
			z = m.AddVar(fmt.Sprintf("z%d", pi), 1, 0, milp.Inf, false)
			mm.z = append(mm.z, z)
		}
		for t := 0; t < p.T; t++ {
			if mm.n[pi] != nil {
				idx[t] = append(idx[t], mm.n[pi][t])
				val[t] = append(val[t], pl.NBEffort)
			}
			if len(idx[t]) == 0 {
				continue
			}
			if z >= 0 {
				idx[t] = append(idx[t], z)
				val[t] = append(val[t], -pl.PerCrew)
			}
			m.AddRow(fmt.Sprintf("crew%d_%d", pi, t), idx[t], val[t], milp.LE, pl.Capacity[t])
		}
	}
	mm.y = make([][]int, len(p.Milestones))
	for k := range p.Milestones {
		ms := &p.Milestones[k]
		var idx []int
		var val []float64
		mm.y[k] = make([]int, len(ms.Units))
		for u, cu := range ms.Units {
			mm.y[k][u] = -1
			if len(cu.Jobs) == 1 {
				j := &p.Jobs[cu.Jobs[0]]
				for t := j.Release; t <= min(j.Last, ms.Period); t++ {
					idx = append(idx, mm.x[cu.Jobs[0]][t-j.Release])
					val = append(val, cu.Weight)
				}
				continue
			}
			y := m.AddVar(fmt.Sprintf("y%d_%d", k, u), 0, 0, 1, false)
			mm.y[k][u] = y
			idx = append(idx, y)
			val = append(val, cu.Weight)
			for _, ji := range cu.Jobs {
				j := &p.Jobs[ji]
				ri, rv := []int{y}, []float64{1}
				for t := j.Release; t <= min(j.Last, ms.Period); t++ {
					ri = append(ri, mm.x[ji][t-j.Release])
					rv = append(rv, -1)
				}
				m.AddRow(fmt.Sprintf("clear%d_%d_%d", k, u, ji), ri, rv, milp.LE, 0)
			}
		}
		m.AddRow(fmt.Sprintf("cap%d", k), idx, val, milp.GE, ms.Need)
	}
	for bi, bg := range p.Budgets {
		if crews {
			break
		}
		var idx []int
		var val []float64
		for ji := range p.Jobs {
			j := &p.Jobs[ji]
			if j.Operator != bg.Operator {
				continue
			}
			for t := max(j.Release, bg.From); t <= min(j.Last, bg.To); t++ {
				idx = append(idx, mm.x[ji][t-j.Release])
				val = append(val, j.Capex)
			}
		}
		if len(idx) > 0 {
			m.AddRow(fmt.Sprintf("budget%d", bi), idx, val, milp.LE, bg.Limit)
		}
	}
	return mm
}

func (pl *Pool) hasNewBuilds() bool {
	if pl.NBEffort <= 0 {
		return false
	}
	for _, a := range pl.Arrivals {
		if a > 0 {
			return true
		}
	}
	return false
}

// Vector returns the MILP solution that a schedule stands for, with the
// new builds served as early as the crews allow.
func (mm *MILP) Vector(p *Problem, s Schedule) []float64 {
	x := make([]float64, mm.Model.NumVars())
	ev := p.Evaluate(s)
	for ji, t := range s {
		if t >= 0 {
			x[mm.x[ji][t-p.Jobs[ji].Release]] = 1
		}
	}
	for pi := range p.Pools {
		if mm.n[pi] == nil {
			continue
		}
		for t := range p.Periods {
			x[mm.n[pi][t]] = ev.Served[pi][t]
			x[mm.b[pi][t]] = ev.Backlog[pi][t]
		}
	}
	for k := range p.Milestones {
		ms := &p.Milestones[k]
		for u, y := range mm.y[k] {
			if t := ms.unitDone(u, s); y >= 0 && t >= 0 && t <= ms.Period {
				x[y] = 1
			}
		}
	}
	return x
}

// Schedule reads the schedule out of a MILP solution.
func (mm *MILP) Schedule(p *Problem, x []float64) Schedule {
	s := make(Schedule, len(p.Jobs))
	for ji := range p.Jobs {
		s[ji] = -1
		for k, v := range mm.x[ji] {
			if x[v] > 0.5 {
				s[ji] = p.Jobs[ji].Release + k
			}
		}
	}
	return s
}

// lpBound solves the linear relaxation of the MILP (the root of branch
// and bound) and returns its value, a valid lower bound; -Inf when the
// deadline stopped it.
func (p *Problem) lpBound(ctx context.Context, deadline time.Time) (float64, error) {
	mm := p.Model()
	sol, err := milp.Solve(ctx, mm.Model.Relaxed(), milp.Options{NodeLimit: 1, TimeLimit: max(time.Until(deadline), time.Nanosecond)})
	if cerr := ctx.Err(); cerr != nil {
		return math.Inf(-1), cerr
	}
	if err != nil {
		return math.Inf(-1), nil // the simplex gave up: no LP bound, the Lagrangian one stands
	}
	if sol.TimeLimited || math.IsInf(sol.Bound, 0) {
		return math.Inf(-1), nil
	}
	return sol.Bound, nil
}

// exactResult is what the exact method found.
type exactResult struct {
	schedule    Schedule // nil when none was found
	bound       float64
	status      milp.Status
	nodes       int
	timeLimited bool
}

// solveExact solves the MILP by branch and bound, starting from the
// incumbent when there is one, for at most nodes nodes; at the deadline
// (the time limit) it stops with what it has.
func (p *Problem) solveExact(ctx context.Context, deadline time.Time, incumbent Schedule, nodes int, gap float64) (*exactResult, error) {
	mm := p.Model()
	opts := milp.Options{NodeLimit: nodes, RelGap: gap, TimeLimit: max(time.Until(deadline), time.Nanosecond)}
	if incumbent != nil {
		opts.Incumbent = mm.Vector(p, incumbent)
	}
	sol, err := milp.Solve(ctx, mm.Model, opts)
	if err != nil {
		return nil, err
	}
	r := &exactResult{bound: sol.Bound, status: sol.Status, nodes: sol.Nodes, timeLimited: sol.TimeLimited}
	if sol.X != nil {
		r.schedule = mm.Schedule(p, sol.X)
	}
	if math.IsInf(r.bound, -1) {
		r.bound = 0
	}
	return r, nil
}
