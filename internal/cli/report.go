package cli

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"time"

	cf "github.com/corefence/corefence"
	"github.com/corefence/corefence/internal/atomicfile"
	"github.com/corefence/corefence/internal/exposure"
	"github.com/corefence/corefence/internal/htmlreport"
	"github.com/corefence/corefence/internal/inventory"
	"github.com/corefence/corefence/internal/policy"
)

const reportSynopsis = `report --inventory PATH --policy ID|FILE [--policy …] --out FILE.html
                 [--as-of YYYY-MM-DD] [--date YYYY-MM-DD …] [--title TEXT] [--force]
                 [--waivers FILE] [--include-planned] [--param PACK.NAME[@OPERATOR]=VALUE …]`

// runReport checks an inventory as of one or more dates and writes the
// self-contained HTML report of it: the demo's page without the demo's
// story.
func runReport(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "report", reportSynopsis)
	var in checkInputs
	in.register(fs)
	var dates listFlag
	fs.Var(&dates, "date", "also check as of this date, and show it beside --as-of; repeatable")
	out := fs.String("out", "", "the HTML file to write (required)")
	force := fs.Bool("force", false, "replace --out if it exists")
	title := fs.String("title", "", "the report's headline (default: the inventory's operators and the packs)")
	lim := limitsFlag(fs)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("unexpected argument %q", pos[0])
	}
	if err := in.require(); err != nil {
		return err
	}
	if *out == "" {
		return usagef("--out is required")
	}
	focus, err := in.date(env)
	if err != nil {
		return err
	}
	asOf := []cf.Date{focus}
	for _, s := range dates {
		d, err := cf.ParseDate(s)
		if err != nil {
			return usagef("--date: %v", err)
		}
		if !slices.Contains(asOf, d) {
			asOf = append(asOf, d)
		}
	}
	slices.Sort(asOf)
	if len(asOf) > 12 {
		return usagef("at most 12 dates, not %d", len(asOf))
	}
	// Refuse an existing output before the work, not after it.
	if err := checkOutput(*out, false, *force); err != nil {
		return err
	}

	l, err := in.load(ctx, env, *lim)
	if err != nil {
		return err
	}
	inv, packs, ws := l.inv, l.packs, l.waivers
	say := progress(env)
	start := time.Now()

	r := &htmlreport.Report{
		Title:     *title,
		Subtitle:  fmt.Sprintf("%s checked against %s.", in.inventory, packList(packs)),
		Inventory: inv,
		Generated: env.Now(),
		Version:   Version,
	}
	if r.Title == "" {
		r.Title = "High-risk vendors in " + operatorList(inv)
	}
	for _, d := range asOf {
		start = time.Now()
		res, err := policy.Check(ctx, inv, packs, policy.Options{AsOf: d, IncludePlanned: in.planned, Waivers: ws})
		if err != nil {
			return err
		}
		say("checked as of %s in %s", d, since(start))
		if d == focus {
			r.Focus = len(r.Steps)
		}
		r.Steps = append(r.Steps, htmlreport.Step{Result: res})
	}
	if r.Caps, err = shareCaps(inv, packs, in.planned); err != nil {
		return err
	}
	start = time.Now()
	if r.KillSwitch, err = reportKillSwitch(ctx, inv, packs); err != nil {
		return err
	}
	if r.KillSwitch != nil {
		say("worked out what %s going dark would cost in %s", r.KillSwitch.Vendor, since(start))
	}
	start = time.Now()
	err = atomicfile.WriteFile(ctx, *out, *force, func(w io.Writer) error { return htmlreport.Write(w, r) })
	if err != nil {
		return err
	}
	say("wrote %s in %s", *out, since(start))
	fmt.Fprintf(env.Stdout, "Report: %s   (open it in a browser; it needs no network)\n", filepath.Clean(*out))
	return nil
}

// shareCaps measures every share-cap rule of the packs, for the report's
// charts.
func shareCaps(inv *inventory.Inventory, packs []*policy.Pack, planned bool) ([]htmlreport.Cap, error) {
	var caps []htmlreport.Cap
	for _, p := range packs {
		for i := range p.Rules {
			r := &p.Rules[i]
			if r.Kind != policy.KindShareCap {
				continue
			}
			shares, err := policy.Shares(inv, p, r, policy.Options{IncludePlanned: planned})
			if err != nil {
				return nil, err
			}
			caps = append(caps, htmlreport.Cap{Pack: p, Rule: r, Shares: shares})
		}
	}
	return caps, nil
}

// reportKillSwitch is the kill switch of the first group the packs
// designate that has equipment in the inventory, on the network as it
// is; nil when there is none.
func reportKillSwitch(ctx context.Context, inv *inventory.Inventory, packs []*policy.Pack) (*htmlreport.KillSwitch, error) {
	for _, p := range packs {
		for _, id := range p.Designated {
			gr, ok := inv.Group(id)
			if !ok {
				continue
			}
			ops, err := groupKillSwitch(ctx, inv, gr)
			if err != nil {
				return nil, err
			}
			name := inv.Groups[gr].Name
			return &htmlreport.KillSwitch{
				Vendor: name,
				Model: fmt.Sprintf("Every %s element is switched off, with everything hosted on one, and what stops working is counted "+
					"per operator (“Kill switch” in docs/exposure.md). A site is lost when it was in service and no longer is: none of its "+
					"4G or 5G radio elements reaches a working instance of each core function its technology needs. Percentages are of the "+
					"operator's sites running 4G or 5G and of their traffic, in the inventory's traffic unit; sensitive sites are those "+
					"tagged national-security or inside a sensitive area.", name),
				Scenarios: []htmlreport.KillScenario{{Title: "As the inventory is", Detail: "every element in service", Operators: ops}},
			}, nil
		}
	}
	return nil, nil
}

// groupKillSwitch is what each operator loses if group gr's equipment
// goes dark (exposure's kill switch).
func groupKillSwitch(ctx context.Context, inv *inventory.Inventory, gr inventory.GroupRef) ([]exposure.OperatorKillSwitch, error) {
	g, err := exposure.NewGraph(inv, exposure.Options{})
	if err != nil {
		return nil, err
	}
	ks, err := g.KillSwitch(ctx, []inventory.GroupRef{gr})
	if err != nil {
		return nil, err
	}
	return ks[0].Operators, nil
}

func packList(packs []*policy.Pack) string {
	ids := make([]string, len(packs))
	for i, p := range packs {
		ids[i] = p.ID
	}
	return strings.Join(ids, ", ")
}

func operatorList(inv *inventory.Inventory) string {
	var names []string
	for _, op := range inv.Operators {
		n := op.Name
		if n == "" {
			n = op.ID
		}
		names = append(names, n)
	}
	if len(names) > 4 {
		return fmt.Sprintf("%s and %d other operators", strings.Join(names[:3], ", "), len(names)-3)
	}
	return strings.Join(names, ", ")
}
