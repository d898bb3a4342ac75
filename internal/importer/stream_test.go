package importer

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	cf "github.com/corefence/corefence"
	"github.com/corefence/corefence/internal/export"
	"github.com/corefence/corefence/internal/gen"
	"github.com/corefence/corefence/internal/inventory"
	"github.com/corefence/corefence/internal/tree"
)

// streamInputs are the YAML and JSON files the streaming and the whole
// readers must agree on: every inventory of the test data, hostile files
// and invalid cases among them.
func streamInputs(t testing.TB) map[string][]byte {
	inputs := map[string][]byte{}
	for _, glob := range []string{"../../testdata/*.yaml", "../../testdata/hostile/*", "testdata/invalid/*.yaml",
		"testdata/invalid/*.json", "../../examples/*.yaml", "../*/testdata/*.yaml", "../*/testdata/*/*.yaml"} {
		files, err := filepath.Glob(glob)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if len(data) < 4<<20 {
				inputs[f] = data
			}
		}
	}
	return inputs
}

// decodeBoth reads data both ways and returns each result printed, and
// whether the streaming reader took the document.
func decodeBoth(name string, data []byte, lim cf.Limits) (whole, streamed string, took1 bool) {
	isJSON := strings.HasSuffix(name, ".json")
	show := func(doc *inventory.Doc, probs *cf.Problems) string {
		var b strings.Builder
		if err := probs.Err(); err != nil {
			fmt.Fprintf(&b, "problems (truncated %v):\n", probs.Truncated)
			for _, p := range probs.List {
				b.WriteString(p.Error() + "\n")
			}
		}
		// A section reserved for records that then all failed is empty
		// rather than nil: the same records.
		v := reflect.ValueOf(doc).Elem()
		for i := range v.NumField() {
			if f := v.Field(i); f.Kind() == reflect.Slice && f.Len() == 0 {
				f.Set(reflect.Zero(f.Type()))
			}
		}
		fmt.Fprintf(&b, "%#v\n", *doc)
		return b.String()
	}
	var wdoc inventory.Doc
	var wprobs cf.Problems
	decodeWhole(context.Background(), name, isJSON, data, lim, &wdoc, &wprobs)
	whole = show(&wdoc, &wprobs)
	// In one goroutine, and in batches of three items decoded by three
	// at once: the same records, the same problems, in the same order.
	for i, opts := range []tree.StreamOptions{{}, {Workers: 3, BatchItems: 3}} {
		var sdoc inventory.Doc
		var sprobs cf.Problems
		took := decodeStreamWith(context.Background(), name, isJSON, data, lim, opts, &sdoc, &sprobs)
		got := whole
		if took {
			got = show(&sdoc, &sprobs)
		}
		if i == 0 {
			streamed, took1 = got, took
		} else if got != streamed || took != took1 {
			return whole, fmt.Sprintf("%s--- in batches of 3 by 3 workers (streamed %v)\n%s", streamed, took, got), took1
		}
	}
	return whole, streamed, took1
}

// TestStreamMatchesWhole reads every test inventory, and each as JSON,
// streaming and whole: the same records, the same problems.
func TestStreamMatchesWhole(t *testing.T) {
	lim := cf.DefaultLimits()
	streamedYAML := 0
	for name, data := range streamInputs(t) {
		isJSON := strings.HasSuffix(name, ".json")
		whole, streamed, took := decodeBoth(name, data, lim)
		if whole != streamed {
			t.Errorf("%s: streaming differs from parsing whole:\n--- whole\n%s--- streamed\n%s", name, whole, streamed)
		}
		if took && !isJSON {
			streamedYAML++
		}
		t.Logf("%s: streamed %v", name, took)
	}
	if streamedYAML < 10 {
		t.Errorf("only %d YAML test inputs streamed", streamedYAML)
	}
}

// TestStreamExported streams what corefence writes: the exporter's YAML
// and JSON of a generated network must stream (not fall back) and give
// what parsing whole gives, in batches of every size.
func TestStreamExported(t *testing.T) {
	doc := gen.Sample()
	for _, format := range []string{"yaml", "json"} {
		write, err := export.Writer(format, doc)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := write(&buf); err != nil {
			t.Fatal(err)
		}
		name := "net." + format
		whole, streamed, took := decodeBoth(name, buf.Bytes(), cf.DefaultLimits())
		if !took {
			t.Fatalf("%s: the exporter's output did not stream", name)
		}
		if whole != streamed {
			t.Errorf("%s: streaming differs from parsing whole", name)
		}
		if !strings.Contains(whole, "Elements:[]inventory.Element{inventory.Element{") {
			t.Fatalf("%s: no elements read: %.200s", name, whole)
		}
	}
}

