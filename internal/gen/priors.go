package gen

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	cf "github.com/corefence/corefence"
)

// The vendor priors live in data/priors.yaml: every figure the generator
// uses about who supplied what, with the published source it comes from or
// the reason it is assumed. This file reads them into the runtime form
// below.

// basis is why a figure has its value.
type basis struct {
	Source     string `yaml:"source"`
	Says       string `yaml:"says"`
	Assumption bool   `yaml:"assumption"`
	Reason     string `yaml:"reason"`
	Note       string `yaml:"note"`
}

// figure is one value of the priors file with its basis.
type figure[T any] struct {
	Value T     `yaml:"value"`
	Basis basis `yaml:",inline"`
}

type priorsFile struct {
	Format    string       `yaml:"format"`
	Sources   []sourceRec  `yaml:"sources"`
	Countries []countryRec `yaml:"countries"`
}

type sourceRec struct {
	ID        string `yaml:"id"`
	Publisher string `yaml:"publisher"`
	Title     string `yaml:"title"`
	Date      string `yaml:"date"`
	URL       string `yaml:"url"`
}

type countryRec struct {
	ID     string `yaml:"id"`
	Name   string `yaml:"name"`
	Period string `yaml:"period"`
	Eras   struct {
		G2G3    figure[string] `yaml:"2g3g"`
		G4      figure[string] `yaml:"4g"`
		G5      figure[string] `yaml:"5g"`
		Planned figure[string] `yaml:"planned"`
	} `yaml:"eras"`
	FiveGVendor figure[string]  `yaml:"5g_vendor"`
	Share5G     figure[float64] `yaml:"share_5g"`
	Operators   []operatorRec   `yaml:"operators"`
}

type techShares struct {
	G2 float64 `yaml:"2g"`
	G3 float64 `yaml:"3g"`
	G4 float64 `yaml:"4g"`
}

type ranRec struct {
	Regions []string  `yaml:"regions"`
	Value   vendorMix `yaml:"value"`
	Basis   basis     `yaml:",inline"`
}

// expectRec is a published vendor share the generated network must match.
type expectRec struct {
	Value          float64  `yaml:"value"`
	Tolerance      float64  `yaml:"tolerance"`
	Measure        string   `yaml:"measure"`
	ExcludeRegions []string `yaml:"exclude_regions"`
	Basis          basis    `yaml:",inline"`
}

type operatorRec struct {
	ID                     string               `yaml:"id"`
	Name                   string               `yaml:"name"`
	SiteShare              figure[float64]      `yaml:"site_share"`
	Technologies           figure[techShares]   `yaml:"technologies"`
	DataCentres            figure[[]string]     `yaml:"data_centres"`
	RAN                    []ranRec             `yaml:"ran"`
	RAN3G                  *figure[string]      `yaml:"ran_3g"`
	HuaweiShare            expectRec            `yaml:"huawei_share"`
	SiteRouter             figure[vendorMix]    `yaml:"site_router"`
	HuaweiTransportRegions *figure[[]string]    `yaml:"huawei_transport_regions"`
	Microwave              figure[string]       `yaml:"microwave"`
	AggregationRouter      figure[string]       `yaml:"aggregation_router"`
	MetroRouter            figure[string]       `yaml:"metro_router"`
	CoreRouter             figure[string]       `yaml:"core_router"`
	Servers                figure[string]       `yaml:"servers"`
	Core5G                 figure[string]       `yaml:"core_5g"`
	EPCControl             figure[[]string]     `yaml:"epc_control"`
	EPCGateway             figure[[]string]     `yaml:"epc_gateway"`
	IMS                    figure[string]       `yaml:"ims"`
	Firewall               figure[string]       `yaml:"firewall"`
	SEG                    figure[string]       `yaml:"seg"`
	LI                     figure[string]       `yaml:"li"`
	DEA                    figure[string]       `yaml:"dea"`
	InternetGW             figure[string]       `yaml:"internet_gw"`
	IPXGW                  figure[string]       `yaml:"ipx_gw"`
	OSS                    figure[string]       `yaml:"oss"`
	NFVO                   figure[string]       `yaml:"nfvo"`
	SDNController          figure[string]       `yaml:"sdn_controller"`
	PassiveAntennas        figure[antennaMixes] `yaml:"passive_antennas"`
}

// vendorWeight is one vendor of a mix with its weight.
type vendorWeight struct {
	Name   string
	Weight float64
}

// vendorMix is a choice of vendors, in the order written: one key, or a map
// of keys to weights.
type vendorMix []vendorWeight

