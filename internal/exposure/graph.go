package exposure

import (
	cf "github.com/corefence/corefence"
	"github.com/corefence/corefence/internal/inventory"
)

// Options say which network the graph is made of.
type Options struct {
	// IncludePlanned counts planned elements as part of the network, as
	// `check --include-planned` does.
	IncludePlanned bool
}

// Class says whether an element handles the user traffic it carries in
// clear. The defaults follow from the element's function (DefaultClass);
// an element's `cleartext` attribute overrides them.
type Class uint8

// The classes.
const (
	// Transport elements (routers, microwave, servers …) see traffic in
	// clear when it is in clear already (past the end of radio ciphering)
	// and the link it arrives or leaves on is not encrypted.
	Transport Class = iota
	// Clear elements see the user data itself: they end radio ciphering
	// (gNB, CU-UP, eNB …) or process user data (core and security
	// functions). Past them the traffic is in clear.
	Clear
	// Ciphered elements forward user data ciphered by the radio layer
	// (O-RU, DU, NodeB, antennas) and never see it in clear.
	Ciphered
)

var classNames = [...]string{Transport: "transport", Clear: "clear", Ciphered: "ciphered"}

func (c Class) String() string { return classNames[c] }

// ParseClass returns the class named s: clear, ciphered or transport.
func ParseClass(s string) (Class, bool) {
	for i, n := range classNames {
		if s == n {
			return Class(i), true
		}
	}
	return 0, false
}

// ClassAttribute is the element attribute that overrides its class.
const ClassAttribute = "cleartext"

// classByFunction holds the functions whose class is not their domain's.
var classByFunction = map[string]Class{
	// Radio ciphering (PDCP in 4G/5G, RLC/MAC at the RNC in 3G, the BTS in
	// 2G) ends here: user data is in clear from this element on.
	"gnb": Clear, "gnb-cu-up": Clear, "enb": Clear, "small-cell": Clear,
	"bts": Clear, "bsc": Clear, "rnc": Clear,
	// Radio units, DUs and NodeBs forward ciphered user data; the CU-CP
	// and the near-RT RIC carry no user data.
	"o-ru": Ciphered, "gnb-du": Ciphered, "nodeb": Ciphered, "antenna": Ciphered,
	"gnb-cu-cp": Ciphered, "near-rt-ric": Ciphered,
	// Core routers forward packets like any router.
	"core-router": Transport,
}

// DefaultClass returns the class of a function by default: its own entry
// in the table of docs/exposure.md, else its domain's (core, security,
// management and fixed access: clear; access: ciphered; transport and
// virtualisation: transport).
func DefaultClass(function string, domain cf.Domain) Class {
	if c, ok := classByFunction[function]; ok {
		return c
	}
	switch domain {
	case cf.DomainAccess:
		return Ciphered
	case cf.DomainTransport, cf.DomainVirtualisation:
		return Transport
	}
	return Clear
}

// The functions the model gives a role to.
var (
	// radioFunctions are a site's radio elements: a site is in service
	// while one of them reaches the core.
	radioFunctions = []string{"gnb", "gnb-du", "o-ru", "enb", "nodeb", "bts", "small-cell"}
	// anchorFunctions are where a site's traffic goes: the user-plane
	// gateways of the core.
	anchorFunctions = []string{"upf", "sgw", "pgw"}
	// needs lists, per technology, the core functions a site needs.
	needs = []struct {
		tech  cf.Tech
		funcs []string
	}{
		{cf.Tech5G, []string{"amf", "smf", "upf", "udm"}},
		{cf.Tech4G, []string{"mme", "sgw", "pgw", "hss"}},
	}
)

// analysedTech is the technologies whose service the model follows.
const analysedTech = cf.Tech4G | cf.Tech5G

// Needs returns, per technology, the core functions a site needs to be in
// service for it.
func Needs() map[string][]string {
	out := map[string][]string{}
	for _, n := range needs {
		out[n.tech.String()] = append([]string(nil), n.funcs...)
	}
	return out
}

