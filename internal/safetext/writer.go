package safetext

import (
	"encoding/binary"
	"io"
	"strconv"
	"unicode/utf8"
)

// Writer passes text to an underlying writer with every character Line
// escapes escaped, but for newlines and tabs, which lay the text out: a
// last line of defence, so that nothing written to a terminal can move
// its cursor, change its title or hide text. Characters are escaped as
// JSON escapes them (\r, \u001b, \u202e), so that JSON passes through
// unchanged in meaning (its encoder never writes a raw control character;
// the Unicode ones it writes raw become escapes of themselves).
type Writer struct {
	w       io.Writer
	partial []byte // an incomplete UTF-8 sequence at the end of the last Write
	buf     []byte
	err     error
}

// NewWriter returns a Writer to w.
func NewWriter(w io.Writer) *Writer { return &Writer{w: w} }

// Write escapes p and writes it. It reports len(p) written when the
// escaped text was written in full.
func (sw *Writer) Write(p []byte) (int, error) {
	if sw.err != nil {
		return 0, sw.err
	}
	data := p
	if len(sw.partial) > 0 {
		data = append(sw.partial, p...)
		sw.partial = nil
	} else if plain(p) { // the common case: printable ASCII, newlines, tabs
		if _, err := sw.w.Write(p); err != nil {
			sw.err = err
			return 0, err
		}
		return len(p), nil
	}
	out := sw.buf[:0]
	for i := 0; i < len(data); {
		c := data[i]
		if c < utf8.RuneSelf {
			if (c < 0x20 && c != '\n' && c != '\t') || c == 0x7f {
				out = append(out, jsonEscape(rune(c))...)
			} else {
				out = append(out, c)
			}
			i++
			continue
		}
		if !utf8.FullRune(data[i:]) && len(data)-i < utf8.UTFMax {
			sw.partial = append([]byte(nil), data[i:]...) // wait for the rest
			break
		}
		r, size := utf8.DecodeRune(data[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			out = append(out, `\x`...)
			out = append(out, "0123456789abcdef"[c>>4], "0123456789abcdef"[c&15])
		case unsafeRune(r):
			out = append(out, jsonEscape(r)...)
		default:
			out = append(out, data[i:i+size]...)
		}
		i += size
	}
	sw.buf = out
	if _, err := sw.w.Write(out); err != nil {
		sw.err = err
		return 0, err
	}
	return len(p), nil
}

// Flush writes an incomplete UTF-8 sequence left at the end, escaped.
func (sw *Writer) Flush() error {
	if len(sw.partial) == 0 || sw.err != nil {
		return sw.err
	}
	var out []byte
	for _, c := range sw.partial {
		out = append(out, `\x`...)
		out = append(out, "0123456789abcdef"[c>>4], "0123456789abcdef"[c&15])
	}
	sw.partial = nil
	_, sw.err = sw.w.Write(out)
	return sw.err
}

// Unwrap returns the underlying writer.
func (sw *Writer) Unwrap() io.Writer { return sw.w }

func jsonEscape(r rune) string {
	if r == '\r' {
		return `\r`
	}
	return `\u` + strconv.FormatUint(uint64(r)|0x10000, 16)[1:]
}

// notPlain marks the bytes plain looks for.
var notPlain = func() (t [256]bool) {
	for c := range t {
		t[c] = c >= 0x7f || (c < 0x20 && c != '\n' && c != '\t')
	}
	return t
}()

// plain reports whether p is printable ASCII, newlines and tabs only. It
// tests eight bytes at a time for any byte below 0x20 or above 0x7e, and
// looks closer only at the words that have one (a newline, mostly).
func plain(p []byte) bool {
	const lo, hi = 0x0101010101010101, 0x8080808080808080
	for len(p) >= 8 {
		x := binary.LittleEndian.Uint64(p)
		below := (x - lo*0x20) &^ x & hi  // a byte < 0x20
		above := (x + lo*(0x7f-0x7e)) | x // a byte > 0x7e sets its top bit
		if below|above&hi != 0 {
			for _, c := range p[:8] {
				if notPlain[c] {
					return false
				}
			}
		}
		p = p[8:]
	}
	for _, c := range p {
		if notPlain[c] {
			return false
		}
	}
	return true
}
