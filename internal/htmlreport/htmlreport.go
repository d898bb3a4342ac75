// Package htmlreport renders checks of one inventory at several dates as a
// single, self-contained HTML page for people who decide: the verdict per
// operator and date, what each date brings into force, the high-risk
// vendor's share against the caps, a map of sites and sensitive areas, the
// findings rule by rule, and every rule's sources and confidence.
//
// The page makes no network request: its CSS, scripts, map engine
// (internal/sitemap) and map outline are embedded, and the only addresses
// in it are links to sources. It is rendered with html/template, so every
// name from the inventory is escaped; the map's data is JSON, whose
// encoder escapes what could end a script. The map's outline is the United
// Kingdom's and its neighbours' (Natural Earth, embedded); sites elsewhere
// are drawn with no coastline. The demo tells a story with the steps'
// titles and details; corefence report leaves them empty.
package htmlreport

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	cf "github.com/corefence/corefence"
	"github.com/corefence/corefence/internal/inventory"
	"github.com/corefence/corefence/internal/policy"
	"github.com/corefence/corefence/internal/report"
	"github.com/corefence/corefence/internal/sitemap"
)

// Report is what the page shows.
type Report struct {
	Title    string // the page's headline
	Subtitle string // one line under it
	// Notice says what the data is (for a generated network: that it is
	// synthetic); it is shown prominently at the top.
	Notice string

	Inventory *inventory.Inventory
	// InventoryPath is where the reader finds the inventory, relative to
	// the report (shown, not linked); "" omits it.
	InventoryPath string

	Steps []Step // in date order; every Result is of Inventory
	Caps  []Cap  // share caps to chart against their cap
	Focus int    // the step the summary, the map and the findings open at
	// KillSwitch, when not nil, is shown after the caps: what the networks
	// would lose if a vendor's equipment went dark.
	KillSwitch *KillSwitch
	// Options, when not nil, is shown after the kill switch: policy
	// options as the planner costs them.
	Options *PolicyOptions
	// Evidence, when not nil, is shown before "About this report": the
	// signed attestation written beside the report and how to verify it.
	Evidence *Evidence

	MaxPerRule int       // findings listed per rule and step; 0 means 5
	Generated  time.Time // shown when not zero
	Version    string    // corefence's version, shown when not ""
}

// Step is one date of the story and the check made as of it.
type Step struct {
	Title  string // a short headline
	Detail string // what happened at the date, in a sentence or two
	Result *policy.Result
	// JSONReport is the file name of the full JSON report of this check,
	// relative to the HTML file; "" when there is none.
	JSONReport string
}

// Cap is a share-cap rule and the shares it measures per operator (see
// policy.Shares).
type Cap struct {
	Pack   *policy.Pack
	Rule   *policy.Rule
	Shares []policy.Share
}

//go:embed report.html.tmpl
var pageTemplate string

//go:embed report.css
var pageCSS string

//go:embed report.js
var pageJS string

//go:embed reportmap.js
var mapJS string

// tmpl is parsed on first use, not at start-up: every corefence command
// links this package, and most never write a report.
var tmpl = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("report").Funcs(template.FuncMap{
		"num": func(n int) string { return thousands(int64(n)) },
		"pct": func(f float64) string { return policy.Percent(f) },
	}).Parse(pageTemplate))
})

// Write renders r as one HTML document.
func Write(w io.Writer, r *Report) error {
	v, err := build(r)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := tmpl().Execute(&buf, v); err != nil {
		return err
	}
	_, err = buf.WriteTo(w)
	return err
}

// The view: everything the template shows, computed and formatted.

