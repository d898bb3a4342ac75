// Package diff compares two inventories, and two check results, record by
// record: which elements were added, removed or changed (vendor, status,
// site, hosting …), which findings are new, resolved, changed in status or
// unchanged. The CLI's diff command and the server's snapshot diff both
// use it.
package diff

import (
	"sort"

	"github.com/corefence/corefence/internal/inventory"
	"github.com/corefence/corefence/internal/policy"
	"github.com/corefence/corefence/internal/report"
)

// FieldChange is one field of a record that differs.
type FieldChange struct {
	Field string `json:"field"`
	Old   string `json:"old"`
	New   string `json:"new"`
}

// ElementChange is an element present on both sides with different fields.
type ElementChange struct {
	ID      string        `json:"id"`
	Changes []FieldChange `json:"changes"`
}

// Elements is how the elements of two inventories differ. Lists are sorted
// by id.
type Elements struct {
	Added     []string        `json:"added"`
	Removed   []string        `json:"removed"`
	Changed   []ElementChange `json:"changed"`
	Unchanged int             `json:"unchanged"`
}

// elementFields are the fields compared, in the order changes list them.
var elementFields = []struct {
	name string
	get  func(inv *inventory.Inventory, e *inventory.Element) string
}{
	{"vendor", func(_ *inventory.Inventory, e *inventory.Element) string { return e.Vendor }},
	{"vendor_group", func(inv *inventory.Inventory, e *inventory.Element) string { return inv.GroupID(e.Group) }},
	{"status", func(_ *inventory.Inventory, e *inventory.Element) string { return e.Status }},
	{"site", func(inv *inventory.Inventory, e *inventory.Element) string { return inv.SiteID(e.SiteRef) }},
	{"hosted_on", func(_ *inventory.Inventory, e *inventory.Element) string { return e.HostedOn }},
	{"function", func(_ *inventory.Inventory, e *inventory.Element) string { return e.Function }},
	{"model", func(_ *inventory.Inventory, e *inventory.Element) string { return e.Model }},
	{"software", func(_ *inventory.Inventory, e *inventory.Element) string { return e.Software }},
	{"installed", func(_ *inventory.Inventory, e *inventory.Element) string {
		if e.Installed.IsZero() {
			return ""
		}
		return e.Installed.String()
	}},
}

// Inventories compares the elements of old and new by id.
func Inventories(old, new *inventory.Inventory) Elements {
	d := Elements{Added: []string{}, Removed: []string{}, Changed: []ElementChange{}}
	for i := range old.Elements {
		if _, ok := new.Element(old.Elements[i].ID); !ok {
			d.Removed = append(d.Removed, old.Elements[i].ID)
		}
	}
	for i := range new.Elements {
		ne := &new.Elements[i]
		r, ok := old.Element(ne.ID)
		if !ok {
			d.Added = append(d.Added, ne.ID)
			continue
		}
		oe := &old.Elements[r]
		var cs []FieldChange
		for _, f := range elementFields {
			if o, n := f.get(old, oe), f.get(new, ne); o != n {
				cs = append(cs, FieldChange{Field: f.name, Old: o, New: n})
			}
		}
		if len(cs) > 0 {
			d.Changed = append(d.Changed, ElementChange{ID: ne.ID, Changes: cs})
		} else {
			d.Unchanged++
		}
	}
	sort.Strings(d.Added)
	sort.Strings(d.Removed)
	sort.Slice(d.Changed, func(i, j int) bool { return d.Changed[i].ID < d.Changed[j].ID })
	return d
}

// StatusChange is a finding on both sides whose status differs, e.g. an
// upcoming finding that became a violation when its deadline passed.
type StatusChange struct {
	Finding report.Finding `json:"finding"`
	Old     string         `json:"old_status"`
}

// Findings is how the findings of two check results differ, matched by the
// finding id (rule and subject). Lists are sorted by id.
type Findings struct {
	New       []report.Finding `json:"new"`
	Resolved  []report.Finding `json:"resolved"`
	Changed   []StatusChange   `json:"changed"`
	Unchanged int              `json:"unchanged"`
}

