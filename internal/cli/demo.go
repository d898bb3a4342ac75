package cli

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	cf "github.com/corefence/corefence"
	"github.com/corefence/corefence/internal/export"
	"github.com/corefence/corefence/internal/exposure"
	"github.com/corefence/corefence/internal/gen"
	"github.com/corefence/corefence/internal/htmlreport"
	"github.com/corefence/corefence/internal/importer"
	"github.com/corefence/corefence/internal/inventory"
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
			`while keeping it out of the core. A position, never a rule: corefence checks it as a scenario (uk-2019-nsc).`},
	{"2020-01-28", "NCSC advice: out of the core and sensitive sites, 35% cap",
		"High-risk vendors are excluded at once from the core and security-critical functions, from safety networks of " +
			"critical national infrastructure and from sensitive sites such as military bases and nuclear sites, and capped " +
			"at 35% of each operator's access network, to be met by January 2023."},
	{"2023-01-28", "The 35% cap falls due; national-security sites cleared",
		"Three years on, the access cap applies. The Designated Vendor Direction of 13 October 2022, made under the " +
			"Telecommunications (Security) Act 2021, has made the policy law: no Huawei installed in 5G since it was issued, " +
			"and none left at sites significant to national security from 28 January 2023."},
	{"2023-12-31", "The DVD's core deadline",
		"Huawei must be out of the network core and security-critical functions (the deadline was extended from " +
			"28 January 2023). The Direction's 35% caps on 5G access (31 July 2023, the draft's date) and full fibre " +
			"(31 October 2023) are in force."},
	{"2028-01-01", "After end-2027: no Huawei left in 5G",
		"The last deadline has passed: no Huawei equipment may remain in 5G networks after 2027. So has the deadline " +
			"for high-data-rate transmission equipment (end of 2025, the draft's date)."},
}

// demoFocus is the story date the report opens at: every deadline of the
// Direction but the 2025 and 2027 ones has passed.
const demoFocus = "2023-12-31"

var ukPacks = []string{"uk-2019-nsc", "uk-2020-ncsc", "uk-2020-07", "uk-dvd-2022"}

// ukCapRules are the share caps the report charts.
var ukCapRules = []string{"uk-2020-ncsc/access-cap-mobile", "uk-dvd-2022/5g-access-cap"}

const (
	demoSites = 20000
	demoSeed  = 2020
)

func runDemo(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "demo", "demo [--out DIR] [--sites N]")
	out := fs.String("out", "corefence-demo", "directory for the generated inventory and the reports (created; nothing is written elsewhere)")
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
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	say := progress(env)
	began := time.Now()

	say("generating a UK network of %s radio sites (seed %d) …", thousands(*sites), demoSeed)
	start := time.Now()
	doc, err := gen.Generate(gen.Config{Country: "gb", Sites: *sites, Seed: demoSeed})
	if err != nil {
		return err
	}
	say("generated %s sites and %s elements in %s", thousands(len(doc.Sites)), thousands(len(doc.Elements)), since(start))
	if err := ctx.Err(); err != nil {
		return err
	}

	// The network goes through files and the importer, as a user's would.
	invDir := filepath.Join(*out, "inventory")
	if err := clearCSV(invDir); err != nil {
		return err
	}
	start = time.Now()
	if err := export.Write(invDir, "csv", doc); err != nil {
		return err
	}
	doc = nil
	say("wrote the inventory as CSV to %s in %s", invDir, since(start))
	start = time.Now()
	inv, err := importer.Load(invDir, inventory.Options{})
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
		name := "check-" + st.date + ".json"
		if err := writeJSONReport(filepath.Join(*out, name), res); err != nil {
			return err
		}
		say("checked as of %s: %s violations (%s)", st.date, thousands(res.Count()[policy.StatusViolation]), since(start))
		steps = append(steps, htmlreport.Step{Title: st.title, Detail: st.detail, Result: res, JSONReport: name})
		if st.date == demoFocus {
			focus = i
		}
	}

	start = time.Now()
	htmlPath := filepath.Join(*out, "report.html")
	err = writeFile(htmlPath, func(w io.Writer) error {
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
			Focus:         focus,
			Generated:     env.Now(),
			Version:       Version,
		})
	})
	if err != nil {
		return err
	}
	say("wrote the report in %s; %s in all", since(start), since(began))

	printDemoSummary(env.Stdout, inv, steps, caps, kill)
	fmt.Fprintf(env.Stdout, "\nReport: %s   (open it in a browser; it needs no network)\n", htmlPath)
	fmt.Fprintf(env.Stdout, "Data:   %s (CSV inventory), %s (full findings per date)\n",
		invDir+string(filepath.Separator), filepath.Join(*out, "check-DATE.json"))
	return nil
}

// printDemoSummary prints the story's dates, the violations per operator
// at each, and the shares against the cap: short, the report has the rest.
func printDemoSummary(w io.Writer, inv *inventory.Inventory, steps []htmlreport.Step, caps []htmlreport.Cap, kill *htmlreport.KillSwitch) {
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
	width := len("violations")
	for _, op := range inv.Operators {
		width = max(width, len(op.ID))
	}
	fmt.Fprintf(w, "  %-*s", width, "violations")
	for _, st := range steps {
		fmt.Fprintf(w, "  %10s", st.Result.AsOf)
	}
	fmt.Fprintln(w)
	for o, op := range inv.Operators {
		fmt.Fprintf(w, "  %-*s", width, op.ID)
		for i := range steps {
			fmt.Fprintf(w, "  %10s", thousands(verdicts[i][o].Counts[policy.StatusViolation]))
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

func writeJSONReport(path string, res *policy.Result) error {
	return writeFile(path, func(w io.Writer) error { return report.Write(w, "json", res, report.Options{}) })
}

// writeFile creates path and writes it through a buffer.
func writeFile(path string, write func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	err = write(bw)
	if err == nil {
		err = bw.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// clearCSV removes the CSV files of an earlier run, so that a section
// this run does not write is not read back from it.
func clearCSV(dir string) error {
	old, err := filepath.Glob(filepath.Join(dir, "*.csv"))
	if err != nil {
		return err
	}
	for _, f := range old {
		if err := os.Remove(f); err != nil {
			return err
		}
	}
	return nil
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
	title string
	packs []string
}{
	{`2028, "non-core"`, []string{"uk-2019-nsc"}},
	{"2028, 35% cap", []string{"uk-2020-ncsc"}},
	{"2028, removal", []string{"uk-dvd-2022", "uk-2020-07"}},
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
	for _, opt := range ukOptions {
		var optPacks []*policy.Pack
		for _, id := range opt.packs {
			for _, p := range packs {
				if p.ID == id {
					optPacks = append(optPacks, p)
				}
			}
		}
		c, err := comply(ctx, inv, optPacks, asOf, killVendor)
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
	g, err := exposure.NewGraph(inv, exposure.Options{})
	if err != nil {
		return nil, err
	}
	gr, present := inv.Group(killVendor)
	if !present {
		if len(inv.Groups) == 0 {
			return nil, nil
		}
		gr = 0 // any group: only its totals are kept
	}
	ks, err := g.KillSwitch(ctx, []inventory.GroupRef{gr})
	if err != nil {
		return nil, err
	}
	ops := ks[0].Operators
	if !present {
		for i := range ops {
			o := &ops[i]
			*o = exposure.OperatorKillSwitch{Operator: o.Operator, SitesTotal: o.SitesTotal, SitesInService: o.SitesInService,
				TrafficTotal: o.TrafficTotal, CoreFunctionsLost: []string{}, LostSites: []string{}}
		}
	}
	return ops, nil
}
