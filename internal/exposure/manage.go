package exposure

import (
	"sort"

	cf "github.com/corefence/corefence"
	"github.com/corefence/corefence/internal/inventory"
)

// ManagementReach is what one vendor group's management systems can reach
// over management links.
type ManagementReach struct {
	Vendor string `json:"vendor"`
	// Managers counts the group's management-domain elements.
	Managers int `json:"managers"`
	// Elements counts the elements they reach (the managers themselves
	// left out); Direct, those one management link away from a manager.
	Elements int `json:"elements"`
	Direct   int `json:"direct"`
	// CoreElements counts the reached elements of the core domain, and
	// OtherVendorElements those of other vendor groups: the reach that
	// should stand out.
	CoreElements        int          `json:"core_elements"`
	OtherVendorElements int          `json:"other_vendor_elements"`
	Reached             []ReachCount `json:"reached"`

	Group inventory.GroupRef `json:"-"`
}

// ReachCount counts the reached elements of one operator, domain and
// vendor group.
type ReachCount struct {
	Operator string `json:"operator"`
	Domain   string `json:"domain"`
	Vendor   string `json:"vendor"`
	Elements int    `json:"elements"`
	Direct   int    `json:"direct"`
}

// ManagementReach follows, for each vendor group, management links out of
// the group's management-domain elements: to the elements they manage
// directly, on through other management-domain elements (an EMS that
// reaches an OSS reaches what the OSS manages), and down to everything
// hosted on a reached element.
func (g *Graph) ManagementReach(groups []inventory.GroupRef) []ManagementReach {
	inv := g.inv
	n := len(inv.Elements)
	// Management adjacency over the elements in the graph.
	off := make([]int32, n+1)
	for i := range inv.Links {
		if a, b, ok := g.managementLink(i); ok {
			off[a+1]++
			off[b+1]++
		}
	}
	for i := 1; i <= n; i++ {
		off[i] += off[i-1]
	}
	adj := make([]int32, off[n])
	fill := append([]int32(nil), off[:n]...)
	for i := range inv.Links {
		if a, b, ok := g.managementLink(i); ok {
			adj[fill[a]] = b
			fill[a]++
			adj[fill[b]] = a
			fill[b]++
		}
	}
	// Guests of each element, to reach what runs on a reached host.
	guests := make([][]int32, n)
	for i := range inv.Elements {
		if h := inv.Elements[i].HostRef; h != inventory.NoRef && g.inGraph[i] {
			guests[h] = append(guests[h], int32(i))
		}
	}
	isMgmt := func(x int32) bool {
		return inv.Catalogue.Func(inv.Elements[x].Func).Domain == cf.DomainManagement
	}

	const (
		unseen = iota
		source
		direct
		indirect
	)
	state := make([]uint8, n)
	out := make([]ManagementReach, len(groups))
	for gi, gr := range groups {
		clear(state)
		res := ManagementReach{Vendor: inv.Groups[gr].ID, Group: gr, Reached: []ReachCount{}}
		var queue, reached []int32
		for i := range inv.Elements {
			if g.inGraph[i] && inv.Elements[i].Group == gr && isMgmt(int32(i)) {
				state[i] = source
				queue = append(queue, int32(i))
				res.Managers++
			}
		}
		reach := func(y int32, how uint8) {
			if state[y] != unseen {
				return
			}
			state[y] = how
			reached = append(reached, y)
			queue = append(queue, y)
			for k := 0; k < len(guests[y]); k++ { // and all it hosts, down the chain
				if z := guests[y][k]; state[z] == unseen {
					state[z] = indirect
					reached = append(reached, z)
					queue = append(queue, z)
				}
			}
		}
		for len(queue) > 0 {
			x := queue[0]
			queue = queue[1:]
			if state[x] != source && !isMgmt(x) {
				continue // a managed element is no way further
			}
			how := uint8(indirect)
			if state[x] == source {
				how = direct
			}
			for _, y := range adj[off[x]:off[x+1]] {
				reach(y, how)
			}
		}
		type key struct {
			op  inventory.Ref
			dom cf.Domain
			grp inventory.GroupRef
		}
		counts := map[key]*ReachCount{}
		var keys []key
		for _, x := range reached {
			e := &inv.Elements[x]
			k := key{inv.Sites[e.SiteRef].OperatorRef, inv.Catalogue.Func(e.Func).Domain, e.Group}
			c := counts[k]
			if c == nil {
				c = &ReachCount{Operator: inv.Operators[k.op].ID, Domain: k.dom.String(), Vendor: inv.Groups[k.grp].ID}
				counts[k] = c
				keys = append(keys, k)
			}
			c.Elements++
			res.Elements++
			if state[x] == direct {
				c.Direct++
				res.Direct++
			}
			if k.dom == cf.DomainCore {
				res.CoreElements++
			}
			if k.grp != gr {
				res.OtherVendorElements++
			}
		}
		sort.Slice(keys, func(i, j int) bool {
			a, b := keys[i], keys[j]
			if a.op != b.op {
				return a.op < b.op
			}
			if a.dom != b.dom {
				return a.dom < b.dom
			}
			if ca, cb := counts[a].Elements, counts[b].Elements; ca != cb {
				return ca > cb
			}
			return counts[a].Vendor < counts[b].Vendor
		})
		for _, k := range keys {
			res.Reached = append(res.Reached, *counts[k])
		}
		out[gi] = res
	}
	return out
}

// managementLink returns the ends of link i when it is a management link
// between two elements in the graph.
func (g *Graph) managementLink(i int) (a, b int32, ok bool) {
	l := &g.inv.Links[i]
	if l.Kind != "management" || l.ARef == inventory.NoRef || l.BRef == inventory.NoRef || !g.inGraph[l.ARef] || !g.inGraph[l.BRef] {
		return 0, 0, false
	}
	return l.ARef, l.BRef, true
}
