// Package gen generates realistic national mobile networks as inventories:
// operators with core data centres (5G core, 4G EPC, IMS, security and
// management functions), a transport hierarchy with redundancy (site
// routers or microwave, aggregation exchanges, core routers), RAN sites
// placed around towns by population, vendor mixes from priors, install
// dates by technology era, and sensitive areas.
//
// Generation is deterministic: the same Config gives the same Doc, element
// for element, and export writes it to the same bytes. It uses one PCG
// stream seeded from Config.Seed, never iterates a map and never reads the
// clock. (Coordinates and traffic go through math.Cos, math.Exp and
// rounding; a platform whose floating point rounds differently could, in
// rare cases, differ in a last written digit.)
//
// The figures behind the UK network — town populations and positions, and
// every vendor prior — are approximate and illustrative (see gb.go); they
// are to be replaced by sourced tables.
package gen

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"time"

	cf "github.com/corefence/corefence"
	"github.com/corefence/corefence/internal/inventory"
)

// Config says what network to generate.
type Config struct {
	// Country is the ISO 3166-1 alpha-2 code of the country; only "gb"
	// (the United Kingdom as of 2019-2020) for now.
	Country string
	// Sites is the number of radio (RAN) sites across all operators, at
	// least MinSites. Exchanges and data centres come on top.
	Sites int
	// Seed selects the network; the same Config always gives the same one.
	Seed int64
}

// Limits on Config.Sites.
const (
	MinSites = 40
	MaxSites = 1_000_000
)

// Countries lists the countries Generate knows.
var Countries = []string{"gb"}

// Sample returns the demo network: the UK's four mobile operators in
// 2019-2020, with 400 RAN sites.
func Sample() *inventory.Doc {
	doc, err := Generate(Config{Country: "gb", Sites: 400, Seed: 2019})
	if err != nil {
		panic(err)
	}
	return doc
}

// Generate builds the network cfg describes.
func Generate(cfg Config) (*inventory.Doc, error) {
	if strings.ToLower(cfg.Country) != "gb" {
		return nil, fmt.Errorf("gen: no data for country %q (known: %s)", cfg.Country, strings.Join(Countries, ", "))
	}
	if cfg.Sites < MinSites || cfg.Sites > MaxSites {
		return nil, fmt.Errorf("gen: %d sites is out of range %d..%d", cfg.Sites, MinSites, MaxSites)
	}
	g := newGenerator(cfg, gbTowns, gbPriors)
	g.run()
	return g.doc, nil
}

// Shape of the network: shares of RAN sites (or of their elements) with a
// property. These are modelling choices, not vendor priors.
const (
	sitesPerExchange = 40   // RAN sites per aggregation exchange
	share5G          = 0.60 // RAN sites with 5G
	shareSplit5G     = 0.50 // of 5G macro sites: split gNB-DU + O-RUs (CU pooled at the exchange); else integrated gNB + AAUs
	shareMicrowave   = 0.30 // RAN sites backhauled by microwave rather than a site router on fibre
	shareDualHomed   = 0.70 // RAN sites linked to both routers of their exchange
	share3G          = 0.95 // RAN macro sites with 3G (all four operators ran 3G in 2019-2020)
	share2G          = 0.90 // RAN macro sites with 2G, for operators that run it
	shareSmallCell   = 0.10 // of sites in big towns: small cells
	smallCellTownPop = 700_000
	shareDecom       = 0.015 // 2G/3G/4G equipment being decommissioned (about 1% of all elements)
	shareUndated     = 0.003 // elements with no install date on record
	shareEMSSample   = 0.01  // RAN elements with a management link to their EMS
	shareNatSec      = 0.01  // RAN sites tagged national-security
	shareCNI         = 0.002 // RAN sites tagged cni-safety
	planned5GEvery   = 200   // one 5G site in this many has its 5G still planned
)

// era is a span of install dates.
type era struct{ lo, hi cf.Date }

func years(from, to int) era {
	return era{cf.NewDate(from, time.January, 1), cf.NewDate(to, time.December, 31)}
}

var (
	era2G3G     = years(2009, 2016) // single-RAN modernisation of 2G/3G
	era4G       = years(2012, 2018)
	era5G       = era{cf.NewDate(2019, time.May, 30), cf.NewDate(2020, time.December, 31)} // UK 5G launches from 30 May 2019
	eraPlanned  = years(2021, 2021)
	eraRouter   = years(2010, 2019)
	eraCore     = years(2012, 2019)
	eraEPC      = years(2012, 2018)
	eraIMS      = years(2014, 2018)
	era5GC      = years(2019, 2020)
	eraHosts    = years(2016, 2019)
	eraSecurity = years(2014, 2019)
	eraEdge     = years(2019, 2020)
)

