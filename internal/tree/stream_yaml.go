package tree

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"sync"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	cf "github.com/corefence/corefence"
)

// StreamYAML reads a YAML document whose root is a block mapping, handing
// each top-level entry to visit, and each list written in block style
// (`key:` then `- …` lines, as corefence's exporter writes them) in
// batches of items. It splits the text at lines only: a top-level key
// starts at column 0, an item of a list at the column of the list's first
// dash. Each piece is parsed by yaml.v3 on its own, with its lines
// renumbered to the file's, and converted as ParseYAML converts it, under
// the same limits (the alias budget is shared by the pieces).
//
// A split is safe because a piece that is not what it seems does not
// parse as one: a quoted scalar or a flow collection that runs across a
// split is left open, an alias to another piece finds no anchor, and an
// item count that differs from the dashes counted shows a dash that was
// inside a scalar. Any such doubt, like any syntax error, returns
// ErrNotStreamable, and the caller parses the file whole.
//
// It returns the root mapping less the items of its lists (a list's value
// is a Seq holding only its position), or the problems ParseYAML would
// return (invalid UTF-8, keys given twice), or ctx's error. Whatever visit
// received is void when it returns an error.
//
// With more than one worker (opts), the batches of a list after its first
// are read and visited by that many goroutines at once (see Entry).
func StreamYAML(ctx context.Context, file string, data []byte, lim cf.Limits, opts StreamOptions, visit func(Entry)) (*Node, error) {
	// A byte order mark shifts the first line's columns; a character
	// yaml.v3 refuses may sit in a comment the split skips; a line break
	// the split does not see would join two of yaml.v3's lines.
	ok, err := checkParts(ctx, data, opts.Workers, func(part []byte) bool {
		return utf8.Valid(part) && readable(part)
	})
	if err != nil {
		return nil, err
	}
	if !ok {
		if err := CheckUTF8Context(ctx, file, data); err != nil {
			return nil, err
		}
		return nil, ErrNotStreamable
	}
	if bytes.HasPrefix(data, []byte("\xef\xbb\xbf")) {
		return nil, ErrNotStreamable
	}
	probs := &cf.Problems{}
	s := &yamlStream{
		ctx:    ctx,
		data:   data,
		conv:   &yamlConverter{ctx: ctx, file: file, lim: lim, probs: probs},
		visit:  visit,
		root:   streamRoot{probs: probs},
		runner: newBatchRunner(ctx, opts.Workers),
		per:    opts.batchItems(),
	}
	s.flows = make([]flowLines, s.runner.workers)
	for i := range s.flows {
		s.flows[i] = flowLines{file: file, lim: lim}
	}
	if err := s.entries(); err != nil {
		return nil, err
	}
	return s.root.finish()
}

type yamlStream struct {
	ctx    context.Context
	data   []byte
	conv   *yamlConverter
	convMu sync.Mutex // conv is the workers' when a batch is not in flowLines' subset
	visit  func(Entry)
	root   streamRoot
	flows  []flowLines // one per worker
	runner *batchRunner
	per    int // items a batch holds at most
	off    int // start of the current line
	line   int // its number, from 1
}

// yline is one line of the input.
type yline struct {
	start, end int // end is the start of the next line
	indent     int // leading spaces
	blank      bool
}

func (s *yamlStream) lineAt(off int) yline {
	end := bytes.IndexByte(s.data[off:], '\n')
	if end < 0 {
		end = len(s.data)
	} else {
		end += off + 1
	}
	l := yline{start: off, end: end}
	for off+l.indent < end && s.data[off+l.indent] == ' ' {
		l.indent++
	}
	rest := bytes.TrimLeft(s.data[off+l.indent:end], " \t\r\n")
	l.blank = len(rest) == 0 || rest[0] == '#'
	return l
}

// tabbed reports whether a tab follows l's leading spaces. Where yaml.v3
// may start a key, as at the start of a line in a block, it takes no tab
// before a token or a comment, not even on a line otherwise blank; the
// blank lines no part holds (before the first key, between a list's key
// and its first item) are not parsed, so such a line there declines the
// split and the whole parse words it.
func (s *yamlStream) tabbed(l yline) bool {
	i := l.start + l.indent
	return i < l.end && s.data[i] == '\t'
}

// next moves to the line after l.
func (s *yamlStream) next(l yline) { s.off, s.line = l.end, s.line+1 }

// item reports whether l starts an item of a block list: a dash followed
// by white space or nothing.
func (s *yamlStream) item(l yline) bool {
	i := l.start + l.indent
	if i >= l.end || s.data[i] != '-' {
		return false
	}
	return i+1 == l.end || s.data[i+1] == ' ' || s.data[i+1] == '\t' || s.data[i+1] == '\r' || s.data[i+1] == '\n'
}

