package cli

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	cf "github.com/corefence/corefence"
	"github.com/corefence/corefence/internal/atomicfile"
	"github.com/corefence/corefence/internal/export"
	"github.com/corefence/corefence/internal/exposure"
	"github.com/corefence/corefence/internal/gen"
	"github.com/corefence/corefence/internal/htmlreport"
	"github.com/corefence/corefence/internal/importer"
	"github.com/corefence/corefence/internal/inventory"
	"github.com/corefence/corefence/internal/planner"
	"github.com/corefence/corefence/internal/policy"
	"github.com/corefence/corefence/internal/report"
)

// storyDate is one moment of the UK's Huawei decisions.
type storyDate struct {
	date   string
	title  string // short: the terminal and the report's grid
	detail string // the report's timeline
}

// ukStory is the sequence the demo walks through; the facts and their
// sources are in the built-in packs (`corefence policies show …`).
var ukStory = []storyDate{
	{"2019-04-24", `The NSC position leaks: Huawei in "non-core" 5G only`,
		`The National Security Council reportedly agreed to let Huawei supply "non-core" 5G equipment such as antennas ` +
			`while keeping it out of the core. A position, never a rule: corefence checks it as a scenario (uk-2019-nsc), ` +
			`so what falls short of it is advisory, not a breach.`},
	{"2020-01-28", "NCSC advice: out of the core and sensitive sites, 35% cap",
		"The NCSC advises that high-risk vendors be kept out of the core and security-critical functions, out of safety " +
			"networks of critical national infrastructure and sensitive sites such as military bases and nuclear sites, and " +
			"capped at 35% of each operator's access network by January 2023. Advice, not law: an operator that kept Huawei " +
			"there fell short of the advice but broke no law, so these findings are advisory."},
	{"2023-02-01", "After January 2023: the 35% cap and the national-security sites",
		"The Designated Vendor Direction of 13 October 2022, made under the Telecommunications (Security) Act 2021, has " +
			"made the policy law: from 2022 an operator could break it. Huawei installed in 5G since the Direction was issued " +
			"is a breach, and so is Huawei left at sites significant to national security (due by 28 January 2023). The " +
			"NCSC's 35% cap, due by January 2023, was advice: above it, an operator falls short of the advice."},
	{"2024-01-01", "The day after the DVD's core deadline",
		"Huawei left in the network core is in breach of the Direction (due by 31 December 2023, extended from 28 January " +
			"2023), and so is Huawei above 35% of the full-fibre access network (due by 31 October 2023). The 5G access cap " +
			"and the security functions are known only from the draft direction: findings against them are advisory."},
	{"2028-01-01", "After end-2027: no Huawei left in 5G",
		"The last deadline has passed: no Huawei equipment may remain in 5G networks after 2027, including the management " +
			"systems that ran the Huawei radio network the Direction allowed until then. The high-data-rate transmission " +
			"requirement (end of 2025) is known only from the draft direction, so findings against it are advisory."},
}

// demoFocus is the story date the report opens at: every deadline of the
// Direction but the 2025 and 2027 ones has passed.
const demoFocus = "2024-01-01"

var ukPacks = []string{"uk-2019-nsc", "uk-2020-ncsc", "uk-2020-07", "uk-dvd-2022"}

// ukCapRules are the share caps the report charts.
var ukCapRules = []string{"uk-2020-ncsc/access-cap-mobile", "uk-dvd-2022/5g-access-cap"}

const (
	demoSites = 20000
	demoSeed  = 2020
)

