package planner

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"
	"time"

	cf "github.com/corefence/corefence"
	"github.com/corefence/corefence/internal/gen"
	"github.com/corefence/corefence/internal/inventory"
	"github.com/corefence/corefence/internal/planner/milp"
	"github.com/corefence/corefence/internal/policy"
)

// capInstance is a generated UK network under the January 2020 NCSC
// advice with its access cap set to capShare, planned monthly from
// 2021 to the end of 2023 (the cap falls in January 2023).
func capInstance(t *testing.T, sites int, seed int64, capShare float64) (*inventory.Inventory, []*policy.Pack, *Params) {
	t.Helper()
	doc, err := gen.Generate(gen.Config{Country: "gb", Sites: sites, Seed: seed})
	if err != nil {
		t.Fatal(err)
	}
	inv, err := inventory.Build(doc, inventory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	pk := mustPack(t, "uk-2020-ncsc")
	pk.Rules = append([]policy.Rule(nil), pk.Rules...)
	for i := range pk.Rules {
		if r := &pk.Rules[i]; r.Kind == policy.KindShareCap {
			q := cf.Quantity(capShare * cf.QuantityScale)
			r.Cap = &q
		}
	}
	params := DefaultParams()
	params.Start, params.End = cf.NewDate(2021, time.January, 1), cf.NewDate(2023, time.December, 31)
	tail := 4
	params.Tail = &tail
	// A small network has a crew or two per region: scale the defaults.
	per, nb := 60.0, 160.0
	params.Crews.Per1000, params.NewBuilds.Per1000 = &per, &nb
	return inv, []*policy.Pack{pk}, params
}

// checkCaps replaces every element of the jobs a plan does by each cap's
// date with the replacement vendor's and asks policy.Shares — the measure
// `check` reports — whether each operator is then within the cap.
func checkCaps(t *testing.T, inv *inventory.Inventory, packs []*policy.Pack, plan *Plan) {
	t.Helper()
	p := plan.Problem
	for _, ms := range p.Milestones {
		byID := map[string]inventory.Ref{}
		for i := range inv.Elements {
			byID[inv.Elements[i].ID] = inventory.Ref(i)
		}
		saved := make([]inventory.Ref, len(inv.Elements))
		for i := range inv.Elements {
			saved[i] = inv.Elements[i].Group
		}
		vendor, ok := inv.Group(p.Params.Vendor)
		if !ok {
			t.Fatalf("no vendor group %s", p.Params.Vendor)
		}
		for ji, tj := range plan.Schedule {
			if tj >= 0 && tj <= ms.Period {
				for _, id := range p.Jobs[ji].Elements {
					inv.Elements[byID[id]].Group = vendor
				}
			}
		}
		for _, pk := range packs {
			for i := range pk.Rules {
				r := &pk.Rules[i]
				if r.ID != ms.Rule {
					continue
				}
				shares, err := policy.Shares(inv, pk, r, policy.Options{AsOf: ms.Date})
				if err != nil {
					t.Fatal(err)
				}
				for _, sh := range shares {
					if inv.Operators[sh.Operator].ID != ms.Operator || sh.Metric != ms.Metric || !sh.Measured {
						continue
					}
					share := sh.Value.Float()
					if share > ms.Cap+1e-9 {
						t.Errorf("cap %s for %s (%s): the plan leaves %.4f at %s, over %.2f", ms.Rule, ms.Operator, ms.Metric, share, ms.Date, ms.Cap)
					}
				}
			}
		}
		for i := range inv.Elements {
			inv.Elements[i].Group = saved[i]
		}
	}
}

// TestCapCreditsExchanges: a 5% access cap counts exchanges that hold
// designated 5G access equipment (servers hosting a CU, say); the plan
// must clear them too, and with them the cap is met — check confirms it.
func TestCapCreditsExchanges(t *testing.T) {
	inv, packs, params := capInstance(t, 1500, 2019, 0.05)
	plan, err := Run(context.Background(), inv, packs, params, Options{Method: MethodLagrangian})
	if err != nil {
		t.Fatal(err)
	}
	nonCell, multi := 0, 0
	for _, ms := range plan.Problem.Milestones {
		for _, u := range ms.Units {
			if p := plan.Problem.Jobs[u.Jobs[0]]; p.Kind != KindSite || p.SiteKind == inventory.SiteExchange {
				nonCell++
			}
			if len(u.Jobs) > 1 {
				multi++
			}
		}
	}
	t.Logf("%s, %d jobs; %d counted sites cleared by core/transport jobs or at exchanges, %d needing several jobs", plan.Status, len(plan.Problem.Jobs), nonCell, multi)
	if nonCell == 0 {
		t.Fatalf("no counted site is an exchange: the instance does not test what it should")
	}
	if plan.Schedule == nil {
		t.Fatalf("no plan: %s %+v", plan.Status, plan.Infeasible)
	}
	for _, mp := range plan.Milestones {
		if !mp.Met {
			t.Errorf("cap %s for %s not met", mp.Rule, mp.Operator)
		}
	}
	checkCaps(t, inv, packs, plan)
}

// TestCapOptimalAgainstCBC: at the real 35% cap, on three generated
// networks, the planner's plan costs what an exact optimum of the
// documented model costs (CBC, solved to optimality), and meets the caps
// as check measures them.
func TestCapOptimalAgainstCBC(t *testing.T) {
	for _, seed := range []int64{1, 2, 3} {
		inv, packs, params := capInstance(t, 120, seed, 0.35)
		prob, err := Build(context.Background(), inv, packs, params)
		if err != nil {
			t.Fatal(err)
		}
		ref, err := milp.CBC(context.Background(), prob.Model().Model, t.TempDir(), 60*time.Second, 1e-9)
		if err == milp.ErrNoCBC {
			t.Skip("cbc is not installed (Debian: apt-get install coinor-cbc); scripts/test installs it")
		}
		if err != nil {
			t.Fatal(err)
		}
		plan, err := Solve(context.Background(), prob, Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("seed %d: %d jobs, %d caps; planner %s %.4f (bound %.4f, %d nodes); CBC %v %.4f", seed, len(prob.Jobs), len(prob.Milestones),
			plan.Status, plan.Costs.Objective, plan.LowerBound, plan.Nodes, ref.Status, ref.Objective)
		if ref.Status != milp.Optimal {
			t.Fatalf("seed %d: CBC did not prove optimality (%v)", seed, ref.Status)
		}
		if plan.Schedule == nil {
			t.Fatalf("seed %d: no plan: %s", seed, plan.Status)
		}
		if d := plan.Costs.Objective - ref.Objective; d > 1e-6*ref.Objective || d < -1e-6*ref.Objective {
			t.Errorf("seed %d: plan %.4f, optimum %.4f", seed, plan.Costs.Objective, ref.Objective)
		}
		if plan.LowerBound > ref.Objective*(1+1e-9) {
			t.Errorf("seed %d: bound %.4f above the optimum %.4f", seed, plan.LowerBound, ref.Objective)
		}
		checkCaps(t, inv, packs, plan)
	}
}

// TestSameInputSameOutput: planning the same problem twice gives
// byte-identical reports (the search is bounded by work, not time).
func TestSameInputSameOutput(t *testing.T) {
	for _, method := range []string{MethodLagrangian, MethodExact} {
		var first []byte
		for run := 0; run < 2; run++ {
			inv, packs, params := capInstance(t, 400, 7, 0.35)
			plan, err := Run(context.Background(), inv, packs, params, Options{Method: method, Nodes: 200})
			if err != nil {
				t.Fatal(err)
			}
			if plan.TimeLimited {
				t.Fatalf("%s: the time limit cut the search", method)
			}
			out, err := json.Marshal(plan.Report())
			if err != nil {
				t.Fatal(err)
			}
			if run == 0 {
				first = out
			} else if !bytes.Equal(first, out) {
				t.Errorf("%s: two runs differ", method)
			}
		}
	}
}
