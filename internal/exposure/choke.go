package exposure

import (
	"context"
	"sort"

	"github.com/corefence/corefence/internal/inventory"
)

// ChokePoint is an element whose failure alone — with everything hosted on
// it — takes sites out of service.
type ChokePoint struct {
	Element            string        `json:"element"`
	Function           string        `json:"function"`
	Vendor             string        `json:"vendor"`
	Operator           string        `json:"operator"`
	Site               string        `json:"site"`
	SitesLost          int           `json:"sites_lost"`
	TrafficLost        Traffic       `json:"traffic_lost"`
	SensitiveSitesLost int           `json:"sensitive_sites_lost"`
	Ref                inventory.Ref `json:"-"`
}

// ChokePoints returns every element whose single failure loses at least
// one site, the most traffic lost first (then the most sites, then the
// element id).
//
// The graph is undirected, so the elements whose removal cuts a radio
// element r off every instance of a function f are the articulation points
// between r and f's instances: the dominators of r in the graph seen from
// a super-source joined to every instance of f. One depth-first search
// with low points per operator and needed function gives them all: a
// vertex p on the search-tree path to w dominates w exactly when the
// subtree of p's child towards w has no edge above p (low ≥ disc[p]), so
// idom(w) is p when low[w] ≥ disc[p] and idom(p) otherwise. A site is lost
// by v's failure when v is, for every radio element in service for every
// technology in service, that radio element itself or a dominator of it
// for one of the technology's functions.
//
// A failure takes down the failing element's hosted elements too. The
// search runs once per level k of the hosting forest: every element scored
// at level k is merged with all it hosts, so that its failure is the
// removal of one vertex. Only elements that can matter are scored, and
// levels count them alone (see hostingLevels): an element that hosts
// nothing relevant loses nothing, and a bare host of a single relevant
// element loses what that element loses. Generated networks have one or
// two levels; a hosting chain of bare servers, of any length, adds one.
//
// Cost: O(levels · functions · (V+E)) for the searches, plus, per site,
// the walks up the dominator trees from its radio elements (their depth is
// a handful of elements in a network with redundant transport). Levels
// are at most the hosting depth plus one; they reach it only when every
// host of a chain has links of its own or hosts several relevant elements.
func (g *Graph) ChokePoints(ctx context.Context) ([]ChokePoint, error) {
	g.baseService()
	type task struct {
		o *opGraph
		k int32 // a level, or -1 - the index of a path
	}
	var tasks []task
	acc := make([]*chokeAcc, len(g.ops))
	lv := make([]*levels, len(g.ops))
	for oi, o := range g.ops {
		acc[oi] = &chokeAcc{sites: make([]int32, o.n()), traffic: make([]Traffic, o.n()), sensitive: make([]int32, o.n())}
		lv[oi] = o.hostingLevels()
		o.hostingPaths(lv[oi])
		for k := int32(0); k < lv[oi].n; k++ {
			tasks = append(tasks, task{o, k})
		}
		for p := range lv[oi].paths {
			tasks = append(tasks, task{o, -1 - int32(p)})
		}
	}
	sc := make([]*domScratch, workers(len(tasks)))
	err := parallel(ctx, len(tasks), func(w, i int) {
		if sc[w] == nil {
			sc[w] = g.newDomScratch()
		}
		t := tasks[i]
		if t.k < 0 {
			g.chokePath(t.o, lv[t.o.op].paths[-1-t.k], acc[t.o.op])
			return
		}
		g.chokeLevel(t.o, lv[t.o.op], t.k, acc[t.o.op], sc[w])
	})
	if err != nil {
		return nil, err
	}
	for oi, o := range g.ops {
		lv[oi].inherit(o, acc[oi])
	}
	inv := g.inv
	var out []ChokePoint
	for oi, o := range g.ops {
		a := acc[oi]
		for x, n := range a.sites {
			if n == 0 {
				continue
			}
			e := &inv.Elements[o.elems[x]]
			out = append(out, ChokePoint{Element: e.ID, Function: e.Function, Vendor: inv.Groups[e.Group].ID,
				Operator: inv.Operators[o.op].ID, Site: inv.Sites[e.SiteRef].ID, SitesLost: int(n),
				TrafficLost: a.traffic[x], SensitiveSitesLost: int(a.sensitive[x]), Ref: inventory.Ref(o.elems[x])})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := &out[i], &out[j]
		if c := a.TrafficLost.Cmp(b.TrafficLost); c != 0 {
			return c > 0
		}
		if a.SitesLost != b.SitesLost {
			return a.SitesLost > b.SitesLost
		}
		return a.Element < b.Element
	})
	return out, nil
}

