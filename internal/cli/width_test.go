package cli

import (
	"bytes"
	"os"
	"testing"
)

// TestTerminalWidth: COLUMNS when it is a number (never under minWidth),
// else the default for output that is not a terminal.
func TestTerminalWidth(t *testing.T) {
	f, err := os.CreateTemp(t.TempDir(), "out")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, c := range []struct {
		columns string
		out     any
		want    int
	}{
		{"", &bytes.Buffer{}, defaultWidth},
		{"", f, defaultWidth}, // a file is not a terminal
		{"132", &bytes.Buffer{}, 132},
		{"20", f, minWidth},
		{"wide", &bytes.Buffer{}, defaultWidth},
		{"-5", &bytes.Buffer{}, defaultWidth},
	} {
		t.Setenv("COLUMNS", c.columns)
		if got := terminalWidth(c.out); got != c.want {
			t.Errorf("COLUMNS=%q, %T: %d, want %d", c.columns, c.out, got, c.want)
		}
	}
}
