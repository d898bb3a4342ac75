package importer

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	cf "github.com/corefence/corefence"
	"github.com/corefence/corefence/internal/inventory"
	"github.com/corefence/corefence/internal/tree"
)

// FormatV1 is the value of the `format` key of a YAML or JSON inventory.
const FormatV1 = "corefence/v1"

// decodeTree fills doc from a parsed YAML or JSON inventory.
func decodeTree(ctx context.Context, root *tree.Node, doc *inventory.Doc, probs *cf.Problems) {
	if !checkRoot(root, probs) {
		return
	}
	seen := map[string]bool{}
	for i, k := range root.Keys {
		decodeEntry(ctx, k, root.Vals[i], doc, probs, seen)
	}
}

// checkRoot reports a root that is not a mapping, or whose format is
// missing or not FormatV1; it returns whether root is a mapping.
func checkRoot(root *tree.Node, probs *cf.Problems) bool {
	if root.Kind != tree.Map {
		probs.Addf(root.Pos, "", "", "", "an inventory must be a mapping with `format: %s` and sections, got %s", FormatV1, root.Kind)
		return false
	}
	format := root.Get("format")
	switch {
	case format == nil:
		probs.Addf(root.Pos, "", "", "format", "missing: an inventory starts with `format: %s`", FormatV1)
	case format.Text != FormatV1:
		probs.Addf(format.Pos, "", "", "format", "%q is not a supported format; want %q", format.Text, FormatV1)
	}
	return true
}

// decodeEntry decodes one top-level entry of an inventory, key k with
// value v; seen holds the keys decoded before.
func decodeEntry(ctx context.Context, k, v *tree.Node, doc *inventory.Doc, probs *cf.Problems, seen map[string]bool) {
	if seen[k.Text] {
		probs.Addf(k.Pos, "", "", k.Text, "given twice")
		return
	}
	seen[k.Text] = true
	decodeSection(ctx, k, v, doc, probs)
}

// decodeSection appends the records of v, a list, to the section k names.
func decodeSection(ctx context.Context, k, v *tree.Node, doc *inventory.Doc, probs *cf.Problems) {
	switch k.Text {
	case "format":
	case "operators":
		doc.Operators = decodeRecords(ctx, v, operatorSection, doc.Operators, probs)
	case "sites":
		doc.Sites = decodeRecords(ctx, v, siteSection, doc.Sites, probs)
	case "elements":
		doc.Elements = decodeRecords(ctx, v, elementSection, doc.Elements, probs)
	case "links":
		doc.Links = decodeRecords(ctx, v, linkSection, doc.Links, probs)
	case "areas":
		doc.Areas = decodeRecords(ctx, v, areaSection, doc.Areas, probs)
	case "vendors":
		doc.Vendors = decodeRecords(ctx, v, vendorSection, doc.Vendors, probs)
	case "functions":
		doc.Functions = decodeRecords(ctx, v, functionSection, doc.Functions, probs)
	default:
		probs.Addf(k.Pos, "", "", "", "unknown top-level key %q (valid: format, %s)", k.Text, strings.Join(sectionNames, ", "))
	}
}

var sectionNames = []string{"operators", "sites", "elements", "links", "areas", "vendors", "functions"}

