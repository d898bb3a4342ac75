package server

import (
	"archive/tar"
	"archive/zip"
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"mime"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"unicode/utf8"

	cf "github.com/corefence/corefence"
	"github.com/corefence/corefence/internal/importer"
	"github.com/corefence/corefence/internal/inventory"
)

// Upload formats, by Content-Type.
const (
	typeYAML = "application/yaml"
	typeJSON = "application/json"
	typeTar  = "application/x-tar"
	typeTgz  = "application/gzip"
	typeZip  = "application/zip"
)

// maxArchiveEntries bounds the files of an archive: a CSV bundle has one
// per section, and a few YAML parts.
const maxArchiveEntries = 64

// inputError is an upload refused for its shape, not its content: too big,
// the wrong type, a malformed archive. status is the HTTP status it gets.
type inputError struct {
	status int
	code   string
	msg    string
}

func (e *inputError) Error() string { return e.msg }

func badInput(format string, args ...any) error {
	return &inputError{http.StatusBadRequest, "bad_archive", fmt.Sprintf(format, args...)}
}

// parsed is a validated upload.
type parsed struct {
	inv       *inventory.Inventory
	canonical []byte // the inventory in its canonical form (see canonical.go)
	digest    string // sha256 of canonical
}

// receive writes the request body into a fresh directory under tmp (one
// file, or an archive's files) and returns the directory and the path to
// give the importer. The caller removes the directory.
func receive(r *http.Request, tmp string, limits Limits) (dir, target string, err error) {
	ctype, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	made, err := os.MkdirTemp(tmp, "upload-")
	if err != nil {
		return "", "", err
	}
	defer func() {
		if err != nil {
			os.RemoveAll(made)
		}
	}()
	dir = made
	body := r.Body
	switch ctype {
	case typeYAML, "application/x-yaml", "text/yaml", typeJSON:
		name := "inventory.yaml"
		if ctype == typeJSON {
			name = "inventory.json"
		}
		target = filepath.Join(dir, name)
		return dir, target, writeFile(target, body, limits.Extracted)
	case typeTar, typeTgz:
		var rd io.Reader = bufio.NewReader(body)
		if ctype == typeTgz {
			gz, err := gzip.NewReader(rd)
			if err != nil {
				return "", "", badInput("not a gzip stream: %v", err)
			}
			rd = gz
		}
		return dir, dir, untar(rd, dir, limits)
	case typeZip:
		// zip's directory is at the end: spool the body to disk first (the
		// request size limit bounds it).
		spool := filepath.Join(dir, ".upload.zip")
		if err := writeFile(spool, body, limits.Request); err != nil {
			return "", "", err
		}
		defer os.Remove(spool)
		return dir, dir, unzip(spool, dir, limits)
	case "":
		return "", "", &inputError{http.StatusUnsupportedMediaType, "unsupported_media_type",
			"say what the upload is with Content-Type: application/yaml, application/json, application/x-tar, application/gzip (a .tar.gz) or application/zip"}
	}
	return "", "", &inputError{http.StatusUnsupportedMediaType, "unsupported_media_type",
		fmt.Sprintf("Content-Type %q: want application/yaml, application/json, application/x-tar, application/gzip or application/zip", ctype)}
}

// writeFile copies at most max bytes of r to a new file at path.
func writeFile(path string, r io.Reader, max int64) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	src := &readErrors{r: r}
	n, err := io.Copy(f, io.LimitReader(src, min(max, math.MaxInt64-1)+1)) // one byte more tells "too big"
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return tooLarge(tooBig.Limit)
	case err != nil && src.err != nil:
		// The upload could not be read to its end: a body or an archive
		// entry cut short or damaged (a truncated gzip stream, a bad
		// checksum). Writing failures stay the server's.
		return badInput("%s: the upload is cut short or damaged: %v", filepath.Base(path), err)
	case err != nil:
		return err
	case n > max:
		return tooLarge(max)
	}
	return nil
}

// readErrors remembers the last error its reader returned other than
// io.EOF, so that a failed copy tells reading from writing.
type readErrors struct {
	r   io.Reader
	err error
}

func (r *readErrors) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	if err != nil && err != io.EOF {
		r.err = err
	}
	return n, err
}

func tooLarge(limit int64) error {
	return &inputError{http.StatusRequestEntityTooLarge, "too_large",
		fmt.Sprintf("the upload is larger than this server accepts (%d bytes, unpacked); see limits in docs/server.md", limit)}
}