// ranSite is a RAN site before it is written out.
type ranSite struct {
	lat, lon  float64
	traffic   cf.Quantity
	exchange  int32
	town      int16
	region    region
	vendor    vendorID
	small     bool
	has5G     bool
	split     bool
	has3G     bool
	has2G     bool
	microwave bool
	dual      bool
}

// exchange is an aggregation site.
type exchange struct {
	id, name     string
	lat, lon     float64
	region       region
	dc           [2]int
	rtr          [2]string
	splitVendors uint32 // vendors of split 5G sites attached: CU pools needed
	cu           []cuPool
}

type cuPool struct {
	vendor vendorID
	cp, up [2]string // on server 1 and server 2
}

type dataCentre struct {
	id       string
	lat, lon float64
	cr       [2]string
	ems      [numVendors]string
}

type generator struct {
	rng    *rand.Rand
	towns  []town
	priors []operatorPriors
	cum    []int64 // cumulative town populations
	total  int64
	n      int
	doc    *inventory.Doc

	ranSites []int32 // indices into doc.Sites of RAN sites
	fiveG    int     // 5G sites so far
	misspelt bool
	unknown  int

	undatedHuawei5G bool
	buf             []byte
}

func newGenerator(cfg Config, towns []town, priors []operatorPriors) *generator {
	g := &generator{
		rng:    rand.New(rand.NewPCG(uint64(cfg.Seed), 0x636f726566656e63)), // "corefenc"
		towns:  towns,
		priors: priors,
		n:      cfg.Sites,
		doc:    &inventory.Doc{},
	}
	g.cum = make([]int64, len(towns))
	for i, t := range towns {
		g.total += int64(t.pop)
		g.cum[i] = g.total
	}
	// About 9 elements and 10.3 links per RAN site, plus the core; a little
	// to spare so that nothing is copied when a seed draws more.
	g.doc.Sites = make([]inventory.Site, 0, cfg.Sites+cfg.Sites/sitesPerExchange+100)
	g.doc.Elements = make([]inventory.Element, 0, cfg.Sites*19/2+2000)
	g.doc.Links = make([]inventory.Link, 0, cfg.Sites*11+2000)
	g.ranSites = make([]int32, 0, cfg.Sites)
	return g
}

func (g *generator) run() {
	counts := g.siteCounts()
	ipx := make([]string, len(g.priors))
	for i := range g.priors {
		ipx[i] = g.operator(i, counts[i])
	}
	// Operators interconnect (voice, SMS, signalling) through their IPX
	// gateways; interconnect traffic is always protected.
	for i := range ipx {
		for j := i + 1; j < len(ipx); j++ {
			g.link(ipx[i], ipx[j], "interconnect", 5, 100, true)
		}
	}
	g.tagSites()
	g.areas()
	if !g.misspelt { // no Huawei eNB drawn: misspell the first Huawei element
		for i := range g.doc.Elements {
			if strings.HasPrefix(strings.ToLower(g.doc.Elements[i].Vendor), "huawei") {
				g.doc.Elements[i].Vendor = misspeltHuawei
				break
			}
		}
	}
}

// siteCounts splits the RAN sites between operators by their shares.
func (g *generator) siteCounts() []int {
	counts := make([]int, len(g.priors))
	left := g.n
	for i, p := range g.priors {
		if i == len(g.priors)-1 {
			counts[i] = left
			break
		}
		counts[i] = int(math.Round(p.share * float64(g.n)))
		left -= counts[i]
	}
	return counts
}

