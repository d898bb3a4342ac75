package planner

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"

	cf "github.com/corefence/corefence"
	"github.com/corefence/corefence/internal/policy"
)

func fixtureProblem(t *testing.T, params *Params, packIDs ...string) *Problem {
	t.Helper()
	var packs []*policy.Pack
	for _, id := range packIDs {
		pk, err := policy.Open(id)
		if err != nil {
			t.Fatal(err)
		}
		packs = append(packs, pk)
	}
	p, err := Build(context.Background(), smallFixture(t), packs, params)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// fixtureParams gives the fixture's few sites a crew each (the defaults,
// per thousand sites, are for national networks).
func fixtureParams(start cf.Date) *Params {
	p := DefaultParams()
	p.Start = start
	crews := 1000.0
	p.Crews.Per1000 = &crews
	return p
}

func jobByID(t *testing.T, p *Problem, id string) *Job {
	t.Helper()
	for i := range p.Jobs {
		if p.Jobs[i].ID == id {
			return &p.Jobs[i]
		}
	}
	t.Fatalf("no job %s", id)
	return nil
}

// TestBuildJobs derives jobs from the DVD's findings on the shared fixture.
func TestBuildJobs(t *testing.T) {
	p := fixtureProblem(t, fixtureParams(cf.NewDate(2022, time.January, 1)), "uk-dvd-2022")
	if p.T != 24 || p.End() != cf.NewDate(2027, time.December, 31) {
		t.Errorf("horizon: %d periods to %s, want 24 quarters to 2027-12-31 (the DVD's last date)", p.T, p.End())
	}
	var ids []string
	for _, j := range p.Jobs {
		ids = append(ids, j.ID)
	}
	if got, want := strings.Join(ids, " "), "A-001 A-002 B-003 A-DC1-ems A-DC1-mme A-DC1-srv1"; got != want {
		t.Fatalf("jobs %s, want %s", got, want)
	}
	// gNB and eNB in one visit, due at the national-security date.
	a1 := jobByID(t, p, "A-001")
	if a1.Kind != KindSite || strings.Join(a1.Elements, " ") != "A-001-enb A-001-gnb" || !a1.Sensitive ||
		a1.Due != cf.NewDate(2023, time.January, 28) || a1.Release != 1 || a1.Last != 3 || a1.Overdue || a1.Optional {
		t.Errorf("A-001 = %+v", *a1)
	}
	// Capital: a macro visit and the two radios at the default prices.
	if want := 15.0 + 20 + 15; a1.Capex != want {
		t.Errorf("A-001 capex %g, want %g", a1.Capex, want)
	}
	// Write-off at the end of 2022-Q4: straight line over 8 years.
	done := cf.NewDate(2022, time.December, 31)
	age := func(d cf.Date) float64 { return float64(done.Sub(d)) / 365.25 }
	want := 20*(1-age(cf.NewDate(2019, time.November, 15))/8) + 15*(1-age(cf.NewDate(2016, time.April, 1))/8)
	if got := a1.Writeoff(3); math.Abs(got-want) > 1e-9 {
		t.Errorf("A-001 write-off in 2022-Q4 %g, want %g", got, want)
	}
	if a1.Writeoff(1) <= a1.Writeoff(3) {
		t.Errorf("write-off should fall with time: %g then %g", a1.Writeoff(1), a1.Writeoff(3))
	}
	// B-003: an OLT counted only by the full-fibre cap.
	if b3 := jobByID(t, p, "B-003"); !b3.Optional || len(b3.caps) != 1 {
		t.Errorf("B-003 = %+v, want an optional job under one cap", *b3)
	}
	if srv := jobByID(t, p, "A-DC1-srv1"); srv.Kind != KindCore || !p.Pools[srv.Pool].Core {
		t.Errorf("A-DC1-srv1: kind %s in pool %s, want a core job for the core teams", srv.Kind, p.Pools[srv.Pool].Name())
	}
	// Caps: alpha holds Huawei 5G at 2 of 4 access sites; 35% of 4 is 1.4,
	// so one site must go by 31 July 2023 (the last quarter ending by then is 2023-Q2).
	var found bool
	for _, ms := range p.Milestones {
		if ms.Operator == "alpha" && ms.Metric == "sites" {
			found = true
			if ms.Need != 1 || ms.Start != 2 || ms.Total != 4 || p.Periods[ms.Period].Label != "2023-Q2" || len(ms.Jobs) != 2 {
				t.Errorf("alpha sites cap = %+v", ms)
			}
		}
	}
	if !found {
		t.Error("no sites cap for alpha")
	}
}

// TestBuildOverdue: with a start after the national-security date, A-001
// is overdue — no hard deadline, a penalty for every month late.
func TestBuildOverdue(t *testing.T) {
	p := fixtureProblem(t, fixtureParams(cf.NewDate(2023, time.April, 1)), "uk-dvd-2022")
	a1 := jobByID(t, p, "A-001")
	if !a1.Overdue || a1.Last != p.T-1 {
		t.Fatalf("A-001: overdue %v, last %d; want overdue with the horizon as its window", a1.Overdue, a1.Last)
	}
	if a1.Penalty(a1.Release) <= 0 || a1.Penalty(a1.Release+1) <= a1.Penalty(a1.Release) {
		t.Errorf("penalty should grow with lateness: %g, %g", a1.Penalty(a1.Release), a1.Penalty(a1.Release+1))
	}
	plan, err := Solve(context.Background(), p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if plan.Schedule == nil || plan.DeadlinesMissed == 0 {
		t.Fatalf("plan %s, %d deadlines missed; want a plan that counts A-001 as missed", plan.Status, plan.DeadlinesMissed)
	}
	if got := plan.Schedule[indexOf(p, "A-001")]; got != a1.Release {
		t.Errorf("overdue A-001 done in period %d, want as soon as possible (%d)", got, a1.Release)
	}
}

func indexOf(p *Problem, id string) int {
	for i := range p.Jobs {
		if p.Jobs[i].ID == id {
			return i
		}
	}
	return -1
}

// TestBuildNotColocated keeps the eNB at A-001 when only rules decide.
func TestBuildNotColocated(t *testing.T) {
	params := fixtureParams(cf.NewDate(2022, time.January, 1))
	no := false
	params.Colocated = &no
	p := fixtureProblem(t, params, "uk-dvd-2022")
	if a1 := jobByID(t, p, "A-001"); strings.Join(a1.Elements, " ") != "A-001-enb A-001-gnb" {
		// The eNB is itself a finding (national-security site, any technology).
		t.Errorf("A-001 elements %v", a1.Elements)
	}
	p = fixtureProblem(t, params, "uk-2020-07")
	if a1 := jobByID(t, p, "A-001"); strings.Join(a1.Elements, " ") != "A-001-gnb" {
		t.Errorf("uk-2020-07 without colocation: A-001 elements %v, want the gNB only", a1.Elements)
	}
}

// TestNewBuilds checks the programme's simulation: spare capacity serves
// the backlog first in, at once.
func TestNewBuilds(t *testing.T) {
	pl := Pool{Capacity: []float64{4, 4, 4, 4}, Arrivals: []float64{3, 3, 3, 0}, NBEffort: 1, Delay: 10}
	usage := []float64{3, 2, 0, 0}
	served, backlog := make([]float64, 4), make([]float64, 4)
	cost := pl.simulate(usage, served, backlog)
	// Period 0: 1 served, 2 wait; 1: 2 served, 3 wait; 2: 4 served, 2 wait... no: 3+3=6 wanted, 4 served, 2 wait; 3: 2 served.
	wantServed := []float64{1, 2, 4, 2}
	wantBacklog := []float64{2, 3, 2, 0}
	for t2 := range served {
		if served[t2] != wantServed[t2] || backlog[t2] != wantBacklog[t2] {
			t.Fatalf("served %v backlog %v, want %v %v", served, backlog, wantServed, wantBacklog)
		}
	}
	if cost != 70 {
		t.Errorf("delay cost %g, want 70", cost)
	}
}

// TestGeneratedNetwork plans the DVD on a generated network of regional
// size with the national method and checks the plan against the model.
func TestGeneratedNetwork(t *testing.T) {
	inv := ukNetwork(t, 4000)
	params := DefaultParams()
	params.Start = cf.NewDate(2021, time.January, 1)
	per := 20.0 // a small network needs more crews per site than the national default
	params.Crews.Per1000 = &per
	plan, err := Run(context.Background(), inv, openPacks(t, "uk-dvd-2022"), params, Options{Method: MethodLagrangian})
	if err != nil {
		t.Fatal(err)
	}
	if plan.Schedule == nil {
		t.Fatalf("no plan: %s %+v", plan.Status, plan.Infeasible)
	}
	if ev := plan.Problem.Evaluate(plan.Schedule); !ev.Feasible {
		t.Fatalf("plan breaks the model: %v", ev.Violations)
	}
	if plan.Gap > 0.02 || plan.LowerBound <= 0 {
		t.Errorf("gap %.2f%% to bound %.0f, want under 2%%", 100*plan.Gap, plan.LowerBound)
	}
	for _, m := range plan.Milestones {
		if !m.Met || m.ShareAt > m.Cap+1e-9 {
			t.Errorf("cap %s %s %s: %.3f at %s, cap %.2f", m.Rule, m.Operator, m.Metric, m.ShareAt, m.PeriodLabel, m.Cap)
		}
	}
	t.Logf("%d jobs: %s %.0f (bound %.0f, gap %.2f%%) in %s", len(plan.Problem.Jobs), plan.Status, plan.Costs.Total, plan.LowerBound, 100*plan.Gap, plan.Elapsed)
}

// TestNothingToDo: packs that find nothing give an empty, optimal plan.
func TestNothingToDo(t *testing.T) {
	pk, err := policy.Parse("none.yaml", []byte(`id: none
title: nothing to remove
kind: scenario
status: proposal
designated: [zte]
rules:
  - {id: olt, title: no ZTE OLTs, kind: exclude, effective: 2025-01-01, scope: {functions: [olt]}}
`))
	if err != nil {
		t.Fatal(err)
	}
	plan, err := Run(context.Background(), smallFixture(t), []*policy.Pack{pk}, fixtureParams(cf.NewDate(2022, time.January, 1)), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if plan.Status != StatusOptimal || plan.Schedule == nil || len(plan.Problem.Jobs) != 0 || plan.Costs.Total != 0 {
		t.Fatalf("plan %s with %d jobs costing %g, want an empty optimal plan", plan.Status, len(plan.Problem.Jobs), plan.Costs.Total)
	}
}

// TestPacking: work that fits the crews in total but not period by period
// (a job is done within one period) passes the necessary conditions; the
// exact method proves it infeasible, the heuristic finds no plan, and both
// name the crews that make one possible.
func TestPacking(t *testing.T) {
	params := fixtureParams(cf.NewDate(2021, time.January, 1))
	p := &Problem{Params: params, T: 4}
	for i := 0; i < 4; i++ {
		s := params.periodStart(i)
		p.Periods = append(p.Periods, Period{Label: periodLabel(params, s), Start: s, End: params.periodStart(i + 1).AddDays(-1)})
	}
	p.Pools = []Pool{{Operator: "op", Region: "r", Crews: 0.125, PerCrew: 12, Capacity: []float64{1.5, 1.5, 1.5, 1.5}, Arrivals: make([]float64, 4)}}
	for i := 0; i < 5; i++ {
		p.Jobs = append(p.Jobs, Job{ID: string(rune('a' + i)), Operator: "op", Effort: 1, Capex: 10, Last: 3,
			cost: []float64{14, 13, 12, 11}, writeoff: make([]float64, 4), penalty: make([]float64, 4), risk: make([]float64, 4)})
	}
	if inf, _ := p.necessary(context.Background()); inf != nil {
		t.Fatalf("necessary conditions fail: %v", inf.Reasons)
	}
	for _, m := range []string{MethodExact, MethodLagrangian} {
		plan, err := Solve(context.Background(), p, Options{Method: m})
		if err != nil {
			t.Fatal(err)
		}
		want := StatusUnknown
		if m == MethodExact {
			want = StatusInfeasible
		}
		if plan.Status != want || plan.Infeasible == nil || !plan.Infeasible.Verified || len(plan.Infeasible.Crews) != 1 {
			t.Fatalf("%s: %s %+v, want %s with crews that work", m, plan.Status, plan.Infeasible, want)
		}
		if q := p.withCrews(plan.Infeasible.Crews, nil); q.Pools[0].Capacity[0] < 2 {
			t.Errorf("%s: with %+v the capacity is %g, still under two jobs a period", m, plan.Infeasible.Crews, q.Pools[0].Capacity[0])
		}
	}
}
