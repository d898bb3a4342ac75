package inventory

import (
	cf "github.com/corefence/corefence"
)

// TechBasis says where an element's effective technologies (Element.Tech)
// come from. docs/inventory.md ("Technologies") explains each.
type TechBasis uint8

// The bases of an element's technologies, in the order Build tries them.
const (
	// TechOwn: the element's own technology field.
	TechOwn TechBasis = iota
	// TechFunction: its function's default (gnb → 5g, olt → fttp …).
	TechFunction
	// TechHosted: the elements it hosts, directly or down a chain.
	TechHosted
	// TechCarried: the elements whose traffic it carries toward the core.
	TechCarried
	// TechAttached: a leaf (a firewall on the core routers, an antenna on
	// its radio) serves what the elements it hangs off carry.
	TechAttached
	// TechManaged: a management function serves what it manages over
	// management links.
	TechManaged
	// TechUnknownNoCore: unknown, because no path leads from the element
	// to a core function of known technology, so the direction of its
	// traffic cannot be told.
	TechUnknownNoCore
	// TechUnknownNothing: unknown, because the element carries the traffic
	// of no element of known technology.
	TechUnknownNothing
	// TechUnknownRetired: unknown, because a retired element is not part of
	// the network and serves nothing.
	TechUnknownRetired
)

// Known reports whether the basis gives the element technologies.
func (b TechBasis) Known() bool { return b < TechUnknownNoCore }

// String says, in words, where the technologies come from or why they
// are unknown.
func (b TechBasis) String() string {
	switch b {
	case TechOwn:
		return "its technology field"
	case TechFunction:
		return "its function's default"
	case TechHosted:
		return "the elements it hosts"
	case TechCarried:
		return "the elements whose traffic it carries toward the core"
	case TechAttached:
		return "what the elements it is attached to carry"
	case TechManaged:
		return "the elements it manages"
	case TechUnknownNoCore:
		return "technology unknown: no link or hosting path leads from it to a core function of known technology, so the direction of its traffic cannot be told; give it a technology field"
	case TechUnknownNothing:
		return "technology unknown: it carries, hosts and manages no element of known technology; give it a technology field"
	case TechUnknownRetired:
		return "technology unknown: retired, not part of the network"
	}
	return "unknown basis"
}