// operator generates operator i with n RAN sites and returns the id of its
// IPX gateway.
func (g *generator) operator(oi, n int) string {
	p := &g.priors[oi]
	g.doc.Operators = append(g.doc.Operators, inventory.Operator{ID: p.id, Name: p.name, Country: "GB"})

	sites := g.placeRAN(oi, n)
	var ranVendors uint32
	var regionVendors [numRegions]uint32
	for i := range sites {
		ranVendors |= 1 << sites[i].vendor
		regionVendors[sites[i].region] |= 1 << sites[i].vendor
	}
	dcs := g.dataCentres(oi)
	exs := g.exchanges(oi, sites, dcs)

	// Sites: data centres, exchanges, RAN sites. Traffic is radio traffic,
	// counted where it enters the network: data centres and exchanges
	// carry 0 of their own (an exchange with 5G CUs is an access site too,
	// and a traffic share must be measurable).
	for i := range dcs {
		t := g.townNamed(p.dcTowns[i])
		g.doc.Sites = append(g.doc.Sites, inventory.Site{ID: dcs[i].id, Operator: p.id, Name: t.name + " data centre",
			Lat: dcs[i].lat, Lon: dcs[i].lon, Kind: inventory.SiteDataCentre, Region: regionNames[t.region], HasTraffic: true})
	}
	for i := range exs {
		g.doc.Sites = append(g.doc.Sites, inventory.Site{ID: exs[i].id, Operator: p.id, Name: exs[i].name,
			Lat: exs[i].lat, Lon: exs[i].lon, Kind: inventory.SiteExchange, Region: regionNames[exs[i].region], HasTraffic: true})
	}
	ranIDs := make([]string, len(sites))
	townSeq := make([]int, len(g.towns))
	for i := range sites {
		s := &sites[i]
		id := g.id(p.id+"-S", i+1, 6)
		ranIDs[i] = id
		townSeq[s.town]++
		kind := inventory.SiteMacro
		if s.small {
			kind = inventory.SiteSmallCell
		}
		g.ranSites = append(g.ranSites, int32(len(g.doc.Sites)))
		g.doc.Sites = append(g.doc.Sites, inventory.Site{ID: id, Operator: p.id,
			Name: g.id(g.towns[s.town].name+" ", townSeq[s.town], 4),
			Lat:  s.lat, Lon: s.lon, Kind: kind, Region: regionNames[s.region],
			Traffic: s.traffic, HasTraffic: true})
	}

	ipx := g.core(oi, dcs, ranVendors)
	for i := range exs {
		g.exchangeElements(oi, &exs[i], dcs, regionVendors[exs[i].region])
	}
	for i := range sites {
		g.ranElements(oi, ranIDs[i], &sites[i], &exs[sites[i].exchange], &dcs[0])
	}
	return ipx
}

// placeRAN draws n RAN sites of operator oi: a town by population, a
// position around it, the RAN vendor of its region and the site's
// equipment profile.
func (g *generator) placeRAN(oi, n int) []ranSite {
	p := &g.priors[oi]
	sites := make([]ranSite, n)
	for i := range sites {
		s := &sites[i]
		ti := g.pickTown()
		t := &g.towns[ti]
		s.town, s.region = int16(ti), t.region
		s.lat, s.lon = g.jitter(t.lat, t.lon, placementRadius(t))
		s.vendor = g.pick(p.ran[t.region])
		s.small = t.pop >= smallCellTownPop && g.rng.Float64() < shareSmallCell
		s.has5G = g.rng.Float64() < share5G
		s.split = !s.small && s.has5G && g.rng.Float64() < shareSplit5G
		s.has3G = !s.small && g.rng.Float64() < share3G
		s.has2G = !s.small && p.runs2G && g.rng.Float64() < share2G
		s.microwave = !s.small && g.rng.Float64() < shareMicrowave
		s.dual = g.rng.Float64() < shareDualHomed
		// Busy-hour traffic grows with town size, with log-normal noise.
		mean := 0.08 * math.Pow(float64(t.pop)/50_000, 0.3)
		if s.small {
			mean *= 0.25
		}
		gbps := mean * math.Exp(0.5*g.rng.NormFloat64())
		s.traffic = cf.Quantity(max(1, int64(math.Round(gbps*1000)))) * (cf.QuantityScale / 1000)
	}
	return sites
}

func (g *generator) pickTown() int {
	x := g.rng.Int64N(g.total)
	return sort.Search(len(g.cum), func(k int) bool { return g.cum[k] > x })
}

// placementRadius is how far from a town's centre its sites go: growing
// with the square root of the population, capped for coastal towns.
func placementRadius(t *town) float64 {
	r := 1.5 + 6*math.Sqrt(float64(t.pop)/1e6)
	if t.maxKm > 0 {
		r = min(r, t.maxKm)
	}
	return r
}

// jitter returns a point within radiusKm of lat, lon, denser near the
// centre, rounded to 5 decimals (about a metre).
func (g *generator) jitter(lat, lon, radiusKm float64) (float64, float64) {
	r := radiusKm * g.rng.Float64()
	a := 2 * math.Pi * g.rng.Float64()
	dLat := r * math.Cos(a) / 111.32
	dLon := r * math.Sin(a) / (111.32 * math.Cos(lat*math.Pi/180))
	return round5(lat + dLat), round5(lon + dLon)
}

func round5(x float64) float64 { return math.Round(x*1e5) / 1e5 }

func (g *generator) pick(m mix) vendorID {
	if m.pa >= 1 || g.rng.Float64() < m.pa {
		return m.a
	}
	return m.b
}

func (g *generator) townNamed(name string) *town {
	for i := range g.towns {
		if g.towns[i].name == name {
			return &g.towns[i]
		}
	}
	panic("gen: no town " + name)
}

