package cli

import (
	"os"
	"strconv"

	"golang.org/x/term"

	"github.com/corefence/corefence/internal/safetext"
)

// defaultWidth is the width tables wrap to when the output is not a
// terminal and COLUMNS is not set: wide enough for a CI log, narrow enough
// to read.
const defaultWidth = 100

// minWidth is the narrowest width a table is wrapped to: narrower, the
// columns would leave no room for words.
const minWidth = 40

// terminalWidth is the width tables written to w wrap to: COLUMNS when it
// is set to a number, else the terminal's width when w is one, else
// defaultWidth.
func terminalWidth(w any) int {
	if n, err := strconv.Atoi(os.Getenv("COLUMNS")); err == nil && n > 0 {
		return max(n, minWidth)
	}
	if sw, ok := w.(*safetext.Writer); ok { // Run's filter; the terminal is behind it
		w = sw.Unwrap()
	}
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		if n, _, err := term.GetSize(int(f.Fd())); err == nil && n > 0 {
			return max(n, minWidth)
		}
	}
	return defaultWidth
}
