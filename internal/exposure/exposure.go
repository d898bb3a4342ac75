// Package exposure measures what a vendor's equipment could switch off or
// see in a network: the kill switch (what stops working if a vendor group
// goes dark), choke points (the elements whose single failure loses the
// most traffic), traffic exposure (the traffic that passes a vendor's
// elements, and in clear), sensitive flows (the designated equipment on
// the paths of sensitive sites' traffic), management reach and supply
// diversity. The model — what "in service", "on the path" and "in clear"
// mean — is docs/exposure.md.
//
// NewGraph builds the network graph once; its methods (KillSwitch,
// ChokePoints, Routes, ManagementReach, Diversity) answer each question
// and may be called on their own. Analyse runs them all for a report.
package exposure

import (
	"context"
	"fmt"
	"sort"

	cf "github.com/corefence/corefence"
	"github.com/corefence/corefence/internal/inventory"
)

// Report is the outcome of Analyse: the JSON contract of
// `corefence exposure --format json` (docs/exposure.md). Fields may be
// added; none are removed or renamed.
type Report struct {
	Inventory       inventory.Counts   `json:"inventory"`
	Model           Model              `json:"model"`
	Vendors         []Vendor           `json:"vendors"`
	KillSwitch      []VendorKillSwitch `json:"kill_switch"`
	ChokePoints     []ChokePoint       `json:"choke_points"`
	TrafficExposure []VendorTraffic    `json:"traffic_exposure"`
	SensitiveFlows  []SensitiveFlow    `json:"sensitive_flows"`
	ManagementReach []ManagementReach  `json:"management_reach"`
	SupplyDiversity []Diversity        `json:"supply_diversity"`
	Warnings        []cf.Warning       `json:"warnings"`
}

// Model states the assumptions the numbers rest on.
type Model struct {
	// Needs lists, per technology, the core functions a site needs.
	Needs map[string][]string `json:"needs"`
	// RadioFunctions are the functions of a site's radio elements.
	RadioFunctions []string `json:"radio_functions"`
	// Anchors are the functions a site's traffic flows to.
	Anchors []string `json:"anchors"`
	// IncludePlanned is whether planned elements count.
	IncludePlanned bool `json:"include_planned"`
}

// Vendor is a vendor group analysed.
type Vendor struct {
	ID         string             `json:"id"`
	Name       string             `json:"name"`
	Designated bool               `json:"designated"`
	Elements   int                `json:"elements"`
	Group      inventory.GroupRef `json:"-"`
}

// SensitiveFlow is where the traffic of a sensitive site goes: the
// designated vendors' elements on its paths.
type SensitiveFlow struct {
	Site             string   `json:"site"`
	Operator         string   `json:"operator"`
	NationalSecurity bool     `json:"national_security"`
	Areas            []string `json:"areas"`
	Traffic          Traffic  `json:"traffic"`
	// Routed is false when the site's radio elements have no route to its
	// operator's core.
	Routed   bool          `json:"routed"`
	Elements []FlowElement `json:"designated_elements"`

	Ref inventory.Ref `json:"-"`
}

// FlowElement is a designated element on a sensitive site's paths.
type FlowElement struct {
	Element  string `json:"element"`
	Function string `json:"function"`
	Vendor   string `json:"vendor"`
	Site     string `json:"site"`
	// Share is the share of the site's traffic that passes it; Cleartext,
	// whether it handles some of it in clear.
	Share     float64 `json:"share"`
	Cleartext bool    `json:"cleartext"`
}

// AnalyseOptions set what Analyse covers.
type AnalyseOptions struct {
	Options
	// Vendors are the groups to analyse; nil means DefaultVendors.
	Vendors []inventory.GroupRef
	// Top bounds the choke points reported; 0 reports all.
	Top int
}

// DefaultVendors returns the groups analysed when none are named: every
// designated group present, then the five largest other groups (by
// elements in the network).
func DefaultVendors(inv *inventory.Inventory) []inventory.GroupRef {
	var desig, other []inventory.GroupRef
	for i := range inv.Groups {
		gr := &inv.Groups[i]
		switch {
		case gr.Elements == 0:
		case gr.Designated:
			desig = append(desig, inventory.GroupRef(i))
		default:
			other = append(other, inventory.GroupRef(i))
		}
	}
	bySize := func(s []inventory.GroupRef) {
		sort.Slice(s, func(i, j int) bool {
			a, b := &inv.Groups[s[i]], &inv.Groups[s[j]]
			if a.Elements != b.Elements {
				return a.Elements > b.Elements
			}
			return a.ID < b.ID
		})
	}
	bySize(desig)
	bySize(other)
	return append(desig, other[:min(5, len(other))]...)
}