func (g *generator) dataCentres(oi int) []dataCentre {
	p := &g.priors[oi]
	dcs := make([]dataCentre, len(p.dcTowns))
	for i, name := range p.dcTowns {
		t := g.townNamed(name)
		d := &dcs[i]
		d.id = p.id + "-DC" + strconv.Itoa(i+1)
		d.lat, d.lon = g.jitter(t.lat, t.lon, min(placementRadius(t), 5))
		d.cr = [2]string{d.id + "-cr1", d.id + "-cr2"}
	}
	return dcs
}

// exchanges places the aggregation exchanges of an operator, region by
// region, one per sitesPerExchange RAN sites, at the places of randomly
// chosen RAN sites (so they follow the sites' density), and attaches each
// RAN site to the nearest exchange of its region.
func (g *generator) exchanges(oi int, sites []ranSite, dcs []dataCentre) []exchange {
	p := &g.priors[oi]
	var byRegion [numRegions][]int32
	for i := range sites {
		byRegion[sites[i].region] = append(byRegion[sites[i].region], int32(i))
	}
	exs := make([]exchange, 0, len(sites)/sitesPerExchange+int(numRegions))
	townSeq := make([]int, len(g.towns))
	for r := region(0); r < numRegions; r++ {
		idx := byRegion[r]
		if len(idx) == 0 {
			continue
		}
		k := max(1, (len(idx)+sitesPerExchange/2)/sitesPerExchange)
		perm := append([]int32(nil), idx...)
		first := len(exs)
		for j := 0; j < k; j++ {
			x := j + g.rng.IntN(len(perm)-j)
			perm[j], perm[x] = perm[x], perm[j]
			anchor := &sites[perm[j]]
			townSeq[anchor.town]++
			e := exchange{region: r}
			e.id = g.id(p.id+"-X", len(exs)+1, 4)
			e.name = g.id(g.towns[anchor.town].name+" exchange ", townSeq[anchor.town], 2)
			e.lat, e.lon = g.jitter(anchor.lat, anchor.lon, 0.5)
			e.rtr = [2]string{e.id + "-rtr1", e.id + "-rtr2"}
			e.dc = nearestTwo(e.lat, e.lon, dcs)
			exs = append(exs, e)
		}
		cand := exs[first:]
		for _, si := range idx {
			s := &sites[si]
			c := math.Cos(s.lat * math.Pi / 180)
			best, bestD := 0, math.Inf(1)
			for j := range cand {
				dy, dx := s.lat-cand[j].lat, (s.lon-cand[j].lon)*c
				if d := dy*dy + dx*dx; d < bestD {
					best, bestD = j, d
				}
			}
			s.exchange = int32(first + best)
			if s.split {
				exs[first+best].splitVendors |= 1 << s.vendor
			}
		}
	}
	return exs
}

// nearestTwo returns the indices of the two data centres nearest to a point.
func nearestTwo(lat, lon float64, dcs []dataCentre) [2]int {
	c := math.Cos(lat * math.Pi / 180)
	d := make([]float64, len(dcs))
	order := make([]int, len(dcs))
	for i := range dcs {
		dy, dx := lat-dcs[i].lat, (lon-dcs[i].lon)*c
		d[i], order[i] = dy*dy+dx*dx, i
	}
	sort.SliceStable(order, func(a, b int) bool { return d[order[a]] < d[order[b]] })
	return [2]int{order[0], order[1]}
}