type view struct {
	Title, Subtitle, Notice string
	Generated, Version      string
	InventoryPath           string
	Digest                  string
	Counts                  []labelled
	Packs                   []packView
	Operators               []opView
	Steps                   []stepView
	Focus                   stepView
	Glance                  []tile
	Points                  []string
	Caps                    []capView
	Kill                    *killView
	Options                 *optionsView
	Map                     *mapView
	Warnings                []string
	MoreWarnings            int
	CSS                     template.CSS
	JS                      template.JS
	MapJS                   template.JS // the site map engine and the report's use of it: one module
	Contents                []labelled  // the table of contents: anchor, heading
	TopSites                []siteRow   // the sites with the most findings in force at the focus date
	SitesWithFindings       int         // at the focus date, in force
	Outline                 outlineMeta
	Evidence                *Evidence
}

type labelled struct {
	Label, Value string
}

type tile struct {
	Value, Label, Note string
	Bad                bool
}

type opView struct {
	ID, Name string
}

type packView struct {
	ID, Title, Kind, Status, Published, Summary string
	Binding                                     bool
	Rules                                       []ruleView
}

type ruleView struct {
	ID, Title, Kind, Severity, Effective string
	DueBy, Basis                         string
	Confidence, Citation, Interpretation string
	Sources                              []sourceView
	Cap                                  string
}

type sourceView struct {
	Title, Published string
	URL              string // "" when the source has no web address; html/template vets it
}

type stepView struct {
	Index      int
	Date       string
	Title      string
	Detail     string
	JSONReport string
	Verdicts   []verdictView
	NewRules   []newRuleView
	Rules      []ruleFindings
	Violations int
	Advisory   int // short of rules that do not bind: advice, drafts, constructed dates
	NotOK      int
	Upcoming   int
	Unmeasured int
}

type verdictView struct {
	Compliant    bool
	Violations   int
	Advisory     int
	NextDeadline string
}

// A rule's findings in force are violations when it binds (a breach of
// the law) and advisory when it does not (short of the advice); Binding
// says which, and Reason why not.
type newRuleView struct {
	ID, Title, Confidence, Effective string
	Binding                          bool
	Violations                       int // findings in force
	Sites                            int
	ByOperator                       []labelled
}

type ruleFindings struct {
	ID, Title, Confidence, Effective string
	Binding                          bool
	Reason                           string
	InForce                          bool
	Counts                           map[string]int
	ByOperator                       []int // findings in force per operator
	First                            []string
	Shown, Total                     int // findings in force listed and in all
}

// build turns the report's input into the view.
func build(r *Report) (*view, error) {
	if len(r.Steps) == 0 {
		return nil, fmt.Errorf("htmlreport: no steps")
	}
	inv := r.Inventory
	for i, s := range r.Steps {
		if s.Result == nil {
			return nil, fmt.Errorf("htmlreport: step %d has no result", i)
		}
		if inv == nil {
			inv = s.Result.Inventory
		}
		if s.Result.Inventory != inv {
			return nil, fmt.Errorf("htmlreport: step %s checks another inventory", s.Result.AsOf)
		}
		if i > 0 && s.Result.AsOf <= r.Steps[i-1].Result.AsOf {
			return nil, fmt.Errorf("htmlreport: steps out of date order at %s", s.Result.AsOf)
		}
	}
	if r.Focus < 0 || r.Focus >= len(r.Steps) {
		return nil, fmt.Errorf("htmlreport: focus %d is not a step", r.Focus)
	}
	maxPer := r.MaxPerRule
	if maxPer <= 0 {
		maxPer = 5
	}
	v := &view{Title: r.Title, Subtitle: r.Subtitle, Notice: r.Notice, Version: r.Version,
		InventoryPath: r.InventoryPath, Digest: inv.Digest, Evidence: r.Evidence,
		CSS: template.CSS(pageCSS + sitemap.CSS), JS: template.JS(pageJS), MapJS: template.JS(sitemap.JS + "\n" + mapJS)}
	if !r.Generated.IsZero() {
		v.Generated = r.Generated.UTC().Format("2 January 2006, 15:04 UTC")
	}
	v.Counts = []labelled{
		{"operators", thousands(int64(len(inv.Operators)))},
		{"sites", thousands(int64(len(inv.Sites)))},
		{"elements", thousands(int64(len(inv.Elements)))},
		{"links", thousands(int64(len(inv.Links)))},
		{"sensitive areas", thousands(int64(len(inv.Areas)))},
	}
	for i, op := range inv.Operators {
		v.Operators = append(v.Operators, opView{ID: op.ID, Name: operatorName(inv, inventory.Ref(i))})
	}
	packs := r.Steps[0].Result.Packs
	for _, p := range packs {
		v.Packs = append(v.Packs, packOf(p))
	}

	var prev cf.Date = -1 << 31
	for i, s := range r.Steps {
		v.Steps = append(v.Steps, stepOf(i, s, prev, maxPer))
		prev = s.Result.AsOf
	}
	v.Focus = v.Steps[r.Focus]
	v.Caps = capsOf(inv, r.Caps)
	var err error
	if v.Kill, err = killSwitchOf(r, v); err != nil {
		return nil, err
	}
	if v.Options, err = optionsOf(r.Options, v); err != nil {
		return nil, err
	}
	vendors := mapSiteVendors(inv)
	v.Glance = glance(r, v, vendors)
	v.Points = keyPoints(r, v)
	if v.Map, err = buildMap(inv, vendors, r.Steps, r.Focus); err != nil {
		return nil, err
	}
	v.Outline = outline().meta()
	v.CSS += template.CSS(stepCSS(len(r.Steps), len(inv.Operators)))

	v.TopSites, v.SitesWithFindings = topSites(r.Steps[r.Focus].Result, vendors, 25)
	v.Contents = contents(v)

	seen := map[string]bool{}
	for _, w := range r.Steps[len(r.Steps)-1].Result.Warnings {
		if seen[w.Message] {
			continue
		}
		seen[w.Message] = true
		if len(v.Warnings) < 10 {
			v.Warnings = append(v.Warnings, w.Message)
		} else {
			v.MoreWarnings++
		}
	}
	return v, nil
}

