// Package planner schedules the replacement of designated (high-risk
// vendor) equipment: from the findings of policy packs it derives jobs —
// one per site visit, core function, transport node or management system —
// each with its crew effort, capital cost, lead time, deadline and
// priority, and the share caps that must be met at milestone dates; then it
// finds the schedule that meets every deadline and milestone with the crews
// and budget available at the least total cost (capital, write-off of
// equipment removed before the end of its life, and the cost of new builds
// the swaps delay), or says why none exists and what would make one.
//
// Small instances are solved exactly by a MILP (package milp); national
// ones by Lagrangian relaxation, which gives a lower bound, and a
// construction and local-search heuristic, which gives the plan; the plan
// reports its gap to the bound. The model is in docs/planner.md.
package planner

import (
	"context"
	"fmt"
	"math"
	"math/big"
	"slices"
	"sort"
	"strconv"
	"strings"

	cf "github.com/corefence/corefence"
	"github.com/corefence/corefence/internal/inventory"
	"github.com/corefence/corefence/internal/policy"
)

// Period is one step of the plan's calendar.
type Period struct {
	Label      string
	Start, End cf.Date
	Tail       bool // after the horizon: new builds only
}

// Pool is a set of crews: an operator's field crews in one region, or its
// core-network teams (Region "").
type Pool struct {
	Operator string
	Region   string
	Core     bool
	Crews    float64   // crews (or teams) in the pool
	PerCrew  float64   // work units one crew does per period
	Capacity []float64 // work units per period, horizon and tail
	Arrivals []float64 // new builds the programme plans per period
	NBEffort float64   // work units per new build
	Delay    float64   // £k per new build per period of delay
	Sites    int       // the operator's cell sites in the region
}

// Name is "operator/region" or "operator/core".
func (p *Pool) Name() string {
	if p.Core {
		return p.Operator + "/core"
	}
	return p.Operator + "/" + p.Region
}

// Job is one unit of work: replacing the designated equipment at one site
// of one operator in one visit, or one core, security or management
// function (with the functions it hosts), or one transport node.
type Job struct {
	ID        string
	Kind      string // site, core, management, transport
	Operator  string
	Site      string
	SiteKind  string
	Region    string
	Pool      int
	Elements  []string
	Rules     []string // the rules whose findings it clears
	Effort    float64  // work units in its pool
	Capex     float64  // £k
	Due       cf.Date  // earliest deadline among its rules; zero for cap-only jobs
	Optional  bool     // no deadline: done only to meet a share cap
	Overdue   bool     // the deadline passes before the job could be done
	Release   int      // first period it can be done in (lead time)
	Last      int      // last period it can be done in (its deadline, or the horizon)
	Traffic   float64  // Gbps of busy-hour traffic at the site
	Sensitive bool     // at a sensitive site
	Priority  float64  // traffic, ×10 at sensitive sites; core, security and management first

	cost     []float64 // total cost per period, index t−Release
	writeoff []float64
	penalty  []float64
	risk     []float64
	caps     []capRef // milestones it counts towards
}

// capRef ties a job to a milestone: the unit (counted site) it belongs
// to, and its share w of the unit's weight, which the Lagrangian method
// prices (any split of a unit's weight among its jobs gives a valid bound).
type capRef struct {
	k, u int
	w    float64
}

// CapUnit is one site a share cap counts: it holds designated equipment in
// the cap's scope, and stops counting when the last of the jobs that
// remove that equipment is done — whatever the site's kind (a cell site
// needs one visit; an exchange may need several core or transport jobs).
type CapUnit struct {
	Site   string
	Weight float64 // in the cap's metric: 1 site, its traffic or its premises
	Jobs   []int   // the jobs that remove the counted equipment
}

// Milestone is a share cap at a date: sites holding at least Need (in the
// cap's metric) of the operator's designated measure must have been
// cleared by then.
type Milestone struct {
	Rule     string
	Operator string
	Metric   string // sites, traffic or premises
	Cap      float64
	Date     cf.Date
	Period   int     // the last period that ends by Date
	Overdue  bool    // Date passes before the work could be done: moved to Period, the earliest the crews allow
	Need     float64 // in the metric's unit
	Total    float64 // the denominator: all in-scope sites (or their traffic)
	Start    float64 // designated at the start, in the metric's unit
	Units    []CapUnit
	Jobs     []int     // candidate jobs: those of every unit
	Weights  []float64 // per candidate job: its share of its unit's weight
}

// addMilestone appends a milestone whose Units are set, listing its
// candidate jobs and tying each job to it.
func (p *Problem) addMilestone(ms Milestone) {
	k := len(p.Milestones)
	ms.Jobs, ms.Weights = nil, nil
	for u, cu := range ms.Units {
		for _, ji := range cu.Jobs {
			w := cu.Weight / float64(len(cu.Jobs))
			ms.Jobs = append(ms.Jobs, ji)
			ms.Weights = append(ms.Weights, w)
			p.Jobs[ji].caps = append(p.Jobs[ji].caps, capRef{k, u, w})
		}
	}
	p.Milestones = append(p.Milestones, ms)
}

// unitDone returns the period in which unit u of the milestone is cleared
// under schedule s, or -1 when it is not.
func (ms *Milestone) unitDone(u int, s Schedule) int {
	done := -1
	for _, ji := range ms.Units[u].Jobs {
		if s[ji] < 0 {
			return -1
		}
		done = max(done, s[ji])
	}
	return done
}

