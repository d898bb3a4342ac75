package atomicfile

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func text(s string) func(io.Writer) error {
	return func(w io.Writer) error { _, err := io.WriteString(w, s); return err }
}

func read(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// names lists a directory's entries, recursively, as slash paths.
func names(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			t.Fatal(err)
		}
		if p != dir {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	return out
}

func TestWriteFile(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	p := filepath.Join(dir, "out.json")
	if err := WriteFile(ctx, p, false, text("one")); err != nil {
		t.Fatal(err)
	}
	var exists *ExistsError
	if err := WriteFile(ctx, p, false, text("two")); !errors.As(err, &exists) {
		t.Fatalf("over an existing file without replace: %v, want ExistsError", err)
	}
	if err := WriteFile(ctx, p, true, text("two")); err != nil || read(t, p) != "two" {
		t.Fatalf("replace: %v, %q", err, read(t, p))
	}
	st, _ := os.Stat(p)
	if st.Mode().Perm() != FileMode {
		t.Errorf("mode %v, want %v", st.Mode().Perm(), os.FileMode(FileMode))
	}

	// A failing writer, a cancelled context: the old content stays, no
	// temporary file is left.
	boom := errors.New("boom")
	if err := WriteFile(ctx, p, true, func(w io.Writer) error { io.WriteString(w, "half"); return boom }); !errors.Is(err, boom) {
		t.Fatalf("failing writer: %v", err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if err := WriteFile(cancelled, p, true, text("three")); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
	if got := read(t, p); got != "two" {
		t.Errorf("after failures the file holds %q, want the old content", got)
	}
	if got := names(t, dir); !slices.Equal(got, []string{"out.json"}) {
		t.Errorf("directory holds %v, want only out.json", got)
	}

	// A symbolic link is neither followed nor replaced, even with replace.
	target := filepath.Join(dir, "target")
	os.WriteFile(target, []byte("precious"), 0o644)
	link := filepath.Join(dir, "link.json")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(ctx, link, true, text("x")); !errors.Is(err, ErrSymlink) {
		t.Fatalf("through a symlink: %v, want ErrSymlink", err)
	}
	if read(t, target) != "precious" {
		t.Error("the symlink's target was written")
	}
	if err := WriteFile(ctx, dir, true, text("x")); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("over a directory: %v", err)
	}
}

// TestWriteFileDeviceRefused: an output named after a device is refused,
// not written into (nor replaced).
func TestWriteFileDeviceRefused(t *testing.T) {
	if _, err := os.Stat("/dev/full"); err != nil {
		t.Skip("no /dev/full")
	}
	if err := WriteFile(context.Background(), "/dev/full", true, text("x")); err == nil {
		t.Fatal("writing over a device succeeded")
	}
}

func TestDir(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	out := filepath.Join(root, "out")

	d, err := NewDir(out, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"a.csv", "b.csv", "sub/c.json"} {
		if err := d.WriteFile(f, text(f)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := os.Stat(out); err == nil {
		t.Fatal("the directory appeared before Commit")
	}
	if err := d.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	want := []string{Manifest, "a.csv", "b.csv", "sub", "sub/c.json"}
	if got := names(t, out); !slices.Equal(got, want) {
		t.Fatalf("wrote %v, want %v", got, want)
	}
	for _, n := range names(t, root) {
		if !strings.HasPrefix(n, "out") {
			t.Errorf("beside the output: %s (a staging directory left?)", n)
		}
	}

	// Not empty: refused without replace.
	var exists *ExistsError
	if _, err := NewDir(out, false); !errors.As(err, &exists) || !exists.Dir {
		t.Fatalf("non-empty directory without replace: %v", err)
	}

	// With replace: a user's file stays, b.csv (ours, not written again)
	// goes, a.csv is replaced.
	os.WriteFile(filepath.Join(out, "notes.txt"), []byte("mine"), 0o644)
	d, err = NewDir(out, true)
	if err != nil {
		t.Fatal(err)
	}
	d.WriteFile("a.csv", text("new a"))
	d.WriteFile("sub/c.json", text("new c"))
	others, err := d.Others()
	if err != nil || !slices.Equal(others, []string{"notes.txt"}) {
		t.Errorf("Others = %v, %v; want [notes.txt]", others, err)
	}
	if err := d.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	want = []string{Manifest, "a.csv", "notes.txt", "sub", "sub/c.json"}
	if got := names(t, out); !slices.Equal(got, want) {
		t.Errorf("after replace: %v, want %v", got, want)
	}
	if read(t, filepath.Join(out, "a.csv")) != "new a" || read(t, filepath.Join(out, "notes.txt")) != "mine" {
		t.Error("contents after replace are wrong")
	}
	if m := read(t, filepath.Join(out, Manifest)); m != "a.csv\nsub/c.json\n" {
		t.Errorf("manifest %q", m)
	}

	// A file of the same name that no run wrote: refused, nothing moves.
	other := filepath.Join(out, "b.csv")
	os.WriteFile(other, []byte("theirs"), 0o644)
	d, _ = NewDir(out, true)
	d.WriteFile("a.csv", text("x"))
	d.WriteFile("b.csv", text("x"))
	if err := d.Commit(ctx); err == nil || !strings.Contains(err.Error(), "not written by corefence") {
		t.Fatalf("commit over a file not in the manifest: %v", err)
	}
	if read(t, other) != "theirs" || read(t, filepath.Join(out, "a.csv")) != "new a" {
		t.Error("a refused commit changed files")
	}
	os.Remove(other)

	// A symlink among the files to replace: nothing moves.
	precious := filepath.Join(root, "precious")
	os.WriteFile(precious, []byte("precious"), 0o644)
	os.Remove(filepath.Join(out, "a.csv"))
	os.Symlink(precious, filepath.Join(out, "a.csv"))
	d, _ = NewDir(out, true)
	d.WriteFile("a.csv", text("x"))
	d.WriteFile("sub/c.json", text("x"))
	if err := d.Commit(ctx); !errors.Is(err, ErrSymlink) {
		t.Fatalf("commit over a symlink: %v", err)
	}
	if read(t, precious) != "precious" || read(t, filepath.Join(out, "sub/c.json")) != "new c" {
		t.Error("a refused commit changed files")
	}

	// The directory itself a symlink: refused.
	os.Symlink(out, filepath.Join(root, "alias"))
	if _, err := NewDir(filepath.Join(root, "alias"), true); !errors.Is(err, ErrSymlink) {
		t.Errorf("a symlinked directory: %v", err)
	}

	// Abort and a cancelled commit leave nothing behind.
	d, _ = NewDir(filepath.Join(root, "never"), false)
	d.WriteFile("x", text("x"))
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if err := d.Commit(cancelled); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled commit: %v", err)
	}
	for _, n := range names(t, root) {
		if strings.HasPrefix(n, ".") || strings.HasPrefix(n, "never") {
			t.Errorf("left behind: %s", n)
		}
	}
}

func TestRemovePending(t *testing.T) {
	root := t.TempDir()
	d, err := NewDir(filepath.Join(root, "out"), false)
	if err != nil {
		t.Fatal(err)
	}
	d.WriteFile("a", text("a"))
	RemovePending()
	if got := names(t, root); len(got) != 0 {
		t.Errorf("after RemovePending: %v", got)
	}
}

// TestDirExistingEmpty: an existing empty directory, named "." or with a
// trailing slash, is written in place; the staging directory goes beside
// it, not into it.
func TestDirExistingEmpty(t *testing.T) {
	root := t.TempDir()
	out := filepath.Join(root, "out")
	os.Mkdir(out, 0o755)
	t.Chdir(out)
	for _, name := range []string{".", out + "/"} {
		d, err := NewDir(name, name != ".")
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(d.Staged("x"), out+string(filepath.Separator)) {
			t.Errorf("%q: staging inside the output: %s", name, d.Staged("x"))
		}
		if err := d.WriteFile("a.csv", text(name)); err != nil {
			t.Fatal(err)
		}
		if err := d.Commit(context.Background()); err != nil {
			t.Fatal(err)
		}
		if got := read(t, filepath.Join(out, "a.csv")); got != name {
			t.Errorf("%q: a.csv holds %q", name, got)
		}
	}
	if got := names(t, root); !slices.Equal(got, []string{"out", "out/" + Manifest, "out/a.csv"}) {
		t.Errorf("after two runs: %v", got)
	}
}