func runDemo(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "demo", "demo [--out DIR] [--sites N] [--force] [--keep-all]")
	out := fs.String("out", "corefence-demo", "directory for the report, the signed evidence and the generated inventory (it appears when the demo is done; until then they are in a hidden temporary directory beside it)")
	force := fs.Bool("force", false, "write into a non-empty --out, replacing the files an earlier demo wrote there")
	keepAll := fs.Bool("keep-all", false, "also write the full check at each date, every finding, as check-DATE.json")
	sites := fs.Int("sites", demoSites, fmt.Sprintf("radio sites to generate, %d..%d", gen.MinSites, gen.MaxSites))
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("unexpected argument %q", pos[0])
	}
	if *sites < gen.MinSites || *sites > gen.MaxSites {
		return usagef("--sites %d: want %d..%d", *sites, gen.MinSites, gen.MaxSites)
	}
	packs, err := openPacks(ukPacks, nil)
	if err != nil {
		return err
	}
	// Everything goes to a staging directory and appears at once, when
	// the demo is done (see atomicfile.Dir).
	d, err := atomicfile.NewDir(*out, *force)
	if err != nil {
		return err
	}
	defer d.Abort()
	say := progress(env)
	began := time.Now()

	say("generating a UK network of %s radio sites (seed %d) …", thousands(*sites), demoSeed)
	start := time.Now()
	doc, err := gen.GenerateContext(ctx, gen.Config{Country: "gb", Sites: *sites, Seed: demoSeed})
	if err != nil {
		return err
	}
	say("generated %s sites and %s elements in %s", thousands(len(doc.Sites)), thousands(len(doc.Elements)), since(start))
	if err := ctx.Err(); err != nil {
		return err
	}

	// The network goes through files and the importer, as a user's would.
	invDir := filepath.Join(*out, "inventory")
	start = time.Now()
	if err := export.WriteCSVFiles(doc, "inventory/", d.WriteFile); err != nil {
		return err
	}
	if err := strayParts(d, "inventory"); err != nil {
		return err
	}
	doc = nil
	say("wrote the inventory as CSV in %s", since(start))
	start = time.Now()
	inv, err := importer.LoadContext(ctx, d.Staged("inventory"), inventory.Options{})
	if err != nil {
		return fmt.Errorf("loading the generated inventory: %w", err)
	}
	say("loaded it back in %s", since(start))

	caps, err := capShares(inv, packs)
	if err != nil {
		return err
	}
	start = time.Now()
	kill, err := demoKillSwitch(ctx, inv, packs)
	if err != nil {
		return err
	}
	if kill != nil {
		say("worked out what %s going dark would cost, in 2020 and in 2028 under each option, in %s", kill.Vendor, since(start))
	}

	start = time.Now()
	options, outcomes, err := demoOptions(ctx, inv, packs)
	if err != nil {
		return err
	}
	say("planned the three options from %s in %s", optionStart, since(start))

	var steps []htmlreport.Step
	focus := 0
	for i, st := range ukStory {
		if err := ctx.Err(); err != nil {
			return err
		}
		start = time.Now()
		asOf, err := cf.ParseDate(st.date)
		if err != nil {
			return err
		}
		res, err := policy.Check(ctx, inv, packs, policy.Options{AsOf: asOf})
		if err != nil {
			return err
		}
		// The full findings per date are the bulk of the output (some
		// tens of megabytes each at the default size) and the report
		// summarises them, so they are written only on request.
		name := ""
		if *keepAll {
			name = "check-" + st.date + ".json"
			if err := d.WriteFile(name, jsonReport(res)); err != nil {
				return err
			}
		}
		counts := res.Count()
		say("checked as of %s: %s violations, %s advisory (%s)", st.date, thousands(counts[policy.StatusViolation]),
			thousands(counts[policy.StatusAdvisory]), since(start))
		steps = append(steps, htmlreport.Step{Title: st.title, Detail: st.detail, Result: res, JSONReport: name})
		if st.date == demoFocus {
			focus = i
		}
	}

	start = time.Now()
	signed, err := demoEvidence(inv, steps[focus].Result, d)
	if err != nil {
		return err
	}
	say("signed the %s check as the regulator, with a proof of site %s, in %s", demoFocus, signed.Site, since(start))

	start = time.Now()
	htmlPath := filepath.Join(*out, "report.html")
	err = d.WriteFile("report.html", func(w io.Writer) error {
		return htmlreport.Write(w, &htmlreport.Report{
			Title: "United Kingdom: high-risk vendors in mobile networks, 2019–2028",
			Subtitle: "The UK's four mobile networks as a generated 2020 inventory, checked against the UK's " +
				"high-risk-vendor rules at five dates of the Huawei decisions.",
			Notice: fmt.Sprintf("The network is synthetic: corefence generated it (seed %d) from approximate, illustrative figures "+
				"for town populations, vendor mixes and install dates. The operators carry the names of the UK's four mobile networks "+
				"to make the story readable; the sites, the equipment and every figure are not theirs. The same network is checked "+
				"at every date, as if nothing had changed since 2020, so later dates show what would have had to go.", demoSeed),
			Inventory:     inv,
			InventoryPath: "inventory/",
			Steps:         steps,
			Caps:          caps,
			KillSwitch:    kill,
			Options:       options,
			Evidence:      signed,
			Focus:         focus,
			Generated:     env.Now(),
			Version:       Version,
		})
	})
	if err != nil {
		return err
	}
	if err := d.Commit(ctx); err != nil {
		return err
	}
	say("wrote the report in %s; %s in all", since(start), since(began))

	printDemoSummary(env.Stdout, inv, steps, caps, kill, outcomes)
	fmt.Fprintf(env.Stdout, "\nReport: %s   (open it in a browser; it needs no network)\n", htmlPath)
	if *keepAll {
		fmt.Fprintf(env.Stdout, "Data:   %s (CSV inventory), %s (full findings per date)\n",
			invDir+string(filepath.Separator), filepath.Join(*out, "check-DATE.json"))
	} else {
		fmt.Fprintf(env.Stdout, "Data:   %s (CSV inventory; --keep-all also writes the full findings per date)\n",
			invDir+string(filepath.Separator))
	}
	fmt.Fprintf(env.Stdout, "Signed: %s (the %s check, signed as the regulator), %s, %s; verify from %s with:\n",
		signed.Envelope, demoFocus, signed.PublicKey, signed.Proof, *out)
	for _, c := range signed.Commands {
		fmt.Fprintf(env.Stdout, "  %s\n", c)
	}
	return nil
}