// chokeAcc sums, per element of one operator, what its failure loses.
// Passes of different depths write to different elements.
type chokeAcc struct {
	sites     []int32
	traffic   []Traffic
	sensitive []int32
}

// domScratch holds one goroutine's buffers for the searches.
type domScratch struct {
	rep, disc, low, parent, it, stack, pre []int32
	idom                                   [][]int32 // per needed-function slot
	isSrc                                  []bool
	coff, cadj                             []int32
	mark                                   []uint32
	gen                                    uint32
	cur, tmp, srcs                         []int32
}

func (g *Graph) newDomScratch() *domScratch {
	n := 0
	for _, o := range g.ops {
		n = max(n, o.n())
	}
	sc := &domScratch{
		rep: make([]int32, n), disc: make([]int32, n), low: make([]int32, n), parent: make([]int32, n),
		it: make([]int32, n), stack: make([]int32, 0, 64), pre: make([]int32, 0, n),
		isSrc: make([]bool, n), coff: make([]int32, n+1), mark: make([]uint32, n),
		idom: make([][]int32, len(g.slotFunc)),
	}
	for s := range sc.idom {
		sc.idom[s] = make([]int32, n)
	}
	return sc
}

// Values of idom besides element indexes.
const (
	unreached   = -1
	superSource = -2
)

// levels says which of an operator's elements ChokePoints scores, and in
// which search.
type levels struct {
	n     int32   // searches
	level []int32 // per element: the search that scores it, or -1
	// like is, per element that is not scored but hosts something
	// relevant, the one hosted element whose failure loses exactly what
	// its own does; else -1.
	like []int32
	// paths are chains of scored elements scored by chokePath, not by
	// levels (see hostingPaths).
	paths [][]int32
}

// hostingLevels works out which elements' failures can lose a site, and
// groups those into levels whose hosting subtrees are disjoint, with as
// few levels as the hosting forest allows (linear time):
//
//   - An element is relevant when it is a radio element, an instance of a
//     needed function, or has a link. One whose hosting subtree holds
//     nothing relevant loses nothing: it and what it hosts are cut off
//     from the rest of the graph by its failure, and hold nothing a site
//     needs.
//   - A bare host — not relevant itself, hosting exactly one element
//     whose subtree holds something relevant — loses what that element
//     loses: once that element and all it hosts are gone, the bare host
//     is joined to nothing but its own host and irrelevant guests.
//   - Every other element with something relevant in its subtree is
//     scored, at the level of the number of scored elements above it in
//     its hosting chain. Scored elements of one level never host one
//     another, so their subtrees are disjoint.
func (o *opGraph) hostingLevels() *levels {
	n := o.n()
	lv := &levels{level: make([]int32, n), like: make([]int32, n)}
	guestsOf := make([]int32, n)
	for x := range n {
		lv.level[x], lv.like[x] = -1, -1
		if h := o.host[x]; h >= 0 {
			guestsOf[h]++
		}
	}
	relevant := make([]bool, n) // itself, then: something in its subtree
	for x := range n {
		links := o.off[x+1] - o.off[x] - guestsOf[x] // edges but hosting ones
		if o.host[x] >= 0 {
			links--
		}
		relevant[x] = o.slot[x] >= 0 || links > 0
	}
	for _, r := range o.radios {
		relevant[r] = true
	}
	// Guests before hosts: propagate "holds something relevant", and find
	// each host's single relevant guest (or note there are several).
	self := append([]bool(nil), relevant...)
	guests := make([]int32, n) // relevant guests, up to 2
	only := make([]int32, n)   // the relevant guest, when there is one
	for i := len(o.order) - 1; i >= 0; i-- {
		x := o.order[i]
		if !relevant[x] {
			continue
		}
		if h := o.host[x]; h >= 0 {
			relevant[h] = true
			if guests[h] < 2 {
				guests[h]++
			}
			only[h] = x
		}
	}
	// Hosts before guests: levels.
	above := make([]int32, n) // scored elements above x in its chain, x excluded
	for _, x := range o.order {
		if h := o.host[x]; h >= 0 {
			above[x] = above[h]
			if lv.level[h] >= 0 {
				above[x]++
			}
		}
		switch {
		case !relevant[x]:
		case !self[x] && guests[x] == 1:
			lv.like[x] = only[x]
		default:
			lv.level[x] = above[x]
			lv.n = max(lv.n, above[x]+1)
		}
	}
	return lv
}

