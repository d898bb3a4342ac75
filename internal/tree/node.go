// Package tree parses YAML and JSON into one tree of positioned nodes and
// decodes nodes into Go structs strictly: unknown fields, wrong types and
// missing required fields become problems that name the file, line and
// column. Inventories, policy packs, waivers and parameter files all read
// through it, so their errors look alike.
package tree

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

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

// parseYAML reads one YAML document.
func ParseYAML(file string, data []byte) (*Node, error) {
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, cf.Problem{Pos: cf.Position{File: file}, Message: "file is empty"}
		}
		return nil, yamlProblem(file, err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return nil, cf.Problem{Pos: cf.Position{File: file, Line: extra.Line}, Message: "more than one YAML document; an inventory is one document"}
	}
	return fromYAML(file, &doc, 0)
}

// yamlProblem turns a yaml.v3 error ("yaml: line 3: …") into a Problem.
func yamlProblem(file string, err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	var line int
	if n, _ := fmt.Sscanf(msg, "line %d:", &line); n == 1 {
		msg = strings.TrimSpace(msg[strings.Index(msg, ":")+1:])
	}
	return cf.Problem{Pos: cf.Position{File: file, Line: line}, Message: "invalid YAML: " + msg}
}

func fromYAML(file string, y *yaml.Node, depth int) (*Node, error) {
	if depth > 64 {
		return nil, cf.Problem{Pos: cf.Position{File: file, Line: y.Line, Column: y.Column}, Message: "nested too deeply"}
	}
	pos := cf.Position{File: file, Line: y.Line, Column: y.Column}
	switch y.Kind {
	case yaml.DocumentNode:
		if len(y.Content) == 0 {
			return nil, cf.Problem{Pos: pos, Message: "file is empty"}
		}
		return fromYAML(file, y.Content[0], depth)
	case yaml.AliasNode:
		return fromYAML(file, y.Alias, depth+1)
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
		return n, nil
	case yaml.SequenceNode:
		n := &Node{Kind: Seq, Pos: pos, Items: make([]*Node, 0, len(y.Content))}
		for _, c := range y.Content {
			item, err := fromYAML(file, c, depth+1)
			if err != nil {
				return nil, err
			}
			n.Items = append(n.Items, item)
		}
		return n, nil
	case yaml.MappingNode:
		n := &Node{Kind: Map, Pos: pos}
		for i := 0; i+1 < len(y.Content); i += 2 {
			k, v := y.Content[i], y.Content[i+1]
			if k.Kind != yaml.ScalarNode {
				return nil, cf.Problem{Pos: cf.Position{File: file, Line: k.Line, Column: k.Column}, Message: "mapping keys must be plain strings"}
			}
			if k.Value == "<<" {
				return nil, cf.Problem{Pos: cf.Position{File: file, Line: k.Line, Column: k.Column}, Message: "YAML merge keys (<<) are not supported; write the fields out"}
			}
			key, _ := fromYAML(file, k, depth+1)
			val, err := fromYAML(file, v, depth+1)
			if err != nil {
				return nil, err
			}
			n.Keys, n.Vals = append(n.Keys, key), append(n.Vals, val)
		}
		return n, nil
	}
	return nil, cf.Problem{Pos: pos, Message: "unsupported YAML node"}
}

// parseJSON reads one JSON value, keeping the line and column of each token.
func ParseJSON(file string, data []byte) (*Node, error) {
	p := &jsonParser{file: file, data: data, dec: json.NewDecoder(bytes.NewReader(data))}
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
	return n, nil
}

type jsonParser struct {
	file  string
	data  []byte
	dec   *json.Decoder
	lines []int // offsets at which lines 2, 3, … start
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
	return cf.Problem{Pos: p.pos(off), Message: "invalid JSON: " + msg}
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
	pos := p.pos(off)
	if depth > 64 {
		return nil, cf.Problem{Pos: pos, Message: "nested too deeply"}
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
				key, _ := p.valueFrom(ktok, koff, depth+1)
				val, err := p.value(depth + 1)
				if err != nil {
					return nil, err
				}
				n.Keys, n.Vals = append(n.Keys, key), append(n.Vals, val)
			}
			if _, err := p.dec.Token(); err != nil {
				return nil, p.fail(p.start(), err)
			}
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

// plain converts a node to plain Go values, for attributes.
func (n *Node) Plain() any {
	switch n.Kind {
	case Null:
		return nil
	case Bool:
		return n.Text == "true"
	case Number:
		return json.Number(n.Text)
	case Seq:
		out := make([]any, len(n.Items))
		for i, it := range n.Items {
			out[i] = it.Plain()
		}
		return out
	case Map:
		out := make(map[string]any, len(n.Keys))
		for i, k := range n.Keys {
			out[k.Text] = n.Vals[i].Plain()
		}
		return out
	}
	return n.Text
}

// Parse reads YAML, or JSON when file ends in .json.
func Parse(file string, data []byte) (*Node, error) {
	if strings.HasSuffix(strings.ToLower(file), ".json") {
		return ParseJSON(file, data)
	}
	return ParseYAML(file, data)
}

// ReadFile reads and parses a YAML or JSON file. A missing file is a
// problem saying notFound, so callers can say what was expected there.
func ReadFile(path, notFound string) (*Node, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		msg := err.Error()
		if os.IsNotExist(err) {
			msg = notFound
		}
		return nil, cf.Problem{Pos: cf.Position{File: path}, Message: msg}
	}
	return Parse(path, data)
}
