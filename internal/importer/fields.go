package importer

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	cf "github.com/corefence/corefence"
	"github.com/corefence/corefence/internal/inventory"
	"github.com/corefence/corefence/internal/tree"
)

// value is one field's value as read: a CSV cell (untyped text) or a YAML or
// JSON node (typed). Field setters accept both, so the rules of each field
// live in one place whatever the container.
type value struct {
	csv   bool
	text  string         // a CSV cell, viewing the input: see own
	cells *columnStrings // the strings of the cell's column, or of the node's field
	node  *tree.Node
	pos   cf.Position
}

// own returns s, read from v, as a string a record may keep: a CSV cell's
// text, like a streamed node's, is a view of the input, copied once per
// distinct value of a column that repeats its values.
func (v value) own(s string) string {
	if v.cells == nil {
		return s
	}
	return v.cells.own(s)
}

// scalar returns the literal text of a scalar of any type: an id written
// 1001 is the id "1001".
func (v value) str() (string, error) {
	if v.csv {
		return v.text, nil
	}
	switch v.node.Kind {
	case tree.Seq, tree.Map, tree.Bool:
		// A boolean would become the text "true": never what was meant.
		return "", fmt.Errorf("want a string, got %s", v.node.Kind)
	}
	return v.node.Text, nil
}

// number reads a decimal number exactly.
func (v value) quantity() (cf.Quantity, error) {
	text, err := v.numberText()
	if err != nil {
		return 0, err
	}
	q, err := cf.ParseQuantity(text)
	if err != nil {
		return 0, err
	}
	return q, nil
}

func (v value) numberText() (string, error) {
	if v.csv {
		return strings.TrimSpace(v.text), nil
	}
	if v.node.Kind != tree.Number {
		return "", fmt.Errorf("want a number, got %s", v.node.Kind)
	}
	return v.node.Text, nil
}

func (v value) float() (float64, error) {
	text, err := v.numberText()
	if err != nil {
		return 0, err
	}
	f, err := strconv.ParseFloat(text, 64)
	switch {
	case err != nil && !errors.Is(err, strconv.ErrRange):
		return 0, fmt.Errorf("%q is not a number", cf.Short(text))
	case err != nil || math.IsInf(f, 0) || math.IsNaN(f):
		return 0, fmt.Errorf("%q is not a finite number", cf.Short(text))
	}
	return f, nil
}

func (v value) integer() (int64, error) {
	text, err := v.numberText()
	if err != nil {
		return 0, err
	}
	n, err := strconv.ParseInt(text, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%q is not a whole number", text)
	}
	return n, nil
}

func (v value) boolean() (bool, error) {
	if !v.csv && v.node.Kind != tree.Bool {
		return false, fmt.Errorf("want true or false, got %s", v.node.Kind)
	}
	text := v.text
	if !v.csv {
		text = v.node.Text
	}
	switch strings.ToLower(strings.TrimSpace(text)) {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, fmt.Errorf("%q is not true or false", text)
}

func (v value) date() (cf.Date, error) {
	if !v.csv && v.node.Kind != tree.String && v.node.Kind != tree.Date {
		return 0, fmt.Errorf("want a date written YYYY-MM-DD, got %s", v.node.Kind)
	}
	text, _ := v.str()
	return cf.ParseDate(strings.TrimSpace(text))
}

// list reads a list of strings: ';'-separated in CSV, a sequence in YAML or
// JSON (a single scalar counts as a list of one).
func (v value) list() ([]string, error) {
	if v.csv {
		var out []string
		for rest := v.text; rest != ""; {
			var s string
			s, rest, _ = strings.Cut(rest, ";")
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, v.own(s))
			}
		}
		return out, nil
	}
	switch v.node.Kind {
	case tree.Seq:
		out := make([]string, 0, len(v.node.Items))
		for _, it := range v.node.Items {
			if it.Kind == tree.Seq || it.Kind == tree.Map || it.Kind == tree.Null {
				return nil, fmt.Errorf("want a list of strings, found %s at %s", it.Kind, it.Pos)
			}
			out = append(out, v.own(it.Text))
		}
		return out, nil
	case tree.Map:
		return nil, fmt.Errorf("want a list, got a mapping")
	}
	return []string{v.own(v.node.Text)}, nil
}

