package regotrans

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/storage/inmem"

	cf "github.com/corefence/corefence"
	"github.com/corefence/corefence/internal/inventory"
	"github.com/corefence/corefence/internal/policy"
)

// Key identifies a finding for comparison: its rule, status and subject.
// Fields that do not apply are empty.
type Key struct {
	Rule, Status, Operator, Site, Element, Metric string
}

func (k Key) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s", k.Rule, k.Status)
	for _, f := range []struct{ name, v string }{{"operator", k.Operator}, {"site", k.Site}, {"element", k.Element}, {"metric", k.Metric}} {
		if f.v != "" {
			fmt.Fprintf(&b, " %s=%s", f.name, f.v)
		}
	}
	return b.String()
}

// Keys is a multiset of findings: a key counted twice is a duplicate.
type Keys map[Key]int

// ProductKeys returns the findings of a corefence check, leaving out those of
// rules the translation skips.
func ProductKeys(res *policy.Result) Keys {
	inv := res.Inventory
	ref := func(r inventory.Ref, ids func(inventory.Ref) string) string {
		if r == inventory.NoRef {
			return ""
		}
		return ids(r)
	}
	out := Keys{}
	for i := range res.Findings {
		f := &res.Findings[i]
		if ok, _ := Supported(f.Rule); !ok {
			continue
		}
		out[Key{
			Rule:     f.Rule.ID,
			Status:   f.Status,
			Operator: ref(f.Operator, func(r inventory.Ref) string { return inv.Operators[r].ID }),
			Site:     ref(f.Site, func(r inventory.Ref) string { return inv.Sites[r].ID }),
			Element:  ref(f.Element, func(r inventory.Ref) string { return inv.Elements[r].ID }),
			Metric:   f.Metric,
		}]++
	}
	return out
}

// ParseInput reads the JSON WriteInput writes into a Rego value, once, so
// that several evaluations share it.
func ParseInput(r io.Reader) (ast.Value, error) { return ast.ValueFromReader(r) }

// Evaluator is the generated module prepared for evaluation at one as-of
// date.
type Evaluator struct {
	Module *Module
	pq     rego.PreparedEvalQuery
}

// Prepare translates packs and compiles the module with the parameters of a
// check as of asOf.
func Prepare(ctx context.Context, packs []*policy.Pack, asOf cf.Date) (*Evaluator, error) {
	mod, err := Translate(packs)
	if err != nil {
		return nil, err
	}
	return PrepareModule(ctx, mod, packs, asOf)
}

// PrepareModule compiles an already translated module.
func PrepareModule(ctx context.Context, mod *Module, packs []*policy.Pack, asOf cf.Date) (*Evaluator, error) {
	store := inmem.NewFromObject(map[string]any{ParamsRoot: Params(packs, asOf)})
	pq, err := rego.New(
		rego.Query(Query),
		rego.Module("corefence.rego", mod.Text),
		rego.Store(store),
	).PrepareForEval(ctx)
	if err != nil {
		return nil, fmt.Errorf("compiling the generated Rego: %w", err)
	}
	return &Evaluator{Module: mod, pq: pq}, nil
}

// Eval evaluates the findings on a parsed input.
func (ev *Evaluator) Eval(ctx context.Context, input ast.Value, opts ...rego.EvalOption) (Keys, error) {
	rs, err := ev.pq.Eval(ctx, append([]rego.EvalOption{rego.EvalParsedInput(input)}, opts...)...)
	if err != nil {
		return nil, err
	}
	if len(rs) != 1 || len(rs[0].Expressions) != 1 {
		return nil, fmt.Errorf("%s: want one result, got %d", Query, len(rs))
	}
	return ResultKeys(rs[0].Expressions[0].Value)
}

// ResultKeys reads the value of Query: an array (a set, as Go sees it) of
// finding objects.
func ResultKeys(v any) (Keys, error) {
	arr, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("%s: want a set of findings, got %T", Query, v)
	}
	out := make(Keys, len(arr))
	for _, x := range arr {
		m, ok := x.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%s: want finding objects, got %T", Query, x)
		}
		s := func(name string) string {
			if v, ok := m[name].(string); ok {
				return v
			}
			return ""
		}
		out[Key{s("rule"), s("status"), s("operator"), s("site"), s("element"), s("metric")}]++
	}
	return out, nil
}

// Diff describes how two sets of findings differ, listing at most max
// findings on each side (max <= 0: all); "" when they are the same.
func Diff(product, opa Keys, max int) string {
	var onlyProduct, onlyOPA, dups []Key
	for k, n := range product {
		if opa[k] == 0 {
			onlyProduct = append(onlyProduct, k)
		}
		if n > 1 {
			dups = append(dups, k)
		}
	}
	for k := range opa {
		if product[k] == 0 {
			onlyOPA = append(onlyOPA, k)
		}
	}
	if len(onlyProduct) == 0 && len(onlyOPA) == 0 && len(dups) == 0 {
		return ""
	}
	var b strings.Builder
	list := func(title string, ks []Key) {
		if len(ks) == 0 {
			return
		}
		sort.Slice(ks, func(i, j int) bool { return ks[i].String() < ks[j].String() })
		fmt.Fprintf(&b, "%s: %d\n", title, len(ks))
		for i, k := range ks {
			if max > 0 && i == max {
				fmt.Fprintf(&b, "  … and %d more\n", len(ks)-max)
				break
			}
			fmt.Fprintf(&b, "  %s\n", k)
		}
	}
	list("only in corefence", onlyProduct)
	list("only in OPA", onlyOPA)
	list("reported more than once by corefence", dups)
	return b.String()
}

// Count returns how many findings there are, duplicates included.
func (ks Keys) Count() int {
	n := 0
	for _, c := range ks {
		n += c
	}
	return n
}

// ByRule counts findings per rule and status, for summaries.
func (ks Keys) ByRule() map[string]int {
	out := map[string]int{}
	for k, n := range ks {
		out[k.Rule+" "+k.Status] += n
	}
	return out
}
