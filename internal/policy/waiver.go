package policy

import (
	"fmt"
	"strings"

	cf "github.com/corefence/corefence"
	"github.com/corefence/corefence/internal/inventory"
	"github.com/corefence/corefence/internal/tree"
)

// Waiver is an approved, dated exception to a rule for one element, site or
// operator.
type Waiver struct {
	Rule     string  `yaml:"rule,required"` // a rule id; a trailing * matches a prefix
	Element  string  `yaml:"element"`
	Site     string  `yaml:"site"`
	Operator string  `yaml:"operator"`
	Reason   string  `yaml:"reason,required"`
	Approver string  `yaml:"approver,required"`
	Expires  cf.Date `yaml:"expires,required"`
	Pos      cf.Position
}

// Subject names what the waiver covers, e.g. "element E-17".
func (w *Waiver) Subject() string {
	switch {
	case w.Element != "":
		return "element " + w.Element
	case w.Site != "":
		return "site " + w.Site
	}
	return "operator " + w.Operator
}

func (w *Waiver) matchesRule(id string) bool {
	if prefix, ok := strings.CutSuffix(w.Rule, "*"); ok {
		return strings.HasPrefix(id, prefix)
	}
	return w.Rule == id
}

type waiverFile struct {
	Waivers []Waiver `yaml:"waivers,required"`
}

// LoadWaivers reads and validates a waivers file.
func LoadWaivers(path string) ([]Waiver, error) {
	root, err := tree.ReadFile(path, "no such file")
	if err != nil {
		return nil, err
	}
	var f waiverFile
	probs := &cf.Problems{}
	tree.Decode(root, &f, "waivers", probs)
	for i := range f.Waivers {
		w := &f.Waivers[i]
		n := 0
		for _, s := range []string{w.Element, w.Site, w.Operator} {
			if s != "" {
				n++
			}
		}
		if n != 1 {
			probs.Addf(w.Pos, "waivers", fmt.Sprintf("#%d", i+1), "element", "name exactly one of element, site or operator (found %d)", n)
		}
		// A waiver names a rule ("pack/rule") or a prefix of rule ids; a bare
		// "*" would waive every rule of every pack, which no approver means.
		prefix, isPrefix := strings.CutSuffix(w.Rule, "*")
		if w.Rule != "" && (prefix == "" || !isPrefix && !strings.Contains(w.Rule, "/")) {
			probs.Addf(w.Pos, "waivers", fmt.Sprintf("#%d", i+1), "rule", "%q: want a rule id such as uk-dvd-2022/core, or a prefix ending in * such as uk-dvd-2022/*", w.Rule)
		}
	}
	if err := probs.Err(); err != nil {
		return nil, err
	}
	return f.Waivers, nil
}

// applyWaivers marks findings covered by a waiver in date as waived and
// notes the waiver on findings whose waiver has expired. It warns about
// waivers that cover nothing, which are usually stale or mistyped.
func applyWaivers(res *Result, waivers []Waiver) []cf.Warning {
	if len(waivers) == 0 {
		return nil
	}
	inv := res.Inventory
	used := make([]bool, len(waivers))
	for i := range res.Findings {
		f := &res.Findings[i]
		if !InForce(f.Status) && f.Status != StatusUpcoming {
			continue
		}
		var best *Waiver
		for j := range waivers {
			w := &waivers[j]
			if !w.matchesRule(f.Rule.ID) || !w.covers(inv, f) {
				continue
			}
			used[j] = true
			if best == nil || w.Expires > best.Expires {
				best = w
			}
		}
		if best == nil {
			continue
		}
		f.Waiver = best
		if best.Expires >= res.AsOf {
			f.Status = StatusWaived
		}
	}
	var warns []cf.Warning
	for j, w := range waivers {
		if !used[j] {
			warns = append(warns, cf.Warning{Code: "waiver-unused",
				Message: fmt.Sprintf("%s: the waiver for %s on %s covers no finding; it may be stale or mistyped", w.Pos, w.Rule, w.Subject())})
		}
	}
	return warns
}

// covers reports whether the waiver's subject is the finding's.
func (w *Waiver) covers(inv *inventory.Inventory, f *Finding) bool {
	switch {
	case w.Element != "":
		return f.Element != inventory.NoRef && inv.Elements[f.Element].ID == w.Element
	case w.Site != "":
		return f.Site != inventory.NoRef && inv.Sites[f.Site].ID == w.Site
	}
	return f.Operator != inventory.NoRef && inv.Operators[f.Operator].ID == w.Operator
}