func (v value) tech() (cf.Tech, error) {
	if v.csv { // without making the list: technology is in every record
		var t cf.Tech
		for rest := v.text; rest != ""; {
			var n string
			n, rest, _ = strings.Cut(rest, ";")
			if n = strings.TrimSpace(n); n != "" {
				bit, ok := cf.ParseTech(strings.ToLower(n))
				if !ok {
					return 0, fmt.Errorf("%q is not one of %s", n, strings.Join(cf.TechNames(), ", "))
				}
				t |= bit
			}
		}
		return t, nil
	}
	names, err := v.list()
	if err != nil {
		return 0, err
	}
	var t cf.Tech
	for _, n := range names {
		bit, ok := cf.ParseTech(strings.ToLower(n))
		if !ok {
			return 0, fmt.Errorf("%q is not one of %s", n, strings.Join(cf.TechNames(), ", "))
		}
		t |= bit
	}
	return t, nil
}

// field is one field of a section: how to store a value into a record.
type field[T any] struct {
	set func(r *T, v value) error
}

// section describes one inventory section: its fields and how to name a
// record in messages.
type section[T any] struct {
	name   string
	fields map[string]field[T]
	id     func(r *T) string
	init   func(r *T) // sets "absent" markers before fields are read
	pos    func(r *T) *cf.Position
	attrs  func(r *T) *map[string]any // nil when the section has no attributes
}

