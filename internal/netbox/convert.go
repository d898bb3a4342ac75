package netbox

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	cf "github.com/corefence/corefence"
	"github.com/corefence/corefence/internal/inventory"
	"github.com/corefence/corefence/internal/vendor"
)

// Options adjust Convert.
type Options struct {
	// Tenants, when not empty, limits the import to the sites of these
	// tenants (slugs) and what is at them.
	Tenants []string
	// Mapping is the mapping to apply; nil means DefaultMapping.
	Mapping *Mapping
	// Registry is the vendor registry manufacturers are checked against;
	// nil means the built-in one.
	Registry func() *vendor.Registry
}

// Result is a converted NetBox: the inventory document and what a person
// should know about how it was made.
type Result struct {
	Doc *inventory.Doc
	// Notes say what was left out on purpose and what was decided, one
	// sentence each, in a fixed order.
	Notes []string
}

// Sections named in problems, after NetBox's API endpoints.
const (
	secTenants       = "tenancy/tenants"
	secSites         = "dcim/sites"
	secDevices       = "dcim/devices"
	secRoles         = "dcim/device-roles"
	secManufacturers = "dcim/manufacturers"
	secPlatforms     = "dcim/platforms"
	secVMs           = "virtualization/virtual-machines"
	secCustomFields  = "extras/custom-fields"
	secCables        = "dcim/cables"
)

// Convert turns what Fetch read into an inventory document. Everything it
// cannot place — a role or manufacturer the mapping does not cover, a site
// without coordinates, a device without a status it knows — is a problem
// naming the NetBox object's id and address; with any problem it returns
// *corefence.Problems and no document. The document it returns passes
// inventory.Build.
func Convert(d *Data, opts Options) (*Result, error) {
	m := opts.Mapping
	if m == nil {
		m = DefaultMapping()
	}
	newRegistry := opts.Registry
	if newRegistry == nil {
		newRegistry = vendor.Builtin
	}
	c := &converter{
		d: d, m: m, reg: newRegistry(), cat: inventory.BuiltinCatalogue(),
		probs: &cf.Problems{}, doc: &inventory.Doc{},
		siteOp:   map[int]string{},
		elemByID: map[string]string{},
		devElem:  map[int]string{},
		only:     opts.Tenants,
	}
	c.index()
	c.checkOptions(opts.Tenants)
	c.sites(opts.Tenants)
	c.devices()
	c.vms()
	c.cables()
	c.operators()
	c.unplaced()
	if err := c.probs.Err(); err != nil {
		return nil, err
	}
	c.sort()
	// The document must load as any inventory does; a problem here is a
	// mistake of the mapping (e.g. an operator id that is not a slug).
	doc := inventory.Doc{
		Operators: slices.Clone(c.doc.Operators), Sites: slices.Clone(c.doc.Sites),
		Elements: slices.Clone(c.doc.Elements), Links: slices.Clone(c.doc.Links),
	}
	if _, err := inventory.Build(&doc, inventory.Options{Registry: newRegistry}); err != nil {
		return nil, err
	}
	return &Result{Doc: c.doc, Notes: c.notes}, nil
}

type converter struct {
	d     *Data
	m     *Mapping
	reg   *vendor.Registry
	cat   *inventory.Catalogue
	probs *cf.Problems
	doc   *inventory.Doc
	notes []string

	tenants   map[string]*tenant // by slug
	regions   map[int]*region
	platforms map[int]*platform
	mfrs      map[int]*manufacturer
	roles     map[int]*deviceRole
	clusters  map[int]*cluster

	siteOp   map[int]string // NetBox site id → operator id, for sites in the import
	siteSlug map[int]string
	elemByID map[string]string // element id → the NetBox object it came from
	devElem  map[int]string    // NetBox device id → element id
	elemSite map[string]int    // device element id → NetBox site id
	only     []string          // the tenants the import is limited to
	hosts    map[int][]string  // cluster id → element ids of its devices

	// What could not be placed, gathered per object so that each is
	// reported once with how many devices it affects.
	badRoles map[int]*unplaced
	badMfrs  map[int]*unplaced
	badPlats map[int]*unplaced
	// clusters at no site, with no device in the import, that VMs run on
	badClusters map[int]*unplaced
	// clusters whose VMs were put on the first of several hosts
	multiHost map[int][]string
	ignored   map[string]int // why → devices left out
}

