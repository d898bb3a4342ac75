package policy

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/ext"

	cf "github.com/corefence/corefence"
	"github.com/corefence/corefence/internal/inventory"
)

// The values a `where:` predicate sees. Field names are the inventory
// format's, so that `element.vendor == "huawei"` reads as the file does.
// `vendor` is the vendor group id after normalisation; `vendor_name` is the
// text as written.

// WhereElement is the element a predicate is evaluated for.
type WhereElement struct {
	ID         string         `cel:"id"`
	Function   string         `cel:"function"`
	Domain     string         `cel:"domain"`
	Vendor     string         `cel:"vendor"`
	VendorName string         `cel:"vendor_name"`
	Model      string         `cel:"model"`
	Software   string         `cel:"software"`
	Technology []string       `cel:"technology"`
	Installed  string         `cel:"installed"` // YYYY-MM-DD, or "" when unknown
	Status     string         `cel:"status"`
	Tags       []string       `cel:"tags"`
	Attributes map[string]any `cel:"attributes"`
}

// WhereSite is the element's site.
type WhereSite struct {
	ID       string   `cel:"id"`
	Name     string   `cel:"name"`
	Kind     string   `cel:"kind"`
	Region   string   `cel:"region"`
	Lat      float64  `cel:"lat"`
	Lon      float64  `cel:"lon"`
	Traffic  float64  `cel:"traffic"`
	Premises int64    `cel:"premises"`
	Tags     []string `cel:"tags"`
}

// WhereOperator is the site's operator.
type WhereOperator struct {
	ID      string `cel:"id"`
	Name    string `cel:"name"`
	Country string `cel:"country"`
}

// WhereVendor is the element's vendor group.
type WhereVendor struct {
	ID         string `cel:"id"`
	Name       string `cel:"name"`
	Designated bool   `cel:"designated"` // high-risk in the vendor registry
}

// whereProgram is a compiled `where:` predicate with the limits it runs
// under.
type whereProgram struct {
	expr string
	ast  *cel.Ast
	prog cel.Program
	lim  cf.Limits
}

// whereEnv is the CEL environment of `where:` predicates. It is built on
// first use: building it costs about half a millisecond, which every
// command of the binary would otherwise pay at start-up, most of them
// (verify, version …) without ever compiling a predicate.
var whereEnv = sync.OnceValue(func() *cel.Env {
	env, err := cel.NewEnv(
		ext.NativeTypes(reflect.TypeOf(&WhereElement{}), reflect.TypeOf(&WhereSite{}),
			reflect.TypeOf(&WhereOperator{}), reflect.TypeOf(&WhereVendor{}), ext.ParseStructTags(true)),
		cel.Variable("element", cel.ObjectType("policy.WhereElement")),
		cel.Variable("site", cel.ObjectType("policy.WhereSite")),
		cel.Variable("operator", cel.ObjectType("policy.WhereOperator")),
		cel.Variable("vendor", cel.ObjectType("policy.WhereVendor")),
		ext.Strings(),
	)
	if err != nil {
		panic(fmt.Sprintf("policy: building the CEL environment: %v", err))
	}
	return env
})

// compileWhere parses and type-checks a predicate; it must yield a bool.
func compileWhere(expr string, lim cf.Limits) (*whereProgram, error) {
	ast, iss := whereEnv().Compile(expr)
	if iss.Err() != nil {
		return nil, fmt.Errorf("does not compile: %s", cf.Short(strings.ReplaceAll(iss.Err().Error(), "\n", " ")))
	}
	if ast.OutputType() != cel.BoolType {
		return nil, fmt.Errorf("must be true or false, but gives %s", ast.OutputType())
	}
	w := &whereProgram{expr: expr, ast: ast}
	if err := w.setLimits(lim); err != nil {
		return nil, fmt.Errorf("does not compile: %v", err)
	}
	return w, nil
}

// setLimits builds the program anew under lim: cel-go stops an evaluation
// past lim.CELCost, and checks for a deadline every hundred iterations of
// a comprehension (all, exists, map …).
func (w *whereProgram) setLimits(lim cf.Limits) error {
	prog, err := whereEnv().Program(w.ast, cel.CostLimit(lim.CELCost), cel.InterruptCheckFrequency(100))
	if err != nil {
		return err
	}
	w.prog, w.lim = prog, lim
	return nil
}

// errWhereTime is the cause of a check's context when a predicate ran past
// its time limit.
var errWhereTime = errors.New("where: time limit")

// match evaluates the predicate for element e. An error (a missing
// attribute, a division by zero, the cost limit) is returned for the
// caller to make the element unmeasured.
func (w *whereProgram) match(ctx context.Context, inv *inventory.Inventory, e *inventory.Element) (bool, error) {
	site := &inv.Sites[e.SiteRef]
	op := &inv.Operators[site.OperatorRef]
	g := &inv.Groups[e.Group]
	fn := inv.Function(e)
	out, _, err := w.prog.ContextEval(ctx, map[string]any{
		"element": &WhereElement{ID: e.ID, Function: e.Function, Domain: fn.Domain.String(), Vendor: g.ID,
			VendorName: e.Vendor, Model: e.Model, Software: e.Software, Technology: e.Tech.Names(),
			Installed: e.Installed.String(), Status: e.Status, Tags: orEmpty(e.Tags), Attributes: orEmptyMap(e.Attributes)},
		"site": &WhereSite{ID: site.ID, Name: site.Name, Kind: site.Kind, Region: site.Region, Lat: site.Lat, Lon: site.Lon,
			Traffic: site.Traffic.Float(), Premises: site.Premises, Tags: orEmpty(site.Tags)},
		"operator": &WhereOperator{ID: op.ID, Name: op.Name, Country: op.Country},
		"vendor":   &WhereVendor{ID: g.ID, Name: g.Name, Designated: g.Designated},
	})
	if err != nil {
		return false, err
	}
	b, _ := out.Value().(bool)
	return b, nil
}

// whereFailure is an element the predicate could not be evaluated for.
type whereFailure struct {
	element inventory.Ref
	err     error
}

// unmeasured turns the elements a predicate failed on into unmeasured
// findings: whether the rule applies to them cannot be told, and leaving
// them out would let the rule pass silently.
func (w *whereProgram) unmeasured(inv *inventory.Inventory, fails []whereFailure, base Finding) []Finding {
	out := make([]Finding, 0, len(fails))
	for _, fl := range fails {
		e := &inv.Elements[fl.element]
		f := base
		f.Status, f.DaysLeft = StatusUnmeasured, 0
		f.Element, f.Site, f.Group = fl.element, e.SiteRef, e.Group
		f.Operator = inv.Sites[e.SiteRef].OperatorRef
		f.Why = fmt.Sprintf("the predicate `where: %s` failed on it (%s): whether the rule applies cannot be told",
			cf.Short(w.expr), cf.Short(fl.err.Error()))
		out = append(out, f)
	}
	return out
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func orEmptyMap(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}
