package tree

import (
	"bytes"
	"context"
	"errors"
	"runtime"
	"runtime/debug"
	"sync"

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
// for a list, with a batch of its items: a list arrives as entries with
// the same Key, each Value a Seq of the next items, all but the first
// with More set.
//
// The nodes of a batch are valid only until visit returns: the reader
// uses their memory again for a later batch. The texts of a list's items
// may be views of the input (data): valid, and unchanged, while data is;
// whoever keeps one beyond that keeps a copy. The keys and values of the
// top level are always copies.
//
// With more than one worker, the batches of a list after its first are
// read and visited by several goroutines at once, in any order: each
// says which of them visits it (Worker), so that visit can keep a
// scratch space per worker, and where its items sit in the list (At).
// The first batch of a list is visited alone, before the others; the
// entry after a list only once every batch of it has been visited.
type Entry struct {
	Key    *Node
	Value  *Node
	More   bool
	Len    int // for the first batch of a list: how many items the list holds, when known, or 0
	At     int // for a batch: the index in its list of its first item
	Worker int // 0 ≤ Worker < the reader's workers
}

// StreamOptions say how a streaming reader shares out its work.
type StreamOptions struct {
	// Workers is how many goroutines read and visit the batches of a
	// list at once; 0 or 1: the caller's alone, in order.
	Workers int
	// BatchItems is how many list items an Entry carries at most; 0:
	// DefaultBatchItems.
	BatchItems int
}

// DefaultBatchItems is enough items that the cost of a batch vanishes,
// few enough that its nodes stay small.
const DefaultBatchItems = 512

// Parallel are the options for a national inventory: one worker per
// processor.
func Parallel() StreamOptions { return StreamOptions{Workers: runtime.GOMAXPROCS(0)} }

func (o StreamOptions) batchItems() int {
	if o.BatchItems <= 0 {
		return DefaultBatchItems
	}
	return o.BatchItems
}

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
	s.used++
	// Field by field, and the slices only where either side has one: a
	// whole-struct copy writes every pointer through the collector's
	// write barrier, and most nodes are scalars written over scalars.
	p.Kind, p.Text, p.Pos = n.Kind, n.Text, n.Pos
	if p.Items != nil || n.Items != nil {
		p.Items = n.Items
	}
	if p.Keys != nil || n.Keys != nil {
		p.Keys, p.Vals = n.Keys, n.Vals
	}
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

// batchRunner reads and visits the batches of a list after its first
// from workers goroutines at once, or, with one worker, in the caller's
// goroutine in order. The workers take on the caller's
// debug.SetPanicOnFault: the input may be a mapped file that another
// process cuts short, and a fault reading it is raised again in the
// caller's goroutine, which knows what to make of it. Any other panic is
// a bug, and crashes where it happened.
type batchRunner struct {
	ctx     context.Context
	workers int
	onFault bool
	jobs    chan func(worker int) error
	wg      sync.WaitGroup
	mu      sync.Mutex
	err     error
	fault   any
	listed  bool           // the first batch of the current list has run
	later   []*cf.Problems // of the list's batches after its first, in order
}

func newBatchRunner(ctx context.Context, workers int) *batchRunner {
	r := &batchRunner{ctx: ctx, workers: max(workers, 1)}
	r.onFault = debug.SetPanicOnFault(false)
	debug.SetPanicOnFault(r.onFault)
	return r
}

// start starts the workers for the batches of one list.
func (r *batchRunner) start() {
	if r.workers == 1 {
		return
	}
	r.jobs = make(chan func(int) error, r.workers)
	for w := range r.workers {
		r.wg.Go(func() {
			defer debug.SetPanicOnFault(debug.SetPanicOnFault(r.onFault))
			for job := range r.jobs {
				if r.failed() == nil {
					r.do(job, w)
				}
			}
		})
	}
}

// do runs one job, keeping its error or its fault.
func (r *batchRunner) do(job func(int) error, w int) {
	defer func() {
		if x := recover(); x != nil {
			if _, ok := x.(interface{ Addr() uintptr }); !ok {
				panic(x)
			}
			r.fail(nil, x)
		}
	}()
	if err := job(w); err != nil {
		r.fail(err, nil)
	}
}

func (r *batchRunner) fail(err error, fault any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err == nil && r.fault == nil {
		r.err, r.fault = err, fault
	}
}

// failed returns the first error a job returned, or ctx's.
func (r *batchRunner) failed() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fault != nil {
		return ErrNotStreamable // whoever waits raises the fault
	}
	if r.err != nil {
		return r.err
	}
	return r.ctx.Err()
}

