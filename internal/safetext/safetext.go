// Package safetext makes text from inputs safe to show: in a terminal,
// where control characters move the cursor, retitle the window or forge
// lines; in CSV opened by a spreadsheet, where a cell starting with = or
// @ is a formula; and in Markdown, where HTML is live. Ids, names and
// messages from an inventory or a pack go through it on their way to
// every human-readable output; machine formats (JSON, XML) escape by
// their own rules and keep values exact.
package safetext

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// Line returns s with every character that could act on a terminal or
// break a line written as escapes: C0 controls (tab, newline, carriage
// return, ESC, BEL …), DEL, C1 controls, the Unicode line and paragraph
// separators, and the bidirectional overrides and isolates that reorder
// what is displayed. Invalid UTF-8 bytes become \xNN. Text without such
// characters is returned as it is.
func Line(s string) string {
	i := firstUnsafe(s)
	if i < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	b.WriteString(s[:i])
	for j := i; j < len(s); {
		r, size := utf8.DecodeRuneInString(s[j:])
		switch {
		case r == utf8.RuneError && size == 1:
			b.WriteString(`\x`)
			b.WriteString(strconv.FormatUint(uint64(s[j])|0x100, 16)[1:])
		case unsafeRune(r):
			b.WriteString(escape(r))
		default:
			b.WriteString(s[j : j+size])
		}
		j += size
	}
	return b.String()
}

func firstUnsafe(s string) int {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == 0x7f {
				return i
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size == 1) || unsafeRune(r) {
			return i
		}
		i += size
	}
	return -1
}

func unsafeRune(r rune) bool {
	switch {
	case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f:
		return true
	case r == 0x2028, r == 0x2029: // line and paragraph separators
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069: // bidi embeddings, overrides, isolates
		return true
	}
	return false
}

func escape(r rune) string {
	switch r {
	case '\t':
		return `\t`
	case '\n':
		return `\n`
	case '\r':
		return `\r`
	}
	if r < 0x100 {
		return `\x` + strconv.FormatUint(uint64(r)|0x100, 16)[1:]
	}
	return `\u` + strconv.FormatUint(uint64(r)|0x10000, 16)[1:]
}

// CSVCell neutralises a text cell a spreadsheet would evaluate, as OWASP
// advises against CSV injection: a cell starting with =, +, -, @, tab or
// carriage return gets a leading single quote, which spreadsheets show as
// text. Apply it to text cells only: numbers such as -1.5 are left to
// their own writers and stay numbers.
func CSVCell(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

// CSVRow applies CSVCell to the cells at the given indexes, in place, and
// returns row.
func CSVRow(row []string, text ...int) []string {
	for _, i := range text {
		row[i] = CSVCell(row[i])
	}
	return row
}

var markdown = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "|", `\|`)

// Markdown returns s safe in Markdown text and table cells: Line's
// escapes, HTML's special characters as entities (so no tag is live), and
// the table separator | escaped.
func Markdown(s string) string { return markdown.Replace(Line(s)) }

// Code returns s safe inside a Markdown code span: Line's escapes, with
// backticks, which would end the span, replaced by a single quote.
func Code(s string) string { return strings.ReplaceAll(Line(s), "`", "'") }
