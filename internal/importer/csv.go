package importer

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"unsafe"

	cf "github.com/corefence/corefence"
	"github.com/corefence/corefence/internal/inventory"
	"github.com/corefence/corefence/internal/tree"
)

// decodeCSV fills doc's section named by the file from CSV data.
func decodeCSV(ctx context.Context, file, sectionName string, data []byte, lim cf.Limits, doc *inventory.Doc, probs *cf.Problems) {
	switch sectionName {
	case "operators":
		doc.Operators = csvRecords(ctx, file, data, lim, operatorSection, doc.Operators, probs)
	case "sites":
		doc.Sites = csvRecords(ctx, file, data, lim, siteSection, doc.Sites, probs)
	case "elements":
		doc.Elements = csvRecords(ctx, file, data, lim, elementSection, doc.Elements, probs)
	case "links":
		doc.Links = csvRecords(ctx, file, data, lim, linkSection, doc.Links, probs)
	case "areas":
		doc.Areas = csvRecords(ctx, file, data, lim, areaSection, doc.Areas, probs)
	case "vendors":
		doc.Vendors = csvRecords(ctx, file, data, lim, vendorSection, doc.Vendors, probs)
	case "functions":
		doc.Functions = csvRecords(ctx, file, data, lim, functionSection, doc.Functions, probs)
	}
}

// attrPrefix marks CSV columns that go to an element's attributes:
// a column "attributes.rack" sets attribute "rack".
const attrPrefix = "attributes."

// csvColumn is one column of a CSV file: the field it fills.
type csvColumn[T any] struct {
	name string
	f    field[T]
	attr string // attribute key, for attributes.* columns
	ok   bool
}

// csvFile is what reading one CSV file's records needs: its columns, as
// its header names them.
type csvFile[T any] struct {
	file       string
	s          *section[T]
	cols       []csvColumn[T]
	idCol      int // -1 when there is no id column
	aCol, bCol int // a link's ends, -1 when absent
	lim        cf.Limits
}

func csvRecords[T any](ctx context.Context, file string, data []byte, lim cf.Limits, s *section[T], out []T, probs *cf.Problems) []T {
	data = trimBOM(data)
	if err := tree.CheckUTF8Context(ctx, file, data); err != nil {
		if ctx.Err() == nil {
			probs.Merge(asProblems(err))
		}
		return out
	}
	rows, long := csvLines(ctx, data, lim.LineBytes)
	if ctx.Err() != nil {
		return out // the caller returns ctx's error
	}
	if long > 0 {
		probs.Add(cf.Problem{Pos: cf.Position{File: file, Line: long}, Section: s.name,
			Message: lim.Exceeded("line-bytes", fmt.Sprintf("line %d is longer than %d bytes", long, lim.LineBytes))})
		return out
	}
	sc := newCSVScanner(data, 0, len(data), 1)
	ok, err := sc.next()
	if err != nil {
		probs.Add(csvProblem(file, s.name, err))
		return out
	}
	if !ok {
		probs.Addf(cf.Position{File: file}, s.name, "", "", "file is empty; want a header row naming the fields")
		return out
	}
	f := &csvFile[T]{file: file, s: s, cols: make([]csvColumn[T], len(sc.fields)), idCol: -1, aCol: -1, bCol: -1, lim: lim}
	seen := map[string]bool{}
	for i, cell := range sc.fields {
		h := strings.TrimSpace(string(cell))
		pos := cf.Position{File: file, Line: 1, Column: i + 1}
		if seen[h] {
			probs.Addf(pos, s.name, "", h, "column given twice")
			continue
		}
		seen[h] = true
		if key, isAttr := strings.CutPrefix(h, attrPrefix); isAttr && s.attrs != nil && key != "" {
			f.cols[i] = csvColumn[T]{name: h, attr: key, ok: true}
			continue
		}
		fd, ok := s.fields[h]
		if !ok {
			probs.Add(cf.Problem{Pos: pos, Section: s.name, Message: s.unknownField(h)})
			continue
		}
		f.cols[i] = csvColumn[T]{name: h, f: fd, ok: true}
		switch h {
		case "id":
			f.idCol = i
		case "a":
			f.aCol = i
		case "b":
			f.bCol = i
		}
	}

	// Size the slice once: records are big, and regrowing copies them all.
	// Every record but the header holds at least one line that is not
	// blank, and past the limit the read stops.
	room := min(max(rows-1, 0), lim.Records)
	base := len(out)
	out = growRecords(out, room)
	if chunks := splitCSV(data, sc.off, sc.line, 2*runtime.GOMAXPROCS(0)); len(chunks) > 1 && rows-1 <= lim.Records {
		if n, ok := f.parallel(ctx, data, chunks, out[base:cap(out)], probs); ok || ctx.Err() != nil {
			return out[:base+n]
		}
		// A chunk broke the quoting rules: read the file again in one
		// piece, so that what is reported is exactly what a reader from
		// the start would report, up to where it must stop.
		clear(out[base:cap(out)])
	}
	body := newCSVScanner(data, sc.off, len(data), sc.line)
	body.lineStart = sc.lineStart
	n, _ := f.records(ctx, body, out[base:cap(out)], probs, true)
	return out[:base+n]
}

