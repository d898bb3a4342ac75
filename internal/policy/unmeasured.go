package policy

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/corefence/corefence/internal/inventory"
)

// unmeasured returns the findings of rule r that the inventory's data
// leaves open, so that they cannot pass a CI gate silently:
//
//   - a designated element the rule would take in but for its technology,
//     which the topology does not tell (inventory.TechBasis), when the
//     rule is limited to technologies;
//   - an element whose vendor string matches no known group but resembles
//     a group the pack designates ("Huawie", "Hangzhou Hikvison"), which
//     the rule would take in were it that group.
//
// Each is one finding per element with status unmeasured and a reason.
// Flow rules report near misses only, and diversity rules neither (they
// count every vendor alike).
func (c *checker) unmeasured(ctx context.Context, p *Pack, r *Rule, s *scope, designated []bool) []Finding {
	if r.Kind == KindDiversity {
		return nil
	}
	inv := c.inv
	// Groups that match no known vendor but resemble one the pack designates.
	var suspect []bool
	resembles := map[inventory.GroupRef]string{}
	for g := range inv.Groups {
		grp := &inv.Groups[g]
		if grp.Known {
			continue
		}
		for _, sp := range grp.Spellings {
			if sp.Match.NearMiss != "" && slices.Contains(p.Designated, sp.Match.NearMiss) {
				if suspect == nil {
					suspect = make([]bool, len(inv.Groups))
				}
				suspect[g] = true
				resembles[inventory.GroupRef(g)] = sp.Match.NearMiss
				break
			}
		}
	}
	nearMiss := func(f *Finding) string {
		e := &inv.Elements[f.Element]
		return fmt.Sprintf("vendor %q matches no known group but resembles designated vendor %q: fix the spelling, or add the vendor to a vendors section if it is another company", e.Vendor, resembles[e.Group])
	}
	unmeasured := func(fs []Finding, why func(*Finding) string) []Finding {
		out := fs[:0]
		for _, f := range fs {
			if f.Element == inventory.NoRef {
				continue // a flow rule's unrouted site, which the rule reports itself
			}
			w := why(&f)
			if f.Why != "" {
				w += "; " + f.Why
			}
			f.Status, f.DaysLeft, f.Why = StatusUnmeasured, 0, w
			out = append(out, f)
		}
		return out
	}

	var out []Finding
	if suspect != nil {
		// Evaluate over the suspect elements only, so that the rule's scope
		// is matched against a handful of elements rather than all.
		if sc, some := c.restrict(func(e *inventory.Element) bool { return suspect[e.Group] }); some {
			out = unmeasured(sc.elementFindings(ctx, p, r, s, suspect), nearMiss)
		}
	}
	if s.tech == 0 || r.Kind == KindFlow {
		return out
	}
	// Elements of unknown technology, evaluated without the rule's
	// technology limit; hosts come into scope only through guests of
	// unknown technology too (a host of a known guest has its technology).
	either := slices.Clone(designated)
	for g := range suspect {
		either[g] = either[g] || suspect[g]
	}
	unknown, some := c.restrict(func(e *inventory.Element) bool { return e.Tech == 0 && either[e.Group] })
	if !some {
		return out
	}
	anyTech := *s
	anyTech.tech = 0
	return append(out, unmeasured(unknown.elementFindings(ctx, p, r, &anyTech, either), func(f *Finding) string {
		why := inv.TechBasis(f.Element).String()
		if suspect != nil && suspect[f.Group] {
			why = nearMiss(f) + "; " + why
		}
		return why
	})...)
}

// candidates are the elements in the network that an unmeasured finding
// may be about — those of unknown technology and those whose vendor is a
// near miss — found once per check rather than once per rule.
type candidates struct {
	once sync.Once
	refs []inventory.Ref
}

// restrict returns a copy of c whose network is the candidates that keep
// accepts, and whether there is any.
func (c *checker) restrict(keep func(*inventory.Element) bool) (*checker, bool) {
	inv := c.inv
	c.cands.once.Do(func() {
		for i := range inv.Elements {
			e := &inv.Elements[i]
			if c.active[i] && (e.Tech == 0 || !inv.Groups[e.Group].Known) {
				c.cands.refs = append(c.cands.refs, inventory.Ref(i))
			}
		}
	})
	var active []bool
	for _, i := range c.cands.refs {
		if keep(&inv.Elements[i]) {
			if active == nil {
				active = make([]bool, len(c.active))
			}
			active[i] = true
		}
	}
	if active == nil {
		return nil, false
	}
	return &checker{inv: c.inv, opts: c.opts, active: active, routes: c.routes, cands: c.cands, failure: c.failure}, true
}

// elementFindings evaluates r as if the groups marked in designated were
// the designated ones, and returns its findings about elements: for a
// share cap, every such element in scope.
func (c *checker) elementFindings(ctx context.Context, p *Pack, r *Rule, s *scope, designated []bool) []Finding {
	if r.Kind != KindShareCap {
		fs, _ := c.rule(ctx, p, r, s, designated)
		return fs
	}
	inv := c.inv
	in, _, _ := c.inScope(ctx, r, s) // predicate failures are reported by the rule itself
	basis := r.Basis(p)
	status, days := c.status(r.Effective, &basis)
	var out []Finding
	for i := range inv.Elements {
		e := &inv.Elements[i]
		if !in[i] || !designated[e.Group] {
			continue
		}
		out = append(out, Finding{Pack: p, Rule: r, Status: status, DaysLeft: days, Effective: r.Effective, DueBy: r.DueBy, Basis: &basis,
			Operator: inv.Sites[e.SiteRef].OperatorRef, Site: e.SiteRef, Element: inventory.Ref(i), Group: e.Group,
			Why: fmt.Sprintf("its sites may count toward the %s cap", Percent(r.Cap.Float()))})
	}
	return out
}
