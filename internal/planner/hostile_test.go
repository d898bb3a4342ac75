package planner

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	cf "github.com/corefence/corefence"
	"github.com/corefence/corefence/internal/policy"
)

// TestHostileNumbers: NaN and ±Inf in parameters made in code (a YAML
// reader refuses them earlier) are errors naming the field, never a plan.
func TestHostileNumbers(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	cases := []struct {
		field string
		set   func(p *Params)
	}{
		{"costs.visit.macro", func(p *Params) { p.Costs.Visit["macro"] = nan }},
		{"costs.equipment.gnb", func(p *Params) { p.Costs.Equipment["gnb"] = inf }},
		{"effort.macro", func(p *Params) { p.Effort["macro"] = nan }},
		{"crews.swaps_per_crew_month", func(p *Params) { p.Crews.SwapsPerMonth = &nan }},
		{"costs.life_years.access", func(p *Params) { p.Costs.LifeYears["access"] = nan }},
		{"lead_time_months", func(p *Params) { v := 1e18; p.LeadTime = &v }},
		{"lead_time_months", func(p *Params) { p.LeadTime = &inf }},
		{"costs.delay_per_month", func(p *Params) { v := math.Inf(-1); p.Costs.Delay = &v }},
		{"budget.per_year", func(p *Params) { p.Budget.PerYear = nan }},
	}
	inv := smallFixture(t)
	packs := []*policy.Pack{mustPack(t, "uk-dvd-2022")}
	for _, c := range cases {
		p := fixtureParams(cf.NewDate(2022, time.January, 1))
		c.set(p)
		_, err := Build(context.Background(), inv, packs, p)
		if err == nil || !strings.Contains(err.Error(), c.field) {
			t.Errorf("%s: Build = %v, want an error naming the field", c.field, err)
		}
	}
}

// TestHorizonLimits: an end date millennia away, set or implied, is an
// error naming the limit and the key that raises it, found before any
// memory is spent on the periods.
func TestHorizonLimits(t *testing.T) {
	inv := smallFixture(t)
	packs := []*policy.Pack{mustPack(t, "uk-dvd-2022")}
	p := fixtureParams(cf.NewDate(2022, time.January, 1))
	p.End = cf.NewDate(9999, time.December, 31)
	_, err := Build(context.Background(), inv, packs, p)
	if err == nil || !strings.Contains(err.Error(), "max_periods") || !strings.Contains(err.Error(), "31912 quarters") {
		t.Errorf("end 9999-12-31: %v, want the max_periods limit", err)
	}
	// The same horizon implied by a pack's date.
	far := mustPack(t, "uk-dvd-2022")
	far.Rules = append([]policy.Rule(nil), far.Rules...)
	far.Rules[0].Effective = cf.NewDate(3021, time.January, 1)
	far.Rules[0].DueBy = cf.NewDate(3020, time.December, 31) // a rule "by" a date has its deadline the day before
	p = fixtureParams(cf.NewDate(2022, time.January, 1))
	p.Period = Month
	_, err = Build(context.Background(), inv, []*policy.Pack{far}, p)
	if err == nil || !strings.Contains(err.Error(), "max_periods") || !strings.Contains(err.Error(), "last rule date") {
		t.Errorf("a rule in 3021: %v, want the max_periods limit", err)
	}
	// Raised limits work; the problem-size limit then binds.
	p = fixtureParams(cf.NewDate(2022, time.January, 1))
	p.Period, p.End = Month, cf.NewDate(2101, time.December, 31)
	mp, mj := 1200, 10
	p.MaxPeriods, p.MaxJobPeriods = &mp, &mj
	_, err = Build(context.Background(), inv, packs, p)
	if err == nil || !strings.Contains(err.Error(), "max_job_periods") {
		t.Errorf("100 years of months, 6 jobs: %v, want the max_job_periods limit", err)
	}
}

// TestTimeLimitIsHard: a horizon of 1,000 months (the necessary-conditions
// check alone is cubic in it) under a 50 ms limit stops promptly with
// ErrTimeLimit or a plan that says the limit cut it.
func TestTimeLimitIsHard(t *testing.T) {
	p := fixtureParams(cf.NewDate(2022, time.January, 1))
	p.Period, p.End = Month, cf.NewDate(2105, time.April, 30)
	mp := 2000
	p.MaxPeriods = &mp
	prob := fixtureProblem(t, p, "uk-dvd-2022")
	start := time.Now()
	plan, err := Solve(context.Background(), prob, Options{TimeLimit: 50 * time.Millisecond})
	took := time.Since(start)
	switch {
	case errors.Is(err, ErrTimeLimit):
	case err != nil:
		t.Fatal(err)
	case !plan.TimeLimited:
		t.Errorf("a plan (%s) without TimeLimited after %s", plan.Status, took)
	}
	t.Logf("%s: %v (time limited: %v)", took, err, plan != nil && plan.TimeLimited)
	// Generous: the machine is shared; without the limit this runs for minutes.
	if took > 10*time.Second {
		t.Errorf("Solve took %s under a 50 ms limit", took)
	}
	// Cancellation is an error, not a plan.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Solve(ctx, prob, Options{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v, want context.Canceled", err)
	}
}

func mustPack(t *testing.T, id string) *policy.Pack {
	t.Helper()
	pk, err := policy.Open(id)
	if err != nil {
		t.Fatal(err)
	}
	return pk
}