// unplaced is a role, manufacturer or platform the mapping cannot place.
type unplaced struct {
	users   int
	example string
}

func (c *converter) index() {
	d := c.d
	c.tenants = map[string]*tenant{}
	for i := range d.Tenants {
		c.tenants[d.Tenants[i].Slug] = &d.Tenants[i]
	}
	c.regions = map[int]*region{}
	for i := range d.Regions {
		c.regions[d.Regions[i].ID] = &d.Regions[i]
	}
	c.platforms = map[int]*platform{}
	for i := range d.Platforms {
		c.platforms[d.Platforms[i].ID] = &d.Platforms[i]
	}
	c.mfrs = map[int]*manufacturer{}
	for i := range d.Manufacturers {
		c.mfrs[d.Manufacturers[i].ID] = &d.Manufacturers[i]
	}
	c.roles = map[int]*deviceRole{}
	for i := range d.DeviceRoles {
		c.roles[d.DeviceRoles[i].ID] = &d.DeviceRoles[i]
	}
	c.clusters = map[int]*cluster{}
	for i := range d.Clusters {
		c.clusters[d.Clusters[i].ID] = &d.Clusters[i]
	}
	c.siteSlug = map[int]string{}
	c.elemSite = map[string]int{}
	c.hosts = map[int][]string{}
	c.badRoles = map[int]*unplaced{}
	c.badMfrs = map[int]*unplaced{}
	c.badPlats = map[int]*unplaced{}
	c.badClusters = map[int]*unplaced{}
	c.multiHost = map[int][]string{}
	c.ignored = map[string]int{}
}

// problem records something that stops the import, located at the NetBox
// object's address.
func (c *converter) problem(o *object, section, id, field, format string, args ...any) {
	c.probs.Add(cf.Problem{Pos: cf.Position{File: o.link()}, Section: section, ID: id, Field: field,
		Message: fmt.Sprintf(format, args...)})
}

func (c *converter) note(format string, args ...any) {
	c.notes = append(c.notes, fmt.Sprintf(format, args...))
}

// checkOptions checks the tenants asked for and the custom fields the
// mapping names against what NetBox holds.
func (c *converter) checkOptions(tenants []string) {
	for _, t := range tenants {
		if c.tenants[t] == nil {
			slugs := sortedKeys(c.tenants)
			c.probs.Addf(cf.Position{File: c.d.BaseURL}, secTenants, t, "", "no tenant with this slug in NetBox (tenants: %s)", strings.Join(slugs, ", "))
		}
	}
	tags := map[string]bool{}
	for _, t := range c.d.Tags {
		tags[t.Slug] = true
	}
	for _, slug := range sortedKeys(c.m.SiteTags) {
		if !tags[slug] {
			c.probs.Addf(c.m.pos["site_tags/"+slug], "mapping", "", "site_tags."+slug, "no tag with this slug in NetBox%s", suggest(slug, sortedKeys(tags)))
		}
	}
	for slug := range c.m.Operators {
		if c.tenants[slug] == nil {
			c.probs.Addf(c.m.pos["operators/"+slug], "mapping", "", "operators."+slug, "no tenant with this slug in NetBox")
		}
	}
	for _, f := range []struct{ name, key string }{{c.m.InstalledField, "installed_field"}, {c.m.SoftwareField, "software_field"}} {
		if f.name == "" || c.deviceField(f.name) {
			continue
		}
		if f.key == "installed_field" && f.name == "install_date" && c.m.pos["installed_field"] == (cf.Position{}) {
			// The default names a field many NetBoxes do not have.
			c.note("NetBox has no custom field install_date on devices: no installation dates imported (set installed_field in the mapping to name yours)")
			c.m.InstalledField = ""
			continue
		}
		c.probs.Addf(cf.Position{File: c.d.BaseURL}, secCustomFields, f.name, "", "mapping %s names a custom field NetBox does not define on devices", f.key)
	}
}

// deviceField reports whether NetBox defines a custom field on devices.
func (c *converter) deviceField(name string) bool {
	for _, f := range c.d.CustomFields {
		if f.Name == name && contains(f.ObjectTypes, "dcim.device") {
			return true
		}
	}
	return false
}

// operatorOf returns the operator id for a tenant, or "" when the site has
// none and the mapping gives no default.
func (c *converter) operatorOf(t *ref) string {
	if t == nil {
		return c.m.SiteOperator
	}
	if op, ok := c.m.Operators[t.Slug]; ok && op.ID != "" {
		return op.ID
	}
	return t.Slug
}