func decodeRecords[T any](ctx context.Context, seq *tree.Node, s *section[T], out []T, probs *cf.Problems) []T {
	if seq.Kind == tree.Null {
		return out
	}
	if seq.Kind != tree.Seq {
		probs.Addf(seq.Pos, s.name, "", "", "want a list of records, got %s", seq.Kind)
		return out
	}
	for n, item := range seq.Items {
		if cancelled(ctx, n) {
			return out // the caller returns ctx's error
		}
		if item.Kind != tree.Map {
			probs.Addf(item.Pos, s.name, "", "", "want a record (a mapping of fields), got %s", item.Kind)
			continue
		}
		var r T
		if s.init != nil {
			s.init(&r)
		}
		*s.pos(&r) = item.Pos
		id := ""
		if n := item.Get("id"); n != nil && n.Kind != tree.Seq && n.Kind != tree.Map {
			id = n.Text
		} else if a, b := item.Get("a"), item.Get("b"); a != nil && b != nil {
			id = a.Text + "—" + b.Text
		}
		var given map[string]bool // only for a record of many keys: a dozen compare faster
		if len(item.Keys) > 16 {
			given = make(map[string]bool, len(item.Keys))
		}
		for i, k := range item.Keys {
			v := item.Vals[i]
			dup := false
			if given != nil {
				dup, given[k.Text] = given[k.Text], true
			} else {
				dup = givenBefore(item.Keys[:i], k.Text)
			}
			if dup {
				probs.Addf(k.Pos, s.name, id, k.Text, "given twice")
				continue
			}
			if k.Text == "attributes" && s.attrs != nil {
				if v.Kind != tree.Map && v.Kind != tree.Null {
					probs.Addf(v.Pos, s.name, id, k.Text, "want a mapping, got %s", v.Kind)
				} else if v.Kind == tree.Map {
					*s.attrs(&r) = v.Plain().(map[string]any)
				}
				continue
			}
			f, ok := s.fields[k.Text]
			if !ok {
				probs.Add(cf.Problem{Pos: k.Pos, Section: s.name, ID: id, Message: s.unknownField(k.Text)})
				continue
			}
			if v.Kind == tree.Null { // an explicit null is an absent value
				continue
			}
			if err := f.set(&r, value{node: v, pos: v.Pos}); err != nil {
				probs.Addf(v.Pos, s.name, id, k.Text, "%v", err)
			}
		}
		out = append(out, r)
	}
	return out
}

// givenBefore reports whether a key among keys is key.
func givenBefore(keys []*tree.Node, key string) bool {
	for _, k := range keys {
		if k.Text == key {
			return true
		}
	}
	return false
}

// decodeCSV fills doc's section named by the file from CSV data.
func decodeCSV(ctx context.Context, file, sectionName string, data []byte, lim cf.Limits, doc *inventory.Doc, probs *cf.Problems) {
	switch sectionName {
	case "operators":
		doc.Operators = csvRecords(ctx, file, data, lim, operatorSection, doc.Operators, probs)
	case "sites":
		doc.Sites = csvRecords(ctx, file, data, lim, siteSection, doc.Sites, probs)
	case "elements":
		doc.Elements = csvRecords(ctx, file, data, lim, elementSection, doc.Elements, probs)
	case "links":
		doc.Links = csvRecords(ctx, file, data, lim, linkSection, doc.Links, probs)
	case "areas":
		doc.Areas = csvRecords(ctx, file, data, lim, areaSection, doc.Areas, probs)
	case "vendors":
		doc.Vendors = csvRecords(ctx, file, data, lim, vendorSection, doc.Vendors, probs)
	case "functions":
		doc.Functions = csvRecords(ctx, file, data, lim, functionSection, doc.Functions, probs)
	}
}

// attrPrefix marks CSV columns that go to an element's attributes:
// a column "attributes.rack" sets attribute "rack".
const attrPrefix = "attributes."