// run runs job, in the caller's goroutine or by a worker, and returns the
// first error of any job so far.
func (r *batchRunner) run(job func(worker int) error) error {
	if r.jobs == nil {
		if err := job(0); err != nil {
			return err
		}
		return r.ctx.Err()
	}
	if err := r.failed(); err != nil {
		return err
	}
	r.jobs <- job
	return nil
}

// stop ends the workers started, if any, without a word: deferred by
// whoever starts them, so that a panic of its own goroutine (a fault
// reading ahead of the workers) leaves no worker reading the input after
// the caller has released it.
func (r *batchRunner) stop() {
	if r.jobs != nil {
		close(r.jobs)
		r.wg.Wait()
		r.jobs = nil
	}
}

// batch runs the reading of one batch of a list, job: the first batch in
// the caller's goroutine, alone, its problems going straight to probs,
// then, once it is done, the workers' start; each later batch by a
// worker, its problems kept apart until endList merges them in order. It
// returns the first error of any batch so far, or ctx's.
func (r *batchRunner) batch(probs *cf.Problems, job func(worker int, probs *cf.Problems) error) error {
	if !r.listed {
		r.listed = true
		if err := job(0, probs); err != nil {
			return err
		}
		r.start()
		return r.ctx.Err()
	}
	p := &cf.Problems{}
	r.later = append(r.later, p)
	return r.run(func(w int) error { return job(w, p) })
}

// endList waits for the batches of the list, adds their problems to probs
// in the order of the list, and returns the first error.
func (r *batchRunner) endList(probs *cf.Problems) error {
	err := r.wait()
	for _, p := range r.later {
		probs.Merge(p)
	}
	r.listed, r.later = false, nil
	return err
}

// wait waits for the jobs of the list started, raises a fault one of them
// met, and returns the first error.
func (r *batchRunner) wait() error {
	r.stop()
	if r.fault != nil {
		panic(r.fault)
	}
	err := r.err
	r.err = nil
	if err == nil {
		err = r.ctx.Err()
	}
	return err
}

// errCheckFailed ends checkParts at the first part that fails.
var errCheckFailed = errors.New("check failed")

// checkParts runs check on data cut after line breaks into parts of a
// few MiB, from workers goroutines at once, looking at ctx between parts:
// the checks a streaming reader makes of the whole input before reading
// it took as long as reading it by one worker. It reports whether check
// held for every part, or ctx's error.
func checkParts(ctx context.Context, data []byte, workers int, check func([]byte) bool) (bool, error) {
	const size = 4 << 20
	r := newBatchRunner(ctx, workers)
	r.start()
	defer r.stop()
	var err error
	for len(data) > 0 && err == nil {
		n := min(len(data), size)
		if i := bytes.IndexByte(data[n:], '\n'); i >= 0 {
			n += i + 1 // a part ends after a line break, never inside a character
		} else {
			n = len(data)
		}
		part := data[:n]
		data = data[n:]
		err = r.run(func(int) error {
			if !check(part) {
				return errCheckFailed
			}
			return nil
		})
	}
	if werr := r.wait(); err == nil {
		err = werr
	}
	if err == errCheckFailed {
		return false, nil
	}
	return err == nil, err
}
