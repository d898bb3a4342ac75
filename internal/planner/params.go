package planner

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	cf "github.com/corefence/corefence"
	"github.com/corefence/corefence/internal/tree"
)

// Params are the planner's inputs besides the network and the packs: the
// calendar, the crews, the costs, the budget, the replacement vendors and
// the new-build programme. Money is in thousands of pounds (£k). Every
// field has a default (DefaultParams; the basis of each is in
// docs/planner.md) except Start. Maps merge with their defaults: a file
// that prices one function keeps the default price of the others.
type Params struct {
	Start  cf.Date `yaml:"start,required"`
	Period string  `yaml:"period"` // month | quarter
	End    cf.Date `yaml:"end"`    // last day of the horizon; zero: the last deadline
	Tail   *int    `yaml:"tail"`   // periods after the horizon in which the new-build backlog is followed; default: until it clears
	// MaxPeriods limits the horizon's length, in periods (default 240);
	// MaxJobPeriods the problem's size, in job-period variables (default
	// 20 million). Both guard memory and time against a mistaken end date
	// or network; raise them for a larger problem.
	MaxPeriods    *int `yaml:"max_periods"`
	MaxJobPeriods *int `yaml:"max_job_periods"`

	Crews     Crews              `yaml:"crews"`
	Effort    map[string]float64 `yaml:"effort"`
	Costs     Prices             `yaml:"costs"`
	Vendors   map[string]Vendor  `yaml:"vendors"`
	Replace   map[string]string  `yaml:"replacement"` // operator → replacement vendor
	Vendor    string             `yaml:"default_vendor"`
	LeadTime  *float64           `yaml:"lead_time_months"` // for vendors not listed under vendors
	Budget    BudgetParams       `yaml:"budget"`
	NewBuilds NewBuilds          `yaml:"new_builds"`
	Colocated *bool              `yaml:"colocated"`
	Pos       cf.Position
}

// Crews are the field crews that swap sites and the teams that replace
// core, security and management functions.
type Crews struct {
	Per1000         *float64                 `yaml:"per_1000_sites"`       // crews per 1,000 of an operator's cell sites in a region
	SwapsPerMonth   *float64                 `yaml:"swaps_per_crew_month"` // site swaps a crew completes per month
	Regions         map[string]float64       `yaml:"regions"`              // crews of each operator in a region
	Operators       map[string]OperatorCrews `yaml:"operators"`
	CoreTeams       *float64                 `yaml:"core_teams"`               // core-network teams per operator
	CoreJobsPerTeam *float64                 `yaml:"core_jobs_per_team_month"` // functions a team replaces per month
	Pos             cf.Position
}

// OperatorCrews override Crews for one operator.
type OperatorCrews struct {
	Per1000   *float64           `yaml:"per_1000_sites"`
	Regions   map[string]float64 `yaml:"regions"`
	CoreTeams *float64           `yaml:"core_teams"`
	Pos       cf.Position
}

// Prices price the work, in £k.
type Prices struct {
	Visit       map[string]float64 `yaml:"visit"`     // per job: site kind, or transport / core / management
	Equipment   map[string]float64 `yaml:"equipment"` // per element replaced: function id, or "function:5g"
	Domain      map[string]float64 `yaml:"domain"`    // per element of a function not priced under equipment
	ValueFactor *float64           `yaml:"value_factor"`
	LifeYears   map[string]float64 `yaml:"life_years"` // straight-line depreciation life, by domain
	Delay       *float64           `yaml:"delay_per_month"`
	Overdue     *float64           `yaml:"overdue_per_month"`
	Risk        *float64           `yaml:"risk_per_gbps_year"`
	Pos         cf.Position
}

// Vendor is a replacement vendor.
type Vendor struct {
	LeadTime    *float64 `yaml:"lead_time_months"`
	PriceFactor *float64 `yaml:"price_factor"`
	Pos         cf.Position
}

// BudgetParams limit capital spending per operator and calendar year.
type BudgetParams struct {
	PerYear   float64                   `yaml:"per_year"` // 0: no limit
	Operators map[string]OperatorBudget `yaml:"operators"`
	Pos       cf.Position
}