// inherit gives every bare host the score of the element it stands for,
// deepest first.
func (lv *levels) inherit(o *opGraph, acc *chokeAcc) {
	for i := len(o.order) - 1; i >= 0; i-- {
		if x := o.order[i]; lv.like[x] >= 0 {
			c := lv.like[x]
			acc.sites[x], acc.traffic[x], acc.sensitive[x] = acc.sites[c], acc.traffic[c], acc.sensitive[c]
		}
	}
}

// chokeLevel scores the failures of o's elements of level k.
func (g *Graph) chokeLevel(o *opGraph, lv *levels, k int32, acc *chokeAcc, sc *domScratch) {
	n := o.n()
	rep := sc.rep[:n]
	merged := false
	for _, x := range o.order {
		rep[x] = x
		if h := o.host[x]; h >= 0 && lv.level[rep[h]] == k {
			rep[x] = rep[h]
			merged = true
		}
	}
	off, adj := o.off, o.adj
	if merged {
		off, adj = sc.contract(o, rep)
	}

	// The technologies o's sites run, and the slots they need.
	var need uint8
	for i := range o.sites {
		for t, tn := range g.techs {
			if g.base.service[o.op][i]&(1<<t) != 0 {
				need |= tn.mask
			}
		}
	}
	for s := range g.slotFunc {
		if need&(1<<s) == 0 {
			continue
		}
		srcs := sc.srcs[:0]
		isSrc := sc.isSrc[:n]
		clear(isSrc)
		for x := range n {
			if o.slot[x] == int8(s) && !isSrc[rep[x]] {
				isSrc[rep[x]] = true
				srcs = append(srcs, rep[x])
			}
		}
		sc.srcs = srcs
		sc.dominators(n, off, adj, srcs, isSrc, sc.idom[s][:n])
	}

	// Sites: the intersection, over the radio elements in service for
	// each technology in service, of what kills each one.
	base := g.base.service[o.op]
	for i := range o.sites {
		if base[i] == 0 {
			continue
		}
		first := true
		cur := sc.cur[:0]
	site:
		for t, tn := range g.techs {
			if base[i]&(1<<t) == 0 {
				continue
			}
			rs := o.siteRadios(i)
			for j, r := range rs {
				if o.radioTech[int(o.radioOff[i])+j]&tn.tech == 0 || !sc.reaches(rep[r], tn.mask) {
					continue
				}
				kill := sc.killers(rep[r], tn.mask, lv.level, k)
				if first {
					cur = append(cur, kill...)
					first = false
				} else {
					sc.gen++
					for _, v := range kill {
						sc.mark[v] = sc.gen
					}
					kept := cur[:0]
					for _, v := range cur {
						if sc.mark[v] == sc.gen {
							kept = append(kept, v)
						}
					}
					cur = kept
				}
				if len(cur) == 0 {
					break site
				}
			}
		}
		sc.cur = cur
		if len(cur) == 0 {
			continue
		}
		s := &o.sites[i]
		sens := g.siteNS[s.ref] || g.siteInArea[s.ref]
		for _, v := range cur {
			acc.sites[v]++
			acc.traffic[v].Add(s.traffic)
			if sens {
				acc.sensitive[v]++
			}
		}
	}
}

