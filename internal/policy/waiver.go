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
	Rule     string  `yaml:"rule,required"` // a rule id "pack/rule", or "pack/*" for every rule of a pack
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
	if pack, ok := strings.CutSuffix(w.Rule, "/*"); ok {
		return strings.HasPrefix(id, pack+"/")
	}
	return w.Rule == id
}

type waiverFile struct {
	Waivers []Waiver `yaml:"waivers,required"`
}

// LoadWaivers reads and validates a waivers file under the default limits.
func LoadWaivers(path string) ([]Waiver, error) {
	return LoadWaiversWith(path, cf.DefaultLimits())
}

// LoadWaiversWith reads and validates a waivers file under lim. Each
// waiver names one rule ("pack/rule") or, explicitly, every rule of one
// pack ("pack/*"); exactly one element, site or operator; a reason and an
// approver that are not blank. Two waivers of the same rule and subject
// are an error: which one applies would be a guess.
func LoadWaiversWith(path string, lim cf.Limits) ([]Waiver, error) {
	root, err := tree.ReadFileWith(path, "no such file", lim)
	if err != nil {
		return nil, err
	}
	return decodeWaivers(root)
}

// ParseWaivers reads and validates waivers from YAML or JSON data under
// lim, as LoadWaiversWith does a file; file names it in errors.
func ParseWaivers(file string, data []byte, lim cf.Limits) ([]Waiver, error) {
	if int64(len(data)) > lim.ConfigBytes {
		return nil, cf.Problem{Pos: cf.Position{File: file}, Message: lim.Exceeded("config-bytes", fmt.Sprintf("waivers hold more than %d bytes", lim.ConfigBytes))}
	}
	root, err := tree.ParseWith(file, data, lim)
	if err != nil {
		return nil, err
	}
	return decodeWaivers(root)
}

func decodeWaivers(root *tree.Node) ([]Waiver, error) {
	var f waiverFile
	probs := &cf.Problems{}
	tree.Decode(root, &f, "waivers", probs)
	type key struct{ rule, subject string }
	first := map[key]int{}
	for i := range f.Waivers {
		w := &f.Waivers[i]
		id := fmt.Sprintf("#%d", i+1)
		n := 0
		for _, s := range []string{w.Element, w.Site, w.Operator} {
			if s != "" {
				n++
			}
		}
		if n != 1 {
			probs.Addf(w.Pos, "waivers", id, "element", "name exactly one of element, site or operator (found %d)", n)
		}
		if w.Rule != "" && !validWaiverRule(w.Rule) {
			probs.Addf(w.Pos, "waivers", id, "rule", "%q: want one rule id such as uk-dvd-2022/core, or every rule of one pack written uk-dvd-2022/*", cf.Short(w.Rule))
		}
		if n == 1 && w.Rule != "" {
			k := key{w.Rule, w.Subject()}
			if j, dup := first[k]; dup {
				probs.Addf(w.Pos, "waivers", id, "rule", "waives %s for %s again (first at line %d); keep one waiver", cf.Short(w.Rule), cf.Short(w.Subject()), f.Waivers[j].Pos.Line)
			} else {
				first[k] = i
			}
		}
	}
	if err := probs.Err(); err != nil {
		return nil, err
	}
	return f.Waivers, nil
}

// validWaiverRule reports whether rule is "pack/rule" or "pack/*", with
// pack and rule ids as packs write them.
func validWaiverRule(rule string) bool {
	pack, local, ok := strings.Cut(rule, "/")
	return ok && slugRE().MatchString(pack) && (local == "*" || slugRE().MatchString(local))
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
