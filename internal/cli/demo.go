package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"

	cf "github.com/corefence/corefence"
	"github.com/corefence/corefence/internal/export"
	"github.com/corefence/corefence/internal/gen"
	"github.com/corefence/corefence/internal/importer"
	"github.com/corefence/corefence/internal/inventory"
	"github.com/corefence/corefence/internal/policy"
	"github.com/corefence/corefence/internal/report"
)

// storyDate is one moment of the UK's Huawei decisions.
type storyDate struct {
	date  string
	title string
}

// ukStory is the sequence the demo walks through; the facts and their
// sources are in the built-in packs (`corefence policies show …`).
var ukStory = []storyDate{
	{"2019-04-24", "The NSC position leaks: Huawei only in \"non-core\" parts of 5G (a position, never a rule)"},
	{"2020-01-28", "NCSC advice: high-risk vendors out of the core and sensitive sites, capped at 35% of access"},
	{"2023-01-28", "Three years on: the 35% cap is due; the DVD's national-security-sites deadline passes"},
	{"2023-12-31", "The DVD's core deadline (extended from 28 January 2023)"},
	{"2028-01-01", "After the end-2027 deadline: no Huawei left in 5G networks"},
}

var ukPacks = []string{"uk-2019-nsc", "uk-2020-ncsc", "uk-2020-07", "uk-dvd-2022"}

func runDemo(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "demo", "demo [--out DIR]")
	out := fs.String("out", "corefence-demo", "directory for the sample inventory and the reports (created; nothing is written elsewhere)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("unexpected argument %q", pos[0])
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	w := env.Stdout

	// The sample goes through a file and the importer, as a user's would.
	invPath := filepath.Join(*out, "uk-sample.yaml")
	if err := export.Write(invPath, "yaml", gen.Sample()); err != nil {
		return err
	}
	inv, err := importer.Load(invPath, inventory.Options{})
	if err != nil {
		return fmt.Errorf("loading the sample: %w", err)
	}
	fmt.Fprintf(w, "corefence demo: the UK's four mobile operators as they stood in 2019-2020 (a generated sample:\n")
	fmt.Fprintf(w, "%d sites, %d elements, %d sensitive areas), checked against the UK's high-risk-vendor rules\n", len(inv.Sites), len(inv.Elements), len(inv.Areas))
	fmt.Fprintf(w, "as each came into force — if nothing in the network had changed since 2019.\n")
	fmt.Fprintf(w, "Packs: %s. Inventory: %s\n", strings.Join(ukPacks, ", "), invPath)
	packs, err := openPacks(ukPacks, nil)
	if err != nil {
		return err
	}
	if err := printCapShares(w, inv, packs); err != nil {
		return err
	}
	prevInForce := map[string]bool{}
	for _, step := range ukStory {
		if err := ctx.Err(); err != nil {
			return err
		}
		asOf, _ := cf.ParseDate(step.date)
		res, err := policy.Check(ctx, inv, packs, policy.Options{AsOf: asOf})
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "\n━━ %s — %s\n", step.date, step.title)
		printNewlyInForce(w, res, prevInForce)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintf(tw, "  OPERATOR\tVERDICT\tVIOLATIONS\tUPCOMING\tUNMEASURED\tNEXT DEADLINE\n")
		for _, v := range report.Verdicts(res) {
			verdict := "compliant"
			if !v.Compliant {
				verdict = "NOT COMPLIANT"
			}
			fmt.Fprintf(tw, "  %s\t%s\t%d\t%d\t%d\t%s\n", v.ID, verdict, v.Counts[policy.StatusViolation], v.Counts[policy.StatusUpcoming],
				v.Counts[policy.StatusUnmeasured], dash(v.NextDeadline))
		}
		tw.Flush()
		reportPath := filepath.Join(*out, "check-"+step.date+".json")
		f, err := os.Create(reportPath)
		if err != nil {
			return err
		}
		err = report.Write(f, "json", res, report.Options{})
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "  full report: %s\n", reportPath)
	}
	fmt.Fprintf(w, "\nNext: corefence check --inventory %s --policy uk-dvd-2022 --as-of 2023-12-31\n", invPath)
	fmt.Fprintf(w, "      corefence policies show uk-dvd-2022   (every rule, its date, its sources and how it was read)\n")
	return nil
}

// printNewlyInForce lists the rules that came into force since the last
// date, with what they catch.
func printNewlyInForce(w io.Writer, res *policy.Result, seen map[string]bool) {
	caught := map[string]int{}
	for i := range res.Findings {
		f := &res.Findings[i]
		if f.Status == policy.StatusViolation {
			caught[f.Rule.ID]++
		}
	}
	var lines []string
	for _, p := range res.Packs {
		for i := range p.Rules {
			r := &p.Rules[i]
			if r.Effective > res.AsOf || seen[r.ID] {
				continue
			}
			seen[r.ID] = true
			lines = append(lines, fmt.Sprintf("  + %-44s %5d violation(s)  %s", r.ID, caught[r.ID], r.Title))
		}
	}
	if len(lines) == 0 {
		fmt.Fprintf(w, "  no rule comes into force\n")
		return
	}
	sort.Strings(lines)
	fmt.Fprintf(w, "  in force from now on:\n%s\n", strings.Join(lines, "\n"))
}

// printCapShares shows each operator's Huawei share of the 5G access
// network as the DVD's 35% cap measures it.
func printCapShares(w io.Writer, inv *inventory.Inventory, packs []*policy.Pack) error {
	for _, p := range packs {
		for i := range p.Rules {
			r := &p.Rules[i]
			if r.ID != "uk-dvd-2022/5g-access-cap" {
				continue
			}
			shares, err := policy.Shares(inv, p, r, policy.Options{})
			if err != nil {
				return err
			}
			fmt.Fprintf(w, "\nHuawei's share of the 5G access network, against the %s cap (%s):\n", policy.Percent(r.Cap.Float()), r.ID)
			for _, sh := range shares {
				fmt.Fprintf(w, "  %-10s %-8s %7s  %s\n", inv.Operators[sh.Operator].ID, sh.Metric, policy.Percent(sh.Value.Float()), sh.Why)
			}
		}
	}
	return nil
}