// csvChunk is a run of whole records of a CSV file: data[start:end],
// beginning on line line.
type csvChunk struct{ start, end, line int }

// minChunk is the least a CSV chunk holds: below it, goroutines cost more
// than they save. Tests lower it to cut small inputs into many chunks.
var minChunk = 1 << 20

// splitCSV cuts data[start:] into about parts chunks at record boundaries:
// each chunk ends with a line break that an even number of quotes precede,
// which in well-formed CSV is outside any quoted field, even one spanning
// lines. In malformed CSV, the first chunk that breaks the quoting rules
// starts where a reader from the start would be, so it reports the break
// (parallel then falls back to one reader).
func splitCSV(data []byte, start, line, parts int) []csvChunk {
	size := (len(data) - start) / max(parts, 1)
	if size < minChunk {
		return []csvChunk{{start, len(data), line}}
	}
	var chunks []csvChunk
	quotes := 0
	for from := start; from < len(data); {
		to := min(from+size, len(data))
		quotes += bytes.Count(data[from:to], []byte{'"'})
		for to < len(data) {
			nl := bytes.IndexByte(data[to:], '\n')
			if nl < 0 {
				quotes += bytes.Count(data[to:], []byte{'"'})
				to = len(data)
				break
			}
			quotes += bytes.Count(data[to:to+nl+1], []byte{'"'})
			to += nl + 1
			if quotes%2 == 0 {
				break
			}
		}
		chunks = append(chunks, csvChunk{from, to, line})
		line += bytes.Count(data[from:to], []byte{'\n'})
		from = to
	}
	return chunks
}

// parallel reads the chunks concurrently into dst, each into its own
// stretch (as many records as it has lines, an upper bound), then closes
// the gaps. It reports false, leaving dst dirty, when a chunk broke the
// quoting rules or ctx is done.
func (f *csvFile[T]) parallel(ctx context.Context, data []byte, chunks []csvChunk, dst []T, probs *cf.Problems) (int, bool) {
	type result struct {
		at, n int
		probs cf.Problems
		ok    bool
	}
	results := make([]result, len(chunks))
	at := 0
	for i, c := range chunks {
		results[i].at = at
		at += bytes.Count(data[c.start:c.end], []byte{'\n'})
		if data[c.end-1] != '\n' {
			at++
		}
	}
	if at > len(dst) {
		return 0, false // cannot happen: lines bound records, and room was made for them
	}
	// The input may be a mapped file cut short meanwhile: a fault reading
	// it is raised again here, and the caller turns it into a problem.
	g := &faultGroup{data: data}
	for i, c := range chunks {
		g.Go(func() {
			r := &results[i]
			room := len(dst) - r.at
			if i+1 < len(chunks) {
				room = results[i+1].at - r.at
			}
			r.n, r.ok = f.records(ctx, newCSVScanner(data, c.start, c.end, c.line), dst[r.at:r.at+room], &r.probs, false)
		})
	}
	g.Wait()
	n := 0
	for i := range results {
		if !results[i].ok {
			return 0, false
		}
	}
	for i := range results {
		r := &results[i]
		if r.at != n {
			copy(dst[n:], dst[r.at:r.at+r.n])
		}
		n += r.n
		probs.Merge(&r.probs)
	}
	clear(dst[n:at])
	return n, true
}

// records reads the records of sc into dst, returning how many it stored.
// whole says that sc reads the file to its end from the first record:
// then a break of the quoting rules is reported and ends the reading, as
// does the record limit. Otherwise (a chunk) it returns false at such a
// break, reporting nothing of it. It returns false once ctx is done.
func (f *csvFile[T]) records(ctx context.Context, sc *csvScanner, dst []T, probs *cf.Problems, whole bool) (int, bool) {
	s := f.s
	cells := make([]columnStrings, len(f.cols))
	stored := 0
	for n := 0; ; n++ {
		ok, err := sc.next()
		if !ok && err == nil {
			return stored, true
		}
		if cancelled(ctx, n) {
			return stored, false // the caller returns ctx's error
		}
		if whole && n == f.lim.Records {
			probs.Add(cf.Problem{Pos: cf.Position{File: f.file, Line: sc.recLine}, Section: s.name,
				Message: f.lim.Exceeded("records", fmt.Sprintf("more than %d records", f.lim.Records))})
			return stored, true
		}
		if err != nil {
			if whole {
				probs.Add(csvProblem(f.file, s.name, err))
			}
			return stored, whole
		}
		if len(sc.fields) != len(f.cols) {
			probs.Add(csvProblem(f.file, s.name, &csv.ParseError{StartLine: sc.recLine, Line: sc.recLine, Column: 1, Err: csv.ErrFieldCount}))
			continue
		}
		t := &dst[stored]
		stored++
		if s.init != nil {
			s.init(t)
		}
		*s.pos(t) = cf.Position{File: f.file, Line: sc.recLine}
		for i, cell := range sc.fields {
			c := &f.cols[i]
			if !c.ok || len(cell) == 0 {
				continue
			}
			v := value{csv: true, text: view(cell), cells: &cells[i]}
			if c.attr != "" {
				m := s.attrs(t)
				if *m == nil {
					*m = map[string]any{}
				}
				(*m)[c.attr] = v.own(v.text)
				continue
			}
			if err := c.f.set(t, v); err != nil {
				p := sc.pos[i]
				probs.Addf(cf.Position{File: f.file, Line: p.line, Column: p.col}, s.name, f.recordID(sc.fields), c.name, "%v", err)
			}
		}
	}
}

