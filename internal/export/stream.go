package export

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/corefence/corefence/internal/atomicfile"
	"github.com/corefence/corefence/internal/inventory"
)

// Stream writes an inventory too large to hold in memory: its elements and
// links, given one at a time, are encoded at once into spool files; the
// rest (operators, sites, areas …), small beside them, comes as a Doc when
// the document is put together. The bytes are those Write gives for the
// whole Doc. A Stream is for one format, chosen when it is made, and is
// not safe for concurrent use.
type Stream struct {
	format          string
	elements, links *spool
	elemRows        *csvRows // csv: the cells of an element's row
	linkRows        *csvRows
	csvBuf          bytes.Buffer
	csvW            *csv.Writer
	r               record
	b               []byte
}

// NewStream starts a Stream in format, spooling into hidden temporary files
// in dir (the output's own directory is a good choice: the spools are
// about the size of the output). Close removes them.
func NewStream(format, dir string) (*Stream, error) {
	if !slices.Contains(Formats, format) {
		return nil, fmt.Errorf("unknown format %q (want %s)", format, strings.Join(Formats, ", "))
	}
	s := &Stream{format: format}
	var err error
	if s.elements, err = newSpool(dir); err != nil {
		return nil, err
	}
	if s.links, err = newSpool(dir); err != nil {
		s.elements.remove()
		return nil, err
	}
	if format == "csv" {
		s.csvW = csv.NewWriter(&s.csvBuf)
		s.elemRows, s.linkRows = newCSVRows(elementColumns), newCSVRows(linkColumns)
	}
	return s, nil
}

// Close removes the spool files.
func (s *Stream) Close() error {
	return errors.Join(s.elements.remove(), s.links.remove())
}

// Counts returns how many elements and links were given.
func (s *Stream) Counts() (elements, links int) { return s.elements.n, s.links.n }

// Element spools e.
func (s *Stream) Element(e *inventory.Element) error {
	if s.format == "csv" && len(e.Attributes) > 0 {
		// The header names every attribute key, and it comes first.
		return fmt.Errorf("export: element %s: a streamed CSV inventory cannot hold attributes", e.ID)
	}
	b, err := s.encode(func(r *record) { elementRecord(r, e) }, s.elemRows, s.elements.n)
	if err != nil {
		return err
	}
	return s.elements.add(b)
}

// Link spools l.
func (s *Stream) Link(l *inventory.Link) error {
	b, err := s.encode(func(r *record) { linkRecord(r, l) }, s.linkRows, s.links.n)
	if err != nil {
		return err
	}
	return s.links.add(b)
}

// Mark remembers the element given last, the one Revise replaces.
func (s *Stream) Mark() { s.elements.mark() }

// Revise replaces the marked element with e in what is written.
func (s *Stream) Revise(e *inventory.Element) error {
	if !s.elements.marked {
		return errors.New("export: Revise without Mark")
	}
	b, err := s.encode(func(r *record) { elementRecord(r, e) }, s.elemRows, s.elements.markIndex)
	if err != nil {
		return err
	}
	s.elements.revised = bytes.Clone(b)
	return nil
}

// encode returns the bytes of the i-th record of a section (laid out by
// rows in CSV) as the format writes it; they are valid until the next
// call.
func (s *Stream) encode(fill func(*record), rows *csvRows, i int) ([]byte, error) {
	s.r = s.r[:0]
	fill(&s.r)
	switch s.format {
	case "yaml":
		s.b = appendYAML(s.b[:0], s.r)
	case "json":
		s.b = appendJSON(s.b[:0], s.r, i == 0)
	default:
		s.csvBuf.Reset()
		s.csvW.Write(rows.row(s.r))
		s.csvW.Flush()
		if err := s.csvW.Error(); err != nil {
			return nil, err
		}
		s.b = append(s.b[:0], s.csvBuf.Bytes()...)
	}
	return s.b, nil
}

// withSpools returns doc's sections with elements and links from the
// spools.
func (s *Stream) withSpools(doc *inventory.Doc) ([]section, error) {
	if len(doc.Elements) > 0 || len(doc.Links) > 0 {
		return nil, errors.New("export: the Doc of a Stream holds elements or links; they come from the stream")
	}
	secs := sections(doc)
	for i := range secs {
		switch secs[i].name {
		case "elements":
			secs[i].spool, secs[i].n = s.elements, s.elements.n
		case "links":
			secs[i].spool, secs[i].n = s.links, s.links.n
		}
	}
	return secs, nil
}

// Writer returns the function that writes the inventory, doc with the
// streamed elements and links, as one YAML or JSON document.
func (s *Stream) Writer(doc *inventory.Doc) func(io.Writer) error {
	return func(w io.Writer) error {
		secs, err := s.withSpools(doc)
		if err != nil {
			return err
		}
		switch s.format {
		case "yaml":
			return writeYAML(w, secs)
		case "json":
			return writeJSON(w, secs)
		}
		return fmt.Errorf("export: a %s stream is written with WriteCSVFiles", s.format)
	}
}

// WriteCSVFiles is the package's WriteCSVFiles for doc with the streamed
// elements and links.
func (s *Stream) WriteCSVFiles(doc *inventory.Doc, prefix string, file func(name string, write func(io.Writer) error) error) error {
	if s.format != "csv" {
		return fmt.Errorf("export: a %s stream is written with Writer", s.format)
	}
	secs, err := s.withSpools(doc)
	if err != nil {
		return err
	}
	return writeCSVFiles(secs, prefix, file)
}

// spool is a temporary file of encoded records, one of which may be
// replaced when it is copied out.
type spool struct {
	f    *os.File
	w    *bufio.Writer
	n    int   // records
	size int64 // bytes
	last int64 // where the last record starts

	marked             bool
	markIndex          int
	markStart, markEnd int64
	revised            []byte // what replaces the marked record, if not nil
}

func newSpool(dir string) (*spool, error) {
	f, err := atomicfile.CreateTemp(dir, ".corefence-spool-*") // removed on a signal too
	if err != nil {
		return nil, err
	}
	return &spool{f: f, w: bufio.NewWriterSize(f, 1<<20)}, nil
}

func (p *spool) add(b []byte) error {
	p.last = p.size
	n, err := p.w.Write(b)
	p.size += int64(n)
	p.n++
	return err
}

func (p *spool) mark() {
	p.marked, p.markIndex, p.markStart, p.markEnd = true, p.n-1, p.last, p.size
}

// copyTo writes the records to w, the marked one revised.
func (p *spool) copyTo(w io.Writer) error {
	if err := p.w.Flush(); err != nil {
		return err
	}
	if p.revised == nil {
		_, err := io.Copy(w, io.NewSectionReader(p.f, 0, p.size))
		return err
	}
	if _, err := io.Copy(w, io.NewSectionReader(p.f, 0, p.markStart)); err != nil {
		return err
	}
	if _, err := w.Write(p.revised); err != nil {
		return err
	}
	_, err := io.Copy(w, io.NewSectionReader(p.f, p.markEnd, p.size-p.markEnd))
	return err
}

func (p *spool) remove() error {
	return atomicfile.RemoveTemp(p.f)
}
