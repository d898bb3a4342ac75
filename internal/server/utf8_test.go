package server

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"
	"unicode/utf8"

	cf "github.com/corefence/corefence"
)

// wholeBadLine is the check read through a buffer must agree with: the
// whole text decoded at once, the line of its first bad byte (0: none).
func wholeBadLine(data []byte) int {
	if utf8.Valid(data) {
		return 0
	}
	return 1 + badLine(data)
}

// TestFirstBadLine: read in pieces of every size, runes cut anywhere, the
// text gives the same line as decoded whole.
func TestFirstBadLine(t *testing.T) {
	texts := []string{
		"",
		"id,site\na,b\n",
		"héllo\nwörld\n€uro\n𝄞 clef\n",
		"a\nb\n\xff\n",
		"a\nb\nc\xe2\x82",           // a rune cut short at the end
		"a\n\xe2\x82\nb",            // a rune cut short before a newline
		"\xed\xa0\x80\n",            // a surrogate
		"a\n\xf0\x9d\x84\x9e\n\x80", // a stray continuation byte after a four-byte rune
		"\xef\xbf\xbd ok\nthe replacement character is valid\n",
		strings.Repeat("ligne été\n", 50) + "\xc3\x28\n" + strings.Repeat("x\n", 10),
	}
	for _, text := range texts {
		want := wholeBadLine([]byte(text))
		for size := utf8.UTFMax + 1; size <= 24; size++ {
			got, n := firstBadLine(strings.NewReader(text), make([]byte, size))
			if got != want {
				t.Errorf("%q, buffer %d: line %d, want %d", text, size, got, want)
			}
			if want == 0 && n != int64(len(text)) {
				t.Errorf("%q, buffer %d: read %d bytes, want %d", text, size, n, len(text))
			}
			if got, _ := firstBadLine(iotest.OneByteReader(strings.NewReader(text)), make([]byte, size)); got != want {
				t.Errorf("%q, one byte at a time, buffer %d: line %d, want %d", text, size, got, want)
			}
			if got, _ := firstBadLine(iotest.HalfReader(strings.NewReader(text)), make([]byte, size)); got != want {
				t.Errorf("%q, half reads, buffer %d: line %d, want %d", text, size, got, want)
			}
		}
	}
}

// TestUTF8Problems: each file that is not UTF-8 is named with its line;
// the size returned is the files'.
func TestUTF8Problems(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"elements.csv": "id,site\n" + strings.Repeat("e,s\n", 100000) + "bad\xff,s\n",
		"sites.csv":    "id\nsé\n",
		"links.csv":    "a,b\n\xc3",
	}
	size := 0
	for name, text := range files {
		size += len(text)
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	probs := &cf.Problems{}
	if got := utf8Problems(dir, probs); got != int64(size) {
		t.Errorf("size %d, want %d", got, size)
	}
	want := map[string]int{"elements.csv": 100002, "links.csv": 2}
	if probs.Len() != len(want) {
		t.Fatalf("%d problems, want %d: %v", probs.Len(), len(want), probs.Err())
	}
	for _, p := range probs.List {
		name := filepath.Base(p.Pos.File)
		if line, ok := want[name]; !ok || p.Pos.Line != line || p.Message != "not valid UTF-8 text" {
			t.Errorf("%s line %d: %s; want line %d", name, p.Pos.Line, p.Message, line)
		}
	}
}
