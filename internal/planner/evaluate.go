package planner

import (
	"fmt"
)

// Schedule gives, for each job, the period it is done in, or -1.
type Schedule []int

// Costs break a plan's total down, in £k.
type Costs struct {
	Capital  float64 `json:"capital"`
	Writeoff float64 `json:"writeoff"`
	Delay    float64 `json:"delay"` // new builds delayed
	Risk     float64 `json:"risk"`
	// Total is what the plan costs: capital, write-off, delay and risk.
	Total float64 `json:"total"`
	// Overdue is the penalty for work whose deadline had passed at the
	// start, a price that makes such work go first, not money spent.
	Overdue float64 `json:"overdue_penalty"`
	// Objective is what the planner minimises: Total plus Overdue.
	Objective float64 `json:"objective"`
}

// tolerance for capacity and budget checks, relative
const tolCheck = 1e-7

// simulate runs a pool's new-build programme against the work the swaps
// take: each period serves as many waiting new builds as the spare
// capacity allows (serving early never costs more, so this is optimal
// for a given swap schedule). It fills served and backlog when given and
// returns the delay cost.
func (pl *Pool) simulate(usage, served, backlog []float64) float64 {
	b, cost := 0.0, 0.0
	for t := range pl.Capacity {
		spare := pl.Capacity[t]
		if t < len(usage) {
			spare -= usage[t]
		}
		var n float64
		b, n = pl.serve(t, b, spare)
		cost += pl.Delay * b
		if served != nil {
			served[t] = n
			backlog[t] = b
		}
	}
	return cost
}

// serve runs period t of the programme: b new builds wait from before,
// spare work units are free; it returns the backlog after t and the new
// builds served.
func (pl *Pool) serve(t int, b, spare float64) (backlog, served float64) {
	want := b + pl.Arrivals[t]
	n := want
	if pl.NBEffort > 0 {
		if spare < 0 {
			spare = 0
		}
		if c := spare / pl.NBEffort; c < n {
			n = c
		}
	}
	b = want - n
	if b < 1e-12 {
		b = 0
	}
	return b, n
}

// Evaluation is a schedule's costs and whether it meets every constraint.
type Evaluation struct {
	Costs      Costs
	Feasible   bool
	Violations []string // the first few constraints it breaks
	Usage      [][]float64
	Served     [][]float64
	Backlog    [][]float64
	Spend      [][]float64 // per operator index (p.ops) and period: capital
	Done       [][]float64 // per milestone and period: weight of the counted sites cleared by the end of the period
}

// Evaluate prices a schedule and checks it against every constraint.
func (p *Problem) Evaluate(s Schedule) *Evaluation {
	ev := &Evaluation{Feasible: true}
	fail := func(format string, args ...any) {
		ev.Feasible = false
		if len(ev.Violations) < 10 {
			ev.Violations = append(ev.Violations, fmt.Sprintf(format, args...))
		}
	}
	H := len(p.Periods)
	ev.Usage = make([][]float64, len(p.Pools))
	ev.Served = make([][]float64, len(p.Pools))
	ev.Backlog = make([][]float64, len(p.Pools))
	for i := range p.Pools {
		ev.Usage[i] = make([]float64, H)
		ev.Served[i] = make([]float64, H)
		ev.Backlog[i] = make([]float64, H)
	}
	opIndex := p.opIndex()
	ev.Spend = make([][]float64, len(p.operators()))
	for i := range ev.Spend {
		ev.Spend[i] = make([]float64, p.T)
	}
	c := &ev.Costs
	for ji := range p.Jobs {
		j := &p.Jobs[ji]
		t := s[ji]
		if t < 0 {
			if !j.Optional {
				fail("job %s is not done", j.ID)
			}
			continue
		}
		if t < j.Release || t > j.Last {
			fail("job %s in period %d, outside its window %d..%d", j.ID, t, j.Release, j.Last)
			continue
		}
		ev.Usage[j.Pool][t] += j.Effort
		ev.Spend[opIndex[j.Operator]][t] += j.Capex
		c.Capital += j.Capex
		c.Writeoff += j.Writeoff(t)
		c.Overdue += j.Penalty(t)
		c.Risk += j.Risk(t)
	}
	for i := range p.Pools {
		pl := &p.Pools[i]
		for t := 0; t < p.T; t++ {
			if ev.Usage[i][t] > pl.Capacity[t]*(1+tolCheck)+tolCheck {
				fail("pool %s, %s: %.4g work units for a capacity of %.4g", pl.Name(), p.Periods[t].Label, ev.Usage[i][t], pl.Capacity[t])
			}
		}
		c.Delay += pl.simulate(ev.Usage[i], ev.Served[i], ev.Backlog[i])
	}
	ev.Done = make([][]float64, len(p.Milestones))
	for k := range p.Milestones {
		ms := &p.Milestones[k]
		done := make([]float64, p.T)
		for u := range ms.Units {
			if t := ms.unitDone(u, s); t >= 0 && t < p.T {
				done[t] += ms.Units[u].Weight
			}
		}
		for t := 1; t < p.T; t++ {
			done[t] += done[t-1]
		}
		ev.Done[k] = done
		if done[ms.Period] < ms.Need-tolCheck*(1+ms.Need) {
			fail("cap %s for %s (%s): %.6g done by %s, %.6g needed", ms.Rule, ms.Operator, ms.Metric, done[ms.Period], p.Periods[ms.Period].Label, ms.Need)
		}
	}
	for _, b := range p.Budgets {
		spent := 0.0
		for t := b.From; t <= b.To; t++ {
			spent += ev.Spend[opIndex[b.Operator]][t]
		}
		if spent > b.Limit*(1+tolCheck)+tolCheck {
			fail("budget of %s in %d: %.6g spent, %.6g allowed", b.Operator, b.Year, spent, b.Limit)
		}
	}
	c.Total = c.Capital + c.Writeoff + c.Delay + c.Risk
	c.Objective = c.Total + c.Overdue
	return ev
}