// printDemoSummary prints the story's dates, the violations per operator
// at each, and the shares against the cap: short, the report has the rest.
func printDemoSummary(w io.Writer, inv *inventory.Inventory, steps []htmlreport.Step, caps []htmlreport.Cap, kill *htmlreport.KillSwitch,
	outcomes []planner.Outcome) {
	fmt.Fprintf(w, "corefence demo: a generated UK network (synthetic, seed %d): %s operators, %s sites, %s elements,\n",
		demoSeed, thousands(len(inv.Operators)), thousands(len(inv.Sites)), thousands(len(inv.Elements)))
	fmt.Fprintf(w, "checked against %s at the dates of the UK's Huawei decisions.\n\n", strings.Join(ukPacks, ", "))
	for _, st := range steps {
		fmt.Fprintf(w, "  %s  %s\n", st.Result.AsOf, st.Title)
	}
	fmt.Fprintln(w)
	verdicts := make([][]report.OperatorVerdict, len(steps))
	for i, st := range steps {
		verdicts[i] = report.Verdicts(st.Result)
	}
	width := len("violations / advisory")
	for _, op := range inv.Operators {
		width = max(width, len(op.ID))
	}
	// Violations breach a binding rule; advisory findings fall short of
	// one that does not bind (the NCSC advice, the NSC scenario, drafts).
	fmt.Fprintf(w, "  %-*s", width, "violations / advisory")
	for _, st := range steps {
		fmt.Fprintf(w, "  %13s", st.Result.AsOf)
	}
	fmt.Fprintln(w)
	for o, op := range inv.Operators {
		fmt.Fprintf(w, "  %-*s", width, op.ID)
		for i := range steps {
			c := verdicts[i][o].Counts
			fmt.Fprintf(w, "  %13s", thousands(c[policy.StatusViolation])+" / "+thousands(c[policy.StatusAdvisory]))
		}
		fmt.Fprintln(w)
	}
	for _, c := range caps {
		var parts []string
		byOp := map[inventory.Ref][]string{}
		var ops []inventory.Ref
		for _, sh := range c.Shares {
			if byOp[sh.Operator] == nil {
				ops = append(ops, sh.Operator)
			}
			v := "n/a"
			if sh.Measured && sh.Value.Den != nil && sh.Value.Den.Sign() != 0 {
				v = policy.Percent(sh.Value.Float())
			}
			byOp[sh.Operator] = append(byOp[sh.Operator], v)
		}
		for _, op := range ops {
			parts = append(parts, inv.Operators[op].ID+" "+strings.Join(byOp[op], " / "))
		}
		fmt.Fprintf(w, "\n%s's share of each operator's 5G access network, %s, against the %s cap:\n  %s\n",
			designatedNames(inv, c.Pack), strings.Join(c.Rule.Metrics, " / "), policy.Percent(c.Rule.Cap.Float()), strings.Join(parts, ", "))
		break // the caps measure the same shares; the report shows each
	}
	if kill != nil {
		var parts []string
		for _, sc := range kill.Scenarios {
			lost, total := 0, 0
			for _, o := range sc.Operators {
				lost += o.SitesLost
				total += o.SitesTotal
			}
			pct := "–"
			if total > 0 {
				pct = fmt.Sprintf("%.1f%%", 100*float64(lost)/float64(total))
			}
			parts = append(parts, fmt.Sprintf("%s: %s (%s)", sc.Title, thousands(lost), pct))
		}
		fmt.Fprintf(w, "\nIf %s's equipment went dark, the sites lost (4G/5G, all operators; 2028 = minimal compliance with each option):\n  %s\n",
			kill.Vendor, strings.Join(parts, "; "))
	}
	if len(outcomes) > 0 {
		var parts []string
		for _, o := range outcomes {
			if o.Plan == nil || o.Plan.Schedule == nil {
				parts = append(parts, fmt.Sprintf("%s: no plan (%s)", o.Name, o.Status))
				continue
			}
			finish := "nothing to do"
			if !o.Finish.IsZero() {
				finish = "done " + o.Finish.String()
			}
			parts = append(parts, fmt.Sprintf("%s %s, %s, %.0f months", o.Name, pounds(o.Costs.Total), finish, o.RolloutDelay))
		}
		fmt.Fprintf(w, "\nThe options planned from %s (total cost, finish, 5G rollout delay; assumed costs, docs/planner.md):\n  %s\n",
			optionStart, strings.Join(parts, "; "))
	}
}

