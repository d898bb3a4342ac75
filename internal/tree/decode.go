package tree

import (
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"

	cf "github.com/corefence/corefence"
)

var (
	positionType = reflect.TypeOf(cf.Position{})
	dateType     = reflect.TypeOf(cf.Date(0))
	quantityType = reflect.TypeOf(cf.Quantity(0))
)

// Decode stores n into the struct, slice or scalar that v points to. Struct
// fields are named by their `yaml` tag; a tag option `required` makes a
// field required; a field of type corefence.Position named Pos receives the
// position of the mapping. Every problem goes to probs, labelled with
// section and, where the mapping has one, its `id`.
func Decode(n *Node, v any, section string, probs *cf.Problems) {
	d := decoder{probs: probs, section: section}
	rv := reflect.ValueOf(v).Elem()
	if n.Kind == Null && rv.Kind() == reflect.Struct {
		// A document that is only null (an empty tagged node "!") would
		// otherwise decode to nothing without a word.
		d.fail(n, "", "", "want a mapping of fields, got null")
		return
	}
	d.value(n, rv, "", "")
}

type decoder struct {
	probs   *cf.Problems
	section string
}

func (d *decoder) fail(n *Node, id, field, format string, args ...any) {
	d.probs.Addf(n.Pos, d.section, id, field, format, args...)
}

func (d *decoder) value(n *Node, v reflect.Value, id, field string) {
	d.valueAt(n, v, id, field, 0)
}

// valueAt decodes n; index is the 1-based position of n in its list, or 0.
func (d *decoder) valueAt(n *Node, v reflect.Value, id, field string, index int) {
	if n.Kind == Null {
		return
	}
	switch v.Type() {
	case dateType:
		if n.Kind != String && n.Kind != Date {
			d.fail(n, id, field, "want a date written YYYY-MM-DD, got %s", n.Kind)
			return
		}
		date, err := cf.ParseDate(n.Text)
		if err != nil {
			// A parameter reference such as "{removal_deadline}" is left to
			// the caller, which knows the parameters.
			if strings.HasPrefix(n.Text, "{") {
				return
			}
			d.fail(n, id, field, "%v", err)
			return
		}
		v.Set(reflect.ValueOf(date))
		return
	case quantityType:
		if n.Kind != Number {
			d.fail(n, id, field, "want a number, got %s", n.Kind)
			return
		}
		q, err := cf.ParseQuantity(n.Text)
		if err != nil {
			d.fail(n, id, field, "%v", err)
			return
		}
		v.Set(reflect.ValueOf(q))
		return
	}
	switch v.Kind() {
	case reflect.String:
		if n.Kind == Seq || n.Kind == Map || n.Kind == Bool {
			// A boolean would become the text "true": never what was meant.
			d.fail(n, id, field, "want a string, got %s", describe(n))
			return
		}
		v.SetString(n.Text)
	case reflect.Bool:
		if n.Kind != Bool {
			d.fail(n, id, field, "want true or false, got %s", n.Kind)
			return
		}
		v.SetBool(strings.EqualFold(n.Text, "true"))
	case reflect.Int, reflect.Int64, reflect.Int32:
		i, err := strconv.ParseInt(n.Text, 10, 64)
		if n.Kind != Number || (err != nil && !errors.Is(err, strconv.ErrRange)) {
			d.fail(n, id, field, "want a whole number, got %s", describe(n))
			return
		}
		if err != nil || v.OverflowInt(i) {
			d.fail(n, id, field, "%s is out of range", cf.Short(n.Text))
			return
		}
		v.SetInt(i)
	case reflect.Float64:
		f, err := strconv.ParseFloat(n.Text, 64)
		switch {
		case n.Kind == Number && (isNonFinite(n.Text) || errors.Is(err, strconv.ErrRange)):
			d.fail(n, id, field, "want a finite number, got %s", describe(n))
			return
		case n.Kind != Number || err != nil:
			d.fail(n, id, field, "want a number, got %s", describe(n))
			return
		}
		v.SetFloat(f)
	case reflect.Slice:
		items := n.Items
		if n.Kind != Seq {
			if n.Kind == Map || v.Type().Elem().Kind() != reflect.String {
				d.fail(n, id, field, "want a list, got %s", n.Kind)
				return
			}
			items = []*Node{n} // a lone string is a list of one
		}
		s := reflect.MakeSlice(v.Type(), len(items), len(items))
		if v.Type().Elem().Kind() == reflect.Struct && field != "" {
			// Records of a list are named after it: "rules r2", "waivers #4".
			outer := d.section
			d.section = field
			defer func() { d.section = outer }()
		}
		for i, it := range items {
			d.valueAt(it, s.Index(i), id, field, i+1)
		}
		v.Set(s)
	case reflect.Map:
		if n.Kind != Map {
			d.fail(n, id, field, "want a mapping, got %s", n.Kind)
			return
		}
		if v.Type().Key().Kind() == reflect.String && v.Type().Elem().Kind() == reflect.Interface {
			v.Set(reflect.ValueOf(n.Plain()))
			return
		}
		m := reflect.MakeMap(v.Type())
		for i, k := range n.Keys {
			ev := reflect.New(v.Type().Elem()).Elem()
			d.value(n.Vals[i], ev, id, k.Text)
			m.SetMapIndex(reflect.ValueOf(k.Text).Convert(v.Type().Key()), ev)
		}
		v.Set(m)
	case reflect.Struct:
		d.structure(n, v, index, id)
	case reflect.Pointer:
		p := reflect.New(v.Type().Elem())
		d.value(n, p.Elem(), id, field)
		v.Set(p)
	default:
		panic(fmt.Sprintf("tree: cannot decode into %s", v.Type()))
	}
}