func (m *vendorMix) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		*m = vendorMix{{n.Value, 1}}
		return nil
	case yaml.MappingNode:
		out := make(vendorMix, 0, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			var w float64
			if err := n.Content[i+1].Decode(&w); err != nil {
				return fmt.Errorf("line %d: weight of %s: %v", n.Content[i+1].Line, n.Content[i].Value, err)
			}
			out = append(out, vendorWeight{n.Content[i].Value, w})
		}
		*m = out
		return nil
	}
	return fmt.Errorf("line %d: a vendor mix is a vendor key or a map of keys to weights", n.Line)
}

// antennaMixes maps a RAN vendor to the mix of passive antenna makers at
// its sites, in the order written.
type antennaMixes []struct {
	RAN string
	Mix vendorMix
}

func (a *antennaMixes) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.MappingNode {
		return fmt.Errorf("line %d: passive antennas are a map of RAN vendor to antenna vendor mix", n.Line)
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		var m vendorMix
		if err := m.UnmarshalYAML(n.Content[i+1]); err != nil {
			return err
		}
		*a = append(*a, struct {
			RAN string
			Mix vendorMix
		}{n.Content[i].Value, m})
	}
	return nil
}

// Runtime form.

// mix is a vendor mix ready to draw from: cumulative weights.
type mix struct {
	v   []vendorID
	cum []float64 // cumulative, last is 1
}

func only(v vendorID) mix { return mix{v: []vendorID{v}, cum: []float64{1}} }

// era is a span of install dates.
type era struct{ lo, hi cf.Date }

func years(from, to int) era {
	return era{cf.NewDate(from, time.January, 1), cf.NewDate(to, time.December, 31)}
}

// expectation is a published share of an operator's 4G sites whose radio
// equipment is Huawei, with the tolerance the generated network must meet.
type expectation struct {
	Value, Tolerance float64
	Exclude          []bool // by region: sites there are not counted
	Basis            basis
}

// operatorPriors is what the generator assumes about one operator.
type operatorPriors struct {
	id, name string
	share    float64    // of all RAN sites
	tech     techShares // shares of macro sites with 2G, 3G, 4G (generated sites)
	dcTowns  []string   // data-centre towns; the first holds management and interconnect

	ran      []mix // RAN vendor per region (2G/4G/5G and, unless ran3G, 3G)
	ran3G    vendorID
	hasRAN3G bool
	huawei   expectation

	siteRouter      mix
	huaweiTransport []bool // by region: site routers and microwave are Huawei
	microwave       vendorID
	aggRouter       vendorID
	metroRouter     vendorID
	coreRouter      vendorID
	hosts           vendorID // NFVI servers in the data centres and exchanges

	core5G      vendorID
	epcControl  []vendorID // mme, hss, pcrf, per data centre
	epcGateway  []vendorID // sgw, pgw, per data centre
	ims         vendorID
	firewall    vendorID
	seg         vendorID
	li          vendorID
	dea         vendorID
	internetGW  vendorID
	ipxGW       vendorID
	oss         vendorID
	nfvo        vendorID
	sdn         vendorID
	passiveAnts [numVendors]mix // passive antenna maker, by RAN vendor
}

// countryPriors is everything the priors file says about one country.
type countryPriors struct {
	id, name, period string
	era2G3G, era4G   era
	era5G, planned   era
	share5G          float64
	operators        []operatorPriors
}

var vendorByKey = func() map[string]vendorID {
	m := make(map[string]vendorID, numVendors)
	for v := vendorID(0); v < numVendors; v++ {
		m[vendorKeys[v]] = v
	}
	return m
}()

// parsePriors reads the priors file and resolves it against the regions of
// each country's town table. Every figure must have a basis.
func parsePriors(data []byte, regionsOf func(country string) ([]string, bool)) (map[string]*countryPriors, []sourceRec, error) {
	var f priorsFile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return nil, nil, fmt.Errorf("priors: %w", err)
	}
	if f.Format != "corefence/gen-priors/v1" {
		return nil, nil, fmt.Errorf("priors: format %q, want corefence/gen-priors/v1", f.Format)
	}
	p := &priorsParser{sources: map[string]bool{}}
	for _, s := range f.Sources {
		if s.ID == "" || s.Publisher == "" || s.Date == "" || s.URL == "" {
			p.errorf("source %q: id, publisher, date and url are required", s.ID)
		}
		if p.sources[s.ID] {
			p.errorf("source %q defined twice", s.ID)
		}
		p.sources[s.ID] = true
	}
	out := map[string]*countryPriors{}
	for i := range f.Countries {
		c := &f.Countries[i]
		regions, ok := regionsOf(c.ID)
		if !ok {
			p.errorf("country %q: no town table", c.ID)
			continue
		}
		out[c.ID] = p.country(c, regions)
	}
	if len(p.errs) > 0 {
		return nil, nil, fmt.Errorf("priors: %s", strings.Join(p.errs, "; "))
	}
	return out, f.Sources, nil
}

