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

// section is one named part of a document: its CSV header and its
// records, made one at a time as they are written so that writing an
// inventory holds one record more than the inventory itself. The records
// of a section a Stream spooled come from its spool instead.
type section struct {
	name    string
	columns []string // CSV header, in order
	n       int      // records
	record  func(r *record, i int)
	spool   *spool
}

// The columns of each section's CSV file (elements add attributes.KEY).
var (
	operatorColumns = []string{"id", "name", "country"}
	siteColumns     = []string{"id", "operator", "name", "lat", "lon", "kind", "region", "traffic", "premises", "tags"}
	elementColumns  = []string{"id", "site", "hosted_on", "function", "vendor", "model", "software", "technology", "installed", "status", "tags"}
	linkColumns     = []string{"a", "b", "kind", "encrypted", "metric", "capacity"}
	areaColumns     = []string{"id", "name", "category", "lat", "lon", "radius_km"}
	vendorColumns   = []string{"id", "name", "group", "country", "aliases"}
	functionColumns = []string{"id", "domain", "technology", "description"}
)

// sections describes doc as named, ordered sections.
func sections(doc *inventory.Doc) []section {
	attrKeys := map[string]bool{}
	for i := range doc.Elements {
		for k := range doc.Elements[i].Attributes {
			attrKeys[k] = true
		}
	}
	elemColumns := elementColumns
	for _, k := range sortedKeys(attrKeys) {
		elemColumns = append(elemColumns[:len(elemColumns):len(elemColumns)], "attributes."+k)
	}
	return []section{
		{"operators", operatorColumns, len(doc.Operators), func(r *record, i int) { operatorRecord(r, &doc.Operators[i]) }, nil},
		{"sites", siteColumns, len(doc.Sites), func(r *record, i int) { siteRecord(r, &doc.Sites[i]) }, nil},
		{"elements", elemColumns, len(doc.Elements), func(r *record, i int) { elementRecord(r, &doc.Elements[i]) }, nil},
		{"links", linkColumns, len(doc.Links), func(r *record, i int) { linkRecord(r, &doc.Links[i]) }, nil},
		{"areas", areaColumns, len(doc.Areas), func(r *record, i int) { areaRecord(r, &doc.Areas[i]) }, nil},
		{"vendors", vendorColumns, len(doc.Vendors), func(r *record, i int) { vendorRecord(r, &doc.Vendors[i]) }, nil},
		{"functions", functionColumns, len(doc.Functions), func(r *record, i int) { functionRecord(r, &doc.Functions[i]) }, nil},
	}
}

// The records of each kind: the one place that knows which field of the
// model is written under which name.

func operatorRecord(r *record, o *inventory.Operator) {
	r.add("id", o.ID)
	r.add("name", o.Name)
	r.add("country", o.Country)
}

func siteRecord(r *record, s *inventory.Site) {
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
}

func elementRecord(r *record, e *inventory.Element) {
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
}

func linkRecord(r *record, l *inventory.Link) {
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
}

func areaRecord(r *record, a *inventory.Area) {
	r.add("id", a.ID)
	r.add("name", a.Name)
	r.add("category", a.Category)
	r.add("lat", a.Lat)
	r.add("lon", a.Lon)
	r.add("radius_km", a.RadiusKm)
}

func vendorRecord(r *record, v *inventory.VendorRecord) {
	r.add("id", v.ID)
	r.add("name", v.Name)
	r.add("group", v.Group)
	r.add("country", v.Country)
	r.add("aliases", v.Aliases)
}

