package planner

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	cf "github.com/corefence/corefence"
)

// bindingProblem is one pool (op/r, 1.5 work units a quarter) over four
// quarters with n jobs of the given effort, all due by the last quarter.
func bindingProblem(n int, effort float64) *Problem {
	params := fixtureParams(cf.NewDate(2021, time.January, 1))
	p := &Problem{Params: params, T: 4}
	for i := 0; i < 4; i++ {
		s := params.periodStart(i)
		p.Periods = append(p.Periods, Period{Label: periodLabel(params, s), Start: s, End: params.periodStart(i + 1).AddDays(-1)})
	}
	p.Pools = []Pool{{Operator: "op", Region: "r", Crews: 0.125, PerCrew: 12, Capacity: []float64{1.5, 1.5, 1.5, 1.5}, Arrivals: make([]float64, 4)}}
	for i := 0; i < n; i++ {
		p.Jobs = append(p.Jobs, Job{ID: string(rune('a' + i)), Operator: "op", Effort: effort, Capex: 10, Last: 3,
			cost: []float64{14, 13, 12, 11}, writeoff: make([]float64, 4), penalty: make([]float64, 4), risk: make([]float64, 4)})
	}
	return p
}

// TestBinding: each necessary condition that fails names its constraint
// — the pool and periods, the job, the cap (rule, operator, period) or the
// budget — next to its reason, in the same order.
func TestBinding(t *testing.T) {
	for _, c := range []struct {
		name string
		p    func() *Problem
		want []Binding
	}{
		{"crews", func() *Problem { return bindingProblem(8, 1) },
			[]Binding{{Kind: BindCrews, Operator: "op", Pool: "op/r", From: "2021-Q1", Period: "2021-Q4", Need: 8, Available: 6}}},
		{"job", func() *Problem { return bindingProblem(1, 2) },
			[]Binding{{Kind: BindJob, Operator: "op", Pool: "op/r", Job: "a", Period: "2021-Q4", Need: 2, Available: 1.5}}},
		{"budget", func() *Problem {
			p := bindingProblem(2, 1)
			p.Budgets = []Budget{{Operator: "op", Year: 2021, From: 0, To: 3, Limit: 15}}
			return p
		}, []Binding{{Kind: BindBudget, Operator: "op", Years: "2021", Need: 20, Available: 15}}},
		{"cap lead time", func() *Problem {
			p := bindingProblem(2, 1)
			p.Jobs[1].Release = 2 // b cannot be done by the cap's quarter
			for i := range p.Jobs {
				p.Jobs[i].Optional = true
			}
			p.addMilestone(Milestone{Rule: "cap-rule", Operator: "op", Metric: "sites", Period: 1, Need: 2, Total: 4, Start: 2,
				Units: []CapUnit{{Weight: 1, Jobs: []int{0}}, {Weight: 1, Jobs: []int{1}}}})
			return p
		}, []Binding{{Kind: BindCapLeadTime, Operator: "op", Rule: "cap-rule", Period: "2021-Q2", Need: 2, Available: 1}}},
		{"cap crews", func() *Problem {
			p := bindingProblem(4, 1)
			for i := range p.Jobs {
				p.Jobs[i].Optional = true
			}
			p.addMilestone(Milestone{Rule: "cap-rule", Operator: "op", Metric: "sites", Period: 0, Need: 3, Total: 4, Start: 4,
				Units: []CapUnit{{Weight: 1, Jobs: []int{0}}, {Weight: 1, Jobs: []int{1}}, {Weight: 1, Jobs: []int{2}}, {Weight: 1, Jobs: []int{3}}}})
			return p
		}, []Binding{{Kind: BindCapCrews, Operator: "op", Rule: "cap-rule", Period: "2021-Q1", Need: 3, Available: 1.5}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := c.p()
			inf, err := p.necessary(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if inf == nil {
				t.Fatal("the necessary conditions hold")
			}
			if len(inf.Binding) != len(inf.Reasons) {
				t.Fatalf("%d bindings for %d reasons", len(inf.Binding), len(inf.Reasons))
			}
			for i := range inf.Binding {
				if inf.Binding[i].Reason != inf.Reasons[i] {
					t.Errorf("binding %d is about %q, reason %d is %q", i, inf.Binding[i].Reason, i, inf.Reasons[i])
				}
				inf.Binding[i].Reason = ""
			}
			if len(inf.Binding) != len(c.want) {
				t.Fatalf("bindings %+v, want %+v", inf.Binding, c.want)
			}
			for i := range c.want {
				if inf.Binding[i] != c.want[i] {
					t.Errorf("binding %+v, want %+v", inf.Binding[i], c.want[i])
				}
			}
		})
	}
}

// TestBindingJSON: an infeasible plan's JSON names its binding
// constraints beside the reasons, and a combination that only branch and
// bound rules out is "combined".
func TestBindingJSON(t *testing.T) {
	for _, c := range []struct {
		name string
		p    *Problem
		want []string
	}{
		{"crews", bindingProblem(8, 1), []string{`"kind":"crews"`, `"pool":"op/r"`, `"from":"2021-Q1"`, `"period":"2021-Q4"`, `"need":8`, `"available":6`}},
		// Five jobs fit 6 work units but not 1.5 a quarter (TestPacking).
		{"combined", bindingProblem(5, 1), []string{`"kind":"combined"`}},
	} {
		t.Run(c.name, func(t *testing.T) {
			plan, err := Solve(context.Background(), c.p, Options{Method: MethodExact})
			if err != nil {
				t.Fatal(err)
			}
			if plan.Infeasible == nil {
				t.Fatalf("%s, want infeasible", plan.Status)
			}
			out, err := json.Marshal(plan.Report().Infeasible)
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range c.want {
				if !strings.Contains(string(out), w) {
					t.Errorf("JSON lacks %s: %s", w, out)
				}
			}
		})
	}
}
