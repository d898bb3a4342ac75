package planner

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
	"testing"
	"time"

	cf "github.com/corefence/corefence"
	"github.com/corefence/corefence/internal/gen"
	"github.com/corefence/corefence/internal/inventory"
	"github.com/corefence/corefence/internal/planner/milp"
	"github.com/corefence/corefence/internal/policy"
)

// This file rebuilds the model of docs/planner.md from the inventory, the
// packs' findings and the parameters alone — none of the planner's jobs,
// pools or milestones — writes it for CBC, and compares: CBC's optimum of
// the rebuilt model must equal its optimum of the planner's own MILP, and
// every plan the planner makes must be feasible in the rebuilt model, at
// the cost the planner reports. It covers the documented rules for
// instances without new builds, budgets or risk prices (those terms are
// checked against CBC by cbc_test.go on the planner's MILP).

// ijob is a job of the rebuilt model.
type ijob struct {
	key           string // the site id, or the root element's id
	pool          string
	effort, capex float64
	due           cf.Date
	optional      bool
	overdue       bool
	release, last int
	cost          []float64 // per period from release
}

type imodel struct {
	periods []Period
	jobs    map[string]*ijob
	keys    []string
	pools   map[string]float64 // capacity per period
	caps    []icap
}

type icap struct {
	name   string
	period int
	need   float64
	sites  [][]string // per counted site: its job keys
	weight []float64
}

var docCellKinds = map[string]bool{"macro": true, "rooftop": true, "small-cell": true, "other": true}