// Budget limits an operator's capital spending in one calendar year.
type Budget struct {
	Operator string
	Year     int
	From, To int // periods
	Limit    float64
}

// Problem is a planning instance: jobs, crews, milestones and budgets over
// a calendar of periods.
type Problem struct {
	Params     *Params
	Packs      []string
	Periods    []Period // horizon, then tail
	T          int      // periods in the horizon
	Pools      []Pool
	Jobs       []Job
	Milestones []Milestone
	Budgets    []Budget
	// Exposed are the cell sites holding designated equipment, for the
	// risk measure: traffic carried over designated equipment until the
	// site's job is done (or the horizon ends).
	Exposed  []Exposure
	Warnings []string

	ops   []string // operator ids with jobs, sorted
	opIdx map[string]int
}

// operators lists the operators with jobs, sorted.
func (p *Problem) operators() []string {
	if p.ops == nil {
		seen := map[string]bool{}
		for _, j := range p.Jobs {
			if !seen[j.Operator] {
				seen[j.Operator] = true
				p.ops = append(p.ops, j.Operator)
			}
		}
		sort.Strings(p.ops)
		if p.ops == nil {
			p.ops = []string{}
		}
	}
	return p.ops
}

func (p *Problem) opIndex() map[string]int {
	if p.opIdx == nil {
		p.opIdx = map[string]int{}
		for i, op := range p.operators() {
			p.opIdx[op] = i
		}
	}
	return p.opIdx
}

// Exposure is one cell site holding designated equipment.
type Exposure struct {
	Site    string
	Traffic float64
	Job     int // -1: no job clears it
}

// Months returns the months per period.
func (p *Problem) Months() int { return p.Params.monthsPerPeriod() }

// Cost returns job j's total cost if done in period t.
func (j *Job) Cost(t int) float64 { return j.cost[t-j.Release] }

// Writeoff returns the book value written off if job j is done in period t.
func (j *Job) Writeoff(t int) float64 { return j.writeoff[t-j.Release] }

// Penalty returns the overdue penalty if job j is done in period t.
func (j *Job) Penalty(t int) float64 { return j.penalty[t-j.Release] }

// Risk returns the risk cost if job j is done in period t.
func (j *Job) Risk(t int) float64 { return j.risk[t-j.Release] }

var cellSiteKinds = map[string]bool{
	inventory.SiteMacro: true, inventory.SiteRooftop: true, inventory.SiteSmallCell: true, inventory.SiteOther: true,
}

// Build derives the planning problem from the findings of packs: it checks
// inv at the end of the horizon, turns every element the rules require
// removed into jobs, and every share cap into milestones. It returns
// *corefence.Problems when the parameters name operators, regions,
// functions or vendors the inventory does not know.
func Build(ctx context.Context, inv *inventory.Inventory, packs []*policy.Pack, params *Params) (*Problem, error) {
	if params.Start.IsZero() {
		return nil, fmt.Errorf("planner: no start date")
	}
	if err := params.Check(); err != nil {
		return nil, err
	}
	b := &builder{inv: inv, params: params, packs: packs}
	if err := b.checkParams(); err != nil {
		return nil, err
	}
	if err := b.calendar(params.End); err != nil {
		return nil, err
	}
	if err := b.findings(ctx); err != nil {
		return nil, err
	}
	if err := b.jobs(); err != nil {
		return nil, err
	}
	b.tail()
	if err := b.milestones(); err != nil {
		return nil, err
	}
	b.budgets()
	b.exposure()
	return b.prob, nil
}

type builder struct {
	inv    *inventory.Inventory
	params *Params
	packs  []*policy.Pack
	prob   *Problem

	designated []bool // vendor groups designated by any pack
	// found: element → the rules (and their dates) requiring it removed.
	found map[inventory.Ref][]ruleDate
	// capFound: cap rule → elements the cap counts.
	capFound map[*policy.Rule][]inventory.Ref
	capRules []capRule
	siteJob  map[inventory.Ref]int
	jobOf    map[string]int // job key → job index
	noDate   int
}

type ruleDate struct {
	rule      *policy.Rule
	date      cf.Date
	sensitive bool
}

type capRule struct {
	pack *policy.Pack
	rule *policy.Rule
}

