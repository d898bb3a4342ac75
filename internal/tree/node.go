// Package tree parses YAML and JSON into one tree of positioned nodes and
// decodes nodes into Go structs strictly: unknown fields, wrong types and
// missing required fields become problems that name the file, line and
// column. Inventories, policy packs, waivers and parameter files all read
// through it, so their errors look alike.
package tree

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"syscall"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	cf "github.com/corefence/corefence"
)

// node is a YAML or JSON value with its position, so that both formats share
// one decoder and every error can name a line and column.
type Node struct {
	Kind  Kind
	Text  string // scalars: the literal text
	Pos   cf.Position
	Items []*Node // sequences
	Keys  []*Node // mappings, in file order
	Vals  []*Node
}

type Kind uint8

const (
	String Kind = iota
	Number
	Bool
	Null
	Date // a YAML timestamp
	Seq
	Map
)

func (k Kind) String() string {
	return [...]string{"a string", "a number", "a boolean", "null", "a date", "a list", "a mapping"}[k]
}

// ParseYAML reads one YAML document under lim: aliases may add at most
// lim.AliasNodes nodes, nesting is at most lim.Depth deep, a key given twice
// in any mapping and invalid UTF-8 are errors.
func ParseYAML(file string, data []byte, lim cf.Limits) (*Node, error) {
	return ParseYAMLContext(context.Background(), file, data, lim)
}

// ParseYAMLContext is ParseYAML, giving up with ctx's error once ctx is
// done: yaml.v3 reads its input in small pieces, each of which looks at
// ctx, and the conversion looks every few thousand nodes.
func ParseYAMLContext(ctx context.Context, file string, data []byte, lim cf.Limits) (*Node, error) {
	if err := CheckUTF8Context(ctx, file, data); err != nil {
		return nil, err
	}
	var doc yaml.Node
	dec := yaml.NewDecoder(ctxReader{ctx, bytes.NewReader(data)})
	if err := dec.Decode(&doc); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if errors.Is(err, io.EOF) {
			return nil, cf.Problem{Pos: cf.Position{File: file}, Message: "file is empty"}
		}
		return nil, yamlProblem(file, err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return nil, cf.Problem{Pos: cf.Position{File: file, Line: extra.Line}, Message: "more than one YAML document; an inventory is one document"}
	}
	c := &yamlConverter{ctx: ctx, file: file, lim: lim, probs: &cf.Problems{}}
	n, err := c.node(&doc, 0)
	if err != nil {
		return nil, err
	}
	if err := c.probs.Err(); err != nil {
		return nil, err
	}
	return n, nil
}

// ctxReader reads r until ctx is done, then fails with ctx's error.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// cancelEvery is how many nodes the parsers convert between two looks at
// their context: often enough to stop within a millisecond, rarely enough
// to cost nothing.
const cancelEvery = 4096

// yamlProblem turns a yaml.v3 error ("yaml: line 3: …") into a Problem.
func yamlProblem(file string, err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	var line int
	if n, _ := fmt.Sscanf(msg, "line %d:", &line); n == 1 {
		msg = strings.TrimSpace(msg[strings.Index(msg, ":")+1:])
	}
	return cf.Problem{Pos: cf.Position{File: file, Line: line}, Message: "invalid YAML: " + cf.Short(msg)}
}

// CheckUTF8 reports the first byte of data that is not UTF-8: JSON and
// YAML decoders would replace it with U+FFFD, changing an id silently.
func CheckUTF8(file string, data []byte) error {
	return CheckUTF8Context(context.Background(), file, data)
}

// CheckUTF8Context is CheckUTF8, giving up with ctx's error once ctx is
// done; it looks after each MiB.
func CheckUTF8Context(ctx context.Context, file string, data []byte) error {
	valid := true
	for rest := data; len(rest) > 0 && valid; {
		if err := ctx.Err(); err != nil {
			return err
		}
		n := min(len(rest), 1<<20)
		for n < len(rest) && n > 0 && !utf8.RuneStart(rest[n]) {
			n-- // a chunk ends before a rune, not inside one
		}
		if n == 0 { // a MiB of continuation bytes: invalid anyway
			n = min(len(rest), 1<<20)
		}
		valid = utf8.Valid(rest[:n])
		rest = rest[n:]
	}
	if valid {
		return nil
	}
	line, col := 1, 1
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size == 1 {
			return cf.Problem{Pos: cf.Position{File: file, Line: line, Column: col},
				Message: fmt.Sprintf("invalid UTF-8 (byte 0x%02x); save the file as UTF-8", data[i])}
		}
		if r == '\n' {
			line, col = line+1, 0
		}
		col++
		i += size
	}
	return nil
}