type priorsParser struct {
	sources map[string]bool
	errs    []string
	where   string
}

func (p *priorsParser) errorf(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if p.where != "" {
		msg = p.where + ": " + msg
	}
	p.errs = append(p.errs, msg)
}

// check wants a basis: a known source and what it says, or an assumption
// and its reason (or both).
func (p *priorsParser) check(name string, b basis) {
	sourced := b.Source != ""
	if sourced && !p.sources[b.Source] {
		p.errorf("%s: unknown source %q", name, b.Source)
	}
	if sourced && b.Says == "" {
		p.errorf("%s: source %s without what it says", name, b.Source)
	}
	if b.Assumption && b.Reason == "" {
		p.errorf("%s: assumption without a reason", name)
	}
	if !sourced && !b.Assumption {
		p.errorf("%s: neither a source nor an assumption", name)
	}
	if !sourced && b.Says != "" {
		p.errorf("%s: says without a source", name)
	}
	if !b.Assumption && b.Reason != "" {
		p.errorf("%s: reason without assumption: true", name)
	}
}

func (p *priorsParser) vendor(name, key string) vendorID {
	v, ok := vendorByKey[key]
	if !ok {
		p.errorf("%s: unknown vendor %q", name, key)
	}
	return v
}

func (p *priorsParser) mix(name string, m vendorMix) mix {
	var out mix
	total := 0.0
	for _, w := range m {
		if w.Weight <= 0 {
			p.errorf("%s: weight of %s must be positive", name, w.Name)
		}
		total += w.Weight
	}
	if len(m) == 0 || total <= 0 {
		p.errorf("%s: empty vendor mix", name)
		return only(0)
	}
	acc := 0.0
	for i, w := range m {
		acc += w.Weight
		c := acc / total
		if i == len(m)-1 {
			c = 1
		}
		out.v = append(out.v, p.vendor(name, w.Name))
		out.cum = append(out.cum, c)
	}
	return out
}

func (p *priorsParser) era(name string, f figure[string]) era {
	p.check(name, f.Basis)
	lo, hi, ok := strings.Cut(f.Value, "..")
	a, errA := cf.ParseDate(lo)
	b, errB := cf.ParseDate(hi)
	if !ok || errA != nil || errB != nil || b < a {
		p.errorf("%s: %q is not a span YYYY-MM-DD..YYYY-MM-DD", name, f.Value)
	}
	return era{a, b}
}

func (p *priorsParser) share(name string, f figure[float64]) float64 {
	p.check(name, f.Basis)
	if f.Value < 0 || f.Value > 1 {
		p.errorf("%s: %v is not a share", name, f.Value)
	}
	return f.Value
}

func (p *priorsParser) regionSet(name string, list []string, regions []string) []bool {
	set := make([]bool, len(regions))
	for _, r := range list {
		i := indexOf(regions, r)
		if i < 0 {
			p.errorf("%s: unknown region %q (known: %s)", name, r, strings.Join(regions, ", "))
			continue
		}
		set[i] = true
	}
	return set
}

func indexOf(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}

func (p *priorsParser) country(c *countryRec, regions []string) *countryPriors {
	p.where = "country " + c.ID
	cp := &countryPriors{id: c.ID, name: c.Name, period: c.Period}
	cp.era2G3G = p.era("eras.2g3g", c.Eras.G2G3)
	cp.era4G = p.era("eras.4g", c.Eras.G4)
	cp.era5G = p.era("eras.5g", c.Eras.G5)
	cp.planned = p.era("eras.planned", c.Eras.Planned)
	cp.share5G = p.share("share_5g", c.Share5G)
	p.check("5g_vendor", c.FiveGVendor.Basis)
	if c.FiveGVendor.Value != "same-as-4g" {
		p.errorf("5g_vendor: %q, want same-as-4g (the only rule the generator knows)", c.FiveGVendor.Value)
	}
	total := 0.0
	for i := range c.Operators {
		o := &c.Operators[i]
		p.where = "country " + c.ID + ", operator " + o.ID
		cp.operators = append(cp.operators, p.operator(o, regions))
		total += o.SiteShare.Value
	}
	p.where = "country " + c.ID
	if len(c.Operators) == 0 {
		p.errorf("no operators")
	} else if total < 0.99 || total > 1.01 {
		p.errorf("site shares add up to %.3f, want 1", total)
	}
	p.where = ""
	return cp
}