// TestStreamShapes covers shapes the test files do not: lists at column
// 0, block records, comments, a list following a scalar, anchors within and
// across batches, a flow root, document markers, CRLF line ends.
func TestStreamShapes(t *testing.T) {
	items := func(n int, f string) string {
		var b strings.Builder
		for i := range n {
			fmt.Fprintf(&b, f, i)
		}
		return b.String()
	}
	cases := map[string]struct {
		text   string
		stream bool
	}{
		"column0.yaml":   {"format: corefence/v1\nsites:\n- id: S1\n  operator: a\n# note\n- id: S2\n  operator: a\n  tags:\n  - x\n", true},
		"doc-start.yaml": {"# head\n---\nformat: corefence/v1\nsites:\n  - {id: S1, operator: a}\n", true},
		"crlf.yaml":      {"format: corefence/v1\r\nsites:\r\n  - {id: S1, operator: a}\r\n  - {id: S2, operator: a}\r\n", true},
		"big.yaml":       {"format: corefence/v1\nelements:\n" + items(3*batchItemsForTest+7, "  - {id: E%d, site: S1, function: gnb, vendor: Huawei}\n"), true},
		"dup-late.yaml": {"format: corefence/v1\nelements:\n" + items(batchItemsForTest+3, "  - {id: E%d, site: S1, function: gnb}\n") +
			"  - {id: X, id: Y}\nformat: again\n", true},
		"anchor-within.yaml": {"format: corefence/v1\nsites:\n  - &s {id: S1, operator: a}\n  - {id: S2, tags: &t [a, b]}\n  - {id: S3, tags: *t}\n", true},
		"anchor-across.yaml": {"format: corefence/v1\nsites:\n  - {id: S1, tags: &t [a]}\n" + items(batchItemsForTest, "  - {id: S%d, tags: *t}\n"), false},
		"alias-to-key.yaml":  {"format: &f corefence/v1\nsites:\n  - {id: *f}\n", false},
		"flow-root.yaml":     {"{format: corefence/v1, sites: [{id: S1}]}\n", false},
		"quoted-split.yaml":  {"format: corefence/v1\nsites:\n  - {id: \"S1\n  - x\", operator: a}\n", false},
		"scalar-list.yaml":   {"format: corefence/v1\nsites: x\n  - {id: S1}\n", false},
		"two-docs.yaml":      {"format: corefence/v1\n---\nsites: []\n", false},
		"block-scalar.yaml":  {"format: corefence/v1\nsites:\n  - id: S1\n    name: |\n      - not an item\n      text\n  - id: S2\n", true},
		"empty.json":         {"{}", true},
		"nested.json":        {`{"format":"corefence/v1","elements":[{"id":"E1","attributes":{"a":[1,{"b":null}],"c":"\u00e9\n"}}],"sites":[]}`, true},
		"trailing.json":      {`{"format":"corefence/v1"} x`, false},
		"array-root.json":    {`[1]`, false},
		"bad-number.json":    {`{"format":"corefence/v1","sites":[{"lat":01}]}`, false},
		"dup.json":           {`{"format":"corefence/v1","sites":[{"id":"a","id":"b"}],"format":"x"}`, true},
	}
	for name, c := range cases {
		whole, streamed, took := decodeBoth(name, []byte(c.text), cf.DefaultLimits())
		if took != c.stream {
			t.Errorf("%s: streamed %v, want %v", name, took, c.stream)
		}
		if whole != streamed {
			t.Errorf("%s: streaming differs from parsing whole:\n--- whole\n%s--- streamed\n%s", name, whole, streamed)
		}
	}
}

const batchItemsForTest = 512

