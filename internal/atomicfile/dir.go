package atomicfile

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// Manifest is the file, in a directory a Dir wrote, that lists the files
// it wrote (slash-separated, one per line), so that a later run replaces
// or removes those and leaves every other file alone. Inventory readers
// skip it, as they skip every file whose name starts with a dot.
const Manifest = ".corefence-files"

// Dir is a directory of outputs written as one: files are written into a
// temporary directory beside it and, on Commit, put in place. A new
// directory is created by one rename, so it appears complete or not at
// all. An existing directory with files in it is refused unless replace
// was given. Into an existing directory each file is renamed into place
// (each atomically), the files the previous run listed in its Manifest
// and this one did not write are removed, and no other file is touched:
// a file this run would write that is there but not in the Manifest makes
// Commit fail, having changed nothing.
type Dir struct {
	path    string
	replace bool
	fresh   bool     // path does not exist: the staging directory is renamed to it
	old     []string // the previous run's manifest
	staging string
	files   []string // written, slash-separated, relative
}

// NewDir starts writing the directory path. It fails with *ExistsError
// when path holds files and replace is false, and when path or one of its
// entries to be replaced is a symbolic link.
func NewDir(dir string, replace bool) (*Dir, error) {
	dir = filepath.Clean(dir) // no trailing slash, which would follow a symlink
	d := &Dir{path: dir, replace: replace}
	st, err := os.Lstat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		d.fresh = true
	case err != nil:
		return nil, err
	case st.Mode()&fs.ModeSymlink != 0:
		return nil, fmt.Errorf("%s %w", dir, ErrSymlink)
	case !st.IsDir():
		return nil, fmt.Errorf("%s is not a directory", dir)
	default:
		entries, err := os.ReadDir(dir)
		if err != nil {
			return nil, err
		}
		if len(entries) > 0 && !replace {
			return nil, &ExistsError{Path: dir, Dir: true}
		}
		if d.old, err = readManifest(filepath.Join(dir, Manifest)); err != nil {
			return nil, err
		}
	}
	// The staging directory goes beside the output (".", too, has a
	// parent), on the same file system, so that renames are atomic.
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	parent, base := filepath.Dir(abs), filepath.Base(abs)
	if err := os.MkdirAll(parent, DirMode); err != nil {
		return nil, err
	}
	if d.staging, err = os.MkdirTemp(parent, "."+base+".tmp-*"); err != nil {
		return nil, err
	}
	remember(d.staging)
	if err := os.Chmod(d.staging, DirMode); err != nil {
		d.Abort()
		return nil, err
	}
	return d, nil
}

func readManifest(p string) ([]string, error) {
	st, err := os.Lstat(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", p)
	}
	data, err := os.ReadFile(p)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, line := range strings.Split(string(data), "\n") {
		if name, ok := cleanName(line); ok {
			names = append(names, name)
		}
	}
	return names, nil
}

// cleanName accepts a slash-separated relative name inside the directory.
func cleanName(name string) (string, bool) {
	if name == "" || path.IsAbs(name) || strings.Contains(name, "\\") {
		return "", false
	}
	c := path.Clean(name)
	if c == "." || c == ".." || strings.HasPrefix(c, "../") || c == Manifest {
		return "", false
	}
	return c, true
}

// Staged is where the file or subdirectory name, written already, is
// until Commit: for reading back what was written.
func (d *Dir) Staged(name string) string {
	return filepath.Join(d.staging, filepath.FromSlash(name))
}

// Path is the directory being written.
func (d *Dir) Path() string { return d.path }

// WriteFile writes the file name (slash-separated, relative to the
// directory; subdirectories are created) into the staging directory.
func (d *Dir) WriteFile(name string, write func(io.Writer) error) error {
	c, ok := cleanName(name)
	if !ok {
		return fmt.Errorf("atomicfile: bad output name %q", name)
	}
	if slices.Contains(d.files, c) {
		return fmt.Errorf("atomicfile: %s written twice", c)
	}
	p := filepath.Join(d.staging, filepath.FromSlash(c))
	if err := os.MkdirAll(filepath.Dir(p), DirMode); err != nil {
		return err
	}
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, FileMode)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	err = write(bw)
	if err == nil {
		err = bw.Flush()
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	d.files = append(d.files, c)
	return nil
}

