package safetext

import (
	"bytes"
	"io"
	"strings"
	"testing"
)

func TestLine(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"A-DC1-amf", "A-DC1-amf"},
		{"Zürich – 5G", "Zürich – 5G"},
		{"\x1b]0;pwned\x07", `\x1b]0;pwned\x07`},
		{"a\r\nVIOLATION forged", `a\r\nVIOLATION forged`},
		{"tab\there", `tab\there`},
		{"del\x7f", `del\x7f`},
		{"c1\u009b31m", `c1\x9b31m`},
		{"bidi\u202etxt.exe", `bidi\u202etxt.exe`},
		{"sep\u2028x", `sep\u2028x`},
		{"bad\xff\xfeutf8", `bad\xff\xfeutf8`},
		{"", ""},
	} {
		if got := Line(tc.in); got != tc.want {
			t.Errorf("Line(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestCSVCell(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"},
		{"+1+1", "'+1+1"},
		{"-2+3", "'-2+3"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\tx", "'\tx"},
		{"\rx", "'\rx"},
		{"A-001", "A-001"},
		{"", ""},
	} {
		if got := CSVCell(tc.in); got != tc.want {
			t.Errorf("CSVCell(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestMarkdown(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"},
		{"a | b", `a \| b`},
		{"x\ny", `x\ny`},
		{"AT&T", "AT&amp;T"},
	} {
		if got := Markdown(tc.in); got != tc.want {
			t.Errorf("Markdown(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if got := Code("a`b\x1b"); got != `a'b\x1b` {
		t.Errorf("Code = %q", got)
	}
}

func TestWriter(t *testing.T) {
	var b strings.Builder
	w := NewWriter(&b)
	// "é" split across writes stays whole; layout newlines and tabs pass.
	for _, chunk := range []string{"id\x1b[2J\tZ\xc3", "\xa9 line\r\n", "bad\xff end\xe2\x80"} {
		if _, err := w.Write([]byte(chunk)); err != nil {
			t.Fatal(err)
		}
	}
	w.Flush()
	want := "id\\u001b[2J\tZé line\\r\nbad\\xff end\\xe2\\x80"
	if b.String() != want {
		t.Errorf("got %q, want %q", b.String(), want)
	}
}

func BenchmarkWriterJSON(b *testing.B) {
	line := []byte(`    {"id": "uk-dvd-2022/core:A-DC1-amf", "status": "violation", "site": "A-DC1", "message": "Huawei AMF in the core"},` + "\n")
	chunk := bytes.Repeat(line, 1<<16/len(line))
	w := NewWriter(io.Discard)
	b.SetBytes(int64(len(chunk)))
	for b.Loop() {
		w.Write(chunk)
	}
}

// TestPlain checks the word-at-a-time test against the byte table for
// every byte at every position of a word.
func TestPlain(t *testing.T) {
	for c := range 256 {
		for pos := range 11 {
			p := []byte("abcdefghijk")
			p[pos] = byte(c)
			if got, want := plain(p), !notPlain[c]; got != want {
				t.Fatalf("plain with byte %#x at %d = %v, want %v", c, pos, got, want)
			}
		}
	}
}