// pounds formats £k as £m or £bn.
func pounds(k float64) string {
	switch m := k / 1000; {
	case m < 0.05:
		return "£0"
	case m >= 1000:
		return fmt.Sprintf("£%.2fbn", m/1000)
	case m < 10:
		return fmt.Sprintf("£%.1fm", m)
	default:
		return fmt.Sprintf("£%.0fm", m)
	}
}

// designatedNames names the vendor groups a pack designates.
func designatedNames(inv *inventory.Inventory, p *policy.Pack) string {
	var names []string
	for _, id := range p.Designated {
		if g, ok := inv.Group(id); ok {
			names = append(names, inv.Groups[g].Name)
		} else {
			names = append(names, id)
		}
	}
	return strings.Join(names, ", ")
}

// capShares measures the cap rules the report charts.
func capShares(inv *inventory.Inventory, packs []*policy.Pack) ([]htmlreport.Cap, error) {
	var caps []htmlreport.Cap
	for _, id := range ukCapRules {
		for _, p := range packs {
			for i := range p.Rules {
				r := &p.Rules[i]
				if r.ID != id {
					continue
				}
				shares, err := policy.Shares(inv, p, r, policy.Options{})
				if err != nil {
					return nil, err
				}
				caps = append(caps, htmlreport.Cap{Pack: p, Rule: r, Shares: shares})
			}
		}
	}
	return caps, nil
}

// jsonReport writes res as the JSON contract.
func jsonReport(res *policy.Result) func(io.Writer) error {
	return func(w io.Writer) error { return report.Write(w, "json", res, report.Options{}) }
}

func since(t time.Time) time.Duration { return time.Since(t).Round(10 * time.Millisecond) }

// thousands formats n with comma separators: 20510 → "20,510".
func thousands(n int) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return "-" + thousands(-n)
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// killVendor is the vendor group the demo switches off.
const killVendor = "huawei"

