package cli

import (
	"context"
	"fmt"
	"math/big"
	"sort"

	cf "github.com/corefence/corefence"
	"github.com/corefence/corefence/internal/inventory"
	"github.com/corefence/corefence/internal/policy"
	"github.com/corefence/corefence/internal/vendor"
)

// Compliance is a network derived by minimal compliance: see comply.
type Compliance struct {
	Inventory *inventory.Inventory
	// Replaced counts the elements given another vendor because an
	// exclusion-type rule (exclude, exclude-at-sites, flow,
	// installation-ban) found them in violation.
	Replaced int
	// CapSites counts the sites whose group equipment was all replaced to
	// bring an operator down to a share cap; CapElements, the elements
	// replaced there.
	CapSites, CapElements int
}

// comply derives the network as it would stand at asOf had every operator
// complied exactly with packs, and no more, by replacing the equipment of
// one vendor group (e.g. "huawei"):
//
//   - Exclusions. Every element of the group that the check as of asOf
//     finds in violation of an exclude, exclude-at-sites, flow or
//     installation-ban rule is given another vendor.
//   - Share caps. For every share-cap rule in force, an operator above the
//     cap on any measured metric has the group's equipment replaced at
//     whole sites (every element of the group at the site), its
//     highest-traffic sites first — of the ways to comply, the one that
//     takes the most traffic off the group — until each metric is at or
//     under the cap, and not one site more. A metric some site in scope
//     lacks a figure for is unmeasured, as in the check, and drives
//     nothing.
//
// The replacement vendor of an element is its operator's main vendor of the
// same domain (the group with the most elements in the network there)
// among the groups the vendor registry does not designate; failing that,
// the operator's main such vendor overall, then the network's. It is
// written as that group's first spelling in the inventory.
//
// inv is not changed. The derived inventory is rebuilt from a copy of
// inv's records with inventory.Build, under inv's vendor registry and the
// built-in function catalogue (so inv must not define functions of its
// own; Build then fails). Share-cap rules with a `where` condition are not
// supported.
func comply(ctx context.Context, inv *inventory.Inventory, packs []*policy.Pack, asOf cf.Date, group string) (*Compliance, error) {
	target, ok := inv.Group(group)
	if !ok {
		return nil, fmt.Errorf("comply: no vendor group %q in the inventory", group)
	}
	res, err := policy.Check(ctx, inv, packs, policy.Options{AsOf: asOf})
	if err != nil {
		return nil, err
	}
	out := &Compliance{}
	gone := make([]bool, len(inv.Elements)) // elements of the group given another vendor
	for i := range res.Findings {
		f := &res.Findings[i]
		if !policy.InForce(f.Status) || f.Element == inventory.NoRef || gone[f.Element] ||
			inv.Elements[f.Element].Group != target {
			continue
		}
		switch f.Rule.Kind {
		case policy.KindExclude, policy.KindExcludeAtSites, policy.KindFlow, policy.KindInstallationBan:
			gone[f.Element] = true
			out.Replaced++
		}
	}
	for _, p := range packs {
		for i := range p.Rules {
			r := &p.Rules[i]
			if r.Kind != policy.KindShareCap || r.Effective > asOf {
				continue
			}
			sites, elems, err := meetCap(inv, p, r, target, gone)
			if err != nil {
				return nil, err
			}
			out.CapSites += sites
			out.CapElements += elems
		}
	}

	vendorOf, err := replacementVendors(inv)
	if err != nil {
		return nil, err
	}
	doc := &inventory.Doc{
		Operators: append([]inventory.Operator(nil), inv.Operators...),
		Sites:     append([]inventory.Site(nil), inv.Sites...),
		Elements:  append([]inventory.Element(nil), inv.Elements...),
		Links:     append([]inventory.Link(nil), inv.Links...),
		Areas:     append([]inventory.Area(nil), inv.Areas...),
		Digest:    inv.Digest,
	}
	for i := range doc.Elements {
		if gone[i] {
			e := &doc.Elements[i]
			e.Vendor = vendorOf(inv.Sites[e.SiteRef].OperatorRef, inv.Catalogue.Func(e.Func).Domain)
		}
	}
	registry := inv.Registry
	out.Inventory, err = inventory.BuildContext(ctx, doc, inventory.Options{Registry: func() *vendor.Registry { return registry }})
	if err != nil {
		return nil, fmt.Errorf("comply: rebuilding the network: %w", err)
	}
	return out, nil
}