func (c *converter) sites(tenants []string) {
	skip := map[string]bool{}
	for _, s := range c.m.SkipSites {
		skip[s] = true
	}
	skipped := 0
	for i := range c.d.Sites {
		s := &c.d.Sites[i]
		if len(tenants) > 0 && (s.Tenant == nil || !contains(tenants, s.Tenant.Slug)) {
			continue
		}
		if skip[s.Slug] {
			skipped++
			continue
		}
		op := c.operatorOf(s.Tenant)
		if op == "" {
			c.problem(&s.object, secSites, s.Slug, "tenant", "site %q has no tenant, so no operator: set its tenant in NetBox, or site_operator in the mapping", s.Name)
		}
		if s.Latitude == nil || s.Longitude == nil {
			c.problem(&s.object, secSites, s.Slug, "latitude", "site %q has no coordinates: set its latitude and longitude in NetBox, or leave it out (skip_sites in the mapping, or --tenant)", s.Name)
		}
		site := inventory.Site{ID: s.Slug, Operator: op, Name: s.Name, Region: c.regionOf(s.Region)}
		if s.Latitude != nil && s.Longitude != nil {
			site.Lat, site.Lon = *s.Latitude, *s.Longitude
		}
		if s.Group != nil {
			site.Kind = c.m.SiteKinds[s.Group.Slug]
		}
		for _, t := range s.Tags {
			tag := t.Slug
			if mapped, ok := c.m.SiteTags[t.Slug]; ok {
				tag = mapped
			}
			if tag != "" {
				site.Tags = append(site.Tags, tag)
			}
		}
		c.doc.Sites = append(c.doc.Sites, site)
		c.siteOp[s.ID] = op
		c.siteSlug[s.ID] = s.Slug
	}
	if skipped > 0 {
		c.note("%d sites left out as skip_sites in the mapping asks", skipped)
	}
}

// regionOf names a site's region at the mapping's level.
func (c *converter) regionOf(r *ref) string {
	if r == nil {
		return ""
	}
	name := r.Name
	id := r.ID
	for level := 0; level < c.m.RegionLevel; level++ {
		reg := c.regions[id]
		if reg == nil || reg.Parent == nil {
			break
		}
		id, name = reg.Parent.ID, reg.Parent.Name
	}
	return name
}

// function maps a role; ok is false when the role is ignored or unplaced
// (the latter recorded).
func (c *converter) function(role *ref, user string) (string, bool) {
	if f, ok := c.m.Roles[role.Slug]; ok {
		if f == Ignore {
			c.ignored["role "+role.Slug]++
			return "", false
		}
		return f, true
	}
	if _, ok := c.cat.Lookup(role.Slug); ok {
		return role.Slug, true
	}
	u := c.badRoles[role.ID]
	if u == nil {
		u = &unplaced{example: user}
		c.badRoles[role.ID] = u
	}
	u.users++
	return "", false
}

// vendorOf maps a manufacturer; ok is false when it is ignored or unplaced
// (the latter recorded).
func (c *converter) vendorOf(mf *ref, user string) (string, bool) {
	if v, ok := c.m.Manufacturers[mf.Slug]; ok {
		if v == Ignore {
			c.ignored["manufacturer "+mf.Slug]++
			return "", false
		}
		return v, true
	}
	if c.reg.Resolve(mf.Name).Kind != vendor.Unknown {
		return mf.Name, true
	}
	u := c.badMfrs[mf.ID]
	if u == nil {
		u = &unplaced{example: user}
		c.badMfrs[mf.ID] = u
	}
	u.users++
	return "", false
}

// status maps a NetBox status; ok is false when the mapping has none.
func (c *converter) status(o *object, section, id string, st choice) (string, bool) {
	s, ok := c.m.Statuses[st.Value]
	if !ok {
		c.problem(o, section, id, "status", "status %q has no element status: map it under statuses in the mapping", st.Value)
	}
	return s, ok
}

// claim reserves an element id for a NetBox object.
func (c *converter) claim(o *object, section, id string) bool {
	if prev, dup := c.elemByID[id]; dup {
		c.problem(o, section, id, "name", "the same name as %s: corefence needs element ids unique across the import; rename one in NetBox", prev)
		return false
	}
	c.elemByID[id] = o.link()
	return true
}

