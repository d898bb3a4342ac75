package exposure

// Hosting paths: the failures of a long chain of scored elements, each
// hosted (at some depth) on the one before, scored in one pass.
//
// Levels (hostingLevels) score elements whose hosting subtrees are
// disjoint in one search each; the elements of a chain nest, so a chain of
// L scored elements — servers that all have links of their own, or host
// several relevant elements — would take L searches of the whole graph.
// Along a chain v1 ⊃ v2 ⊃ … ⊃ vL the graphs left by the failures grow:
// G − H(v(j+1)) is G − H(vj) plus what vj hosts outside v(j+1)'s subtree
// (H(v) is v with all it hosts). So one pass of a union-find that only
// ever adds vertices sees them all, in order: a radio element of a site
// serves it for a technology once its component holds an instance of
// every function the technology needs, and a site is lost by vj exactly
// when none of its radio elements serves it yet in G − H(vj) — the same
// condition chokeLevel computes with dominators. Each site records the
// first step at which it is served; what vj loses is summed from those.
//
// Cost per chain: O((V + E) α + P log P) for V elements, E edges and P
// (radio element, technology) pairs: components merge smaller pending
// list into larger, and a pair is looked at again only when its
// component's set of functions grows (at most once per needed function).

// minPath is the number of scored elements from which a chain of them is
// scored by a pass of its own rather than by levels: a pass costs about
// what one level does, and the elements left to levels then have fewer
// than minPath path elements above them per light edge of the scored
// forest. A variable so that tests can make every chain a path.
var minPath = 64

// hostingPaths takes the long heavy paths of the forest of scored elements
// (lv.level ≥ 0) out of it: their elements are scored by chokePath, the
// rest by levels, which it then renumbers. A scored element's heavy child
// is its scored descendant with no scored element between them whose
// hosting subtree is largest (ties: the lowest index).
func (o *opGraph) hostingPaths(lv *levels) {
	n := o.n()
	up := make([]int32, n) // the nearest scored proper ancestor, or -1
	heavy := make([]int32, n)
	for _, x := range o.order {
		up[x], heavy[x] = -1, -1
		if h := o.host[x]; h >= 0 {
			up[x] = up[h]
			if lv.level[h] >= 0 {
				up[x] = h
			}
		}
	}
	for x := range int32(n) {
		if lv.level[x] < 0 || up[x] < 0 {
			continue
		}
		u := up[x]
		if c := heavy[u]; c < 0 || o.subtree[x] > o.subtree[c] || o.subtree[x] == o.subtree[c] && x < c {
			heavy[u] = x
		}
	}
	onPath := make([]bool, n)
	for _, x := range o.order {
		if lv.level[x] < 0 || up[x] >= 0 && heavy[up[x]] == x {
			continue // not scored, or inside a heavy path that starts above
		}
		var path []int32
		for v := x; v >= 0; v = heavy[v] {
			path = append(path, v)
		}
		if len(path) < minPath {
			continue
		}
		for _, v := range path {
			onPath[v] = true
		}
		lv.paths = append(lv.paths, path)
	}
	if len(lv.paths) == 0 {
		return
	}
	// Levels again, counting only the scored elements left to them.
	above := make([]int32, n)
	lv.n = 0
	for _, x := range o.order {
		if h := o.host[x]; h >= 0 {
			above[x] = above[h]
			if lv.level[h] >= 0 {
				above[x]++
			}
		}
		switch {
		case onPath[x]:
			lv.level[x] = -1
		case lv.level[x] >= 0:
			lv.level[x] = above[x]
			lv.n = max(lv.n, above[x]+1)
		}
	}
}

// pathScratch is one pass's union-find over an operator's elements.
type pathScratch struct {
	parent, size []int32
	mask         []uint8   // per root: the needed-function slots its component holds
	pend         [][]int32 // per root: pairs whose radio is in it, not yet serving
	present      []bool
	byPre        []int32 // elements by preorder number
}

