// Package atomicfile writes output files so that no one ever sees half of
// one: each file is written to a temporary file in its own directory,
// synced, and renamed over its name, so the name holds the old content or
// the new, never a mix. Outputs never follow a symbolic link, and an
// existing output is replaced only when the caller says so. A directory
// of outputs (Dir) appears whole, and a later run replaces only the files
// an earlier one wrote.
package atomicfile

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
)

// Modes of the files and directories written.
const (
	FileMode = 0o644
	DirMode  = 0o755
)

// ExistsError is returned when an output is already there and the caller
// did not allow replacing it.
type ExistsError struct {
	Path string
	Dir  bool // a non-empty directory
}

func (e *ExistsError) Error() string {
	if e.Dir {
		return fmt.Sprintf("%s is a directory that is not empty", e.Path)
	}
	return fmt.Sprintf("%s exists", e.Path)
}

// ErrSymlink is returned, wrapped with the path, for an output whose name
// is a symbolic link: corefence writes neither through one nor over one.
var ErrSymlink = errors.New("is a symbolic link; outputs are never written through one")

// WriteFile writes path with write: to a temporary file beside it, synced
// and renamed over path once write has succeeded and ctx is not done. On
// any failure path is left as it was and the temporary file removed. An
// existing path is replaced only when replace is true; it must be a
// regular file.
func WriteFile(ctx context.Context, path string, replace bool, write func(io.Writer) error) error {
	if err := checkTarget(path, replace); err != nil {
		return err
	}
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	tmp, err := writeTemp(dir, "."+base+".tmp-*", write)
	if err != nil {
		return err
	}
	commit.Lock()
	defer commit.Unlock()
	defer forget(tmp)
	if err := ctx.Err(); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := checkTarget(path, replace); err != nil { // it may have appeared meanwhile
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	return syncDir(dir)
}

// checkTarget refuses a path that is a symbolic link, not a regular file,
// or there when it may not be replaced.
func checkTarget(path string, replace bool) error {
	st, err := os.Lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return err
	case st.Mode()&fs.ModeSymlink != 0:
		return fmt.Errorf("%s %w", path, ErrSymlink)
	case !st.Mode().IsRegular():
		return fmt.Errorf("%s is not a regular file; outputs only replace regular files", path)
	case !replace:
		return &ExistsError{Path: path}
	}
	return nil
}

// writeTemp creates a temporary file in dir and writes it, buffered, then
// syncs and closes it; it returns its path, registered as pending.
func writeTemp(dir, pattern string, write func(io.Writer) error) (string, error) {
	f, err := os.CreateTemp(dir, pattern)
	if err != nil {
		return "", err
	}
	remember(f.Name())
	bw := bufio.NewWriterSize(f, 1<<20)
	err = write(bw)
	if err == nil {
		err = bw.Flush()
	}
	if err == nil {
		err = f.Chmod(FileMode)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		forget(f.Name())
		return "", err
	}
	return f.Name(), nil
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return err
	}
	return nil
}

// The temporary files and directories not yet renamed into place, for
// RemovePending; commit is held while outputs are renamed, so that
// RemovePending never runs in the middle of a commit.
var (
	commit  sync.Mutex
	mu      sync.Mutex
	pending = map[string]bool{}
)

func remember(path string) { mu.Lock(); pending[path] = true; mu.Unlock() }
func forget(path string)   { mu.Lock(); delete(pending, path); mu.Unlock() }

// RemovePending removes every temporary file and directory not yet
// renamed into place, once any commit under way has finished: for a
// process about to exit before its writers could clean up after
// themselves. Writes started later are not affected.
func RemovePending() {
	commit.Lock()
	defer commit.Unlock()
	mu.Lock()
	defer mu.Unlock()
	for p := range pending {
		os.RemoveAll(p)
		delete(pending, p)
	}
}

// CreateTemp creates a scratch file in dir, as os.CreateTemp does, that
// is never renamed into place: RemovePending removes it if the process
// stops before RemoveTemp does.
func CreateTemp(dir, pattern string) (*os.File, error) {
	f, err := os.CreateTemp(dir, pattern)
	if err != nil {
		return nil, err
	}
	remember(f.Name())
	return f, nil
}

// RemoveTemp closes and removes a file made by CreateTemp.
func RemoveTemp(f *os.File) error {
	defer forget(f.Name())
	return errors.Join(f.Close(), os.Remove(f.Name()))
}
