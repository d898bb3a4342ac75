package cli

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	cf "github.com/corefence/corefence"
	"github.com/corefence/corefence/internal/planner"
)

const compareSynopsis = `compare --inventory PATH --params FILE --option NAME=ID[,ID…] [--option …]
                [--method auto|exact|lagrangian] [--time-limit 60s] [--format table|json|csv]`

func runCompare(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "compare", compareSynopsis)
	var f planFlags
	f.register(fs)
	var opts listFlag
	fs.Var(&opts, "option", "a policy option: NAME=PACK[,PACK…] (built-in ids or pack files); repeatable")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("unexpected argument %q", pos[0])
	}
	if len(opts) == 0 {
		return usagef("at least one --option NAME=PACK[,PACK…] is required, e.g. --option removal=uk-dvd-2022")
	}
	if err := f.check(); err != nil {
		return err
	}
	var options []planner.Option
	names := map[string]bool{}
	for _, o := range opts {
		name, list, ok := strings.Cut(o, "=")
		if !ok || name == "" || list == "" {
			return usagef("--option %q: want NAME=PACK[,PACK…]", o)
		}
		if names[name] {
			return usagef("--option %s given twice", name)
		}
		names[name] = true
		packs, err := openPacksWith(strings.Split(list, ","), nil, *f.limits)
		if err != nil {
			return err
		}
		options = append(options, planner.Option{Name: name, Packs: packs})
	}
	params, inv, err := f.load(ctx, env)
	if err != nil {
		return err
	}
	limited, stop := hardLimit(ctx, env, f.timeLimit*time.Duration(len(options)))
	outcomes, err := planner.Compare(limited, inv, options, params, f.options(env))
	stop()
	if err != nil {
		return err
	}
	var out bytes.Buffer
	switch f.format {
	case "json":
		err = writeCompareJSON(&out, outcomes)
	case "csv":
		err = writeCompareCSV(&out, outcomes)
	default:
		err = writeCompareTable(&out, outcomes)
	}
	if err != nil {
		return err
	}
	_, err = out.WriteTo(env.Stdout)
	return err
}

// CompareReport is one option as `corefence compare --format json` writes
// it (money in thousands of pounds).
type CompareReport struct {
	Option          string                    `json:"option"`
	Packs           []string                  `json:"packs"`
	Status          string                    `json:"status"`
	Jobs            int                       `json:"jobs"`
	Costs           *planner.Costs            `json:"costs"`
	Finish          *cf.Date                  `json:"finish"`
	RolloutDelay    *float64                  `json:"rollout_delay_months"`
	TrafficYears    *float64                  `json:"traffic_years"`
	DeadlinesMissed *int                      `json:"deadlines_missed"`
	Gap             *float64                  `json:"gap"`
	LowerBound      *float64                  `json:"lower_bound"`
	TimeLimited     bool                      `json:"time_limited"`
	Infeasible      *planner.InfeasibleReport `json:"infeasible"`
}

func compareReports(outcomes []planner.Outcome) []CompareReport {
	var out []CompareReport
	for _, o := range outcomes {
		r := CompareReport{Option: o.Name, Packs: o.Packs, Status: o.Status, Jobs: o.Jobs, TimeLimited: o.Plan.TimeLimited}
		if o.Plan.Schedule != nil {
			c, rd, ty, dm, gap, lb := o.Costs, o.RolloutDelay, o.TrafficYears, o.DeadlinesMissed, o.Gap, o.Plan.LowerBound
			r.Costs, r.RolloutDelay, r.TrafficYears, r.DeadlinesMissed, r.Gap, r.LowerBound = &c, &rd, &ty, &dm, &gap, &lb
			if !o.Finish.IsZero() {
				fin := o.Finish
				r.Finish = &fin
			}
		}
		r.Infeasible = o.Plan.Report().Infeasible
		out = append(out, r)
	}
	return out
}

func writeCompareJSON(w io.Writer, outcomes []planner.Outcome) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	horizon := ""
	if len(outcomes) > 0 {
		p := outcomes[0].Plan.Problem
		horizon = p.Params.Start.String() + ".." + p.End().String()
	}
	return enc.Encode(struct {
		Currency string          `json:"currency"`
		Horizon  string          `json:"horizon"`
		Options  []CompareReport `json:"options"`
	}{"GBP thousands", horizon, compareReports(outcomes)})
}

func writeCompareTable(w io.Writer, outcomes []planner.Outcome) error {
	if len(outcomes) > 0 {
		p := outcomes[0].Plan.Problem
		fmt.Fprintf(w, "Policy options, %s to %s (%ss); money in £m\n", p.Params.Start, p.End(), p.Params.Period)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "OPTION\tPACKS\tSTATUS\tJOBS\tTOTAL\tCAPITAL\tWRITE-OFF\tDELAY COST\tFINISH\tROLLOUT DELAY\tTRAFFIC-YEARS\tDEADLINES MISSED\n")
	for _, r := range compareReports(outcomes) {
		if r.Costs == nil {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t-\t-\t-\t-\t-\t-\t-\t-\n", r.Option, strings.Join(r.Packs, ","), strings.ToUpper(r.Status), r.Jobs)
			continue
		}
		finish := "-"
		if r.Finish != nil {
			finish = r.Finish.String()
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%.1f\t%.1f\t%.1f\t%.1f\t%s\t%.1f months\t%.0f\t%d\n", r.Option, strings.Join(r.Packs, ","), r.Status, r.Jobs,
			r.Costs.Total/1000, r.Costs.Capital/1000, r.Costs.Writeoff/1000, r.Costs.Delay/1000, finish, *r.RolloutDelay, *r.TrafficYears, *r.DeadlinesMissed)
	}
	tw.Flush()
	fmt.Fprintf(w, "(TRAFFIC-YEARS: busy-hour Gbps carried over designated equipment, summed over the years until each site is swapped or the horizon ends)\n")
	for _, o := range outcomes {
		if inf := o.Plan.Infeasible; inf != nil {
			fmt.Fprintf(w, "\nOption %s:", o.Name)
			writeInfeasible(w, inf)
		}
		if o.Plan.TimeLimited {
			fmt.Fprintf(w, "\nOption %s: the time limit stopped the search before its work bounds; its figures may differ between runs (raise --time-limit).\n", o.Name)
		}
	}
	return nil
}

func writeCompareCSV(w io.Writer, outcomes []planner.Outcome) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"option", "packs", "status", "jobs", "total", "capital", "writeoff", "delay", "overdue_penalty", "risk",
		"finish", "rollout_delay_months", "traffic_years", "deadlines_missed", "lower_bound", "time_limited"})
	f := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
	for _, r := range compareReports(outcomes) {
		row := []string{r.Option, strings.Join(r.Packs, " "), r.Status, strconv.Itoa(r.Jobs)}
		if r.Costs == nil {
			row = append(row, "", "", "", "", "", "", "", "", "", "", "")
		} else {
			finish := ""
			if r.Finish != nil {
				finish = r.Finish.String()
			}
			row = append(row, f(r.Costs.Total), f(r.Costs.Capital), f(r.Costs.Writeoff), f(r.Costs.Delay), f(r.Costs.Overdue),
				f(r.Costs.Risk), finish, f(*r.RolloutDelay), f(*r.TrafficYears), strconv.Itoa(*r.DeadlinesMissed), f(*r.LowerBound))
		}
		row = append(row, strconv.FormatBool(r.TimeLimited))
		cw.Write(row)
	}
	cw.Flush()
	return cw.Error()
}
