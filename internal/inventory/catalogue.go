package inventory

import (
	"sort"

	cf "github.com/corefence/corefence"
)

// FuncRef indexes a function in a Catalogue.
type FuncRef int16

// Function is one entry of the function catalogue: a network function or a
// kind of equipment, the domain regulators put it in, and the technologies
// it serves by default.
type Function struct {
	ID     string
	Domain cf.Domain
	// Also holds domains the function belongs to as well as Domain: SEPP,
	// N3IWF and TNGF are 5G core network functions that are also
	// security-critical, so a rule scoped to either domain takes them in.
	// Reports and diversity counts use Domain alone.
	Also        cf.DomainSet
	Technology  cf.Tech // default technologies; zero means technology-agnostic
	Description string
	Builtin     bool // defined by corefence
	Overridden  bool // a built-in entry replaced by the inventory
}

// Domains returns every domain the function belongs to: Domain and Also.
func (f *Function) Domains() cf.DomainSet { return f.Also.With(f.Domain) }

// Catalogue maps function ids to functions.
type Catalogue struct {
	funcs []Function
	byID  map[string]FuncRef
}

// builtinFunctions is the catalogue of inventory format v1, with the
// corrections documented in docs/inventory.md ("Function catalogue").
// Domains follow the regulators' language (NCSC 2020, EU toolbox) and the
// 3GPP architecture; where regulators are ambiguous (edge UPF, near-RT RIC,
// BNG) an inventory may override the entry.
var builtinFunctions = []struct {
	domain cf.Domain
	also   cf.DomainSet
	tech   cf.Tech
	ids    []string
	desc   string
}{
	{cf.DomainCore, 0, cf.Tech5G, []string{"amf", "smf", "upf", "pcf", "nef", "nrf", "udm", "udr", "udsf", "ausf", "nssf", "nssaaf", "smsf", "5g-eir", "lmf", "gmlc", "nwdaf", "scp", "chf", "bsf"}, "5G core network function (3GPP TS 23.501)"},
	// SEPP, N3IWF and TNGF are 5G core network functions in TS 23.501
	// (SEPP at the roaming interconnect, N3IWF and TNGF for non-3GPP
	// access), and security-critical as well.
	{cf.DomainCore, security, cf.Tech5G, []string{"sepp", "n3iwf", "tngf"}, "5G core network function at a trust boundary (3GPP TS 23.501)"},
	{cf.DomainCore, 0, cf.Tech4G, []string{"mme", "sgw", "pgw", "hss", "pcrf"}, "4G evolved packet core element (3GPP TS 23.401)"},
	{cf.DomainCore, 0, cf.Tech2G | cf.Tech3G, []string{"sgsn", "ggsn", "msc", "hlr"}, "2G/3G core element"},
	{cf.DomainCore, 0, cf.Tech4G | cf.Tech5G, []string{"ims"}, "IP multimedia subsystem (voice over LTE and NR)"},
	{cf.DomainCore, security, cf.Tech4G | cf.Tech5G, []string{"ibcf"}, "IMS interconnection border control function (3GPP TS 23.228)"},
	{cf.DomainCore, security, 0, []string{"sbc"}, "session border controller (IMS or fixed voice edge and interconnect)"},
	{cf.DomainCore, 0, 0, []string{"core-router"}, "IP core router"},
	{cf.DomainCore, 0, 0, []string{"bng", "bras"}, "broadband network gateway / remote access server: the fixed network's subscriber gateway (BBF TR-101, TR-178)"},
	{cf.DomainSecurity, 0, 0, []string{"seg", "firewall", "li", "aaa", "dea", "stp", "ipx-gw", "internet-gw", "cgnat"}, "security, interconnect or lawful-intercept function"},
	{cf.DomainManagement, 0, cf.Tech5G, []string{"smo", "non-rt-ric"}, "O-RAN service management and orchestration"},
	{cf.DomainManagement, 0, cf.Tech5G, []string{"near-rt-ric"}, "O-RAN near-real-time RAN intelligent controller: controls RAN nodes over E2 (ambiguous; see docs/inventory.md)"},
	{cf.DomainManagement, 0, 0, []string{"oss", "ems", "nms", "nfvo", "vnfm", "sdn-controller", "monitoring"}, "management, orchestration or monitoring system"},
	{cf.DomainVirtualisation, 0, 0, []string{"nfvi", "vim", "o-cloud", "server"}, "virtualisation infrastructure"},
	{cf.DomainVirtualisation, 0, 0, []string{"mec-host"}, "multi-access edge computing host (ETSI GS MEC 003)"},
	{cf.DomainAccess, 0, cf.Tech5G, []string{"gnb", "gnb-cu-cp", "gnb-cu-up", "gnb-du", "o-ru"}, "5G radio access"},
	{cf.DomainAccess, 0, cf.Tech4G, []string{"enb"}, "4G radio access (eNodeB)"},
	{cf.DomainAccess, 0, cf.Tech3G, []string{"nodeb", "rnc"}, "3G radio access"},
	{cf.DomainAccess, 0, cf.Tech2G, []string{"bts", "bsc"}, "2G radio access"},
	{cf.DomainAccess, 0, 0, []string{"antenna", "small-cell"}, "radio access equipment"},
	{cf.DomainTransport, 0, 0, []string{"router", "switch", "microwave", "optical"}, "transport equipment"},
	{cf.DomainFixedAccess, 0, cf.TechFTTP, []string{"olt", "ont"}, "full-fibre access"},
	{cf.DomainFixedAccess, 0, cf.TechCopper, []string{"dslam", "msan"}, "copper access (xDSL, FTTC)"},
}

// security is the extra domain of core functions that are also
// security-critical.
var security = cf.DomainSet(0).With(cf.DomainSecurity)

// BuiltinCatalogue returns a fresh copy of the built-in function catalogue.
func BuiltinCatalogue() *Catalogue {
	c := &Catalogue{byID: make(map[string]FuncRef, 96)}
	for _, g := range builtinFunctions {
		for _, id := range g.ids {
			c.put(Function{ID: id, Domain: g.domain, Also: g.also, Technology: g.tech, Description: g.desc, Builtin: true})
		}
	}
	return c
}

func (c *Catalogue) put(f Function) FuncRef {
	if ref, ok := c.byID[f.ID]; ok {
		c.funcs[ref] = f
		return ref
	}
	ref := FuncRef(len(c.funcs))
	c.funcs = append(c.funcs, f)
	c.byID[f.ID] = ref
	return ref
}

// Define adds a function or replaces one; replacing a built-in entry marks
// it Overridden, which the check output reports.
func (c *Catalogue) Define(f Function) FuncRef {
	if ref, ok := c.byID[f.ID]; ok && c.funcs[ref].Builtin {
		f.Builtin, f.Overridden = true, true
	}
	return c.put(f)
}

// Lookup returns the function with the given id.
func (c *Catalogue) Lookup(id string) (FuncRef, bool) {
	ref, ok := c.byID[id]
	return ref, ok
}

// Func returns the function at ref.
func (c *Catalogue) Func(ref FuncRef) *Function { return &c.funcs[ref] }

// Len reports how many functions the catalogue holds.
func (c *Catalogue) Len() int { return len(c.funcs) }

// IDs returns every function id, sorted.
func (c *Catalogue) IDs() []string {
	ids := make([]string, 0, len(c.funcs))
	for _, f := range c.funcs {
		ids = append(ids, f.ID)
	}
	sort.Strings(ids)
	return ids
}