func (b *builder) checkParams() error {
	probs := &cf.Problems{}
	p := b.params
	ops := map[string]bool{}
	regions := map[string]bool{}
	for _, o := range b.inv.Operators {
		ops[o.ID] = true
	}
	var opIDs, regionIDs []string
	for _, s := range b.inv.Sites {
		if s.Region != "" && !regions[s.Region] {
			regions[s.Region] = true
			regionIDs = append(regionIDs, s.Region)
		}
	}
	for id := range ops {
		opIDs = append(opIDs, id)
	}
	sort.Strings(opIDs)
	sort.Strings(regionIDs)
	op := func(pos cf.Position, field, id string) {
		if !ops[id] {
			probs.Addf(pos, "params", "", field, "%s", unknown("operator", id, opIDs))
		}
	}
	region := func(pos cf.Position, field string, m map[string]float64) {
		for _, r := range sortedKeys(m) {
			if !regions[r] {
				probs.Addf(pos, "params", "", field, "%s", unknown("region", r, regionIDs))
			}
		}
	}
	region(p.Crews.Pos, "crews.regions", p.Crews.Regions)
	for _, id := range sortedKeys(p.Crews.Operators) {
		op(p.Crews.Pos, "crews.operators", id)
		region(p.Crews.Operators[id].Pos, "crews.operators."+id+".regions", p.Crews.Operators[id].Regions)
	}
	region(p.NewBuilds.Pos, "new_builds.regions", p.NewBuilds.Regions)
	for _, id := range sortedKeys(p.NewBuilds.Operators) {
		op(p.NewBuilds.Pos, "new_builds.operators", id)
		region(p.NewBuilds.Operators[id].Pos, "new_builds.operators."+id+".regions", p.NewBuilds.Operators[id].Regions)
	}
	for _, id := range sortedKeys(p.Budget.Operators) {
		op(p.Budget.Pos, "budget.operators", id)
	}
	for _, id := range sortedKeys(p.Replace) {
		op(p.Pos, "replacement", id)
	}
	for _, key := range sortedKeys(p.Costs.Equipment) {
		fn, variant, _ := strings.Cut(key, ":")
		if _, ok := b.inv.Catalogue.Lookup(fn); !ok {
			probs.Addf(p.Costs.Pos, "params", "", "costs.equipment", "%s", strings.Replace(unknown("function", fn, b.inv.Catalogue.IDs()), "in the inventory", "in the function catalogue", 1))
		}
		if variant != "" {
			if _, ok := cf.ParseTech(variant); !ok {
				probs.Addf(p.Costs.Pos, "params", "", "costs.equipment", "%q: %s", key, badChoice(variant, cf.TechNames()))
			}
		}
	}
	vendors := append([]string{p.Vendor}, sortedValues(p.Replace)...)
	for _, v := range vendors {
		g, ok := b.inv.Registry.Group(v)
		if !ok {
			continue // a vendor corefence does not know (an Open RAN integrator, say) is fine
		}
		for _, pk := range b.packs {
			if contains(pk.Designated, g.ID) {
				probs.Addf(p.Pos, "params", "", "replacement", "vendor %q is designated by pack %s: it cannot replace designated equipment", v, pk.ID)
			}
		}
	}
	return probs.Err()
}

func sortedValues(m map[string]string) []string {
	var out []string
	for _, k := range sortedKeys(m) {
		out = append(out, m[k])
	}
	return out
}

func unknown(what, id string, valid []string) string {
	msg := fmt.Sprintf("no %s %q in the inventory", what, id)
	if s := suggest(id, valid); s != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", s)
	}
	return msg
}

// calendar sets the periods; end (or, when zero, the last rule date that
// matters, and at least two years) closes the horizon, which may have at
// most max_periods periods.
func (b *builder) calendar(end cf.Date) error {
	p := b.params
	if end.IsZero() {
		end = addMonths(p.Start, 24).AddDays(-1)
		for _, pk := range b.packs {
			for i := range pk.Rules {
				r := &pk.Rules[i]
				if r.Kind != policy.KindDiversity && r.Deadline() > end {
					end = r.Deadline()
				}
			}
		}
	}
	prob := &Problem{Params: p}
	for _, pk := range b.packs {
		prob.Packs = append(prob.Packs, pk.ID)
	}
	limit := defaultMaxPeriods
	if p.MaxPeriods != nil {
		limit = *p.MaxPeriods
	}
	if n := p.periodsTo(end); n > limit {
		how := "set by end"
		if p.End.IsZero() {
			how = "to the last rule date of the packs"
		}
		return fmt.Errorf("planner: the horizon from %s to %s (%s) has %d %ss, more than the limit of %d: set end, or raise max_periods in the parameters",
			p.Start, end, how, n, p.periodName(), limit)
	}
	for i := 0; ; i++ {
		s := p.periodStart(i)
		if s > end {
			break
		}
		prob.Periods = append(prob.Periods, Period{Label: periodLabel(p, s), Start: s, End: p.periodStart(i + 1).AddDays(-1)})
	}
	prob.T = len(prob.Periods)
	b.prob = prob
	return nil
}

// tooBig is the error for a problem with more job-period variables than
// max_job_periods allows: its memory and time grow with them.
func (b *builder) tooBig(jobs, limit int) error {
	return fmt.Errorf("planner: %d jobs over %d periods make more than %d job-period variables, the limit: shorten the horizon, or raise max_job_periods in the parameters",
		jobs, b.prob.T, limit)
}

func periodLabel(p *Params, s cf.Date) string {
	t := s.Time()
	if p.Period == Month {
		return fmt.Sprintf("%04d-%02d", t.Year(), t.Month())
	}
	if (t.Month()-1)%3 == 0 {
		return fmt.Sprintf("%04d-Q%d", t.Year(), (t.Month()-1)/3+1)
	}
	return fmt.Sprintf("%04d-%02d+3m", t.Year(), t.Month())
}

// End returns the last day of the horizon.
func (p *Problem) End() cf.Date { return p.Periods[p.T-1].End }

// dueBy returns the last period that ends on or before date d, or -1.
func (p *Problem) dueBy(d cf.Date) int {
	t := -1
	for i := 0; i < p.T; i++ {
		if p.Periods[i].End <= d {
			t = i
		}
	}
	return t
}

