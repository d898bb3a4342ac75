package policy

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"maps"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"

	cf "github.com/corefence/corefence"
	"github.com/corefence/corefence/internal/exposure"
	"github.com/corefence/corefence/internal/inventory"
)

// Finding statuses.
const (
	StatusViolation  = "violation"
	StatusAdvisory   = "advisory" // would be a violation, but the rule does not bind (Basis says why)
	StatusUpcoming   = "upcoming"
	StatusWaived     = "waived"
	StatusUnmeasured = "unmeasured"
)

// Statuses lists the finding statuses in the order reports show them.
var Statuses = []string{StatusViolation, StatusAdvisory, StatusUpcoming, StatusWaived, StatusUnmeasured}

// InForce reports whether a finding of this status is one a rule in force
// asks to act on: a violation, or short of a rule that does not bind.
func InForce(status string) bool { return status == StatusViolation || status == StatusAdvisory }

// Options set what a check evaluates.
type Options struct {
	AsOf           cf.Date  // rules whose effective date is on or before it are in force
	IncludePlanned bool     // count planned elements as part of the network
	Waivers        []Waiver // exceptions with approver and expiry
}

// Finding is one subject (an element, or an operator for a share or
// diversity rule) that breaks a rule, will break it when it comes into
// force, is waived, or cannot be measured.
type Finding struct {
	Pack   *Pack
	Rule   *Rule
	Status string

	Operator inventory.Ref      // NoRef when it does not apply
	Site     inventory.Ref      // NoRef when it does not apply
	Element  inventory.Ref      // NoRef when it does not apply
	Group    inventory.GroupRef // NoRef when it does not apply
	Domain   cf.Domain          // diversity findings

	Metric string    // share-cap and diversity: what was measured
	Value  *cf.Ratio // the measured share, or count
	Limit  *cf.Ratio // the cap, or minimum
	// Why says what makes the finding, in words (the area a site lies in,
	// the install date, the data that is missing).
	Why string

	DaysLeft int     // upcoming: days from the as-of date to the effective date
	Waiver   *Waiver // the waiver that covers it, or that expired

	// Effective and DueBy are the rule's dates for this subject: the
	// rule's own, or an element's where a parameter with an attribute
	// sets them per element. Effective is zero when the date is unknown.
	Effective cf.Date
	DueBy     cf.Date
	// Basis is how firmly the rule binds this subject; shared by the
	// findings of a rule.
	Basis *Basis
}

// Deadline is the date a plan must meet the finding's rule by, for this
// subject: its DueBy for a "by" rule, else its Effective.
func (f *Finding) Deadline() cf.Date {
	if !f.DueBy.IsZero() {
		return f.DueBy
	}
	return f.Effective
}

// WaiverExpired reports whether the finding's waiver has lapsed.
func (f *Finding) WaiverExpired() bool { return f.Waiver != nil && f.Status != StatusWaived }

// ID is a stable identifier of the finding's rule and subject, so that two
// checks can be compared finding by finding.
func (f *Finding) ID(inv *inventory.Inventory) string {
	h := fnv.New64a()
	fmt.Fprintf(h, "%s\x00%s\x00%s\x00%s\x00%s\x00%s", f.Rule.ID, inv.OperatorID(f.Operator),
		inv.SiteID(f.Site), inv.ElementID(f.Element), f.Metric, domainName(f.Domain))
	return fmt.Sprintf("%016x", h.Sum64())
}

func domainName(d cf.Domain) string {
	if d == cf.DomainNone {
		return ""
	}
	return d.String()
}

// Result is the outcome of a check.
type Result struct {
	AsOf      cf.Date
	Packs     []*Pack
	Inventory *inventory.Inventory
	Findings  []Finding
	Warnings  []cf.Warning
	// Shares holds, per share-cap rule, the share measured for every
	// operator with sites in its scope — compliant ones included — as
	// Shares would return them; signed evidence reports them all.
	Shares map[*Rule][]Share
}

// Count returns the number of findings with each status.
func (r *Result) Count() map[string]int {
	n := map[string]int{}
	for _, s := range Statuses {
		n[s] = 0
	}
	for i := range r.Findings {
		n[r.Findings[i].Status]++
	}
	return n
}