func (c *converter) devices() {
	for i := range c.d.Devices {
		dv := &c.d.Devices[i]
		if dv.Site == nil {
			continue
		}
		op, inScope := c.siteOp[dv.Site.ID]
		if !inScope {
			continue
		}
		id := fmt.Sprintf("device-%d", dv.ID)
		if dv.Name != nil && *dv.Name != "" {
			id = *dv.Name
		}
		if dv.Role == nil || dv.DeviceType == nil || dv.DeviceType.Manufacturer == nil {
			c.problem(&dv.object, secDevices, id, "role", "device has no role or device type")
			continue
		}
		fn, okF := c.function(dv.Role, id)
		if !okF && c.m.Roles[dv.Role.Slug] == Ignore {
			continue
		}
		vend, okV := c.vendorOf(dv.DeviceType.Manufacturer, id)
		if !okF || !okV {
			continue
		}
		if dv.Tenant != nil && op != "" && c.operatorOf(dv.Tenant) != op {
			c.problem(&dv.object, secDevices, id, "tenant", "device belongs to tenant %s but its site %s to operator %s; an element's operator is its site's, so give them one tenant in NetBox", dv.Tenant.Slug, dv.Site.Slug, op)
			continue
		}
		st, ok := c.status(&dv.object, secDevices, id, dv.Status)
		if !ok || !c.claim(&dv.object, secDevices, id) {
			continue
		}
		e := inventory.Element{
			ID: id, Site: dv.Site.Slug, Function: fn, Vendor: vend, Model: dv.DeviceType.Model,
			Status: st, Tags: tagSlugs(dv.Tags), Attributes: attrs(&dv.object),
		}
		if dv.Serial != "" {
			e.Attributes["serial"] = dv.Serial
		}
		if dv.AssetTag != nil && *dv.AssetTag != "" {
			e.Attributes["asset_tag"] = *dv.AssetTag
		}
		if dv.Location != nil {
			e.Attributes["location"] = dv.Location.Name
		}
		e.Software = c.software(&dv.object, dv.Platform, id)
		if f := c.m.InstalledField; f != "" {
			if v, ok := dv.CustomFields[f].(string); ok && v != "" {
				date, err := cf.ParseDate(v)
				if err != nil {
					c.problem(&dv.object, secDevices, id, "custom_fields."+f, "%v", err)
				}
				e.Installed = date
			}
		}
		c.doc.Elements = append(c.doc.Elements, e)
		c.devElem[dv.ID] = id
		c.elemSite[id] = dv.Site.ID
		if dv.Cluster != nil {
			c.hosts[dv.Cluster.ID] = append(c.hosts[dv.Cluster.ID], id)
		}
	}
}

// software is the software field: the mapped custom field, else the
// platform's name.
func (c *converter) software(o *object, p *ref, id string) string {
	if f := c.m.SoftwareField; f != "" {
		switch v := o.CustomFields[f].(type) {
		case string:
			return v
		case nil:
			return ""
		default:
			c.problem(o, secDevices, id, "custom_fields."+f, "want text for the software version, got %v", v)
			return ""
		}
	}
	if p != nil {
		return p.Name
	}
	return ""
}

func tagSlugs(tags []ref) []string {
	var out []string
	for _, t := range tags {
		out = append(out, t.Slug)
	}
	return out
}

// attrs are the attributes every imported element carries: where it came
// from, so that a finding leads back to the NetBox object.
func attrs(o *object) map[string]any {
	return map[string]any{"netbox_id": strconv.Itoa(o.ID), "netbox_url": o.link()}
}

