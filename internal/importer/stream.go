package importer

import (
	"context"
	"errors"

	cf "github.com/corefence/corefence"
	"github.com/corefence/corefence/internal/inventory"
	"github.com/corefence/corefence/internal/tree"
)

// decodeDocument fills doc, which is empty, from one YAML or JSON inventory. It streams the
// document (tree.StreamYAML, tree.StreamJSON), decoding each batch of
// records as it arrives, so that a national inventory costs its records
// and not a tree of the whole file; a document the streaming readers do
// not take (flow style at the top, a syntax error, an exceeded limit) is
// parsed whole, which words every error as before. Both ways give the same
// records and the same problems.
func decodeDocument(ctx context.Context, file string, json bool, data []byte, lim cf.Limits, doc *inventory.Doc, probs *cf.Problems) {
	if decodeStream(ctx, file, json, data, lim, doc, probs) {
		return
	}
	decodeWhole(ctx, file, json, data, lim, doc, probs)
}

// decodeWhole parses the document into one tree, then decodes it.
func decodeWhole(ctx context.Context, file string, json bool, data []byte, lim cf.Limits, doc *inventory.Doc, probs *cf.Problems) {
	parse := tree.ParseYAMLContext
	if json {
		parse = tree.ParseJSONContext
	}
	root, err := parse(ctx, file, data, lim)
	if err != nil {
		if ps, ok := cf.AsProblems(err); ok {
			probs.Merge(ps)
		}
		return
	}
	decodeTree(ctx, root, doc, probs)
}

// decodeStream streams the document into doc, which is empty, reporting false, with doc
// and probs untouched, when it must be parsed whole. The records decoded
// go to doc only when the document had no problem that stops a parse (a
// key given twice); then, as decodeTree does, the problems of the root
// come before those of the records.
func decodeStream(ctx context.Context, file string, json bool, data []byte, lim cf.Limits, doc *inventory.Doc, probs *cf.Problems) bool {
	stream := tree.StreamYAML
	if json {
		stream = tree.StreamJSON
	}
	var read inventory.Doc
	recordProbs := &cf.Problems{}
	seen := map[string]bool{}
	root, err := stream(ctx, file, data, lim, func(e tree.Entry) {
		if e.More {
			decodeSection(ctx, e.Key, e.Value, &read, recordProbs)
			return
		}
		if e.Len > 0 && !seen[e.Key.Text] {
			reserve(&read, e.Key.Text, e.Len)
		}
		decodeEntry(ctx, e.Key, e.Value, &read, recordProbs, seen)
	})
	switch {
	case errors.Is(err, tree.ErrNotStreamable):
		return false
	case err != nil:
		if ps, ok := cf.AsProblems(err); ok {
			probs.Merge(ps)
		}
		return true // or ctx's error, which the caller returns
	}
	checkRoot(root, probs)
	probs.Merge(recordProbs)
	*doc = read
	return true
}

// reserve makes room for n more records in the section named: growing a
// slice of a million records by doubling copies them all, twice over.
func reserve(doc *inventory.Doc, section string, n int) {
	switch section {
	case "operators":
		doc.Operators = growRecords(doc.Operators, n)
	case "sites":
		doc.Sites = growRecords(doc.Sites, n)
	case "elements":
		doc.Elements = growRecords(doc.Elements, n)
	case "links":
		doc.Links = growRecords(doc.Links, n)
	case "areas":
		doc.Areas = growRecords(doc.Areas, n)
	case "vendors":
		doc.Vendors = growRecords(doc.Vendors, n)
	case "functions":
		doc.Functions = growRecords(doc.Functions, n)
	}
}
