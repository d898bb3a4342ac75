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
// the first with More set. The nodes of a batch are valid only until visit
// returns: the reader uses their memory again for the next batch.
type Entry struct {
	Key   *Node
	Value *Node
	More  bool
	Len   int // for the first batch of a list: how many items the list holds, when known, or 0
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

// nodeSlab hands out nodes, and slices of node pointers, from blocks that
// are used again for the next batch once visit has returned: a batch is
// thousands of small nodes that die together, and without the reuse
// their allocation and collection were most of the time of a read.
type nodeSlab struct {
	nodes      []Node
	used, need int // of nodes: handed out from this block, and since reset
	ptrs       []*Node
	pused      int
	pneed      int
	stack      []*Node // the keys and values, or items, being read, innermost last
}

// reset makes every node handed out free again, sizing one block for as
// many nodes as the last batch took.
func (s *nodeSlab) reset() {
	if s.need > len(s.nodes) {
		s.nodes = make([]Node, s.need)
	}
	if s.pneed > len(s.ptrs) {
		s.ptrs = make([]*Node, s.pneed)
	}
	s.used, s.need, s.pused, s.pneed = 0, 0, 0, 0
}

func (s *nodeSlab) node(n Node) *Node {
	s.need++
	if s.used == len(s.nodes) {
		s.nodes, s.used = make([]Node, max(1024, len(s.nodes))), 0
	}
	p := &s.nodes[s.used]
	*p = n
	s.used++
	return p
}

// take returns a slice of n pointers, of capacity n, so that an append to
// it does not reach the next one's.
func (s *nodeSlab) take(n int) []*Node {
	s.pneed += n
	if len(s.ptrs)-s.pused < n {
		s.ptrs, s.pused = make([]*Node, max(n, 4096, len(s.ptrs))), 0
	}
	out := s.ptrs[s.pused : s.pused+n : s.pused+n]
	s.pused += n
	return out
}

// items moves the stack above base into n's items.
func (s *nodeSlab) items(n *Node, base int) {
	n.Items = s.take(len(s.stack) - base)
	copy(n.Items, s.stack[base:])
	s.stack = s.stack[:base]
}

// pairs moves the keys and values on the stack above base, pushed in
// turn, into n's keys and values.
func (s *nodeSlab) pairs(n *Node, base int) {
	count := (len(s.stack) - base) / 2
	n.Keys, n.Vals = s.take(count), s.take(count)
	for i := range count {
		n.Keys[i], n.Vals[i] = s.stack[base+2*i], s.stack[base+2*i+1]
	}
	s.stack = s.stack[:base]
}
