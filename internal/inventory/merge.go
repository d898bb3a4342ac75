package inventory

import (
	"context"
	"reflect"

	cf "github.com/corefence/corefence"
)

// Merge combines inventories read apart — one operator's network each, as
// a regulator holds them — into one Doc for Build, the way the importer
// combines the files of one directory, except that the parts may overlap:
//
//   - records of distinct ids are kept, in the order of docs;
//   - a record several docs give identically, apart from where (a shared
//     sensitive area, a vendor or function each declares), is kept once;
//   - an id two docs give differently is a problem at the later record
//     naming the earlier one's position, and Merge returns no Doc.
//
// Links have no id: a link between two elements several docs share, which
// another doc gives identically, is kept once; other links are all kept
// (a doc's links join its own elements, so only those between shared ones
// can repeat, and checking no other costs nothing). Records repeated within one doc are
// left for Build to report, as for any single inventory. Merge takes
// ownership of the docs' slices; the Doc's Digest is the caller's to set.
func Merge(docs []*Doc) (*Doc, error) { return merge(docs, true) }

// BuildMerged builds the union of docs: what Build(Merge(docs)) builds,
// for less. A national view holds a million elements, and each operator
// names its own sites and elements; so sites, elements and links are
// first only concatenated, and Build's own index of ids — which it makes
// anyway — finds any id two docs repeat. Only when Build refuses the
// concatenation are those sections compared record by record, as Merge
// does: its conflicts are the problems, or else Build's of the merge.
// The small sections (operators, areas, vendors, functions), which docs
// do share, are always merged. The docs are left as they were read.
func BuildMerged(ctx context.Context, docs []*Doc, digest string, opts Options) (*Inventory, error) {
	if len(docs) == 1 { // nothing to merge: Build as for any inventory
		docs[0].Digest = digest
		return BuildContext(ctx, docs[0], opts)
	}
	doc, err := merge(docs, false) // records copied: Build's defaults and references do not reach docs
	if err != nil {
		return nil, err
	}
	doc.Digest = digest
	inv, err := BuildContext(ctx, doc, opts)
	if err == nil || ctx.Err() != nil {
		return inv, err
	}
	if doc, err = Merge(docs); err != nil {
		return nil, err
	}
	doc.Digest = digest
	return BuildContext(ctx, doc, opts)
}

// merge merges docs; without big, sites, elements and links are only
// concatenated.
func merge(docs []*Doc, big bool) (*Doc, error) {
	probs := &cf.Problems{}
	out := &Doc{}
	out.Operators, _ = mergeSection(probs, "operators", docs, func(d *Doc) []Operator { return d.Operators },
		func(o *Operator) string { return o.ID }, func(o *Operator) *cf.Position { return &o.Pos }, true, true)
	out.Sites, _ = mergeSection(probs, "sites", docs, func(d *Doc) []Site { return d.Sites },
		func(s *Site) string { return s.ID }, func(s *Site) *cf.Position { return &s.Pos }, true, big)
	var shared map[string]bool // elements several docs give
	out.Elements, shared = mergeSection(probs, "elements", docs, func(d *Doc) []Element { return d.Elements },
		func(e *Element) string { return e.ID }, func(e *Element) *cf.Position { return &e.Pos }, true, big)
	out.Areas, _ = mergeSection(probs, "areas", docs, func(d *Doc) []Area { return d.Areas },
		func(a *Area) string { return a.ID }, func(a *Area) *cf.Position { return &a.Pos }, true, true)
	out.Vendors, _ = mergeSection(probs, "vendors", docs, func(d *Doc) []VendorRecord { return d.Vendors },
		func(v *VendorRecord) string { return v.ID }, func(v *VendorRecord) *cf.Position { return &v.Pos }, true, true)
	out.Functions, _ = mergeSection(probs, "functions", docs, func(d *Doc) []FunctionRecord { return d.Functions },
		func(f *FunctionRecord) string { return f.ID }, func(f *FunctionRecord) *cf.Position { return &f.Pos }, true, true)
	out.Links, _ = mergeSection(probs, "links", docs, func(d *Doc) []Link { return d.Links },
		func(l *Link) string {
			if !shared[l.A] || !shared[l.B] {
				return ""
			}
			return l.A + "\x00" + l.B + "\x00" + l.Kind
		}, func(l *Link) *cf.Position { return &l.Pos }, false, len(shared) > 0)
	if err := probs.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// mergeSection merges one section of docs and returns the keys of the
// records it kept once for several docs. key identifies a record ("": one
// never compared); with conflicts, two docs' records of one key that
// differ are a problem, and without (links), both are kept. Without
// compare, records are only concatenated.
func mergeSection[T any](probs *cf.Problems, section string, docs []*Doc, get func(*Doc) []T,
	key func(*T) string, pos func(*T) *cf.Position, conflicts, compare bool) ([]T, map[string]bool) {
	type first struct {
		doc int
		at  int // index in out
	}
	if len(docs) == 1 {
		return get(docs[0]), nil
	}
	n := 0
	for _, d := range docs {
		n += len(get(d))
	}
	out := make([]T, 0, n)
	if !compare {
		for _, d := range docs {
			out = append(out, get(d)...)
		}
		return out, nil
	}
	seen := make(map[string]first, n)
	var shared map[string]bool
	for di, d := range docs {
		for i := range get(d) {
			r := &get(d)[i]
			k := key(r)
			f, dup := seen[k]
			switch {
			case !dup || f.doc == di || k == "":
				// new, or repeated within one doc (Build's to report), or
				// without an id (Build reports that too)
			case sameRecord(&out[f.at], r, pos):
				if shared == nil {
					shared = map[string]bool{}
				}
				shared[k] = true
				continue
			case conflicts:
				probs.Addf(*pos(r), section, k, "id", "defined differently by another inventory (at %s); inventories merged may share a record only as identical copies", *pos(&out[f.at]))
				continue
			}
			if !dup {
				seen[k] = first{di, len(out)}
			}
			out = append(out, *r)
		}
	}
	return out, shared
}

// sameRecord reports whether two records are equal but for their
// positions.
func sameRecord[T any](a, b *T, pos func(*T) *cf.Position) bool {
	x, y := *a, *b
	*pos(&x), *pos(&y) = cf.Position{}, cf.Position{}
	return reflect.DeepEqual(x, y)
}
