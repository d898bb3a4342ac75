package exposure

import (
	"context"
	"math"
	"sort"

	"github.com/corefence/corefence/internal/inventory"
)

// Routes are the shortest paths of every site's traffic to its operator's
// core. Per operator, one Dijkstra from a super-sink joined to every
// instance of the anchor functions (UPF, SGW, PGW) gives each element its
// distance by link metric; the shortest-path DAG holds the links that lie
// on a shortest path, and σ(x), the number of shortest paths from x to the
// sink, splits traffic: of the traffic at x, the share that goes on to y is
// σ(y)/σ(x), so every shortest path of a site carries an equal share.
type Routes struct {
	g   *Graph
	ops []*opRoutes
}

type opRoutes struct {
	dist  []int64 // metric to the nearest anchor; noRoute when none
	rank  []int32 // position in the order elements were settled; -1 unreached
	ord   []int32 // reached elements, nearest first
	sigma []float64
}

const noRoute = math.MaxInt64

// Routes computes the shortest paths of every operator, in parallel.
func (g *Graph) Routes(ctx context.Context) (*Routes, error) {
	r := &Routes{g: g, ops: make([]*opRoutes, len(g.ops))}
	err := parallel(ctx, len(g.ops), func(_, oi int) { r.ops[oi] = g.ops[oi].shortestPaths() })
	if err != nil {
		return nil, err
	}
	return r, nil
}

// heapItem is a tentative distance in Dijkstra's queue.
type heapItem struct {
	d int64
	x int32
}

type distHeap []heapItem

func (h distHeap) less(i, j int) bool {
	return h[i].d < h[j].d || (h[i].d == h[j].d && h[i].x < h[j].x)
}

func (h *distHeap) push(it heapItem) {
	*h = append(*h, it)
	s := *h
	for i := len(s) - 1; i > 0; {
		p := (i - 1) / 2
		if !s.less(i, p) {
			break
		}
		s[i], s[p] = s[p], s[i]
		i = p
	}
}

func (h *distHeap) pop() heapItem {
	s := *h
	top := s[0]
	last := len(s) - 1
	s[0] = s[last]
	s = s[:last]
	for i := 0; ; {
		l, m := 2*i+1, i
		if l < len(s) && s.less(l, m) {
			m = l
		}
		if l+1 < len(s) && s.less(l+1, m) {
			m = l + 1
		}
		if m == i {
			break
		}
		s[i], s[m] = s[m], s[i]
		i = m
	}
	*h = s
	return top
}

// shortestPaths runs Dijkstra from the anchors and counts shortest paths.
// Ties are settled by element index, so that the DAG — whose edges go from
// an element to neighbours settled before it at exactly the right distance
// — is acyclic even across hosting edges, which cost nothing.
func (o *opGraph) shortestPaths() *opRoutes {
	n := o.n()
	r := &opRoutes{dist: make([]int64, n), rank: make([]int32, n), ord: make([]int32, 0, n), sigma: make([]float64, n)}
	h := make(distHeap, 0, n/4+16)
	for x := range n {
		r.dist[x], r.rank[x] = noRoute, -1
		if o.anchor[x] {
			r.dist[x] = 0
			h.push(heapItem{0, int32(x)})
		}
	}
	for len(h) > 0 {
		it := h.pop()
		x := it.x
		if r.rank[x] >= 0 || it.d != r.dist[x] {
			continue
		}
		r.rank[x] = int32(len(r.ord))
		r.ord = append(r.ord, x)
		for e := o.off[x]; e < o.off[x+1]; e++ {
			y := o.adj[e]
			if d := it.d + o.metric[e]; d < r.dist[y] {
				r.dist[y] = d
				h.push(heapItem{d, y})
			}
		}
	}
	for _, x := range r.ord {
		s := 0.0
		if o.anchor[x] {
			s = 1 // its edge to the sink
		}
		for e := o.off[x]; e < o.off[x+1]; e++ {
			if r.onDAG(o, x, e) {
				s += r.sigma[o.adj[e]]
			}
		}
		r.sigma[x] = s
	}
	return r
}

// onDAG reports whether adjacency entry e of x is a DAG edge towards the
// sink.
func (r *opRoutes) onDAG(o *opGraph, x, e int32) bool {
	y := o.adj[e]
	ry := r.rank[y]
	return ry >= 0 && ry < r.rank[x] && r.dist[y]+o.metric[e] == r.dist[x]
}