// findings checks the network at the end of the horizon with the packs and
// with each share cap turned into an exclusion of the same scope (whose
// findings are the sites the cap counts).
func (b *builder) findings(ctx context.Context) error {
	inv := b.inv
	b.designated = make([]bool, len(inv.Groups))
	all := append([]*policy.Pack(nil), b.packs...)
	capOf := map[*policy.Pack]*policy.Rule{}
	for _, pk := range b.packs {
		for _, id := range pk.Designated {
			if g, ok := inv.Group(id); ok {
				b.designated[g] = true
			}
		}
		for i := range pk.Rules {
			r := &pk.Rules[i]
			switch r.Kind {
			case policy.KindShareCap:
				if r.Deadline() > b.prob.End() {
					b.warnf("rule %s (%s) falls after the horizon (%s) and is not planned", r.ID, r.Deadline(), b.prob.End())
					continue
				}
				b.capRules = append(b.capRules, capRule{pk, r})
				// The same scope as an exclusion: its findings are the
				// designated, in-scope elements the cap counts.
				ex := *r
				ex.Kind, ex.Metrics, ex.Cap = policy.KindExclude, nil, nil
				derived := &policy.Pack{ID: pk.ID, Title: pk.Title, Kind: pk.Kind, Status: pk.Status,
					Designated: pk.Designated, Rules: []policy.Rule{ex}}
				capOf[derived] = r
				all = append(all, derived)
			case policy.KindDiversity:
				b.warnf("rule %s is a diversity rule: it asks for no removal and is not planned", r.ID)
			}
		}
	}
	res, err := policy.Check(ctx, inv, all, policy.Options{AsOf: b.prob.End()})
	if err != nil {
		return err
	}
	b.found = map[inventory.Ref][]ruleDate{}
	b.capFound = map[*policy.Rule][]inventory.Ref{}
	unmeasured := map[string]map[string]int{} // rule → the finding's reason → elements
	beyond := map[*policy.Rule]bool{}
	for i := range res.Findings {
		f := &res.Findings[i]
		if f.Element == inventory.NoRef {
			continue // operator-level: share caps (planned as milestones) and diversity
		}
		switch f.Status {
		case policy.StatusUnmeasured:
			if unmeasured[f.Rule.ID] == nil {
				unmeasured[f.Rule.ID] = map[string]int{}
			}
			unmeasured[f.Rule.ID][f.Why]++
			continue
		case policy.StatusUpcoming:
			if f.Deadline() > b.prob.End() { // a rule due "by" the horizon's last day is still upcoming on it
				beyond[f.Rule] = true
				continue
			}
		case policy.StatusWaived:
			continue
		}
		if r, ok := capOf[f.Pack]; ok {
			b.capFound[r] = append(b.capFound[r], f.Element)
			continue
		}
		b.found[f.Element] = append(b.found[f.Element], ruleDate{f.Rule, f.Deadline(), f.Rule.Kind == policy.KindExcludeAtSites})
	}
	for _, id := range sortedKeys(unmeasured) {
		b.warnf("rule %s: %s", id, unmeasuredWhy(unmeasured[id]))
	}
	var late []string
	for r := range beyond {
		late = append(late, fmt.Sprintf("%s (%s)", r.ID, r.Deadline()))
	}
	sort.Strings(late)
	for _, s := range late {
		b.warnf("rule %s falls after the horizon (%s) and is not planned", s, b.prob.End())
	}
	return nil
}

func (b *builder) warnf(format string, args ...any) {
	b.prob.Warnings = append(b.prob.Warnings, fmt.Sprintf(format, args...))
}

func (b *builder) root(e inventory.Ref) inventory.Ref {
	for b.inv.Elements[e].HostRef != inventory.NoRef {
		e = b.inv.Elements[e].HostRef
	}
	return e
}

// jobKey groups elements into jobs: every element at a cell site (and fixed
// access at an exchange) goes with its site; elsewhere each element goes
// with the element at the bottom of its hosting chain.
func (b *builder) jobKey(e inventory.Ref) (key string, site bool) {
	inv := b.inv
	el := &inv.Elements[e]
	s := &inv.Sites[el.SiteRef]
	if cellSiteKinds[s.Kind] || inv.Function(el).Domain == cf.DomainFixedAccess {
		return "s\x00" + s.ID, true
	}
	return "u\x00" + inv.Elements[b.root(e)].ID, false
}