// Compliant reports whether no finding is a violation.
func (r *Result) Compliant() bool {
	for i := range r.Findings {
		if r.Findings[i].Status == StatusViolation {
			return false
		}
	}
	return true
}

// Check evaluates packs against inv as of opts.AsOf. It returns
// *corefence.Problems when a pack does not fit the inventory (a scope naming
// a function the catalogue lacks, a designated group nobody knows).
func Check(ctx context.Context, inv *inventory.Inventory, packs []*Pack, opts Options) (*Result, error) {
	if opts.AsOf.IsZero() {
		return nil, fmt.Errorf("check: no as-of date")
	}
	c := newChecker(inv, opts)
	probs := &cf.Problems{}
	type job struct {
		pack       *Pack
		rule       *Rule
		scope      *scope
		designated []bool
	}
	var jobs []job
	for _, p := range packs {
		designated := c.designated(p, probs)
		for i := range p.Rules {
			r := &p.Rules[i]
			s := compileScope(inv, p, r, probs)
			jobs = append(jobs, job{p, r, s, c.concerned(r, designated)})
		}
	}
	if err := probs.Err(); err != nil {
		return nil, err
	}
	// Flow rules follow traffic: route it once for all of them.
	for _, j := range jobs {
		if j.rule.Kind == KindFlow {
			g, err := exposure.NewGraph(inv, exposure.Options{IncludePlanned: opts.IncludePlanned})
			if err != nil {
				return nil, err
			}
			if c.routes, err = g.Routes(ctx); err != nil {
				return nil, err
			}
			break
		}
	}

	// Rules are independent: evaluate them in parallel and keep pack and
	// rule order in the result.
	results := make([][]Finding, len(jobs))
	warnings := make([][]cf.Warning, len(jobs))
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				j := jobs[i]
				results[i], warnings[i] = c.rule(ctx, j.pack, j.rule, j.scope, j.designated)
				results[i] = append(results[i], c.unmeasured(ctx, j.pack, j.rule, j.scope, j.designated)...)
			}
		}()
	}
	for i := range jobs {
		if ctx.Err() != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	if err := c.failure.get(); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	res := &Result{AsOf: opts.AsOf, Packs: packs, Inventory: inv, Shares: c.measured}
	// The inventory's own warnings (unknown vendors, near misses of
	// designated ones, overridden functions) bear on every answer.
	res.Warnings = append(res.Warnings, inv.Warnings...)
	for _, p := range packs {
		for _, prm := range p.Parameters {
			for _, op := range slices.Sorted(maps.Keys(prm.ByOperator)) {
				if _, ok := inv.Operator(op); !ok {
					res.Warnings = append(res.Warnings, cf.Warning{Code: "param-unknown-operator",
						Message: fmt.Sprintf("parameter %s.%s is set for operator %q, which the inventory does not have", p.ID, prm.Name, op)})
				}
			}
		}
	}
	n := 0
	for _, fs := range results {
		n += len(fs)
	}
	res.Findings = make([]Finding, 0, n)
	for i := range results {
		res.Findings = append(res.Findings, results[i]...)
		res.Warnings = append(res.Warnings, warnings[i]...)
	}
	res.Warnings = append(res.Warnings, applyWaivers(res, opts.Waivers)...)
	return res, nil
}

type checker struct {
	inv    *inventory.Inventory
	opts   Options
	active []bool           // elements in the network being checked
	routes *exposure.Routes // the sites' traffic paths, when a flow rule needs them
	cands  *candidates      // elements an unmeasured finding may be about (unmeasured.go)
	// failure is what fails the whole check, such as a predicate past its
	// time limit; shared with the checkers restrict makes.
	failure *failure

	mu       sync.Mutex        // guards measured: rules run in parallel
	measured map[*Rule][]Share // nil in the checkers restrict makes: their shares are not the check's
}

func newChecker(inv *inventory.Inventory, opts Options) *checker {
	c := &checker{inv: inv, opts: opts, active: make([]bool, len(inv.Elements)), cands: &candidates{}, failure: &failure{},
		measured: map[*Rule][]Share{}}
	for i := range inv.Elements {
		c.active[i] = inv.Elements[i].InNetwork(opts.IncludePlanned)
	}
	return c
}

