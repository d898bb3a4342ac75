package tree

import (
	"bytes"
	"context"
	"encoding/json"
	"unicode/utf8"
	"unsafe"

	cf "github.com/corefence/corefence"
)

// StreamJSON reads a JSON document whose root is an object, handing each
// top-level member to visit, and each array in batches of items (see
// Entry). It scans the bytes itself, counting lines as it goes, which is
// several times quicker than encoding/json's Decoder.Token, and builds the
// nodes ParseJSON builds, with the same positions. It accepts only what
// encoding/json accepts; a syntax error, too deep a nesting, or a root
// that is not an object returns ErrNotStreamable, and the caller parses
// the file whole, which words the error exactly as it always has.
//
// It returns the root object less the items of its arrays, or the problems
// ParseJSON would return (invalid UTF-8, keys given twice), or ctx's
// error. Whatever visit received is void when it returns an error.
//
// With more than one worker (opts), the batches of an array after its
// first are read and visited by that many goroutines at once (see Entry): a quick
// pass over the array finds where its batches begin, and each is read by
// a scanner of its own, which must end exactly where its batch does.
func StreamJSON(ctx context.Context, file string, data []byte, lim cf.Limits, opts StreamOptions, visit func(Entry)) (*Node, error) {
	if ok, err := checkParts(ctx, data, opts.Workers, utf8.Valid); err != nil {
		return nil, err
	} else if !ok {
		if err := CheckUTF8Context(ctx, file, data); err != nil {
			return nil, err
		}
		return nil, ErrNotStreamable // the file changed while it was read
	}
	probs := &cf.Problems{}
	s := &jsonScanner{ctx: ctx, file: file, data: data, lim: lim, probs: probs, slab: &nodeSlab{}, names: map[string]string{}}
	s.runner, s.per = newBatchRunner(ctx, opts.Workers), opts.batchItems()
	for range s.runner.workers {
		s.readers = append(s.readers, &jsonScanner{ctx: ctx, file: file, data: data, lim: lim, slab: &nodeSlab{}, views: true})
	}
	root := streamRoot{probs: probs}
	if err := s.object(&root, visit); err != nil {
		return nil, err
	}
	if s.space(); s.i != len(s.data) {
		return nil, ErrNotStreamable // data after the value
	}
	return root.finish()
}

// jsonScanner reads JSON from data, keeping the line and column of each
// token.
type jsonScanner struct {
	ctx       context.Context
	file      string
	data      []byte
	i         int // next byte
	line      int // lines before the current one
	lineStart int // offset of the current line
	nodes     int
	slab      *nodeSlab         // where nodes come from
	names     map[string]string // keys read so far, so that each is one string (unless views)
	views     bool              // texts view data (a batch's items: see Entry)
	lim       cf.Limits
	probs     *cf.Problems
	runner    *batchRunner
	readers   []*jsonScanner // of the batches of arrays, one per worker
	per       int            // items a batch holds at most
}

// errSyntax stands for any input encoding/json would refuse or word: the
// whole parse reports it.
var errSyntax = ErrNotStreamable

func (s *jsonScanner) pos() cf.Position {
	return cf.Position{File: s.file, Line: s.line + 1, Column: s.i - s.lineStart + 1}
}

// space skips white space, counting lines.
func (s *jsonScanner) space() {
	for s.i < len(s.data) {
		switch s.data[s.i] {
		case '\n':
			s.line++
			s.lineStart = s.i + 1
		case ' ', '\t', '\r':
		default:
			return
		}
		s.i++
	}
}

// peek skips white space and returns the next byte, or 0 at the end.
func (s *jsonScanner) peek() byte {
	s.space()
	if s.i == len(s.data) {
		return 0
	}
	return s.data[s.i]
}

// object reads the top-level object: members whose value is an array go to
// visit in batches, the others whole.
func (s *jsonScanner) object(root *streamRoot, visit func(Entry)) error {
	if s.peek() != '{' {
		return errSyntax // not an object, or empty: the whole parse says which
	}
	root.root = &Node{Kind: Map, Pos: s.pos()}
	s.i++
	if s.peek() == '}' {
		s.i++
		return nil
	}
	for {
		key, err := s.key(1)
		if err != nil {
			return err
		}
		if s.peek() == '[' {
			if err := s.array(key, root, visit); err != nil {
				return err
			}
		} else {
			val, err := s.value(1)
			if err != nil {
				return err
			}
			root.add(key, val)
			visit(Entry{Key: key, Value: val})
		}
		if err := s.ctx.Err(); err != nil {
			return err
		}
		switch s.peek() {
		case ',':
			s.i++
		case '}':
			s.i++
			return nil
		default:
			return errSyntax
		}
	}
}

