package importer

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"unsafe"

	cf "github.com/corefence/corefence"
	"github.com/corefence/corefence/internal/inventory"
)

// readElements reads data as elements.csv, cut into chunks of at least
// chunk bytes (0: in one piece).
func readElements(t testing.TB, data []byte, chunk int) ([]inventory.Element, []cf.Problem) {
	t.Helper()
	saved := minChunk
	defer func() { minChunk = saved }()
	minChunk = len(data) + 1
	if chunk > 0 {
		minChunk = chunk
	}
	probs := &cf.Problems{}
	lim := cf.DefaultLimits()
	recs := csvRecords(context.Background(), "elements.csv", data, lim, elementSection, nil, probs)
	return recs, probs.List
}

// sameChunked checks that reading data in chunks finds exactly the records
// and problems that reading it in one piece finds.
func sameChunked(t testing.TB, data []byte) {
	t.Helper()
	want, wantProbs := readElements(t, data, 0)
	for _, chunk := range []int{1, 7, 64} {
		got, gotProbs := readElements(t, data, chunk)
		if len(got) != len(want) || (len(got) > 0 && !reflect.DeepEqual(got, want)) {
			t.Fatalf("chunks of %d: %d records differ from the %d read in one piece\n%q", chunk, len(got), len(want), data)
		}
		if !reflect.DeepEqual(gotProbs, wantProbs) {
			t.Fatalf("chunks of %d: problems\n got %v\nwant %v\n%q", chunk, gotProbs, wantProbs, data)
		}
	}
}

// elementsCSV writes n element records with the awkward cells CSV allows:
// quoted commas, quoted line breaks, escaped quotes, blank lines, with
// line ends eol; bad (if not 0) spoils one record in every bad.
func elementsCSV(rng *rand.Rand, n int, eol string, bad int) []byte {
	var b strings.Builder
	b.WriteString("\ufeffid,site,function,vendor,model,installed,tags" + eol)
	for i := range n {
		vendor := "Nokia"
		switch rng.IntN(4) {
		case 0:
			vendor = `"Cisco Systems, Inc."`
		case 1:
			vendor = "\"Huawei\nTechnologies\""
		case 2:
			vendor = `"The ""Best"" Vendor"`
		}
		model := "AirScale"
		if rng.IntN(5) == 0 {
			model = "\"line one\r\nline two\r\n\""
		}
		fmt.Fprintf(&b, "E%d,S%d,gnb,%s,%s,2020-01-%02d,a;b%s", i, i/3, vendor, model, 1+i%28, eol)
		if rng.IntN(10) == 0 {
			b.WriteString(eol) // a blank line
		}
		if bad > 0 && i%bad == bad-1 {
			switch rng.IntN(4) {
			case 0:
				b.WriteString("E-short,S1" + eol) // too few fields
			case 1:
				b.WriteString("E-date,S1,gnb,Nokia,x,2020-02-30,t" + eol) // a field that does not parse
			case 2:
				b.WriteString(`E-bare,S1,gnb,No"kia,x,2020-01-01,t` + eol) // a bare quote: reading stops
			case 3:
				b.WriteString(`E-quote,S1,gnb,"Nokia"x,x,2020-01-01,t` + eol)
			}
		}
	}
	return []byte(b.String())
}

// TestCSVChunks reads generated files whole and in chunks of many sizes,
// so that chunk boundaries fall inside quoted line breaks, beside "\r\n"
// and blank lines, after a byte-order mark, and around malformed records.
func TestCSVChunks(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 3))
	for _, eol := range []string{"\n", "\r\n"} {
		for _, bad := range []int{0, 50, 7} {
			t.Run(fmt.Sprintf("eol=%q,bad=%d", eol, bad), func(t *testing.T) {
				data := elementsCSV(rng, 300, eol, bad)
				sameChunked(t, data)
				if recs, _ := readElements(t, data, 64); bad == 0 && len(recs) != 300 {
					t.Errorf("read %d records of 300", len(recs))
				}
			})
		}
	}
}

// TestSplitCSV checks that chunks cover the data and start on record
// boundaries with the right line numbers, quoted line breaks included.
func TestSplitCSV(t *testing.T) {
	data := []byte("a,b\n1,\"x\ny\"\n2,\"\"\"\n\"\"\"\n3,z\n\n4,w\r\n5,\"\n\n\n\"\n")
	saved := minChunk
	minChunk = 1
	defer func() { minChunk = saved }()
	chunks := splitCSV(data, 4, 2, 16)
	if len(chunks) < 4 {
		t.Fatalf("%d chunks, want several", len(chunks))
	}
	var recs []string
	at := 4
	for _, c := range chunks {
		if c.start != at {
			t.Fatalf("chunk starts at %d, want %d", c.start, at)
		}
		if want := 1 + strings.Count(string(data[:c.start]), "\n"); c.line != want {
			t.Errorf("chunk at %d: line %d, want %d", c.start, c.line, want)
		}
		s := newCSVScanner(data, c.start, c.end, c.line)
		for {
			ok, err := s.next()
			if err != nil {
				t.Fatalf("chunk %q: %v", data[c.start:c.end], err)
			}
			if !ok {
				break
			}
			recs = append(recs, string(s.fields[0])+"="+string(s.fields[1]))
		}
		at = c.end
	}
	if at != len(data) {
		t.Errorf("chunks end at %d of %d", at, len(data))
	}
	want := []string{"1=x\ny", "2=\"\n\"", "3=z", "4=w", "5=\n\n\n"}
	if !reflect.DeepEqual(recs, want) {
		t.Errorf("records %q, want %q", recs, want)
	}
}

// FuzzCSVChunks holds reading in chunks to reading in one piece on any
// input: the same records, the same problems.
func FuzzCSVChunks(f *testing.F) {
	rng := rand.New(rand.NewPCG(1, 2))
	f.Add(elementsCSV(rng, 20, "\n", 0))
	f.Add(elementsCSV(rng, 20, "\r\n", 5))
	f.Add([]byte("id,site\nE1,\"S\n1\"\nE2,S2\n"))
	f.Fuzz(func(t *testing.T, data []byte) { sameChunked(t, data) })
}

// TestColumnStringsRepeats: a column whose values recur keeps one copy of
// each; one whose values do not recur gives up its map at probeDistinct
// distinct values, and still returns equal strings.
func TestColumnStringsRepeats(t *testing.T) {
	var vendors columnStrings
	first := map[string]string{}
	r := rand.New(rand.NewPCG(1, 2))
	for range 10 * probeDistinct {
		v := fmt.Sprintf("model-%d", r.IntN(probeDistinct+50)) // recurs, not on neighbouring records
		got := vendors.own(v)
		if got != v {
			t.Fatalf("own(%q) = %q", v, got)
		}
		if k, seen := first[v]; seen && unsafe.StringData(k) != unsafe.StringData(got) {
			t.Fatalf("%q copied twice", v)
		}
		first[v] = got
	}
	if vendors.many {
		t.Fatal("a column of recurring values was taken not to repeat")
	}

	var ids columnStrings
	for i := range 2 * probeDistinct {
		v := fmt.Sprintf("element-%06d", i)
		if got := ids.own(v); got != v {
			t.Fatalf("own(%q) = %q", v, got)
		}
	}
	if !ids.many || ids.distinct != nil {
		t.Fatalf("a column of distinct ids kept its map: many %v, %d values", ids.many, len(ids.distinct))
	}
}