func packOf(p *policy.Pack) packView {
	pv := packView{ID: p.ID, Title: p.Title, Kind: p.Kind, Status: p.Status, Summary: p.Summary, Binding: p.Binds()}
	if !p.Published.IsZero() {
		pv.Published = p.Published.String()
	}
	for i := range p.Rules {
		r := &p.Rules[i]
		rv := ruleView{ID: r.ID, Title: r.Title, Kind: r.Kind, Severity: r.Severity, Effective: r.Effective.String(),
			Confidence: r.Confidence, Citation: r.Citation, Interpretation: r.Interpretation, DueBy: r.DueBy.String()}
		if b := r.Basis(p); b.Binding {
			rv.Basis = "binding"
		} else {
			rv.Basis = "advisory — " + b.Reason
		}
		if r.Cap != nil {
			rv.Cap = policy.Percent(r.Cap.Float())
		}
		for _, s := range r.Sources(p) {
			sv := sourceView{Title: s.Title}
			if !s.Published.IsZero() {
				sv.Published = s.Published.String()
			}
			if strings.HasPrefix(s.URL, "https://") || strings.HasPrefix(s.URL, "http://") {
				sv.URL = s.URL
			}
			rv.Sources = append(rv.Sources, sv)
		}
		pv.Rules = append(pv.Rules, rv)
	}
	return pv
}

