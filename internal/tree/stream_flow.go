package tree

import (
	"bytes"
	"strings"
	"time"
	"unicode/utf8"
	"unsafe"

	cf "github.com/corefence/corefence"
)

// flowLines reads a batch of list items written one flow mapping a line,
// `- {id: "E1", installed: 2019-10-01, tags: ["a"]}`, as corefence's
// exporter writes them, without yaml.v3: most of the time of reading a
// national inventory went into yaml.v3's general scanner.
//
// It takes a narrow subset of YAML flow style and builds what yaml.v3 and
// the converter build from it, positions (in characters, as yaml.v3
// counts them) included: double-quoted scalars without escapes; plain
// keys of letters, digits and '_'; plain values that are words, whole or
// decimal numbers, dates, true, false or null; nested flow mappings and
// sequences of those. Anything else (an escape, a comment, an anchor, an
// exponent, a plain scalar yaml.v3 might read as something else) makes it
// report false, and the batch goes to yaml.v3, which decides.
type flowLines struct {
	file   string
	lim    cf.Limits
	probs  cf.Problems // duplicate keys of this batch, kept only if it reads
	slab   nodeSlab
	items  []*Node // of the last batch
	line   []byte
	str    string // line as a string viewing the input, of which texts are parts (see Entry)
	lineNo int
	ascii  bool
	i      int
}

var errFlow = ErrNotStreamable // anything the subset does not take

// batch reads data, whose lines are items at column col starting at line
// lineNo, into a Seq, or reports false.
func (f *flowLines) batch(data []byte, lineNo, col int) (*Node, bool) {
	var seq *Node
	f.probs = cf.Problems{}
	f.slab.reset()
	for len(data) > 0 {
		end := bytes.IndexByte(data, '\n')
		if end < 0 {
			end = len(data)
		}
		f.line, f.lineNo, f.i = bytes.TrimSuffix(data[:end], []byte("\r")), lineNo, col
		data = data[min(end+1, len(data)):]
		lineNo++
		if len(bytes.Trim(f.line, " \t")) == 0 {
			if bytes.IndexByte(f.line, '\t') >= 0 {
				return nil, false // yaml.v3 refuses a tab where a line may start a token: it words that
			}
			continue
		}
		if f.ascii = isASCII(f.line); !f.ascii && !printable(f.line) {
			return nil, false // yaml.v3 refuses the character, and words it
		}
		if len(f.line) < col+3 || f.line[col] != '-' || f.line[col+1] != ' ' {
			return nil, false
		}
		if seq == nil {
			seq = &Node{Kind: Seq, Pos: f.pos(), Items: f.items[:0]}
		}
		f.i += 2
		f.spaces()
		if f.peek() != '{' {
			return nil, false
		}
		f.str = unsafe.String(&f.line[0], len(f.line))
		item, err := f.value(2)
		if err != nil {
			return nil, false
		}
		if f.spaces(); f.i != len(f.line) {
			return nil, false // a comment or more after the record
		}
		seq.Items = append(seq.Items, item)
	}
	if seq != nil {
		f.items = seq.Items // used again, as the slab is
	}
	return seq, seq != nil
}

func (f *flowLines) pos() cf.Position {
	col := f.i + 1
	if !f.ascii {
		col = utf8.RuneCount(f.line[:f.i]) + 1
	}
	return cf.Position{File: f.file, Line: f.lineNo, Column: col}
}

func (f *flowLines) spaces() {
	for f.i < len(f.line) && f.line[f.i] == ' ' {
		f.i++
	}
}

func (f *flowLines) peek() byte {
	if f.i < len(f.line) {
		return f.line[f.i]
	}
	return 0
}

// value reads a flow mapping, sequence or scalar at depth.
func (f *flowLines) value(depth int) (*Node, error) {
	if depth > f.lim.Depth {
		return nil, errFlow
	}
	pos := f.pos()
	switch f.peek() {
	case '{':
		f.i++
		n, base := f.slab.node(Node{Kind: Map, Pos: pos}), len(f.slab.stack)
		if f.spaces(); f.peek() == '}' {
			f.i++
			f.slab.pairs(n, base)
			return n, nil
		}
		for {
			k, err := f.key(depth + 1)
			if err != nil {
				return nil, err
			}
			f.spaces()
			v, err := f.value(depth + 1)
			if err != nil {
				return nil, err
			}
			f.slab.stack = append(f.slab.stack, k, v)
			f.spaces()
			switch f.peek() {
			case ',':
				f.i++
				f.spaces()
				continue
			case '}':
				f.i++
				f.slab.pairs(n, base)
				duplicateKeys(n, &f.probs)
				return n, nil
			}
			return nil, errFlow
		}
	case '[':
		f.i++
		n, base := f.slab.node(Node{Kind: Seq, Pos: pos}), len(f.slab.stack)
		if f.spaces(); f.peek() == ']' {
			f.i++
			f.slab.items(n, base)
			return n, nil
		}
		for {
			it, err := f.value(depth + 1)
			if err != nil {
				return nil, err
			}
			f.slab.stack = append(f.slab.stack, it)
			f.spaces()
			switch f.peek() {
			case ',':
				f.i++
				f.spaces()
				continue
			case ']':
				f.i++
				f.slab.items(n, base)
				return n, nil
			}
			return nil, errFlow // ':' would make a pair of a mapping
		}
	case '"':
		text, err := f.quoted()
		return f.slab.node(Node{Kind: String, Text: text, Pos: pos}), err
	}
	return f.plain(pos)
}