// designated marks the vendor groups a pack restricts.
func (c *checker) designated(p *Pack, probs *cf.Problems) []bool {
	out := make([]bool, len(c.inv.Groups))
	for _, id := range p.Designated {
		if g, ok := c.inv.Group(id); ok {
			out[g] = true
			continue
		}
		if _, known := c.inv.Registry.Group(id); !known {
			probs.Addf(p.Pos, "pack", p.ID, "designated", "unknown vendor group %q (see `corefence vendors`)", id)
		}
	}
	return out
}

// concerned narrows a pack's designated groups to those rule r concerns.
func (c *checker) concerned(r *Rule, designated []bool) []bool {
	if len(r.Vendors) == 0 {
		return designated
	}
	out := make([]bool, len(designated))
	for g := range designated {
		out[g] = designated[g] && r.Concerns(c.inv.Groups[g].ID)
	}
	return out
}

// scope is a rule's scope compiled against one inventory's catalogue.
type scope struct {
	domains cf.DomainSet // zero: any
	funcs   []bool       // indexed by FuncRef; nil: any
	tech    cf.Tech      // zero: any
}

func compileScope(inv *inventory.Inventory, p *Pack, r *Rule, probs *cf.Problems) *scope {
	s := &scope{}
	for _, d := range r.Scope.Domains {
		dom, _ := cf.ParseDomain(d)
		s.domains = s.domains.With(dom)
	}
	if len(r.Scope.Functions) > 0 {
		s.funcs = make([]bool, inv.Catalogue.Len())
		for _, f := range r.Scope.Functions {
			ref, ok := inv.Catalogue.Lookup(f)
			if !ok {
				probs.Addf(r.Pos, "rules", r.LocalID, "scope.functions", "unknown function %q", f)
				continue
			}
			s.funcs[ref] = true
		}
	}
	for _, t := range r.Scope.Technologies {
		bit, _ := cf.ParseTech(t)
		s.tech |= bit
	}
	return s
}

func (s *scope) match(inv *inventory.Inventory, e *inventory.Element) bool {
	if s.domains != 0 && s.domains&inv.Catalogue.Func(e.Func).Domains() == 0 {
		return false
	}
	if s.funcs != nil && !s.funcs[e.Func] {
		return false
	}
	return s.tech == 0 || e.Tech&s.tech != 0
}

// inScope marks the elements in the rule's scope: those that match it, and
// every element that hosts one of them, directly or down a chain. Elements
// the rule's `where` predicate fails on are returned apart: they are
// unmeasured, neither in scope nor out.
func (c *checker) inScope(ctx context.Context, r *Rule, s *scope) ([]bool, []whereFailure, []cf.Warning) {
	inv := c.inv
	out := make([]bool, len(inv.Elements))
	var warns []cf.Warning
	var fails []whereFailure
	if r.where != nil {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeoutCause(ctx, r.where.lim.CELTime, errWhereTime)
		defer cancel()
	}
	for i := range inv.Elements {
		e := &inv.Elements[i]
		if !c.active[i] || !s.match(inv, e) {
			continue
		}
		if r.where != nil {
			ok, err := r.where.match(ctx, inv, e)
			if ctx.Err() != nil {
				if errors.Is(context.Cause(ctx), errWhereTime) {
					c.fail(fmt.Errorf("rule %s: %s", r.ID, r.where.lim.Exceeded("cel-time", "the `where` predicate ran too long over the inventory")))
				}
				return out, nil, nil // the check fails or is cancelled; Check reports it
			}
			if err != nil {
				if len(fails) == 0 {
					warns = append(warns, cf.Warning{Code: "where-error",
						Message: fmt.Sprintf("rule %s: `where` failed on element %s (%s); elements it fails on are unmeasured", r.ID, cf.Short(e.ID), cf.Short(err.Error()))})
				}
				fails = append(fails, whereFailure{inventory.Ref(i), err})
				continue
			}
			if !ok {
				continue
			}
		}
		// Hosts come into scope only if they are in the network themselves:
		// a retired server under a live function is not there to remove.
		// The walk goes on past it, to hosts further down the chain.
		for ref := inventory.Ref(i); ref != inventory.NoRef; ref = inv.Elements[ref].HostRef {
			if !c.active[ref] {
				continue
			}
			if out[ref] {
				break // marked by an earlier walk, which went on to the end
			}
			out[ref] = true
		}
	}
	if len(fails) > 1 {
		warns = append(warns, cf.Warning{Code: "where-error", Message: fmt.Sprintf("rule %s: `where` failed on %d elements in all", r.ID, len(fails))})
	}
	return out, fails, warns
}

