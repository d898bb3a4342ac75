package policy

import (
	"fmt"
	"reflect"
	"strings"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/ext"

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

type whereProgram struct {
	prog cel.Program
}

var whereEnv = func() *cel.Env {
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
}()

// compileWhere parses and type-checks a predicate; it must yield a bool.
func compileWhere(expr string) (*whereProgram, error) {
	ast, iss := whereEnv.Compile(expr)
	if iss.Err() != nil {
		return nil, fmt.Errorf("does not compile: %s", strings.ReplaceAll(iss.Err().Error(), "\n", " "))
	}
	if ast.OutputType() != cel.BoolType {
		return nil, fmt.Errorf("must be true or false, but gives %s", ast.OutputType())
	}
	prog, err := whereEnv.Program(ast)
	if err != nil {
		return nil, fmt.Errorf("does not compile: %v", err)
	}
	return &whereProgram{prog: prog}, nil
}

// match evaluates the predicate for element e. An evaluation error (a
// missing attribute, say) counts as no match and is reported once per rule
// by the caller.
func (w *whereProgram) match(inv *inventory.Inventory, e *inventory.Element) (bool, error) {
	site := &inv.Sites[e.SiteRef]
	op := &inv.Operators[site.OperatorRef]
	g := &inv.Groups[e.Group]
	fn := inv.Function(e)
	out, _, err := w.prog.Eval(map[string]any{
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