// array reads a top-level member's array in batches of items at depth 2.
func (s *jsonScanner) array(key *Node, root *streamRoot, visit func(Entry)) error {
	if 1 > s.lim.Depth {
		return errSyntax
	}
	seq := &Node{Kind: Seq, Pos: s.pos()}
	root.add(key, seq)
	open := s.i
	batches, end, ok := splitArray(s.data, open, s.line, s.lineStart, s.per)
	if !ok {
		return errSyntax
	}
	if len(batches) == 0 { // an empty array is one empty batch
		visit(Entry{Key: key, Value: &Node{Kind: Seq, Pos: seq.Pos}})
	}
	total := 0
	for _, b := range batches {
		total += b.items
	}
	total = min(total, (end.start-open)/minItemBytes+1) // a hostile array of tiny items reserves little
	defer s.runner.stop()                               // before a panic leaves: the workers read the input
	var err error
	for _, b := range batches {
		if err = s.runner.batch(s.probs, func(w int, probs *cf.Problems) error {
			length := 0
			if b.at == 0 {
				length = total
			}
			return s.readers[w].batch(b, seq.Pos, probs, key, w, visit, length)
		}); err != nil {
			break
		}
	}
	if werr := s.runner.endList(s.probs); err == nil {
		err = werr
	}
	s.i, s.line, s.lineStart = end.start+1, end.line, end.lineStart
	return err
}

// jsonBatch is a stretch of an array's items: data[start:end], from the
// first byte after the '[' or ',' before its first item to the ',' or ']'
// after its last, with the line it starts on (lines before it) and that
// line's offset.
type jsonBatch struct {
	start, end, line, lineStart int
	items, at                   int // how many items it holds, and the index in the array of its first
}

// batch reads b, whose items are the array's from b.at, as worker w, and
// visits them; first says the list's length for its first batch.
func (s *jsonScanner) batch(b jsonBatch, pos cf.Position, probs *cf.Problems, key *Node, w int, visit func(Entry), length int) error {
	s.i, s.line, s.lineStart, s.probs = b.start, b.line, b.lineStart, probs
	s.slab.reset()
	items := s.slab.take(b.items)[:0]
	for {
		item, err := s.value(2)
		if err != nil {
			return err
		}
		items = append(items, item)
		if c := s.peek(); s.i == b.end && len(items) == b.items {
			break
		} else if c != ',' || s.i >= b.end {
			return errSyntax
		}
		s.i++
	}
	visit(Entry{Key: key, Value: &Node{Kind: Seq, Pos: pos, Items: items}, More: b.at > 0, Len: length, At: b.at, Worker: w})
	return nil
}

// splitArray cuts the array that opens at data[open] into batches of per
// items at most, following its strings and brackets and
// counting its lines, and returns them with the position of its ']'. It
// does not check the syntax, which the reading of each batch does; it
// reports false where the array does not end.
func splitArray(data []byte, open, line, lineStart, per int) (batches []jsonBatch, end jsonBatch, ok bool) {
	b := jsonBatch{start: open + 1, line: line, lineStart: lineStart}
	depth, item := 0, false // item: the current item has begun
	for i := open + 1; i < len(data); i++ {
		switch c := data[i]; c {
		case '"': // to the quote that no odd run of backslashes escapes
			open := i
			for {
				j := bytes.IndexByte(data[i+1:], '"')
				if j < 0 {
					return nil, jsonBatch{}, false
				}
				i += 1 + j
				k := i - 1
				for k > open && data[k] == '\\' {
					k--
				}
				if (i-1-k)%2 == 0 {
					break
				}
			}
			item = true
		case '[', '{':
			depth++
			item = true
		case ']', '}':
			if depth > 0 {
				depth--
				continue
			}
			if item {
				b.items++
			}
			if b.items > 0 || b.at > 0 {
				b.end = i
				batches = append(batches, b)
			}
			return batches, jsonBatch{start: i, line: line, lineStart: lineStart}, c == ']'
		case ',':
			if depth > 0 {
				continue
			}
			b.items++
			item = false
			if b.items == per {
				b.end = i
				batches = append(batches, b)
				b = jsonBatch{start: i + 1, line: line, lineStart: lineStart, at: b.at + b.items}
			}
		case '\n':
			line++
			lineStart = i + 1
		case ' ', '\t', '\r':
		default:
			item = true
		}
	}
	return nil, jsonBatch{}, false
}

// key reads an object's key and the colon after it.
func (s *jsonScanner) key(depth int) (*Node, error) {
	if s.peek() != '"' || depth > s.lim.Depth {
		return nil, errSyntax
	}
	var k *Node
	if end := bytes.IndexByte(s.data[s.i+1:], '"'); end >= 0 && !s.views { // a view costs nothing to make
		raw := s.data[s.i+1 : s.i+1+end]
		if name, ok := s.names[string(raw)]; ok { // a key seen before: no escape, and no new string
			k = s.slab.node(Node{Kind: String, Text: name, Pos: s.pos()})
			s.i += end + 2
		}
	}
	if k == nil {
		start := s.i
		var err error
		if k, err = s.value(depth); err != nil {
			return nil, err
		}
		if raw := s.data[start+1 : s.i-1]; !s.views && bytes.IndexByte(raw, '\\') < 0 && len(s.names) < maxNames {
			s.names[k.Text] = k.Text // its bytes are its text
		}
	}
	if s.peek() != ':' {
		return nil, errSyntax
	}
	s.i++
	return k, nil
}