// Analyse runs every analysis on inv.
func Analyse(ctx context.Context, inv *inventory.Inventory, opts AnalyseOptions) (*Report, error) {
	g, err := NewGraph(inv, opts.Options)
	if err != nil {
		return nil, err
	}
	groups := opts.Vendors
	if groups == nil {
		groups = DefaultVendors(inv)
	}
	rep := &Report{
		Inventory: inv.Counts(),
		Model:     Model{Needs: Needs(), RadioFunctions: RadioFunctions(), Anchors: Anchors(), IncludePlanned: opts.IncludePlanned},
		Vendors:   []Vendor{},
	}
	for _, gr := range groups {
		vg := &inv.Groups[gr]
		rep.Vendors = append(rep.Vendors, Vendor{ID: vg.ID, Name: vg.Name, Designated: vg.Designated, Elements: vg.Elements, Group: gr})
	}
	if rep.KillSwitch, err = g.KillSwitch(ctx, groups); err != nil {
		return nil, err
	}
	if rep.ChokePoints, err = g.ChokePoints(ctx); err != nil {
		return nil, err
	}
	if opts.Top > 0 && len(rep.ChokePoints) > opts.Top {
		rep.ChokePoints = rep.ChokePoints[:opts.Top]
	}
	routes, err := g.Routes(ctx)
	if err != nil {
		return nil, err
	}
	if rep.TrafficExposure, err = routes.Exposure(ctx, groups); err != nil {
		return nil, err
	}
	if rep.SensitiveFlows, err = g.sensitiveFlows(ctx, routes); err != nil {
		return nil, err
	}
	rep.ManagementReach = g.ManagementReach(groups)
	rep.SupplyDiversity = g.Diversity()

	rep.Warnings = append([]cf.Warning{}, inv.Warnings...)
	if len(rep.KillSwitch) > 0 {
		for _, o := range rep.KillSwitch[0].Operators {
			if o.SitesInService < o.SitesTotal {
				rep.Warnings = append(rep.Warnings, cf.Warning{Code: "sites-not-in-service",
					Message: fmt.Sprintf("operator %s: %d of %d sites with 4G or 5G radio elements are not in service even with every element working (their radio elements reach no working instance of a core function they need); they count as neither in service nor lost",
						o.Operator, o.SitesTotal-o.SitesInService, o.SitesTotal)})
			}
		}
	}
	if rep.ChokePoints == nil {
		rep.ChokePoints = []ChokePoint{}
	}
	return rep, nil
}

// sensitiveFlows follows the traffic of every site tagged
// national-security or inside a sensitive area, and lists the designated
// vendors' elements on its paths.
func (g *Graph) sensitiveFlows(ctx context.Context, routes *Routes) ([]SensitiveFlow, error) {
	inv := g.inv
	var sites []inventory.Ref
	for i := range inv.Sites {
		if g.Sensitive(inventory.Ref(i)) {
			sites = append(sites, inventory.Ref(i))
		}
	}
	flows, err := routes.SiteFlows(ctx, sites, func(e inventory.Ref) bool { return inv.Groups[inv.Elements[e].Group].Designated })
	if err != nil {
		return nil, err
	}
	out := make([]SensitiveFlow, 0, len(flows))
	for _, f := range flows {
		s := &inv.Sites[f.Site]
		sf := SensitiveFlow{Site: s.ID, Operator: s.Operator, NationalSecurity: g.siteNS[f.Site], Areas: []string{},
			Routed: f.Routed, Elements: []FlowElement{}, Ref: f.Site}
		sf.Traffic.Add(s.Traffic)
		for j := range inv.Areas {
			if InArea(s.Lat, s.Lon, &inv.Areas[j]) {
				sf.Areas = append(sf.Areas, inv.Areas[j].ID)
			}
		}
		for _, ef := range f.Elements {
			e := &inv.Elements[ef.Element]
			sf.Elements = append(sf.Elements, FlowElement{Element: e.ID, Function: e.Function, Vendor: inv.Groups[e.Group].ID,
				Site: inv.Sites[e.SiteRef].ID, Share: ef.Share, Cleartext: ef.Cleartext})
		}
		out = append(out, sf)
	}
	return out, nil
}
