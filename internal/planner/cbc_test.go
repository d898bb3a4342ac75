package planner

import (
	"context"
	"errors"
	"fmt"
	"math"
	"testing"
	"time"

	cf "github.com/corefence/corefence"
	"github.com/corefence/corefence/internal/gen"
	"github.com/corefence/corefence/internal/inventory"
	"github.com/corefence/corefence/internal/planner/milp"
	"github.com/corefence/corefence/internal/policy"
)

// cbcLimit and cbcGap bound CBC's search: it stops at a 0.05% gap, and
// the comparison is against its lower bound, so "within 2% of CBC's bound"
// means within 2% of the true optimum.
const (
	cbcLimit = 3 * time.Second
	cbcGap   = 5e-4
)

// reference solves the problem's MILP with CBC, or skips the test.
func reference(t testing.TB, p *Problem) *milp.Solution {
	t.Helper()
	ref, err := milp.CBC(context.Background(), p.Model().Model, t.TempDir(), cbcLimit, cbcGap)
	if errors.Is(err, milp.ErrNoCBC) {
		t.Skip("cbc is not installed (Debian: apt-get install coinor-cbc); scripts/test installs it")
	}
	if err != nil {
		t.Fatal(err)
	}
	return ref
}

// checkAgainst compares a plan with CBC's answer on the same MILP.
func checkAgainst(t *testing.T, name string, p *Problem, plan *Plan, ref *milp.Solution) {
	t.Helper()
	if ref.Status == milp.Infeasible {
		t.Fatalf("%s: CBC says infeasible, the planner says %s", name, plan.Status)
	}
	if plan.Schedule == nil {
		t.Fatalf("%s: no plan (%s); CBC found one costing %.2f", name, plan.Status, ref.Objective)
	}
	if ev := p.Evaluate(plan.Schedule); !ev.Feasible {
		t.Fatalf("%s: the plan breaks the model: %v", name, ev.Violations)
	}
	got := plan.Costs.Objective
	// The plan's MILP objective is its cost: both are the same model.
	mm := p.Model()
	if obj := mm.Model.Objective(mm.Vector(p, plan.Schedule)); math.Abs(obj-got) > 1e-6*got {
		t.Errorf("%s: plan cost %.4f, its MILP objective %.4f", name, got, obj)
	}
	if got > 1.02*ref.Bound {
		t.Errorf("%s: plan costs %.2f, more than 2%% above CBC's bound %.2f (CBC's best %.2f)", name, got, ref.Bound, ref.Objective)
	}
	if got < ref.Bound*(1-1e-6) {
		t.Errorf("%s: plan costs %.2f, below CBC's lower bound %.2f: the models differ", name, got, ref.Bound)
	}
	if plan.LowerBound > ref.Objective*(1+1e-6) {
		t.Errorf("%s: planner's lower bound %.2f exceeds CBC's solution %.2f: the bound is wrong", name, plan.LowerBound, ref.Objective)
	}
	t.Logf("%s: %s %.2f (bound %.2f, %.3f%% above CBC's bound); CBC %v %.2f, bound %.2f",
		name, plan.Status, got, plan.LowerBound, 100*(got/ref.Bound-1), ref.Status, ref.Objective, ref.Bound)
}

// TestAgainstCBC solves random instances of about 200 jobs and 12 periods
// (regional crews, a new-build programme, early and passed deadlines,
// caps by sites and by traffic) with CBC, and requires both of the
// planner's methods to come within 2% of the optimum.
func TestAgainstCBC(t *testing.T) {
	for seed := uint64(1); seed <= 3; seed++ {
		p := smallInstance(seed).problem()
		ref := reference(t, p)
		for _, method := range []string{MethodLagrangian, MethodExact} {
			plan, err := Solve(context.Background(), p, Options{Method: method, Nodes: 100})
			if err != nil {
				t.Fatal(err)
			}
			checkAgainst(t, fmt.Sprintf("%s seed %d", method, seed), p, plan, ref)
		}
	}
}

// TestAgainstCBCBudget adds yearly budgets that bind.
func TestAgainstCBCBudget(t *testing.T) {
	in := smallInstance(7)
	in.budget = 2600
	p := in.problem()
	ref := reference(t, p)
	plan, err := Solve(context.Background(), p, Options{Method: MethodLagrangian})
	if err != nil {
		t.Fatal(err)
	}
	checkAgainst(t, "budget", p, plan, ref)
}

