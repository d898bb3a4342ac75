package planner

import (
	"context"
	"os/exec"
	"sync"
	"syscall"
	"testing"
	"time"

	cf "github.com/corefence/corefence"
	"github.com/corefence/corefence/internal/gen"
	"github.com/corefence/corefence/internal/inventory"
	"github.com/corefence/corefence/internal/planner/milp"
	"github.com/corefence/corefence/internal/policy"
)

// ukNetwork generates a UK-like network of the given number of RAN sites
// (seed 2019), once per size.
var ukNetworks sync.Map

func ukNetwork(tb testing.TB, sites int) *inventory.Inventory {
	tb.Helper()
	if inv, ok := ukNetworks.Load(sites); ok {
		return inv.(*inventory.Inventory)
	}
	doc, err := gen.Generate(gen.Config{Country: "gb", Sites: sites, Seed: 2019})
	if err != nil {
		tb.Fatal(err)
	}
	inv, err := inventory.Build(doc, inventory.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	ukNetworks.Store(sites, inv)
	return inv
}

func openPacks(tb testing.TB, ids ...string) []*policy.Pack {
	tb.Helper()
	var out []*policy.Pack
	for _, id := range ids {
		pk, err := policy.Open(id)
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, pk)
	}
	return out
}

// benchTimeLimit is the safety net of the national benchmarks: long, so
// that on a shared, loaded machine (a process given a tenth of a core) the
// work bounds, not the clock, end the search.
const benchTimeLimit = 2 * time.Hour

// cpuTime is the CPU time (user + system) the process has used so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// nationalSites is the generated network whose DVD plan has about 20,000
// site jobs (every site of the Huawei-equipped 5G estate).
const nationalSites = 84000

// BenchmarkPlanNational plans the Designated Vendor Direction on a
// UK-like network — about 20,000 site jobs and 2,600 core, management and
// transport jobs over the 28 quarters from 2021 to the end of 2027 — by
// Lagrangian relaxation, and reports the plan's gap to the lower bound.
// Building the problem from the check's findings is included.
func BenchmarkPlanNational(b *testing.B) {
	inv := ukNetwork(b, nationalSites)
	packs := openPacks(b, "uk-dvd-2022")
	params := DefaultParams()
	params.Start = cf.NewDate(2021, time.January, 1)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start, cpu := time.Now(), cpuTime()
		plan, err := Run(context.Background(), inv, packs, params, Options{Method: MethodLagrangian, TimeLimit: benchTimeLimit})
		if plan != nil && plan.TimeLimited {
			b.Errorf("the time limit cut the search")
		}
		if err != nil {
			b.Fatal(err)
		}
		if plan.Schedule == nil {
			b.Fatalf("no plan: %s %+v", plan.Status, plan.Infeasible)
		}
		sites := 0
		for _, j := range plan.Problem.Jobs {
			if j.Kind == KindSite {
				sites++
			}
		}
		b.ReportMetric(float64(len(plan.Problem.Jobs)), "jobs")
		b.ReportMetric(float64(sites), "site-jobs")
		b.ReportMetric(float64(plan.Problem.T), "periods")
		b.ReportMetric(100*plan.Gap, "gap-%")
		b.ReportMetric(100*plan.ScheduleGap, "schedule-gap-%")
		b.ReportMetric(time.Since(start).Seconds(), "s/plan")
		b.ReportMetric((cpuTime() - cpu).Seconds(), "cpu-s/plan")
		b.ReportMetric(plan.Costs.Total/1e6, "£bn")
		b.ReportMetric(100*plan.Costs.Delay/plan.Costs.Objective, "delay-%")
		b.ReportMetric(float64(len(plan.Problem.Periods)-plan.Problem.T), "tail-periods")
		b.ReportMetric(float64(len(plan.Periods)-plan.Problem.T), "tail-reported")
	}
}

