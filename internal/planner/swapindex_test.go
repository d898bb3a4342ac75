package planner

import (
	"context"
	"math"
	"slices"
	"testing"
)

// TestSwapIndexSameSearch runs local search from the same constructed plan
// with the swap index and with the full scan, on random instances with
// caps, budgets, overdue jobs and mixed efforts: the index only skips
// periods the full scan would take nothing from, so the two must end on
// the same schedule. Afterwards every cell of the index must give the
// exact least value over its period's jobs.
func TestSwapIndexSameSearch(t *testing.T) {
	changed := 0
	for _, in := range []instance{
		smallInstance(1),
		smallInstance(2),
		{seed: 3, jobs: 600, periods: 16, tail: 6, ops: 2, regions: 2, crews: 2.5, arrivals: 20, budget: 0, caps: true},
		{seed: 4, jobs: 400, periods: 12, tail: 4, ops: 2, regions: 3, crews: 2, arrivals: 14, budget: 9000, caps: true},
		{seed: 5, jobs: 500, periods: 20, tail: 8, ops: 1, regions: 2, crews: 2, arrivals: 10, budget: 0, caps: false},
	} {
		p := in.problem()
		trueCost := func(ji, t int) float64 { return p.Jobs[ji].Cost(t) }
		start, err := construct(context.Background(), p, trueCost)
		if err != nil {
			t.Fatalf("seed %d: %v", in.seed, err)
		}
		plain, indexed := newSearch(p, slices.Clone(start.s)), newSearch(p, slices.Clone(start.s))
		sub := newSubproblems(p)
		plain.sub = &sub
		plain.passes(context.Background()) // no index: every job of every period scanned
		indexed.improve(context.Background())
		if indexed.swaps == nil {
			t.Fatalf("seed %d: improve built no swap index", in.seed)
		}
		if !slices.Equal(plain.s, indexed.s) {
			t.Errorf("seed %d: the indexed search ends on another schedule (cost %.6f against %.6f)", in.seed, indexed.total(), plain.total())
		}
		if !slices.Equal(plain.s, start.s) {
			changed++
		}
		checkSwapIndex(t, indexed)
	}
	if changed == 0 {
		t.Error("local search changed no plan: the comparison shows nothing")
	}
}

// checkSwapIndex compares every cell of x's index with the least value
// recomputed from the jobs of its period.
func checkSwapIndex(t *testing.T, x *search) {
	t.Helper()
	ix, sub := x.swaps, x.sub
	for pool := range x.p.Pools {
		classes := int32((ix.base[pool+1] - ix.base[pool]) / (ix.T * ix.T))
		for c := int32(0); c < classes; c++ {
			for t2 := 0; t2 < ix.T; t2++ {
				for t1 := 0; t1 < ix.T; t1++ {
					want := math.Inf(1)
					for _, k := range x.at[pool][t2] {
						r := int(sub.release[k])
						costs := sub.cost[sub.at[k]:sub.at[k+1]]
						if ix.class[k] == c && t1 >= r && t1-r < len(costs) {
							want = math.Min(want, costs[t1-r]-costs[t2-r])
						}
					}
					if got := ix.bound(pool, c, t2, t1); got != want {
						t.Fatalf("pool %d class %d periods %d→%d: bound %v, least value %v", pool, c, t2, t1, got, want)
					}
				}
			}
		}
	}
}