// jobs groups the elements found into jobs and prices them; it stops
// when the job-period variables would pass max_job_periods.
func (b *builder) jobs() error {
	inv, p, prob := b.inv, b.params, b.prob
	limit, size := defaultMaxJobPeriods, 0
	if p.MaxJobPeriods != nil {
		limit = *p.MaxJobPeriods
	}
	type group struct {
		site    bool
		root    inventory.Ref
		siteRef inventory.Ref
		elems   []inventory.Ref
		rules   []ruleDate
		caps    []*policy.Rule
	}
	groups := map[string]*group{}
	var order []string
	add := func(e inventory.Ref) *group {
		key, site := b.jobKey(e)
		g := groups[key]
		if g == nil {
			g = &group{site: site, root: b.root(e), siteRef: inv.Elements[e].SiteRef}
			groups[key] = g
			order = append(order, key)
		}
		return g
	}
	for e, rds := range b.found {
		g := add(e)
		g.rules = append(g.rules, rds...)
	}
	for r, elems := range b.capFound {
		for _, e := range elems {
			g := add(e)
			if len(g.caps) == 0 || g.caps[len(g.caps)-1] != r {
				g.caps = append(g.caps, r)
			}
		}
	}
	// Every designated element in the network that shares a job's site (or
	// hosting chain) goes in the same visit when colocated is set, else only
	// those the rules name.
	member := map[inventory.Ref]bool{}
	for e := range b.found {
		member[inventory.Ref(e)] = true
	}
	for _, elems := range b.capFound {
		for _, e := range elems {
			member[e] = true
		}
	}
	for i := range inv.Elements {
		e := inventory.Ref(i)
		el := &inv.Elements[i]
		if !el.InNetwork(false) || !b.designated[el.Group] {
			continue
		}
		key, _ := b.jobKey(e)
		g := groups[key]
		if g == nil || (!member[e] && !*p.Colocated) {
			continue
		}
		g.elems = append(g.elems, e)
	}
	sort.Strings(order)

	poolIdx := map[string]int{}
	days := func(a, c cf.Date) float64 { return float64(a.Sub(c)) }
	for _, key := range order {
		g := groups[key]
		site := &inv.Sites[g.siteRef]
		opRef := site.OperatorRef
		op := inv.Operators[opRef].ID
		j := Job{Operator: op, Site: site.ID, SiteKind: site.Kind, Region: site.Region}
		rootEl := &inv.Elements[g.root]
		if g.site {
			j.ID, j.Kind = site.ID, KindSite
			j.Effort = p.Effort[site.Kind]
			j.Capex = p.Costs.Visit[site.Kind]
			j.Traffic = site.Traffic.Float()
			j.Sensitive = site.HasTag(inventory.TagNationalSecurity) || site.HasTag(inventory.TagCNISafety)
		} else {
			j.ID = rootEl.ID
			switch inv.Function(rootEl).Domain {
			case cf.DomainTransport:
				j.Kind = KindTransport
			case cf.DomainManagement:
				j.Kind = KindManagement
			default:
				j.Kind = KindCore
			}
			j.Capex = p.Costs.Visit[j.Kind]
			j.Effort = p.Effort[KindTransport]
		}
		core := site.Kind == inventory.SiteDataCentre && j.Kind != KindSite
		if core {
			j.Effort = 1
		}
		// Pool.
		region := site.Region
		if core {
			region = ""
		}
		pk := op + "\x00" + region + "\x00" + strconv.FormatBool(core)
		pi, ok := poolIdx[pk]
		if !ok {
			pi = len(prob.Pools)
			poolIdx[pk] = pi
			prob.Pools = append(prob.Pools, b.pool(op, region, core))
		}
		j.Pool = pi

		vendor := p.Vendor
		if v, ok := p.Replace[op]; ok {
			vendor = v
		}
		factor, lead := 1.0, *p.LeadTime
		if v, ok := p.Vendors[vendor]; ok {
			if v.PriceFactor != nil {
				factor = *v.PriceFactor
			}
			if v.LeadTime != nil {
				lead = *v.LeadTime
			}
		}
		type asset struct {
			value, life float64
			installed   cf.Date
		}
		var assets []asset
		sort.Slice(g.elems, func(a, c int) bool { return inv.Elements[g.elems[a]].ID < inv.Elements[g.elems[c]].ID })
		for _, e := range g.elems {
			el := &inv.Elements[e]
			j.Elements = append(j.Elements, el.ID)
			price := b.price(el)
			j.Capex += price * factor
			if el.Installed.IsZero() {
				b.noDate++
				continue
			}
			dom := inv.Function(el).Domain.String()
			assets = append(assets, asset{price * *p.Costs.ValueFactor, p.Costs.LifeYears[dom], el.Installed})
		}
		if g.site {
			// A visit that only swaps a site router or microwave link is a
			// transport job, with its smaller effort and visit cost.
			radio := false
			for _, e := range g.elems {
				if d := inv.Function(&inv.Elements[e]).Domain; d != cf.DomainTransport {
					radio = true
				}
			}
			if !radio {
				j.Effort = p.Effort[KindTransport]
				j.Capex += p.Costs.Visit[KindTransport] - p.Costs.Visit[site.Kind]
			}
		}
		ruleSet := map[string]bool{}
		for _, rd := range g.rules {
			ruleSet[rd.rule.ID] = true
			if j.Due.IsZero() || rd.date < j.Due {
				j.Due = rd.date
			}
			if rd.sensitive {
				j.Sensitive = true
			}
		}
		for _, r := range g.caps {
			ruleSet[r.ID] = true
		}
		j.Rules = sortedKeys(ruleSet)
		j.Priority = j.Traffic
		if j.Sensitive {
			j.Priority *= 10
		}
		if !g.site {
			j.Priority = 1e6
		}

		// Window.
		whole := math.Floor(lead)
		arrival := addMonths(p.Start, int(whole)).AddDays(int(math.Round((lead - whole) * 30.4375)))
		j.Release = prob.T
		for t := 0; t < prob.T; t++ {
			if prob.Periods[t].Start >= arrival {
				j.Release = t
				break
			}
		}
		j.Last = prob.T - 1
		if j.Due.IsZero() {
			j.Optional = true
		} else if d := prob.dueBy(j.Due); d < j.Release {
			j.Overdue = true
		} else {
			j.Last = d
		}
		if j.Release > j.Last {
			// Not even the horizon leaves time for the lead time: keep the
			// job in the last period, which the feasibility check reports.
			j.Release = j.Last
		}
		n := j.Last - j.Release + 1
		if size += n; size > limit {
			return b.tooBig(len(order), limit)
		}
		j.cost = make([]float64, n)
		j.writeoff = make([]float64, n)
		j.penalty = make([]float64, n)
		j.risk = make([]float64, n)
		for k := 0; k < n; k++ {
			t := j.Release + k
			done := prob.Periods[t].End
			w := 0.0
			for _, a := range assets {
				age := days(done, a.installed) / 365.25
				if age < a.life {
					w += a.value * (1 - age/a.life)
				}
			}
			j.writeoff[k] = w
			if j.Overdue && done > j.Due {
				j.penalty[k] = *p.Costs.Overdue * days(done, j.Due) / 30.4375
			}
			j.risk[k] = *p.Costs.Risk * j.Traffic * days(done.AddDays(1), p.Start) / 365.25
			j.cost[k] = j.Capex + w + j.penalty[k] + j.risk[k]
		}
		prob.Jobs = append(prob.Jobs, j)
		if b.jobOf == nil {
			b.jobOf = map[string]int{}
		}
		b.jobOf[key] = len(prob.Jobs) - 1
		if g.site {
			if b.siteJob == nil {
				b.siteJob = map[inventory.Ref]int{}
			}
			b.siteJob[g.siteRef] = len(prob.Jobs) - 1
		}
	}
	if b.noDate > 0 {
		b.warnf("%d element(s) to replace have no install date: their write-off is counted as zero", b.noDate)
	}
	return nil
}

