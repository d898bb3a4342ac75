package importer

import (
	"bytes"
	"encoding/csv"
)

// csvScanner splits CSV held in memory into records, with the grammar and
// positions of encoding/csv as the importer used it (comma-separated,
// RFC 4180 quotes and no lazy quotes, blank lines skipped, "\r\n" read as
// "\n", a final "\r" dropped) and its *csv.ParseError values, so that every
// message stays what it was. It copies nothing it need not: a field is a
// slice of the input unless it is quoted with an escaped quote or a line
// break. The differential fuzz target FuzzCSVScanner holds it to
// encoding/csv.
//
// A scanner reads data[off:end]; a chunk of a bigger file is a scanner
// whose end is a record boundary inside data (see splitCSV).
type csvScanner struct {
	data      []byte
	off, end  int
	line      int // the line of data[off], from 1
	lineStart int // the offset of that line's first byte

	recLine int        // the line the current record starts on
	fields  [][]byte   // the current record's fields
	pos     []fieldPos // where each field starts
	spans   []span     // fields while the record is read: offsets in data or buf
	buf     []byte     // unescaped quoted fields of the current record
}

type fieldPos struct{ line, col int }

// span is one field while its record is read; fields held in buf are
// sliced only once the record is complete, since buf may grow meanwhile.
type span struct {
	start, end int
	inBuf      bool
}

// newCSVScanner reads data[off:end], whose first byte is at line line,
// column 1.
func newCSVScanner(data []byte, off, end, line int) *csvScanner {
	return &csvScanner{data: data, off: off, end: end, line: line, lineStart: off}
}

// atEOF reports whether i is the end of the whole input, where a final
// "\r" is dropped as encoding/csv does.
func (s *csvScanner) atEOF(i int) bool { return i == len(s.data) }

// newline moves to the line starting at offset i.
func (s *csvScanner) newline(i int) { s.off, s.line, s.lineStart = i, s.line+1, i }

// next reads the next record into s.fields and s.pos. It returns false at
// the end of the scanner's data, and a *csv.ParseError for a record that
// breaks the quoting rules, after which the scanner must not be used.
func (s *csvScanner) next() (bool, error) {
	data := s.data
	for s.off < s.end { // blank lines hold no record
		switch c := data[s.off]; {
		case c == '\n':
			s.newline(s.off + 1)
			continue
		case c == '\r' && s.off+1 < s.end && data[s.off+1] == '\n':
			s.newline(s.off + 2)
			continue
		case c == '\r' && s.atEOF(s.off+1):
			s.off++
			continue
		}
		break
	}
	if s.off >= s.end {
		return false, nil
	}
	s.recLine = s.line
	s.spans, s.pos, s.buf = s.spans[:0], s.pos[:0], s.buf[:0]
	for {
		start := s.off
		s.pos = append(s.pos, fieldPos{s.line, start - s.lineStart + 1})
		if start < s.end && data[start] == '"' {
			more, err := s.quoted()
			if err != nil {
				return false, err
			}
			if more {
				continue
			}
			break
		}
		i := start
		for i < s.end {
			if c := data[i]; c == ',' || c == '\n' || c == '"' {
				break
			}
			i++
		}
		if i < s.end && data[i] == '"' {
			return false, &csv.ParseError{StartLine: s.recLine, Line: s.line, Column: i - s.lineStart + 1, Err: csv.ErrBareQuote}
		}
		if i < s.end && data[i] == ',' {
			s.spans = append(s.spans, span{start, i, false})
			s.off = i + 1
			continue
		}
		// The end of the line, or of the data: the record's last field.
		fieldEnd := i
		if fieldEnd > start && data[fieldEnd-1] == '\r' && (i < s.end || s.atEOF(i)) {
			fieldEnd--
		}
		s.spans = append(s.spans, span{start, fieldEnd, false})
		if i < s.end {
			s.newline(i + 1)
		} else {
			s.off = i
		}
		break
	}
	s.fields = s.fields[:0]
	for _, sp := range s.spans {
		if sp.inBuf {
			s.fields = append(s.fields, s.buf[sp.start:sp.end])
		} else {
			s.fields = append(s.fields, data[sp.start:sp.end])
		}
	}
	return true, nil
}

// quoted reads the quoted field at s.off into s.buf. It reports whether
// another field of the record follows.
func (s *csvScanner) quoted() (more bool, err error) {
	data := s.data
	s.off++ // the opening quote
	from := len(s.buf)
	// A field without escapes or line breaks is a slice of data, as is.
	plainStart, plain := s.off, true
	for {
		j := bytes.IndexByte(data[s.off:s.end], '"')
		if j < 0 {
			return false, s.unterminated()
		}
		seg := data[s.off : s.off+j]
		if bytes.IndexByte(seg, '\n') >= 0 {
			if plain {
				s.buf = append(s.buf, data[plainStart:s.off]...)
				plain = false
			}
			s.appendLines(seg)
		} else if !plain {
			s.buf = append(s.buf, seg...)
		}
		q := s.off + j // the quote
		s.off = q + 1
		switch {
		case s.off < s.end && data[s.off] == '"': // an escaped quote
			if plain {
				s.buf = append(s.buf, data[plainStart:q]...)
				plain = false
			}
			s.buf = append(s.buf, '"')
			s.off++
			continue
		case s.off < s.end && data[s.off] == ',':
			more = true
		case s.off == s.end, data[s.off] == '\n',
			data[s.off] == '\r' && (s.off+1 < s.end && data[s.off+1] == '\n' || s.atEOF(s.off+1)):
		default:
			return false, &csv.ParseError{StartLine: s.recLine, Line: s.line, Column: q - s.lineStart + 1, Err: csv.ErrQuote}
		}
		if plain {
			s.spans = append(s.spans, span{plainStart, q, false})
		} else {
			s.spans = append(s.spans, span{from, len(s.buf), true})
		}
		if more {
			s.off++
			return true, nil
		}
		// The end of the record: past its line break.
		for s.off < s.end && data[s.off] != '\n' {
			s.off++ // the "\r" of "\r\n", or a final "\r"
		}
		if s.off < s.end {
			s.newline(s.off + 1)
		}
		return false, nil
	}
}

// appendLines appends part of a quoted field that spans lines to s.buf,
// reading "\r\n" as "\n", and moves the scanner's line past each break.
func (s *csvScanner) appendLines(seg []byte) {
	base := s.off
	for len(seg) > 0 {
		i := bytes.IndexByte(seg, '\n')
		if i < 0 {
			s.buf = append(s.buf, seg...)
			return
		}
		text := seg[:i]
		if i > 0 && text[i-1] == '\r' {
			text = text[:i-1]
		}
		s.buf = append(append(s.buf, text...), '\n')
		s.line, s.lineStart = s.line+1, base+i+1
		base += i + 1
		seg = seg[i+1:]
	}
}

// unterminated is the error of a quoted field still open at the end of the
// data, placed where encoding/csv places it: just past the last line
// that holds anything.
func (s *csvScanner) unterminated() error {
	data := s.data
	end := s.end
	if end > s.off && data[end-1] == '\r' && s.atEOF(end) {
		end-- // dropped, as a final "\r" is
	}
	last := s.lineStart // the start of the last line read
	line := s.line
	for i := s.off; i < end; i++ {
		if data[i] == '\n' && i+1 < end {
			line, last = line+1, i+1
		}
	}
	width := end - last
	if width >= 2 && data[end-2] == '\r' && data[end-1] == '\n' {
		width--
	}
	return &csv.ParseError{StartLine: s.recLine, Line: line, Column: width + 1, Err: csv.ErrQuote}
}