// Others lists, as slash paths, the entries of the directory as it is
// now — in its top level and in each subdirectory this run writes into —
// that Commit will neither write nor remove (the manifest aside): what a
// reader of those directories would find beside this run's files.
func (d *Dir) Others() ([]string, error) {
	if d.fresh {
		return nil, nil
	}
	ours := map[string]bool{Manifest: true}
	dirs := map[string]bool{".": true}
	for _, f := range append(append([]string(nil), d.files...), d.old...) {
		ours[f] = true
		for p := path.Dir(f); p != "."; p = path.Dir(p) {
			ours[p] = true
			dirs[p] = true
		}
	}
	var out []string
	for _, dir := range slices.Sorted(maps.Keys(dirs)) {
		entries, err := os.ReadDir(filepath.Join(d.path, filepath.FromSlash(dir)))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		for _, e := range entries {
			name := path.Join(dir, e.Name())
			if !ours[name] {
				out = append(out, name)
			}
		}
	}
	return out, nil
}

// Commit puts the files in place, unless ctx is done; see Dir. After a
// failed Commit the directory holds, for each file, its old content or
// its new one.
func (d *Dir) Commit(ctx context.Context) error {
	defer d.Abort()
	if err := ctx.Err(); err != nil {
		return err
	}
	slices.Sort(d.files)
	if err := d.writeManifest(); err != nil {
		return err
	}
	commit.Lock()
	defer commit.Unlock()
	if err := ctx.Err(); err != nil {
		return err
	}
	if d.fresh {
		// The whole directory at once. Should one have appeared at the
		// name meanwhile, rename fails unless it is empty.
		if err := os.Rename(d.staging, d.path); err != nil {
			return err
		}
		forget(d.staging)
		d.staging = ""
		return syncDir(filepath.Dir(d.path))
	}
	names := append(append([]string(nil), d.files...), Manifest)
	// Check every target before moving anything: no symbolic link, and
	// no file replaced that an earlier run did not write.
	for _, name := range names {
		if err := d.checkInside(name); err != nil {
			return err
		}
		target := filepath.Join(d.path, filepath.FromSlash(name))
		if _, err := os.Lstat(target); err == nil && name != Manifest && !slices.Contains(d.old, name) {
			return fmt.Errorf("%s exists and was not written by corefence (it is not in %s); remove it or choose another directory",
				target, Manifest)
		}
	}
	for _, name := range names {
		target := filepath.Join(d.path, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(target), DirMode); err != nil {
			return err
		}
		if err := os.Rename(filepath.Join(d.staging, filepath.FromSlash(name)), target); err != nil {
			return err
		}
	}
	for _, name := range d.old {
		if slices.Contains(d.files, name) || d.checkInside(name) != nil {
			continue
		}
		target := filepath.Join(d.path, filepath.FromSlash(name))
		if st, err := os.Lstat(target); err == nil && st.Mode().IsRegular() {
			if err := os.Remove(target); err != nil {
				return err
			}
		}
	}
	return syncDir(d.path)
}

// checkInside refuses a name whose existing file, or one of whose
// directories, is a symbolic link or of the wrong kind.
func (d *Dir) checkInside(name string) error {
	parts := strings.Split(name, "/")
	p := d.path
	for i, part := range parts {
		p = filepath.Join(p, part)
		st, err := os.Lstat(p)
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		last := i == len(parts)-1
		switch {
		case st.Mode()&fs.ModeSymlink != 0:
			return fmt.Errorf("%s %w", p, ErrSymlink)
		case last && !st.Mode().IsRegular():
			return fmt.Errorf("%s is not a regular file; outputs only replace regular files", p)
		case !last && !st.IsDir():
			return fmt.Errorf("%s is not a directory", p)
		}
	}
	return nil
}

func (d *Dir) writeManifest() error {
	p := filepath.Join(d.staging, Manifest)
	return os.WriteFile(p, []byte(strings.Join(d.files, "\n")+"\n"), FileMode)
}

// Abort removes what was written and leaves the directory as it was. It
// is safe after Commit, and to call twice.
func (d *Dir) Abort() {
	if d.staging == "" {
		return
	}
	os.RemoveAll(d.staging)
	forget(d.staging)
	d.staging = ""
}
