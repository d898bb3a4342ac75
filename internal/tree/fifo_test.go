//go:build unix

package tree_test

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	cf "github.com/corefence/corefence"
	"github.com/corefence/corefence/internal/tree"
)

// TestReadInputFIFO: a named pipe that no process writes to is an error at
// once, where opening it plainly would block for ever; one holding data
// reads as a file.
func TestReadInputFIFO(t *testing.T) {
	dir := t.TempDir()
	read := func(path string) (data []byte, err error) {
		t.Helper()
		done := make(chan struct{})
		go func() {
			defer close(done)
			data, err = tree.ReadInput(path, 1<<20, "config-bytes", cf.DefaultLimits())
		}()
		select {
		case <-done:
			return data, err
		case <-time.After(time.Minute): // a bound for a hang, not a timing
			t.Fatalf("reading %s blocked", path)
			return nil, nil
		}
	}

	lonely := filepath.Join(dir, "lonely.yaml")
	if err := syscall.Mkfifo(lonely, 0o600); err != nil {
		t.Skipf("cannot make a named pipe here: %v", err)
	}
	if _, err := read(lonely); err == nil || !strings.Contains(err.Error(), "named pipe with no writer") {
		t.Errorf("named pipe without a writer: error %v, want one saying it has no writer", err)
	}

	fed := filepath.Join(dir, "fed.yaml")
	if err := syscall.Mkfifo(fed, 0o600); err != nil {
		t.Fatal(err)
	}
	// A reader holds the pipe open, so that the writer's open does not
	// wait and what it writes stays in the pipe after it closes: the same
	// on every run.
	hold, err := os.OpenFile(fed, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer hold.Close()
	w, err := os.OpenFile(fed, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.WriteString("format: corefence/v1\n"); err != nil {
		t.Fatal(err)
	}
	w.Close()
	data, err := read(fed)
	if err != nil || string(data) != "format: corefence/v1\n" {
		t.Errorf("named pipe with a writer: read %q, error %v", data, err)
	}
}