// FuzzStream reads any input as a YAML and as a JSON inventory, streaming
// and whole: the same records and the same problems, whichever way the
// streaming reader takes it.
func FuzzStream(f *testing.F) {
	for name, data := range streamInputs(f) {
		if len(data) < 1<<16 {
			f.Add(data, strings.HasSuffix(name, ".json"))
		}
	}
	f.Add([]byte("format: corefence/v1\nsites:\n- id: S1\n  operator: a\n- {id: S2}\n"), false)
	f.Add([]byte(`{"format":"corefence/v1","sites":[{"id":"S1","lat":1e3}]}`), true)
	lim := cf.DefaultLimits()
	lim.AliasNodes, lim.Depth = 10_000, 16
	f.Fuzz(func(t *testing.T, data []byte, isJSON bool) {
		name := "f.yaml"
		if isJSON {
			name = "f.json"
		}
		whole, streamed, _ := decodeBoth(name, data, lim)
		if whole != streamed {
			t.Fatalf("streaming differs from parsing whole:\n--- whole\n%s--- streamed\n%s", whole, streamed)
		}
	})
}

// TestStreamKeepsNoView: the streaming readers hand out texts that view
// the input, which may be a mapping unmapped once read. Whatever a record
// or a problem keeps must be a copy: after the input is overwritten, the
// records and problems read from it are unchanged.
func TestStreamKeepsNoView(t *testing.T) {
	for name, data := range streamInputs(t) {
		isJSON := strings.HasSuffix(name, ".json")
		for _, opts := range []tree.StreamOptions{{}, {Workers: 3, BatchItems: 3}} {
			input := bytes.Clone(data)
			var doc inventory.Doc
			var probs cf.Problems
			if !decodeStreamWith(context.Background(), name, isJSON, input, cf.DefaultLimits(), opts, &doc, &probs) {
				continue
			}
			want := fmt.Sprintf("%#v\n%v", doc, probs.Err())
			for i := range input {
				input[i] = 'X'
			}
			if got := fmt.Sprintf("%#v\n%v", doc, probs.Err()); got != want {
				t.Fatalf("%s (%+v): what was read changed with its input", name, opts)
			}
		}
	}
}

// TestMappedDocumentCutShort: a YAML or JSON file truncated by another
// process after it was mapped, while several goroutines read its lists, is
// reported as a problem of that file, not a crash.
func TestMappedDocumentCutShort(t *testing.T) {
	doc := gen.Sample()
	for _, format := range []string{"yaml", "json"} {
		t.Run(format, func(t *testing.T) {
			write, err := export.Writer(format, doc)
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := write(&buf); err != nil {
				t.Fatal(err)
			}
			if buf.Len() < 64<<10 {
				t.Fatalf("the sample is %d bytes: too small for pages past the cut to fault", buf.Len())
			}
			path := filepath.Join(t.TempDir(), "net."+format)
			if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			lim := cf.DefaultLimits()
			p := part{path: path, json: format == "json", read: func() ([]byte, func(), error) {
				data, release, err := mapFile(path, lim)
				if release == nil {
					t.Fatal("a regular file was not mapped")
				}
				if err := os.Truncate(path, 4096); err != nil {
					t.Fatal(err)
				}
				return data, release, err
			}}
			got, err := readParts(context.Background(), []part{p}, lim)
			ps, ok := cf.AsProblems(err)
			if !ok || ps.Len() != 1 {
				t.Fatalf("want one problem, got %v", err)
			}
			if pr := ps.List[0]; pr.Pos.File != path || !strings.Contains(pr.Message, "changed while it was read") {
				t.Fatalf("got %s: %s", pr.Pos, pr.Message)
			}
			if len(got.Elements) != 0 || len(got.Sites) != 0 {
				t.Fatalf("kept %d elements of a file cut short", len(got.Elements))
			}
		})
	}
}

// TestStreamProblemsPastTheLimit: more problems than MaxProblems in a
// list, then one in the entry after it. Which ones are kept depends on
// their order: streamed, the list's problems must come before the next
// entry's, as they do when the document is read whole.
func TestStreamProblemsPastTheLimit(t *testing.T) {
	var b strings.Builder
	b.WriteString("format: corefence/v1\nsites:\n")
	for i := range cf.MaxProblems + 5 {
		fmt.Fprintf(&b, "  - {id: S%d, bogus: x}\n", i)
	}
	b.WriteString("zzz: 1\n")
	whole, streamed, took := decodeBoth("many.yaml", []byte(b.String()), cf.DefaultLimits())
	if !took {
		t.Fatal("the document did not stream")
	}
	if strings.Contains(whole, "zzz") || !strings.Contains(whole, "truncated true") {
		t.Fatalf("the whole read should keep the list's first %d problems only:\n%.300s", cf.MaxProblems, whole)
	}
	if whole != streamed {
		t.Errorf("streaming kept other problems than reading whole: the unknown key kept: %v", strings.Contains(streamed, "zzz"))
	}
}