// key reads a mapping's key and the ':' after it: a plain key must be
// followed by a space, a quoted one may be followed by its value.
func (f *flowLines) key(depth int) (*Node, error) {
	if depth > f.lim.Depth {
		return nil, errFlow
	}
	pos, start := f.pos(), f.i
	if f.peek() == '"' {
		text, err := f.quoted()
		if err != nil || f.peek() != ':' || f.i-start > maxKeyBytes {
			return nil, errFlow
		}
		f.i++
		return f.slab.node(Node{Kind: String, Text: text, Pos: pos}), nil
	}
	for f.i < len(f.line) && (isWordByte(f.line[f.i]) || f.line[f.i] == '_') {
		f.i++
	}
	if f.i == start || f.i-start > maxKeyBytes || f.i+1 >= len(f.line) || f.line[f.i] != ':' || f.line[f.i+1] != ' ' {
		return nil, errFlow
	}
	text := f.str[start:f.i]
	if c := text[0]; !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') || isYAMLWord(text) {
		return nil, errFlow // a number, or a word yaml.v3 does not read as a string
	}
	f.i++
	return f.slab.node(Node{Kind: String, Text: text, Pos: pos}), nil
}

// maxKeyBytes is the longest key the subset takes: yaml.v3 takes a key of
// at most 1024 characters, counted its own way, and words the error.
const maxKeyBytes = 512

// quoted reads a double-quoted scalar that has no escape and no control
// character: its text is its bytes.
func (f *flowLines) quoted() (string, error) {
	start := f.i + 1
	for f.i = start; f.i < len(f.line); f.i++ {
		switch c := f.line[f.i]; {
		case c == '"':
			f.i++
			return f.str[start : f.i-1], nil
		case c == '\\' || c < ' ' || c == 0x7f:
			return "", errFlow
		}
	}
	return "", errFlow
}

// plain reads a plain scalar up to the next ',', '}' or ']', and types it
// as yaml.v3 resolves it, refusing every form whose resolution is not
// plainly one of string, number, date, true, false or null.
func (f *flowLines) plain(pos cf.Position) (*Node, error) {
	start := f.i
	for f.i < len(f.line) {
		c := f.line[f.i]
		if c == ',' || c == '}' || c == ']' {
			break
		}
		if !isWordByte(c) && c != ' ' && c != '-' && c != '.' && c != '_' && c != '/' && c != '(' && c != ')' {
			return nil, errFlow
		}
		f.i++
	}
	text := strings.TrimRight(f.str[start:f.i], " ")
	if text == "" {
		return nil, errFlow
	}
	switch text {
	case "true", "false":
		return f.slab.node(Node{Kind: Bool, Text: text, Pos: pos}), nil
	case "null":
		return f.slab.node(Node{Kind: Null, Text: text, Pos: pos}), nil
	}
	if isYAMLWord(text) {
		return nil, errFlow
	}
	switch c := text[0]; {
	case c == '-' || c == '.' || '0' <= c && c <= '9':
		if isDecimal(text) {
			return f.slab.node(Node{Kind: Number, Text: text, Pos: pos}), nil
		}
		if isDateForm(text) {
			if _, err := time.Parse("2006-1-2", text); err == nil {
				return f.slab.node(Node{Kind: Date, Text: text, Pos: pos}), nil
			}
			return f.slab.node(Node{Kind: String, Text: text, Pos: pos}), nil
		}
		return nil, errFlow
	case c == '/' || c == '(' || c == ')' || c == '_':
		return nil, errFlow
	}
	return f.slab.node(Node{Kind: String, Text: text, Pos: pos}), nil
}

// isYAMLWord reports whether text is a plain scalar yaml.v3 reads as
// other than a string, in a spelling the subset does not take. (A switch,
// not a map: it is asked of every key and plain value.)
func isYAMLWord(text string) bool {
	switch text {
	case "true", "True", "TRUE", "false", "False", "FALSE",
		"null", "Null", "NULL", "~",
		".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF",
		"+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF", "<<":
		return true
	}
	return false
}

func isWordByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// isDecimal reports whether text is -?digits(.digits)?, at most 300
// characters: yaml.v3 reads every such text as an int or a float (a longer
// one could be out of float64's range, which yaml.v3 reads as a string).
func isDecimal(text string) bool {
	if len(text) > 300 {
		return false
	}
	i := 0
	if text[0] == '-' {
		i++
	}
	digits := func() int {
		n := 0
		for i < len(text) && '0' <= text[i] && text[i] <= '9' {
			i++
			n++
		}
		return n
	}
	if digits() == 0 {
		return false
	}
	if i < len(text) && text[i] == '.' {
		i++
		if digits() == 0 {
			return false
		}
	}
	return i == len(text)
}

// isDateForm reports whether text is dddd-d(d)-d(d), which yaml.v3 reads
// as a timestamp when it is a valid date and as a string otherwise.
func isDateForm(text string) bool {
	parts := bytes.Split([]byte(text), []byte("-"))
	if len(parts) != 3 || len(parts[0]) != 4 || len(parts[1]) < 1 || len(parts[1]) > 2 || len(parts[2]) < 1 || len(parts[2]) > 2 {
		return false
	}
	for _, p := range parts {
		for _, c := range p {
			if c < '0' || c > '9' {
				return false
			}
		}
	}
	return true
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// printable reports whether no character of b is one of the line breaks
// YAML 1.1 adds to ASCII's (U+0085, U+2028, U+2029), which yaml.v3 folds
// and counts as lines, or a byte order mark. StreamYAML has checked that
// yaml.v3's reader takes every character (readable).
func printable(b []byte) bool {
	for _, r := range string(b) {
		switch r {
		case 0x85, 0x2028, 0x2029, 0xFEFF:
			return false
		}
	}
	return true
}