// OperatorBudget overrides BudgetParams for one operator.
type OperatorBudget struct {
	PerYear float64            `yaml:"per_year"`
	Years   map[string]float64 `yaml:"years"` // "2021": 50000
	Pos     cf.Position
}

// NewBuilds is the operators' roll-out programme (new 5G sites and
// upgrades) that needs the same crews as the swaps.
type NewBuilds struct {
	Per1000   *float64                     `yaml:"per_1000_sites_month"`
	Regions   map[string]float64           `yaml:"regions"` // per operator per month in a region
	Operators map[string]OperatorNewBuilds `yaml:"operators"`
	Pos       cf.Position
}

// OperatorNewBuilds override NewBuilds for one operator.
type OperatorNewBuilds struct {
	Per1000 *float64           `yaml:"per_1000_sites_month"`
	Regions map[string]float64 `yaml:"regions"`
	Pos     cf.Position
}

// Periods.
const (
	Month   = "month"
	Quarter = "quarter"
)

// Job kinds that are not site kinds.
const (
	KindSite       = "site"
	KindTransport  = "transport"
	KindCore       = "core"
	KindManagement = "management"
	KindNewBuild   = "new-build"
)

func ptr[T any](v T) *T { return &v }

// DefaultParams returns every default; Start is left zero. The basis of
// each figure is in docs/planner.md.
func DefaultParams() *Params {
	return &Params{
		Period: Quarter,
		Crews: Crews{
			Per1000:         ptr(4.0),
			SwapsPerMonth:   ptr(4.0),
			CoreTeams:       ptr(1.0),
			CoreJobsPerTeam: ptr(1.0),
		},
		Effort: map[string]float64{
			"macro": 1, "rooftop": 1.25, "small-cell": 0.5, "other": 1, "exchange": 1, "data-centre": 1,
			KindTransport: 0.5, KindNewBuild: 1,
		},
		Costs: Prices{
			Visit: map[string]float64{
				"macro": 15, "rooftop": 20, "small-cell": 4, "other": 15, "exchange": 10, "data-centre": 10,
				KindTransport: 3, KindCore: 250, KindManagement: 150,
			},
			Equipment: map[string]float64{
				"gnb": 20, "gnb-du": 14, "gnb-cu-cp": 8, "gnb-cu-up": 8, "o-ru": 7, "antenna": 1.5, "antenna:5g": 9,
				"enb": 15, "nodeb": 6, "bts": 5, "rnc": 150, "bsc": 150, "small-cell": 5, "near-rt-ric": 50,
				"router": 6, "switch": 4, "microwave": 8, "optical": 40, "core-router": 400,
				"server": 12, "nfvi": 200, "vim": 100, "o-cloud": 200,
				"olt": 60, "ont": 0.2, "dslam": 20, "msan": 30,
				"ems": 1500, "nms": 1500, "oss": 3000,
			},
			Domain: map[string]float64{
				"access": 10, "transport": 6, "fixed-access": 40,
				"core": 2000, "security": 500, "management": 1500, "virtualisation": 100,
			},
			ValueFactor: ptr(1.0),
			LifeYears: map[string]float64{
				"access": 8, "fixed-access": 10, "transport": 8,
				"core": 7, "security": 5, "management": 5, "virtualisation": 5,
			},
			Delay:   ptr(2.0),
			Overdue: ptr(100.0),
			Risk:    ptr(0.0),
		},
		Vendors:  map[string]Vendor{},
		Replace:  map[string]string{},
		Vendor:   "ericsson",
		LeadTime: ptr(3.0),
		NewBuilds: NewBuilds{
			Per1000: ptr(12.0),
		},
		Colocated: ptr(true),
	}
}

// LoadParams reads and validates a parameter file (YAML or JSON).
func LoadParams(path string) (*Params, error) {
	root, err := tree.ReadFile(path, "no such file")
	if err != nil {
		return nil, err
	}
	return decodeParams(root)
}

// ParseParams reads and validates parameters from YAML or JSON data; file
// names it in errors.
func ParseParams(file string, data []byte) (*Params, error) {
	root, err := tree.Parse(file, data)
	if err != nil {
		return nil, err
	}
	return decodeParams(root)
}