// recordID names the record being read in a problem: its id, or a link's
// two ends.
func (f *csvFile[T]) recordID(rec [][]byte) string {
	switch {
	case f.idCol >= 0:
		return string(rec[f.idCol])
	case f.aCol >= 0 && f.bCol >= 0:
		return string(rec[f.aCol]) + "—" + string(rec[f.bCol])
	}
	return ""
}

// columnStrings makes the strings that one column's records keep. A column
// that repeats a few values (vendors, models, functions) has each value
// copied once; any other has its values copied into blocks it alone uses,
// so that a million records cost a few hundred allocations, not millions,
// and a column whose strings Build replaces by the ones they refer to (an
// element's site, a link's ends) frees its blocks whole.
type columnStrings struct {
	last     string
	distinct map[string]string // nil once the column proves not to repeat
	hits     int               // values found in distinct
	many     bool
	block    strings.Builder
}

// maxDistinct is the number of distinct values past which a column is taken
// not to repeat.
const maxDistinct = 4096

// probeDistinct is the number of distinct values past which a column is
// taken not to repeat when its values were found again fewer times than
// it holds: ids, names and references (which repeat, if at all, on
// neighbouring records, as the previous value catches) then stop there
// rather than fill a map of maxDistinct values, per column and per chunk
// read, that is never hit: filling it was an eighth of the load's CPU.
const probeDistinct = 256

// stringBlock is the size of the blocks a column's values are copied into.
const stringBlock = 64 << 10

// own returns a string equal to s, which may be a view of the input, that
// the record can keep.
func (c *columnStrings) own(s string) string {
	if s == c.last || s == "" {
		return c.last[:len(s)] // records often repeat the previous value
	}
	if !c.many {
		if k, ok := c.distinct[s]; ok {
			c.hits++
			c.last = k
			return k
		}
		if c.distinct == nil {
			c.distinct = map[string]string{}
		}
		if n := len(c.distinct); n < maxDistinct && (n < probeDistinct || c.hits >= n) {
			k := strings.Clone(s)
			c.distinct[k] = k
			c.last = k
			return k
		}
		c.many, c.distinct = true, nil
	}
	if c.block.Cap()-c.block.Len() < len(s) {
		c.block = strings.Builder{}
		c.block.Grow(max(stringBlock, len(s)))
	}
	at := c.block.Len()
	c.block.WriteString(s)
	// A Builder never changes bytes it has written: its String stays valid
	// while it grows within its capacity, as it does here.
	c.last = c.block.String()[at:]
	return c.last
}

// view is the text of a cell without copying it. The input's bytes are
// never written once read, and a view lives only while its record is
// read: what a record keeps goes through columnStrings.own, and messages
// format their own copies.
func view(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// csvLines counts the lines of data that are not blank (an upper bound on
// its records, header included) and returns the number of the first line
// longer than max bytes, or 0. It stops early once ctx is done.
func csvLines(ctx context.Context, data []byte, max int) (nonBlank, long int) {
	for line := 1; len(data) > 0; line++ {
		if line&65535 == 0 && ctx.Err() != nil {
			return nonBlank, 0
		}
		end := bytes.IndexByte(data, '\n')
		if end < 0 {
			end = len(data)
		}
		n := end
		if n > 0 && data[n-1] == '\r' {
			n--
		}
		if n > max {
			return nonBlank, line
		}
		if n > 0 {
			nonBlank++
		}
		data = data[min(end+1, len(data)):]
	}
	return nonBlank, 0
}

func asProblems(err error) *cf.Problems {
	if ps, ok := cf.AsProblems(err); ok {
		return ps
	}
	return &cf.Problems{List: []cf.Problem{{Message: err.Error()}}}
}

func csvProblem(file, sectionName string, err error) cf.Problem {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return cf.Problem{Pos: cf.Position{File: file, Line: pe.Line, Column: pe.Column}, Section: sectionName,
			Message: fmt.Sprintf("invalid CSV: %v", pe.Err)}
	}
	return cf.Problem{Pos: cf.Position{File: file}, Section: sectionName, Message: fmt.Sprintf("invalid CSV: %v", err)}
}

func trimBOM(b []byte) []byte {
	if len(b) >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF {
		return b[3:]
	}
	return b
}
