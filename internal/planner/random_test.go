package planner

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	cf "github.com/corefence/corefence"
)

// instance describes a random planning problem with the structure of the
// real ones: regional pools with a new-build programme, site jobs whose
// write-off falls with time, early deadlines, overdue jobs, cap milestones
// (by sites and by traffic) over optional jobs, and yearly budgets.
type instance struct {
	seed     uint64
	jobs     int
	periods  int // quarters
	tail     int
	ops      int
	regions  int
	crews    float64 // crews per pool (4 swaps per crew-month)
	arrivals float64 // new builds per pool per quarter
	budget   float64 // £k per operator per year; 0: none
	caps     bool
}

func smallInstance(seed uint64) instance {
	return instance{seed: seed, jobs: 200, periods: 12, tail: 4, ops: 2, regions: 3, crews: 1.6, arrivals: 14, budget: 0, caps: true}
}

// problem builds the instance.
func (in instance) problem() *Problem {
	rng := rand.New(rand.NewPCG(in.seed, 2020))
	params := DefaultParams()
	params.Start = cf.NewDate(2021, time.January, 1)
	params.Tail = &in.tail
	p := &Problem{Params: params, T: in.periods}
	for i := 0; i < in.periods+in.tail; i++ {
		s := params.periodStart(i)
		p.Periods = append(p.Periods, Period{Label: periodLabel(params, s), Start: s, End: params.periodStart(i + 1).AddDays(-1), Tail: i >= in.periods})
	}
	H := len(p.Periods)
	for o := 0; o < in.ops; o++ {
		for r := 0; r < in.regions; r++ {
			pl := Pool{Operator: fmt.Sprintf("op%d", o), Region: fmt.Sprintf("r%d", r), Crews: in.crews * (0.8 + 0.4*rng.Float64()),
				PerCrew: 12, NBEffort: 1, Delay: 12}
			pl.Capacity = make([]float64, H)
			pl.Arrivals = make([]float64, H)
			for t := range pl.Capacity {
				pl.Capacity[t] = pl.Crews * pl.PerCrew
				pl.Arrivals[t] = math.Round(in.arrivals * (0.7 + 0.6*rng.Float64()))
			}
			p.Pools = append(p.Pools, pl)
		}
	}
	for ji := 0; ji < in.jobs; ji++ {
		pi := rng.IntN(len(p.Pools))
		pl := &p.Pools[pi]
		j := Job{ID: fmt.Sprintf("J%03d", ji), Kind: KindSite, Operator: pl.Operator, Region: pl.Region, Pool: pi,
			Site: fmt.Sprintf("S%03d", ji), Effort: []float64{1, 1, 1, 1, 0.5, 0.5, 1.25}[rng.IntN(7)],
			Capex: math.Round(20 + 40*rng.Float64()), Traffic: math.Round(100*rng.ExpFloat64()*0.3) / 100}
		j.Release = rng.IntN(3)
		j.Last = in.periods - 1
		switch u := rng.Float64(); {
		case u < 0.15:
			j.Last = 3 + rng.IntN(4) // an early deadline (a core or sensitive-site rule)
		case u < 0.18:
			j.Overdue = true // already late at the start
			j.Due = params.Start.AddDays(-30)
		case u < 0.38 && in.caps:
			j.Optional = true // counted by a cap only
		}
		if !j.Optional && !j.Overdue {
			j.Due = p.Periods[j.Last].End
		}
		value := 150 * rng.Float64()
		age := 6 * rng.Float64()
		n := j.Last - j.Release + 1
		j.cost, j.writeoff, j.penalty, j.risk = make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
		for k := 0; k < n; k++ {
			t := j.Release + k
			a := age + float64(t+1)*0.25
			if a < 8 {
				j.writeoff[k] = math.Round(value*(1-a/8)*100) / 100
			}
			if j.Overdue {
				j.penalty[k] = 60 * float64(t+1)
			}
			j.cost[k] = j.Capex + j.writeoff[k] + j.penalty[k]
		}
		j.Priority = j.Traffic
		p.Jobs = append(p.Jobs, j)
	}
	if in.caps {
		for o := 0; o < in.ops; o++ {
			op := fmt.Sprintf("op%d", o)
			for _, metric := range []string{"sites", "traffic"} {
				ms := Milestone{Rule: "test/cap", Operator: op, Metric: metric, Cap: 0.35, Period: 4 + rng.IntN(3)}
				ms.Date = p.Periods[ms.Period].End
				for ji := range p.Jobs {
					j := &p.Jobs[ji]
					if j.Operator != op || j.Overdue || rng.Float64() < 0.3 && !j.Optional {
						continue
					}
					w := 1.0
					if metric == "traffic" {
						w = j.Traffic
					}
					// One counted site in eight needs a second job (an
					// exchange with two functions to replace).
					if n := len(ms.Units); n > 0 && len(ms.Units[n-1].Jobs) == 1 && rng.Float64() < 0.125 {
						ms.Units[n-1].Jobs = append(ms.Units[n-1].Jobs, ji)
						continue
					}
					ms.Units = append(ms.Units, CapUnit{Site: j.Site, Weight: w, Jobs: []int{ji}})
					ms.Start += w
				}
				ms.Total = ms.Start * 2
				ms.Need = math.Max(0, ms.Start-ms.Cap*ms.Total)
				if metric == "sites" {
					ms.Need = math.Ceil(ms.Need - 1e-9)
				}
				p.addMilestone(ms)
			}
		}
	}
	if in.budget > 0 {
		for o := 0; o < in.ops; o++ {
			for y := 0; y*4 < in.periods; y++ {
				p.Budgets = append(p.Budgets, Budget{Operator: fmt.Sprintf("op%d", o), Year: 2021 + y, From: 4 * y, To: min(4*y+3, in.periods-1), Limit: in.budget})
			}
		}
	}
	return p
}