// Results compares the findings of two checks.
func Results(old, new *policy.Result) Findings {
	d := Findings{New: []report.Finding{}, Resolved: []report.Finding{}, Changed: []StatusChange{}}
	before := map[string]report.Finding{}
	for i := range old.Findings {
		f := report.NewFinding(old.Inventory, &old.Findings[i])
		before[f.ID] = f
	}
	seen := map[string]bool{}
	for i := range new.Findings {
		f := report.NewFinding(new.Inventory, &new.Findings[i])
		seen[f.ID] = true
		o, ok := before[f.ID]
		switch {
		case !ok:
			d.New = append(d.New, f)
		case o.Status != f.Status:
			d.Changed = append(d.Changed, StatusChange{Finding: f, Old: o.Status})
		default:
			d.Unchanged++
		}
	}
	for id, f := range before {
		if !seen[id] {
			d.Resolved = append(d.Resolved, f)
		}
	}
	byID := func(fs []report.Finding) {
		sort.Slice(fs, func(i, j int) bool { return fs[i].ID < fs[j].ID })
	}
	byID(d.New)
	byID(d.Resolved)
	sort.Slice(d.Changed, func(i, j int) bool { return d.Changed[i].Finding.ID < d.Changed[j].Finding.ID })
	return d
}

// ShareChange is one operator's designated share under a share-cap rule,
// for one metric, before and after: the measures a run records, on both
// sides. A share is null where it was not measured (a site in scope lacks
// the metric's figure) or the operator had no site in the rule's scope.
type ShareChange struct {
	Rule     string   `json:"rule"`
	Operator string   `json:"operator"`
	Metric   string   `json:"metric"`
	Cap      float64  `json:"cap"`
	Old      *float64 `json:"old"`
	New      *float64 `json:"new"`
	// OldExceeds and NewExceeds say whether the share is over the cap,
	// decided on the exact fractions (not the rounded shares).
	OldExceeds bool `json:"old_exceeds"`
	NewExceeds bool `json:"new_exceeds"`
}

// Shares compares the share-cap measures of two checks made with the same
// packs and options: every share-cap rule, every operator measured on
// either side, in pack and rule order, then by operator and metric. The
// measures come from the checks; opts measures a rule a check left out.
func Shares(old, new *policy.Result, opts policy.Options) ([]ShareChange, error) {
	out := []ShareChange{}
	for _, p := range new.Packs {
		for i := range p.Rules {
			r := &p.Rules[i]
			if r.Kind != policy.KindShareCap {
				continue
			}
			type key struct{ op, metric string }
			changes := map[key]*ShareChange{}
			var order []key
			for side, res := range []*policy.Result{old, new} {
				shares, ok := res.Shares[r]
				if !ok {
					var err error
					o := opts
					o.AsOf = res.AsOf
					if shares, err = policy.Shares(res.Inventory, p, r, o); err != nil {
						return nil, err
					}
				}
				for _, s := range shares {
					k := key{res.Inventory.OperatorID(s.Operator), s.Metric}
					c := changes[k]
					if c == nil {
						c = &ShareChange{Rule: r.ID, Operator: k.op, Metric: k.metric}
						if r.Cap != nil {
							c.Cap = r.Cap.Float()
						}
						changes[k] = c
						order = append(order, k)
					}
					if !s.Measured || s.Value.Den == nil || s.Value.Den.Sign() == 0 {
						continue
					}
					v := s.Value.Float()
					exceeds := r.Cap != nil && s.Value.Exceeds(*r.Cap)
					if side == 0 {
						c.Old, c.OldExceeds = &v, exceeds
					} else {
						c.New, c.NewExceeds = &v, exceeds
					}
				}
			}
			sort.Slice(order, func(i, j int) bool {
				if order[i].op != order[j].op {
					return order[i].op < order[j].op
				}
				return order[i].metric < order[j].metric
			})
			for _, k := range order {
				out = append(out, *changes[k])
			}
		}
	}
	return out, nil
}