// keyLine reports whether l may start a top-level entry: at column 0, and
// not a document marker, a directive, a complex key or flow style, which
// the parts of a split document would each read differently.
func (s *yamlStream) keyLine(l yline) bool {
	if l.blank || l.indent != 0 {
		return false
	}
	switch s.data[l.start] {
	case '-', '.', '%', '?', '[', '{', '&', '*', '!', '|', '>', '\t':
		return false
	}
	return true
}

func (s *yamlStream) entries() error {
	s.line = 1
	started := false
	for s.off < len(s.data) { // comments, blank lines and one "---" before the first key
		l := s.lineAt(s.off)
		if !l.blank {
			if started || !isDocStart(s.data[l.start:l.end]) {
				break
			}
			started = true
		} else if s.tabbed(l) {
			return ErrNotStreamable
		}
		s.next(l)
	}
	for s.off < len(s.data) {
		if err := s.ctx.Err(); err != nil {
			return err
		}
		l := s.lineAt(s.off)
		if !s.keyLine(l) {
			return ErrNotStreamable
		}
		key, keyLineNo := l, s.line
		s.next(l)
		tabbed := false
		for s.off < len(s.data) { // the first line of the value
			if l = s.lineAt(s.off); !l.blank {
				break
			}
			tabbed = tabbed || s.tabbed(l)
			s.next(l)
		}
		if s.off < len(s.data) && s.item(l) {
			if tabbed {
				return ErrNotStreamable
			}
			if err := s.list(key, keyLineNo, l.indent); err != nil {
				return err
			}
			continue
		}
		for s.off < len(s.data) { // a value that is not a block list: to the next key
			if l = s.lineAt(s.off); !l.blank && l.indent == 0 {
				break
			}
			s.next(l)
		}
		m, err := s.part(key.start, s.off, keyLineNo)
		if err != nil {
			return err
		}
		k, v, err := s.entry(m)
		if err != nil {
			return err
		}
		s.root.add(k, v)
		s.visit(Entry{Key: k, Value: v})
	}
	return nil
}

// isDocStart reports whether a line is a bare document start marker.
func isDocStart(line []byte) bool {
	rest, ok := bytes.CutPrefix(line, []byte("---"))
	if !ok {
		return false
	}
	rest = bytes.TrimLeft(rest, " \t\r\n")
	return len(rest) == 0 || rest[0] == '#' && len(line) > 3 && (line[3] == ' ' || line[3] == '\t')
}

// list reads the block list of the entry whose key line is key, with its
// items at column col, in batches; s is at the first item.
func (s *yamlStream) list(key yline, keyLineNo, col int) error {
	m, err := s.part(key.start, key.end, keyLineNo)
	if err != nil {
		return err
	}
	if m.Kind != yaml.MappingNode {
		return ErrNotStreamable
	}
	if v := m.Content[1]; v.Kind != yaml.ScalarNode || v.Tag != "!!null" || v.Value != "" || v.Anchor != "" || v.Style != 0 {
		return ErrNotStreamable // `key: value` followed by a list
	}
	k, _, err := s.entry(m)
	if err != nil {
		return err
	}
	defer s.runner.stop() // before a panic leaves: the workers read the input
	// The document's problems; read here, before any worker runs: a
	// worker lends s.conv another list while yaml.v3 reads its batch.
	probs := s.conv.probs
	start, startLine, items, at := s.off, s.line, 0, 0
	flush := func(end int) error {
		if items == 0 {
			return nil
		}
		start, end, startLine, items, at := start, end, startLine, items, at // as they are now: a worker may run it later
		return s.runner.batch(probs, func(w int, probs *cf.Problems) error {
			batch, err := s.batch(w, probs, start, end, startLine, col, items)
			if err != nil {
				return err
			}
			e := Entry{Key: k, Value: batch, More: at > 0, At: at, Worker: w}
			if at == 0 { // the first batch: run alone, in this goroutine
				s.root.add(k, &Node{Kind: Seq, Pos: batch.Pos})
				e.Len = s.countItems(start, col)
			}
			s.visit(e)
			return nil
		})
	}
	err = s.items(col, func(l yline) error {
		if items == s.per {
			if err := flush(l.start); err != nil {
				return err
			}
			at += items
			start, startLine, items = l.start, s.line, 0
		}
		items++
		return nil
	})
	if err == nil {
		err = flush(s.off)
	}
	if werr := s.runner.endList(probs); err == nil {
		err = werr
	}
	return err
}

// items moves s past the lines of a list whose items are at column col,
// up to the next top-level key, calling item at each line that starts an
// item.
func (s *yamlStream) items(col int, item func(yline) error) error {
	for s.off < len(s.data) {
		l := s.lineAt(s.off)
		isItem := !l.blank && l.indent == col && s.item(l)
		if !l.blank && l.indent == 0 && !isItem {
			break // the next top-level key
		}
		if isItem {
			if err := item(l); err != nil {
				return err
			}
		}
		s.next(l)
	}
	return nil
}

