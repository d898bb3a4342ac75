package tree

import (
	"strings"
	"testing"

	cf "github.com/corefence/corefence"
)

type item struct {
	ID    string   `yaml:"id,required"`
	Count int      `yaml:"count"`
	Share float64  `yaml:"share"`
	When  cf.Date  `yaml:"when"`
	Tags  []string `yaml:"tags"`
	On    bool     `yaml:"on"`
	Pos   cf.Position
}

type doc struct {
	Items []item `yaml:"items,required"`
}

func decode(t *testing.T, parse func(string, []byte, cf.Limits) (*Node, error), text string) (doc, []string) {
	t.Helper()
	root, err := parse("f", []byte(text), cf.DefaultLimits())
	if err != nil {
		return doc{}, []string{err.Error()}
	}
	var d doc
	probs := &cf.Problems{}
	Decode(root, &d, "doc", probs)
	probs.Err() // sorts by position
	var out []string
	for _, p := range probs.List {
		out = append(out, p.Error())
	}
	return d, out
}

func TestDecodeYAML(t *testing.T) {
	d, probs := decode(t, ParseYAML, `items:
  - {id: a, count: 2, share: 0.5, when: 2024-02-29, tags: x, on: true}
  - {count: two, colour: red}
`)
	want := []string{
		`f:3:5: items #2: id: missing required field`,
		`f:3:13: items #2: count: want a whole number, got a string "two"`,
		`f:3:18: items #2: unknown field "colour" (valid: count, id, on, share, tags, when)`,
	}
	if strings.Join(probs, "\n") != strings.Join(want, "\n") {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(probs, "\n"), strings.Join(want, "\n"))
	}
	a := d.Items[0]
	if a.ID != "a" || a.Count != 2 || a.Share != 0.5 || a.When.String() != "2024-02-29" || len(a.Tags) != 1 || !a.On || a.Pos.Line != 2 {
		t.Errorf("decoded %+v", a)
	}
}

func TestParseJSONPositions(t *testing.T) {
	_, probs := decode(t, ParseJSON, "{\n  \"items\": [\n    {\"id\": \"a\", \"count\": \"2\"}\n  ]\n}\n")
	want := `f:3:26: items a: count: want a whole number, got a string "2"`
	if len(probs) != 1 || probs[0] != want {
		t.Errorf("problems %q, want %q", probs, want)
	}
	_, probs = decode(t, ParseJSON, "{\"items\": [}")
	if len(probs) != 1 || !strings.HasPrefix(probs[0], "f:1:12: invalid JSON") {
		t.Errorf("syntax error reported as %q", probs)
	}
}

func TestSuggest(t *testing.T) {
	valid := []string{"vendor", "country", "domains", "2g", "5g"}
	for word, want := range map[string]string{"vendro": "vendor", "contry": "country", "domain": "domains", "6g": "", "zzz": ""} {
		if got := Suggest(word, valid); got != want {
			t.Errorf("Suggest(%q) = %q, want %q", word, got, want)
		}
	}
}

// TestCheckUTF8Chunks: the check goes a MiB at a time; a rune across a
// chunk's end is valid, a bad byte past the first MiB is found, and its
// line and column are right.
func TestCheckUTF8Chunks(t *testing.T) {
	big := strings.Repeat("a", 1<<20-1) + "é" + strings.Repeat("b", 10) // é straddles the first MiB
	if err := CheckUTF8("x.yaml", []byte(big)); err != nil {
		t.Errorf("a rune across the MiB boundary: %v", err)
	}
	bad := []byte(big + "\nok\nxy\xff")
	err := CheckUTF8("x.yaml", bad)
	if err == nil || !strings.Contains(err.Error(), "x.yaml:3:3") || !strings.Contains(err.Error(), "0xff") {
		t.Errorf("a bad byte past the first MiB: %v, want it at x.yaml:3:3", err)
	}
	if err := CheckUTF8("x.yaml", []byte(strings.Repeat("\x80", 3<<20))); err == nil {
		t.Error("three MiB of continuation bytes passed")
	}
}