func decodeParams(root *tree.Node) (*Params, error) {
	probs := &cf.Problems{}
	var p Params
	tree.Decode(root, &p, "params", probs)
	if probs.Len() == 0 {
		p.validate(root, probs)
	}
	if err := probs.Err(); err != nil {
		return nil, err
	}
	p.fill(DefaultParams())
	return &p, nil
}

// fill sets every field left out to its default.
func (p *Params) fill(d *Params) {
	if p.Period == "" {
		p.Period = d.Period
	}
	setDefault(&p.Crews.Per1000, d.Crews.Per1000)
	setDefault(&p.Crews.SwapsPerMonth, d.Crews.SwapsPerMonth)
	setDefault(&p.Crews.CoreTeams, d.Crews.CoreTeams)
	setDefault(&p.Crews.CoreJobsPerTeam, d.Crews.CoreJobsPerTeam)
	p.Effort = merge(d.Effort, p.Effort)
	p.Costs.Visit = merge(d.Costs.Visit, p.Costs.Visit)
	p.Costs.Equipment = merge(d.Costs.Equipment, p.Costs.Equipment)
	p.Costs.Domain = merge(d.Costs.Domain, p.Costs.Domain)
	p.Costs.LifeYears = merge(d.Costs.LifeYears, p.Costs.LifeYears)
	setDefault(&p.Costs.ValueFactor, d.Costs.ValueFactor)
	setDefault(&p.Costs.Delay, d.Costs.Delay)
	setDefault(&p.Costs.Overdue, d.Costs.Overdue)
	setDefault(&p.Costs.Risk, d.Costs.Risk)
	if p.Vendors == nil {
		p.Vendors = map[string]Vendor{}
	}
	if p.Replace == nil {
		p.Replace = map[string]string{}
	}
	if p.Vendor == "" {
		p.Vendor = d.Vendor
	}
	setDefault(&p.LeadTime, d.LeadTime)
	setDefault(&p.NewBuilds.Per1000, d.NewBuilds.Per1000)
	setDefault(&p.Colocated, d.Colocated)
}

func setDefault[T any](field **T, def *T) {
	if *field == nil {
		v := *def
		*field = &v
	}
}

func merge(def, over map[string]float64) map[string]float64 {
	out := make(map[string]float64, len(def)+len(over))
	for k, v := range def {
		out[k] = v
	}
	for k, v := range over {
		out[k] = v
	}
	return out
}

var (
	periodNames = []string{Month, Quarter}
	siteKinds   = []string{"macro", "rooftop", "small-cell", "other", "exchange", "data-centre"}
	effortKeys  = append(append([]string{}, siteKinds...), KindTransport, KindNewBuild)
	visitKeys   = append(append([]string{}, siteKinds...), KindTransport, KindCore, KindManagement)
	domainKeys  = []string{"core", "security", "management", "virtualisation", "access", "transport", "fixed-access"}
)

