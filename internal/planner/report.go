package planner

import (
	"time"

	cf "github.com/corefence/corefence"
)

// Report is a plan as `corefence plan --format json` writes it: a stable
// contract (fields may be added, none removed or renamed; see
// docs/planner.md). Money is in thousands of pounds.
type Report struct {
	Status      string   `json:"status"`
	Method      string   `json:"method"`
	Currency    string   `json:"currency"`
	Packs       []string `json:"packs"`
	Start       cf.Date  `json:"start"`
	End         cf.Date  `json:"end"`
	Period      string   `json:"period"`
	Costs       Costs    `json:"costs"`
	LowerBound  float64  `json:"lower_bound"`
	Gap         float64  `json:"gap"`
	ScheduleGap float64  `json:"schedule_gap"`
	Finish      *cf.Date `json:"finish"`
	// BacklogCleared is the end of the period in which every new-build
	// backlog the plan leaves after the horizon has cleared: the reported
	// tail ends there. Null when no backlog outlasts the horizon, or when
	// one outlasts the tail (a warning says so).
	BacklogCleared  *cf.Date `json:"backlog_cleared"`
	RolloutDelay    float64  `json:"rollout_delay_months"`
	TrafficYears    float64  `json:"traffic_years"`
	DeadlinesMissed int      `json:"deadlines_missed"`
	JobCount        int      `json:"job_count"`
	// ElapsedSeconds is 0 unless the time limit cut the search
	// (TimeLimited): a plan bounded by work alone is the same on every run,
	// and so is its report (the time taken goes to stderr).
	ElapsedSeconds float64 `json:"elapsed_seconds"`
	// TimeLimited is true when the time limit stopped the search before
	// its work bounds: the figures may then differ between runs.
	TimeLimited bool              `json:"time_limited"`
	Iterations  int               `json:"iterations"` // subgradient iterations
	Nodes       int               `json:"nodes"`      // branch-and-bound nodes
	Operators   []OperatorSummary `json:"operators"`
	Periods     []PeriodReport    `json:"periods"`
	Caps        []CapReport       `json:"caps"`
	Jobs        []JobReport       `json:"jobs"`
	Infeasible  *InfeasibleReport `json:"infeasible"`
	Warnings    []string          `json:"warnings"`
}

// PeriodReport is one period of a Report.
type PeriodReport struct {
	Period    string    `json:"period"`
	Start     cf.Date   `json:"start"`
	End       cf.Date   `json:"end"`
	Tail      bool      `json:"tail"`
	Jobs      int       `json:"jobs"`
	Spend     float64   `json:"spend"`
	Cost      float64   `json:"cost"`
	CrewsUsed float64   `json:"crews_used"`
	Crews     float64   `json:"crews"`
	NewBuilds float64   `json:"new_builds"`
	Delayed   float64   `json:"new_builds_delayed"`
	Due       int       `json:"deadlines_due"`
	Met       int       `json:"deadlines_met"`
	Overdue   int       `json:"overdue_done"`
	Shares    []ShareAt `json:"shares"`
}

// CapReport is one cap milestone of a Report.
type CapReport struct {
	Rule       string  `json:"rule"`
	Operator   string  `json:"operator"`
	Metric     string  `json:"metric"`
	Cap        float64 `json:"cap"`
	Date       cf.Date `json:"date"`
	Period     string  `json:"period"`
	Overdue    bool    `json:"overdue"`
	Need       float64 `json:"need"`
	ShareStart float64 `json:"share_start"`
	ShareAt    float64 `json:"share_at_date"`
	Met        bool    `json:"met"`
}

// JobReport is one job of a Report.
type JobReport struct {
	ID       string   `json:"id"`
	Kind     string   `json:"kind"`
	Operator string   `json:"operator"`
	Site     string   `json:"site"`
	Region   string   `json:"region"`
	Done     bool     `json:"done"`
	Period   *string  `json:"period"`
	Start    *cf.Date `json:"start"`
	End      *cf.Date `json:"end"`
	Due      *cf.Date `json:"due"`
	Optional bool     `json:"optional"`
	Overdue  bool     `json:"overdue"`
	Effort   float64  `json:"effort"`
	Capex    float64  `json:"capex"`
	Writeoff float64  `json:"writeoff"`
	Penalty  float64  `json:"penalty"`
	Cost     float64  `json:"cost"`
	Traffic  float64  `json:"traffic"`
	Elements []string `json:"elements"`
	Rules    []string `json:"rules"`
}