// yamlConverter turns yaml.v3's nodes into Nodes, expanding aliases within
// the limits and collecting duplicate keys.
type yamlConverter struct {
	ctx        context.Context
	nodes      int // converted so far, for looking at ctx
	file       string
	lim        cf.Limits
	anchors    map[*yaml.Node]anchored // anchored nodes converted so far
	aliasNodes int64                   // nodes that aliases stand for so far
	probs      *cf.Problems
	line       int // added to every line: a part of a file read on its own starts at line+1
}

// anchored is the conversion of an anchored node, which its aliases share,
// and how many nodes it holds, which each alias adds to the document.
type anchored struct {
	node  *Node
	size  int64
	depth int // of the deepest node under it, counted from it
}

// node converts y. It returns how many nodes y stands for, aliases
// expanded, and how deep they go below it: the tree shares an anchored
// node among its aliases, but whoever walks it walks every copy, so the
// limits count them.
func (c *yamlConverter) node(y *yaml.Node, depth int) (*Node, error) {
	n, _, _, err := c.sized(y, depth)
	return n, err
}

func (c *yamlConverter) sized(y *yaml.Node, depth int) (n *Node, size int64, below int, err error) {
	pos := cf.Position{File: c.file, Line: c.line + y.Line, Column: y.Column}
	if depth > c.lim.Depth {
		return nil, 0, 0, cf.Problem{Pos: pos, Message: c.lim.Exceeded("depth", "lists and mappings nested too deeply")}
	}
	if y.Kind == yaml.AliasNode {
		a, ok := c.anchors[y.Alias]
		if !ok { // an alias inside its own anchor: a cycle
			return nil, 0, 0, cf.Problem{Pos: pos, Message: "a YAML alias refers to a node that contains it"}
		}
		if depth+a.depth > c.lim.Depth {
			return nil, 0, 0, cf.Problem{Pos: pos, Message: c.lim.Exceeded("depth", "lists and mappings nested too deeply")}
		}
		if c.aliasNodes += a.size; c.aliasNodes > c.lim.AliasNodes {
			return nil, 0, 0, cf.Problem{Pos: pos, Message: c.lim.Exceeded("alias-nodes", "YAML aliases expand to too many nodes")}
		}
		return a.node, a.size, a.depth, nil
	}
	if c.nodes++; c.nodes%cancelEvery == 0 && c.ctx.Err() != nil {
		return nil, 0, 0, c.ctx.Err()
	}
	n, size, below, err = c.convert(y, pos, depth)
	if err == nil && y.Anchor != "" {
		if c.anchors == nil {
			c.anchors = map[*yaml.Node]anchored{}
		}
		c.anchors[y] = anchored{n, size, below}
	}
	return n, size, below, err
}

