package cli

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	cf "github.com/corefence/corefence"
	"github.com/corefence/corefence/internal/importer"
	"github.com/corefence/corefence/internal/inventory"
	"github.com/corefence/corefence/internal/planner"
)

const planSynopsis = `plan --inventory PATH --policy ID|FILE [--policy …] --params FILE
                [--param PACK.NAME=VALUE …] [--method auto|exact|lagrangian] [--time-limit 60s]
                [--format table|json|csv] [--limit N]`

// planFormats are the output formats of plan and compare.
var planFormats = []string{"table", "json", "csv"}

// planFlags are the flags plan and compare share.
type planFlags struct {
	inventory, params, format, method string
	timeLimit                         time.Duration
	limits                            *cf.Limits // --max
}

func (f *planFlags) register(fs *flag.FlagSet) {
	f.limits = limitsFlag(fs)
	fs.StringVar(&f.inventory, "inventory", "", "inventory file (.yaml, .yml, .json) or directory of CSV files")
	fs.StringVar(&f.params, "params", "", "planner parameter file (YAML or JSON; see docs/planner.md)")
	fs.StringVar(&f.format, "format", "table", "output format: "+strings.Join(planFormats, ", "))
	fs.StringVar(&f.method, "method", planner.MethodAuto, "auto (exact MILP for small instances), exact or lagrangian")
	fs.DurationVar(&f.timeLimit, "time-limit", 60*time.Second, "time the planner may take for each plan; a hard limit: past it (and a second's grace) the command fails")
}

func (f *planFlags) check() error {
	switch {
	case f.inventory == "":
		return usagef("--inventory is required")
	case f.params == "":
		return usagef("--params is required (a parameter file; see docs/planner.md)")
	case f.timeLimit <= 0:
		return usagef("--time-limit must be positive")
	}
	if err := oneOf("format", f.format, planFormats); err != nil {
		return err
	}
	return oneOf("method", f.method, []string{planner.MethodAuto, planner.MethodExact, planner.MethodLagrangian})
}

// load reads the parameters and the inventory.
func (f *planFlags) load(ctx context.Context, env *Env) (*planner.Params, *inventory.Inventory, error) {
	params, err := planner.LoadParams(f.params)
	if err != nil {
		return nil, nil, err
	}
	say := progress(env)
	start := time.Now()
	inv, err := importer.LoadContextWith(ctx, f.inventory, inventory.Options{}, *f.limits)
	if err != nil {
		return nil, nil, err
	}
	say("loaded %s: %d sites, %d elements in %s", f.inventory, len(inv.Sites), len(inv.Elements), time.Since(start).Round(time.Millisecond))
	return params, inv, nil
}

func (f *planFlags) options(env *Env) planner.Options {
	say := progress(env)
	return planner.Options{Method: f.method, TimeLimit: f.timeLimit, Progress: func(msg string) { say("%s", msg) }}
}

func runPlan(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "plan", planSynopsis)
	var f planFlags
	f.register(fs)
	var packRefs, params listFlag
	fs.Var(&packRefs, "policy", "built-in pack id or pack file; repeatable")
	fs.Var(&params, "param", "set a pack parameter, e.g. us-covered-list.removal_deadline=2026-06-30; repeatable")
	limit := fs.Int("limit", 20, "jobs listed in table output (0: all)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("unexpected argument %q", pos[0])
	}
	if len(packRefs) == 0 {
		return usagef("at least one --policy is required (see `corefence policies`)")
	}
	if err := f.check(); err != nil {
		return err
	}
	packs, err := openPacksWith(packRefs, params, *f.limits)
	if err != nil {
		return err
	}
	pp, inv, err := f.load(ctx, env)
	if err != nil {
		return err
	}
	limited, stop := hardLimit(ctx, env, f.timeLimit)
	plan, err := planner.Run(limited, inv, packs, pp, f.options(env))
	stop()
	if err != nil {
		return err
	}
	progress(env)("planned %d jobs in %s (%s)", len(plan.Problem.Jobs), plan.Elapsed.Round(time.Millisecond), plan.Method)
	var out bytes.Buffer
	switch f.format {
	case "json":
		err = writePlanJSON(&out, plan)
	case "csv":
		err = writePlanCSV(&out, plan)
	default:
		err = writePlanTable(&out, plan, *limit)
	}
	if err != nil {
		return err
	}
	if _, err := out.WriteTo(env.Stdout); err != nil {
		return err
	}
	if plan.Schedule == nil {
		return errViolations // no plan meets every deadline: exit status 1
	}
	return nil
}

