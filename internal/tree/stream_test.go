package tree

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"

	cf "github.com/corefence/corefence"
)

// streamed reads data with the streaming reader, under opts,
// and puts the root back together from the entries, so that it compares
// with Parse's tree.
func streamed(name string, data []byte, lim cf.Limits, opts StreamOptions) (*Node, error) {
	stream := StreamYAML
	if strings.HasSuffix(name, ".json") {
		stream = StreamJSON
	}
	var mu sync.Mutex
	var keys, vals []*Node
	root, err := stream(context.Background(), name, data, lim, opts, func(e Entry) {
		v := clone(e.Value) // a batch's nodes are used again after visit
		mu.Lock()
		defer mu.Unlock()
		if e.More { // of the last list, in any order
			last := vals[len(vals)-1]
			for len(last.Items) < e.At+len(v.Items) {
				last.Items = append(last.Items, nil)
			}
			copy(last.Items[e.At:], v.Items)
			return
		}
		keys, vals = append(keys, clone(e.Key)), append(vals, v)
	})
	if err != nil {
		return nil, err
	}
	root.Keys, root.Vals = keys, vals
	return root, nil
}

func clone(n *Node) *Node {
	c := *n
	c.Items, c.Keys, c.Vals = nil, nil, nil
	for _, it := range n.Items {
		c.Items = append(c.Items, clone(it))
	}
	for i, k := range n.Keys {
		c.Keys, c.Vals = append(c.Keys, clone(k)), append(c.Vals, clone(n.Vals[i]))
	}
	return &c
}

// show prints a tree with every kind, text and position.
func show(n *Node) string {
	var b strings.Builder
	var walk func(n *Node, indent string)
	walk = func(n *Node, indent string) {
		fmt.Fprintf(&b, "%s%s %q %d:%d\n", indent, n.Kind, n.Text, n.Pos.Line, n.Pos.Column)
		for _, it := range n.Items {
			walk(it, indent+"  ")
		}
		for i, k := range n.Keys {
			walk(k, indent+"  ? ")
			walk(n.Vals[i], indent+"  : ")
		}
	}
	walk(n, "")
	return b.String()
}

// compareStream checks that streaming data gives Parse's tree, or Parse's
// error, or declines; it reports whether it streamed.
func compareStream(t *testing.T, name string, data []byte, lim cf.Limits) bool {
	t.Helper()
	s, serr := streamed(name, data, lim, StreamOptions{})
	// Again in batches of three items, read by three workers at once.
	p, perr := streamed(name, data, lim, StreamOptions{Workers: 3, BatchItems: 3})
	if (serr == ErrNotStreamable) != (perr == ErrNotStreamable) {
		t.Fatalf("%s: streaming in one worker: %v; in three: %v", name, serr, perr)
	}
	if serr == ErrNotStreamable {
		return false
	}
	w, werr := ParseWith(name, data, lim)
	if fmt.Sprint(serr) != fmt.Sprint(werr) || fmt.Sprint(perr) != fmt.Sprint(werr) {
		t.Fatalf("%s: streaming error %v, in three workers %v, parsing whole %v", name, serr, perr, werr)
	}
	if werr == nil {
		want := show(w)
		if got := show(s); got != want {
			t.Fatalf("%s: streamed tree differs:\n--- streamed\n%s--- whole\n%s", name, got, want)
		}
		if got := show(p); got != want {
			t.Fatalf("%s: tree streamed by three workers differs:\n--- streamed\n%s--- whole\n%s", name, got, want)
		}
	}
	return true
}

// TestStreamTabbedBlankLines covers lines blank but for a tab, which
// yaml.v3 refuses where a key may start, in the stretches no part holds:
// before the first key and between a list's key and its first item.
func TestStreamTabbedBlankLines(t *testing.T) {
	for i, doc := range []string{
		"\t\n0:", // FuzzStream's finding
		"\t\nformat: x\n",
		"  \t# note\nformat: x\n",
		"---\n\t\nformat: x\n",
		"list:\n\t\n- a\n",
		"list:\n \t\n  - a\n",
		"a: 1\n\t\nb: 2\n",
		"a: |\n  x\n\t\n  y\nb: 2\n",
	} {
		compareStream(t, fmt.Sprintf("d%d.yaml", i), []byte(doc), cf.DefaultLimits())
	}
	if !compareStream(t, "spaces.yaml", []byte("# note\n  \nlist:\n  \n- a\n- b\n"), cf.DefaultLimits()) {
		t.Error("blank lines of spaces declined the split")
	}
}