// tail adds the periods after the horizon in which the new-build backlog
// is followed: as many as the parameters say, or by default the fewest in
// which any backlog a plan can leave at the end of the horizon clears
// (backlogTail), at least 4 and at most three times the horizon. Within
// that default no plan's cost depends on the tail's length: the backlog
// is back to zero before the tail ends, and later periods would cost
// nothing.
func (b *builder) tail() {
	p, prob := b.params, b.prob
	n := 0
	if p.Tail != nil {
		n = *p.Tail
	} else {
		work := make([]float64, len(prob.Pools))
		for _, j := range prob.Jobs {
			work[j.Pool] += j.Effort
		}
		n = 4
		limit := max(4, 3*prob.T)
		for i, pl := range prob.Pools {
			if !pl.hasNewBuilds() {
				continue
			}
			need, clears := pl.backlogTail(prob.T, work[i])
			switch {
			case !clears:
				b.warnf("the new-build programme of %s needs all its crews: a backlog never clears; it is followed for %d periods after the horizon", pl.Name(), limit)
				n = limit
			case need > limit:
				b.warnf("a new-build backlog of %s could take %d periods to clear after the horizon; it is followed for %d, so later delay is not counted", pl.Name(), need, limit)
				n = limit
			default:
				n = max(n, need)
			}
		}
	}
	for i := 0; i < n; i++ {
		s := p.periodStart(prob.T + i)
		prob.Periods = append(prob.Periods, Period{Label: periodLabel(p, s), Start: s, End: p.periodStart(prob.T + i + 1).AddDays(-1), Tail: true})
	}
	for i := range prob.Pools {
		pl := &prob.Pools[i]
		for len(pl.Capacity) < len(prob.Periods) {
			pl.Capacity = append(pl.Capacity, pl.Capacity[prob.T-1])
			pl.Arrivals = append(pl.Arrivals, pl.Arrivals[prob.T-1])
		}
	}
}

// unmeasuredWhy says how many elements of a rule cannot be measured, and
// why, in the findings' own words: the commonest three reasons with their
// counts, then how many elements are left for other reasons.
func unmeasuredWhy(why map[string]int) string {
	reasons := sortedKeys(why)
	total := 0
	for _, r := range reasons {
		total += why[r]
	}
	sort.SliceStable(reasons, func(a, b int) bool { return why[reasons[a]] > why[reasons[b]] })
	var parts []string
	rest := total
	for i, r := range reasons {
		if i == 3 {
			parts = append(parts, fmt.Sprintf("%d for other reasons", rest))
			break
		}
		if r == "" {
			r = "no reason given"
		}
		parts = append(parts, fmt.Sprintf("%s (%d)", r, why[reasons[i]]))
		rest -= why[reasons[i]]
	}
	return fmt.Sprintf("%d element(s) cannot be measured and are not planned: %s", total, strings.Join(parts, "; "))
}

// backlogTail returns the fewest periods after a horizon of T periods in
// which the largest new-build backlog a plan can leave clears, given the
// pool's work W (its jobs' effort), and false when the programme leaves no
// spare capacity to clear one. New builds are served as soon as capacity
// allows (evaluate.go), so the backlog at the end of the horizon, in work
// units, is the largest excess of demand over capacity in any final run of
// k periods: at most min(W, the run's capacity) − the run's spare capacity
// (capacity less the programme's work). After the horizon it shrinks by
// the last period's spare capacity each period.
func (pl *Pool) backlogTail(T int, work float64) (periods int, clears bool) {
	spare := pl.Capacity[T-1] - pl.Arrivals[T-1]*pl.NBEffort
	if spare <= 1e-9 {
		return 0, false
	}
	worst, capacity, free := 0.0, 0.0, 0.0
	for t := T - 1; t >= 0; t-- {
		capacity += pl.Capacity[t]
		free += pl.Capacity[t] - pl.Arrivals[t]*pl.NBEffort
		worst = math.Max(worst, math.Min(work, capacity)-free)
	}
	return int(math.Ceil(worst/spare - 1e-9)), true
}

