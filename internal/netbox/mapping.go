package netbox

import (
	"sort"

	cf "github.com/corefence/corefence"
	"github.com/corefence/corefence/internal/inventory"
	"github.com/corefence/corefence/internal/tree"
)

// Ignore, as a role's or manufacturer's mapping, leaves its devices out of
// the inventory on purpose (patch panels, power distribution …).
const Ignore = "ignore"

// Operator says how a NetBox tenant becomes a corefence operator.
type Operator struct {
	ID      string `yaml:"id"`      // operator id; default the tenant's slug
	Name    string `yaml:"name"`    // default the tenant's name
	Country string `yaml:"country"` // ISO 3166-1 alpha-2; default none
}

// Mapping says how NetBox objects become inventory records. The zero value
// is not useful; start from DefaultMapping, which ReadMapping does.
type Mapping struct {
	// Operators maps tenant slugs to operators; a tenant not listed becomes
	// the operator with its slug and name.
	Operators map[string]Operator `yaml:"operators"`
	// SiteOperator is the operator of sites without a tenant; empty means
	// such a site is a problem.
	SiteOperator string `yaml:"site_operator"`
	// Roles maps device and VM role slugs to function ids, or Ignore.
	Roles map[string]string `yaml:"roles"`
	// Manufacturers maps manufacturer slugs to the vendor string to write,
	// or Ignore. A manufacturer not listed is written as NetBox names it,
	// provided the vendor registry knows it.
	Manufacturers map[string]string `yaml:"manufacturers"`
	// Statuses maps NetBox device, VM and cable statuses to element
	// statuses (planned, active, decommissioning, retired).
	Statuses map[string]string `yaml:"statuses"`
	// SiteKinds maps site group slugs to site kinds.
	SiteKinds map[string]string `yaml:"site_kinds"`
	// SiteTags maps NetBox tag slugs to the site tags written; a tag not
	// listed is written as its slug.
	SiteTags map[string]string `yaml:"site_tags"`
	// RegionLevel picks which region of a site's region chain names its
	// region: 0 the site's own, 1 its parent, and so on up to the top.
	RegionLevel int `yaml:"region_level"`
	// InstalledField is the custom field holding a device's installation
	// date; "" for none.
	InstalledField string `yaml:"installed_field"`
	// SoftwareField is the custom field holding a device's software
	// version; "" means the platform's name.
	SoftwareField string `yaml:"software_field"`
	// SkipSites lists site slugs to leave out, with their devices.
	SkipSites []string `yaml:"skip_sites"`

	// where each mapping entry was written, for problems.
	pos map[string]cf.Position
}

// defaultRoles are the device role slugs of NetBox's demo data and common
// telecom practice, with the function each is. A role whose slug is a
// function id (amf, upf, olt …) maps to that function without being listed.
var defaultRoles = map[string]string{
	"router":              "router",
	"core-router":         "core-router",
	"cell-site-router":    "router",
	"edge-router":         "router",
	"pe-router":           "router",
	"access-switch":       "switch",
	"core-switch":         "switch",
	"distribution-switch": "switch",
	"tor-switch":          "switch",
	"dc-switch":           "switch",
	"leaf":                "switch",
	"spine":               "switch",
	"gnodeb":              "gnb",
	"gnodeb-du":           "gnb-du",
	"gnodeb-cu":           "gnb-cu-cp",
	"enodeb":              "enb",
	"nodeb":               "nodeb",
	"radio-unit":          "antenna",
	"nfvi-host":           "server",
	"application-server":  "server",
	"database-server":     "server",
	"server":              "server",
	"firewall":            "firewall",
	"pdu":                 Ignore,
	"patch-panel":         Ignore,
	"console-server":      Ignore,
}

// defaultStatuses maps NetBox's device, VM and cable statuses. Offline and
// failed equipment is still installed, so it is still in the network a
// rule is about; equipment in inventory is not installed anywhere.
var defaultStatuses = map[string]string{
	"active":          inventory.StatusActive,
	"offline":         inventory.StatusActive,
	"failed":          inventory.StatusActive,
	"staged":          inventory.StatusPlanned,
	"planned":         inventory.StatusPlanned,
	"decommissioning": inventory.StatusDecommissioning,
	"inventory":       inventory.StatusRetired,
	"connected":       inventory.StatusActive, // cables
}

