// Package export writes inventories in the formats the importer reads:
// one YAML or JSON document, or a directory of CSV files. Output is
// deterministic — the same inventory gives the same bytes — so generated
// networks can be compared and digested.
package export

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"

	cf "github.com/corefence/corefence"
	"github.com/corefence/corefence/internal/atomicfile"
	"github.com/corefence/corefence/internal/inventory"
)

// Formats lists the formats Write knows.
var Formats = []string{"yaml", "json", "csv"}

// Write writes doc to path in format — a file for yaml and json, a
// directory for csv — replacing an earlier output there (see
// atomicfile: written in full or not at all, never through a symbolic
// link; in a directory, only the files an earlier Write put there are
// replaced or removed).
func Write(path, format string, doc *inventory.Doc) error {
	ctx := context.Background()
	if format == "csv" {
		return WriteCSV(path, doc)
	}
	write, err := Writer(format, doc)
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(ctx, path, true, write)
}

// Writer returns the function that writes doc in format yaml or json.
func Writer(format string, doc *inventory.Doc) (func(io.Writer) error, error) {
	switch format {
	case "yaml":
		return func(w io.Writer) error { return WriteYAML(w, doc) }, nil
	case "json":
		return func(w io.Writer) error { return WriteJSON(w, doc) }, nil
	}
	return nil, fmt.Errorf("unknown format %q (want %s)", format, strings.Join(Formats, ", "))
}

// field is one named value of a record, already formatted. Absent values
// are left out.
type field struct {
	name  string
	value any // string, float64, int64, bool, cf.Quantity, []string, map[string]any
}

type record []field

func (r *record) add(name string, v any) {
	switch x := v.(type) {
	case string:
		if x == "" {
			return
		}
	case []string:
		if len(x) == 0 {
			return
		}
	case map[string]any:
		if len(x) == 0 {
			return
		}
	}
	*r = append(*r, field{name, v})
}

type sectionRecords struct {
	name    string
	columns []string // CSV header, in order
	records []record
}

// sections turns doc into named, ordered records: the one place that knows
// which field of the model is written under which name.
func sections(doc *inventory.Doc) []sectionRecords {
	ops := sectionRecords{name: "operators", columns: []string{"id", "name", "country"}}
	for _, o := range doc.Operators {
		var r record
		r.add("id", o.ID)
		r.add("name", o.Name)
		r.add("country", o.Country)
		ops.records = append(ops.records, r)
	}
	sites := sectionRecords{name: "sites", columns: []string{"id", "operator", "name", "lat", "lon", "kind", "region", "traffic", "premises", "tags"}}
	// Records are made at their full size, and sections at theirs: a
	// national network has millions of them, and growing each by appends
	// cost more than writing them out.
	sites.records = make([]record, 0, len(doc.Sites))
	for _, s := range doc.Sites {
		r := make(record, 0, len(sites.columns))
		r.add("id", s.ID)
		r.add("operator", s.Operator)
		r.add("name", s.Name)
		r.add("lat", s.Lat)
		r.add("lon", s.Lon)
		r.add("kind", s.Kind)
		r.add("region", s.Region)
		if s.HasTraffic {
			r.add("traffic", s.Traffic)
		}
		if s.HasPremises {
			r.add("premises", s.Premises)
		}
		r.add("tags", s.Tags)
		sites.records = append(sites.records, r)
	}
	attrKeys := map[string]bool{}
	elems := sectionRecords{name: "elements", columns: []string{"id", "site", "hosted_on", "function", "vendor", "model", "software", "technology", "installed", "status", "tags"}}
	elems.records = make([]record, 0, len(doc.Elements))
	for _, e := range doc.Elements {
		r := make(record, 0, len(elems.columns)+1)
		r.add("id", e.ID)
		r.add("site", e.Site)
		r.add("hosted_on", e.HostedOn)
		r.add("function", e.Function)
		r.add("vendor", e.Vendor)
		r.add("model", e.Model)
		r.add("software", e.Software)
		r.add("technology", e.Technology.Names())
		r.add("installed", e.Installed.String())
		r.add("status", e.Status)
		r.add("tags", e.Tags)
		r.add("attributes", e.Attributes)
		for k := range e.Attributes {
			attrKeys[k] = true
		}
		elems.records = append(elems.records, r)
	}
	for _, k := range sortedKeys(attrKeys) {
		elems.columns = append(elems.columns, "attributes."+k)
	}
	links := sectionRecords{name: "links", columns: []string{"a", "b", "kind", "encrypted", "metric", "capacity"}}
	links.records = make([]record, 0, len(doc.Links))
	for _, l := range doc.Links {
		r := make(record, 0, len(links.columns))
		r.add("a", l.A)
		r.add("b", l.B)
		r.add("kind", l.Kind)
		if l.Encrypted {
			r.add("encrypted", true)
		}
		if l.Metric != 0 && l.Metric != cf.QuantityFromInt(1) {
			r.add("metric", l.Metric)
		}
		if l.Capacity != 0 {
			r.add("capacity", l.Capacity)
		}
		links.records = append(links.records, r)
	}
	areas := sectionRecords{name: "areas", columns: []string{"id", "name", "category", "lat", "lon", "radius_km"}}
	for _, a := range doc.Areas {
		var r record
		r.add("id", a.ID)
		r.add("name", a.Name)
		r.add("category", a.Category)
		r.add("lat", a.Lat)
		r.add("lon", a.Lon)
		r.add("radius_km", a.RadiusKm)
		areas.records = append(areas.records, r)
	}
	vendors := sectionRecords{name: "vendors", columns: []string{"id", "name", "group", "country", "aliases"}}
	for _, v := range doc.Vendors {
		var r record
		r.add("id", v.ID)
		r.add("name", v.Name)
		r.add("group", v.Group)
		r.add("country", v.Country)
		r.add("aliases", v.Aliases)
		vendors.records = append(vendors.records, r)
	}
	funcs := sectionRecords{name: "functions", columns: []string{"id", "domain", "technology", "description"}}
	for _, f := range doc.Functions {
		var r record
		r.add("id", f.ID)
		r.add("domain", f.Domain)
		r.add("technology", f.Technology.Names())
		r.add("description", f.Description)
		funcs.records = append(funcs.records, r)
	}
	return []sectionRecords{ops, sites, elems, links, areas, vendors, funcs}
}