// core generates the data centres' elements of operator oi and returns the
// id of its IPX gateway.
func (g *generator) core(oi int, dcs []dataCentre, ranVendors uint32) string {
	p := &g.priors[oi]
	var ipx string
	for di := range dcs {
		d := &dcs[di]
		site := d.id
		for _, id := range d.cr {
			g.physical(oi, id, site, "core-router", p.coreRouter, products[p.coreRouter][cCoreRouter], eraCore)
		}
		g.link(d.cr[0], d.cr[1], "core", 1, 400, g.rng.Float64() < 0.5)
		// Hosts: 1-2 run the 5G core and IMS, 3-4 the EPC (on the EPC
		// vendor's own servers when that vendor is Huawei).
		var hosts [4]host
		for h := range hosts {
			v := p.hosts
			if h >= 2 && p.epcControl[di] == huawei {
				v = huawei
			}
			id := site + "-nfvi" + strconv.Itoa(h+1)
			hosts[h] = host{id, g.physical(oi, id, site, "nfvi", v, products[v][cServer], eraHosts)}
			g.coreLinks(id, d)
		}
		for i, fn := range []string{"amf", "smf", "upf", "ausf", "udm", "udr", "pcf", "nrf", "nssf", "nef", "scp", "sepp", "chf"} {
			g.virtual(oi, site+"-"+fn, hosts[i%2], fn, p.core5G, era5GC)
		}
		g.virtual(oi, site+"-ims", hosts[1], "ims", p.ims, eraIMS)
		for i, fn := range []string{"mme", "hss", "pcrf"} {
			g.virtual(oi, site+"-"+fn, hosts[2+i%2], fn, p.epcControl[di], eraEPC)
		}
		for i, fn := range []string{"sgw", "pgw"} {
			g.virtual(oi, site+"-"+fn, hosts[2+i%2], fn, p.epcGateway[di], eraEPC)
		}
		for _, sec := range []struct {
			fn string
			v  vendorID
		}{{"firewall", p.firewall}, {"seg", p.seg}, {"li", p.li}, {"dea", p.dea}, {"internet-gw", p.internetGW}} {
			id := site + "-" + sec.fn
			g.coreElement(oi, id, site, sec.fn, sec.v, eraSecurity)
			g.coreLinks(id, d)
		}
		if di != 0 {
			continue
		}
		// The first data centre also holds management and interconnect.
		ipx = site + "-ipx-gw"
		g.coreElement(oi, ipx, site, "ipx-gw", p.ipxGW, eraSecurity)
		g.coreLinks(ipx, d)
		for _, m := range []struct {
			fn string
			v  vendorID
		}{{"oss", p.oss}, {"nfvo", p.nfvo}, {"sdn-controller", p.sdn}} {
			id := site + "-" + m.fn
			g.coreElement(oi, id, site, m.fn, m.v, eraCore)
			g.coreLinks(id, d)
		}
		for v := vendorID(0); v < numVendors; v++ {
			if ranVendors&(1<<v) == 0 {
				continue
			}
			id := site + "-ems-" + vendorKeys[v]
			g.physical(oi, id, site, "ems", v, products[v][cEMS], eraCore)
			g.coreLinks(id, d)
			d.ems[v] = id
		}
	}
	// Data centres are meshed: each core router to its peer in every other
	// data centre.
	for i := range dcs {
		for j := i + 1; j < len(dcs); j++ {
			for k := 0; k < 2; k++ {
				g.link(dcs[i].cr[k], dcs[j].cr[k], "core", 10, 400, g.rng.Float64() < 0.5)
			}
		}
	}
	// Every data centre's EMS ids are the first one's (management is
	// central).
	for i := 1; i < len(dcs); i++ {
		dcs[i].ems = dcs[0].ems
	}
	return ipx
}

// coreLinks links a data-centre element to both core routers.
func (g *generator) coreLinks(id string, d *dataCentre) {
	for _, cr := range d.cr {
		g.link(id, cr, "core", 1, 100, g.rng.Float64() < 0.5)
	}
}

// exchangeElements writes an exchange's routers, its edge servers and the
// CU pools of split 5G sites, with their links.
func (g *generator) exchangeElements(oi int, e *exchange, dcs []dataCentre, regionVendors uint32) {
	p := &g.priors[oi]
	for k, id := range e.rtr {
		g.physical(oi, id, e.id, "router", p.aggRouter, products[p.aggRouter][cAggRouter], eraRouter)
		g.link(id, dcs[e.dc[0]].cr[k], "aggregation", 5, 100, false)
		g.link(id, dcs[e.dc[1]].cr[k], "aggregation", 10, 100, false)
	}
	g.link(e.rtr[0], e.rtr[1], "aggregation", 1, 100, false)
	// Management plane: every EMS of a vendor with RAN in this region
	// reaches the exchange's routers.
	for v := vendorID(0); v < numVendors; v++ {
		if regionVendors&(1<<v) != 0 {
			for _, r := range e.rtr {
				g.link(dcs[0].ems[v], r, "management", 10, 1, false)
			}
		}
	}
	if e.splitVendors == 0 {
		return
	}
	// Edge servers host the CU-CP and CU-UP pools, on the RAN vendor's
	// own servers for Huawei, else on the operator's usual hosts.
	first := vendorID(0)
	for first < numVendors && e.splitVendors&(1<<first) == 0 {
		first++
	}
	hv := p.hosts
	if first == huawei {
		hv = huawei
	}
	var srv [2]host
	for k := range srv {
		id := e.id + "-srv" + strconv.Itoa(k+1)
		srv[k] = host{id, g.physical(oi, id, e.id, "server", hv, products[hv][cServer], eraEdge)}
		for _, r := range e.rtr {
			g.link(id, r, "aggregation", 1, 25, false)
		}
	}
	for v := vendorID(0); v < numVendors; v++ {
		if e.splitVendors&(1<<v) == 0 {
			continue
		}
		pool := cuPool{vendor: v}
		for k := range srv {
			n := strconv.Itoa(k + 1)
			pool.cp[k] = e.id + "-cucp-" + vendorKeys[v] + n
			pool.up[k] = e.id + "-cuup-" + vendorKeys[v] + n
			g.hosted(oi, pool.cp[k], srv[k], "gnb-cu-cp", v, products[v][cCU], eraEdge)
			g.hosted(oi, pool.up[k], srv[k], "gnb-cu-up", v, products[v][cCU], eraEdge)
		}
		e.cu = append(e.cu, pool)
	}
}