// price is the replacement price of one element, before the vendor factor.
func (b *builder) price(el *inventory.Element) float64 {
	p := b.params
	fn := b.inv.Function(el)
	if el.Tech&cf.Tech5G != 0 {
		if v, ok := p.Costs.Equipment[fn.ID+":5g"]; ok {
			return v
		}
	}
	if v, ok := p.Costs.Equipment[fn.ID]; ok {
		return v
	}
	return p.Costs.Domain[fn.Domain.String()]
}

// pool sizes an operator's crews in a region (or its core teams) and its
// new-build programme there.
func (b *builder) pool(op, region string, core bool) Pool {
	p := b.params
	pl := Pool{Operator: op, Region: region, Core: core}
	m := float64(p.monthsPerPeriod())
	oc := p.Crews.Operators[op]
	if core {
		teams := *p.Crews.CoreTeams
		if oc.CoreTeams != nil {
			teams = *oc.CoreTeams
		}
		pl.Crews, pl.PerCrew = teams, *p.Crews.CoreJobsPerTeam*m
	} else {
		for i := range b.inv.Sites {
			s := &b.inv.Sites[i]
			if s.Region == region && cellSiteKinds[s.Kind] && b.inv.Operators[s.OperatorRef].ID == op {
				pl.Sites++
			}
		}
		per := *p.Crews.Per1000
		if oc.Per1000 != nil {
			per = *oc.Per1000
		}
		// Crews scale with the sites, but a region with sites has at least
		// one crew: a crew cannot come in fractions smaller than one, and
		// without the floor a small network's regions (0.01 crews for a
		// handful of sites) could never fit a single job.
		pl.Crews = max(per*float64(pl.Sites)/1000, min(1, float64(pl.Sites)))
		if v, ok := p.Crews.Regions[region]; ok {
			pl.Crews = v
		}
		if v, ok := oc.Regions[region]; ok {
			pl.Crews = v
		}
		pl.PerCrew = *p.Crews.SwapsPerMonth * m
		on := p.NewBuilds.Operators[op]
		nbPer := *p.NewBuilds.Per1000
		if on.Per1000 != nil {
			nbPer = *on.Per1000
		}
		rate := nbPer * float64(pl.Sites) / 1000
		if v, ok := p.NewBuilds.Regions[region]; ok {
			rate = v
		}
		if v, ok := on.Regions[region]; ok {
			rate = v
		}
		pl.NBEffort = p.Effort[KindNewBuild]
		pl.Delay = *p.Costs.Delay * m
		pl.Arrivals = make([]float64, len(b.prob.Periods))
		for t := range pl.Arrivals {
			pl.Arrivals[t] = rate * m
		}
	}
	pl.Capacity = make([]float64, len(b.prob.Periods))
	for t := range pl.Capacity {
		pl.Capacity[t] = pl.Crews * pl.PerCrew
	}
	if pl.Arrivals == nil {
		pl.Arrivals = make([]float64, len(b.prob.Periods))
	}
	return pl
}

// milestones turns each share cap into, per operator over it, the weight
// of its designated sites that must be swapped by the cap's date.
func (b *builder) milestones() error {
	inv, prob := b.inv, b.prob
	for _, cr := range b.capRules {
		shares, err := policy.Shares(inv, cr.pack, cr.rule, policy.Options{AsOf: prob.End()})
		if err != nil {
			return err
		}
		// The sites the cap counts, each with the jobs that remove the
		// counted equipment there (one for a cell site; at an exchange,
		// every core, transport or access job with such equipment).
		type site struct {
			ref  inventory.Ref
			jobs []int
		}
		units := map[inventory.Ref][]*site{} // operator → counted sites
		siteOf := map[inventory.Ref]*site{}
		for _, e := range b.capFound[cr.rule] {
			sr := inv.Elements[e].SiteRef
			key, _ := b.jobKey(e)
			ji, ok := b.jobOf[key]
			if !ok {
				continue
			}
			u := siteOf[sr]
			if u == nil {
				u = &site{ref: sr}
				siteOf[sr] = u
				op := inv.Sites[sr].OperatorRef
				units[op] = append(units[op], u)
			}
			if !slices.Contains(u.jobs, ji) {
				u.jobs = append(u.jobs, ji)
			}
		}
		capQ := int64(*cr.rule.Cap)
		for _, sh := range shares {
			opID := inv.Operators[sh.Operator].ID
			if !sh.Measured {
				b.warnf("rule %s: %s of operator %s cannot be measured (%s); that cap is not planned", cr.rule.ID, sh.Metric, opID, sh.Why)
				continue
			}
			num, den := sh.Value.Num, sh.Value.Den
			if den.Sign() == 0 {
				continue
			}
			// need = num − cap·den, exactly: a share exactly at the cap complies.
			scale := big.NewInt(int64(cf.QuantityScale))
			need := new(big.Int).Mul(num, scale)
			need.Sub(need, new(big.Int).Mul(big.NewInt(capQ), den))
			if need.Sign() <= 0 {
				continue
			}
			ms := Milestone{Rule: cr.rule.ID, Operator: opID, Metric: sh.Metric, Cap: cr.rule.Cap.Float(), Date: cr.rule.Deadline()}
			unit := 1.0 // the metric's unit per Ratio unit
			if sh.Metric == "traffic" {
				unit = 1 / float64(cf.QuantityScale)
			}
			needF, _ := new(big.Rat).SetFrac(need, scale).Float64()
			if sh.Metric == "sites" {
				// A whole number of sites: the least k with num − k ≤ cap·den.
				needF = math.Ceil(needF - 1e-12)
			}
			ms.Need = needF * unit
			ms.Total, _ = new(big.Rat).SetInt(den).Float64()
			ms.Start, _ = new(big.Rat).SetInt(num).Float64()
			ms.Total *= unit
			ms.Start *= unit
			got := 0.0
			for _, u := range units[sh.Operator] {
				st := &inv.Sites[u.ref]
				w := 1.0
				switch sh.Metric {
				case "traffic":
					w = st.Traffic.Float()
				case "premises":
					w = float64(st.Premises)
				}
				sort.Ints(u.jobs)
				ms.Units = append(ms.Units, CapUnit{Site: st.ID, Weight: w, Jobs: u.jobs})
				got += w
			}
			if got < ms.Start*(1-1e-9)-1e-9 {
				b.warnf("rule %s: operator %s's counted sites hold %.6g of the %.6g designated %s the cap counts; the rest has no job",
					cr.rule.ID, opID, got, ms.Start, sh.Metric)
			}
			prob.addMilestone(ms)
			b.placeMilestone(&prob.Milestones[len(prob.Milestones)-1])
		}
	}
	return nil
}