// fail records an error that fails the whole check; the first one wins.
func (c *checker) fail(err error) {
	c.failure.mu.Lock()
	defer c.failure.mu.Unlock()
	if c.failure.err == nil {
		c.failure.err = err
	}
}

// failure holds the first error that fails a check.
type failure struct {
	mu  sync.Mutex
	err error
}

func (f *failure) get() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.err
}

// status is what a finding of a rule in force from eff is on the as-of
// date: a violation, or advisory when the rule does not bind; upcoming,
// with the days left, before eff.
func (c *checker) status(eff cf.Date, b *Basis) (string, int) {
	if eff > c.opts.AsOf {
		return StatusUpcoming, eff.Sub(c.opts.AsOf)
	}
	if b.Binding {
		return StatusViolation, 0
	}
	return StatusAdvisory, 0
}

func (c *checker) rule(ctx context.Context, p *Pack, r *Rule, s *scope, designated []bool) ([]Finding, []cf.Warning) {
	in, fails, warns := c.inScope(ctx, r, s)
	basis := r.Basis(p)
	status, days := c.status(r.Effective, &basis)
	base := Finding{Pack: p, Rule: r, Status: status, DaysLeft: days, Effective: r.Effective, DueBy: r.DueBy, Basis: &basis,
		Operator: inventory.NoRef, Site: inventory.NoRef, Element: inventory.NoRef, Group: inventory.NoRef}
	var out []Finding
	switch r.Kind {
	case KindShareCap:
		out = c.shareCap(r, in, designated, base)
	case KindDiversity:
		out = c.diversity(r, s, in, base)
	case KindFlow:
		out = c.flow(ctx, r, in, designated, base)
	default:
		out = c.elements(p, r, in, designated, base)
	}
	if len(fails) > 0 {
		out = append(out, r.where.unmeasured(c.inv, fails, base)...)
	}
	// A date nobody gave: what would break the rule is listed, but whether
	// it breaks it cannot be told. (A per-element date was dealt with
	// element by element.)
	if prm := r.UnsetParam(); prm != nil && prm.Attribute == "" {
		why := unsetWhy(p, prm)
		for i := range out {
			f := &out[i]
			if f.Status == StatusUnmeasured {
				continue
			}
			f.Status, f.DaysLeft = StatusUnmeasured, 0
			if f.Why == "" {
				f.Why = why
			} else {
				f.Why += "; " + why
			}
		}
	}
	return out, warns
}

// unsetWhy says which parameter a rule's date needs and how to give it.
func unsetWhy(p *Pack, prm *Parameter) string {
	return fmt.Sprintf("the rule's date is parameter %s.%s, which is not set (give --param %s.%s=YYYY-MM-DD)", p.ID, prm.Name, p.ID, prm.Name)
}