// ranElements writes one RAN site's equipment and links.
func (g *generator) ranElements(oi int, sid string, s *ranSite, e *exchange, dc *dataCentre) {
	p := &g.priors[oi]
	v := s.vendor

	// Transport: a site router on fibre or a microwave link unit.
	var tx string
	if s.microwave {
		tx = sid + "-mw"
		mv := p.microwave
		if p.huaweiTransport[s.region] {
			mv = huawei
		}
		d, st := g.life(g.dateIn(eraRouter), false)
		vs := g.vendor(oi, mv)
		if oi == 2 && g.unknown < unknownMax { // O2's first microwave units: a small vendor nobody registered
			vs = unknownVendor
			g.unknown++
		}
		g.add(inventory.Element{ID: tx, Site: sid, Function: "microwave", Vendor: vs,
			Model: products[mv][cMicrowave].model, Software: g.software(products[mv][cMicrowave]), Installed: d, Status: st})
	} else {
		tx = sid + "-rtr"
		rv := g.pick(p.siteRouter)
		if p.huaweiTransport[s.region] {
			rv = huawei
		}
		d, st := g.life(g.dateIn(eraRouter), false)
		g.add(inventory.Element{ID: tx, Site: sid, Function: "router", Vendor: g.vendor(oi, rv),
			Model: products[rv][cSiteRouter].model, Software: g.software(products[rv][cSiteRouter]), Installed: d, Status: st})
	}
	capacity := int64(10)
	if s.microwave {
		capacity = 1
	}
	// Single-homed sites alternate between the exchange's two routers.
	home := int(sid[len(sid)-1] % 2)
	g.link(tx, e.rtr[home], "backhaul", 10, capacity, false)
	if s.dual {
		g.link(tx, e.rtr[1-home], "backhaul", 20, capacity, false)
	}

	if s.small {
		g.smallCell(oi, sid, s, tx, dc, false)
		if s.has5G {
			g.smallCell(oi, sid, s, tx, dc, true)
		}
		return
	}

	// 2G, 3G and 4G from the region's RAN vendor, on shared passive
	// antennas.
	enb := sid + "-enb"
	vs := g.vendor(oi, v)
	// The first Huawei eNB of the last operator (Three) carries the one
	// misspelt vendor string of the network.
	if !g.misspelt && v == huawei && oi == len(g.priors)-1 {
		vs, g.misspelt = misspeltHuawei, true
	}
	// The passive antennas went up with the eNB.
	d4 := g.dateIn(era4G)
	d, st := g.life(d4, true)
	g.add(inventory.Element{ID: enb, Site: sid, Function: "enb", Vendor: vs,
		Model: products[v][cENB].model, Software: g.software(products[v][cENB]), Installed: d, Status: st})
	g.link(enb, tx, "backhaul", 1, capacity, false)
	g.emsSample(dc, v, enb)
	antTech := cf.Tech4G
	if s.has3G {
		antTech |= cf.Tech3G
		id := sid + "-nodeb"
		d, st := g.life(g.dateIn(era2G3G), true)
		g.add(inventory.Element{ID: id, Site: sid, Function: "nodeb", Vendor: g.vendor(oi, v),
			Model: products[v][cNodeB].model, Software: g.software(products[v][cNodeB]), Installed: d, Status: st})
		g.link(id, tx, "backhaul", 1, capacity, false)
		g.emsSample(dc, v, id)
	}
	if s.has2G {
		antTech |= cf.Tech2G
		id := sid + "-bts"
		d, st := g.life(g.dateIn(era2G3G), true)
		g.add(inventory.Element{ID: id, Site: sid, Function: "bts", Vendor: g.vendor(oi, v),
			Model: products[v][cBTS].model, Software: g.software(products[v][cBTS]), Installed: d, Status: st})
		g.link(id, tx, "backhaul", 1, capacity, false)
		g.emsSample(dc, v, id)
	}
	for k := 1; k <= 3; k++ {
		av := v // no prior: the RAN vendor's own
		if m := p.passiveAnts[v]; m.pa > 0 {
			av = g.pick(m)
		}
		if products[av][cAntenna].model == "" {
			av = commscope
		}
		id := sid + "-ant" + strconv.Itoa(k)
		d, st := g.life(d4, true)
		g.add(inventory.Element{ID: id, Site: sid, Function: "antenna", Vendor: g.vendor(oi, av),
			Model: products[av][cAntenna].model, Technology: antTech, Installed: d, Status: st})
		g.link(id, enb, "fronthaul", 1, 10, false)
	}

	if !s.has5G {
		return
	}
	// 5G: an integrated gNB with three active antennas, or a DU with three
	// O-RUs whose CU is pooled at the exchange. One 5G site in
	// planned5GEvery is still planned, for 2021.
	g.fiveG++
	planned := g.fiveG%planned5GEvery == 7
	d5 := g.dateIn(era5G) // radios go up with their baseband
	if planned {
		d5 = g.dateIn(eraPlanned)
	}
	life := func() (cf.Date, string) {
		if planned {
			return d5, inventory.StatusPlanned
		}
		return g.life(d5, false)
	}
	// The network's first Huawei 5G baseband has no install date on
	// record, so that installation bans have something they cannot measure.
	baseband := func() (cf.Date, string) {
		d, st := life()
		if !g.undatedHuawei5G && v == huawei && !planned {
			d, g.undatedHuawei5G = 0, true
		}
		return d, st
	}
	if !s.split {
		id := sid + "-gnb"
		d, st := baseband()
		g.add(inventory.Element{ID: id, Site: sid, Function: "gnb", Vendor: g.vendor(oi, v),
			Model: products[v][cGNB].model, Software: g.software(products[v][cGNB]), Installed: d, Status: st})
		g.link(id, tx, "backhaul", 1, capacity, false)
		g.emsSample(dc, v, id)
		for k := 1; k <= 3; k++ {
			aid := sid + "-aau" + strconv.Itoa(k)
			d, st := life()
			g.add(inventory.Element{ID: aid, Site: sid, Function: "antenna", Vendor: g.vendor(oi, v),
				Model: products[v][cAAU].model, Software: g.software(products[v][cAAU]), Technology: cf.Tech5G, Installed: d, Status: st})
			g.link(aid, id, "fronthaul", 1, 25, false)
		}
		return
	}
	du := sid + "-du"
	d, st = baseband()
	g.add(inventory.Element{ID: du, Site: sid, Function: "gnb-du", Vendor: g.vendor(oi, v),
		Model: products[v][cDU].model, Software: g.software(products[v][cDU]), Installed: d, Status: st})
	g.link(du, tx, "backhaul", 1, capacity, false)
	g.emsSample(dc, v, du)
	for k := 1; k <= 3; k++ {
		id := sid + "-ru" + strconv.Itoa(k)
		d, st := life()
		g.add(inventory.Element{ID: id, Site: sid, Function: "o-ru", Vendor: g.vendor(oi, v),
			Model: products[v][cRU].model, Software: g.software(products[v][cRU]), Installed: d, Status: st})
		g.link(id, du, "fronthaul", 1, 25, false)
	}
	for i := range e.cu {
		if e.cu[i].vendor == v {
			k := int(sid[len(sid)-1]) % 2
			g.link(du, e.cu[i].cp[k], "midhaul", 1, 10, false)
			g.link(du, e.cu[i].up[k], "midhaul", 1, 10, false)
		}
	}
}