func sortedKeys(m map[string]bool) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// text formats a scalar for CSV and YAML.
func text(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case int64:
		return strconv.FormatInt(x, 10)
	case bool:
		return strconv.FormatBool(x)
	case cf.Quantity:
		return x.String()
	case []string:
		return strings.Join(x, ";")
	}
	return fmt.Sprint(v)
}

// WriteCSV writes doc as a directory of CSV files, one per non-empty
// section, replacing an earlier output there (see Write). Element
// attributes become attributes.KEY columns.
func WriteCSV(dir string, doc *inventory.Doc) error {
	d, err := atomicfile.NewDir(dir, true)
	if err != nil {
		return err
	}
	defer d.Abort()
	if err := WriteCSVFiles(doc, "", d.WriteFile); err != nil {
		return err
	}
	return d.Commit(context.Background())
}

// CSVNames are the names of the files WriteCSVFiles may write.
func CSVNames() []string {
	var out []string
	for _, s := range sections(&inventory.Doc{}) {
		out = append(out, s.name+".csv")
	}
	return out
}

// WriteCSVFiles writes doc's CSV files through file, one per non-empty
// section, each named prefix + section + ".csv".
func WriteCSVFiles(doc *inventory.Doc, prefix string, file func(name string, write func(io.Writer) error) error) error {
	for _, s := range sections(doc) {
		if len(s.records) == 0 {
			continue
		}
		if err := file(prefix+s.name+".csv", func(w io.Writer) error { return writeCSV(w, s) }); err != nil {
			return err
		}
	}
	return nil
}

func writeCSV(w io.Writer, s sectionRecords) error {
	cw := csv.NewWriter(w)
	cw.Write(s.columns)
	index := map[string]int{}
	for i, c := range s.columns {
		index[c] = i
	}
	row := make([]string, len(s.columns))
	for _, r := range s.records {
		clear(row)
		for _, fl := range r {
			if m, ok := fl.value.(map[string]any); ok {
				for k, v := range m {
					row[index["attributes."+k]] = fmt.Sprint(v)
				}
				continue
			}
			row[index[fl.name]] = text(fl.value)
		}
		cw.Write(row)
	}
	cw.Flush()
	return cw.Error()
}

// WriteYAML writes doc as one YAML document, one flow mapping per record:
// compact, diffable line by line, and quick to read back.
func WriteYAML(w io.Writer, doc *inventory.Doc) error {
	ew := &errWriter{w: w}
	fmt.Fprintf(ew, "format: corefence/v1\n")
	for _, s := range sections(doc) {
		if len(s.records) == 0 {
			continue
		}
		fmt.Fprintf(ew, "%s:\n", s.name)
		for _, r := range s.records {
			ew.WriteString("  - {")
			for i, fl := range r {
				if i > 0 {
					ew.WriteString(", ")
				}
				ew.WriteString(fl.name + ": ")
				ew.WriteString(yamlValue(fl.value))
			}
			ew.WriteString("}\n")
		}
	}
	return ew.err
}

func yamlValue(v any) string {
	switch x := v.(type) {
	case string:
		b, _ := json.Marshal(x) // a JSON string is a valid double-quoted YAML scalar
		return string(b)
	case []string:
		parts := make([]string, len(x))
		for i, s := range x {
			parts[i] = yamlValue(s)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case map[string]any:
		b, _ := json.Marshal(x) // JSON is YAML flow style
		return string(b)
	case float64:
		if math.Trunc(x) == x && math.Abs(x) < 1e15 {
			return strconv.FormatFloat(x, 'f', 1, 64)
		}
	}
	return text(v)
}

// WriteJSON writes doc as one JSON document.
func WriteJSON(w io.Writer, doc *inventory.Doc) error {
	ew := &errWriter{w: w}
	ew.WriteString("{\n  \"format\": \"corefence/v1\"")
	for _, s := range sections(doc) {
		if len(s.records) == 0 {
			continue
		}
		fmt.Fprintf(ew, ",\n  %q: [", s.name)
		for i, r := range s.records {
			if i > 0 {
				ew.WriteString(",")
			}
			ew.WriteString("\n    {")
			for j, fl := range r {
				if j > 0 {
					ew.WriteString(", ")
				}
				k, _ := json.Marshal(fl.name)
				ew.Write(k)
				ew.WriteString(": ")
				ew.WriteString(jsonValue(fl.value))
			}
			ew.WriteString("}")
		}
		ew.WriteString("\n  ]")
	}
	ew.WriteString("\n}\n")
	return ew.err
}

func jsonValue(v any) string {
	switch x := v.(type) {
	case cf.Quantity:
		return x.String()
	case float64, int64, bool:
		return text(v)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, err
}

func (e *errWriter) WriteString(s string) { e.Write([]byte(s)) }
