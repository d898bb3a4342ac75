package planner

import (
	"context"
	"github.com/corefence/corefence/internal/inventory"
	"math"
	"testing"
	"time"

	cf "github.com/corefence/corefence"
)

// TestBacklogTail checks the default tail's bound on one pool: 10 work
// units a period, new builds taking 7.5 of them (2.5 spare), 8 periods.
func TestBacklogTail(t *testing.T) {
	for _, c := range []struct {
		name     string
		arrivals float64
		work     float64
		want     int
		clears   bool
	}{
		{"no work", 7.5, 0, 0, true},
		// At most 5 units in the last period displace 5 − 2.5 builds.
		{"short", 7.5, 5, 1, true},
		// 60 units in the last 6 periods leave 60 − 6 × 2.5 = 45 waiting:
		// 18 periods at 2.5 a period.
		{"long", 7.5, 60, 18, true},
		// More work than the horizon holds: 8 × 10 − 8 × 2.5 = 60.
		{"full", 7.5, 500, 24, true},
		{"no spare", 10, 5, 0, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			const T = 8
			pl := Pool{NBEffort: 1}
			for range T {
				pl.Capacity = append(pl.Capacity, 10)
				pl.Arrivals = append(pl.Arrivals, c.arrivals)
			}
			got, clears := pl.backlogTail(T, c.work)
			if got != c.want || clears != c.clears {
				t.Errorf("backlogTail = %d, %v; want %d, %v", got, clears, c.want, c.clears)
			}
		})
	}
}

// TestTailFollowsBacklog plans the DVD on a generated network with crews
// to spare (a short tail) and with few (a long one). In
// both, a longer tail changes nothing, the reported tail ends in the
// period the backlog clears, and the delay cost is δ × the new builds
// waiting in the reported periods — nothing is counted in periods the
// report leaves out.
func TestTailFollowsBacklog(t *testing.T) {
	inv := ukNetwork(t, 1500)
	packs := openPacks(t, "uk-dvd-2022")
	for _, c := range []struct {
		name    string
		per1000 float64 // crews per 1,000 sites, each doing 12 swaps a quarter
		nb      float64 // new builds per 1,000 sites a month
		long    bool    // the backlog outlasts the horizon by years
	}{
		// New builds take a third of the crews, or seven eighths.
		{"short", 24, 32, false},
		{"long", 12, 42, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			plan := func(tail *int) *Plan {
				params := DefaultParams()
				params.Start = cf.NewDate(2021, time.January, 1)
				// A small network has a crew or two per region: more
				// crews than the defaults.
				params.Crews.Per1000, params.NewBuilds.Per1000 = &c.per1000, &c.nb
				// Exactly per1000 crews per 1,000 sites in every region, the
				// smallest included: given as figures, which the default
				// floor of one crew a region does not raise.
				params.Crews.Operators = exactCrews(inv, c.per1000)
				params.Tail = tail
				plan, err := Run(context.Background(), inv, packs, params, Options{Method: MethodLagrangian, TimeLimit: time.Minute})
				if err != nil {
					t.Fatal(err)
				}
				if plan.Schedule == nil {
					t.Fatalf("no plan: %s %+v", plan.Status, plan.Infeasible)
				}
				return plan
			}
			def := plan(nil)
			p := def.Problem
			tail := len(p.Periods) - p.T
			longer := tail + 8
			more := plan(&longer)
			if math.Abs(more.Costs.Objective-def.Costs.Objective) > 1e-6*def.Costs.Objective {
				t.Errorf("a tail of %d periods costs %.3f, the default of %d %.3f: the default cuts delay short",
					longer, more.Costs.Objective, tail, def.Costs.Objective)
			}
			if def.BacklogCleared != more.BacklogCleared || len(def.Periods) != len(more.Periods) {
				t.Errorf("backlog cleared %v after %d periods with the default tail, %v after %d with a longer one",
					def.BacklogCleared, len(def.Periods), more.BacklogCleared, len(more.Periods))
			}
			// The report ends with the period in which the backlog clears.
			last := def.Periods[len(def.Periods)-1]
			reported := len(def.Periods) - p.T
			switch {
			case def.BacklogCleared.IsZero():
				if reported != 0 {
					t.Errorf("no backlog outlasts the horizon, yet %d tail periods are reported", reported)
				}
			case last.End != def.BacklogCleared || last.Delayed != 0 || def.Periods[len(def.Periods)-2].Delayed <= 0:
				t.Errorf("the report ends with %s (%.2f waiting), the backlog clears %v", last.Label, last.Delayed, def.BacklogCleared)
			}
			delay := 0.0
			for _, ps := range def.Periods {
				delay += ps.Delayed
			}
			delay *= p.Pools[0].Delay // every pool has the default delay cost
			if math.Abs(delay-def.Costs.Delay) > 1e-6*def.Costs.Delay {
				t.Errorf("delay cost %.3f, δ × new builds waiting in the reported periods %.3f", def.Costs.Delay, delay)
			}
			t.Logf("%s: %d tail periods solved, %d reported (backlog cleared %v); delay %.0f of %.0f (%.0f%%)",
				c.name, tail, reported, def.BacklogCleared, def.Costs.Delay, def.Costs.Objective, 100*def.Costs.Delay/def.Costs.Objective)
			if c.long != (reported > p.T/2) {
				t.Errorf("%d tail periods reported, want long = %v", reported, c.long)
			}
		})
	}
}

// TestTailFollowsBacklog plans the DVD on a generated network with crews
// to spare (a short tail) and with few (a long one). In
// both, a longer tail changes nothing, the reported tail ends in the
// period the backlog clears, and the delay cost is δ × the new builds
// waiting in the reported periods — nothing is counted in periods the
// report leaves out.

// exactCrews gives every operator's region per1000 crews per 1,000 of its
// cell sites as explicit figures (crews.operators.OP.regions).
func exactCrews(inv *inventory.Inventory, per1000 float64) map[string]OperatorCrews {
	sites := map[string]map[string]int{}
	for i := range inv.Sites {
		s := &inv.Sites[i]
		if !cellSiteKinds[s.Kind] {
			continue
		}
		op := inv.Operators[s.OperatorRef].ID
		if sites[op] == nil {
			sites[op] = map[string]int{}
		}
		sites[op][s.Region]++
	}
	out := map[string]OperatorCrews{}
	for op, regions := range sites {
		oc := OperatorCrews{Regions: map[string]float64{}}
		for r, n := range regions {
			oc.Regions[r] = per1000 * float64(n) / 1000
		}
		out[op] = oc
	}
	return out
}