// elements evaluates the rules with one finding per element: exclude,
// exclude-at-sites and installation-ban.
func (c *checker) elements(p *Pack, r *Rule, in, designated []bool, base Finding) []Finding {
	var sensitive []string // exclude-at-sites: why each site is sensitive ("" = not)
	if r.Kind == KindExcludeAtSites {
		sensitive = c.sensitiveSites(r)
	}
	attr := r.DateAttribute()
	var attrBasis *Basis // the basis of a date an element gives
	if attr != "" {
		b := r.basis(p, DateStated)
		attrBasis = &b
	}
	var out []Finding
	inv := c.inv
	for i := range inv.Elements {
		e := &inv.Elements[i]
		if !in[i] || !designated[e.Group] {
			continue
		}
		f := base
		f.Element, f.Site, f.Group = inventory.Ref(i), e.SiteRef, e.Group
		f.Operator = inv.Sites[e.SiteRef].OperatorRef
		var unmeasured []string // why the finding cannot be judged
		if u := r.RestrictedUse; u != nil && slices.Contains(u.Vendors, inv.Groups[e.Group].ID) {
			switch covered, why := restrictedUse(u, inv, e); covered {
			case useNot:
				continue
			case useUnknown:
				unmeasured = append(unmeasured, why)
			}
		}
		if attr != "" {
			if why, ok := c.elementDate(p, r, e, attr, attrBasis, &f); !ok {
				unmeasured = append(unmeasured, why)
			}
		}
		switch r.Kind {
		case KindExcludeAtSites:
			if sensitive[e.SiteRef] == "" {
				continue
			}
			f.Why = sensitive[e.SiteRef]
		case KindInstallationBan:
			switch {
			case e.Installed.IsZero():
				unmeasured = append(unmeasured, fmt.Sprintf("no install date: cannot tell whether it was installed after %s", r.InstalledAfter))
			case r.InstalledAfter.IsZero():
				// the date is an unset parameter: Check says so
			case e.Installed > r.InstalledAfter:
				f.Why = fmt.Sprintf("installed %s, after %s", e.Installed, r.InstalledAfter)
			default:
				continue
			}
		}
		if len(unmeasured) > 0 {
			f.Status, f.DaysLeft = StatusUnmeasured, 0
			if f.Why != "" {
				unmeasured = append([]string{f.Why}, unmeasured...)
			}
			f.Why = strings.Join(unmeasured, "; ")
		}
		out = append(out, f)
	}
	return out
}

// elementDate sets the finding's dates from the element's date attribute,
// when it carries one; without it, the parameter's value stands if it has
// one. It reports false, and why, when no date applies.
func (c *checker) elementDate(p *Pack, r *Rule, e *inventory.Element, attr string, b *Basis, f *Finding) (string, bool) {
	prm := r.dateParam
	var d cf.Date
	if v, ok := e.Attributes[attr]; ok {
		text, ok := v.(string)
		if !ok {
			text = fmt.Sprint(v)
		}
		var err error
		if d, err = cf.ParseDate(text); err != nil {
			return fmt.Sprintf("attribute %s: %v", attr, err), false
		}
	} else if od, ok := prm.ByOperator[c.inv.Sites[e.SiteRef].Operator]; ok {
		d = od
	} else if prm.Value.IsZero() {
		return fmt.Sprintf("the element has no %s attribute and parameter %s.%s is not set: its date is unknown (give the attribute, or --param %s.%s=YYYY-MM-DD, or per operator --param %s.%s@OPERATOR=YYYY-MM-DD)",
			attr, p.ID, prm.Name, p.ID, prm.Name, p.ID, prm.Name), false
	} else {
		return "", true
	}
	f.Effective, f.DueBy = d, 0
	if r.ByText != "" {
		f.Effective, f.DueBy = d.AddDays(1), d
	}
	f.Basis = b
	f.Status, f.DaysLeft = c.status(f.Effective, b)
	return "", true
}

// Use of an element under a rule's restricted_use.
const (
	useCovered = iota
	useNot
	useUnknown
)

// restrictedUse says whether element e serves one of the uses u restricts:
// its site carries one of u's tags, or its attribute says so.
func restrictedUse(u *RestrictedUse, inv *inventory.Inventory, e *inventory.Element) (int, string) {
	site := &inv.Sites[e.SiteRef]
	for _, t := range u.SiteTags {
		if site.HasTag(t) {
			return useCovered, ""
		}
	}
	if u.Attribute != "" {
		if v, ok := e.Attributes[u.Attribute]; ok {
			switch v {
			case true, "true":
				return useCovered, ""
			case false, "false":
				return useNot, ""
			}
			return useUnknown, fmt.Sprintf("attribute %s is %v, not true or false", u.Attribute, v)
		}
	}
	var unknown []string
	if len(u.SiteTags) > 0 {
		unknown = append(unknown, fmt.Sprintf("site %s carries none of the tags %s", site.ID, strings.Join(u.SiteTags, ", ")))
	}
	if u.Attribute != "" {
		unknown = append(unknown, fmt.Sprintf("the element has no %s attribute", u.Attribute))
	}
	return useUnknown, fmt.Sprintf("%s is restricted here only for %s; %s, so whether this element is one of them is unknown",
		inv.Groups[e.Group].Name, u.Description, strings.Join(unknown, " and "))
}

