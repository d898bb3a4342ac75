package exposure

import (
	"context"
	"sort"
	"sync"

	"github.com/corefence/corefence/internal/inventory"
)

// VendorKillSwitch is what stops working if every element of one vendor
// group goes dark.
type VendorKillSwitch struct {
	Vendor    string               `json:"vendor"`
	Group     inventory.GroupRef   `json:"-"`
	Operators []OperatorKillSwitch `json:"operators"`
}

// OperatorKillSwitch is one operator's loss in a kill switch.
type OperatorKillSwitch struct {
	Operator string `json:"operator"`
	// SitesTotal counts the sites with 4G or 5G radio elements;
	// SitesInService, those of them in service with every vendor working.
	SitesTotal     int `json:"sites_total"`
	SitesInService int `json:"sites_in_service"`
	// SitesLost counts the sites in service before and in service for no
	// technology after.
	SitesLost    int     `json:"sites_lost"`
	TrafficTotal Traffic `json:"traffic_total"`
	TrafficLost  Traffic `json:"traffic_lost"`
	// SensitiveSitesLost counts lost sites tagged national-security or
	// inside a sensitive area; the next two split it.
	SensitiveSitesLost        int `json:"sensitive_sites_lost"`
	NationalSecuritySitesLost int `json:"national_security_sites_lost"`
	InAreaSitesLost           int `json:"in_area_sites_lost"`
	// CoreFunctionsLost lists the core functions with an instance before
	// and none working after, sorted.
	CoreFunctionsLost []string `json:"core_functions_lost"`
	// ElementsRemoved counts the elements that went dark: the group's and
	// the ones hosted on them (HostedRemoved, of other vendors).
	ElementsRemoved int `json:"elements_removed"`
	HostedRemoved   int `json:"hosted_removed"`
	// LostSites lists the lost sites' ids in inventory order.
	LostSites    []string        `json:"lost_sites"`
	LostSiteRefs []inventory.Ref `json:"-"`
}

// scratch holds one goroutine's buffers, sized for the largest operator
// graph and reused from task to task.
type scratch struct {
	dead     []bool
	comp     []int32
	queue    []int32
	compMask []uint8
	service  []uint8
}

func (g *Graph) newScratch() *scratch {
	n := 0
	for _, o := range g.ops {
		n = max(n, o.n())
	}
	return &scratch{dead: make([]bool, n), comp: make([]int32, n), queue: make([]int32, 0, n)}
}

func (g *Graph) scratches(n int) []*scratch {
	out := make([]*scratch, workers(n))
	for i := range out {
		out[i] = g.newScratch()
	}
	return out
}

// baseline is, per operator and site, the technologies the site is in
// service for with every element working.
type baseline struct {
	once    sync.Once
	service [][]uint8
}

func (g *Graph) baseService() [][]uint8 {
	g.base.once.Do(func() {
		g.base.service = make([][]uint8, len(g.ops))
		sc := g.newScratch()
		for oi, o := range g.ops {
			clear(sc.dead[:o.n()])
			g.base.service[oi] = append([]uint8(nil), g.service(o, sc)...)
		}
	})
	return g.base.service
}

// service works out, for each site of o, the technologies it is in service
// for when the elements marked in sc.dead are down: as a bit set over
// g.techs. Reachability in an undirected graph is sharing a connected
// component, so one labelling of the working elements answers every site
// and function at once.
func (g *Graph) service(o *opGraph, sc *scratch) []uint8 {
	n := o.n()
	dead, comp := sc.dead[:n], sc.comp[:n]
	for x := range comp {
		comp[x] = -1
	}
	masks := sc.compMask[:0]
	for s := range n {
		if dead[s] || comp[s] >= 0 {
			continue
		}
		c := int32(len(masks))
		var mask uint8
		q := append(sc.queue[:0], int32(s))
		comp[s] = c
		for len(q) > 0 {
			x := q[len(q)-1]
			q = q[:len(q)-1]
			if sl := o.slot[x]; sl >= 0 {
				mask |= 1 << sl
			}
			for _, y := range o.adj[o.off[x]:o.off[x+1]] {
				if !dead[y] && comp[y] < 0 {
					comp[y] = c
					q = append(q, y)
				}
			}
		}
		sc.queue = q
		masks = append(masks, mask)
	}
	sc.compMask = masks
	out := sc.service[:0]
	for i := range o.sites {
		var in uint8
		rs := o.siteRadios(i)
		for j, r := range rs {
			if dead[r] {
				continue
			}
			have := masks[comp[r]]
			for t, tn := range g.techs {
				if o.radioTech[int(o.radioOff[i])+j]&tn.tech != 0 && have&tn.mask == tn.mask {
					in |= 1 << t
				}
			}
		}
		out = append(out, in)
	}
	sc.service = out
	return out
}