func stepOf(i int, s Step, prev cf.Date, maxPer int) stepView {
	res := s.Result
	inv := res.Inventory
	sv := stepView{Index: i, Date: res.AsOf.String(), Title: s.Title, Detail: s.Detail, JSONReport: s.JSONReport}
	for _, vd := range report.Verdicts(res) {
		sv.Verdicts = append(sv.Verdicts, verdictView{Compliant: vd.Compliant, Violations: vd.Counts[policy.StatusViolation],
			Advisory: vd.Counts[policy.StatusAdvisory], NextDeadline: vd.NextDeadline})
		if !vd.Compliant {
			sv.NotOK++
		}
	}
	counts := res.Count()
	sv.Violations, sv.Upcoming, sv.Unmeasured = counts[policy.StatusViolation], counts[policy.StatusUpcoming], counts[policy.StatusUnmeasured]
	sv.Advisory = counts[policy.StatusAdvisory]

	// Findings per rule, in pack and rule order.
	type tally struct {
		rf    *ruleFindings
		sites map[inventory.Ref]bool
	}
	byRule := map[*policy.Rule]*tally{}
	var order []*tally
	for _, p := range res.Packs {
		for j := range p.Rules {
			r := &p.Rules[j]
			b := r.Basis(p)
			t := &tally{rf: &ruleFindings{ID: r.ID, Title: r.Title, Confidence: r.Confidence, Effective: r.Effective.String(),
				Binding: b.Binding, Reason: b.Reason, InForce: !r.Effective.IsZero() && r.Effective <= res.AsOf, Counts: map[string]int{},
				ByOperator: make([]int, len(inv.Operators))}, sites: map[inventory.Ref]bool{}}
			byRule[r] = t
			order = append(order, t)
		}
	}
	for k := range res.Findings {
		f := &res.Findings[k]
		t := byRule[f.Rule]
		t.rf.Counts[f.Status]++
		if !policy.InForce(f.Status) {
			continue
		}
		t.rf.Total++
		if f.Operator != inventory.NoRef {
			t.rf.ByOperator[f.Operator]++
		}
		if f.Site != inventory.NoRef {
			t.sites[f.Site] = true
		}
		if len(t.rf.First) < maxPer {
			t.rf.First = append(t.rf.First, f.Message(inv))
		}
	}
	for _, t := range order {
		t.rf.Shown = len(t.rf.First)
		sv.Rules = append(sv.Rules, *t.rf)
	}
	// The rules this date brings into force, and what they catch.
	for _, p := range res.Packs {
		for j := range p.Rules {
			r := &p.Rules[j]
			if r.Effective <= prev || r.Effective > res.AsOf {
				continue
			}
			t := byRule[r]
			nr := newRuleView{ID: r.ID, Title: r.Title, Confidence: r.Confidence, Effective: r.Effective.String(),
				Binding: t.rf.Binding, Violations: t.rf.Total, Sites: len(t.sites)}
			for op, n := range t.rf.ByOperator {
				if n > 0 {
					nr.ByOperator = append(nr.ByOperator, labelled{operatorName(inv, inventory.Ref(op)), thousands(int64(n))})
				}
			}
			sv.NewRules = append(sv.NewRules, nr)
		}
	}
	sort.SliceStable(sv.NewRules, func(a, b int) bool { return sv.NewRules[a].Effective < sv.NewRules[b].Effective })
	return sv
}

// glance is the summary tiles at the focus date.
func glance(r *Report, v *view, vendors []siteVendor) []tile {
	res := r.Steps[r.Focus].Result
	inv := res.Inventory
	f := v.Focus
	var tiles []tile
	var notOK []string
	for o, vd := range f.Verdicts {
		if !vd.Compliant {
			notOK = append(notOK, operatorName(inv, inventory.Ref(o)))
		}
	}
	tiles = append(tiles, tile{
		Value: fmt.Sprintf("%d of %d", f.NotOK, len(inv.Operators)),
		Label: "operators not compliant",
		Note:  strings.Join(notOK, ", "),
		Bad:   f.NotOK > 0,
	})
	rules := 0
	for _, rf := range f.Rules {
		if rf.Total > 0 && rf.Binding {
			rules++
		}
	}
	note := "under " + plural(rules, "binding rule", "")
	if f.Advisory > 0 {
		note += fmt.Sprintf("; and %s short of the advice", thousands(int64(f.Advisory)))
	}
	tiles = append(tiles, tile{
		Value: thousands(int64(f.Violations)),
		Label: "violations of the law",
		Note:  note,
		Bad:   f.Violations > 0,
	})
	hrv := 0
	for _, s := range vendors {
		if s.designated {
			hrv++
		}
	}
	share := ""
	if len(inv.Sites) > 0 {
		share = fmt.Sprintf("%s of all %s sites", policy.Percent(float64(hrv)/float64(len(inv.Sites))), thousands(int64(len(inv.Sites))))
	}
	tiles = append(tiles, tile{Value: thousands(int64(hrv)), Label: "sites with high-risk-vendor equipment", Note: share})
	// The next rule to come into force after the focus date.
	var next *policy.Rule
	for _, p := range res.Packs {
		for i := range p.Rules {
			ru := &p.Rules[i]
			if ru.Effective > res.AsOf && (next == nil || ru.Effective < next.Effective) {
				next = ru
			}
		}
	}
	if next != nil && !next.DueBy.IsZero() {
		tiles = append(tiles, tile{Value: next.DueBy.String(), Label: "next deadline", Note: next.Title})
	} else if next != nil {
		tiles = append(tiles, tile{Value: next.Effective.String(), Label: "next deadline", Note: next.Title})
	} else {
		tiles = append(tiles, tile{Value: "none", Label: "next deadline", Note: "every rule is in force"})
	}
	return tiles
}

