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

// cancelled reports whether ctx is done, looking only at every 4096th
// record n, so that the check costs nothing per record.
func cancelled(ctx context.Context, n int) bool {
	return n&4095 == 0 && ctx.Err() != nil
}
