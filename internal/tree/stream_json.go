package tree

import (
	"bytes"
	"context"
	"encoding/json"

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
func StreamJSON(ctx context.Context, file string, data []byte, lim cf.Limits, visit func(Entry)) (*Node, error) {
	if err := CheckUTF8Context(ctx, file, data); err != nil {
		return nil, err
	}
	probs := &cf.Problems{}
	s := &jsonScanner{ctx: ctx, file: file, data: data, lim: lim, probs: probs, slab: &nodeSlab{}}
	s.batch, s.kept, s.names = s.slab, s.slab, map[string]string{}
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
	slab      *nodeSlab // where nodes come from: batch while reading a list's items, else kept
	batch     *nodeSlab
	kept      *nodeSlab
	names     map[string]string // keys read so far, so that each is one string
	lim       cf.Limits
	probs     *cf.Problems
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
	s.batch = &nodeSlab{} // the root keeps its keys and values: they are not in memory used again
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
	s.i++
	s.slab = s.batch
	defer func() { s.slab = s.kept }()
	batch := &Node{Kind: Seq, Pos: seq.Pos}
	more, total := false, countItems(s.data[s.i-1:])
	flush := func() {
		visit(Entry{Key: key, Value: batch, More: more, Len: total})
		total = 0
		batch.Items, more = batch.Items[:0], true
		s.slab.reset()
	}
	if s.peek() == ']' {
		s.i++
		flush()
		return nil
	}
	for {
		item, err := s.value(2)
		if err != nil {
			return err
		}
		batch.Items = append(batch.Items, item)
		switch s.peek() {
		case ',':
			s.i++
		case ']':
			s.i++
			flush()
			return nil
		default:
			return errSyntax
		}
		if len(batch.Items) == batchItems {
			flush()
			if err := s.ctx.Err(); err != nil {
				return err
			}
		}
	}
}

// key reads an object's key and the colon after it.
func (s *jsonScanner) key(depth int) (*Node, error) {
	if s.peek() != '"' || depth > s.lim.Depth {
		return nil, errSyntax
	}
	var k *Node
	if end := bytes.IndexByte(s.data[s.i+1:], '"'); end >= 0 {
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
		if raw := s.data[start+1 : s.i-1]; bytes.IndexByte(raw, '\\') < 0 && len(s.names) < maxNames {
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
				return string(s.data[start+1 : s.i-1]), nil
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
	return string(s.data[start:s.i]), nil
}

// countItems counts the items of the array that data starts with, for
// sizing the records once; bytes it cannot make sense of only make the
// count wrong, which costs an allocation and no more. At most one item per
// minItemBytes of the array is counted, so that a hostile array of tiny
// items does not reserve room for millions of records.
func countItems(data []byte) int {
	depth, items, empty := 0, 0, true
	for i := 0; i < len(data); i++ {
		switch c := data[i]; c {
		case '"':
			for i++; i < len(data) && data[i] != '"'; i++ {
				if data[i] == '\\' {
					i++
				}
			}
			empty = false
		case '[', '{':
			depth++
			if depth > 1 {
				empty = false
			}
		case ']', '}':
			if depth--; depth == 0 {
				if !empty {
					items++
				}
				return min(items, i/minItemBytes+1)
			}
		case ',':
			if depth == 1 {
				items++
			}
		case ' ', '\t', '\r', '\n':
		default:
			empty = false
		}
	}
	return 0
}

// maxNames bounds the keys StreamJSON shares the strings of: an inventory
// has a few dozen, a hostile file any number.
const maxNames = 1024

// minItemBytes is fewer bytes than any record corefence writes takes.
const minItemBytes = 32