// ukOptions are the UK's policy options of 2019–2020, each as the packs an
// operator would have complied with; the demo derives each one's 2028
// network (see comply).
var ukOptions = []struct {
	name  string // the policy options section's
	title string // the kill switch's
	packs []string
}{
	{"non-core", `2028, "non-core"`, []string{"uk-2019-nsc"}},
	{"35% cap", "2028, 35% cap", []string{"uk-2020-ncsc"}},
	{"removal", "2028, removal", []string{"uk-dvd-2022", "uk-2020-07"}},
}

// optionPacks are the packs of ukOptions[i], from packs.
func optionPacks(i int, packs []*policy.Pack) []*policy.Pack {
	var out []*policy.Pack
	for _, id := range ukOptions[i].packs {
		for _, p := range packs {
			if p.ID == id {
				out = append(out, p)
			}
		}
	}
	return out
}

// optionDate is the date the 2028 networks comply as of.
const optionDate = "2028-01-01"

// demoKillSwitch runs the kill switch of killVendor on the network as
// generated (the 2020 state) and on the 2028 network each of ukOptions
// leads to; nil when the network has no such vendor.
func demoKillSwitch(ctx context.Context, inv *inventory.Inventory, packs []*policy.Pack) (*htmlreport.KillSwitch, error) {
	gr, ok := inv.Group(killVendor)
	if !ok {
		return nil, nil
	}
	name := inv.Groups[gr].Name
	asOf, err := cf.ParseDate(optionDate)
	if err != nil {
		return nil, err
	}
	ks := &htmlreport.KillSwitch{
		Vendor: name,
		Model: fmt.Sprintf("Each column switches off every %[1]s element of one network, with everything hosted on one, and counts "+
			"per operator what stops working (“Kill switch” in docs/exposure.md). A site is lost when it was in service and no longer "+
			"is: none of its 4G or 5G radio elements reaches a working instance of each core function its technology needs (“In service”, "+
			"same document). Percentages are of the operator's sites running 4G or 5G and of their traffic; sensitive sites are those tagged "+
			"national-security or inside a sensitive area. The first column is the network as generated, in 2020; the others, the 2028 "+
			"network each of the UK's three options would have left. The options aimed at 5G: %[1]s's 4G radio stays under all three "+
			"(but at some sensitive sites), so the sites it alone serves are lost in every column.", name),
		Caveat: fmt.Sprintf("The 2028 networks are derived by minimal compliance, not planned: each is the 2020 network with the least "+
			"change that meets the option as of %[2]s. Every %[1]s element in violation of an exclusion, site, traffic-flow or "+
			"installation rule is given the operator's main other vendor of the same domain; for a share cap, %[1]s is replaced at whole "+
			"sites, the highest-traffic sites first (of the ways to comply, the one that lowers the exposure most), until the operator's "+
			"share is at the cap. Nothing else changes: no growth since 2020, no swap-outs beyond what the rules require.", name, optionDate),
	}
	before, err := killSwitchOf(ctx, inv)
	if err != nil {
		return nil, err
	}
	ks.Scenarios = append(ks.Scenarios, htmlreport.KillScenario{Title: "2020, as built", Detail: "the network as generated", Operators: before})
	for i, opt := range ukOptions {
		c, err := comply(ctx, inv, optionPacks(i, packs), asOf, killVendor)
		if err != nil {
			return nil, err
		}
		ops, err := killSwitchOf(ctx, c.Inventory)
		if err != nil {
			return nil, err
		}
		detail := fmt.Sprintf("complied with %s: %s elements replaced", strings.Join(opt.packs, " + "), thousands(c.Replaced+c.CapElements))
		if c.CapSites > 0 {
			detail += fmt.Sprintf(", at %s sites for the cap", thousands(c.CapSites))
		}
		ks.Scenarios = append(ks.Scenarios, htmlreport.KillScenario{Title: opt.title, Detail: detail, Operators: ops})
	}
	return ks, nil
}