// BenchmarkNationalLPBound plans the national instance of
// BenchmarkPlanNational and solves the linear relaxation of the same
// MILP with CBC (CLP's simplex; too large for the built-in dense one), and
// reports the plan's gap to that LP bound beside its gap to the
// Lagrangian bound. A benchmark only: it skips without cbc.
func BenchmarkNationalLPBound(b *testing.B) {
	if _, err := exec.LookPath("cbc"); err != nil {
		b.Skip("cbc is not installed (Debian: apt-get install coinor-cbc)")
	}
	inv := ukNetwork(b, nationalSites)
	packs := openPacks(b, "uk-dvd-2022")
	params := DefaultParams()
	params.Start = cf.NewDate(2021, time.January, 1)
	for i := 0; i < b.N; i++ {
		p, err := Build(context.Background(), inv, packs, params)
		if err != nil {
			b.Fatal(err)
		}
		plan, err := Solve(context.Background(), p, Options{Method: MethodLagrangian, TimeLimit: benchTimeLimit})
		if err != nil {
			b.Fatal(err)
		}
		if plan.Schedule == nil || plan.TimeLimited {
			b.Fatalf("no plan within the work bounds: %s", plan.Status)
		}
		m := p.Model().Model
		start := time.Now()
		lp, err := milp.CBCRelaxation(context.Background(), m, b.TempDir())
		if err != nil {
			b.Fatal(err)
		}
		if lp.Status != milp.Optimal {
			b.Fatalf("CBC did not solve the relaxation: status %v", lp.Status)
		}
		obj := plan.Costs.Objective
		b.ReportMetric(float64(m.NumVars()), "variables")
		b.ReportMetric(float64(m.NumRows()), "rows")
		b.ReportMetric(time.Since(start).Seconds(), "cbc-s")
		b.ReportMetric(100*plan.Gap, "gap-lagrangian-%")
		b.ReportMetric(100*(obj-lp.Objective)/obj, "gap-lp-%")
		b.ReportMetric(100*(lp.Objective-plan.LowerBound)/obj, "lp-over-lagrangian-%")
		b.Logf("objective %.1f, Lagrangian bound %.1f, LP bound (CBC) %.1f", obj, plan.LowerBound, lp.Objective)
	}
}

// BenchmarkCBCSmall plans a generated network of about 200 jobs over
// twelve months with the planner (both methods) and with CBC, and reports
// each one's time and the planner's cost relative to CBC's (scripts/
// bench-planner runs it; it skips without cbc).
func BenchmarkCBCSmall(b *testing.B) {
	p := smallNetwork(b)
	for i := 0; i < b.N; i++ {
		start := time.Now()
		ref := reference(b, p)
		cbc := time.Since(start)
		start = time.Now()
		lag, err := Solve(context.Background(), p, Options{Method: MethodLagrangian, TimeLimit: 5 * time.Second})
		if err != nil {
			b.Fatal(err)
		}
		tl := time.Since(start)
		start = time.Now()
		ex, err := Solve(context.Background(), p, Options{Method: MethodExact, TimeLimit: 10 * time.Second})
		if err != nil {
			b.Fatal(err)
		}
		te := time.Since(start)
		b.ReportMetric(float64(len(p.Jobs)), "jobs")
		b.ReportMetric(cbc.Seconds(), "cbc-s")
		b.ReportMetric(tl.Seconds(), "lagrangian-s")
		b.ReportMetric(te.Seconds(), "exact-s")
		b.ReportMetric(100*(lag.Costs.Objective/ref.Objective-1), "lagrangian-vs-cbc-%")
		b.ReportMetric(100*(ex.Costs.Objective/ref.Objective-1), "exact-vs-cbc-%")
	}
}

