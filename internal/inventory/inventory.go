// Package inventory owns the in-memory network model: operators, sites,
// elements, links and sensitive areas, with every reference resolved to an
// integer index, every vendor string resolved to a corporate group and every
// function to its catalogue entry. Build turns records, however they were
// read, into an Inventory or reports every problem; an Inventory is never
// half-built and is not changed afterwards, so engines may read it from
// several goroutines.
package inventory

import (
	"math"

	cf "github.com/corefence/corefence"
	"github.com/corefence/corefence/internal/geo"
	"github.com/corefence/corefence/internal/vendor"
)

// Ref indexes a record in one of the Inventory's slices; NoRef means none.
type Ref = int32

// NoRef is the Ref of nothing.
const NoRef Ref = -1

// GroupRef indexes Inventory.Groups.
type GroupRef = int32

// Operator is a network operator.
type Operator struct {
	ID      string
	Name    string
	Country string
	Pos     cf.Position

	// Tech is the set of technologies the operator runs: the union of its
	// elements' technologies. Set by Build.
	Tech cf.Tech
}

// Site kinds.
const (
	SiteMacro      = "macro"
	SiteSmallCell  = "small-cell"
	SiteRooftop    = "rooftop"
	SiteExchange   = "exchange"
	SiteDataCentre = "data-centre"
	SiteOther      = "other"
)

// SiteKinds lists the valid site kinds.
var SiteKinds = []string{SiteMacro, SiteSmallCell, SiteRooftop, SiteExchange, SiteDataCentre, SiteOther}

// Site tags with a meaning of their own.
const (
	TagNationalSecurity = "national-security"
	TagCNISafety        = "cni-safety"
)

// ReservedTags lists the site tags with a meaning of their own. Build
// refuses a site tag that is a near miss of one ("national_security",
// "CNI-Safety"), since a mistyped tag would silently take a sensitive site
// out of every rule that looks for it.
var ReservedTags = []string{TagNationalSecurity, TagCNISafety}

// Site is one operator's presence at one physical place.
type Site struct {
	ID       string
	Operator string
	Name     string
	Lat, Lon float64
	Kind     string // one of SiteKinds; Build fills in macro
	Region   string
	Traffic  cf.Quantity
	Premises int64
	Tags     []string
	Pos      cf.Position

	HasTraffic  bool
	HasPremises bool

	OperatorRef Ref // set by Build
}

// HasTag reports whether the site carries tag.
func (s *Site) HasTag(tag string) bool {
	for _, t := range s.Tags {
		if t == tag {
			return true
		}
	}
	return false
}

// Element statuses.
const (
	StatusPlanned         = "planned"
	StatusActive          = "active"
	StatusDecommissioning = "decommissioning"
	StatusRetired         = "retired"
)

// Statuses lists the valid element statuses.
var Statuses = []string{StatusPlanned, StatusActive, StatusDecommissioning, StatusRetired}

// Element is a network function or piece of equipment.
type Element struct {
	ID         string
	Site       string // as written; empty when only HostedOn is given
	HostedOn   string
	Function   string
	Vendor     string // as written in the source system
	Model      string
	Software   string
	Technology cf.Tech // as written; zero when not given
	Installed  cf.Date
	Status     string // one of Statuses; Build fills in active
	Tags       []string
	Attributes map[string]any
	Pos        cf.Position

	// Set by Build. Func and Tech sit together so that they share the
	// padding of one word: a million elements make every byte a megabyte.
	SiteRef Ref     // the site, following HostedOn to the end of the chain
	HostRef Ref     // the element it runs on, or NoRef
	Func    FuncRef // its catalogue entry
	// Tech is the element's effective technologies: Technology, else its
	// function's default, else those of what it serves in the topology
	// (Inventory.TechBasis says which, and why when it is zero).
	Tech  cf.Tech
	Group GroupRef // its vendor group
}

// InNetwork reports whether the element is part of the network being
// checked: planned and retired elements are not, unless planned ones are
// asked for.
func (e *Element) InNetwork(includePlanned bool) bool {
	switch e.Status {
	case StatusActive, StatusDecommissioning:
		return true
	case StatusPlanned:
		return includePlanned
	}
	return false
}

// Link kinds.
var LinkKinds = []string{"fronthaul", "midhaul", "backhaul", "aggregation", "core", "interconnect", "management", "internet", "other"}

// Link joins two elements; links are undirected.
type Link struct {
	A, B      string
	Kind      string
	Encrypted bool
	Metric    cf.Quantity // Build fills in 1
	Capacity  cf.Quantity
	Pos       cf.Position

	ARef, BRef Ref // set by Build
}

// Area categories.
var AreaCategories = []string{"military", "nuclear", "government", "cni", "other"}

// Area is a sensitive location: a circle around a centre.
type Area struct {
	ID       string
	Name     string
	Category string
	Lat, Lon float64
	RadiusKm float64
	Pos      cf.Position
}

// edgeToleranceKm absorbs floating-point noise, so that a site placed
// exactly on an area's edge counts as inside, as the format says (1 mm).
const edgeToleranceKm = 1e-6