func (c *converter) vms() {
	for i := range c.d.VMs {
		vm := &c.d.VMs[i]
		siteID := 0
		if vm.Site != nil {
			siteID = vm.Site.ID
		} else if cl := c.clusterOf(vm.Cluster); cl != nil && cl.ScopeType == "dcim.site" && cl.Scope != nil {
			siteID = cl.Scope.ID
		}
		op, inScope := c.siteOp[siteID]
		var host string
		if vm.Device != nil {
			host = c.devElem[vm.Device.ID]
		} else if vm.Cluster != nil {
			host = c.pickHost(vm)
		}
		if host != "" {
			// The host decides where the VM is.
			siteID = c.elemSite[host]
			op, inScope = c.siteOp[siteID], true
		}
		if !inScope {
			if siteID == 0 && host == "" && c.wanted(vm.Tenant) {
				if cl := c.clusterOf(vm.Cluster); cl != nil {
					c.siteless(cl, vm.Name)
				} else {
					c.problem(&vm.object, secVMs, vm.Name, "site", "virtual machine is at no site and in no cluster: set its site in NetBox")
				}
			}
			continue
		}
		if vm.Role == nil {
			c.problem(&vm.object, secVMs, vm.Name, "role", "virtual machine has no role, so no function: set its role in NetBox")
			continue
		}
		fn, okF := c.function(vm.Role, vm.Name)
		if !okF && c.m.Roles[vm.Role.Slug] == Ignore {
			continue
		}
		vend, okV := c.vmVendor(vm)
		if !okF || !okV {
			continue
		}
		if vm.Tenant != nil && op != "" && c.operatorOf(vm.Tenant) != op {
			c.problem(&vm.object, secVMs, vm.Name, "tenant", "virtual machine belongs to tenant %s but runs at a site of operator %s; give them one tenant in NetBox", vm.Tenant.Slug, op)
			continue
		}
		st, ok := c.status(&vm.object, secVMs, vm.Name, vm.Status)
		if !ok || !c.claim(&vm.object, secVMs, vm.Name) {
			continue
		}
		e := inventory.Element{ID: vm.Name, HostedOn: host, Function: fn, Vendor: vend, Status: st,
			Tags: tagSlugs(vm.Tags), Attributes: attrs(&vm.object)}
		if host == "" {
			e.Site = c.siteSlug[siteID]
		}
		if vm.Platform != nil {
			e.Software = vm.Platform.Name
		}
		if vm.Cluster != nil {
			e.Attributes["cluster"] = vm.Cluster.Name
		}
		c.doc.Elements = append(c.doc.Elements, e)
	}
}

// siteless records a VM of a cluster that is at no site.
func (c *converter) siteless(cl *cluster, vm string) {
	u := c.badClusters[cl.ID]
	if u == nil {
		u = &unplaced{example: vm}
		c.badClusters[cl.ID] = u
	}
	u.users++
}

// wanted reports whether an object of tenant t belongs in the import:
// everything does unless the import is limited to some tenants.
func (c *converter) wanted(t *ref) bool {
	return len(c.only) == 0 || (t != nil && contains(c.only, t.Slug))
}

func (c *converter) clusterOf(r *ref) *cluster {
	if r == nil {
		return nil
	}
	return c.clusters[r.ID]
}

// pickHost returns the element a VM on a cluster runs on: the cluster's
// only device, or with several the first by name — corefence hosts an
// element on one element, and the choice is said in a note.
func (c *converter) pickHost(vm *virtualMachine) string {
	hs := c.hosts[vm.Cluster.ID]
	switch len(hs) {
	case 0:
		return ""
	case 1:
		return hs[0]
	}
	c.multiHost[vm.Cluster.ID] = append(c.multiHost[vm.Cluster.ID], vm.Name)
	return slices.Min(hs)
}

// vmVendor is a VM's vendor: its platform's manufacturer.
func (c *converter) vmVendor(vm *virtualMachine) (string, bool) {
	if vm.Platform == nil {
		c.problem(&vm.object, secVMs, vm.Name, "platform", "virtual machine has no platform, so no vendor: set its platform (with the platform's manufacturer) in NetBox")
		return "", false
	}
	p := c.platforms[vm.Platform.ID]
	if p == nil || p.Manufacturer == nil {
		u := c.badPlats[vm.Platform.ID]
		if u == nil {
			u = &unplaced{example: vm.Name}
			c.badPlats[vm.Platform.ID] = u
		}
		u.users++
		return "", false
	}
	return c.vendorOf(p.Manufacturer, vm.Name)
}