// killSwitchOf runs the kill switch of killVendor on inv. A network with
// no element of the vendor loses nothing; its totals still count.
func killSwitchOf(ctx context.Context, inv *inventory.Inventory) ([]exposure.OperatorKillSwitch, error) {
	gr, present := inv.Group(killVendor)
	if !present {
		if len(inv.Groups) == 0 {
			return nil, nil
		}
		gr = 0 // any group: only its totals are kept
	}
	ops, err := groupKillSwitch(ctx, inv, gr)
	if err != nil {
		return nil, err
	}
	if !present {
		for i := range ops {
			o := &ops[i]
			*o = exposure.OperatorKillSwitch{Operator: o.Operator, SitesTotal: o.SitesTotal, SitesInService: o.SitesInService,
				TrafficTotal: o.TrafficTotal, CoreFunctionsLost: []string{}, LostSites: []string{}}
		}
	}
	return ops, nil
}

// optionStart is the date the demo plans the options from: the UK's
// decision of July 2020, as in the planner's calibration (docs/planner.md).
var optionStart = cf.NewDate(2020, time.July, 1)

// optionTimeLimit is the planner's safety net for each option: its search
// is bounded by work, so the demo's figures are the same on every run
// unless this limit cuts it (the report then says so).
const optionTimeLimit = 60 * time.Second

// demoOptions plans ukOptions with the planner's default parameters from
// optionStart and returns the report's section and the outcomes; the
// section charts, per option, each operator's Huawei share of the sites
// the NCSC's 35% cap counts as the plan swaps them.
func demoOptions(ctx context.Context, inv *inventory.Inventory, packs []*policy.Pack) (*htmlreport.PolicyOptions, []planner.Outcome, error) {
	var opts []planner.Option
	for i, o := range ukOptions {
		opts = append(opts, planner.Option{Name: o.name, Packs: optionPacks(i, packs)})
	}
	params := planner.DefaultParams()
	params.Start = optionStart
	outcomes, err := planner.Compare(ctx, inv, opts, params, planner.Options{TimeLimit: optionTimeLimit})
	if err != nil {
		return nil, nil, err
	}
	var end cf.Date
	for _, o := range outcomes {
		if o.Plan != nil && o.Plan.Problem != nil {
			end = o.Plan.Problem.End()
		}
	}
	capSites, capRule, err := capSiteSets(ctx, inv, packs)
	if err != nil {
		return nil, nil, err
	}
	vendor := killVendor
	if g, ok := inv.Group(killVendor); ok {
		vendor = inv.Groups[g].Name
	}
	po := &htmlreport.PolicyOptions{
		Vendor: vendor,
		Lede: fmt.Sprintf("The UK's three options of 2019–2020, each planned by corefence's planner (docs/planner.md) on the network "+
			"above, with its default parameters, from %[1]s (the July 2020 decision, as in the planner's calibration) to %[2]s: "+
			"the cheapest schedule of site visits and core swaps that meets each option's deadlines and caps with each operator's "+
			"crews while they also build 5G. Non-core is uk-2019-nsc; the 35%% cap, uk-2020-ncsc; removal, uk-dvd-2022 with "+
			"uk-2020-07. Every option is planned over the same years, so the traffic-years compare: the busy-hour traffic carried "+
			"over %[3]s equipment, summed over the years until each site is swapped or the horizon ends. Rollout delay is the worst "+
			"lag of an operator's 5G roll-out behind its programme. A deadline already passed on %[1]s (the NCSC's exclusions of "+
			"January 2020) counts as missed; the plan does that work first.", optionStart, end, vendor),
		Note: "Total cost is the capital spent (replacement equipment and site visits), the book value written off on the " +
			"equipment removed, and the cost of the 5G new builds the swaps delay (£2k per new build per month, followed until " +
			"each operator's backlog clears); it leaves out the planner's overdue penalty, a device that makes late work go first. " +
			"Every figure comes from assumed costs, crew sizes and work rates, the planner's defaults, listed with their basis " +
			"in docs/planner.md (“Defaults and their basis”): on a synthetic network, orders of magnitude, not what the operators spent.",
		Measure: "share of 5G access sites",
		Start:   optionStart,
		End:     end,
	}
	if capRule != nil {
		po.Cap = capRule.Cap.Float()
		po.CapLabel = fmt.Sprintf("%s cap (%s)", policy.Percent(po.Cap), capRule.ID)
	}
	for _, o := range outcomes {
		opt := htmlreport.PolicyOption{Name: o.Name, Packs: o.Packs, Status: o.Status, Jobs: o.Jobs}
		if o.Plan != nil && o.Plan.Schedule != nil {
			opt.Planned = true
			opt.Total, opt.Capital, opt.Writeoff, opt.Delay = o.Costs.Total, o.Costs.Capital, o.Costs.Writeoff, o.Costs.Delay
			opt.Finish, opt.RolloutDelay, opt.TrafficYears = o.Finish, o.RolloutDelay, o.TrafficYears
			opt.DeadlinesMissed, opt.Gap = o.DeadlinesMissed, o.Gap
			opt.Series = shareSeries(inv, o.Plan, capSites)
		}
		po.Options = append(po.Options, opt)
	}
	return po, outcomes, nil
}