// sensitiveSites says, for each site, why the rule treats it as sensitive:
// a tag it carries or an area it lies in; "" when it is not.
func (c *checker) sensitiveSites(r *Rule) []string {
	inv := c.inv
	out := make([]string, len(inv.Sites))
	var areas []*inventory.Area
	for i := range inv.Areas {
		a := &inv.Areas[i]
		for _, cat := range r.AreaCategories {
			if a.Category == cat {
				areas = append(areas, a)
				break
			}
		}
	}
	for i := range inv.Sites {
		site := &inv.Sites[i]
		for _, tag := range r.SiteTags {
			if site.HasTag(tag) {
				out[i] = "site tagged " + tag
				break
			}
		}
		if out[i] != "" {
			continue
		}
		for _, a := range areas {
			if a.Contains(site.Lat, site.Lon, r.BufferKm) {
				out[i] = fmt.Sprintf("site %.2f km from the centre of %s area %s (radius %g km", a.DistanceKm(site.Lat, site.Lon), a.Category, a.ID, a.RadiusKm)
				if r.BufferKm > 0 {
					out[i] += fmt.Sprintf(" + %g km buffer", r.BufferKm)
				}
				out[i] += ")"
				break
			}
		}
	}
	return out
}

// flow follows the traffic of every site the rule makes sensitive and
// reports each designated, in-scope element on its paths (with in_clear:
// only those that handle it in clear), one finding per site and element. A
// sensitive site with radio elements but no route to its core is
// unmeasured: where its traffic would go cannot be told.
func (c *checker) flow(ctx context.Context, r *Rule, in, designated []bool, base Finding) []Finding {
	inv := c.inv
	why := c.sensitiveSites(r)
	var sites []inventory.Ref
	for i := range why {
		if why[i] != "" {
			sites = append(sites, inventory.Ref(i))
		}
	}
	flows, err := c.routes.SiteFlows(ctx, sites, func(e inventory.Ref) bool { return in[e] && designated[inv.Elements[e].Group] })
	if err != nil {
		return nil // the check is cancelled; Check reports it
	}
	var out []Finding
	for _, fl := range flows {
		site := &inv.Sites[fl.Site]
		f := base
		f.Site, f.Operator = fl.Site, site.OperatorRef
		if !fl.Routed {
			f.Status, f.DaysLeft = StatusUnmeasured, 0
			f.Why = fmt.Sprintf("the traffic of site %s (%s) has no route to its operator's core: which equipment it passes cannot be told", site.ID, why[fl.Site])
			out = append(out, f)
			continue
		}
		for _, ef := range fl.Elements {
			if r.InClear && !ef.Cleartext {
				continue
			}
			ff := f
			ff.Element, ff.Group = ef.Element, inv.Elements[ef.Element].Group
			clear := ""
			if ef.Cleartext {
				clear = ", some of it in clear"
			}
			ff.Why = fmt.Sprintf("carries %s of the traffic of site %s (%s)%s", Percent(ef.Share), site.ID, why[fl.Site], clear)
			out = append(out, ff)
		}
	}
	return out
}

// Share is one operator's designated share under a share-cap rule's scope,
// for one metric, whatever the cap or the date.
type Share struct {
	Operator inventory.Ref
	Metric   string
	Value    cf.Ratio // designated ÷ total; exact
	Measured bool     // false when a site in scope lacks the metric's figure
	Sites    int64    // sites in scope
	Missing  int64    // of them, sites lacking the figure
	Why      string   // the numbers behind Value, or what is missing
}