// validate checks values the decoder cannot; at finds a field's line.
func (p *Params) validate(root *tree.Node, probs *cf.Problems) {
	at := func(path string) cf.Position {
		if root == nil {
			return cf.Position{}
		}
		n, pos := root, root.Pos
		for _, seg := range strings.Split(path, ".") {
			if n == nil || n.Kind != tree.Map {
				break
			}
			var next *tree.Node
			for i, k := range n.Keys {
				if k.Text == seg {
					next, pos = n.Vals[i], k.Pos
				}
			}
			n = next
		}
		return pos
	}
	bad := func(path, format string, args ...any) {
		probs.Addf(at(path), "params", "", path, format, args...)
	}
	if p.Period != "" && !contains(periodNames, p.Period) {
		bad("period", "%s", badChoice(p.Period, periodNames))
	}
	if !p.Start.IsZero() && p.Start.Time().Day() != 1 {
		bad("start", "%s is not the first day of a month: periods run from the first of a month", p.Start)
	}
	if !p.End.IsZero() && p.End < p.Start {
		bad("end", "%s is before start %s", p.End, p.Start)
	}
	if p.Tail != nil && (*p.Tail < 0 || *p.Tail > 240) {
		bad("tail", "%d is not between 0 and 240 periods", *p.Tail)
	}
	if p.MaxPeriods != nil && (*p.MaxPeriods < 1 || *p.MaxPeriods > maxPeriodsCeiling) {
		bad("max_periods", "%d is not between 1 and %d", *p.MaxPeriods, maxPeriodsCeiling)
	}
	if p.MaxJobPeriods != nil && (*p.MaxJobPeriods < 1 || *p.MaxJobPeriods > maxJobPeriodsCeiling) {
		bad("max_job_periods", "%d is not between 1 and %d", *p.MaxJobPeriods, maxJobPeriodsCeiling)
	}
	if !p.Start.IsZero() && !p.End.IsZero() && p.End >= p.Start {
		limit := defaultMaxPeriods
		if p.MaxPeriods != nil {
			limit = *p.MaxPeriods
		}
		if n := p.periodsTo(p.End); n > limit {
			bad("end", "the horizon %s to %s has %d %ss, more than max_periods (%d); set max_periods to raise the limit", p.Start, p.End, n, p.periodName(), limit)
		}
	}
	// Every number must be finite and within its range (docs/planner.md,
	// "Ranges"): NaN passes every comparison, and a huge lead time or
	// price overflows the calendar or the costs.
	inRange := func(path string, v, lo, hi float64, open bool) {
		switch {
		case math.IsNaN(v) || math.IsInf(v, 0):
			bad(path, "%g is not a finite number", v)
		case v < lo || (open && v == lo):
			if lo == 0 && !open {
				bad(path, "%g is negative", v)
			} else {
				bad(path, "%g must be more than %g", v, lo)
			}
		case v > hi:
			bad(path, "%g is more than %g, the largest allowed", v, hi)
		}
	}
	nonNeg := func(path string, v *float64, hi float64) {
		if v != nil {
			inRange(path, *v, 0, hi, false)
		}
	}
	positive := func(path string, v *float64, hi float64) {
		if v != nil {
			inRange(path, *v, 0, hi, true)
		}
	}
	values := func(path string, m map[string]float64, valid []string, nonZero bool, hi float64) {
		for _, k := range sortedKeys(m) {
			if valid != nil && !contains(valid, k) {
				probs.Addf(at(path+"."+k), "params", "", path, "%s", badChoice(k, valid))
				continue
			}
			inRange(path+"."+k, m[k], 0, hi, nonZero)
		}
	}
	nonNeg("crews.per_1000_sites", p.Crews.Per1000, maxCrewsPer1000)
	positive("crews.swaps_per_crew_month", p.Crews.SwapsPerMonth, maxRate)
	nonNeg("crews.core_teams", p.Crews.CoreTeams, maxCrews)
	positive("crews.core_jobs_per_team_month", p.Crews.CoreJobsPerTeam, maxRate)
	values("crews.regions", p.Crews.Regions, nil, false, maxCrews)
	for _, op := range sortedKeys(p.Crews.Operators) {
		oc := p.Crews.Operators[op]
		path := "crews.operators." + op
		nonNeg(path+".per_1000_sites", oc.Per1000, maxCrewsPer1000)
		nonNeg(path+".core_teams", oc.CoreTeams, maxCrews)
		values(path+".regions", oc.Regions, nil, false, maxCrews)
	}
	values("effort", p.Effort, effortKeys, false, maxEffort)
	for _, k := range sortedKeys(p.Effort) {
		if p.Effort[k] == 0 && k != KindNewBuild && contains(effortKeys, k) {
			bad("effort."+k, "must be more than 0")
		}
	}
	values("costs.visit", p.Costs.Visit, visitKeys, false, maxMoney)
	values("costs.equipment", p.Costs.Equipment, nil, false, maxMoney) // function ids are checked against the inventory's catalogue
	values("costs.domain", p.Costs.Domain, domainKeys, false, maxMoney)
	values("costs.life_years", p.Costs.LifeYears, domainKeys, true, maxLifeYears)
	nonNeg("costs.value_factor", p.Costs.ValueFactor, maxFactor)
	nonNeg("costs.delay_per_month", p.Costs.Delay, maxMoney)
	nonNeg("costs.overdue_per_month", p.Costs.Overdue, maxMoney)
	nonNeg("costs.risk_per_gbps_year", p.Costs.Risk, maxMoney)
	for _, id := range sortedKeys(p.Vendors) {
		v := p.Vendors[id]
		nonNeg("vendors."+id+".lead_time_months", v.LeadTime, maxLeadTime)
		positive("vendors."+id+".price_factor", v.PriceFactor, maxFactor)
	}
	nonNeg("lead_time_months", p.LeadTime, maxLeadTime)
	inRange("budget.per_year", p.Budget.PerYear, 0, maxMoney, false)
	for _, op := range sortedKeys(p.Budget.Operators) {
		ob := p.Budget.Operators[op]
		path := "budget.operators." + op
		inRange(path+".per_year", ob.PerYear, 0, maxMoney, false)
		for _, y := range sortedKeys(ob.Years) {
			if n, err := strconv.Atoi(y); err != nil || n < 1900 || n > 2200 {
				bad(path+".years."+y, "%q is not a year", y)
			} else {
				inRange(path+".years."+y, ob.Years[y], 0, maxMoney, false)
			}
		}
	}
	nonNeg("new_builds.per_1000_sites_month", p.NewBuilds.Per1000, maxNewBuildsPer1000)
	values("new_builds.regions", p.NewBuilds.Regions, nil, false, maxNewBuilds)
	for _, op := range sortedKeys(p.NewBuilds.Operators) {
		on := p.NewBuilds.Operators[op]
		nonNeg("new_builds.operators."+op+".per_1000_sites_month", on.Per1000, maxNewBuildsPer1000)
		values("new_builds.operators."+op+".regions", on.Regions, nil, false, maxNewBuilds)
	}
}

