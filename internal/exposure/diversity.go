package exposure

import (
	"sort"

	cf "github.com/corefence/corefence"
	"github.com/corefence/corefence/internal/inventory"
)

// Diversity is the vendor mix of one domain, for one operator or the
// whole country.
type Diversity struct {
	// Operator is the operator's id, or null for the national figures
	// (every operator together).
	Operator *string `json:"operator"`
	Domain   string  `json:"domain"`
	Elements int     `json:"elements"`
	// HHI is the Herfindahl–Hirschman index of the vendor groups' shares
	// of elements, on the usual 0–10,000 scale (shares in percent,
	// squared and summed): 10,000 is a single vendor.
	HHI           float64 `json:"hhi"`
	LargestVendor string  `json:"largest_vendor"`
	LargestShare  float64 `json:"largest_share"`
	// Sites and Traffic are, for the access domain, the sites holding
	// access elements and their traffic; null for other domains.
	Sites   *int        `json:"sites"`
	Traffic *Traffic    `json:"traffic"`
	Vendors []VendorMix `json:"vendors"`
}

// VendorMix is one vendor group's share of a domain.
type VendorMix struct {
	Vendor   string  `json:"vendor"`
	Elements int     `json:"elements"`
	Share    float64 `json:"share"`
	// For the access domain: the sites holding at least one of the
	// group's access elements, their share of the sites, and the share of
	// traffic at them (these shares add up to more than 1 where sites
	// hold several vendors' equipment); null for other domains.
	Sites        *int     `json:"sites"`
	SiteShare    *float64 `json:"site_share"`
	TrafficShare *float64 `json:"traffic_share"`
}

// Diversity measures, per operator and domain and then nationally per
// domain, each vendor group's share of the elements in the network (and,
// for access, of sites and traffic), the HHI and the largest share.
func (g *Graph) Diversity() []Diversity {
	inv := g.inv
	nG, nOp := len(inv.Groups), len(inv.Operators)
	const nDom = int(cf.DomainFixedAccess) + 1
	// elements[op][dom][group]; the extra operator row is national.
	elements := make([][][]int, nOp+1)
	for op := range elements {
		elements[op] = make([][]int, nDom)
		for d := range elements[op] {
			elements[op][d] = make([]int, nG)
		}
	}
	type accessTally struct {
		sites        []int
		traffic      []Traffic
		totalSites   int
		totalTraffic Traffic
	}
	access := make([]accessTally, nOp+1)
	for op := range access {
		access[op] = accessTally{sites: make([]int, nG), traffic: make([]Traffic, nG)}
	}
	// Access elements grouped by site, to count each site once per group.
	count := make([]int32, len(inv.Sites)+1)
	for i := range inv.Elements {
		if !g.inGraph[i] {
			continue
		}
		e := &inv.Elements[i]
		d := inv.Catalogue.Func(e.Func).Domain
		op := inv.Sites[e.SiteRef].OperatorRef
		elements[op][d][e.Group]++
		elements[nOp][d][e.Group]++
		if d == cf.DomainAccess {
			count[e.SiteRef+1]++
		}
	}
	for i := 1; i < len(count); i++ {
		count[i] += count[i-1]
	}
	groupsAt := make([]inventory.GroupRef, count[len(count)-1])
	next := append([]int32(nil), count[:len(count)-1]...)
	for i := range inv.Elements {
		e := &inv.Elements[i]
		if g.inGraph[i] && inv.Catalogue.Func(e.Func).Domain == cf.DomainAccess {
			groupsAt[next[e.SiteRef]] = e.Group
			next[e.SiteRef]++
		}
	}
	stamp := make([]int32, nG)
	for si := range inv.Sites {
		gs := groupsAt[count[si]:count[si+1]]
		if len(gs) == 0 {
			continue
		}
		s := &inv.Sites[si]
		for _, row := range []int{int(s.OperatorRef), nOp} {
			access[row].totalSites++
			access[row].totalTraffic.Add(s.Traffic)
		}
		for _, gr := range gs {
			if stamp[gr] == int32(si)+1 {
				continue
			}
			stamp[gr] = int32(si) + 1
			for _, row := range []int{int(s.OperatorRef), nOp} {
				access[row].sites[gr]++
				access[row].traffic[gr].Add(s.Traffic)
			}
		}
	}

	out := []Diversity{}
	for row := 0; row <= nOp; row++ {
		var opID *string
		if row < nOp {
			id := inv.Operators[row].ID
			opID = &id
		}
		for _, dom := range cf.Domains() {
			counts := elements[row][dom]
			total := 0
			for _, c := range counts {
				total += c
			}
			if total == 0 {
				continue
			}
			d := Diversity{Operator: opID, Domain: dom.String(), Elements: total, Vendors: []VendorMix{}}
			var acc *accessTally
			if dom == cf.DomainAccess {
				acc = &access[row]
				sites, traffic := acc.totalSites, acc.totalTraffic
				d.Sites, d.Traffic = &sites, &traffic
			}
			var sumSq int64
			for gr, c := range counts {
				if c == 0 {
					continue
				}
				sumSq += int64(c) * int64(c)
				share := float64(c) / float64(total)
				vm := VendorMix{Vendor: inv.Groups[gr].ID, Elements: c, Share: share}
				if acc != nil {
					sites := acc.sites[gr]
					siteShare := float64(sites) / float64(max(1, acc.totalSites))
					trafficShare := 0.0
					if t := acc.totalTraffic.Float(); t > 0 {
						trafficShare = acc.traffic[gr].Float() / t
					}
					vm.Sites, vm.SiteShare, vm.TrafficShare = &sites, &siteShare, &trafficShare
				}
				d.Vendors = append(d.Vendors, vm)
			}
			// From the counts, so that a share of exactly 80% gives 6,400.
			d.HHI = float64(sumSq) * 10000 / (float64(total) * float64(total))
			sort.Slice(d.Vendors, func(i, j int) bool {
				a, b := d.Vendors[i], d.Vendors[j]
				if a.Elements != b.Elements {
					return a.Elements > b.Elements
				}
				return a.Vendor < b.Vendor
			})
			d.LargestVendor, d.LargestShare = d.Vendors[0].Vendor, d.Vendors[0].Share
			out = append(out, d)
		}
	}
	return out
}