// Traffic states on a path: whether the user data is in clear already
// (radio ciphering has ended) and whether it arrived on an encrypted link.
const (
	stClear = 1 << iota
	stEnc
	numStates = 4
	stEntry   = stEnc // entering at a radio element: ciphered over the air
)

// clearAt reports whether an element of class c sees traffic in clear that
// arrives in state st and leaves on a link encrypted or not.
func clearAt(c Class, st uint8, outEnc bool) bool {
	switch c {
	case Clear:
		return true
	case Ciphered:
		return false
	}
	return st&stClear != 0 && (st&stEnc == 0 || !outEnc)
}

// nextState is the state of traffic that left an element of class c in
// state st on a link encrypted or not.
func nextState(c Class, st uint8, outEnc bool) uint8 {
	next := st & stClear
	if c == Clear {
		next = stClear
	}
	if outEnc {
		next |= stEnc
	}
	return next
}

// siteEntries returns the air-facing radio elements of site i that its
// traffic enters at — those nearest the core — and the sum of their path
// counts; none when the site has no route.
func (r *opRoutes) siteEntries(o *opGraph, i int, buf []int32) ([]int32, float64) {
	best := int64(noRoute)
	for _, x := range o.siteEntries(i) {
		best = min(best, r.dist[x])
	}
	out := buf[:0]
	if best == noRoute {
		return out, 0
	}
	total := 0.0
	for _, x := range o.siteEntries(i) {
		if r.dist[x] == best {
			out = append(out, x)
			total += r.sigma[x]
		}
	}
	return out, total
}

// VendorTraffic is the share of an operator's traffic that passes a
// vendor group's elements, and the share it handles in clear.
type VendorTraffic struct {
	Vendor   string `json:"vendor"`
	Operator string `json:"operator"`
	// TrafficShare is the share of the routed traffic whose path passes at
	// least one of the group's elements (or an element hosted on one);
	// CleartextShare, the share that one of them handles in clear.
	TrafficShare   float64 `json:"traffic_share"`
	CleartextShare float64 `json:"cleartext_share"`
	// Traffic and CleartextTraffic are the same in traffic units;
	// RoutedTraffic is the operator's traffic with a route to its core.
	Traffic          float64 `json:"traffic"`
	CleartextTraffic float64 `json:"cleartext_traffic"`
	RoutedTraffic    Traffic `json:"routed_traffic"`
	// SitesExposed counts the sites with some traffic through the group;
	// SitesCleartext, those with some in clear. SitesRouted and
	// SitesUnrouted count the operator's sites with and without a route.
	SitesExposed   int `json:"sites_exposed"`
	SitesCleartext int `json:"sites_cleartext"`
	SitesRouted    int `json:"sites_routed"`
	SitesUnrouted  int `json:"sites_unrouted"`

	Group inventory.GroupRef `json:"-"`
	// Sites holds, for each exposed site, its shares.
	Sites []SiteShare `json:"-"`
}

// SiteShare is the share of one site's traffic that passes a vendor group,
// and that it handles in clear.
type SiteShare struct {
	Site      inventory.Ref
	Share     float64
	Cleartext float64
}