// KillSwitch removes, for each vendor group in turn, every element of the
// group and every element hosted on a removed one, and reports what stops
// working: per operator, the sites no longer in service for any
// technology, their traffic, and the core functions left with no working
// instance. Groups and operators are evaluated in parallel.
func (g *Graph) KillSwitch(ctx context.Context, groups []inventory.GroupRef) ([]VendorKillSwitch, error) {
	out := make([]VendorKillSwitch, len(groups))
	for i, gr := range groups {
		out[i] = VendorKillSwitch{Vendor: g.inv.Groups[gr].ID, Group: gr, Operators: make([]OperatorKillSwitch, len(g.ops))}
	}
	g.baseService()
	n := len(groups) * len(g.ops)
	sc := g.scratches(n)
	err := parallel(ctx, n, func(w, i int) {
		gi, oi := i/len(g.ops), i%len(g.ops)
		gr := groups[gi]
		out[gi].Operators[oi] = g.lose(g.ops[oi], sc[w], func(x int32) bool { return g.ops[oi].group[x] == gr }, gr)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// SitesLostWithout returns the sites lost when the given elements fail,
// with every element hosted on them: in service before, in service for no
// technology after. It answers one what-if; KillSwitch and ChokePoints
// answer many at once.
func (g *Graph) SitesLostWithout(elements []inventory.Ref) []inventory.Ref {
	failed := make([]bool, len(g.inv.Elements))
	for _, e := range elements {
		failed[e] = true
	}
	g.baseService()
	sc := g.newScratch()
	var lost []inventory.Ref
	for _, o := range g.ops {
		r := g.lose(o, sc, func(x int32) bool { return failed[o.elems[x]] }, inventory.NoRef)
		lost = append(lost, r.LostSiteRefs...)
	}
	sort.Slice(lost, func(i, j int) bool { return lost[i] < lost[j] })
	return lost
}

// lose marks the elements of o that fail (and everything hosted on them),
// and compares the sites' service with the baseline.
func (g *Graph) lose(o *opGraph, sc *scratch, fails func(x int32) bool, group inventory.GroupRef) OperatorKillSwitch {
	inv := g.inv
	res := OperatorKillSwitch{Operator: inv.Operators[o.op].ID, CoreFunctionsLost: []string{}, LostSites: []string{}}
	dead := sc.dead[:o.n()]
	for _, x := range o.order {
		dead[x] = fails(x) || (o.host[x] >= 0 && dead[o.host[x]])
		if dead[x] {
			res.ElementsRemoved++
			if group != inventory.NoRef && o.group[x] != group {
				res.HostedRemoved++
			}
		}
	}
	after := g.service(o, sc)
	before := g.base.service[o.op]
	for i := range o.sites {
		s := &o.sites[i]
		if s.tech == 0 {
			continue
		}
		res.SitesTotal++
		res.TrafficTotal.Add(s.traffic)
		if before[i] == 0 {
			continue
		}
		res.SitesInService++
		if after[i] != 0 {
			continue
		}
		res.SitesLost++
		res.TrafficLost.Add(s.traffic)
		ref := inventory.Ref(s.ref)
		ns, area := g.siteNS[ref], g.siteInArea[ref]
		if ns || area {
			res.SensitiveSitesLost++
		}
		if ns {
			res.NationalSecuritySitesLost++
		}
		if area {
			res.InAreaSitesLost++
		}
		res.LostSiteRefs = append(res.LostSiteRefs, ref)
		res.LostSites = append(res.LostSites, inv.Sites[ref].ID)
	}
	// Core functions: instances before and working after.
	nf := inv.Catalogue.Len()
	counts := make([]int32, 2*nf)
	for x := range dead {
		if !g.coreFunc[o.fn[x]] {
			continue
		}
		counts[o.fn[x]]++
		if !dead[x] {
			counts[nf+int(o.fn[x])]++
		}
	}
	for f := range nf {
		if counts[f] > 0 && counts[nf+f] == 0 {
			res.CoreFunctionsLost = append(res.CoreFunctionsLost, inv.Catalogue.Func(inventory.FuncRef(f)).ID)
		}
	}
	sort.Strings(res.CoreFunctionsLost)
	return res
}
