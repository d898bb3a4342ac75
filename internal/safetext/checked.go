package safetext

import (
	"errors"
	"io"
	"os"
	"syscall"
)

// Checked is a command's standard output: a Writer that keeps the first
// write error, and whose Flush also syncs a file, so that a command
// reports output it could not keep (a full disk behind a redirect) instead
// of exiting 0. Every corefence command line writes through one.
type Checked struct {
	w   *Writer
	err error
}

// NewChecked returns a Checked writing, escaped, to w.
func NewChecked(w io.Writer) *Checked { return &Checked{w: NewWriter(w)} }

// Write escapes and writes p, failing from the first error on.
func (c *Checked) Write(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	n, err := c.w.Write(p)
	c.err = err
	return n, err
}

// Flush writes what is pending, syncs the output when it is a file, and
// returns the first error of all the writes.
func (c *Checked) Flush() error {
	if c.err == nil {
		c.err = c.w.Flush()
	}
	if c.err == nil {
		// A stdout that takes writes but cannot keep them (a full disk
		// behind a redirect) fails on sync; a terminal or pipe cannot be
		// synced, which is no failure.
		if f, ok := c.w.Unwrap().(*os.File); ok {
			if err := f.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) && !isNotSyncable(err) {
				c.err = err
			}
		}
	}
	return c.err
}

// isNotSyncable reports an fsync refused because the file is a pipe,
// socket or terminal.
func isNotSyncable(err error) bool {
	return errors.Is(err, syscall.EINVAL) || errors.Is(err, syscall.ENOTSUP) || errors.Is(err, syscall.EROFS)
}