// smallNetwork is a generated UK network small enough to plan exactly:
// about 200 jobs over the twelve months of 2023 under the DVD (the
// national-security-sites date falls in the lead time, the 5G access cap
// in July, the core in December).
func smallNetwork(t testing.TB) *Problem {
	t.Helper()
	doc, err := gen.Generate(gen.Config{Country: "gb", Sites: 800, Seed: 2019})
	if err != nil {
		t.Fatal(err)
	}
	inv, err := inventory.Build(doc, inventory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	pk, err := policy.Open("uk-dvd-2022")
	if err != nil {
		t.Fatal(err)
	}
	params := DefaultParams()
	params.Start, params.End, params.Period = cf.NewDate(2023, time.January, 1), cf.NewDate(2023, time.December, 31), Month
	tail := 6
	params.Tail = &tail
	// A small network has a crew or two per region: scale the defaults.
	per, nb := 60.0, 160.0
	params.Crews.Per1000, params.NewBuilds.Per1000 = &per, &nb
	p, err := Build(context.Background(), inv, []*policy.Pack{pk}, params)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestAgainstCBCGeneratedNetwork(t *testing.T) {
	p := smallNetwork(t)
	if n := len(p.Jobs); n < 150 || n > 300 {
		t.Fatalf("%d jobs, want about 200", n)
	}
	ref := reference(t, p)
	for _, method := range []string{MethodLagrangian, MethodExact} {
		plan, err := Solve(context.Background(), p, Options{Method: method, Nodes: 100})
		if err != nil {
			t.Fatal(err)
		}
		checkAgainst(t, "generated network, "+method, p, plan, ref)
	}
}

// TestInfeasibleAgainstCBC starves one pool of crews: CBC and the planner
// must both say infeasible, and the crews the planner asks for must make
// the instance feasible for CBC too.
func TestInfeasibleAgainstCBC(t *testing.T) {
	p := smallInstance(3).problem()
	// The pool with the most mandatory work gets a third of the crews that
	// work needs (but room for its largest job in every period, so that a
	// later deadline can help).
	work := make([]float64, len(p.Pools))
	starved := 0
	for _, j := range p.Jobs {
		if !j.Optional {
			work[j.Pool] += j.Effort
			if work[j.Pool] > work[starved] {
				starved = j.Pool
			}
		}
	}
	pl := &p.Pools[starved]
	per := math.Max(1.5, work[starved]/float64(p.T)/3)
	for t := range pl.Capacity {
		pl.Capacity[t] = per
	}
	pl.Crews = per / pl.PerCrew
	ref := reference(t, p)
	if ref.Status != milp.Infeasible {
		t.Fatalf("CBC: %v, want infeasible", ref.Status)
	}
	// The least extra crews, by CBC on the least-crews model (its bound
	// is what the planner's crews may not go below).
	least, err := milp.CBC(context.Background(), p.model(true).Model, t.TempDir(), 5*time.Second, 1e-9)
	if err != nil {
		t.Fatal(err)
	}
	for _, method := range []string{MethodLagrangian, MethodExact} {
		plan, err := Solve(context.Background(), p, Options{Method: method, Nodes: 100})
		if err != nil {
			t.Fatal(err)
		}
		if inf := plan.Infeasible; inf != nil {
			total := 0.0
			for _, c := range inf.Crews {
				total += c.Extra
			}
			// At least CBC's least (or the claim of a plan is false), and,
			// when proven minimal, no more than it rounded up to hundredths.
			if total < least.Bound-1e-6 || (inf.CrewsMinimal && total > least.Objective+0.01*float64(len(inf.Crews))+1e-9) {
				t.Errorf("%s: %.2f extra crews (minimal %v); CBC's least is %.4f", method, total, inf.CrewsMinimal, least.Objective)
			}
			if inf.Extension != ExtensionFound {
				t.Errorf("%s: extension %q", method, inf.Extension)
			}
		}
		if plan.Status != StatusInfeasible || plan.Infeasible == nil || !plan.Infeasible.Proven {
			t.Fatalf("%s: %s, want proven infeasible", method, plan.Status)
		}
		inf := plan.Infeasible
		if len(inf.Crews) != 1 || inf.Crews[0].Operator != p.Pools[starved].Operator || inf.Crews[0].Region != p.Pools[starved].Region || !inf.Verified {
			t.Fatalf("%s: crews %+v (verified %v), want more crews for %s only", method, inf.Crews, inf.Verified, p.Pools[starved].Name())
		}
		if inf.ExtraMonths == 0 {
			t.Errorf("%s: no deadline extension found", method)
		}
		fixed := p.withCrews(inf.Crews, nil)
		if ref := reference(t, fixed); ref.Status == milp.Infeasible {
			t.Errorf("%s: with %+v CBC still finds no plan", method, inf.Crews)
		}
		t.Logf("%s: %v; +%v crews; or %d months", method, inf.Reasons, inf.Crews[0].Extra, inf.ExtraMonths)
	}
}

// TestRelaxationAgainstCBC solves the linear relaxation of the generated
// network's MILP with the built-in simplex and with CBC: the bounds must
// agree, which is what lets a benchmark take CBC's LP bound where the
// built-in simplex cannot go (BenchmarkNationalLPBound).
func TestRelaxationAgainstCBC(t *testing.T) {
	p := smallNetwork(t)
	own, err := p.lpBound(context.Background(), time.Now().Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	ref, err := milp.CBCRelaxation(context.Background(), p.Model().Model, t.TempDir())
	if errors.Is(err, milp.ErrNoCBC) {
		t.Skip("cbc is not installed (Debian: apt-get install coinor-cbc); scripts/test installs it")
	}
	if err != nil {
		t.Fatal(err)
	}
	if ref.Status != milp.Optimal {
		t.Fatalf("CBC: status %v", ref.Status)
	}
	if math.Abs(own-ref.Objective) > 1e-6*math.Max(1, math.Abs(ref.Objective)) {
		t.Errorf("LP relaxation: built-in %.6f, CBC %.6f", own, ref.Objective)
	}
}