// Anchors returns the functions a site's traffic flows to.
func Anchors() []string { return append([]string(nil), anchorFunctions...) }

// RadioFunctions returns the functions of a site's radio elements.
func RadioFunctions() []string { return append([]string(nil), radioFunctions...) }

// Graph is an inventory's network as the exposure analyses see it: one
// undirected graph per operator whose nodes are the elements in the
// network and whose edges are the links that carry traffic (every kind but
// management, between two elements of the same operator) and hosting (an
// element and the one it runs on). It is built once and read by every
// analysis, from several goroutines.
type Graph struct {
	inv  *inventory.Inventory
	ops  []*opGraph
	opOf []int32 // per element: index into ops, or -1 when it is not in the graph
	loc  []int32 // per element: its index in its operator's graph

	siteOp     []int32    // per site with radio elements: its operator; else -1
	siteIdx    []int32    // per site with radio elements: its index in the operator's sites
	siteNS     []bool     // site tagged national-security
	siteInArea []bool     // site inside a sensitive area
	inGraph    []bool     // per element
	techs      []techNeed // the analysed technologies and what they need
	coreFunc   []bool     // per function: in the core domain
	base       baseline
	slotFunc   []string // needed-function slot → function id
}

// opGraph is one operator's part of the graph, with local indexes.
type opGraph struct {
	op    inventory.Ref
	elems []int32 // local → element

	// CSR adjacency: the neighbours of x are adj[off[x]:off[x+1]], with
	// the metric and encryption of the link that joins them (hosting: 0,
	// not encrypted).
	off    []int32
	adj    []int32
	metric []int64
	enc    []bool

	host     []int32 // local host, or -1
	depth    []int32 // hosting depth: 0 for an element on its own
	maxDepth int32
	order    []int32 // locals by hosting depth: hosts before their guests
	// pre numbers the hosting forest in preorder, and subtree counts what
	// each element hosts, itself included: y is x or hosted (at any
	// depth) on x exactly when pre[x] <= pre[y] < pre[x]+subtree[x].
	pre, subtree []int32
	slot         []int8 // needed-function slot, or -1
	anchor       []bool
	class        []Class
	group        []inventory.GroupRef

	// Sites with radio elements, in site order. The radio elements of
	// site i are radios[radioOff[i]:radioOff[i+1]]; the ones its traffic
	// enters at (air-facing), entries[entryOff[i]:entryOff[i+1]].
	sites     []opSite
	radioOff  []int32
	radios    []int32
	radioTech []cf.Tech // the analysed technologies of each radio element
	entryOff  []int32
	entries   []int32

	fn []inventory.FuncRef // each element's function
}

// techNeed is one analysed technology and the needed-function slots it
// needs, one bit each.
type techNeed struct {
	tech cf.Tech
	mask uint8
}

// opSite is a site with radio elements.
type opSite struct {
	ref     int32
	tech    cf.Tech // the analysed technologies its radio elements run
	traffic cf.Quantity
}

func (o *opGraph) n() int { return len(o.elems) }