// chokePath scores the failures of the elements of path (each hosted, at
// some depth, on the one before) into acc.
func (g *Graph) chokePath(o *opGraph, path []int32, acc *chokeAcc) {
	n := o.n()
	sc := &pathScratch{parent: make([]int32, n), size: make([]int32, n), mask: make([]uint8, n),
		pend: make([][]int32, n), present: make([]bool, n), byPre: make([]int32, n)}
	for x := range int32(n) {
		sc.byPre[o.pre[x]] = x
		sc.parent[x], sc.size[x] = x, 1
		if s := o.slot[x]; s >= 0 {
			sc.mask[x] = 1 << s
		}
	}
	// The slots each element reaches in the whole graph: a radio element
	// that does not reach all its technology needs is left out, as
	// chokeLevel leaves it out.
	reach := o.reachMasks()

	// Pairs: a radio element in service for a technology in service at
	// its site, with the slots that technology needs.
	base := g.base.service[o.op]
	var pairSite []int32
	var pairMask []uint8
	pairHead := make([]int32, n)
	for x := range pairHead {
		pairHead[x] = -1
	}
	var pairNext []int32
	for i := range o.sites {
		if base[i] == 0 {
			continue
		}
		for t, tn := range g.techs {
			if base[i]&(1<<t) == 0 {
				continue
			}
			for j, r := range o.siteRadios(i) {
				if o.radioTech[int(o.radioOff[i])+j]&tn.tech == 0 || reach[r]&tn.mask != tn.mask {
					continue
				}
				pairSite = append(pairSite, int32(i))
				pairMask = append(pairMask, tn.mask)
				pairNext = append(pairNext, pairHead[r])
				pairHead[r] = int32(len(pairSite) - 1)
			}
		}
	}
	served := make([]int32, len(o.sites))  // pairs serving each site
	savedAt := make([]int32, len(o.sites)) // the first step at which a pair serves it
	step := int32(0)
	serve := func(p int32) {
		i := pairSite[p]
		if served[i] == 0 {
			savedAt[i] = step
		}
		served[i]++
	}
	// settle serves the pairs of list that mask satisfies and returns the
	// others.
	settle := func(list []int32, m uint8) []int32 {
		kept := list[:0]
		for _, p := range list {
			if pairMask[p]&m == pairMask[p] {
				serve(p)
			} else {
				kept = append(kept, p)
			}
		}
		return kept
	}
	find := func(x int32) int32 {
		for sc.parent[x] != x {
			sc.parent[x] = sc.parent[sc.parent[x]]
			x = sc.parent[x]
		}
		return x
	}
	union := func(a, b int32) {
		ra, rb := find(a), find(b)
		if ra == rb {
			return
		}
		if sc.size[ra] < sc.size[rb] {
			ra, rb = rb, ra
		}
		m := sc.mask[ra] | sc.mask[rb]
		la, lb := sc.pend[ra], sc.pend[rb]
		if m != sc.mask[ra] {
			la = settle(la, m)
		}
		if m != sc.mask[rb] {
			lb = settle(lb, m)
		}
		if len(la) < len(lb) {
			la, lb = lb, la
		}
		sc.parent[rb], sc.size[ra], sc.mask[ra] = ra, sc.size[ra]+sc.size[rb], m
		sc.pend[ra], sc.pend[rb] = append(la, lb...), nil
	}
	add := func(x int32) {
		sc.present[x] = true
		for p := pairHead[x]; p >= 0; p = pairNext[p] {
			if pairMask[p]&sc.mask[x] == pairMask[p] {
				serve(p)
			} else {
				sc.pend[x] = append(sc.pend[x], p)
			}
		}
		for _, y := range o.adj[o.off[x]:o.off[x+1]] {
			if sc.present[y] {
				union(x, y)
			}
		}
	}
	// Step 0: the graph without path[0]'s subtree; step j: without
	// path[j]'s, so with what path[j-1] hosts outside it.
	top := path[0]
	for x := range int32(n) {
		if !o.hosts(top, x) {
			add(x)
		}
	}
	for j := 1; j < len(path); j++ {
		step = int32(j)
		v, w := path[j-1], path[j]
		for q := o.pre[v]; q < o.pre[v]+o.subtree[v]; q++ {
			if q == o.pre[w] {
				q += o.subtree[w] - 1 // skip w's subtree
				continue
			}
			add(sc.byPre[q])
		}
	}
	// What path[j] loses: the sites not served before step j+1.
	L := len(path)
	sites := make([]int32, L+1)
	traffic := make([]Traffic, L+1)
	sens := make([]int32, L+1)
	for i := range o.sites {
		if base[i] == 0 {
			continue
		}
		at := int32(L)
		if served[i] > 0 {
			at = savedAt[i]
		}
		s := &o.sites[i]
		sites[at]++
		traffic[at].Add(s.traffic)
		if g.siteNS[s.ref] || g.siteInArea[s.ref] {
			sens[at]++
		}
	}
	var runSites, runSens int32
	var runTraffic Traffic
	for j := L - 1; j >= 0; j-- {
		runSites += sites[j+1]
		runTraffic.AddSum(traffic[j+1])
		runSens += sens[j+1]
		v := path[j]
		acc.sites[v] += runSites
		acc.traffic[v].AddSum(runTraffic)
		acc.sensitive[v] += runSens
	}
}

// reachMasks returns, per element, the needed-function slots of its
// connected component in the whole graph.
func (o *opGraph) reachMasks() []uint8 {
	n := o.n()
	comp := make([]int32, n)
	for x := range comp {
		comp[x] = -1
	}
	var masks []uint8
	var stack []int32
	for s := range int32(n) {
		if comp[s] >= 0 {
			continue
		}
		c := int32(len(masks))
		var m uint8
		comp[s] = c
		stack = append(stack[:0], s)
		for len(stack) > 0 {
			x := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if sl := o.slot[x]; sl >= 0 {
				m |= 1 << sl
			}
			for _, y := range o.adj[o.off[x]:o.off[x+1]] {
				if comp[y] < 0 {
					comp[y] = c
					stack = append(stack, y)
				}
			}
		}
		masks = append(masks, m)
	}
	out := make([]uint8, n)
	for x, c := range comp {
		out[x] = masks[c]
	}
	return out
}