// reaches reports whether x reaches an instance of every slot in mask.
func (sc *domScratch) reaches(x int32, mask uint8) bool {
	for s := range sc.idom {
		if mask&(1<<s) != 0 && sc.idom[s][x] == unreached {
			return false
		}
	}
	return true
}

// killers returns, without repeats, the elements of level k whose failure
// cuts x off an instance of one of the slots in mask: x itself and its
// dominators.
func (sc *domScratch) killers(x int32, mask uint8, level []int32, k int32) []int32 {
	sc.gen++
	out := sc.tmp[:0]
	if level[x] == k {
		sc.mark[x] = sc.gen
		out = append(out, x)
	}
	for s := range sc.idom {
		if mask&(1<<s) == 0 {
			continue
		}
		idom := sc.idom[s]
		for v := idom[x]; v >= 0; v = idom[v] {
			if level[v] == k && sc.mark[v] != sc.gen {
				sc.mark[v] = sc.gen
				out = append(out, v)
			}
		}
	}
	sc.tmp = out
	return out
}

// contract returns o's adjacency with every element merged into rep[x].
func (sc *domScratch) contract(o *opGraph, rep []int32) (off, adj []int32) {
	n := o.n()
	off = sc.coff[:n+1]
	clear(off)
	for x := range n {
		rx := rep[x]
		for _, y := range o.adj[o.off[x]:o.off[x+1]] {
			if rep[y] != rx {
				off[rx+1]++
			}
		}
	}
	for x := 1; x <= n; x++ {
		off[x] += off[x-1]
	}
	if cap(sc.cadj) < int(off[n]) {
		sc.cadj = make([]int32, off[n])
	}
	adj = sc.cadj[:off[n]]
	fill := sc.it[:n]
	copy(fill, off[:n])
	for x := range n {
		rx := rep[x]
		for _, y := range o.adj[o.off[x]:o.off[x+1]] {
			if ry := rep[y]; ry != rx {
				adj[fill[rx]] = ry
				fill[rx]++
			}
		}
	}
	return off, adj
}

// dominators fills idom with each vertex's immediate dominator seen from a
// super-source joined to srcs (superSource for the vertices it reaches
// directly, unreached for those it does not reach), by one iterative
// depth-first search with low points.
func (sc *domScratch) dominators(n int, off, adj, srcs []int32, isSrc []bool, idom []int32) {
	disc, low, parent, it := sc.disc[:n], sc.low[:n], sc.parent[:n], sc.it[:n]
	for x := range n {
		disc[x] = -1
		idom[x] = unreached
	}
	pre := sc.pre[:0]
	stack := sc.stack[:0]
	time := int32(1) // the super-source is 0
	visit := func(y, p int32) {
		disc[y], low[y], parent[y], it[y] = time, time, p, off[y]
		if isSrc[y] {
			low[y] = 0 // its edge to the super-source
		}
		time++
		pre = append(pre, y)
		stack = append(stack, y)
	}
	for _, s := range srcs {
		if disc[s] >= 0 {
			continue
		}
		visit(s, superSource)
		for len(stack) > 0 {
			x := stack[len(stack)-1]
			if it[x] < off[x+1] {
				y := adj[it[x]]
				it[x]++
				if disc[y] < 0 {
					visit(y, x)
				} else if disc[y] < low[x] {
					low[x] = disc[y]
				}
				continue
			}
			stack = stack[:len(stack)-1]
			if p := parent[x]; p >= 0 && low[x] < low[p] {
				low[p] = low[x]
			}
		}
	}
	for _, w := range pre {
		switch p := parent[w]; {
		case p == superSource:
			idom[w] = superSource
		case low[w] >= disc[p]:
			idom[w] = p
		default:
			idom[w] = idom[p]
		}
	}
	sc.pre, sc.stack = pre, stack
}