func (c *converter) cables() {
	ifaces := make(map[int]*iface, len(c.d.Interfaces))
	for i := range c.d.Interfaces {
		ifaces[c.d.Interfaces[i].ID] = &c.d.Interfaces[i]
	}
	type pair struct{ a, b string }
	links := map[pair]*inventory.Link{}
	var order []pair
	var notDevices, outOfScope, planned int
	for i := range c.d.Cables {
		cb := &c.d.Cables[i]
		as, okA := c.cableEnds(cb.ATerminations, ifaces)
		bs, okB := c.cableEnds(cb.BTerminations, ifaces)
		if !okA || !okB {
			notDevices++
			continue
		}
		st, ok := c.status(&cb.object, secCables, cableID(cb), cb.Status)
		if !ok {
			continue
		}
		if st == inventory.StatusPlanned || st == inventory.StatusRetired {
			planned++
			continue
		}
		kind, encrypted := "", false
		for _, t := range cb.Tags {
			if contains(inventory.LinkKinds, t.Slug) {
				kind = t.Slug
			}
			if t.Slug == "encrypted" {
				encrypted = true
			}
		}
		for _, a := range as {
			for _, b := range bs {
				ea, eb := c.devElem[a.device], c.devElem[b.device]
				if ea == "" || eb == "" {
					if ea != "" || eb != "" {
						outOfScope++
					}
					continue
				}
				if ea == eb {
					continue // a loop on one device joins nothing
				}
				k := kind
				if k == "" && (a.mgmt || b.mgmt) {
					k = "management"
				}
				p := pair{ea, eb}
				if eb < ea {
					p = pair{eb, ea}
				}
				capacity := min(a.capacity, b.capacity)
				if l := links[p]; l != nil {
					// Parallel cables (a bundle) are one link of their
					// summed capacity.
					l.Capacity += capacity
					l.Encrypted = l.Encrypted && encrypted
					continue
				}
				links[p] = &inventory.Link{A: p.a, B: p.b, Kind: k, Encrypted: encrypted, Capacity: capacity}
				order = append(order, p)
			}
		}
	}
	for _, p := range order {
		c.doc.Links = append(c.doc.Links, *links[p])
	}
	if notDevices > 0 {
		c.note("%d cables left out: not between two devices' interfaces (power, circuits, patch panels)", notDevices)
	}
	if planned > 0 {
		c.note("%d cables left out: planned, not yet carrying traffic", planned)
	}
	if outOfScope > 0 {
		c.note("%d cables left out: the device at one end is in the import, the device at the other is not", outOfScope)
	}
}

func cableID(cb *cable) string {
	if cb.Label != "" {
		return cb.Label
	}
	return "#" + strconv.Itoa(cb.ID)
}

// cableEnd is one device interface a cable ends at.
type cableEnd struct {
	device   int
	mgmt     bool
	capacity cf.Quantity // Gbit/s; zero when unknown
}

// cableEnds returns the device interfaces of a cable's side; ok is false
// when the side ends at anything else (a power port, a circuit, a patch
// panel's port).
func (c *converter) cableEnds(ts []termination, ifaces map[int]*iface) ([]cableEnd, bool) {
	if len(ts) == 0 {
		return nil, false
	}
	var out []cableEnd
	for _, t := range ts {
		if t.ObjectType != "dcim.interface" {
			return nil, false
		}
		// The interface list names the device; the cable's nested copy
		// is read only for an interface the list lacks.
		if full := ifaces[t.ObjectID]; full != nil && full.Device != nil {
			out = append(out, cableEnd{device: full.Device.ID, mgmt: full.MgmtOnly, capacity: speedOf(full)})
			continue
		}
		if t.Object.Device == nil {
			return nil, false
		}
		out = append(out, cableEnd{device: t.Object.Device.ID})
	}
	return out, true
}

