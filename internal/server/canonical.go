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
// memory straight into the archive; the archive is the one a directory
// export.WriteCSV writes would give, its manifest included, so that
// snapshots keep their digests. sizeHint is about how many bytes the CSV
// files take (the uploaded files' size serves): the archive is written
// into one buffer of about that size, each file in its place after a
// header filled in once the file's size is known, rather than each file
// into a buffer that doubles its way to a hundred megabytes and then
// copied again into the archive. A wrong hint costs only speed.
func canonical(doc *inventory.Doc, sizeHint int64) ([]byte, error) {
	var buf bytes.Buffer
	if !csvLossless(doc) {
		err := export.WriteJSON(&buf, doc)
		return buf.Bytes(), err
	}
	// Learn the files' names first: the archive holds them in name order,
	// the manifest (which lists them) first.
	files := map[string]func(io.Writer) error{}
	if err := export.WriteCSVFiles(doc, "", func(name string, write func(io.Writer) error) error {
		files[name] = write
		return nil
	}); err != nil {
		return nil, err
	}
	names := slices.Sorted(maps.Keys(files))
	manifest := strings.Join(names, "\n") + "\n"
	files[atomicfile.Manifest] = func(w io.Writer) error {
		_, err := io.WriteString(w, manifest)
		return err
	}
	names = slices.Sorted(maps.Keys(files))
	hint := min(max(sizeHint, 0), maxSizeHint)
	buf.Grow(int(hint + hint/16 + int64(len(names)+2)*512 + 64<<10))
	var block [2 * 512]byte // zeros
	for _, name := range names {
		at := buf.Len()
		buf.Write(block[:512]) // the header's place
		if err := files[name](&buf); err != nil {
			return nil, err
		}
		size := buf.Len() - at - 512
		h, err := tarHeader(name, size)
		if err != nil {
			return nil, err
		}
		copy(buf.Bytes()[at:], h)
		buf.Write(block[:(512-size%512)%512]) // the padding to a whole block
	}
	buf.Write(block[:]) // the archive's end
	return buf.Bytes(), nil
}

// tarHeader returns the header block archive/tar writes before a file of
// the canonical form.
func tarHeader(name string, size int) ([]byte, error) {
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(size),
		Typeflag: tar.TypeReg, Format: tar.FormatUSTAR}); err != nil {
		return nil, err
	}
	if b.Len() != 512 {
		return nil, fmt.Errorf("canonical form: the header of %s takes %d bytes, not one block", name, b.Len())
	}
	return b.Bytes(), nil
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