// capSites is, per operator, the sites a share cap counts: the total in
// its scope and the designated ones.
type capSites struct {
	total      int
	designated map[string]bool // site id
}

// capSiteSets finds the sites the first of ukCapRules counts, per
// operator id: its scope checked as an exclusion, as the planner does.
func capSiteSets(ctx context.Context, inv *inventory.Inventory, packs []*policy.Pack) (map[string]*capSites, *policy.Rule, error) {
	var pack *policy.Pack
	var rule *policy.Rule
	for _, p := range packs {
		for i := range p.Rules {
			if p.Rules[i].ID == ukCapRules[0] {
				pack, rule = p, &p.Rules[i]
			}
		}
	}
	if rule == nil {
		return nil, nil, nil
	}
	shares, err := policy.Shares(inv, pack, rule, policy.Options{})
	if err != nil {
		return nil, nil, err
	}
	out := map[string]*capSites{}
	for _, sh := range shares {
		if sh.Metric != "sites" || sh.Value.Den == nil || !sh.Value.Den.IsInt64() || sh.Value.Den.Sign() == 0 {
			continue
		}
		out[inv.Operators[sh.Operator].ID] = &capSites{total: int(sh.Value.Den.Int64()), designated: map[string]bool{}}
	}
	ex := *rule
	ex.Kind, ex.Metrics, ex.Cap = policy.KindExclude, nil, nil
	derived := &policy.Pack{ID: pack.ID, Title: pack.Title, Kind: pack.Kind, Status: pack.Status,
		Designated: pack.Designated, Rules: []policy.Rule{ex}}
	res, err := policy.Check(ctx, inv, []*policy.Pack{derived}, policy.Options{AsOf: rule.Effective})
	if err != nil {
		return nil, nil, err
	}
	for _, f := range res.Findings {
		if f.Element == inventory.NoRef || !policy.InForce(f.Status) {
			continue
		}
		site := inv.Sites[inv.Elements[f.Element].SiteRef]
		if cs := out[inv.Operators[site.OperatorRef].ID]; cs != nil {
			cs.designated[site.ID] = true
		}
	}
	return out, rule, nil
}

// shareSeries is each operator's designated share of the cap's sites at
// the plan's start and at the end of each period of its horizon: a site
// leaves the designated ones when its job is done.
func shareSeries(inv *inventory.Inventory, plan *planner.Plan, sets map[string]*capSites) []htmlreport.ShareSeries {
	p := plan.Problem
	var out []htmlreport.ShareSeries
	for _, op := range inv.Operators {
		cs := sets[op.ID]
		if cs == nil {
			continue
		}
		done := map[string]cf.Date{} // designated site → when its first job is done
		for _, jp := range plan.Jobs {
			if jp.Done && jp.Operator == op.ID && cs.designated[jp.Site] {
				if d, ok := done[jp.Site]; !ok || jp.End < d {
					done[jp.Site] = jp.End
				}
			}
		}
		s := htmlreport.ShareSeries{Operator: op.ID}
		at := func(d cf.Date) float64 {
			n := len(cs.designated)
			for _, e := range done {
				if e <= d {
					n--
				}
			}
			return float64(n) / float64(cs.total)
		}
		s.Points = append(s.Points, htmlreport.SharePoint{Date: p.Params.Start, Share: at(p.Params.Start.AddDays(-1))})
		for _, per := range p.Periods[:p.T] {
			s.Points = append(s.Points, htmlreport.SharePoint{Date: per.End, Share: at(per.End)})
		}
		out = append(out, s)
	}
	return out
}