// NewGraph builds the graph of inv. It fails with *corefence.Problems when
// an element's cleartext attribute is not a class.
func NewGraph(inv *inventory.Inventory, opts Options) (*Graph, error) {
	g := &Graph{inv: inv}
	probs := &cf.Problems{}
	nE := len(inv.Elements)
	g.opOf = make([]int32, nE)
	g.loc = make([]int32, nE)
	g.inGraph = make([]bool, nE)

	// Functions by role.
	cat := inv.Catalogue
	isRadio := make([]bool, cat.Len())
	isAnchor := make([]bool, cat.Len())
	slotOf := make([]int8, cat.Len())
	classOf := make([]Class, cat.Len())
	g.coreFunc = make([]bool, cat.Len())
	for i := range slotOf {
		slotOf[i] = -1
		f := cat.Func(inventory.FuncRef(i))
		classOf[i] = DefaultClass(f.ID, f.Domain)
		g.coreFunc[i] = f.Domain == cf.DomainCore
	}
	for _, id := range radioFunctions {
		if ref, ok := cat.Lookup(id); ok {
			isRadio[ref] = true
		}
	}
	for _, id := range anchorFunctions {
		if ref, ok := cat.Lookup(id); ok {
			isAnchor[ref] = true
		}
	}
	for _, n := range needs {
		tn := techNeed{tech: n.tech}
		for _, id := range n.funcs {
			ref, ok := cat.Lookup(id)
			if !ok {
				continue
			}
			if slotOf[ref] < 0 {
				slotOf[ref] = int8(len(g.slotFunc))
				g.slotFunc = append(g.slotFunc, id)
			}
			tn.mask |= 1 << slotOf[ref]
		}
		g.techs = append(g.techs, tn)
	}
	duRef, _ := cat.Lookup("gnb-du")
	oruRef, _ := cat.Lookup("o-ru")

	// Elements in the graph: in the network, on a host in the graph.
	depth := make([]int32, nE)
	for i := range depth {
		depth[i] = -1
	}
	var chain []int32
	for i := range inv.Elements {
		chain = chain[:0]
		x := int32(i)
		for depth[x] < 0 && inv.Elements[x].HostRef != inventory.NoRef {
			chain = append(chain, x)
			x = inv.Elements[x].HostRef
		}
		if depth[x] < 0 {
			depth[x] = 0
			g.inGraph[x] = inv.Elements[x].InNetwork(opts.IncludePlanned)
		}
		for j := len(chain) - 1; j >= 0; j-- {
			c, h := chain[j], inv.Elements[chain[j]].HostRef
			depth[c] = depth[h] + 1
			g.inGraph[c] = g.inGraph[h] && inv.Elements[c].InNetwork(opts.IncludePlanned)
		}
	}

	g.ops = make([]*opGraph, len(inv.Operators))
	for i := range g.ops {
		g.ops[i] = &opGraph{op: inventory.Ref(i)}
	}
	for i := range inv.Elements {
		if !g.inGraph[i] {
			g.opOf[i], g.loc[i] = -1, -1
			continue
		}
		e := &inv.Elements[i]
		op := inv.Sites[e.SiteRef].OperatorRef
		o := g.ops[op]
		g.opOf[i], g.loc[i] = int32(op), int32(len(o.elems))
		o.elems = append(o.elems, int32(i))
	}

	for _, o := range g.ops {
		n := o.n()
		o.host = make([]int32, n)
		o.depth = make([]int32, n)
		o.slot = make([]int8, n)
		o.anchor = make([]bool, n)
		o.class = make([]Class, n)
		o.group = make([]inventory.GroupRef, n)
		o.fn = make([]inventory.FuncRef, n)
		for x, ei := range o.elems {
			e := &inv.Elements[ei]
			o.host[x] = -1
			if e.HostRef != inventory.NoRef {
				o.host[x] = g.loc[e.HostRef]
			}
			o.depth[x] = depth[ei]
			o.maxDepth = max(o.maxDepth, o.depth[x])
			o.slot[x] = slotOf[e.Func]
			o.anchor[x] = isAnchor[e.Func]
			o.group[x] = e.Group
			o.fn[x] = e.Func
			o.class[x] = classOf[e.Func]
			if v, ok := e.Attributes[ClassAttribute]; ok {
				s, _ := v.(string)
				c, ok := ParseClass(s)
				if !ok {
					probs.Addf(e.Pos, "elements", e.ID, "attributes."+ClassAttribute, "%v is not one of clear, ciphered, transport", v)
				}
				o.class[x] = c
			}
		}
		o.order = byDepth(o.depth, o.maxDepth)
		o.pre, o.subtree = o.preorder()
	}
	if err := probs.Err(); err != nil {
		return nil, err
	}

	g.edges()
	g.sites(isRadio, duRef, oruRef)
	return g, nil
}