// keyPoints says in words what the tiles and charts show.
func keyPoints(r *Report, v *view) []string {
	var out []string
	inv := r.Steps[r.Focus].Result.Inventory
	f := v.Focus
	top := func(s stepView) *ruleFindings { // the binding rule with the most violations
		var best *ruleFindings
		for i := range s.Rules {
			if rf := &s.Rules[i]; rf.Binding && rf.Total > 0 && (best == nil || rf.Total > best.Total) {
				best = rf
			}
		}
		return best
	}
	if f.NotOK == 0 {
		out = append(out, fmt.Sprintf("As of %s, every operator complies with the rules in force.", f.Date))
	} else {
		var names []string
		for o, vd := range f.Verdicts {
			if !vd.Compliant {
				names = append(names, operatorName(inv, inventory.Ref(o)))
			}
		}
		t := top(f)
		out = append(out, fmt.Sprintf("As of %s, %s %s the rules in force, with %s; the most under “%s” (%s).",
			f.Date, list(names), verb(len(names), "breaks", "break"), plural(f.Violations, "violation", ""), t.Title, thousands(int64(t.Total))))
	}
	if f.Advisory > 0 {
		out = append(out, fmt.Sprintf("%s %s short of rules that do not bind — advice, a scenario, draft requirements: "+
			"short of the advice, not in breach of the law.", plural(f.Advisory, "finding", ""), verb(f.Advisory, "falls", "fall")))
	}
	for _, c := range v.Caps {
		if len(c.Over) > 0 {
			out = append(out, fmt.Sprintf("Above the %s cap on %s: %s.", c.Cap, c.Designated, strings.Join(c.Over, "; ")))
		}
	}
	if last := v.Steps[len(v.Steps)-1]; last.Index != f.Index && last.Violations > f.Violations {
		msg := fmt.Sprintf("If nothing changes, %s by %s", plural(last.Violations, "violation", ""), last.Date)
		if t := top(last); t != nil {
			msg += fmt.Sprintf("; “%s” alone catches %s", t.Title, thousands(int64(t.Total)))
		}
		out = append(out, msg+".")
	}
	near := 0
	for _, w := range r.Steps[r.Focus].Result.Warnings {
		if w.Code == "vendor-near-miss" {
			near++
		}
	}
	if near > 0 {
		out = append(out, fmt.Sprintf("%s in the inventory %s close to a high-risk vendor's name but not counted as that vendor: check %s (see “About the input”).",
			plural(near, "vendor name", ""), verb(near, "is", "are"), verb(near, "it", "them")))
	}
	return out
}