// placeMilestone sets the milestone's period: the last period ending by
// its date, or — when that passes before any candidate can be done (the
// cap is already exceeded at the start, or its date falls within the lead
// time) — the first period by which the operator's crews, doing nothing
// else, could swap enough sites.
func (b *builder) placeMilestone(ms *Milestone) {
	prob := b.prob
	ms.Period = prob.dueBy(ms.Date)
	rmin := prob.T
	for _, ji := range ms.Jobs {
		rmin = min(rmin, prob.Jobs[ji].Release)
	}
	if ms.Period >= rmin {
		return
	}
	ms.Overdue = true
	// Counted sites by weight per unit of work, best first.
	type unit struct {
		w, work float64
		release int
	}
	var us []unit
	var pools []int
	for _, cu := range ms.Units {
		u := unit{w: cu.Weight}
		for _, ji := range cu.Jobs {
			j := &prob.Jobs[ji]
			u.work += j.Effort
			u.release = max(u.release, j.Release)
			if !slices.Contains(pools, j.Pool) {
				pools = append(pools, j.Pool)
			}
		}
		us = append(us, u)
	}
	sort.Ints(pools)
	sort.SliceStable(us, func(a, c int) bool { return us[a].w*us[c].work > us[c].w*us[a].work })
	capacity := 0.0
	for t := 0; t < prob.T; t++ {
		for _, pi := range pools {
			capacity += prob.Pools[pi].Capacity[t]
		}
		got, work := 0.0, 0.0
		for _, u := range us {
			if got >= ms.Need-1e-9 {
				break
			}
			if u.release <= t {
				got += u.w
				work += u.work
			}
		}
		if got >= ms.Need-1e-9 && work <= capacity+1e-9 {
			ms.Period = t
			return
		}
	}
	ms.Period = prob.T - 1
}

// budgets sets the yearly capital limits.
func (b *builder) budgets() {
	p, prob := b.params, b.prob
	for _, op := range prob.operators() {
		ob := p.Budget.Operators[op]
		first, last := prob.Periods[0].Start.Time().Year(), prob.Periods[prob.T-1].Start.Time().Year()
		for y := first; y <= last; y++ {
			limit := 0.0
			if v, ok := ob.Years[strconv.Itoa(y)]; ok {
				limit = v
			} else if ob.PerYear > 0 {
				limit = ob.PerYear
			} else if p.Budget.PerYear > 0 {
				limit = p.Budget.PerYear
			} else {
				continue
			}
			bg := Budget{Operator: op, Year: y, From: -1, To: -1, Limit: limit}
			for t := 0; t < prob.T; t++ {
				if prob.Periods[t].Start.Time().Year() == y {
					if bg.From < 0 {
						bg.From = t
					}
					bg.To = t
				}
			}
			prob.Budgets = append(prob.Budgets, bg)
		}
	}
}

// exposure lists the cell sites holding designated equipment.
func (b *builder) exposure() {
	inv := b.inv
	seen := map[inventory.Ref]bool{}
	for i := range inv.Elements {
		el := &inv.Elements[i]
		if !el.InNetwork(false) || !b.designated[el.Group] || seen[el.SiteRef] {
			continue
		}
		s := &inv.Sites[el.SiteRef]
		if !cellSiteKinds[s.Kind] {
			continue
		}
		seen[el.SiteRef] = true
		ji, ok := b.siteJob[el.SiteRef]
		if !ok {
			ji = -1
		}
		b.prob.Exposed = append(b.prob.Exposed, Exposure{Site: s.ID, Traffic: s.Traffic.Float(), Job: ji})
	}
	sort.Slice(b.prob.Exposed, func(a, c int) bool { return b.prob.Exposed[a].Site < b.prob.Exposed[c].Site })
}