// isNonFinite reports whether a number is YAML's NaN or infinity (.nan,
// +.inf …), which no field accepts.
func isNonFinite(text string) bool {
	switch strings.ToLower(strings.TrimLeft(text, "+-")) {
	case ".nan", ".inf", "nan", "inf", "infinity":
		return true
	}
	return false
}

func describe(n *Node) string {
	if n.Kind == Seq || n.Kind == Map {
		return n.Kind.String()
	}
	return fmt.Sprintf("%s %q", n.Kind, cf.Short(n.Text))
}

type structField struct {
	index    int
	required bool
}

func fieldsOf(t reflect.Type) (map[string]structField, []string) {
	fields := map[string]structField{}
	var names []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("yaml")
		if tag == "" || tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		fields[name] = structField{index: i, required: strings.Contains(opts, "required")}
		names = append(names, name)
	}
	sort.Strings(names)
	return fields, names
}

// structure decodes a mapping into a struct. Problems name the record by its
// own id, else its place in a list, else the record it is part of.
func (d *decoder) structure(n *Node, v reflect.Value, index int, parentID string) {
	if n.Kind != Map {
		id := ""
		if index > 0 {
			id = fmt.Sprintf("#%d", index)
		}
		d.fail(n, id, "", "want a mapping of fields, got %s", n.Kind)
		return
	}
	fields, names := fieldsOf(v.Type())
	if f, ok := v.Type().FieldByName("Pos"); ok && f.Type == positionType {
		v.FieldByName("Pos").Set(reflect.ValueOf(n.Pos))
	}
	id := ""
	if idNode := n.Get("id"); idNode != nil && idNode.Kind != Seq && idNode.Kind != Map {
		id = idNode.Text
	} else if index > 0 {
		id = fmt.Sprintf("#%d", index)
	} else {
		id = parentID
	}
	given := map[string]bool{}
	for i, k := range n.Keys {
		if given[k.Text] {
			d.fail(k, id, k.Text, "given twice")
			continue
		}
		given[k.Text] = true
		f, ok := fields[k.Text]
		if !ok {
			d.probs.Add(cf.Problem{Pos: k.Pos, Section: d.section, ID: id, Message: unknownField(k.Text, names)})
			continue
		}
		d.value(n.Vals[i], v.Field(f.index), id, k.Text)
	}
	for _, name := range names {
		f := fields[name]
		switch {
		case !f.required:
		case !given[name] || n.Get(name).Kind == Null:
			d.fail(n, id, name, "missing required field")
		case v.Field(f.index).Kind() == reflect.String && strings.TrimSpace(v.Field(f.index).String()) == "" &&
			n.Get(name).Kind == String:
			d.fail(n.Get(name), id, name, "is blank")
		}
	}
}

// unknownField explains an unknown field, suggesting the closest valid one.
func unknownField(name string, valid []string) string {
	if s := Suggest(name, valid); s != "" {
		return fmt.Sprintf("unknown field %q; did you mean %q?", name, s)
	}
	return fmt.Sprintf("unknown field %q (valid: %s)", name, strings.Join(valid, ", "))
}

// Suggest returns the valid word closest to word, if it is close enough to
// be a typo of it: at most two edits, and fewer than half the word's length.
func Suggest(word string, valid []string) string {
	best, bestD := "", 3
	for _, v := range valid {
		// Two edits change the length by two at most; the test keeps a
		// long hostile word from costing len(word)×len(v) per candidate.
		if len(word) > len(v)+2 || len(v) > len(word)+2 {
			continue
		}
		if d := editDistance(word, v); d < bestD && 2*d < len(v) {
			best, bestD = v, d
		}
	}
	return best
}

// editDistance is the optimal-string-alignment distance between a and b:
// insertions, deletions, substitutions and swaps of neighbours each count
// one, so "vendro" is one edit from "vendor".
func editDistance(a, b string) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}