func (p *priorsParser) operator(o *operatorRec, regions []string) operatorPriors {
	op := operatorPriors{id: o.ID, name: o.Name}
	op.share = p.share("site_share", o.SiteShare)
	p.check("technologies", o.Technologies.Basis)
	op.tech = o.Technologies.Value
	for _, s := range []float64{op.tech.G2, op.tech.G3, op.tech.G4} {
		if s < 0 || s > 1 {
			p.errorf("technologies: %v is not a share", s)
		}
	}
	p.check("data_centres", o.DataCentres.Basis)
	op.dcTowns = o.DataCentres.Value
	if n := len(op.dcTowns); n < 2 || n > 4 {
		p.errorf("data_centres: %d, want 2 to 4", n)
	}

	op.ran = make([]mix, len(regions))
	set := make([]bool, len(regions))
	for i, r := range o.RAN {
		name := fmt.Sprintf("ran[%d]", i)
		p.check(name, r.Basis)
		m := p.mix(name, r.Value)
		if len(r.Regions) == 1 && r.Regions[0] == "*" {
			for k := range regions {
				if !set[k] {
					op.ran[k], set[k] = m, true
				}
			}
			continue
		}
		for k, in := range p.regionSet(name, r.Regions, regions) {
			if in && set[k] {
				p.errorf("%s: region %s given twice", name, regions[k])
			}
			if in {
				op.ran[k], set[k] = m, true
			}
		}
	}
	for k, ok := range set {
		if !ok {
			p.errorf("ran: no vendor for region %s", regions[k])
		}
	}
	if o.RAN3G != nil {
		p.check("ran_3g", o.RAN3G.Basis)
		op.ran3G, op.hasRAN3G = p.vendor("ran_3g", o.RAN3G.Value), true
	}
	h := o.HuaweiShare
	p.check("huawei_share", h.Basis)
	if h.Measure != "4g-sites" {
		p.errorf("huawei_share: measure %q, want 4g-sites", h.Measure)
	}
	op.huawei = expectation{Value: h.Value, Tolerance: h.Tolerance, Exclude: p.regionSet("huawei_share", h.ExcludeRegions, regions), Basis: h.Basis}

	p.check("site_router", o.SiteRouter.Basis)
	op.siteRouter = p.mix("site_router", o.SiteRouter.Value)
	op.huaweiTransport = make([]bool, len(regions))
	if t := o.HuaweiTransportRegions; t != nil {
		p.check("huawei_transport_regions", t.Basis)
		op.huaweiTransport = p.regionSet("huawei_transport_regions", t.Value, regions)
	}
	one := func(name string, f figure[string]) vendorID {
		p.check(name, f.Basis)
		return p.vendor(name, f.Value)
	}
	list := func(name string, f figure[[]string]) []vendorID {
		p.check(name, f.Basis)
		if len(f.Value) != len(op.dcTowns) {
			p.errorf("%s: %d vendors for %d data centres", name, len(f.Value), len(op.dcTowns))
		}
		out := make([]vendorID, len(op.dcTowns))
		for i := range out {
			if i < len(f.Value) {
				out[i] = p.vendor(name, f.Value[i])
			}
		}
		return out
	}
	op.microwave = one("microwave", o.Microwave)
	op.aggRouter = one("aggregation_router", o.AggregationRouter)
	op.metroRouter = one("metro_router", o.MetroRouter)
	op.coreRouter = one("core_router", o.CoreRouter)
	op.hosts = one("servers", o.Servers)
	op.core5G = one("core_5g", o.Core5G)
	op.epcControl = list("epc_control", o.EPCControl)
	op.epcGateway = list("epc_gateway", o.EPCGateway)
	op.ims = one("ims", o.IMS)
	op.firewall = one("firewall", o.Firewall)
	op.seg = one("seg", o.SEG)
	op.li = one("li", o.LI)
	op.dea = one("dea", o.DEA)
	op.internetGW = one("internet_gw", o.InternetGW)
	op.ipxGW = one("ipx_gw", o.IPXGW)
	op.oss = one("oss", o.OSS)
	op.nfvo = one("nfvo", o.NFVO)
	op.sdn = one("sdn_controller", o.SDNController)
	p.check("passive_antennas", o.PassiveAntennas.Basis)
	for _, a := range o.PassiveAntennas.Value {
		v := p.vendor("passive_antennas", a.RAN)
		op.passiveAnts[v] = p.mix("passive_antennas."+a.RAN, a.Mix)
	}
	return op
}