// byDepth returns the indexes of depth sorted by depth, stably: hosts
// before their guests. A counting sort, linear however deep the hosting.
func byDepth(depth []int32, maxDepth int32) []int32 {
	at := make([]int32, maxDepth+2)
	for _, d := range depth {
		at[d+1]++
	}
	for d := 1; d < len(at); d++ {
		at[d] += at[d-1]
	}
	out := make([]int32, len(depth))
	for x, d := range depth {
		out[at[d]] = int32(x)
		at[d]++
	}
	return out
}

// preorder numbers o's hosting forest in preorder and counts each
// element's subtree, in two passes over o.order.
func (o *opGraph) preorder() (pre, subtree []int32) {
	n := o.n()
	pre, subtree = make([]int32, n), make([]int32, n)
	for i := n - 1; i >= 0; i-- { // guests before hosts
		x := o.order[i]
		subtree[x]++
		if h := o.host[x]; h >= 0 {
			subtree[h] += subtree[x]
		}
	}
	next := make([]int32, n) // the next free number under each host
	roots := int32(0)
	for _, x := range o.order {
		if h := o.host[x]; h >= 0 {
			pre[x] = next[h]
			next[h] += subtree[x]
		} else {
			pre[x] = roots
			roots += subtree[x]
		}
		next[x] = pre[x] + 1
	}
	return pre, subtree
}

// hosts reports whether y is x or runs, at any depth, on x.
func (o *opGraph) hosts(x, y int32) bool {
	return o.pre[x] <= o.pre[y] && o.pre[y] < o.pre[x]+o.subtree[x]
}

// edges fills each operator's adjacency: links but management ones and
// those between operators, and hosting.
func (g *Graph) edges() {
	inv := g.inv
	deg := make([][]int32, len(g.ops))
	for i, o := range g.ops {
		deg[i] = make([]int32, o.n()+1)
	}
	link := func(i int) (op, a, b int32, ok bool) {
		l := &inv.Links[i]
		if l.Kind == "management" || l.ARef == inventory.NoRef || l.BRef == inventory.NoRef {
			return 0, 0, 0, false
		}
		op = g.opOf[l.ARef]
		if op < 0 || op != g.opOf[l.BRef] {
			return 0, 0, 0, false
		}
		return op, g.loc[l.ARef], g.loc[l.BRef], true
	}
	for i := range inv.Links {
		if op, a, b, ok := link(i); ok {
			deg[op][a+1]++
			deg[op][b+1]++
		}
	}
	for oi, o := range g.ops {
		for x := range o.elems {
			if h := o.host[x]; h >= 0 {
				deg[oi][x+1]++
				deg[oi][h+1]++
			}
		}
	}
	fill := make([][]int32, len(g.ops))
	for oi, o := range g.ops {
		d := deg[oi]
		for x := 1; x < len(d); x++ {
			d[x] += d[x-1]
		}
		o.off = d
		m := d[len(d)-1]
		o.adj = make([]int32, m)
		o.metric = make([]int64, m)
		o.enc = make([]bool, m)
		fill[oi] = append([]int32(nil), d[:len(d)-1]...)
	}
	put := func(oi, a, b int32, metric int64, enc bool) {
		o, f := g.ops[oi], fill[oi]
		o.adj[f[a]], o.metric[f[a]], o.enc[f[a]] = b, metric, enc
		f[a]++
		o.adj[f[b]], o.metric[f[b]], o.enc[f[b]] = a, metric, enc
		f[b]++
	}
	for i := range inv.Links {
		if op, a, b, ok := link(i); ok {
			l := &inv.Links[i]
			put(op, a, b, int64(l.Metric), l.Encrypted)
		}
	}
	for oi, o := range g.ops {
		for x := range o.elems {
			if h := o.host[x]; h >= 0 {
				put(int32(oi), int32(x), h, 0, false)
			}
		}
	}
}