// calibration is the UK's July 2020 position (the January 2020 NCSC
// restrictions plus the July ban on Huawei in 5G by the end of 2027) from
// the day of the decision, on a generated network the size of the UK's:
// 56,000 RAN sites, which gives EE about BT's 18,000.
func calibration(tb testing.TB, opts Options) *Plan {
	inv := ukNetwork(tb, 56000)
	packs := openPacks(tb, "uk-2020-ncsc", "uk-2020-07")
	params := DefaultParams()
	params.Start = cf.NewDate(2020, time.July, 1)
	plan, err := Run(context.Background(), inv, packs, params, opts)
	if err != nil {
		tb.Fatal(err)
	}
	if plan.Schedule == nil {
		tb.Fatalf("no plan: %s %+v", plan.Status, plan.Infeasible)
	}
	return plan
}

// BenchmarkCalibrationUK reports what the July 2020 decision costs on the
// UK-sized network with the default parameters, for comparison with the
// Government's estimate (up to £2bn; a 2-3 year delay to 5G).
func BenchmarkCalibrationUK(b *testing.B) {
	for i := 0; i < b.N; i++ {
		plan := calibration(b, Options{Method: MethodLagrangian, TimeLimit: 60 * time.Second})
		c := plan.Costs
		b.ReportMetric(c.Total/1e6, "total-£bn")
		b.ReportMetric((c.Capital+c.Writeoff)/1e6, "capital+writeoff-£bn")
		b.ReportMetric(c.Delay/1e6, "delay-cost-£bn")
		b.ReportMetric(plan.RolloutDelay/12, "worst-delay-years")
		b.ReportMetric(float64(len(plan.Problem.Jobs)), "jobs")
		if i > 0 {
			continue
		}
		b.Logf("status %s, gap %.2f%%; capital £%.2fbn, write-off £%.2fbn, delay £%.2fbn, overdue penalties £%.2fbn; finish %s",
			plan.Status, 100*plan.Gap, c.Capital/1e6, c.Writeoff/1e6, c.Delay/1e6, c.Overdue/1e6, plan.Finish)
		kinds := map[string]int{}
		for _, j := range plan.Problem.Jobs {
			kinds[j.Operator+" "+j.Kind]++
		}
		b.Logf("jobs: %v", kinds)
		for _, o := range plan.Operators {
			b.Logf("%-9s %6d jobs  capital £%4.0fm  write-off £%4.0fm  delay cost £%4.0fm  rollout delay %4.1f months  finish %s",
				o.ID, o.Jobs, o.Capital/1e3, o.Writeoff/1e3, o.Delay/1e3, o.RolloutDelay, o.Finish)
		}
		for _, m := range plan.Milestones {
			b.Logf("cap %s %s %s: %.1f%% at start, %.1f%% by %s", m.Rule, m.Operator, m.Metric, 100*m.ShareStart, 100*m.ShareAt, m.PeriodLabel)
		}
	}
}

// BenchmarkCompareUK plans the UK's three options of 2019-2020 (non-core
// only, the 35% cap, removal by 2027; the packs of the demo's options) on a
// generated network of 100,000 RAN sites from July 2020, as `corefence
// compare` does, and reports the time and each option's gap.
func BenchmarkCompareUK(b *testing.B) {
	inv := ukNetwork(b, 100000)
	options := []Option{
		{Name: "non-core", Packs: openPacks(b, "uk-2019-nsc")},
		{Name: "cap", Packs: openPacks(b, "uk-2020-ncsc")},
		{Name: "removal", Packs: openPacks(b, "uk-dvd-2022", "uk-2020-07")},
	}
	params := DefaultParams()
	params.Start = cf.NewDate(2020, time.July, 1)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start, cpu := time.Now(), cpuTime()
		out, err := Compare(context.Background(), inv, options, params, Options{TimeLimit: benchTimeLimit})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(time.Since(start).Seconds(), "s/compare")
		b.ReportMetric((cpuTime() - cpu).Seconds(), "cpu-s/compare")
		for _, o := range out {
			b.ReportMetric(100*o.Gap, o.Name+"-gap-%")
			if o.Plan.TimeLimited {
				b.Errorf("%s: the time limit cut the search", o.Name)
			}
		}
	}
}