func (c *yamlConverter) convert(y *yaml.Node, pos cf.Position, depth int) (*Node, int64, int, error) {
	size, below := int64(1), 0
	add := func(s int64, b int) { size, below = size+s, max(below, b+1) }
	switch y.Kind {
	case yaml.DocumentNode:
		if len(y.Content) == 0 {
			return nil, 0, 0, cf.Problem{Pos: pos, Message: "file is empty"}
		}
		return c.sized(y.Content[0], depth)
	case yaml.ScalarNode:
		n := &Node{Text: y.Value, Pos: pos}
		switch y.ShortTag() {
		case "!!int", "!!float":
			n.Kind = Number
		case "!!bool":
			n.Kind = Bool
		case "!!null":
			n.Kind = Null
		case "!!timestamp":
			n.Kind = Date
		default:
			n.Kind = String
		}
		return n, size, below, nil
	case yaml.SequenceNode:
		n := &Node{Kind: Seq, Pos: pos, Items: make([]*Node, 0, len(y.Content))}
		for _, item := range y.Content {
			it, s, b, err := c.sized(item, depth+1)
			if err != nil {
				return nil, 0, 0, err
			}
			add(s, b)
			n.Items = append(n.Items, it)
		}
		return n, size, below, nil
	case yaml.MappingNode:
		n := &Node{Kind: Map, Pos: pos, Keys: make([]*Node, 0, len(y.Content)/2), Vals: make([]*Node, 0, len(y.Content)/2)}
		for i := 0; i+1 < len(y.Content); i += 2 {
			k, v := y.Content[i], y.Content[i+1]
			kpos := cf.Position{File: c.file, Line: c.line + k.Line, Column: k.Column}
			if k.Kind != yaml.ScalarNode {
				return nil, 0, 0, cf.Problem{Pos: kpos, Message: "mapping keys must be plain strings"}
			}
			if k.Value == "<<" {
				return nil, 0, 0, cf.Problem{Pos: kpos, Message: "YAML merge keys (<<) are not supported; write the fields out"}
			}
			key, ks, kb, err := c.sized(k, depth+1)
			if err != nil {
				return nil, 0, 0, err
			}
			val, vs, vb, err := c.sized(v, depth+1)
			if err != nil {
				return nil, 0, 0, err
			}
			add(ks, kb)
			add(vs, vb)
			n.Keys, n.Vals = append(n.Keys, key), append(n.Vals, val)
		}
		duplicateKeys(n, c.probs)
		return n, size, below, nil
	}
	return nil, 0, 0, cf.Problem{Pos: pos, Message: "unsupported YAML node"}
}

// duplicateKeys reports every key given more than once in mapping n: YAML
// and JSON decoders would silently keep the last value.
func duplicateKeys(n *Node, probs *cf.Problems) {
	if len(n.Keys) < 2 {
		return
	}
	if len(n.Keys) <= 16 { // records are small: comparing beats hashing
		for i := 1; i < len(n.Keys); i++ {
			for j := 0; j < i; j++ {
				if n.Keys[i].Text == n.Keys[j].Text {
					dupKey(n, n.Keys[i], n.Keys[j], probs)
					break
				}
			}
		}
		return
	}
	first := make(map[string]*Node, len(n.Keys))
	for _, k := range n.Keys {
		if f, dup := first[k.Text]; dup {
			dupKey(n, k, f, probs)
			continue
		}
		first[k.Text] = k
	}
}

func dupKey(n, k, first *Node, probs *cf.Problems) {
	in := ""
	if id := n.Get("id"); id != nil && id.Kind != Seq && id.Kind != Map {
		in = fmt.Sprintf(" in the record with id %q", cf.Short(id.Text))
	}
	probs.Add(cf.Problem{Pos: k.Pos, Field: strings.Clone(cf.Short(k.Text)), // k may view the input
		Message: fmt.Sprintf("key given twice%s (first at line %d, column %d); write it once", in, first.Pos.Line, first.Pos.Column)})
}

// ParseJSON reads one JSON value under lim, keeping the line and column of
// each token. Nesting is at most lim.Depth deep; a key given twice in any
// object and invalid UTF-8 are errors.
func ParseJSON(file string, data []byte, lim cf.Limits) (*Node, error) {
	return ParseJSONContext(context.Background(), file, data, lim)
}

// ParseJSONContext is ParseJSON, giving up with ctx's error once ctx is
// done; it looks every few thousand values.
func ParseJSONContext(ctx context.Context, file string, data []byte, lim cf.Limits) (*Node, error) {
	if err := CheckUTF8Context(ctx, file, data); err != nil {
		return nil, err
	}
	p := &jsonParser{ctx: ctx, file: file, data: data, dec: json.NewDecoder(bytes.NewReader(data)), lim: lim, probs: &cf.Problems{}}
	p.dec.UseNumber()
	for i, c := range data {
		if c == '\n' {
			p.lines = append(p.lines, i+1)
		}
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, cf.Problem{Pos: cf.Position{File: file}, Message: "file is empty"}
	}
	n, err := p.value(0)
	if err != nil {
		return nil, err
	}
	if _, err := p.dec.Token(); !errors.Is(err, io.EOF) {
		return nil, cf.Problem{Pos: p.pos(p.start()), Message: "invalid JSON: unexpected data after the top-level value"}
	}
	if err := p.probs.Err(); err != nil {
		return nil, err
	}
	return n, nil
}

type jsonParser struct {
	ctx   context.Context
	nodes int // parsed so far, for looking at ctx
	file  string
	data  []byte
	dec   *json.Decoder
	lines []int // offsets at which lines 2, 3, … start
	lim   cf.Limits
	probs *cf.Problems
}