func functionRecord(r *record, f *inventory.FunctionRecord) {
	r.add("id", f.ID)
	r.add("domain", f.Domain)
	r.add("technology", f.Technology.Names())
	r.add("description", f.Description)
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
// section, each named prefix + section + ".csv". write may also be called
// after file returns, or WriteCSVFiles does, while doc is unchanged: a
// caller may learn the names first and write the files in another order.
func WriteCSVFiles(doc *inventory.Doc, prefix string, file func(name string, write func(io.Writer) error) error) error {
	return writeCSVFiles(sections(doc), prefix, file)
}

func writeCSVFiles(secs []section, prefix string, file func(name string, write func(io.Writer) error) error) error {
	for _, s := range secs {
		if s.n == 0 {
			continue
		}
		if err := file(prefix+s.name+".csv", func(w io.Writer) error { return writeCSV(w, s) }); err != nil {
			return err
		}
	}
	return nil
}

func writeCSV(w io.Writer, s section) error {
	cw := csv.NewWriter(w)
	cw.Write(s.columns)
	if s.spool != nil {
		cw.Flush()
		if err := cw.Error(); err != nil {
			return err
		}
		return s.spool.copyTo(w)
	}
	c := newCSVRows(s.columns)
	var r record
	for i := range s.n {
		r = r[:0]
		s.record(&r, i)
		cw.Write(c.row(r))
	}
	cw.Flush()
	return cw.Error()
}

// csvRows lays records out as rows of a CSV file with given columns.
type csvRows struct {
	index map[string]int
	cells []string
}

func newCSVRows(columns []string) *csvRows {
	c := &csvRows{index: map[string]int{}, cells: make([]string, len(columns))}
	for i, name := range columns {
		c.index[name] = i
	}
	return c
}

// row returns r's cells; they are valid until the next call.
func (c *csvRows) row(r record) []string {
	clear(c.cells)
	for _, fl := range r {
		if m, ok := fl.value.(map[string]any); ok {
			for k, v := range m {
				c.cells[c.index["attributes."+k]] = fmt.Sprint(v)
			}
			continue
		}
		c.cells[c.index[fl.name]] = text(fl.value)
	}
	return c.cells
}

// WriteYAML writes doc as one YAML document, one flow mapping per record:
// compact, diffable line by line, and quick to read back.
func WriteYAML(w io.Writer, doc *inventory.Doc) error {
	return writeYAML(w, sections(doc))
}

func writeYAML(w io.Writer, secs []section) error {
	ew := &errWriter{w: w}
	fmt.Fprintf(ew, "format: corefence/v1\n")
	var b []byte
	var r record
	for _, s := range secs {
		if s.n == 0 {
			continue
		}
		fmt.Fprintf(ew, "%s:\n", s.name)
		if s.spool != nil {
			if ew.err == nil {
				ew.err = s.spool.copyTo(w)
			}
			continue
		}
		for i := range s.n {
			r = r[:0]
			s.record(&r, i)
			b = appendYAML(b[:0], r)
			ew.Write(b)
		}
	}
	return ew.err
}

// appendYAML appends r as one item of a YAML section.
func appendYAML(b []byte, r record) []byte {
	b = append(b, "  - {"...)
	for i, fl := range r {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = append(b, fl.name...)
		b = append(b, ": "...)
		b = append(b, yamlValue(fl.value)...)
	}
	return append(b, "}\n"...)
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
	return writeJSON(w, sections(doc))
}

func writeJSON(w io.Writer, secs []section) error {
	ew := &errWriter{w: w}
	ew.WriteString("{\n  \"format\": \"corefence/v1\"")
	var b []byte
	var r record
	for _, s := range secs {
		if s.n == 0 {
			continue
		}
		fmt.Fprintf(ew, ",\n  %q: [", s.name)
		if s.spool != nil {
			if ew.err == nil {
				ew.err = s.spool.copyTo(w)
			}
		} else {
			for i := range s.n {
				r = r[:0]
				s.record(&r, i)
				b = appendJSON(b[:0], r, i == 0)
				ew.Write(b)
			}
		}
		ew.WriteString("\n  ]")
	}
	ew.WriteString("\n}\n")
	return ew.err
}

// appendJSON appends r as one item of a JSON section's array, after a
// comma unless it is the first.
func appendJSON(b []byte, r record, first bool) []byte {
	if !first {
		b = append(b, ',')
	}
	b = append(b, "\n    {"...)
	for j, fl := range r {
		if j > 0 {
			b = append(b, ", "...)
		}
		k, _ := json.Marshal(fl.name)
		b = append(b, k...)
		b = append(b, ": "...)
		b = append(b, jsonValue(fl.value)...)
	}
	return append(b, '}')
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