// rebuild follows docs/planner.md ("From findings to jobs", "Job kinds,
// effort and visit cost", "Costs over time", "Pools") for params with an
// explicit end, quarterly periods, no new builds, no budget, no risk price.
func rebuild(t *testing.T, inv *inventory.Inventory, packs []*policy.Pack, prm *Params) *imodel {
	t.Helper()
	md := &imodel{jobs: map[string]*ijob{}, pools: map[string]float64{}}
	for s := prm.Start; s <= prm.End; {
		tm := s.Time()
		next := cf.DateOf(time.Date(tm.Year(), tm.Month()+3, 1, 0, 0, 0, 0, time.UTC))
		md.periods = append(md.periods, Period{Start: s, End: next.AddDays(-1)})
		s = next
	}
	T := len(md.periods)
	end := md.periods[T-1].End
	res, err := policy.Check(context.Background(), inv, packs, policy.Options{AsOf: end})
	if err != nil {
		t.Fatal(err)
	}
	designated := map[inventory.GroupRef]bool{}
	for _, pk := range packs {
		for _, id := range pk.Designated {
			if g, ok := inv.Group(id); ok {
				designated[g] = true
			}
		}
	}
	root := func(e inventory.Ref) inventory.Ref {
		for inv.Elements[e].HostRef != inventory.NoRef {
			e = inv.Elements[e].HostRef
		}
		return e
	}
	key := func(e inventory.Ref) string {
		el := &inv.Elements[e]
		s := &inv.Sites[el.SiteRef]
		if docCellKinds[s.Kind] || inv.Function(el).Domain == cf.DomainFixedAccess {
			return "site " + s.ID
		}
		return "unit " + inv.Elements[root(e)].ID
	}
	// Elements the rules require removed, with their dates.
	due := map[string]cf.Date{}
	members := map[string]map[inventory.Ref]bool{}
	addMember := func(e inventory.Ref) string {
		k := key(e)
		if members[k] == nil {
			members[k] = map[inventory.Ref]bool{}
		}
		members[k][e] = true
		return k
	}
	for _, f := range res.Findings {
		if f.Element == inventory.NoRef || f.Rule.Kind == policy.KindShareCap || f.Rule.Kind == policy.KindDiversity {
			continue
		}
		switch f.Status {
		case policy.StatusUnmeasured, policy.StatusUpcoming, policy.StatusWaived:
			continue
		}
		k := addMember(f.Element)
		if d, ok := due[k]; !ok || f.Rule.Effective < d {
			due[k] = f.Rule.Effective
		}
	}
	// Elements each cap counts: designated, in the network, in its scope.
	type capRule struct {
		pack *policy.Pack
		rule *policy.Rule
	}
	var capRules []capRule
	counted := map[*policy.Rule][]inventory.Ref{}
	for _, pk := range packs {
		for i := range pk.Rules {
			r := &pk.Rules[i]
			if r.Kind != policy.KindShareCap || r.Effective > end {
				continue
			}
			capRules = append(capRules, capRule{pk, r})
			in, err := policy.InScope(inv, pk, r, policy.Options{AsOf: end})
			if err != nil {
				t.Fatal(err)
			}
			for i := range inv.Elements {
				if in[i] && designated[inv.Elements[i].Group] && inv.Elements[i].InNetwork(false) {
					counted[r] = append(counted[r], inventory.Ref(i))
					addMember(inventory.Ref(i))
				}
			}
		}
	}
	// Colocation: every designated element under the same key.
	for i := range inv.Elements {
		el := &inv.Elements[i]
		if el.InNetwork(false) && designated[el.Group] {
			if k := key(inventory.Ref(i)); members[k] != nil {
				members[k][inventory.Ref(i)] = true
			}
		}
	}
	arrival := cf.DateOf(prm.Start.Time().AddDate(0, int(*prm.LeadTime), 0))
	release := T
	for i := T - 1; i >= 0; i-- {
		if md.periods[i].Start >= arrival {
			release = i
		}
	}
	for k, els := range members {
		var refs []inventory.Ref
		for e := range els {
			refs = append(refs, e)
		}
		sort.Slice(refs, func(a, b int) bool { return refs[a] < refs[b] })
		site := &inv.Sites[inv.Elements[refs[0]].SiteRef]
		op := inv.Operators[site.OperatorRef].ID
		j := &ijob{key: k}
		radio := false
		for _, e := range refs {
			if inv.Function(&inv.Elements[e]).Domain != cf.DomainTransport {
				radio = true
			}
		}
		region := site.Region
		if k[:5] == "site " {
			j.effort, j.capex = prm.Effort[site.Kind], prm.Costs.Visit[site.Kind]
			if !radio {
				j.effort, j.capex = prm.Effort["transport"], prm.Costs.Visit["transport"]
			}
		} else {
			kind := "core"
			switch inv.Function(&inv.Elements[root(refs[0])]).Domain {
			case cf.DomainTransport:
				kind = "transport"
			case cf.DomainManagement:
				kind = "management"
			}
			j.effort, j.capex = prm.Effort["transport"], prm.Costs.Visit[kind]
			if site.Kind == "data-centre" {
				j.effort, region = 1, "core teams"
			}
		}
		j.pool = op + "/" + region
		type asset struct {
			value, life float64
			installed   cf.Date
		}
		var assets []asset
		for _, e := range refs {
			el := &inv.Elements[e]
			fn := inv.Function(el)
			price, ok := 0.0, false
			if el.Tech&cf.Tech5G != 0 {
				price, ok = prm.Costs.Equipment[fn.ID+":5g"]
			}
			if !ok {
				price, ok = prm.Costs.Equipment[fn.ID]
			}
			if !ok {
				price = prm.Costs.Domain[fn.Domain.String()]
			}
			j.capex += price
			if !el.Installed.IsZero() {
				assets = append(assets, asset{price * *prm.Costs.ValueFactor, prm.Costs.LifeYears[fn.Domain.String()], el.Installed})
			}
		}
		j.release, j.last = release, T-1
		if d, ok := due[k]; !ok {
			j.optional = true
		} else {
			j.due = d
			last := -1
			for i := 0; i < T; i++ {
				if md.periods[i].End <= d {
					last = i
				}
			}
			if last < release {
				j.overdue = true
			} else {
				j.last = last
			}
		}
		for i := j.release; i <= j.last; i++ {
			e := md.periods[i].End
			c := j.capex
			for _, a := range assets {
				if age := float64(e.Sub(a.installed)) / 365.25; age < a.life {
					c += a.value * (1 - age/a.life)
				}
			}
			if j.overdue && e > j.due {
				c += *prm.Costs.Overdue * float64(e.Sub(j.due)) / 30.4375
			}
			j.cost = append(j.cost, c)
		}
		md.jobs[k] = j
		md.keys = append(md.keys, k)
	}
	sort.Strings(md.keys)
	// Pools: crews × swaps a month × 3 months; core teams likewise.
	for _, j := range md.jobs {
		if _, ok := md.pools[j.pool]; ok {
			continue
		}
		op, region, _ := cutLast(j.pool)
		if region == "core teams" {
			md.pools[j.pool] = *prm.Crews.CoreTeams * *prm.Crews.CoreJobsPerTeam * 3
			continue
		}
		sites := 0
		for i := range inv.Sites {
			s := &inv.Sites[i]
			if s.Region == region && docCellKinds[s.Kind] && inv.Operators[s.OperatorRef].ID == op {
				sites++
			}
		}
		md.pools[j.pool] = *prm.Crews.Per1000 * float64(sites) / 1000 * *prm.Crews.SwapsPerMonth * 3
	}
	// Caps: per operator over the cap, K = D − ⌊c·N⌋ sites (or D − c·N of
	// traffic or premises), met by clearing counted sites.
	for _, cr := range capRules {
		in, err := policy.InScope(inv, cr.pack, cr.rule, policy.Options{AsOf: end})
		if err != nil {
			t.Fatal(err)
		}
		type tally struct{ n, d float64 }
		inScope := map[inventory.Ref]bool{}
		for i := range inv.Elements {
			if in[i] {
				inScope[inv.Elements[i].SiteRef] = true
			}
		}
		desig := map[inventory.Ref]map[string]bool{}
		for _, e := range counted[cr.rule] {
			s := inv.Elements[e].SiteRef
			if desig[s] == nil {
				desig[s] = map[string]bool{}
			}
			desig[s][key(e)] = true
		}
		period := -1
		for i := 0; i < T; i++ {
			if md.periods[i].End <= cr.rule.Effective {
				period = i
			}
		}
		for _, metric := range cr.rule.Metrics {
			weight := func(s *inventory.Site) float64 {
				switch metric {
				case "traffic":
					return s.Traffic.Float()
				case "premises":
					return float64(s.Premises)
				}
				return 1
			}
			tallies := map[string]*tally{}
			for s := range inScope {
				site := &inv.Sites[s]
				op := inv.Operators[site.OperatorRef].ID
				if tallies[op] == nil {
					tallies[op] = &tally{}
				}
				tallies[op].n += weight(site)
				if desig[s] != nil {
					tallies[op].d += weight(site)
				}
			}
			for op, tl := range tallies {
				c := cr.rule.Cap.Float()
				need := tl.d - c*tl.n
				if metric == "sites" {
					need = tl.d - math.Floor(c*tl.n+1e-9)
				}
				if need <= 1e-9 {
					continue
				}
				ic := icap{name: fmt.Sprintf("%s %s %s", cr.rule.ID, op, metric), period: period, need: need}
				var sites []inventory.Ref
				for s := range desig {
					if inv.Operators[inv.Sites[s].OperatorRef].ID == op {
						sites = append(sites, s)
					}
				}
				sort.Slice(sites, func(a, b int) bool { return sites[a] < sites[b] })
				for _, s := range sites {
					var ks []string
					for k := range desig[s] {
						ks = append(ks, k)
					}
					sort.Strings(ks)
					ic.sites = append(ic.sites, ks)
					ic.weight = append(ic.weight, weight(&inv.Sites[s]))
				}
				md.caps = append(md.caps, ic)
			}
		}
	}
	sort.Slice(md.caps, func(a, b int) bool { return md.caps[a].name < md.caps[b].name })
	return md
}