// start returns the offset of the next token: the decoder's offset, past
// white space and the separators it has not consumed yet.
func (p *jsonParser) start() int {
	off := int(p.dec.InputOffset())
	for off < len(p.data) {
		switch p.data[off] {
		case ' ', '\t', '\r', '\n', ',', ':':
			off++
			continue
		}
		break
	}
	return off
}

func (p *jsonParser) pos(off int) cf.Position {
	line := sort.SearchInts(p.lines, off+1) // lines whose start is ≤ off
	lineStart := 0
	if line > 0 {
		lineStart = p.lines[line-1]
	}
	return cf.Position{File: p.file, Line: line + 1, Column: off - lineStart + 1}
}

func (p *jsonParser) fail(off int, err error) error {
	msg := err.Error()
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		off = int(syn.Offset) // the decoder's offset is the index of the offending byte
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		msg = "unexpected end of file"
		off = len(p.data)
	}
	return cf.Problem{Pos: p.pos(off), Message: "invalid JSON: " + cf.Short(msg)}
}

func (p *jsonParser) value(depth int) (*Node, error) {
	off := p.start()
	tok, err := p.dec.Token()
	if err != nil {
		return nil, p.fail(off, err)
	}
	return p.valueFrom(tok, off, depth)
}

func (p *jsonParser) valueFrom(tok json.Token, off, depth int) (*Node, error) {
	if p.nodes++; p.nodes%cancelEvery == 0 && p.ctx.Err() != nil {
		return nil, p.ctx.Err()
	}
	pos := p.pos(off)
	if depth > p.lim.Depth {
		return nil, cf.Problem{Pos: pos, Message: p.lim.Exceeded("depth", "lists and mappings nested too deeply")}
	}
	switch t := tok.(type) {
	case string:
		return &Node{Kind: String, Text: t, Pos: pos}, nil
	case json.Number:
		return &Node{Kind: Number, Text: string(t), Pos: pos}, nil
	case bool:
		return &Node{Kind: Bool, Text: fmt.Sprint(t), Pos: pos}, nil
	case nil:
		return &Node{Kind: Null, Pos: pos}, nil
	case json.Delim:
		switch t {
		case '[':
			n := &Node{Kind: Seq, Pos: pos}
			for p.dec.More() {
				item, err := p.value(depth + 1)
				if err != nil {
					return nil, err
				}
				n.Items = append(n.Items, item)
			}
			if _, err := p.dec.Token(); err != nil {
				return nil, p.fail(p.start(), err)
			}
			return n, nil
		case '{':
			n := &Node{Kind: Map, Pos: pos}
			for p.dec.More() {
				koff := p.start()
				ktok, err := p.dec.Token()
				if err != nil {
					return nil, p.fail(koff, err)
				}
				key, err := p.valueFrom(ktok, koff, depth+1)
				if err != nil {
					return nil, err
				}
				val, err := p.value(depth + 1)
				if err != nil {
					return nil, err
				}
				n.Keys, n.Vals = append(n.Keys, key), append(n.Vals, val)
			}
			if _, err := p.dec.Token(); err != nil {
				return nil, p.fail(p.start(), err)
			}
			duplicateKeys(n, p.probs)
			return n, nil
		}
	}
	return nil, cf.Problem{Pos: pos, Message: fmt.Sprintf("invalid JSON: unexpected %v", tok)}
}

// get returns the value under key in a mapping.
func (n *Node) Get(key string) *Node {
	for i, k := range n.Keys {
		if k.Text == key {
			return n.Vals[i]
		}
	}
	return nil
}

// Plain converts a node to plain Go values, for attributes. Its strings
// are copies: a streamed node's texts may view the input (see Entry).
func (n *Node) Plain() any {
	switch n.Kind {
	case Null:
		return nil
	case Bool:
		return n.Text == "true"
	case Number:
		return json.Number(strings.Clone(n.Text))
	case Seq:
		out := make([]any, len(n.Items))
		for i, it := range n.Items {
			out[i] = it.Plain()
		}
		return out
	case Map:
		out := make(map[string]any, len(n.Keys))
		for i, k := range n.Keys {
			out[strings.Clone(k.Text)] = n.Vals[i].Plain()
		}
		return out
	}
	return strings.Clone(n.Text)
}