// meetCap brings every operator within share-cap rule r by replacing the
// target group's equipment at whole sites, highest traffic first, marking
// the elements replaced in gone. It measures as policy.Shares does, from
// the same scope (policy.InScope): a site counts for the pack's designated
// groups when it holds an in-scope element of one.
func meetCap(inv *inventory.Inventory, p *policy.Pack, r *policy.Rule, target inventory.GroupRef, gone []bool) (sites, elems int, err error) {
	designated := make([]bool, len(inv.Groups))
	for _, id := range p.Designated {
		if g, ok := inv.Group(id); ok {
			designated[g] = true
		}
	}
	in, err := policy.InScope(inv, p, r, policy.Options{})
	if err != nil {
		return 0, 0, err
	}

	const (
		inScope  = 1 << iota
		byTarget // an in-scope element of the target group, not yet replaced
		byOther  // an in-scope element of another designated group
	)
	flags := make([]uint8, len(inv.Sites))
	for i := range inv.Elements {
		if !in[i] {
			continue
		}
		e := &inv.Elements[i]
		flags[e.SiteRef] |= inScope
		switch {
		case e.Group == target && !gone[i]:
			flags[e.SiteRef] |= byTarget
		case designated[e.Group] && e.Group != target:
			flags[e.SiteRef] |= byOther
		}
	}

	// Per operator and metric: the designated share as num/den, whether it
	// is measured, and the sites whose swap-out would lower it.
	type tally struct {
		num, den   [3]*big.Int // sites, traffic, premises
		unmeasured [3]bool
		candidates []inventory.Ref
	}
	metricIndex := map[string]int{"sites": 0, "traffic": 1, "premises": 2}
	tallies := make([]tally, len(inv.Operators))
	for o := range tallies {
		for m := range 3 {
			tallies[o].num[m], tallies[o].den[m] = new(big.Int), new(big.Int)
		}
	}
	figures := func(s *inventory.Site) [3]int64 { return [3]int64{1, int64(s.Traffic), s.Premises} }
	for i := range inv.Sites {
		fl := flags[i]
		if fl&inScope == 0 {
			continue
		}
		s := &inv.Sites[i]
		t := &tallies[s.OperatorRef]
		v := figures(s)
		t.unmeasured[1] = t.unmeasured[1] || !s.HasTraffic
		t.unmeasured[2] = t.unmeasured[2] || !s.HasPremises
		for m := range 3 {
			t.den[m].Add(t.den[m], big.NewInt(v[m]))
			if fl&(byTarget|byOther) != 0 {
				t.num[m].Add(t.num[m], big.NewInt(v[m]))
			}
		}
		if fl&byTarget != 0 && fl&byOther == 0 {
			t.candidates = append(t.candidates, inventory.Ref(i))
		}
	}
	swapped := make([]bool, len(inv.Sites))
	for o := range tallies {
		t := &tallies[o]
		over := func() bool {
			for _, name := range r.Metrics {
				m, ok := metricIndex[name]
				if !ok {
					continue
				}
				if t.unmeasured[m] || t.den[m].Sign() == 0 {
					continue
				}
				if (cf.Ratio{Num: t.num[m], Den: t.den[m]}).Exceeds(*r.Cap) {
					return true
				}
			}
			return false
		}
		sort.SliceStable(t.candidates, func(a, b int) bool {
			return inv.Sites[t.candidates[a]].Traffic > inv.Sites[t.candidates[b]].Traffic
		})
		for _, s := range t.candidates {
			if !over() {
				break
			}
			v := figures(&inv.Sites[s])
			for m := range 3 {
				t.num[m].Sub(t.num[m], big.NewInt(v[m]))
			}
			swapped[s] = true
			sites++
		}
	}
	for i := range inv.Elements {
		e := &inv.Elements[i]
		if swapped[e.SiteRef] && e.Group == target && !gone[i] {
			gone[i] = true
			elems++
		}
	}
	return sites, elems, nil
}

// replacementVendors returns, for an operator and a domain, the vendor
// string to put in place of a designated vendor's (see comply).
func replacementVendors(inv *inventory.Inventory) (func(op inventory.Ref, dom cf.Domain) string, error) {
	type key struct {
		op  inventory.Ref
		dom cf.Domain
	}
	spelling := map[inventory.GroupRef]string{}
	byDomain := map[key]map[inventory.GroupRef]int{}
	byOp := map[inventory.Ref]map[inventory.GroupRef]int{}
	all := map[inventory.GroupRef]int{}
	add := func(m map[inventory.GroupRef]int, g inventory.GroupRef) { m[g]++ }
	for i := range inv.Elements {
		e := &inv.Elements[i]
		if g := &inv.Groups[e.Group]; !e.InNetwork(false) || g.Designated || !g.Known {
			continue
		}
		if _, ok := spelling[e.Group]; !ok {
			spelling[e.Group] = e.Vendor
		}
		op := inv.Sites[e.SiteRef].OperatorRef
		k := key{op, inv.Catalogue.Func(e.Func).Domain}
		if byDomain[k] == nil {
			byDomain[k] = map[inventory.GroupRef]int{}
		}
		if byOp[op] == nil {
			byOp[op] = map[inventory.GroupRef]int{}
		}
		add(byDomain[k], e.Group)
		add(byOp[op], e.Group)
		add(all, e.Group)
	}
	if len(all) == 0 {
		return nil, fmt.Errorf("comply: the network has no known vendor that is not designated to replace one with")
	}
	main := func(m map[inventory.GroupRef]int) (inventory.GroupRef, bool) {
		best, n := inventory.NoRef, 0
		for g, c := range m {
			if c > n || (c == n && g < best) {
				best, n = g, c
			}
		}
		return best, n > 0
	}
	return func(op inventory.Ref, dom cf.Domain) string {
		for _, m := range []map[inventory.GroupRef]int{byDomain[key{op, dom}], byOp[op], all} {
			if g, ok := main(m); ok {
				return spelling[g]
			}
		}
		return "" // not reached: all is not empty
	}, nil
}