// baseRE is compiled on first use: only a NetBox import needs it, and
// package initialisation runs for every command.
var baseRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(\d+(?:\.\d+)?)(g?)base-`) })

// speedOf is an interface's speed in Gbit/s: its speed field (Kbit/s) when
// set, else the rate its type names ("10gbase-x-sfpp" is 10 Gbit/s,
// "1000base-t" 1 Gbit/s), else zero.
func speedOf(i *iface) cf.Quantity {
	if i.Speed != nil && *i.Speed > 0 {
		return cf.Quantity(*i.Speed * (cf.QuantityScale / 1_000_000))
	}
	if i.Type == nil {
		return 0
	}
	m := baseRE().FindStringSubmatch(i.Type.Value)
	if m == nil {
		return 0
	}
	q, err := cf.ParseQuantity(m[1])
	if err != nil {
		return 0
	}
	if m[2] == "" { // Mbit/s
		return q / 1000
	}
	return q
}

// operators adds an operator for every operator id a site uses.
func (c *converter) operators() {
	byID := map[string]inventory.Operator{}
	for _, s := range c.doc.Sites {
		if s.Operator == "" {
			continue
		}
		if _, ok := byID[s.Operator]; ok {
			continue
		}
		byID[s.Operator] = inventory.Operator{ID: s.Operator}
	}
	for slug, t := range c.tenants {
		id := c.operatorOf(&ref{Slug: slug})
		op, used := byID[id]
		if !used {
			continue
		}
		mapped := c.m.Operators[slug]
		op.Name = t.Name
		if mapped.Name != "" {
			op.Name = mapped.Name
		}
		if mapped.Country != "" {
			op.Country = mapped.Country
		}
		byID[id] = op
	}
	for _, id := range sortedKeys(byID) {
		c.doc.Operators = append(c.doc.Operators, byID[id])
	}
}

// unplaced reports each role, manufacturer and platform the mapping could
// not place, once, with how many devices it holds back.
func (c *converter) unplaced() {
	for _, id := range sortedInts(c.badRoles) {
		u, r := c.badRoles[id], c.roles[id]
		o := &object{ID: id}
		name, slug := fmt.Sprint(id), ""
		if r != nil {
			o, name, slug = &r.object, r.Name, r.Slug
		}
		c.problem(o, secRoles, strconv.Itoa(id), "", "role %q (slug %s) has no corefence function; %d devices or VMs have it, e.g. %s: map it under roles in the mapping (to a function id, or %q)",
			name, slug, u.users, u.example, Ignore)
	}
	for _, id := range sortedInts(c.badMfrs) {
		u, mf := c.badMfrs[id], c.mfrs[id]
		o := &object{ID: id}
		name, slug := fmt.Sprint(id), ""
		if mf != nil {
			o, name, slug = &mf.object, mf.Name, mf.Slug
		}
		near := ""
		if nm := c.reg.Resolve(name).NearMiss; nm != "" {
			near = fmt.Sprintf(" (it resembles %s, a designated vendor)", nm)
		}
		c.problem(o, secManufacturers, strconv.Itoa(id), "", "manufacturer %q (slug %s) is not in the vendor registry%s; %d devices or VMs are made by it, e.g. %s: map it under manufacturers in the mapping (to the vendor's name, or %q)",
			name, slug, near, u.users, u.example, Ignore)
	}
	for _, id := range sortedInts(c.badPlats) {
		u, p := c.badPlats[id], c.platforms[id]
		o := &object{ID: id}
		name := fmt.Sprint(id)
		if p != nil {
			o, name = &p.object, p.Name
		}
		c.problem(o, secPlatforms, strconv.Itoa(id), "manufacturer", "platform %q has no manufacturer, so the %d virtual machines running it (e.g. %s) have no vendor: set the platform's manufacturer in NetBox",
			name, u.users, u.example)
	}
	for _, id := range sortedInts(c.badClusters) {
		u, cl := c.badClusters[id], c.clusters[id]
		c.problem(&cl.object, "virtualization/clusters", strconv.Itoa(id), "scope", "cluster %q is at no site and has no device in the import, so its %d virtual machines (e.g. %s) are at no site: set the cluster's scope to a site, or the machines' site, in NetBox",
			cl.Name, u.users, u.example)
	}
	for _, id := range sortedInts(c.multiHost) {
		hs := slices.Clone(c.hosts[id])
		sort.Strings(hs)
		vms := c.multiHost[id]
		c.note("%d virtual machines of cluster %s (%s) run on its %d hosts (%s); corefence hosts an element on one element, so they are hosted on the first by name, %s",
			len(vms), c.clusters[id].Name, strings.Join(vms, ", "), len(hs), strings.Join(hs, ", "), hs[0])
	}
	for _, why := range sortedKeys(c.ignored) {
		c.note("%d devices or VMs left out: %s is mapped to %q", c.ignored[why], why, Ignore)
	}
}

func sortedInts[V any](m map[int]V) []int {
	keys := make([]int, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	return keys
}

// sort puts records in id order, so the same NetBox gives the same bytes.
func (c *converter) sort() {
	sort.Slice(c.doc.Sites, func(i, j int) bool { return c.doc.Sites[i].ID < c.doc.Sites[j].ID })
	sort.Slice(c.doc.Elements, func(i, j int) bool { return c.doc.Elements[i].ID < c.doc.Elements[j].ID })
	sort.Slice(c.doc.Links, func(i, j int) bool {
		a, b := c.doc.Links[i], c.doc.Links[j]
		if a.A != b.A {
			return a.A < b.A
		}
		return a.B < b.B
	})
}
