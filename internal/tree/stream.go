package tree

import (
	"errors"

	cf "github.com/corefence/corefence"
)

// Streaming reads a document whose root is a mapping one top-level entry at
// a time, and a long list one batch of items at a time, so that a national
// inventory never exists as one tree: only the batch being decoded does.
// The nodes handed out are the very nodes Parse would build, with the same
// positions, and the same problems stop a stream as stop a parse.

// ErrNotStreamable says that a document has a shape the streaming readers
// do not read piece by piece: flow style at the top, a syntax error, an
// alias reaching from one batch into another, a limit exceeded. Parse it
// whole instead, which words any error exactly as it always has.
var ErrNotStreamable = errors.New("document cannot be streamed; parse it whole")

// Entry is one key of a document's top-level mapping with its value, or,
// for a list, with a batch of its items: a list arrives as consecutive
// entries with the same Key, each Value a Seq of the next items, all but
// the first with More set.
type Entry struct {
	Key   *Node
	Value *Node
	More  bool
}

// batchItems is how many list items an Entry carries at most: enough that
// the cost of a batch vanishes, few enough that its nodes stay small.
const batchItems = 512

// streamRoot collects the top-level keys of a streamed document, with the
// values that were not lists, so that the caller sees the mapping Parse
// would have returned less the items of its lists.
type streamRoot struct {
	root  *Node
	probs *cf.Problems
}

func (r *streamRoot) add(key, val *Node) {
	if r.root == nil {
		r.root = &Node{Kind: Map, Pos: key.Pos}
	}
	r.root.Keys, r.root.Vals = append(r.root.Keys, key), append(r.root.Vals, val)
}

// finish reports the keys given twice at the top, last as Parse does, and
// returns the root or every duplicate key found anywhere as the error.
func (r *streamRoot) finish() (*Node, error) {
	if r.root == nil {
		return nil, ErrNotStreamable
	}
	duplicateKeys(r.root, r.probs)
	if err := r.probs.Err(); err != nil {
		return nil, err
	}
	return r.root, nil
}