func cutLast(s string) (string, string, bool) {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == '/' {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

// milp writes the rebuilt model; x[key][t−release] are its variables.
func (md *imodel) milp() (*milp.Model, map[string][]int) {
	m := &milp.Model{}
	x := map[string][]int{}
	crew := map[string][][]int{}
	crewV := map[string][][]float64{}
	T := len(md.periods)
	for _, k := range md.keys {
		j := md.jobs[k]
		var vars []int
		var ones []float64
		for t := j.release; t <= j.last; t++ {
			v := m.AddVar(fmt.Sprintf("v%d", m.NumVars()), j.cost[t-j.release], 0, 1, true)
			vars = append(vars, v)
			ones = append(ones, 1)
			if crew[j.pool] == nil {
				crew[j.pool], crewV[j.pool] = make([][]int, T), make([][]float64, T)
			}
			crew[j.pool][t] = append(crew[j.pool][t], v)
			crewV[j.pool][t] = append(crewV[j.pool][t], j.effort)
		}
		x[k] = vars
		sense := milp.EQ
		if j.optional {
			sense = milp.LE
		}
		m.AddRow(fmt.Sprintf("r%d", m.NumRows()), vars, ones, sense, 1)
	}
	var pools []string
	for p := range crew {
		pools = append(pools, p)
	}
	sort.Strings(pools)
	for _, p := range pools {
		for t := 0; t < T; t++ {
			if len(crew[p][t]) > 0 {
				m.AddRow(fmt.Sprintf("r%d", m.NumRows()), crew[p][t], crewV[p][t], milp.LE, md.pools[p])
			}
		}
	}
	for _, c := range md.caps {
		var idx []int
		var val []float64
		for i, ks := range c.sites {
			y := m.AddVar(fmt.Sprintf("v%d", m.NumVars()), 0, 0, 1, false)
			idx = append(idx, y)
			val = append(val, c.weight[i])
			for _, k := range ks {
				j := md.jobs[k]
				ri, rv := []int{y}, []float64{1}
				for t := j.release; t <= min(j.last, c.period); t++ {
					ri = append(ri, x[k][t-j.release])
					rv = append(rv, -1)
				}
				m.AddRow(fmt.Sprintf("r%d", m.NumRows()), ri, rv, milp.LE, 0)
			}
		}
		m.AddRow(fmt.Sprintf("r%d", m.NumRows()), idx, val, milp.GE, c.need)
	}
	return m, x
}

// TestIndependentModel rebuilds the documented model of three small
// generated networks under the DVD and compares it with the planner.
func TestIndependentModel(t *testing.T) {
	for _, seed := range []int64{11, 12, 13} {
		doc, err := gen.Generate(gen.Config{Country: "gb", Sites: 100, Seed: seed})
		if err != nil {
			t.Fatal(err)
		}
		inv, err := inventory.Build(doc, inventory.Options{})
		if err != nil {
			t.Fatal(err)
		}
		packs := []*policy.Pack{mustPack(t, "uk-dvd-2022")}
		prm := DefaultParams()
		prm.Start, prm.End = cf.NewDate(2022, time.January, 1), cf.NewDate(2024, time.December, 31)
		per, nb := 200.0, 0.0
		prm.Crews.Per1000, prm.NewBuilds.Per1000 = &per, &nb

		md := rebuild(t, inv, packs, prm)
		model, x := md.milp()
		ref, err := milp.CBC(context.Background(), model, t.TempDir(), 60*time.Second, 1e-9)
		if errors.Is(err, milp.ErrNoCBC) {
			t.Skip("cbc is not installed (Debian: apt-get install coinor-cbc); scripts/test installs it")
		}
		if err != nil {
			t.Fatal(err)
		}
		prob, err := Build(context.Background(), inv, packs, prm)
		if err != nil {
			t.Fatal(err)
		}
		own, err := milp.CBC(context.Background(), prob.Model().Model, t.TempDir(), 60*time.Second, 1e-9)
		if err != nil {
			t.Fatal(err)
		}
		if len(prob.Jobs) != len(md.jobs) {
			t.Errorf("seed %d: the planner has %d jobs, the rebuilt model %d", seed, len(prob.Jobs), len(md.jobs))
		}
		if ref.Status != milp.Optimal || own.Status != milp.Optimal {
			t.Fatalf("seed %d: CBC did not prove optimality (%v, %v)", seed, ref.Status, own.Status)
		}
		if math.Abs(ref.Objective-own.Objective) > 1e-6*math.Max(1, ref.Objective) {
			t.Errorf("seed %d: optimum of the rebuilt model %.4f, of the planner's %.4f", seed, ref.Objective, own.Objective)
		}
		for _, method := range []string{MethodExact, MethodLagrangian} {
			plan, err := Solve(context.Background(), prob, Options{Method: method})
			if err != nil {
				t.Fatal(err)
			}
			if plan.Schedule == nil {
				t.Fatalf("seed %d, %s: no plan (%s); CBC found %.2f", seed, method, plan.Status, ref.Objective)
			}
			// The plan as a solution of the rebuilt model.
			v := make([]float64, model.NumVars())
			for ji, tj := range plan.Schedule {
				j := &prob.Jobs[ji]
				k := "site " + j.Site
				if j.Kind != KindSite {
					k = "unit " + j.ID
				}
				ij := md.jobs[k]
				if ij == nil {
					t.Fatalf("seed %d: job %s is not in the rebuilt model", seed, k)
				}
				if tj >= 0 {
					if tj < ij.release || tj > ij.last {
						t.Fatalf("seed %d: job %s in period %d, outside the rebuilt window %d..%d", seed, k, tj, ij.release, ij.last)
					}
					v[x[k][tj-ij.release]] = 1
				}
			}
			// y: a counted site cleared when all its jobs are done by the cap.
			yi := 0 // the y variables follow every x
			for _, k := range md.keys {
				yi += len(x[k])
			}
			for _, c := range md.caps {
				for _, ks := range c.sites {
					done := true
					for _, k := range ks {
						ok := false
						for t, vv := range x[k] {
							if v[vv] == 1 && md.jobs[k].release+t <= c.period {
								ok = true
							}
						}
						done = done && ok
					}
					if done {
						v[yi] = 1
					}
					yi++
				}
			}
			if err := model.Check(v, 1e-6); err != nil {
				t.Errorf("seed %d, %s: the plan breaks the rebuilt model: %v", seed, method, err)
			}
			if obj := model.Objective(v); math.Abs(obj-plan.Costs.Objective) > 1e-6*math.Max(1, obj) {
				t.Errorf("seed %d, %s: plan costs %.4f, the rebuilt model prices it %.4f", seed, method, plan.Costs.Objective, obj)
			}
			if plan.Status == StatusOptimal && math.Abs(plan.Costs.Objective-ref.Objective) > 2e-6*math.Max(1, ref.Objective) {
				t.Errorf("seed %d, %s: optimal %.4f, CBC's optimum %.4f", seed, method, plan.Costs.Objective, ref.Objective)
			}
			t.Logf("seed %d, %s: %d jobs, %d caps; plan %s %.2f, CBC optimum %.2f (planner's MILP %.2f)", seed, method, len(prob.Jobs), len(md.caps),
				plan.Status, plan.Costs.Objective, ref.Objective, own.Objective)
		}
	}
}