// DistanceKm is the great-circle distance from the area's centre to a point.
func (a *Area) DistanceKm(lat, lon float64) float64 { return geo.DistanceKm(a.Lat, a.Lon, lat, lon) }

// Contains reports whether a point lies within the area widened by
// bufferKm; a point exactly on the edge is inside.
func (a *Area) Contains(lat, lon, bufferKm float64) bool {
	limit := a.RadiusKm + bufferKm
	// Cheap rejection first: a degree of latitude is about 111 km.
	if math.Abs(lat-a.Lat)*110.5 > limit+1 {
		return false
	}
	return a.DistanceKm(lat, lon) <= limit+edgeToleranceKm
}

// VendorRecord is an inventory's addition to the vendor registry.
type VendorRecord struct {
	vendor.Addition
	Pos cf.Position
}

// FunctionRecord is an inventory's addition to, or override of, the function
// catalogue.
type FunctionRecord struct {
	ID          string
	Domain      string
	Technology  cf.Tech
	Description string
	Pos         cf.Position
}

// Doc is an inventory as read, before references are resolved. Importers
// fill it; Build checks and indexes it.
type Doc struct {
	Operators []Operator
	Sites     []Site
	Elements  []Element
	Links     []Link
	Areas     []Area
	Vendors   []VendorRecord
	Functions []FunctionRecord

	// Digest identifies the input, e.g. "sha256:…" over the files read.
	Digest string
}

// Group is a vendor corporate group present in an inventory.
type Group struct {
	ID         string
	Name       string
	Designated bool // high-risk in the vendor registry
	Known      bool // in the registry (built in or added by the inventory)
	// Spellings are the distinct vendor strings that resolved to the group,
	// with how each matched.
	Spellings []Spelling
	Elements  int // active or decommissioning elements of the group
}

// Spelling is one vendor string as written and how it was matched.
type Spelling struct {
	Text  string
	Match vendor.Match
}

// Inventory is a checked, indexed network model. Build makes one; nothing
// changes it afterwards.
type Inventory struct {
	Operators []Operator
	Sites     []Site
	Elements  []Element
	Links     []Link
	Areas     []Area
	Groups    []Group

	Catalogue *Catalogue
	Registry  *vendor.Registry
	Digest    string

	// Vendors and Functions are the inventory's own additions to the
	// registry and catalogue, as read, so that the inventory can be digested
	// as a whole (see internal/evidence).
	Vendors   []VendorRecord
	Functions []FunctionRecord

	// Warnings are things a user should know that did not stop the load:
	// unknown vendors, near misses of designated vendors, function overrides.
	Warnings []cf.Warning

	techBasis    []TechBasis // per element: where Element.Tech comes from
	operatorByID map[string]Ref
	siteByID     map[string]Ref
	elementByID  map[string]Ref
	groupByID    map[string]GroupRef
}

// Operator returns the operator with the given id.
func (inv *Inventory) Operator(id string) (Ref, bool) { r, ok := inv.operatorByID[id]; return r, ok }

// Site returns the site with the given id.
func (inv *Inventory) Site(id string) (Ref, bool) { r, ok := inv.siteByID[id]; return r, ok }

// Element returns the element with the given id.
func (inv *Inventory) Element(id string) (Ref, bool) { r, ok := inv.elementByID[id]; return r, ok }

// Group returns the vendor group with the given id.
func (inv *Inventory) Group(id string) (GroupRef, bool) { r, ok := inv.groupByID[id]; return r, ok }

// Function returns the catalogue entry of element e.
func (inv *Inventory) Function(e *Element) *Function { return inv.Catalogue.Func(e.Func) }

// OperatorID returns the id of the operator at r, or "" for NoRef.
func (inv *Inventory) OperatorID(r Ref) string {
	if r == NoRef {
		return ""
	}
	return inv.Operators[r].ID
}

// SiteID returns the id of the site at r, or "" for NoRef.
func (inv *Inventory) SiteID(r Ref) string {
	if r == NoRef {
		return ""
	}
	return inv.Sites[r].ID
}

// ElementID returns the id of the element at r, or "" for NoRef.
func (inv *Inventory) ElementID(r Ref) string {
	if r == NoRef {
		return ""
	}
	return inv.Elements[r].ID
}

// GroupID returns the id of the vendor group at g, or "" for NoRef.
func (inv *Inventory) GroupID(g GroupRef) string {
	if g == NoRef {
		return ""
	}
	return inv.Groups[g].ID
}

// Counts is an inventory's digest and record counts, as every report
// states them.
type Counts struct {
	Digest    string `json:"digest"`
	Operators int    `json:"operators"`
	Sites     int    `json:"sites"`
	Elements  int    `json:"elements"`
	Links     int    `json:"links"`
	Areas     int    `json:"areas"`
}

// Counts returns the inventory's digest and record counts.
func (inv *Inventory) Counts() Counts {
	return Counts{Digest: inv.Digest, Operators: len(inv.Operators), Sites: len(inv.Sites),
		Elements: len(inv.Elements), Links: len(inv.Links), Areas: len(inv.Areas)}
}