// technologies gives every element its effective technologies and their
// basis, and every operator the union of its elements' (active and
// decommissioning; planned ones are not run yet).
//
// An element with a technology field, or whose function has a default,
// keeps it. Any other (routers, servers, antennas, OSS …) takes the
// technologies of what it serves, from the topology:
//
//  1. a host takes those of the elements it hosts;
//  2. otherwise, traffic is taken to flow toward the core: along a
//     breadth-first search from the core functions of known technology
//     over links (management links excluded) and hosting, each element
//     takes those of the elements one hop farther from the core that
//     reach it — the radio and fixed-access elements whose traffic it
//     carries, summed up the tree;
//  3. a leaf that carries nothing (a firewall or OSS hung on the core
//     routers, an antenna on its radio) takes the technologies of the
//     elements one hop nearer the core — their own, else what they host,
//     else what they carry — except a transport leaf, which serves
//     nothing;
//  4. a management function with management links takes, instead, the
//     technologies of the elements it manages;
//  5. anything else has no technology (Tech 0) and a basis saying why,
//     which checks report as unmeasured for technology-specific rules.
//
// Every step is linear in elements and links.
func (b *builder) technologies() {
	inv := b.inv
	n := len(inv.Elements)
	inv.techBasis = make([]TechBasis, n)
	own := make([]cf.Tech, n) // known technologies, before inference
	live := make([]bool, n)   // in the network graph: not retired
	for i := range inv.Elements {
		e := &inv.Elements[i]
		live[i] = e.Status != StatusRetired && e.SiteRef != NoRef
		switch fn := inv.Catalogue.Func(e.Func); {
		case e.Technology != 0:
			own[i], inv.techBasis[i] = e.Technology, TechOwn
		case fn.Technology != 0:
			own[i], inv.techBasis[i] = fn.Technology, TechFunction
		}
	}

	// 1. Hosting: each known element adds its technologies to every host
	// down its chain.
	hosted := make([]cf.Tech, n)
	for i := range inv.Elements {
		if own[i] == 0 || !live[i] {
			continue
		}
		for h := inv.Elements[i].HostRef; h != NoRef; h = inv.Elements[h].HostRef {
			hosted[h] |= own[i]
		}
	}

	// The graph: links between live elements of one operator (but for
	// management links, kept apart) and hosting, as CSR adjacency.
	opOf := func(i Ref) Ref { return inv.Sites[inv.Elements[i].SiteRef].OperatorRef }
	traffic := func(l *Link) bool {
		return l.Kind != "management" && live[l.ARef] && live[l.BRef] && opOf(l.ARef) == opOf(l.BRef)
	}
	deg := make([]int32, n+1)
	mgmt := false
	for i := range inv.Links {
		l := &inv.Links[i]
		switch {
		case traffic(l):
			deg[l.ARef]++
			deg[l.BRef]++
		case l.Kind == "management":
			mgmt = true
		}
	}
	for i := range inv.Elements {
		if h := inv.Elements[i].HostRef; h != NoRef && live[i] && live[h] {
			deg[i]++
			deg[h]++
		}
	}
	off := make([]int32, n+1)
	for i := 0; i < n; i++ {
		off[i+1] = off[i] + deg[i]
	}
	adj := make([]Ref, off[n])
	fill := deg[:n] // reused as the next free slot of each element
	copy(fill, off[:n])
	put := func(a, c Ref) {
		adj[fill[a]] = c
		fill[a]++
		adj[fill[c]] = a
		fill[c]++
	}
	for i := range inv.Links {
		if l := &inv.Links[i]; traffic(l) {
			put(l.ARef, l.BRef)
		}
	}
	for i := range inv.Elements {
		if h := inv.Elements[i].HostRef; h != NoRef && live[i] && live[h] {
			put(Ref(i), h)
		}
	}

	// 2. Breadth-first from the core functions of known technology.
	dist := make([]int32, n)
	order := make([]Ref, 0, n) // elements in order of distance
	for i := range inv.Elements {
		dist[i] = -1
		if live[i] && own[i] != 0 && inv.Catalogue.Func(inv.Elements[i].Func).Domains().Has(cf.DomainCore) {
			dist[i] = 0
			order = append(order, Ref(i))
		}
	}
	for k := 0; k < len(order); k++ {
		x := order[k]
		for _, y := range adj[off[x]:off[x+1]] {
			if dist[y] < 0 {
				dist[y] = dist[x] + 1
				order = append(order, y)
			}
		}
	}
	// Farthest first, each element passes what it carries to its
	// neighbours one hop nearer the core.
	carried := make([]cf.Tech, n)
	for i := range carried {
		carried[i] = own[i] | hosted[i]
	}
	for k := len(order) - 1; k >= 0; k-- {
		x := order[k]
		if carried[x] == 0 {
			continue
		}
		for _, y := range adj[off[x]:off[x+1]] {
			if dist[y] == dist[x]-1 {
				carried[y] |= carried[x]
			}
		}
	}

	tech := make([]cf.Tech, n)
	for i := range inv.Elements {
		e := &inv.Elements[i]
		switch {
		case own[i] != 0:
			tech[i] = own[i]
			continue
		case !live[i]:
			inv.techBasis[i] = TechUnknownRetired
		case hosted[i] != 0:
			tech[i], inv.techBasis[i] = hosted[i], TechHosted
		case dist[i] < 0:
			inv.techBasis[i] = TechUnknownNoCore
		case carried[i] != 0:
			tech[i], inv.techBasis[i] = carried[i], TechCarried
		default:
			inv.techBasis[i] = TechUnknownNothing
			if inv.Catalogue.Func(e.Func).Domain == cf.DomainTransport {
				break // a router with nothing behind it serves nothing
			}
			var attached cf.Tech
			leaf := true
			for _, y := range adj[off[i]:off[i+1]] {
				switch dist[y] {
				case dist[i] + 1:
					leaf = false
				case dist[i] - 1:
					switch {
					case own[y] != 0:
						attached |= own[y]
					case hosted[y] != 0:
						attached |= hosted[y]
					default:
						attached |= carried[y]
					}
				}
			}
			if leaf && attached != 0 {
				tech[i], inv.techBasis[i] = attached, TechAttached
			}
		}
	}

	// 4. Management functions serve what they manage (one level: what a
	// managed element was given above).
	if mgmt {
		managed := make([]cf.Tech, n)
		isMgmt := func(r Ref) bool {
			return own[r] == 0 && live[r] && inv.Catalogue.Func(inv.Elements[r].Func).Domain == cf.DomainManagement
		}
		for i := range inv.Links {
			l := &inv.Links[i]
			if l.Kind != "management" || !live[l.ARef] || !live[l.BRef] {
				continue
			}
			if isMgmt(l.ARef) {
				managed[l.ARef] |= tech[l.BRef]
			}
			if isMgmt(l.BRef) {
				managed[l.BRef] |= tech[l.ARef]
			}
		}
		for i := range managed {
			if managed[i] != 0 && inv.techBasis[i] != TechHosted {
				tech[i], inv.techBasis[i] = managed[i], TechManaged
			}
		}
	}

	for i := range inv.Elements {
		e := &inv.Elements[i]
		e.Tech = tech[i]
		if e.InNetwork(false) {
			inv.Operators[inv.Sites[e.SiteRef].OperatorRef].Tech |= tech[i]
			inv.Groups[e.Group].Elements++
		}
	}
}

// TechBasis returns where the effective technologies of the element at r
// come from, or why they are unknown (Element.Tech is then 0).
func (inv *Inventory) TechBasis(r Ref) TechBasis {
	if inv.techBasis == nil {
		return TechOwn
	}
	return inv.techBasis[r]
}