func csvRecords[T any](ctx context.Context, file string, data []byte, lim cf.Limits, s *section[T], out []T, probs *cf.Problems) []T {
	data = trimBOM(data)
	if err := tree.CheckUTF8Context(ctx, file, data); err != nil {
		if ctx.Err() == nil {
			probs.Merge(asProblems(err))
		}
		return out
	}
	rows, long := csvLines(ctx, data, lim.LineBytes)
	if ctx.Err() != nil {
		return out // the caller returns ctx's error
	}
	if long > 0 {
		probs.Add(cf.Problem{Pos: cf.Position{File: file, Line: long}, Section: s.name,
			Message: lim.Exceeded("line-bytes", fmt.Sprintf("line %d is longer than %d bytes", long, lim.LineBytes))})
		return out
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.ReuseRecord = true
	header, err := r.Read()
	if errors.Is(err, io.EOF) {
		probs.Addf(cf.Position{File: file}, s.name, "", "", "file is empty; want a header row naming the fields")
		return out
	}
	if err != nil {
		probs.Add(csvProblem(file, s.name, err))
		return out
	}
	type column struct {
		name string
		f    field[T]
		attr string // attribute key, for attributes.* columns
		ok   bool
	}
	cols := make([]column, len(header))
	idCol := -1
	seen := map[string]bool{}
	for i, h := range header {
		h = strings.TrimSpace(h)
		pos := cf.Position{File: file, Line: 1, Column: i + 1}
		if seen[h] {
			probs.Addf(pos, s.name, "", h, "column given twice")
			continue
		}
		seen[h] = true
		if key, isAttr := strings.CutPrefix(h, attrPrefix); isAttr && s.attrs != nil && key != "" {
			cols[i] = column{name: h, attr: key, ok: true}
			continue
		}
		f, ok := s.fields[h]
		if !ok {
			probs.Add(cf.Problem{Pos: pos, Section: s.name, Message: s.unknownField(h)})
			continue
		}
		cols[i] = column{name: h, f: f, ok: true}
		if h == "id" {
			idCol = i
		}
	}
	aCol, bCol := -1, -1
	for i, c := range cols {
		switch c.name {
		case "a":
			aCol = i
		case "b":
			bCol = i
		}
	}
	// Size the slice once: records are big, and regrowing copies them all.
	// Blank lines hold no record, and past the limit the read stops.
	rows = min(rows, lim.Records)
	if cap(out)-len(out) < rows {
		grown := make([]T, len(out), len(out)+rows)
		copy(grown, out)
		out = grown
	}
	for n := 0; ; n++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if cancelled(ctx, n) {
			break // the caller returns ctx's error
		}
		if n == lim.Records {
			line, _ := r.FieldPos(0)
			probs.Add(cf.Problem{Pos: cf.Position{File: file, Line: line}, Section: s.name,
				Message: lim.Exceeded("records", fmt.Sprintf("more than %d records", lim.Records))})
			break
		}
		if err != nil {
			probs.Add(csvProblem(file, s.name, err))
			if errors.Is(err, csv.ErrFieldCount) {
				continue
			}
			break
		}
		line, _ := r.FieldPos(0)
		var t T
		if s.init != nil {
			s.init(&t)
		}
		*s.pos(&t) = cf.Position{File: file, Line: line}
		id := ""
		if idCol >= 0 {
			id = rec[idCol]
		} else if aCol >= 0 && bCol >= 0 {
			id = rec[aCol] + "—" + rec[bCol]
		}
		for i, cell := range rec {
			c := cols[i]
			if !c.ok || cell == "" {
				continue
			}
			if c.attr != "" {
				m := s.attrs(&t)
				if *m == nil {
					*m = map[string]any{}
				}
				(*m)[c.attr] = cell
				continue
			}
			if err := c.f.set(&t, value{csv: true, text: cell}); err != nil {
				l, col := r.FieldPos(i)
				probs.Addf(cf.Position{File: file, Line: l, Column: col}, s.name, id, c.name, "%v", err)
			}
		}
		out = append(out, t)
	}
	return out
}

// cancelled reports whether ctx is done, looking only at every 4096th
// record n, so that the check costs nothing per record.
func cancelled(ctx context.Context, n int) bool {
	return n&4095 == 0 && ctx.Err() != nil
}

// csvLines counts the lines of data that are not blank (an upper bound on
// its records, header included) and returns the number of the first line
// longer than max bytes, or 0. It stops early once ctx is done.
func csvLines(ctx context.Context, data []byte, max int) (nonBlank, long int) {
	for line := 1; len(data) > 0; line++ {
		if line&65535 == 0 && ctx.Err() != nil {
			return nonBlank, 0
		}
		end := bytes.IndexByte(data, '\n')
		if end < 0 {
			end = len(data)
		}
		n := end
		if n > 0 && data[n-1] == '\r' {
			n--
		}
		if n > max {
			return nonBlank, line
		}
		if n > 0 {
			nonBlank++
		}
		data = data[min(end+1, len(data)):]
	}
	return nonBlank, 0
}

func asProblems(err error) *cf.Problems {
	if ps, ok := cf.AsProblems(err); ok {
		return ps
	}
	return &cf.Problems{List: []cf.Problem{{Message: err.Error()}}}
}

func csvProblem(file, sectionName string, err error) cf.Problem {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return cf.Problem{Pos: cf.Position{File: file, Line: pe.Line, Column: pe.Column}, Section: sectionName,
			Message: fmt.Sprintf("invalid CSV: %v", pe.Err)}
	}
	return cf.Problem{Pos: cf.Position{File: file}, Section: sectionName, Message: fmt.Sprintf("invalid CSV: %v", err)}
}

func trimBOM(b []byte) []byte {
	if len(b) >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF {
		return b[3:]
	}
	return b
}
