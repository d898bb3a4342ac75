package planner

import (
	"math"
	"math/rand/v2"
	"testing"
)

// jobMinLoop is jobMin's general loop: every cap term tested against
// every period, in the order of the job's caps.
func (lg *lagrangian) jobMinLoop(ji int) (float64, int) {
	s := &lg.sub
	best, bt := math.Inf(1), -1
	if s.optional[ji] {
		best = 0
	}
	cost := s.cost[s.at[ji]:s.at[ji+1]]
	r := int(s.release[ji])
	pi := lg.pi[s.pool[ji]][r:]
	e := s.effort[ji]
	for k, c := range cost {
		t := r + k
		v := c + e*pi[k]
		for _, cp := range s.caps[s.capAt[ji]:s.capAt[ji+1]] {
			if t <= int(cp.m) {
				v -= lg.lam[cp.k] * cp.w * lg.capScale[cp.k]
			}
		}
		if v < best {
			best, bt = v, t
		}
	}
	return best, bt
}

// TestJobMinRuns checks that jobMin, which prices a job under several caps
// by runs of periods, gives the general loop's reduced cost to the bit and
// its period, for random multipliers on instances whose jobs count
// towards two caps with different milestones.
func TestJobMinRuns(t *testing.T) {
	several := 0
	for seed := uint64(1); seed <= 4; seed++ {
		p := smallInstance(seed).problem()
		lg := newLagrangian(p)
		rng := rand.New(rand.NewPCG(seed, 7))
		for round := 0; round < 50; round++ {
			for i := range lg.pi {
				for t := range lg.pi[i] {
					lg.pi[i][t] = 0
					if rng.Float64() < 0.7 {
						lg.pi[i][t] = 40 * rng.Float64()
					}
				}
			}
			for k := range lg.lam {
				lg.lam[k] = 0
				if rng.Float64() < 0.8 {
					lg.lam[k] = 200 * rng.Float64()
				}
			}
			for ji := range p.Jobs {
				if lg.sub.capAt[ji+1]-lg.sub.capAt[ji] > 1 {
					several++
				}
				v, bt := lg.jobMin(ji)
				wv, wbt := lg.jobMinLoop(ji)
				if math.Float64bits(v) != math.Float64bits(wv) || bt != wbt {
					t.Fatalf("seed %d, job %s: jobMin %v in %d, the general loop %v in %d", seed, p.Jobs[ji].ID, v, bt, wv, wbt)
				}
			}
		}
	}
	if several == 0 {
		t.Fatal("no job counts towards several caps: the runs were not tested")
	}
}
