package inventory

import (
	"fmt"
	"slices"
	"strings"

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
	// TechAttached: an element that carries nothing (a firewall on the
	// core routers, an antenna on its radio) serves what the elements it
	// hangs off, one hop nearer the core, serve.
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
	case TechUnknownNoCore, TechUnknownNothing:
		return "technology unknown: " + b.why() + "; give it a technology field"
	case TechUnknownRetired:
		return "technology unknown: retired, not part of the network"
	}
	return "unknown basis"
}

// why says why an element's technology is unknown.
func (b TechBasis) why() string {
	switch b {
	case TechUnknownNoCore:
		return "no link or hosting path leads from it to a core function of known technology, so the direction of its traffic cannot be told"
	case TechUnknownNothing:
		return "it carries, hosts and manages no element of known technology"
	}
	return b.String()
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
//  3. an element that carries nothing (a firewall or OSS hung on the core
//     routers, a core router whose only traffic is its data centre's
//     functions, an antenna on its radio) takes the technologies the
//     elements one hop nearer the core were given — except a transport
//     element, which then serves nothing;
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

	// What the steps need of each element, read once into compact arrays:
	// an Element is a few hundred bytes, so every pass over
	// inv.Elements costs a memory sweep.
	nf := inv.Catalogue.Len()
	funcTech := make([]cf.Tech, nf)
	funcRole := make([]uint8, nf)
	for f := range nf {
		fn := inv.Catalogue.Func(FuncRef(f))
		funcTech[f] = fn.Technology
		switch {
		case fn.Domains().Has(cf.DomainCore):
			funcRole[f] = roleCore
		case fn.Domain == cf.DomainTransport:
			funcRole[f] = roleTransport
		case fn.Domain == cf.DomainManagement:
			funcRole[f] = roleManagement
		}
	}
	own := make([]cf.Tech, n) // known technologies, before inference
	op := make([]Ref, n)      // operator, or NoRef when not in the graph (retired)
	host := make([]Ref, n)
	role := make([]uint8, n)
	for i := range inv.Elements {
		e := &inv.Elements[i]
		op[i], host[i], role[i] = NoRef, e.HostRef, funcRole[e.Func]
		if e.Status != StatusRetired && e.SiteRef != NoRef {
			op[i] = inv.Sites[e.SiteRef].OperatorRef
		}
		switch {
		case e.Technology != 0:
			own[i], inv.techBasis[i] = e.Technology, TechOwn
		case funcTech[e.Func] != 0:
			own[i], inv.techBasis[i] = funcTech[e.Func], TechFunction
		}
	}
	live := func(i Ref) bool { return op[i] != NoRef }

	// 1. Hosting: each known element adds its technologies to every host
	// down its chain. A walk stops at a host that has them already: every
	// walk goes to the end of the chain, so the hosts beyond have them
	// too, and each host gains bits at most once per technology — linear
	// even on a chain of a million hosts.
	hosted := make([]cf.Tech, n)
	for i := range n {
		t := own[i]
		if t == 0 || !live(Ref(i)) {
			continue
		}
		for h := host[i]; h != NoRef && hosted[h]|t != hosted[h]; h = host[h] {
			hosted[h] |= t
		}
	}

	if b.ctx.Err() != nil {
		return // BuildContext returns the error
	}

	// The graph: links between live elements of one operator (but for
	// management links, kept apart) and hosting, as CSR adjacency.
	var mgmt [][2]Ref
	traffic := func(l *Link) bool {
		return op[l.ARef] != NoRef && op[l.ARef] == op[l.BRef] && l.Kind != "management"
	}
	off := make([]int32, n+1)
	for i := range inv.Links {
		switch l := &inv.Links[i]; {
		case traffic(l):
			off[l.ARef+1]++
			off[l.BRef+1]++
		case l.Kind == "management" && live(l.ARef) && live(l.BRef):
			mgmt = append(mgmt, [2]Ref{l.ARef, l.BRef})
		}
	}
	for i := range n {
		if h := host[i]; h != NoRef && live(Ref(i)) && live(h) {
			off[i+1]++
			off[h+1]++
		}
	}
	for i := range n {
		off[i+1] += off[i]
	}
	adj := make([]Ref, off[n])
	next := slices.Clone(off[:n])
	put := func(a, c Ref) {
		adj[next[a]] = c
		next[a]++
		adj[next[c]] = a
		next[c]++
	}
	for i := range inv.Links {
		if l := &inv.Links[i]; traffic(l) {
			put(l.ARef, l.BRef)
		}
	}
	for i := range n {
		if h := host[i]; h != NoRef && live(Ref(i)) && live(h) {
			put(Ref(i), h)
		}
	}
	next = nil

	if b.ctx.Err() != nil {
		return // BuildContext returns the error
	}

	// 2. Breadth-first from the core functions of known technology,
	// recording the edges of the shortest-path DAG (each from an element
	// to one a hop nearer the core) in order of distance.
	dist := make([]int32, n)
	order := make([]Ref, 0, n) // elements in order of distance
	for i := range n {
		dist[i] = -1
		if live(Ref(i)) && own[i] != 0 && role[i] == roleCore {
			dist[i] = 0
			order = append(order, Ref(i))
		}
	}
	dag := make([][2]Ref, 0, len(adj)/2) // (farther, nearer) pairs, in order of distance
	for k := 0; k < len(order); k++ {
		x := order[k]
		for _, y := range adj[off[x]:off[x+1]] {
			switch dist[y] {
			case -1:
				dist[y] = dist[x] + 1
				order = append(order, y)
				fallthrough
			case dist[x] + 1:
				dag = append(dag, [2]Ref{y, x})
			}
		}
	}
	if b.ctx.Err() != nil {
		return // BuildContext returns the error
	}

	// Farthest first, each element passes what it carries to its
	// neighbours one hop nearer the core: the DAG's edges in reverse,
	// since an element's own incoming edges were recorded after it was
	// reached.
	carried := make([]cf.Tech, n)
	for i := range carried {
		carried[i] = own[i] | hosted[i]
	}
	for k := len(dag) - 1; k >= 0; k-- {
		carried[dag[k][1]] |= carried[dag[k][0]]
	}
	dag = nil

	tech := make([]cf.Tech, n)
	for i := range n {
		switch {
		case own[i] != 0:
			tech[i] = own[i]
		case !live(Ref(i)):
			inv.techBasis[i] = TechUnknownRetired
		case hosted[i] != 0:
			tech[i], inv.techBasis[i] = hosted[i], TechHosted
		case dist[i] < 0:
			inv.techBasis[i] = TechUnknownNoCore
		case carried[i] != 0:
			tech[i], inv.techBasis[i] = carried[i], TechCarried
		default:
			inv.techBasis[i] = TechUnknownNothing
		}
	}
	// 3. What carries nothing takes, nearest the core first, what the
	// elements one hop nearer have — but a transport element with nothing
	// behind it serves nothing.
	for _, x := range order {
		if inv.techBasis[x] != TechUnknownNothing || role[x] == roleTransport {
			continue
		}
		var attached cf.Tech
		for _, y := range adj[off[x]:off[x+1]] {
			if dist[y] == dist[x]-1 {
				attached |= tech[y]
			}
		}
		if attached != 0 {
			tech[x], inv.techBasis[x] = attached, TechAttached
		}
	}

	// 4. Management functions serve what they manage (one level: what a
	// managed element was given above).
	if len(mgmt) > 0 {
		managed := make([]cf.Tech, n)
		for _, ed := range mgmt {
			for k, m := range ed {
				if own[m] == 0 && role[m] == roleManagement {
					managed[m] |= tech[ed[1-k]]
				}
			}
		}
		for i := range managed {
			if managed[i] != 0 && inv.techBasis[i] != TechHosted {
				tech[i], inv.techBasis[i] = managed[i], TechManaged
			}
		}
	}

	// One warning per reason an element in the network has no technology.
	const examples = 3
	var unknown [TechUnknownRetired]struct {
		n   int
		ids []string
	}
	for i := range inv.Elements {
		e := &inv.Elements[i]
		e.Tech = tech[i]
		if e.InNetwork(false) {
			inv.Operators[op[i]].Tech |= tech[i]
			inv.Groups[e.Group].Elements++
			if basis := inv.techBasis[i]; tech[i] == 0 && basis < TechUnknownRetired {
				u := &unknown[basis]
				if u.n++; len(u.ids) < examples {
					u.ids = append(u.ids, e.ID)
				}
			}
		}
	}
	for basis, u := range unknown {
		if u.n == 0 {
			continue
		}
		ids := strings.Join(u.ids, ", ")
		if u.n > examples {
			ids += ", …"
		}
		inv.Warnings = append(inv.Warnings, cf.Warning{Code: "technology-unknown",
			Message: fmt.Sprintf("%d element(s) have no technology (%s): %s; rules limited to technologies report them as unmeasured — give them a technology field", u.n, ids, TechBasis(basis).why())})
	}
}

// What technology inference asks of a function's domains.
const (
	roleOther uint8 = iota
	roleCore
	roleTransport
	roleManagement
)

// TechBasis returns where the effective technologies of the element at r
// come from, or why they are unknown (Element.Tech is then 0).
func (inv *Inventory) TechBasis(r Ref) TechBasis {
	if inv.techBasis == nil {
		return TechOwn
	}
	return inv.techBasis[r]
}