// Parse reads YAML, or JSON when file ends in .json, under the default
// limits.
func Parse(file string, data []byte) (*Node, error) {
	return ParseWith(file, data, cf.DefaultLimits())
}

// ParseWith reads YAML, or JSON when file ends in .json, under lim.
func ParseWith(file string, data []byte, lim cf.Limits) (*Node, error) {
	if strings.HasSuffix(strings.ToLower(file), ".json") {
		return ParseJSON(file, data, lim)
	}
	return ParseYAML(file, data, lim)
}

// ReadFile reads and parses a YAML or JSON file of configuration (a pack,
// waivers, parameters) under the default limits. A missing file is a
// problem saying notFound, so callers can say what was expected there.
func ReadFile(path, notFound string) (*Node, error) {
	return ReadFileWith(path, notFound, cf.DefaultLimits())
}

// ReadFileWith is ReadFile under lim; the file may hold at most
// lim.ConfigBytes bytes.
func ReadFileWith(path, notFound string, lim cf.Limits) (*Node, error) {
	data, err := ReadInput(path, lim.ConfigBytes, "config-bytes", lim)
	if err != nil {
		if p, ok := err.(cf.Problem); ok && p.Message == notExist {
			p.Message = notFound
			return nil, p
		}
		return nil, err
	}
	return ParseWith(path, data, lim)
}

const notExist = "no such file or directory"

// ReadInput reads the file at path, refusing more than max bytes (the limit
// named key of lim). It reads through a bounded reader rather than trusting
// a stat, so a device, a pipe or a link to /dev/zero fails at the limit
// instead of exhausting memory. Errors are problems naming the file.
func ReadInput(path string, max int64, key string, lim cf.Limits) ([]byte, error) {
	fail := func(msg string) error { return cf.Problem{Pos: cf.Position{File: path}, Message: msg} }
	f, err := OpenInput(path)
	if err != nil {
		return nil, fail(PathMessage(err))
	}
	defer f.Close()
	st, err := f.Stat()
	if err == nil && st.IsDir() {
		return nil, fail("is a directory, want a file")
	}
	data, err := ReadAll(f, max)
	if errors.Is(err, ErrTooBig) {
		return nil, fail(lim.Exceeded(key, fmt.Sprintf("file holds more than %d bytes", max)))
	}
	if err != nil {
		return nil, fail(PathMessage(err))
	}
	if len(data) == 0 && st != nil && st.Mode()&os.ModeNamedPipe != 0 {
		return nil, fail("named pipe with no writer: nothing to read (start the writer first, or give a file)")
	}
	return data, nil
}

// OpenInput opens the file at path for reading without waiting for a
// writer: opening a named pipe (FIFO) that no process writes to would
// otherwise block for ever, beyond the reach of cancellation. A pipe with
// a writer (such as a shell's process substitution) reads as usual; one
// without reads as empty at once.
func OpenInput(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
}

// ErrTooBig is returned by ReadAll for input longer than its limit.
var ErrTooBig = errors.New("input too big")

// ReadAll reads r to its end, or fails with ErrTooBig once it has yielded
// more than limit bytes. A regular file's size sizes one buffer; a stream
// of unknown size (a device, a pipe) is read in chunks of up to 16 MiB, so
// that one past the limit has cost the limit and no more.
func ReadAll(r io.Reader, limit int64) ([]byte, error) {
	size := int64(64 << 10)
	if f, ok := r.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
			if st.Size() > limit {
				return nil, ErrTooBig
			}
			size = st.Size() + 1 // one more byte to see the end
		}
	}
	lr := io.LimitReader(r, limit+1)
	var chunks [][]byte
	var total int64
	for {
		c := make([]byte, size)
		n, err := io.ReadFull(lr, c)
		total += int64(n)
		if total > limit {
			return nil, ErrTooBig
		}
		chunks = append(chunks, c[:n])
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		size = min(2*size, 16<<20, limit+1-total)
	}
	if len(chunks) == 1 {
		return chunks[0], nil
	}
	out := make([]byte, 0, total)
	for _, c := range chunks {
		out = append(out, c...)
	}
	return out, nil
}

// PathMessage says why a file could not be opened or read, without Go's
// "open PATH:" prefix: problems name the file already.
func PathMessage(err error) string {
	switch {
	case os.IsNotExist(err):
		return notExist
	case os.IsPermission(err):
		return "permission denied"
	}
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}