// part parses data[start:end], which begins at line lineNo, as one YAML
// document and returns its root: a block mapping of one key, or a block
// sequence.
func (s *yamlStream) part(start, end, lineNo int) (*yaml.Node, error) {
	var doc, extra yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(s.data[start:end]))
	if err := dec.Decode(&doc); err != nil || len(doc.Content) != 1 {
		return nil, ErrNotStreamable
	}
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, ErrNotStreamable
	}
	s.conv.line = lineNo - 1
	s.conv.anchors = nil // an alias cannot reach another part: yaml.v3 refused it above
	root := doc.Content[0]
	if root.Style&yaml.FlowStyle != 0 || root.Anchor != "" || root.Tag != "!!map" && root.Tag != "!!seq" {
		return nil, ErrNotStreamable
	}
	if root.Kind == yaml.MappingNode && (len(root.Content) != 2 || root.Column != 1) {
		return nil, ErrNotStreamable
	}
	return root, nil
}

// entry converts a mapping of one key, returning the key and its value.
func (s *yamlStream) entry(m *yaml.Node) (*Node, *Node, error) {
	if m.Kind != yaml.MappingNode {
		return nil, nil, ErrNotStreamable
	}
	n, err := s.conv.node(m, 0)
	if err != nil {
		return nil, nil, s.failed(err)
	}
	return n.Keys[0], n.Vals[0], nil
}

// batch parses and converts data[start:end], the next items of a list at
// column col, of which there must be items, as worker w, putting the
// problems of its records in probs.
func (s *yamlStream) batch(w int, probs *cf.Problems, start, end, lineNo, col, items int) (*Node, error) {
	flow := &s.flows[w]
	if seq, ok := flow.batch(s.data[start:end], lineNo, col); ok && len(seq.Items) == items {
		probs.Merge(&flow.probs)
		return seq, nil
	}
	// yaml.v3 reads what flowLines does not, one batch at a time: the
	// converter, which counts aliases across the document, is shared.
	s.convMu.Lock()
	defer s.convMu.Unlock()
	kept := s.conv.probs
	s.conv.probs = probs
	defer func() { s.conv.probs = kept }()
	seq, err := s.part(start, end, lineNo)
	if err != nil {
		return nil, err
	}
	if seq.Kind != yaml.SequenceNode || seq.Column != col+1 || len(seq.Content) != items {
		return nil, ErrNotStreamable
	}
	n := &Node{Kind: Seq, Pos: cf.Position{File: s.conv.file, Line: s.conv.line + seq.Line, Column: seq.Column},
		Items: make([]*Node, 0, items)}
	for _, y := range seq.Content {
		it, err := s.conv.node(y, 2) // root 0, list 1, item 2
		if err != nil {
			return nil, s.failed(err)
		}
		n.Items = append(n.Items, it)
	}
	return n, nil
}

// failed passes ctx's error on; any other error of the conversion (a limit,
// a merge key) is worded by the whole parse.
func (s *yamlStream) failed(error) error {
	if s.ctx.Err() != nil {
		return s.ctx.Err()
	}
	return ErrNotStreamable
}

// countItems counts the lines from off that start an item at column col,
// up to the next top-level key, as list does, so that the records can be
// sized once.
func (s *yamlStream) countItems(off, col int) (n int) {
	start, line := s.off, s.line
	s.off = off
	s.items(col, func(yline) error { n++; return nil })
	n = min(n, (s.off-off)/minItemBytes+1) // as for JSON's countItems
	s.off, s.line = start, line
	return n
}

// readable reports whether yaml.v3's reader takes every character of data
// (it refuses control characters and a few others anywhere, comments
// included) and every line break is "\n" or "\r\n", the only ones the
// split into lines knows (yaml.v3 also breaks lines at a lone "\r" and at
// NEL, LINE SEPARATOR and PARAGRAPH SEPARATOR). data is UTF-8, cut after
// a line break. Printable ASCII, nearly all of an inventory, is passed
// over eight bytes at a time.
func readable(data []byte) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	for i := 0; i < len(data); {
		for ; i+8 <= len(data); i += 8 {
			w := binary.LittleEndian.Uint64(data[i:])
			del := w ^ 0x7f7f7f7f7f7f7f7f
			if (w|(w-0x20*ones)&^w|(del-ones)&^del)&highs != 0 {
				break // a byte that is not printable ASCII, or a false alarm: one character at a time
			}
		}
		if i == len(data) {
			break
		}
		c := data[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '\r' && (i+1 == len(data) || data[i+1] != '\n'):
				return false
			case c < ' ' && c != '\t' && c != '\n' && c != '\r' || c == 0x7f:
				return false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(data[i:])
		if !(0xA0 <= r && r <= 0xD7FF && r != 0x2028 && r != 0x2029 || 0xE000 <= r && r <= 0xFFFD || r >= 0x10000) {
			return false // NEL (0x85) is read, but as a line break
		}
		i += size
	}
	return true
}