// DefaultMapping returns the documented defaults (docs/netbox.md).
func DefaultMapping() *Mapping {
	m := &Mapping{
		Operators:      map[string]Operator{},
		Roles:          map[string]string{},
		Manufacturers:  map[string]string{},
		Statuses:       map[string]string{},
		SiteKinds:      map[string]string{},
		SiteTags:       map[string]string{},
		InstalledField: "install_date",
		pos:            map[string]cf.Position{},
	}
	for k, v := range defaultRoles {
		m.Roles[k] = v
	}
	for k, v := range defaultStatuses {
		m.Statuses[k] = v
	}
	return m
}

// ReadMapping reads a mapping file (YAML or JSON) over the defaults: its
// entries replace or add to the default ones. Every problem in the file is
// reported as *corefence.Problems with its line.
func ReadMapping(path string) (*Mapping, error) {
	root, err := tree.ReadFile(path, "no such mapping file")
	if err != nil {
		return nil, err
	}
	var file Mapping
	file.InstalledField = "\x00" // tells "not given" from "given empty"
	probs := &cf.Problems{}
	tree.Decode(root, &file, "mapping", probs)
	m := DefaultMapping()
	for k, v := range file.Operators {
		m.Operators[k] = v
	}
	for _, sec := range []struct {
		name     string
		dst, src map[string]string
	}{
		{"roles", m.Roles, file.Roles},
		{"manufacturers", m.Manufacturers, file.Manufacturers},
		{"statuses", m.Statuses, file.Statuses},
		{"site_kinds", m.SiteKinds, file.SiteKinds},
		{"site_tags", m.SiteTags, file.SiteTags},
	} {
		for k, v := range sec.src {
			sec.dst[k] = v
			if n := root.Get(sec.name); n != nil {
				if vn := n.Get(k); vn != nil {
					m.pos[sec.name+"/"+k] = vn.Pos
				}
			}
		}
	}
	if n := root.Get("operators"); n != nil {
		for k := range file.Operators {
			if vn := n.Get(k); vn != nil {
				m.pos["operators/"+k] = vn.Pos
			}
		}
	}
	m.SiteOperator = file.SiteOperator
	m.RegionLevel = file.RegionLevel
	if file.InstalledField != "\x00" {
		m.InstalledField = file.InstalledField
		m.pos["installed_field"] = root.Get("installed_field").Pos
	}
	m.SoftwareField = file.SoftwareField
	m.SkipSites = file.SkipSites
	if m.RegionLevel < 0 {
		probs.Addf(root.Get("region_level").Pos, "mapping", "", "region_level", "want 0 (the site's own region) or more, got %d", m.RegionLevel)
	}
	m.validate(probs)
	if err := probs.Err(); err != nil {
		return nil, err
	}
	return m, nil
}

// validate checks that every value names something corefence knows.
func (m *Mapping) validate(probs *cf.Problems) {
	cat := inventory.BuiltinCatalogue()
	funcs := cat.IDs()
	for _, k := range sortedKeys(m.Roles) {
		v := m.Roles[k]
		if _, ok := cat.Lookup(v); !ok && v != Ignore {
			probs.Addf(m.pos["roles/"+k], "mapping", "", "roles."+k, "%q is not a function id (%s, or %q)%s", v, "see `corefence functions`", Ignore, suggest(v, funcs))
		}
	}
	for _, k := range sortedKeys(m.Statuses) {
		v := m.Statuses[k]
		if !contains(inventory.Statuses, v) {
			probs.Addf(m.pos["statuses/"+k], "mapping", "", "statuses."+k, "%q is not an element status (want one of planned, active, decommissioning, retired)", v)
		}
	}
	for _, k := range sortedKeys(m.SiteKinds) {
		v := m.SiteKinds[k]
		if !contains(inventory.SiteKinds, v) {
			probs.Addf(m.pos["site_kinds/"+k], "mapping", "", "site_kinds."+k, "%q is not a site kind%s", v, suggest(v, inventory.SiteKinds))
		}
	}
	for _, k := range sortedKeys(m.Manufacturers) {
		if m.Manufacturers[k] == "" {
			probs.Addf(m.pos["manufacturers/"+k], "mapping", "", "manufacturers."+k, "empty vendor: write the vendor's name, or %q", Ignore)
		}
	}
}

func suggest(v string, valid []string) string {
	if s := tree.Suggest(v, valid); s != "" {
		return "; did you mean " + s + "?"
	}
	return ""
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