// value reads one value at depth, as ParseJSON's valueFrom builds it.
func (s *jsonScanner) value(depth int) (*Node, error) {
	if s.nodes++; s.nodes%cancelEvery == 0 && s.ctx.Err() != nil {
		return nil, s.ctx.Err()
	}
	c := s.peek()
	pos := s.pos()
	if depth > s.lim.Depth {
		return nil, errSyntax
	}
	switch {
	case c == '"':
		text, err := s.str()
		return s.slab.node(Node{Kind: String, Text: text, Pos: pos}), err
	case c == '-' || '0' <= c && c <= '9':
		text, err := s.number()
		return s.slab.node(Node{Kind: Number, Text: text, Pos: pos}), err
	case c == '{':
		s.i++
		n, base := s.slab.node(Node{Kind: Map, Pos: pos}), len(s.slab.stack)
		if s.peek() == '}' {
			s.i++
			s.slab.pairs(n, base)
			return n, nil
		}
		for {
			k, err := s.key(depth + 1)
			if err != nil {
				return nil, err
			}
			v, err := s.value(depth + 1)
			if err != nil {
				return nil, err
			}
			s.slab.stack = append(s.slab.stack, k, v)
			switch s.peek() {
			case ',':
				s.i++
				continue
			case '}':
				s.i++
				s.slab.pairs(n, base)
				duplicateKeys(n, s.probs)
				return n, nil
			}
			return nil, errSyntax
		}
	case c == '[':
		s.i++
		n, base := s.slab.node(Node{Kind: Seq, Pos: pos}), len(s.slab.stack)
		if s.peek() == ']' {
			s.i++
			s.slab.items(n, base)
			return n, nil
		}
		for {
			it, err := s.value(depth + 1)
			if err != nil {
				return nil, err
			}
			s.slab.stack = append(s.slab.stack, it)
			switch s.peek() {
			case ',':
				s.i++
				continue
			case ']':
				s.i++
				s.slab.items(n, base)
				return n, nil
			}
			return nil, errSyntax
		}
	}
	for _, lit := range [...]struct {
		word string
		kind Kind
	}{{"true", Bool}, {"false", Bool}, {"null", Null}} {
		if len(s.data)-s.i >= len(lit.word) && string(s.data[s.i:s.i+len(lit.word)]) == lit.word {
			s.i += len(lit.word)
			if lit.kind == Null {
				return s.slab.node(Node{Kind: Null, Pos: pos}), nil
			}
			return s.slab.node(Node{Kind: Bool, Text: lit.word, Pos: pos}), nil
		}
	}
	return nil, errSyntax
}

// str reads a string. One without escapes is its bytes (UTF-8 was checked
// before); one with escapes is unquoted by encoding/json itself, so that
// every escape means what it means to ParseJSON.
func (s *jsonScanner) str() (string, error) {
	start := s.i
	s.i++
	escaped := false
	for s.i < len(s.data) {
		switch c := s.data[s.i]; {
		case c == '"':
			s.i++
			if !escaped {
				return s.text(start+1, s.i-1), nil
			}
			var out string
			if err := json.Unmarshal(s.data[start:s.i], &out); err != nil {
				return "", errSyntax
			}
			return out, nil
		case c == '\\':
			escaped = true
			s.i += 2
			continue
		case c < 0x20:
			return "", errSyntax
		}
		s.i++
	}
	return "", errSyntax
}

// number reads a number as JSON's grammar has it, returning its text.
func (s *jsonScanner) number() (string, error) {
	start := s.i
	digits := func() int {
		n := 0
		for s.i < len(s.data) && '0' <= s.data[s.i] && s.data[s.i] <= '9' {
			s.i++
			n++
		}
		return n
	}
	if s.data[s.i] == '-' {
		s.i++
	}
	switch {
	case s.i < len(s.data) && s.data[s.i] == '0':
		s.i++
	case digits() == 0:
		return "", errSyntax
	}
	if s.i < len(s.data) && s.data[s.i] == '.' {
		s.i++
		if digits() == 0 {
			return "", errSyntax
		}
	}
	if s.i < len(s.data) && (s.data[s.i] == 'e' || s.data[s.i] == 'E') {
		s.i++
		if s.i < len(s.data) && (s.data[s.i] == '+' || s.data[s.i] == '-') {
			s.i++
		}
		if digits() == 0 {
			return "", errSyntax
		}
	}
	if s.i < len(s.data) {
		switch c := s.data[s.i]; c {
		case ' ', '\t', '\r', '\n', ',', ']', '}':
		default:
			return "", errSyntax // "01", "1x": encoding/json words these
		}
	}
	return s.text(start, s.i), nil
}

// text is data[start:end] as a string: a view of it for a reader of
// batches, else a copy.
func (s *jsonScanner) text(start, end int) string {
	if !s.views || start == end {
		return string(s.data[start:end])
	}
	return unsafe.String(&s.data[start], end-start)
}

// maxNames bounds the keys StreamJSON shares the strings of: an inventory
// has a few dozen, a hostile file any number.
const maxNames = 1024

// minItemBytes is fewer bytes than any record corefence writes takes.
const minItemBytes = 32