func (s *section[T]) fieldNames() []string {
	names := make([]string, 0, len(s.fields))
	for n := range s.fields {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// unknownField explains an unknown field, suggesting the closest real one.
func (s *section[T]) unknownField(name string) string {
	if best := tree.Suggest(name, s.fieldNames()); best != "" {
		return fmt.Sprintf("unknown field %q; did you mean %q?", name, best)
	}
	return fmt.Sprintf("unknown field %q (valid: %s)", name, strings.Join(s.fieldNames(), ", "))
}

func str[T any](get func(*T) *string) field[T] {
	return field[T]{func(r *T, v value) error {
		s, err := v.str()
		*get(r) = v.own(strings.TrimSpace(s))
		return err
	}}
}

func float[T any](get func(*T) *float64) field[T] {
	return field[T]{func(r *T, v value) (err error) { *get(r), err = v.float(); return }}
}

func quantity[T any](get func(*T) *cf.Quantity, present func(*T) *bool) field[T] {
	return field[T]{func(r *T, v value) (err error) {
		*get(r), err = v.quantity()
		if present != nil {
			*present(r) = err == nil
		}
		return
	}}
}

func list[T any](get func(*T) *[]string) field[T] {
	return field[T]{func(r *T, v value) (err error) { *get(r), err = v.list(); return }}
}

func tech[T any](get func(*T) *cf.Tech) field[T] {
	return field[T]{func(r *T, v value) (err error) { *get(r), err = v.tech(); return }}
}

var operatorSection = &section[inventory.Operator]{
	name: "operators",
	fields: map[string]field[inventory.Operator]{
		"id":      str(func(r *inventory.Operator) *string { return &r.ID }),
		"name":    str(func(r *inventory.Operator) *string { return &r.Name }),
		"country": str(func(r *inventory.Operator) *string { return &r.Country }),
	},
	id:  func(r *inventory.Operator) string { return r.ID },
	pos: func(r *inventory.Operator) *cf.Position { return &r.Pos },
}

var siteSection = &section[inventory.Site]{
	name: "sites",
	fields: map[string]field[inventory.Site]{
		"id":       str(func(r *inventory.Site) *string { return &r.ID }),
		"operator": str(func(r *inventory.Site) *string { return &r.Operator }),
		"name":     str(func(r *inventory.Site) *string { return &r.Name }),
		"lat":      float(func(r *inventory.Site) *float64 { return &r.Lat }),
		"lon":      float(func(r *inventory.Site) *float64 { return &r.Lon }),
		"kind":     str(func(r *inventory.Site) *string { return &r.Kind }),
		"region":   str(func(r *inventory.Site) *string { return &r.Region }),
		"traffic": quantity(func(r *inventory.Site) *cf.Quantity { return &r.Traffic },
			func(r *inventory.Site) *bool { return &r.HasTraffic }),
		"premises": {func(r *inventory.Site, v value) (err error) {
			r.Premises, err = v.integer()
			r.HasPremises = err == nil
			return
		}},
		"tags": list(func(r *inventory.Site) *[]string { return &r.Tags }),
	},
	id:   func(r *inventory.Site) string { return r.ID },
	init: func(r *inventory.Site) { r.Lat, r.Lon = math.NaN(), math.NaN() },
	pos:  func(r *inventory.Site) *cf.Position { return &r.Pos },
}

var elementSection = &section[inventory.Element]{
	name: "elements",
	fields: map[string]field[inventory.Element]{
		"id":         str(func(r *inventory.Element) *string { return &r.ID }),
		"site":       str(func(r *inventory.Element) *string { return &r.Site }),
		"hosted_on":  str(func(r *inventory.Element) *string { return &r.HostedOn }),
		"function":   str(func(r *inventory.Element) *string { return &r.Function }),
		"vendor":     str(func(r *inventory.Element) *string { return &r.Vendor }),
		"model":      str(func(r *inventory.Element) *string { return &r.Model }),
		"software":   str(func(r *inventory.Element) *string { return &r.Software }),
		"technology": tech(func(r *inventory.Element) *cf.Tech { return &r.Technology }),
		"installed": {func(r *inventory.Element, v value) (err error) {
			r.Installed, err = v.date()
			return
		}},
		"status": str(func(r *inventory.Element) *string { return &r.Status }),
		"tags":   list(func(r *inventory.Element) *[]string { return &r.Tags }),
	},
	id:    func(r *inventory.Element) string { return r.ID },
	pos:   func(r *inventory.Element) *cf.Position { return &r.Pos },
	attrs: func(r *inventory.Element) *map[string]any { return &r.Attributes },
}

var linkSection = &section[inventory.Link]{
	name: "links",
	fields: map[string]field[inventory.Link]{
		"a":    str(func(r *inventory.Link) *string { return &r.A }),
		"b":    str(func(r *inventory.Link) *string { return &r.B }),
		"kind": str(func(r *inventory.Link) *string { return &r.Kind }),
		"encrypted": {func(r *inventory.Link, v value) (err error) {
			r.Encrypted, err = v.boolean()
			return
		}},
		"metric": {func(r *inventory.Link, v value) error {
			q, err := v.quantity()
			if err == nil && q <= 0 {
				return fmt.Errorf("%s must be greater than 0", q)
			}
			r.Metric = q
			return err
		}},
		"capacity": quantity(func(r *inventory.Link) *cf.Quantity { return &r.Capacity }, nil),
	},
	id:  func(r *inventory.Link) string { return r.A + "—" + r.B },
	pos: func(r *inventory.Link) *cf.Position { return &r.Pos },
}

// MaxRadiusKm is the largest radius an area may have: a circle of half the
// Earth's circumference covers the whole Earth.
const MaxRadiusKm = 20_038

var areaSection = &section[inventory.Area]{
	name: "areas",
	fields: map[string]field[inventory.Area]{
		"id":       str(func(r *inventory.Area) *string { return &r.ID }),
		"name":     str(func(r *inventory.Area) *string { return &r.Name }),
		"category": str(func(r *inventory.Area) *string { return &r.Category }),
		"lat":      float(func(r *inventory.Area) *float64 { return &r.Lat }),
		"lon":      float(func(r *inventory.Area) *float64 { return &r.Lon }),
		"radius_km": {func(r *inventory.Area, v value) (err error) {
			r.RadiusKm, err = v.float()
			if err == nil && r.RadiusKm > MaxRadiusKm {
				err = fmt.Errorf("%v km is more than %v km, half the Earth's circumference", r.RadiusKm, MaxRadiusKm)
			}
			return err
		}},
	},
	id:   func(r *inventory.Area) string { return r.ID },
	init: func(r *inventory.Area) { r.Lat, r.Lon, r.RadiusKm = math.NaN(), math.NaN(), math.NaN() },
	pos:  func(r *inventory.Area) *cf.Position { return &r.Pos },
}

var vendorSection = &section[inventory.VendorRecord]{
	name: "vendors",
	fields: map[string]field[inventory.VendorRecord]{
		"id":      str(func(r *inventory.VendorRecord) *string { return &r.ID }),
		"name":    str(func(r *inventory.VendorRecord) *string { return &r.Name }),
		"group":   str(func(r *inventory.VendorRecord) *string { return &r.Group }),
		"country": str(func(r *inventory.VendorRecord) *string { return &r.Country }),
		"aliases": list(func(r *inventory.VendorRecord) *[]string { return &r.Aliases }),
	},
	id:  func(r *inventory.VendorRecord) string { return r.ID },
	pos: func(r *inventory.VendorRecord) *cf.Position { return &r.Pos },
}

var functionSection = &section[inventory.FunctionRecord]{
	name: "functions",
	fields: map[string]field[inventory.FunctionRecord]{
		"id":          str(func(r *inventory.FunctionRecord) *string { return &r.ID }),
		"domain":      str(func(r *inventory.FunctionRecord) *string { return &r.Domain }),
		"technology":  tech(func(r *inventory.FunctionRecord) *cf.Tech { return &r.Technology }),
		"description": str(func(r *inventory.FunctionRecord) *string { return &r.Description }),
	},
	id:  func(r *inventory.FunctionRecord) string { return r.ID },
	pos: func(r *inventory.FunctionRecord) *cf.Position { return &r.Pos },
}