// Exposure measures, for each vendor group and operator, the traffic that
// passes the group's elements and the traffic they handle in clear: one
// pass per group over each operator's shortest-path DAG, nearest the core
// first, computing for every element the share of its traffic that avoids
// the group (and, per traffic state, that avoids it in clear).
func (r *Routes) Exposure(ctx context.Context, groups []inventory.GroupRef) ([]VendorTraffic, error) {
	g := r.g
	n := len(groups) * len(g.ops)
	out := make([]VendorTraffic, n)
	type buf struct {
		pass    []float64
		clr     [][numStates]float64
		entries []int32
		inG     []bool
	}
	maxN := 0
	for _, o := range g.ops {
		maxN = max(maxN, o.n())
	}
	bufs := make([]*buf, workers(n))
	err := parallel(ctx, n, func(w, i int) {
		if bufs[w] == nil {
			bufs[w] = &buf{pass: make([]float64, maxN), clr: make([][numStates]float64, maxN), inG: make([]bool, maxN)}
		}
		b := bufs[w]
		gi, oi := i/len(g.ops), i%len(g.ops)
		o, ro := g.ops[oi], r.ops[oi]
		gr := groups[gi]
		res := VendorTraffic{Vendor: g.inv.Groups[gr].ID, Operator: g.inv.Operators[o.op].ID, Group: gr}
		// Whether an element or one of its hosts is of the group: hosts
		// first, so each is one look-up however deep the hosting.
		inG := b.inG[:o.n()]
		for _, x := range o.order {
			inG[x] = o.group[x] == gr || (o.host[x] >= 0 && inG[o.host[x]])
		}
		for _, x := range ro.ord {
			in := inG[x]
			c := o.class[x]
			var pass float64
			var clr [numStates]float64
			if o.anchor[x] { // the edge to the sink, not encrypted
				pass = 1
				for st := uint8(0); st < numStates; st++ {
					if !(in && clearAt(c, st, false)) {
						clr[st] = 1
					}
				}
			}
			for e := o.off[x]; e < o.off[x+1]; e++ {
				if !ro.onDAG(o, x, e) {
					continue
				}
				y := o.adj[e]
				sy := ro.sigma[y]
				pass += sy * b.pass[y]
				enc := o.enc[e]
				for st := uint8(0); st < numStates; st++ {
					if !(in && clearAt(c, st, enc)) {
						clr[st] += sy * b.clr[y][nextState(c, st, enc)]
					}
				}
			}
			sx := ro.sigma[x]
			if in {
				pass = 0
			}
			b.pass[x] = pass / sx
			for st := range clr {
				b.clr[x][st] = clr[st] / sx
			}
		}
		var routed Traffic
		var exposed, cleartext float64
		for si := range o.sites {
			s := &o.sites[si]
			if s.tech == 0 {
				continue
			}
			ents, total := ro.siteEntries(o, si, b.entries)
			b.entries = ents
			if len(ents) == 0 {
				res.SitesUnrouted++
				continue
			}
			res.SitesRouted++
			routed.Add(s.traffic)
			var avoid, avoidClear float64
			for _, x := range ents {
				avoid += ro.sigma[x] * b.pass[x]
				avoidClear += ro.sigma[x] * b.clr[x][stEntry]
			}
			share := clamp01(1 - avoid/total)
			clrShare := clamp01(1 - avoidClear/total)
			if share > 0 {
				res.SitesExposed++
				res.Sites = append(res.Sites, SiteShare{Site: inventory.Ref(s.ref), Share: share, Cleartext: clrShare})
			}
			if clrShare > 0 {
				res.SitesCleartext++
			}
			t := s.traffic.Float()
			exposed += t * share
			cleartext += t * clrShare
		}
		res.RoutedTraffic = routed
		res.Traffic, res.CleartextTraffic = exposed, cleartext
		if tot := routed.Float(); tot > 0 {
			res.TrafficShare, res.CleartextShare = clamp01(exposed/tot), clamp01(cleartext/tot)
		}
		out[i] = res
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// clamp01 absorbs rounding: shares computed as 1 − avoided are in [0, 1],
// and a share within 1e-12 of 0 is 0.
func clamp01(f float64) float64 {
	switch {
	case f < 1e-12:
		return 0
	case f > 1:
		return 1
	}
	return f
}

// ElementFlow is an element on a site's traffic paths.
type ElementFlow struct {
	Element inventory.Ref
	// Share is the share of the site's traffic that passes the element
	// (or an element it hosts).
	Share float64
	// Cleartext is whether it handles some of that traffic in clear.
	Cleartext bool
}

// SiteFlow is where one site's traffic goes.
type SiteFlow struct {
	Site inventory.Ref
	// Routed is false when the site has radio elements but no route to
	// its operator's core; then Elements is empty.
	Routed bool
	// Elements are the wanted elements on its paths, in inventory order.
	Elements []ElementFlow
}

// SiteFlows follows the traffic of each of sites (those without radio
// elements are left out) and returns the elements on its paths for which
// want is true.
func (r *Routes) SiteFlows(ctx context.Context, sites []inventory.Ref, want func(inventory.Ref) bool) ([]SiteFlow, error) {
	g := r.g
	var keep []inventory.Ref
	for _, s := range sites {
		if g.siteOp[s] >= 0 {
			keep = append(keep, s)
		}
	}
	out := make([]SiteFlow, len(keep))
	maxN := 0
	for _, o := range g.ops {
		maxN = max(maxN, o.n())
	}
	fs := make([]*flowScratch, workers(len(keep)))
	err := parallel(ctx, len(keep), func(w, i int) {
		if fs[w] == nil {
			fs[w] = &flowScratch{seen: make([]uint32, maxN), flow: make([][numStates]float64, maxN),
				avoid: make([]float64, maxN), clr: make([]uint32, maxN)}
		}
		out[i] = r.siteFlow(fs[w], keep[i], want)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

type flowScratch struct {
	seen    []uint32
	gen     uint32
	nodes   []int32
	entries []int32
	flow    [][numStates]float64
	avoid   []float64
	clr     []uint32 // clrGen when the element handles the site's traffic in clear
	clrGen  uint32
}

func (r *Routes) siteFlow(fs *flowScratch, site inventory.Ref, want func(inventory.Ref) bool) SiteFlow {
	g := r.g
	oi, si := g.siteOp[site], int(g.siteIdx[site])
	o, ro := g.ops[oi], r.ops[oi]
	res := SiteFlow{Site: site}
	ents, total := ro.siteEntries(o, si, fs.entries)
	fs.entries = ents
	if len(ents) == 0 {
		return res
	}
	res.Routed = true

	// The site's part of the DAG, farthest from the core first.
	fs.gen++
	nodes := fs.nodes[:0]
	for _, x := range ents {
		if fs.seen[x] != fs.gen {
			fs.seen[x] = fs.gen
			nodes = append(nodes, x)
		}
	}
	for i := 0; i < len(nodes); i++ {
		x := nodes[i]
		for e := o.off[x]; e < o.off[x+1]; e++ {
			if y := o.adj[e]; ro.onDAG(o, x, e) && fs.seen[y] != fs.gen {
				fs.seen[y] = fs.gen
				nodes = append(nodes, y)
			}
		}
	}
	sort.Slice(nodes, func(i, j int) bool { return ro.rank[nodes[i]] > ro.rank[nodes[j]] })
	fs.nodes = nodes

	// Push the site's traffic down the DAG, state by state, marking the
	// elements that see it in clear (and their hosts).
	for _, x := range nodes {
		fs.flow[x] = [numStates]float64{}
	}
	for _, x := range ents {
		fs.flow[x][stEntry] += ro.sigma[x] / total
	}
	// An element is marked with its hosts, up to the first one marked
	// already: each is marked once per site, however deep the hosting.
	fs.clrGen++
	markClear := func(x int32) {
		for ; x >= 0 && fs.clr[x] != fs.clrGen; x = o.host[x] {
			fs.clr[x] = fs.clrGen
		}
	}
	for _, x := range nodes {
		c, sx := o.class[x], ro.sigma[x]
		for st := uint8(0); st < numStates; st++ {
			f := fs.flow[x][st]
			if f == 0 {
				continue
			}
			if o.anchor[x] && clearAt(c, st, false) {
				markClear(x)
			}
			for e := o.off[x]; e < o.off[x+1]; e++ {
				if !ro.onDAG(o, x, e) {
					continue
				}
				enc := o.enc[e]
				if clearAt(c, st, enc) {
					markClear(x)
				}
				y := o.adj[e]
				fs.flow[y][nextState(c, st, enc)] += f * ro.sigma[y] / sx
			}
		}
	}

	// The wanted elements: those on the paths and their hosts. The share
	// through each is one minus the share that avoids it and all it hosts.
	var cands []int32
	fs.gen++
	for _, x := range nodes {
		for a := x; a >= 0 && fs.seen[a] != fs.gen; a = o.host[a] {
			fs.seen[a] = fs.gen
			if want(inventory.Ref(o.elems[a])) {
				cands = append(cands, a)
			}
		}
	}
	sort.Slice(cands, func(i, j int) bool { return cands[i] < cands[j] })
	for _, c := range cands {
		for i := len(nodes) - 1; i >= 0; i-- { // nearest the core first
			x := nodes[i]
			if o.hosts(c, x) {
				fs.avoid[x] = 0
				continue
			}
			s := 0.0
			if o.anchor[x] {
				s = 1
			}
			for e := o.off[x]; e < o.off[x+1]; e++ {
				if ro.onDAG(o, x, e) {
					y := o.adj[e]
					s += ro.sigma[y] * fs.avoid[y]
				}
			}
			fs.avoid[x] = s / ro.sigma[x]
		}
		avoid := 0.0
		for _, x := range ents {
			avoid += ro.sigma[x] * fs.avoid[x]
		}
		res.Elements = append(res.Elements, ElementFlow{Element: inventory.Ref(o.elems[c]), Share: clamp01(1 - avoid/total), Cleartext: fs.clr[c] == fs.clrGen})
	}
	return res
}