// Ranges of the numeric parameters (docs/planner.md, "Ranges"): wide
// enough for any real network, narrow enough that no cost or calendar
// computation overflows.
const (
	maxMoney            = 1e9 // £k: £1 trillion
	maxEffort           = 1000
	maxFactor           = 100
	maxLifeYears        = 100
	maxLeadTime         = 120 // months
	maxCrews            = 1e6
	maxCrewsPer1000     = 1000
	maxRate             = 1000 // swaps or core jobs a crew or team does in a month
	maxNewBuilds        = 1e6  // a month, in a region
	maxNewBuildsPer1000 = 1000

	defaultMaxPeriods    = 240 // periods of the horizon (20 years of months)
	maxPeriodsCeiling    = 2400
	defaultMaxJobPeriods = 20_000_000 // job-period variables
	maxJobPeriodsCeiling = 500_000_000
)

// periodsTo counts the periods from Start to the one holding d.
func (p *Params) periodsTo(d cf.Date) int {
	a, b := p.Start.Time(), d.Time()
	months := (b.Year()-a.Year())*12 + int(b.Month()-a.Month())
	return months/p.monthsPerPeriod() + 1
}

func (p *Params) periodName() string {
	if p.Period == Month {
		return Month
	}
	return Quarter
}

func badChoice(v string, valid []string) string {
	msg := fmt.Sprintf("%q is not one of %s", v, strings.Join(valid, ", "))
	if s := tree.Suggest(v, valid); s != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", s)
	}
	return msg
}

func suggest(word string, valid []string) string { return tree.Suggest(word, valid) }

func contains(list []string, v string) bool {
	for _, s := range list {
		if s == v {
			return true
		}
	}
	return false
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Check validates parameters made in code (LoadParams and ParseParams
// check what they read): every number finite and within its range, the
// calendar and the limits sound. Build calls it.
func (p *Params) Check() error {
	probs := &cf.Problems{}
	p.validate(nil, probs)
	return probs.Err()
}

// monthsPerPeriod is 1 or 3.
func (p *Params) monthsPerPeriod() int {
	if p.Period == Month {
		return 1
	}
	return 3
}

// periodStart returns the first day of period i.
func (p *Params) periodStart(i int) cf.Date {
	return addMonths(p.Start, i*p.monthsPerPeriod())
}

func addMonths(d cf.Date, months int) cf.Date {
	t := d.Time()
	return cf.DateOf(time.Date(t.Year(), t.Month()+time.Month(months), t.Day(), 0, 0, 0, 0, time.UTC))
}