// Shares measures a share-cap rule for every operator with sites in its
// scope, in operator order and the rule's metric order.
func Shares(inv *inventory.Inventory, p *Pack, r *Rule, opts Options) ([]Share, error) {
	if r.Kind != KindShareCap {
		return nil, fmt.Errorf("rule %s is not a share cap", r.ID)
	}
	c := newChecker(inv, opts)
	probs := &cf.Problems{}
	designated := c.concerned(r, c.designated(p, probs))
	s := compileScope(inv, p, r, probs)
	if err := probs.Err(); err != nil {
		return nil, err
	}
	in, err := c.scopeOrFail(r, s)
	if err != nil {
		return nil, err
	}
	return c.shares(r, in, designated), nil
}

// InScope marks the elements in rule r's scope: those in the network
// (per opts.IncludePlanned) that match it, and the elements that host them.
func InScope(inv *inventory.Inventory, p *Pack, r *Rule, opts Options) ([]bool, error) {
	c := newChecker(inv, opts)
	probs := &cf.Problems{}
	s := compileScope(inv, p, r, probs)
	if err := probs.Err(); err != nil {
		return nil, err
	}
	return c.scopeOrFail(r, s)
}

// scopeOrFail is inScope for callers that need every element's answer: an
// element the rule's predicate fails on is an error, not a guess.
func (c *checker) scopeOrFail(r *Rule, s *scope) ([]bool, error) {
	in, fails, _ := c.inScope(context.Background(), r, s)
	if err := c.failure.get(); err != nil {
		return nil, err
	}
	if len(fails) > 0 {
		return nil, fmt.Errorf("rule %s: `where` failed on %d elements (first %s: %s); the scope cannot be told",
			r.ID, len(fails), cf.Short(c.inv.Elements[fails[0].element].ID), cf.Short(fails[0].err.Error()))
	}
	return in, nil
}

// shares tallies, per operator, the sites holding in-scope elements and
// those holding designated ones, with their traffic and premises.
func (c *checker) shares(r *Rule, in, designated []bool) []Share {
	inv := c.inv
	const (
		inScopeSite = 1 << iota
		designatedSite
	)
	siteFlags := make([]uint8, len(inv.Sites))
	for i := range inv.Elements {
		if !in[i] {
			continue
		}
		e := &inv.Elements[i]
		siteFlags[e.SiteRef] |= inScopeSite
		if designated[e.Group] {
			siteFlags[e.SiteRef] |= designatedSite
		}
	}
	type tally struct {
		sites, desigSites       int64
		traffic, desigTraffic   cf.BigSum
		premises, desigPremises cf.BigSum
		noTraffic, noPremises   int64
	}
	tallies := make([]tally, len(inv.Operators))
	for i := range inv.Sites {
		fl := siteFlags[i]
		if fl&inScopeSite == 0 {
			continue
		}
		site := &inv.Sites[i]
		t := &tallies[site.OperatorRef]
		t.sites++
		if site.HasTraffic {
			t.traffic.Add(int64(site.Traffic))
		} else {
			t.noTraffic++
		}
		if site.HasPremises {
			t.premises.Add(site.Premises)
		} else {
			t.noPremises++
		}
		if fl&designatedSite != 0 {
			t.desigSites++
			t.desigTraffic.Add(int64(site.Traffic))
			t.desigPremises.Add(site.Premises)
		}
	}
	var out []Share
	for op := range tallies {
		t := &tallies[op]
		if t.sites == 0 {
			continue
		}
		for _, m := range r.Metrics {
			sh := Share{Operator: inventory.Ref(op), Metric: m, Measured: true, Sites: t.sites}
			switch m {
			case "sites":
				sh.Value = cf.NewRatio(t.desigSites, t.sites)
				sh.Why = fmt.Sprintf("%d of %d sites in scope hold designated equipment", t.desigSites, t.sites)
			case "traffic":
				sh.Value = cf.Ratio{Num: t.desigTraffic.Int(), Den: t.traffic.Int()}
				sh.Missing = t.noTraffic
				sh.Why = fmt.Sprintf("%s of %s traffic is at sites with designated equipment", t.desigTraffic.Decimal(), t.traffic.Decimal())
			case "premises":
				sh.Value = cf.Ratio{Num: t.desigPremises.Int(), Den: t.premises.Int()}
				sh.Missing = t.noPremises
				sh.Why = fmt.Sprintf("%s of %s premises are served by sites with designated equipment", t.desigPremises.Int(), t.premises.Int())
			}
			if sh.Missing > 0 {
				sh.Measured = false
				sh.Why = fmt.Sprintf("%d of %d sites in scope have no %s figure", sh.Missing, t.sites, m)
			}
			out = append(out, sh)
		}
	}
	return out
}