func verb(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// list joins names as prose: "A", "A and B", "A, B and C".
func list(names []string) string {
	switch len(names) {
	case 0:
		return ""
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

func plural(n int, one, many string) string {
	if many == "" {
		many = one + "s"
	}
	if n == 1 {
		return "1 " + one
	}
	return thousands(int64(n)) + " " + many
}

// operatorName is the operator's name, or its id when it has none.
func operatorName(inv *inventory.Inventory, op inventory.Ref) string {
	if n := inv.Operators[op].Name; n != "" {
		return n
	}
	return inv.Operators[op].ID
}

// thousands formats n with comma separators: 20510 → "20,510".
func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// stepCSS shows, for the step a section is set to, only that step's
// panels and map marks, and on the map only the chosen operator's sites.
// It is built from indexes alone.
func stepCSS(steps, operators int) string {
	var b strings.Builder
	for i := 0; i < steps; i++ {
		fmt.Fprintf(&b, "[data-step=\"%d\"] .fl .f%d{display:inline}\n", i, i)
		fmt.Fprintf(&b, "[data-step]:not([data-step=\"%d\"]) .panel[data-panel=\"%d\"]{display:none}\n", i, i)
		fmt.Fprintf(&b, "[data-step=\"%d\"] .tab[data-value=\"%d\"]{background:var(--ink);color:#fff;border-color:var(--ink)}\n", i, i)
	}
	for o := 0; o < operators; o++ {
		fmt.Fprintf(&b, "[data-op=\"o%d\"] .byop:not(.o%d){display:none}\n", o, o)
	}
	return b.String()
}

// contents is the table of contents: the sections the page has, in order.
func contents(v *view) []labelled {
	c := []labelled{{"summary", "At a glance"}, {"verdicts", "Verdict by operator and date"}, {"timeline", "What changes at each date"}}
	for _, cp := range v.Caps {
		c = append(c, labelled{"h-cap-" + cp.Rules[0].ID, cp.Designated + " share against the " + cp.Cap + " cap (" + cp.Rules[0].ID + ")"})
	}
	if v.Kill != nil {
		c = append(c, labelled{"kill-switch", "If " + v.Kill.Vendor + "'s equipment went dark"})
	}
	if v.Options != nil {
		c = append(c, labelled{"policy-options", "Policy options"})
	}
	if v.Map != nil {
		c = append(c, labelled{"map-section", "Where the equipment is (map)"})
	}
	c = append(c, labelled{"sites", "Sites with the most findings"}, labelled{"findings", "Findings by rule"}, labelled{"sources", "Rules and sources"})
	if v.Evidence != nil {
		c = append(c, labelled{"evidence", "Signed evidence"})
	}
	return append(c, labelled{"about", "About this report"})
}

type siteRow struct {
	ID, Operator, Vendor string
	InForce              int
	Rules                string
}

// topSites are the sites with the most findings in force (violations and
// advisory) as of res's date, most first, at most max of them; and how
// many sites have any.
func topSites(res *policy.Result, vendors []siteVendor, limit int) ([]siteRow, int) {
	inv := res.Inventory
	count := map[inventory.Ref]int{}
	rules := map[inventory.Ref][]string{}
	for i := range res.Findings {
		f := &res.Findings[i]
		if f.Site == inventory.NoRef || !policy.InForce(f.Status) {
			continue
		}
		count[f.Site]++
		if rs := rules[f.Site]; len(rs) == 0 || !slices.Contains(rs, f.Rule.ID) {
			rules[f.Site] = append(rs, f.Rule.ID)
		}
	}
	sites := make([]inventory.Ref, 0, len(count))
	for s := range count {
		sites = append(sites, s)
	}
	sort.Slice(sites, func(a, b int) bool {
		if count[sites[a]] != count[sites[b]] {
			return count[sites[a]] > count[sites[b]]
		}
		return sites[a] < sites[b]
	})
	var out []siteRow
	for _, s := range sites[:min(limit, len(sites))] {
		st := &inv.Sites[s]
		vendor := "no active equipment"
		if g := vendors[s].group; g != inventory.NoRef {
			vendor = inv.Groups[g].Name
		}
		out = append(out, siteRow{ID: st.ID, Operator: operatorName(inv, st.OperatorRef), Vendor: vendor,
			InForce: count[s], Rules: strings.Join(rules[s], ", ")})
	}
	return out, len(sites)
}