func (g *generator) smallCell(oi int, sid string, s *ranSite, tx string, dc *dataCentre, fiveG bool) {
	v := s.vendor
	id, tech, e := sid+"-sc", cf.Tech4G, era4G
	if fiveG {
		id, tech, e = sid+"-sc5g", cf.Tech5G, era5G
	}
	d, st := g.life(g.dateIn(e), !fiveG)
	g.add(inventory.Element{ID: id, Site: sid, Function: "small-cell", Vendor: g.vendor(oi, v),
		Model: products[v][cSmallCell].model, Software: g.software(products[v][cSmallCell]), Technology: tech, Installed: d, Status: st})
	g.link(id, tx, "backhaul", 1, 10, false)
	g.emsSample(dc, v, id)
}

// emsSample links a sample of RAN elements to their vendor's EMS.
func (g *generator) emsSample(dc *dataCentre, v vendorID, id string) {
	if g.rng.Float64() < shareEMSSample {
		g.link(dc.ems[v], id, "management", 10, 1, false)
	}
}

// tagSites tags a share of RAN sites national-security and a few
// cni-safety, at least one of each.
func (g *generator) tagSites() {
	n := len(g.ranSites)
	tagged := make([]bool, n)
	for _, t := range []struct {
		tag   string
		share float64
	}{{inventory.TagNationalSecurity, shareNatSec}, {inventory.TagCNISafety, shareCNI}} {
		k := max(1, int(math.Round(t.share*float64(n))))
		for k > 0 {
			i := g.rng.IntN(n)
			if tagged[i] {
				continue
			}
			tagged[i] = true
			g.doc.Sites[g.ranSites[i]].Tags = []string{t.tag}
			k--
		}
	}
}