// sites gathers each operator's sites with radio elements, their radio
// elements and the ones their traffic enters at, and marks sensitive
// sites.
func (g *Graph) sites(isRadio []bool, duRef, oruRef inventory.FuncRef) {
	inv := g.inv
	g.siteNS = make([]bool, len(inv.Sites))
	g.siteInArea = make([]bool, len(inv.Sites))
	for i := range inv.Sites {
		s := &inv.Sites[i]
		g.siteNS[i] = s.HasTag(inventory.TagNationalSecurity)
		for j := range inv.Areas {
			if InArea(s.Lat, s.Lon, &inv.Areas[j]) {
				g.siteInArea[i] = true
				break
			}
		}
	}
	// Radio elements per site, in element order.
	count := make([]int32, len(inv.Sites)+1)
	hasORU := make([]bool, len(inv.Sites))
	for i := range inv.Elements {
		e := &inv.Elements[i]
		if g.inGraph[i] && isRadio[e.Func] {
			count[e.SiteRef+1]++
			if e.Func == oruRef {
				hasORU[e.SiteRef] = true
			}
		}
	}
	for i := 1; i < len(count); i++ {
		count[i] += count[i-1]
	}
	bySite := make([]int32, count[len(count)-1])
	next := append([]int32(nil), count[:len(count)-1]...)
	for i := range inv.Elements {
		e := &inv.Elements[i]
		if g.inGraph[i] && isRadio[e.Func] {
			bySite[next[e.SiteRef]] = int32(i)
			next[e.SiteRef]++
		}
	}
	for _, o := range g.ops {
		o.radioOff = []int32{0}
		o.entryOff = []int32{0}
	}
	g.siteOp = make([]int32, len(inv.Sites))
	g.siteIdx = make([]int32, len(inv.Sites))
	for si := range inv.Sites {
		g.siteOp[si], g.siteIdx[si] = -1, -1
		rs := bySite[count[si]:count[si+1]]
		if len(rs) == 0 {
			continue
		}
		op := inv.Sites[si].OperatorRef
		o := g.ops[op]
		g.siteOp[si], g.siteIdx[si] = int32(op), int32(len(o.sites))
		var tech cf.Tech
		for _, ei := range rs {
			e := &inv.Elements[ei]
			o.radios = append(o.radios, g.loc[ei])
			o.radioTech = append(o.radioTech, e.Tech&analysedTech)
			tech |= e.Tech & analysedTech
			// Traffic enters at the air-facing radio elements: a DU only
			// when its site has no O-RU.
			if e.Func != duRef || !hasORU[si] {
				o.entries = append(o.entries, g.loc[ei])
			}
		}
		o.radioOff = append(o.radioOff, int32(len(o.radios)))
		o.entryOff = append(o.entryOff, int32(len(o.entries)))
		o.sites = append(o.sites, opSite{ref: int32(si), tech: tech, traffic: inv.Sites[si].Traffic})
	}
}

func (o *opGraph) siteRadios(i int) []int32  { return o.radios[o.radioOff[i]:o.radioOff[i+1]] }
func (o *opGraph) siteEntries(i int) []int32 { return o.entries[o.entryOff[i]:o.entryOff[i+1]] }

// Sensitive reports whether site s is tagged national-security or lies in
// a sensitive area.
func (g *Graph) Sensitive(s inventory.Ref) bool { return g.siteNS[s] || g.siteInArea[s] }

// InGraph reports whether element e is part of the analysed network.
func (g *Graph) InGraph(e inventory.Ref) bool { return g.inGraph[e] }

// InArea reports whether a point lies inside area a: its great-circle
// distance to the centre is at most the radius.
func InArea(lat, lon float64, a *inventory.Area) bool { return a.Contains(lat, lon, 0) }