// InfeasibleReport is an Infeasibility in a Report.
type InfeasibleReport struct {
	Proven      bool         `json:"proven"`
	Reasons     []string     `json:"reasons"`
	Crews       []CrewNeed   `json:"crews"`
	Budget      []BudgetNeed `json:"budget"`
	ExtraMonths int          `json:"extra_months"`
	Verified    bool         `json:"verified"`
	// CrewsMinimal: crews are the proven least (Infeasibility.CrewsMinimal).
	CrewsMinimal bool `json:"crews_minimal"`
	// Extension is found, none-helps or not-searched: extra_months is 0
	// for the last two, and only "found" means an extension works.
	Extension string `json:"extension"`
	// Binding names the constraint behind each reason, in their order.
	Binding []Binding `json:"binding"`
}

// Report returns the plan in its JSON shape.
func (plan *Plan) Report() *Report {
	p := plan.Problem
	r := &Report{Status: plan.Status, Method: plan.Method, Currency: "GBP thousands", Packs: p.Packs,
		Start: p.Params.Start, End: p.End(), Period: p.Params.Period, Costs: plan.Costs,
		LowerBound: plan.LowerBound, Gap: plan.Gap, ScheduleGap: plan.ScheduleGap,
		RolloutDelay: plan.RolloutDelay, TrafficYears: plan.TrafficYears, DeadlinesMissed: plan.DeadlinesMissed,
		JobCount: len(p.Jobs), TimeLimited: plan.TimeLimited, Iterations: plan.Iterations, Nodes: plan.Nodes,
		Operators: plan.Operators, Warnings: plan.Warnings}
	if plan.TimeLimited {
		r.ElapsedSeconds = plan.Elapsed.Round(time.Millisecond).Seconds()
	}
	if r.Packs == nil {
		r.Packs = []string{}
	}
	if r.Operators == nil {
		r.Operators = []OperatorSummary{}
	}
	if r.Warnings == nil {
		r.Warnings = []string{}
	}
	if !plan.Finish.IsZero() {
		f := plan.Finish
		r.Finish = &f
	}
	if !plan.BacklogCleared.IsZero() {
		c := plan.BacklogCleared
		r.BacklogCleared = &c
	}
	r.Periods = []PeriodReport{}
	for _, ps := range plan.Periods {
		pr := PeriodReport{Period: ps.Label, Start: ps.Start, End: ps.End, Tail: ps.Tail, Jobs: ps.Jobs, Spend: ps.Spend,
			Cost: ps.Cost, CrewsUsed: ps.CrewsUsed, Crews: ps.Crews, NewBuilds: ps.NewBuilds, Delayed: ps.Delayed,
			Due: ps.Due, Met: ps.Met, Overdue: ps.OverdueDone, Shares: ps.Shares}
		if pr.Shares == nil {
			pr.Shares = []ShareAt{}
		}
		r.Periods = append(r.Periods, pr)
	}
	r.Caps = []CapReport{}
	for _, mp := range plan.Milestones {
		r.Caps = append(r.Caps, CapReport{Rule: mp.Rule, Operator: mp.Operator, Metric: mp.Metric, Cap: mp.Cap, Date: mp.Date,
			Period: mp.PeriodLabel, Overdue: mp.Overdue, Need: mp.Need, ShareStart: mp.ShareStart, ShareAt: mp.ShareAt, Met: mp.Met})
	}
	r.Jobs = []JobReport{}
	for _, jp := range plan.Jobs {
		j := jp.Job
		jr := JobReport{ID: j.ID, Kind: j.Kind, Operator: j.Operator, Site: j.Site, Region: j.Region, Done: jp.Done,
			Optional: j.Optional, Overdue: j.Overdue, Effort: j.Effort, Capex: j.Capex, Writeoff: jp.Writeoff,
			Penalty: jp.Penalty, Cost: jp.Cost, Traffic: j.Traffic, Elements: j.Elements, Rules: j.Rules}
		if jp.Done {
			label, s, e := jp.Period, jp.Start, jp.End
			jr.Period, jr.Start, jr.End = &label, &s, &e
		}
		if !j.Due.IsZero() {
			d := j.Due
			jr.Due = &d
		}
		if jr.Elements == nil {
			jr.Elements = []string{}
		}
		if jr.Rules == nil {
			jr.Rules = []string{}
		}
		r.Jobs = append(r.Jobs, jr)
	}
	if inf := plan.Infeasible; inf != nil {
		ir := &InfeasibleReport{Proven: inf.Proven, Reasons: inf.Reasons, Crews: inf.Crews, Budget: inf.Budget,
			ExtraMonths: inf.ExtraMonths, Verified: inf.Verified, CrewsMinimal: inf.CrewsMinimal, Extension: inf.Extension,
			Binding: inf.Binding}
		if ir.Binding == nil {
			ir.Binding = []Binding{}
		}
		if ir.Crews == nil {
			ir.Crews = []CrewNeed{}
		}
		if ir.Budget == nil {
			ir.Budget = []BudgetNeed{}
		}
		r.Infeasible = ir
	}
	return r
}