// shareCap reports the operators whose designated share exceeds the cap,
// or cannot be measured.
func (c *checker) shareCap(r *Rule, in, designated []bool, base Finding) []Finding {
	limit := cf.QuantityRatio(*r.Cap)
	var out []Finding
	shares := c.shares(r, in, designated)
	if c.measured != nil {
		c.mu.Lock()
		c.measured[r] = shares
		c.mu.Unlock()
	}
	for _, sh := range shares {
		f := base
		f.Operator, f.Metric, f.Limit, f.Why = sh.Operator, sh.Metric, &limit, sh.Why
		switch {
		case !sh.Measured:
			f.Status, f.DaysLeft = StatusUnmeasured, 0
		case sh.Value.Den.Sign() == 0 || !sh.Value.Exceeds(*r.Cap):
			continue
		default:
			v := sh.Value
			f.Value = &v
		}
		out = append(out, f)
	}
	return out
}

// diversity counts, per operator and domain, the vendor groups of in-scope
// elements and the largest one's share of them.
func (c *checker) diversity(r *Rule, s *scope, in []bool, base Finding) []Finding {
	inv := c.inv
	type key struct {
		op  inventory.Ref
		dom cf.Domain
	}
	counts := map[key]map[inventory.GroupRef]int64{}
	for i := range inv.Elements {
		if !in[i] {
			continue
		}
		e := &inv.Elements[i]
		dom := inv.Catalogue.Func(e.Func).Domain
		if s.domains != 0 && !s.domains.Has(dom) {
			continue // a host pulled into scope counts under its guests' domain only through them
		}
		k := key{inv.Sites[e.SiteRef].OperatorRef, dom}
		if counts[k] == nil {
			counts[k] = map[inventory.GroupRef]int64{}
		}
		counts[k][e.Group]++
	}
	keys := make([]key, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].op != keys[j].op {
			return keys[i].op < keys[j].op
		}
		return keys[i].dom < keys[j].dom
	})
	var out []Finding
	for _, k := range keys {
		var total, top int64
		topGroup := inventory.NoRef
		groups := make([]inventory.GroupRef, 0, len(counts[k]))
		for g, n := range counts[k] {
			total += n
			groups = append(groups, g)
			if n > top || (n == top && g < topGroup) {
				top, topGroup = n, g
			}
		}
		sort.Slice(groups, func(i, j int) bool { return inv.Groups[groups[i]].ID < inv.Groups[groups[j]].ID })
		f := base
		f.Operator, f.Domain, f.Group = k.op, k.dom, topGroup
		var names []string
		for _, g := range groups {
			names = append(names, fmt.Sprintf("%s %d", inv.Groups[g].ID, counts[k][g]))
		}
		if r.MinVendors > 0 && len(groups) < r.MinVendors {
			f.Metric = "vendors"
			v, l := cf.NewRatio(int64(len(groups)), 1), cf.NewRatio(int64(r.MinVendors), 1)
			f.Value, f.Limit = &v, &l
			f.Why = fmt.Sprintf("%s: %d vendor group(s) (%s); at least %d wanted", k.dom, len(groups), strings.Join(names, ", "), r.MinVendors)
			out = append(out, f)
			continue
		}
		if r.MaxShare != nil {
			share := cf.NewRatio(top, total)
			if share.Exceeds(*r.MaxShare) {
				f.Metric = "largest-share"
				limit := cf.QuantityRatio(*r.MaxShare)
				f.Value, f.Limit = &share, &limit
				f.Why = fmt.Sprintf("%s: %s holds %d of %d elements", k.dom, inv.Groups[topGroup].ID, top, total)
				out = append(out, f)
			}
		}
	}
	return out
}
