package importer

import (
	"context"
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
	d := recordDecoder[T]{s: s}
	base := len(out)
	out = growRecords(out, len(seq.Items))
	n := d.decode(ctx, seq.Items, out[base:base+len(seq.Items)], probs)
	return out[:base+n]
}

// recordDecoder decodes the records of one section from nodes. The records
// of a list name the same few fields, nearly always in the same order, so
// it keeps the keys it has met: a key is found by comparing it with the
// one after the key before, rather than by hashing it, and whether a
// record gives it twice by a stamp, rather than by comparing it with the
// record's other keys. Each key also keeps the strings its values own (see
// columnStrings): the texts of streamed nodes view the input.
type recordDecoder[T any] struct {
	s      *section[T]
	keys   []*recordKey[T]
	record uint64 // records decoded, the stamp of the current one
}

type recordKey[T any] struct {
	name   string // a copy
	f      field[T]
	known  bool   // a field of the section
	attrs  bool   // the attributes of a section that has them
	record uint64 // the last record that gave it
	cells  columnStrings
}

// maxKeys bounds the keys a recordDecoder keeps: a section has a dozen
// fields, a hostile file any number of keys.
const maxKeys = 64

// decode decodes items into dst, which has room for them all, returning how
// many records it stored: an item that is not a mapping stores none. It
// stops early, once ctx is done; the caller returns ctx's error.
func (d *recordDecoder[T]) decode(ctx context.Context, items []*tree.Node, dst []T, probs *cf.Problems) int {
	s := d.s
	stored := 0
	for n, item := range items {
		if cancelled(ctx, n) {
			return stored
		}
		if item.Kind != tree.Map {
			probs.Addf(item.Pos, s.name, "", "", "want a record (a mapping of fields), got %s", item.Kind)
			continue
		}
		r := &dst[stored]
		stored++
		var zero T
		*r = zero
		if s.init != nil {
			s.init(r)
		}
		*s.pos(r) = item.Pos
		d.record++
		at := 0 // where the next key is looked for first
		for i, k := range item.Keys {
			v := item.Vals[i]
			c, kept := d.key(k.Text, &at)
			if kept && c.record == d.record || !kept && givenBefore(item.Keys[:i], k.Text) {
				probs.Addf(k.Pos, s.name, recordID(item), c.name, "given twice")
				continue
			}
			c.record = d.record
			if c.attrs {
				if v.Kind != tree.Map && v.Kind != tree.Null {
					probs.Addf(v.Pos, s.name, recordID(item), c.name, "want a mapping, got %s", v.Kind)
				} else if v.Kind == tree.Map {
					*s.attrs(r) = v.Plain().(map[string]any)
				}
				continue
			}
			if !c.known {
				probs.Add(cf.Problem{Pos: k.Pos, Section: s.name, ID: recordID(item), Message: s.unknownField(k.Text)})
				continue
			}
			if v.Kind == tree.Null { // an explicit null is an absent value
				continue
			}
			if err := c.f.set(r, value{node: v, pos: v.Pos, cells: &c.cells}); err != nil {
				probs.Addf(v.Pos, s.name, recordID(item), c.name, "%v", err)
			}
		}
	}
	return stored
}

// key returns the key named, looking first at *at, then at every key met,
// and moves *at past it. kept reports whether d keeps the key: past
// maxKeys, a new one is made for the occasion.
func (d *recordDecoder[T]) key(name string, at *int) (c *recordKey[T], kept bool) {
	for i := range d.keys {
		j := *at + i
		if j >= len(d.keys) {
			j -= len(d.keys)
		}
		if d.keys[j].name == name {
			*at = j + 1
			return d.keys[j], true
		}
	}
	name = strings.Clone(name)
	f, known := d.s.fields[name]
	c = &recordKey[T]{name: name, f: f, known: known, attrs: name == "attributes" && d.s.attrs != nil}
	if len(d.keys) == maxKeys {
		return c, false
	}
	d.keys = append(d.keys, c)
	*at = len(d.keys)
	return c, true
}

// recordID names a record in a problem: its id, or a link's two ends. It is
// a copy: the node's texts may view the input.
func recordID(item *tree.Node) string {
	if n := item.Get("id"); n != nil && n.Kind != tree.Seq && n.Kind != tree.Map {
		return strings.Clone(n.Text)
	} else if a, b := item.Get("a"), item.Get("b"); a != nil && b != nil {
		return a.Text + "—" + b.Text
	}
	return ""
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

// cancelled reports whether ctx is done, looking only at every 4096th
// record n, so that the check costs nothing per record.
func cancelled(ctx context.Context, n int) bool {
	return n&4095 == 0 && ctx.Err() != nil
}