// TestFlowLines reads records one flow mapping a line, as the exporter
// writes them and beyond, through the fast path and through yaml.v3.
func TestFlowLines(t *testing.T) {
	records := []string{
		`{id: "E1", site: "S1", installed: 2019-10-01, tags: ["a", "b"], n: 12, q: -0.5, ok: true, no: null}`,
		`{id: "Télécom éèà", x: "ü", y: Strasse 5, z: 2019-02-30, w: 2019-1-2}`,
		`{"k": "v", "attributes": {"rack":"r1","u":[1,{"a":null}]}, e: {}, f: []}`,
		`{id: plain words here, v: 007, w: 08, big: 123456789012345678901234567890}`,
		`{id: "dup", id: "again", a: {b: 1, b: 2}}`,
		`{a: yes, b: no, c: on, d: y, e: ~}`,
		`{a: 1e5, b: +1, c: .5, d: 0x1F}`,
		`{a: "x\"y", b: 'single'}`,
		`{a: "` + "\u0085\u00a0" + `"}`,
		`{a: "` + "\u0080" + `"}`,
		`{a: x # comment}`,
		`{a: [b: c]}`,
		`{a: b:c}`,
		`{a: Straße}`,
	}
	const fast = 5 // the first records are in the subset the fast path reads
	for i, r := range records {
		f := flowLines{file: "f.yaml", lim: cf.DefaultLimits()}
		// (StreamYAML sends a document yaml.v3's reader refuses nowhere.)
		if _, ok := f.batch([]byte("  - "+r+"\n"), 3, 2); ok != (i < fast) && readable([]byte(r)) {
			t.Errorf("record %d: fast path took it: %v, want %v", i, ok, i < fast)
		}
		for _, col := range []int{0, 2} {
			pad := strings.Repeat(" ", col)
			data := "format: x\nlist:\n" + pad + "- " + r + "\n" + pad + "-   " + r + "  \r\n"
			compareStream(t, fmt.Sprintf("r%d-c%d.yaml", i, col), []byte(data), cf.DefaultLimits())
		}
	}
}

// FuzzStream reads any input with the streaming readers and whole: the
// same tree with the same positions, or the same problems, unless the
// streaming reader declines it.
func FuzzStream(f *testing.F) {
	addSeeds(f, "../../testdata/*.yaml", "../../testdata/hostile/*", "../importer/testdata/invalid/*.*")
	f.Add([]byte("format: x\nlist:\n- {id: \"a\", n: 1.5, d: 2019-01-01, t: [x, \"y\"]}\n- {id: b}\n"), false)
	f.Add([]byte(`{"a": [1, {"b": "\u00e9"}], "c": [], "d": {"e": true}}`), true)
	lim := fuzzLimits()
	lim.Depth = 12
	f.Fuzz(func(t *testing.T, data []byte, json bool) {
		name := "f.yaml"
		if json {
			name = "f.json"
		}
		compareStream(t, name, data, lim)
	})
}

// TestStreamJSONBatchBounds covers what the pass that cuts an array into
// batches must step over: escaped quotes and backslashes, brackets and
// commas inside strings, nested arrays, and arrays that end at or just
// after a batch's end, or with a comma too many.
func TestStreamJSONBatchBounds(t *testing.T) {
	for i, doc := range []string{
		`{"l": ["a\\", "b\"c", {"k": "\\\"]", "m": [1, [2, 3], {}]}, "d,e", "[f", "g}"]}`,
		`{"l": [1, 2, 3], "m": [4, 5, 6, 7], "n": []}`,
		`{"l": [1, 2, 3,], "m": []}`,
		`{"l": [1, 2, 3, ], "m": []}`,
		`{"l": [1, 2,, 3]}`,
		`{"l": [1, 2, 3` + "\n" + `, 4]}`,
		`{"l": ["x\` + "\n" + `y", 2, 3, 4]}`,
		`{"l": [1, 2, 3, 4, "unterminated]}`,
		`{"l": [` + "\n\n" + `  {"a": 1},` + "\n" + `  {"a": 2}, {"a": 3}, {"a": 4}` + "\n" + `]}`,
	} {
		valid := json.Valid([]byte(doc))
		if took := compareStream(t, fmt.Sprintf("b%d.json", i), []byte(doc), cf.DefaultLimits()); took != valid {
			t.Errorf("document %d: streamed %v, valid JSON %v", i, took, valid)
		}
	}
}

// TestReadable holds readable, which passes over eight bytes at a time, to
// the character-by-character rule it stands for, with every byte value at
// every place of a word and the characters it must refuse.
func TestReadable(t *testing.T) {
	slow := func(data []byte) bool {
		s := string(data)
		for i, r := range s {
			switch {
			case r == '\r' && !strings.HasPrefix(s[i:], "\r\n"):
				return false
			case r == '\t' || r == '\n' || r == '\r':
			case r < ' ' || r == 0x7f || r == 0x85 || r == 0x2028 || r == 0x2029:
				return false
			case r >= 0x80 && r < 0xA0, r >= 0xD800 && r < 0xE000, r == 0xFFFE, r == 0xFFFF:
				return false
			}
		}
		return true
	}
	var inputs []string
	base := "key: value of seventeen chars\n"
	for at := range 17 {
		for c := range 256 {
			if c >= 0x80 {
				continue // not UTF-8 alone; the characters below cover the rest
			}
			inputs = append(inputs, base[:at]+string(rune(c))+base[at:])
		}
		for _, r := range []string{"\u0085", "\u00a0", "é", "\u2028", "\u2029", "\ufeff", "\ufffe", "\U0001F600", "\r\n", "\r", "\u0080", "\u009f"} {
			inputs = append(inputs, base[:at]+r+base[at:])
		}
	}
	for _, in := range inputs {
		if got, want := readable([]byte(in)), slow([]byte(in)); got != want {
			t.Errorf("readable(%q) = %v, want %v", in, got, want)
		}
	}
}
