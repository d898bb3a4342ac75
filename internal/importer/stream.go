package importer

import (
	"context"
	"errors"
	"slices"
	"sync"

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
	return decodeStreamWith(ctx, file, json, data, lim, tree.Parallel(), doc, probs)
}

// decodeStreamWith is decodeStream under opts: the batches of a list are
// decoded by as many goroutines as read them.
func decodeStreamWith(ctx context.Context, file string, json bool, data []byte, lim cf.Limits, opts tree.StreamOptions, doc *inventory.Doc, probs *cf.Problems) bool {
	stream := tree.StreamYAML
	if json {
		stream = tree.StreamJSON
	}
	var read inventory.Doc
	recordProbs := &cf.Problems{}
	seen := map[string]bool{}
	lists := map[string]listDecoder{} // of the sections given as lists, by key
	var last listDecoder              // the list being read, finished at the next entry
	workers := max(opts.Workers, 1)
	root, err := stream(ctx, file, data, lim, opts, func(e tree.Entry) {
		if e.More { // perhaps beside other batches of the list
			if l := lists[e.Key.Text]; l != nil {
				l.decode(ctx, e)
			}
			return
		}
		// Every batch of the list before has been visited: its problems go
		// before this entry's, as they do when the document is read whole
		// (which matters once there are more than MaxProblems).
		if last != nil {
			last.finish(recordProbs)
			last = nil
		}
		if e.Value.Kind == tree.Seq && !seen[e.Key.Text] {
			if l := newListDecoder(&read, e.Key.Text, workers, e.Len); l != nil {
				seen[e.Key.Text] = true
				lists[e.Key.Text] = l
				last = l
				l.decode(ctx, e)
				return
			}
		}
		lists[e.Key.Text] = nil // a list given twice is reported once, and not read
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
	if last != nil {
		last.finish(recordProbs)
	}
	checkRoot(root, probs)
	probs.Merge(recordProbs)
	*doc = read
	return true
}

// listDecoder decodes the batches of one section's list as they arrive,
// several at once, each into its place among the section's records.
type listDecoder interface {
	decode(ctx context.Context, e tree.Entry)
	// finish closes the gaps between the batches' records and adds their
	// problems, in the order of the list.
	finish(probs *cf.Problems)
}

// newListDecoder returns the decoder of the list of the section named, of
// about length items, or nil for a key that is not a section.
func newListDecoder(doc *inventory.Doc, section string, workers, length int) listDecoder {
	switch section {
	case "operators":
		return newSectionList(operatorSection, &doc.Operators, workers, length)
	case "sites":
		return newSectionList(siteSection, &doc.Sites, workers, length)
	case "elements":
		return newSectionList(elementSection, &doc.Elements, workers, length)
	case "links":
		return newSectionList(linkSection, &doc.Links, workers, length)
	case "areas":
		return newSectionList(areaSection, &doc.Areas, workers, length)
	case "vendors":
		return newSectionList(vendorSection, &doc.Vendors, workers, length)
	case "functions":
		return newSectionList(functionSection, &doc.Functions, workers, length)
	}
	return nil
}

// sectionList is the listDecoder of a section whose records are T. The
// records go to their place in the room made for the list's length, which
// the reader counts, or, past it (a count that fell short), to a batch's
// own slice.
type sectionList[T any] struct {
	out      *[]T
	base     int // records before the list
	room     []T // out's records from base, to capacity
	decoders []recordDecoder[T]
	mu       sync.Mutex
	batches  []decodedBatch[T]
}

type decodedBatch[T any] struct {
	at, n int // the index of the batch's first item, and how many records it stored
	own   []T // where they are when not in room
	probs cf.Problems
}

func newSectionList[T any](s *section[T], out *[]T, workers, length int) *sectionList[T] {
	*out = growRecords(*out, length)
	l := &sectionList[T]{out: out, base: len(*out), decoders: make([]recordDecoder[T], workers)}
	l.room = (*out)[l.base:cap(*out)]
	for i := range l.decoders {
		l.decoders[i].s = s
	}
	return l
}

func (l *sectionList[T]) decode(ctx context.Context, e tree.Entry) {
	items := e.Value.Items
	b := decodedBatch[T]{at: e.At}
	dst := l.room[min(e.At, len(l.room)):]
	if len(dst) < len(items) {
		b.own = make([]T, len(items))
		dst = b.own
	}
	b.n = l.decoders[e.Worker].decode(ctx, items, dst, &b.probs)
	l.mu.Lock()
	l.batches = append(l.batches, b)
	l.mu.Unlock()
}

func (l *sectionList[T]) finish(probs *cf.Problems) {
	slices.SortFunc(l.batches, func(a, b decodedBatch[T]) int { return a.at - b.at })
	total, written := 0, 0
	for _, b := range l.batches {
		total += b.n
		if b.own == nil {
			written = max(written, b.at+b.n)
		}
	}
	out := (*l.out)[:l.base]
	grown := l.base+total > cap(out)
	if grown { // the count fell short: room made again, once
		out = growRecords(out, total)
	}
	dst := out[l.base : l.base+total]
	n := 0
	for i := range l.batches {
		b := &l.batches[i]
		src := b.own
		if src == nil {
			src = l.room[min(b.at, len(l.room)):]
		}
		if grown || b.own != nil || b.at != n {
			copy(dst[n:], src[:b.n])
		}
		n += b.n
		probs.Merge(&b.probs)
	}
	if !grown {
		clear(l.room[n:max(n, written)]) // what moved down is not kept alive twice
	}
	*l.out = out[:l.base+total]
}
