package server

import (
	"archive/tar"
	"bytes"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/corefence/corefence/internal/atomicfile"
	"github.com/corefence/corefence/internal/export"
	"github.com/corefence/corefence/internal/importer"
	"github.com/corefence/corefence/internal/inventory"
)

// A snapshot stores its inventory in a canonical form, so that the same
// network uploaded as YAML, JSON or CSV is the same content: a tar archive
// of the CSV bundle export writes (files in name order, no times or
// owners), which the importer reads about ten times as fast as JSON; or,
// when an element has an attribute that is not a string (which CSV would
// turn into one), the JSON document export writes.

// canonical returns doc's canonical form. The CSV files are written in
// memory and straight into the archive; the archive is the one a
// directory export.WriteCSV writes would give, its manifest included, so
// that snapshots keep their digests. sizeHint is about how many bytes the
// CSV files take (the uploaded files' size serves): they are written one
// after the other into one buffer of that size, not each into a buffer
// that doubles its way to a hundred megabytes, copying and clearing as
// it goes. A wrong hint costs only speed.
func canonical(doc *inventory.Doc, sizeHint int64) ([]byte, error) {
	var buf bytes.Buffer
	if !csvLossless(doc) {
		err := export.WriteJSON(&buf, doc)
		return buf.Bytes(), err
	}
	var arena bytes.Buffer
	arena.Grow(int(min(max(sizeHint, 0), maxSizeHint)) + 64<<10)
	files := map[string][]byte{}
	err := export.WriteCSVFiles(doc, "", func(name string, write func(io.Writer) error) error {
		start := arena.Len()
		if err := write(&arena); err != nil {
			return err
		}
		// Should the arena grow, the files before keep the bytes they
		// were written in.
		files[name] = arena.Bytes()[start:arena.Len():arena.Len()]
		return nil
	})
	if err != nil {
		return nil, err
	}
	names := slices.Sorted(maps.Keys(files))
	files[atomicfile.Manifest] = []byte(strings.Join(names, "\n") + "\n")
	names = slices.Sorted(maps.Keys(files))
	size := 2 * 512 // the archive's end
	for _, data := range files {
		size += 512 + (len(data)+511)/512*512 // a header, the data and its padding
	}
	buf.Grow(size)
	tw := tar.NewWriter(&buf)
	for _, name := range names {
		data := files[name]
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(data)),
			Typeflag: tar.TypeReg, Format: tar.FormatUSTAR}); err != nil {
			return nil, err
		}
		if _, err := tw.Write(data); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// maxSizeHint bounds the buffer canonical sets aside before it writes:
// past it, the buffer grows as it needs to.
const maxSizeHint = 1 << 30

// csvLossless reports whether doc survives CSV: every element attribute
// is a string.
func csvLossless(doc *inventory.Doc) bool {
	for i := range doc.Elements {
		for _, v := range doc.Elements[i].Attributes {
			if _, ok := v.(string); !ok {
				return false
			}
		}
	}
	return true
}

// isJSON tells the two canonical forms apart: a JSON document starts with
// '{'; a tar archive with a file name.
func isJSON(content []byte) bool { return len(content) > 0 && content[0] == '{' }

// unpackCanonical writes content into dir and returns the path to give the
// importer.
func unpackCanonical(content []byte, dir string) (string, error) {
	if isJSON(content) {
		path := filepath.Join(dir, "inventory.json")
		return path, os.WriteFile(path, content, 0o600)
	}
	unlimited := Limits{Extracted: math.MaxInt64}
	if err := untar(bytes.NewReader(content), dir, unlimited); err != nil {
		return "", fmt.Errorf("stored snapshot: %w", err)
	}
	return dir, nil
}

// canonicalJSON writes a stored snapshot's inventory as JSON.
func canonicalJSON(w io.Writer, content []byte, scratch string) error {
	if isJSON(content) {
		_, err := w.Write(content)
		return err
	}
	dir, err := os.MkdirTemp(scratch, "snapshot-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	path, err := unpackCanonical(content, dir)
	if err != nil {
		return err
	}
	doc, err := importer.Read(path)
	if err != nil {
		return fmt.Errorf("stored snapshot no longer reads: %w", err)
	}
	return export.WriteJSON(w, doc)
}