func writePlanJSON(w io.Writer, plan *planner.Plan) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(plan.Report())
}

// planMoney writes £k as £m with one decimal.
func planMoney(k float64) string { return fmt.Sprintf("£%.1fm", k/1000) }

func planPct(v float64) string { return strconv.FormatFloat(100*v, 'f', 1, 64) + "%" }

func writePlanTable(w io.Writer, plan *planner.Plan, limit int) error {
	p := plan.Problem
	r := plan.Report()
	kinds := map[string]int{}
	for _, j := range p.Jobs {
		kinds[j.Kind]++
	}
	var kl []string
	for _, k := range []string{planner.KindSite, planner.KindCore, planner.KindManagement, planner.KindTransport} {
		if kinds[k] > 0 {
			kl = append(kl, fmt.Sprintf("%d %s", kinds[k], k))
		}
	}
	fmt.Fprintf(w, "Plan for %s: %d jobs (%s) over %d %ss, %s to %s\n", strings.Join(p.Packs, ", "), len(p.Jobs),
		strings.Join(kl, ", "), p.T, p.Params.Period, p.Params.Start, p.End())
	switch plan.Status {
	case planner.StatusOptimal:
		how := "exact MILP"
		if plan.Method == planner.MethodLagrangian {
			how = "Lagrangian and LP bounds"
		}
		fmt.Fprintf(w, "Status: optimal (%s, proven within the 1e-6 tolerance: %s from the lower bound)\n", how, planPct(plan.Gap))
	case planner.StatusFeasible:
		fmt.Fprintf(w, "Status: feasible (%s; within %s of the lower bound, %s of the cost a schedule can change)\n",
			plan.Method, planPct(plan.Gap), planPct(plan.ScheduleGap))
	case planner.StatusUnknown:
		fmt.Fprintf(w, "Status: UNKNOWN — no plan found that meets every deadline, cap and budget (not proven impossible)\n")
	default:
		fmt.Fprintf(w, "Status: %s — no plan meets every deadline, cap and budget\n", strings.ToUpper(plan.Status))
	}
	if plan.Schedule != nil {
		c := plan.Costs
		fmt.Fprintf(w, "Total cost %s: capital %s, write-off %s, delayed new builds %s", planMoney(c.Total), planMoney(c.Capital), planMoney(c.Writeoff), planMoney(c.Delay))
		if c.Risk > 0 {
			fmt.Fprintf(w, ", risk %s", planMoney(c.Risk))
		}
		if c.Overdue > 0 {
			fmt.Fprintf(w, " (plus %s of penalties that put overdue work first)", planMoney(c.Overdue))
		}
		fmt.Fprintf(w, "\nFinish %s; rollout delay %.1f months (worst operator); %.0f Gbps·years over designated equipment; %d deadline(s) missed (already passed at the start)\n",
			planDash(plan.Finish.String()), plan.RolloutDelay, plan.TrafficYears, plan.DeadlinesMissed)
	}
	if inf := plan.Infeasible; inf != nil {
		writeInfeasible(w, inf)
	}
	if plan.Schedule == nil {
		writeWarnings(w, r.Warnings)
		return nil
	}

	fmt.Fprintf(w, "\nPer period (money in £m; crews are crew-equivalents used of those available):\n")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "PERIOD\tJOBS\tSPEND\tCOST\tCREWS USED\tNEW BUILDS\tDELAYED\tDEADLINES MET\tSHARES\t\n")
	for _, ps := range plan.Periods {
		if ps.Tail && ps.Delayed < 0.5 && ps.Jobs == 0 {
			continue
		}
		label := ps.Label
		if ps.Tail {
			label += "*"
		}
		var shares []string
		for _, sh := range ps.Shares {
			if sh.Metric == "sites" {
				shares = append(shares, fmt.Sprintf("%s %s", sh.Operator, planPct(sh.Share)))
			}
		}
		fmt.Fprintf(tw, "%s\t%d\t%.1f\t%.1f\t%.1f/%.1f\t%.0f\t%.0f\t%s\t%s\t\n", label, ps.Jobs, ps.Spend/1000, ps.Cost/1000,
			ps.CrewsUsed, ps.Crews, ps.NewBuilds, ps.Delayed, planDeadlines(ps), strings.Join(shares, " "))
	}
	tw.Flush()
	fmt.Fprintf(w, "(* after the horizon: the new-build backlog clearing; SHARES: designated share of sites under each cap)\n")

	if len(plan.Operators) > 0 {
		fmt.Fprintf(w, "\nPer operator:\n")
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintf(tw, "OPERATOR\tJOBS\tCAPITAL\tWRITE-OFF\tDELAY COST\tROLLOUT DELAY\tFINISH\n")
		for _, o := range plan.Operators {
			fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%.1f months\t%s\n", o.ID, o.Jobs, planMoney(o.Capital), planMoney(o.Writeoff), planMoney(o.Delay), o.RolloutDelay, planDash(o.Finish.String()))
		}
		tw.Flush()
	}
	if len(r.Caps) > 0 {
		fmt.Fprintf(w, "\nCaps:\n")
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintf(tw, "RULE\tOPERATOR\tMETRIC\tCAP\tBY\tSHARE AT START\tSHARE THEN\tMET\n")
		for _, c := range r.Caps {
			by := c.Date.String()
			if c.Overdue {
				by = "as soon as possible: " + c.Period
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", c.Rule, c.Operator, c.Metric, planPct(c.Cap), by, planPct(c.ShareStart), planPct(c.ShareAt), planYes(c.Met))
		}
		tw.Flush()
	}
	fmt.Fprintf(w, "\nJobs")
	jobs := r.Jobs
	if limit > 0 && len(jobs) > limit {
		fmt.Fprintf(w, " (first %d of %d by date; --format csv or json lists all)", limit, len(jobs))
	}
	fmt.Fprintf(w, ":\n")
	ordered := append([]planner.JobReport(nil), jobs...)
	sortJobs(ordered)
	if limit > 0 && len(ordered) > limit {
		ordered = ordered[:limit]
	}
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "PERIOD\tJOB\tKIND\tOPERATOR\tREGION\tDUE\tCAPEX £k\tWRITE-OFF £k\tELEMENTS\n")
	for _, j := range ordered {
		period := "not done"
		if j.Period != nil {
			period = *j.Period
		}
		due := "cap only"
		if j.Due != nil {
			due = j.Due.String()
			if j.Overdue {
				due += " (passed)"
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%.1f\t%.1f\t%d\n", period, j.ID, j.Kind, j.Operator, planDash(j.Region), due, j.Capex, j.Writeoff, len(j.Elements))
	}
	tw.Flush()
	writeWarnings(w, r.Warnings)
	return nil
}

func planDeadlines(ps planner.PeriodSummary) string {
	s := ""
	if ps.Due > 0 {
		s = fmt.Sprintf("%d/%d", ps.Met, ps.Due)
	}
	if ps.OverdueDone > 0 {
		if s != "" {
			s += " "
		}
		s += fmt.Sprintf("+%d late", ps.OverdueDone)
	}
	if s == "" {
		return "-"
	}
	return s
}

func sortJobs(jobs []planner.JobReport) {
	key := func(j planner.JobReport) string {
		if j.Start == nil {
			return "9999-99-99" + j.ID
		}
		return j.Start.String() + j.ID
	}
	sort.SliceStable(jobs, func(a, b int) bool { return key(jobs[a]) < key(jobs[b]) })
}

func writeInfeasible(w io.Writer, inf *planner.Infeasibility) {
	if inf.Proven {
		fmt.Fprintf(w, "\nWhy no plan exists:\n")
	} else {
		fmt.Fprintf(w, "\nNo plan was found (infeasibility not proven):\n")
	}
	for _, r := range inf.Reasons {
		fmt.Fprintf(w, "  - %s\n", r)
	}
	if len(inf.Crews) > 0 || len(inf.Budget) > 0 {
		how := "would make the deadlines reachable"
		switch {
		case inf.CrewsMinimal:
			how = "are the fewest extra crews with which a plan exists (proven by branch and bound)"
		case inf.Verified:
			how = "make a plan possible (checked by planning with them)"
		}
		fmt.Fprintf(w, "These %s:\n", how)
		for _, c := range inf.Crews {
			where := c.Region
			if where == "" {
				where = "core teams"
			}
			fmt.Fprintf(w, "  + %s crews for %s in %s (has %s; binding by %s)\n", crews(c.Extra), c.Operator, where, crews(c.Crews), c.By)
		}
		for _, b := range inf.Budget {
			fmt.Fprintf(w, "  + %s of budget for %s in %s\n", planMoney(b.Short), b.Operator, b.Years)
		}
	}
	switch inf.Extension {
	case planner.ExtensionFound:
		fmt.Fprintf(w, "Or, with the crews as they are: moving every deadline and cap date %d months later (the least, in whole periods) makes a plan possible.\n", inf.ExtraMonths)
	case planner.ExtensionNotSearched:
		fmt.Fprintf(w, "The time limit ran out before the deadline extensions were tried.\n")
	default:
		fmt.Fprintf(w, "No extension of the deadlines, up to ten years, makes a plan possible with the crews as they are: crews or budget must change.\n")
	}
}

func writeWarnings(w io.Writer, warnings []string) {
	if len(warnings) == 0 {
		return
	}
	fmt.Fprintf(w, "\nWarnings:\n")
	for _, s := range warnings {
		fmt.Fprintf(w, "  ! %s\n", s)
	}
}

// crews writes a number of crews with up to two decimals.
func crews(v float64) string { return strconv.FormatFloat(math.Round(v*100)/100, 'f', -1, 64) }

func planDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func planYes(b bool) string {
	if b {
		return "yes"
	}
	return "NO"
}

func writePlanCSV(w io.Writer, plan *planner.Plan) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"job", "kind", "operator", "site", "region", "done", "period", "start", "end", "due", "optional", "overdue",
		"effort", "capex", "writeoff", "penalty", "cost", "traffic", "elements", "rules"})
	f := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
	for _, j := range plan.Report().Jobs {
		period, start, end, due := "", "", "", ""
		if j.Period != nil {
			period, start, end = *j.Period, j.Start.String(), j.End.String()
		}
		if j.Due != nil {
			due = j.Due.String()
		}
		cw.Write([]string{j.ID, j.Kind, j.Operator, j.Site, j.Region, strconv.FormatBool(j.Done), period, start, end, due,
			strconv.FormatBool(j.Optional), strconv.FormatBool(j.Overdue), f(j.Effort), f(j.Capex), f(j.Writeoff), f(j.Penalty),
			f(j.Cost), f(j.Traffic), strings.Join(j.Elements, " "), strings.Join(j.Rules, " ")})
	}
	cw.Flush()
	return cw.Error()
}