// areas places 3-6 synthetic sensitive areas, each around a randomly chosen
// RAN site so that some sites fall inside.
func (g *generator) areas() {
	cats := []string{"military", "nuclear", "government"}
	n := 3 + g.rng.IntN(4)
	g.doc.Areas = make([]inventory.Area, 0, n)
	var seq [3]int
	for i := 0; i < n; i++ {
		c := i % 3 // every category at least once
		if i >= 3 {
			c = g.rng.IntN(3)
		}
		seq[c]++
		anchor := &g.doc.Sites[g.ranSites[g.rng.IntN(len(g.ranSites))]]
		radius := math.Round((2+8*g.rng.Float64())*10) / 10
		lat, lon := g.jitter(anchor.Lat, anchor.Lon, min(3, 0.8*radius))
		g.doc.Areas = append(g.doc.Areas, inventory.Area{
			ID:       g.id("area-", i+1, 2),
			Name:     "Synthetic " + cats[c] + " area " + strconv.Itoa(seq[c]),
			Category: cats[c],
			Lat:      lat, Lon: lon, RadiusKm: radius,
		})
	}
}

// Element helpers.

func (g *generator) add(e inventory.Element) { g.doc.Elements = append(g.doc.Elements, e) }

// physical adds an element at a site from a product table entry and
// returns its install date.
func (g *generator) physical(oi int, id, site, fn string, v vendorID, pr product, e era) cf.Date {
	d := g.dateIn(e)
	g.add(inventory.Element{ID: id, Site: site, Function: fn, Vendor: g.vendor(oi, v),
		Model: pr.model, Software: g.software(pr), Installed: d})
	return d
}

// host is an element virtual functions run on.
type host struct {
	id        string
	installed cf.Date
}

// hosted adds a virtual function running on h, installed no earlier than h.
func (g *generator) hosted(oi int, id string, h host, fn string, v vendorID, pr product, e era) {
	g.add(inventory.Element{ID: id, HostedOn: h.id, Function: fn, Vendor: g.vendor(oi, v),
		Model: pr.model, Software: g.software(pr), Installed: max(g.dateIn(e), h.installed)})
}

// virtual adds a core network function running on h, installed no earlier
// than h.
func (g *generator) virtual(oi int, id string, h host, fn string, v vendorID, e era) {
	model, sw := coreProduct(v, fn)
	g.add(inventory.Element{ID: id, HostedOn: h.id, Function: fn, Vendor: g.vendor(oi, v),
		Model: model, Software: sw, Installed: max(g.dateIn(e), h.installed)})
}

// coreElement adds a physical core, security or management element.
func (g *generator) coreElement(oi int, id, site, fn string, v vendorID, e era) {
	model, sw := coreProduct(v, fn)
	g.add(inventory.Element{ID: id, Site: site, Function: fn, Vendor: g.vendor(oi, v),
		Model: model, Software: sw, Installed: g.dateIn(e)})
}

func (g *generator) link(a, b, kind string, metric, capacity int64, encrypted bool) {
	g.doc.Links = append(g.doc.Links, inventory.Link{A: a, B: b, Kind: kind, Encrypted: encrypted,
		Metric: cf.QuantityFromInt(metric), Capacity: cf.QuantityFromInt(capacity)})
}

// vendor returns how operator oi writes vendor v: its house spelling mostly,
// another now and then.
func (g *generator) vendor(oi int, v vendorID) string {
	sp := spellings[v]
	if g.rng.Float64() < 0.85 {
		return sp[oi%len(sp)]
	}
	return sp[g.rng.IntN(len(sp))]
}

func (g *generator) software(p product) string {
	switch len(p.software) {
	case 0:
		return ""
	case 1:
		return p.software[0]
	}
	return p.software[g.rng.IntN(len(p.software))]
}

func (g *generator) dateIn(e era) cf.Date {
	return e.lo + cf.Date(g.rng.IntN(int(e.hi-e.lo)+1))
}

// life draws the status of an element installed on d: a share of
// equipment being decommissioned (when allowed), and a few elements whose
// install date is not on record.
func (g *generator) life(d cf.Date, decom bool) (cf.Date, string) {
	u := g.rng.Float64()
	switch {
	case decom && u < shareDecom:
		return d, inventory.StatusDecommissioning
	case u >= 1-shareUndated:
		return 0, ""
	}
	return d, ""
}

// id returns prefix followed by n zero-padded to width digits.
func (g *generator) id(prefix string, n, width int) string {
	b := append(g.buf[:0], prefix...)
	var tmp [20]byte
	digits := strconv.AppendInt(tmp[:0], int64(n), 10)
	for i := len(digits); i < width; i++ {
		b = append(b, '0')
	}
	b = append(b, digits...)
	g.buf = b
	return string(b)
}