// entryName checks an archive member's name and returns the file name to
// write: an inventory file at the top of the archive or in one directory
// (the bundle's own), never anything that climbs out.
func entryName(name string, seen map[string]bool) (string, error) {
	if !utf8.ValidString(name) {
		return "", badInput("archive entry %q: the name is not valid UTF-8", name)
	}
	clean := path.Clean(strings.ReplaceAll(name, `\`, "/"))
	if path.IsAbs(clean) || clean == ".." || strings.HasPrefix(clean, "../") || strings.Contains(name, "\x00") {
		return "", badInput("archive entry %q: paths may not be absolute or climb out of the archive", name)
	}
	parts := strings.Split(clean, "/")
	if len(parts) > 2 {
		return "", badInput("archive entry %q: inventory files sit at the top of the archive or in one directory", name)
	}
	base := parts[len(parts)-1]
	if seen[base] {
		return "", badInput("archive entry %q: two files named %s", name, base)
	}
	seen[base] = true
	return base, nil
}

func untar(r io.Reader, dir string, limits Limits) error {
	tr := tar.NewReader(r)
	seen := map[string]bool{}
	total := int64(0)
	for n := 0; ; n++ {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				return tooLarge(tooBig.Limit)
			}
			return badInput("not a tar archive, or a damaged one: %v", err)
		}
		if n >= maxArchiveEntries {
			return badInput("the archive has more than %d entries", maxArchiveEntries)
		}
		switch h.Typeflag {
		case tar.TypeDir:
			if _, err := entryName(strings.TrimSuffix(h.Name, "/")+"/x", map[string]bool{}); err != nil {
				return err
			}
			continue
		case tar.TypeReg:
		case tar.TypeXGlobalHeader:
			continue
		default:
			return badInput("archive entry %q: only regular files are accepted (not links, devices or pipes)", h.Name)
		}
		base, err := entryName(h.Name, seen)
		if err != nil {
			return err
		}
		if total+h.Size > limits.Extracted {
			return tooLarge(limits.Extracted)
		}
		if err := writeFile(filepath.Join(dir, base), tr, limits.Extracted-total); err != nil {
			return err
		}
		total += h.Size
	}
	return nil
}

func unzip(spool, dir string, limits Limits) error {
	zr, err := zip.OpenReader(spool)
	if err != nil {
		return badInput("not a zip archive, or a damaged one: %v", err)
	}
	defer zr.Close()
	if len(zr.File) > maxArchiveEntries {
		return badInput("the archive has more than %d entries", maxArchiveEntries)
	}
	seen := map[string]bool{}
	remaining := limits.Extracted
	for _, f := range zr.File {
		mode := f.Mode()
		if mode.IsDir() {
			continue
		}
		if !mode.IsRegular() {
			return badInput("archive entry %q: only regular files are accepted (not links, devices or pipes)", f.Name)
		}
		base, err := entryName(f.Name, seen)
		if err != nil {
			return err
		}
		// Sizes in the header may lie: count what decompression yields.
		if f.UncompressedSize64 > uint64(remaining) {
			return tooLarge(limits.Extracted)
		}
		rc, err := f.Open()
		if err != nil {
			return badInput("archive entry %q: %v", f.Name, err)
		}
		target := filepath.Join(dir, base)
		err = writeFile(target, rc, remaining)
		rc.Close()
		if err != nil {
			if errors.Is(err, zip.ErrChecksum) || errors.Is(err, zip.ErrFormat) {
				return badInput("archive entry %q: %v", f.Name, err)
			}
			return err
		}
		st, err := os.Stat(target)
		if err != nil {
			return err
		}
		remaining -= st.Size()
	}
	return nil
}

// validate loads the received files with the importer — the same code and
// the same problems as the CLI — then checks they describe operator's
// network only. Problems name files as the upload named them.
func validate(ctx context.Context, dir, target, operator string) (*parsed, error) {
	// The files are checked for UTF-8 while the importer reads them (the
	// two share nothing); the importer's work is thrown away when they
	// are not UTF-8, whose problems come first.
	type check struct {
		probs *cf.Problems
		size  int64
	}
	checked := make(chan check, 1)
	go func() {
		probs := &cf.Problems{}
		size := utf8Problems(dir, probs)
		checked <- check{probs, size}
	}()
	doc, err := importer.ReadContext(ctx, target)
	c := <-checked
	if c.probs.Len() > 0 {
		return nil, relativeProblems(c.probs.Err(), dir)
	}
	probs := &cf.Problems{}
	var inv *inventory.Inventory
	type form struct {
		content []byte
		digest  string
		err     error
	}
	canon := make(chan form, 1)
	if err == nil {
		// The canonical form is written from the records as read, on a copy
		// of the record slices (Build fills in defaults and references in
		// place), while Build checks them: the two are the upload's costs.
		// Its digest is taken there too. The two large slices are copied
		// side by side.
		as := *doc
		copied := make(chan struct{})
		go func() {
			as.Elements = slices.Clone(doc.Elements)
			close(copied)
		}()
		as.Operators = slices.Clone(doc.Operators)
		as.Sites = slices.Clone(doc.Sites)
		as.Links = slices.Clone(doc.Links)
		as.Areas = slices.Clone(doc.Areas)
		<-copied
		go func() {
			content, err := canonical(&as, c.size)
			if err != nil {
				canon <- form{err: err}
				return
			}
			sum := sha256.Sum256(content)
			canon <- form{content, "sha256:" + hex.EncodeToString(sum[:]), nil}
		}()
		inv, err = inventory.BuildContext(ctx, doc, inventory.Options{})
		if err != nil {
			<-canon // let it finish before the directory goes
		}
	}
	if ctx.Err() != nil { // the client went away: stop, store nothing
		return nil, ctx.Err()
	}
	if err != nil {
		// Read and Build found problems: let Load gather every one of them
		// the way the CLI reports them.
		if _, lerr := importer.LoadContext(ctx, target, inventory.Options{}); lerr != nil {
			err = lerr
		}
		return nil, relativeProblems(err, dir)
	}
	for _, op := range inv.Operators {
		if op.ID != operator {
			probs.Add(cf.Problem{Pos: op.Pos, Section: "operators", ID: op.ID, Field: "id",
				Message: fmt.Sprintf("this upload is for operator %q: a snapshot holds one operator's network", operator)})
		}
	}
	if len(inv.Operators) == 0 {
		probs.Add(cf.Problem{Section: "operators", Message: fmt.Sprintf("no operators: a snapshot holds operator %q's network", operator)})
	}
	f := <-canon
	if probs.Len() > 0 {
		return nil, relativeProblems(probs.Err(), dir)
	}
	if f.err != nil {
		return nil, f.err
	}
	return &parsed{inv: inv, canonical: f.content, digest: f.digest}, nil
}

// utf8Problems reports each file in dir that is not UTF-8, at the line of
// its first bad byte, and returns the size of the files. The files are
// read through one small buffer, not each into memory whole.
func utf8Problems(dir string, probs *cf.Problems) (size int64) {
	entries, _ := os.ReadDir(dir)
	buf := make([]byte, 256<<10)
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue
		}
		name := filepath.Join(dir, e.Name())
		f, err := os.Open(name)
		if err != nil {
			continue
		}
		line, n := firstBadLine(f, buf)
		f.Close()
		size += n
		if line > 0 {
			probs.Add(cf.Problem{Pos: cf.Position{File: name, Line: line}, Message: "not valid UTF-8 text"})
		}
	}
	return size
}

// firstBadLine returns the line of r's first byte that is not UTF-8 (0
// when there is none, or when r cannot be read to its end) and how many
// bytes it read. buf is the scratch space, of more than utf8.UTFMax bytes.
func firstBadLine(r io.Reader, buf []byte) (line int, read int64) {
	line = 1
	carry := 0 // at buf's start: the first bytes of a rune the last read cut in two
	for {
		n, err := r.Read(buf[carry:])
		read += int64(n)
		data := buf[:carry+n]
		if err != nil && err != io.EOF {
			return 0, read
		}
		cut := len(data)
		if err == nil {
			cut = runeCut(data)
		}
		part := data[:cut]
		if !utf8.Valid(part) {
			return line + badLine(part), read
		}
		line += bytes.Count(part, []byte{'\n'})
		if err == io.EOF {
			return 0, read
		}
		carry = copy(buf, data[cut:])
	}
}

// runeCut returns where data ends but for the first bytes of a rune that
// the next read completes.
func runeCut(data []byte) int {
	for k := 1; k < utf8.UTFMax && k <= len(data); k++ {
		i := len(data) - k
		if utf8.RuneStart(data[i]) {
			if !utf8.FullRune(data[i:]) {
				return i
			}
			break
		}
	}
	return len(data)
}

// badLine counts the lines data holds before its first byte that is not
// UTF-8.
func badLine(data []byte) int {
	lines := 0
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size <= 1 {
			break
		}
		if data[i] == '\n' {
			lines++
		}
		i += size
	}
	return lines
}

// relativeProblems strips the temporary directory from the files problems
// name, so that they read as the names in the upload.
func relativeProblems(err error, dir string) error {
	ps, ok := cf.AsProblems(err)
	if !ok {
		return err
	}
	for i := range ps.List {
		f := ps.List[i].Pos.File
		if rel, rerr := filepath.Rel(dir, f); rerr == nil && !strings.HasPrefix(rel, "..") {
			ps.List[i].Pos.File = rel
		}
		ps.List[i].Message = strings.ReplaceAll(ps.List[i].Message, dir+string(filepath.Separator), "")
	}
	return ps
}
