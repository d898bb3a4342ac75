// Package importer reads inventories from files — one YAML or JSON document,
// or a directory of CSV files and YAML/JSON parts — into the inventory model.
// It parses and type-checks every field, naming the file, line and column of
// each problem; the inventory package then checks references and meaning.
// Either the whole input loads or nothing does.
package importer

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strings"
	"sync"

	cf "github.com/corefence/corefence"
	"github.com/corefence/corefence/internal/inventory"
	"github.com/corefence/corefence/internal/tree"
)

// MaxFileSize is the default bound on one input file, so that a wrong path
// (a disk image, a log) fails fast instead of exhausting memory; the
// limit input-bytes of corefence.Limits sets it.
const MaxFileSize = 4 << 30

// Load reads the inventory at path (a file or a directory) and builds it,
// under the default limits. On bad input it returns *corefence.Problems
// listing every problem found, in parsing and in meaning alike, so that one
// run shows all there is to fix; it then returns no inventory.
func Load(path string, opts inventory.Options) (*inventory.Inventory, error) {
	return LoadContextWith(context.Background(), path, opts, cf.DefaultLimits())
}

// LoadWith is Load under lim: input size, YAML aliases, nesting, CSV
// records and line length are bounded by it.
func LoadWith(path string, opts inventory.Options, lim cf.Limits) (*inventory.Inventory, error) {
	return LoadContextWith(context.Background(), path, opts, lim)
}

// LoadContext is Load, giving up with ctx's error, and no inventory, once
// ctx is done: parsing and building look at ctx every few thousand records,
// so that even a national inventory stops within milliseconds.
func LoadContext(ctx context.Context, path string, opts inventory.Options) (*inventory.Inventory, error) {
	return LoadContextWith(ctx, path, opts, cf.DefaultLimits())
}

// LoadContextWith is LoadContext under lim.
func LoadContextWith(ctx context.Context, path string, opts inventory.Options, lim cf.Limits) (*inventory.Inventory, error) {
	doc, err := read(ctx, path, lim)
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	return build(ctx, doc, err, opts)
}

// File is one inventory file that is not on disk, such as an upload: its
// name (which says its format: .yaml, .yml, .json, or SECTION.csv) and its
// content.
type File struct {
	Name string
	Data io.Reader
}

// LoadFiles reads and builds an inventory from files, as Load does a
// directory of them, under lim; each file's content is read through a
// reader bounded by lim.InputBytes. It is the entry point for inventories
// that arrive other than as paths (uploads).
func LoadFiles(files []File, opts inventory.Options, lim cf.Limits) (*inventory.Inventory, error) {
	return LoadFilesContext(context.Background(), files, opts, lim)
}

// LoadFilesContext is LoadFiles, giving up with ctx's error, and no
// inventory, once ctx is done (an upload whose client went away).
func LoadFilesContext(ctx context.Context, files []File, opts inventory.Options, lim cf.Limits) (*inventory.Inventory, error) {
	probs := &cf.Problems{}
	var parts []part
	for _, f := range files {
		p, ok := partOf(f.Name, filepath.Base(f.Name))
		switch {
		case !ok:
			probs.Addf(cf.Position{File: f.Name}, "", "", "", "not an inventory file: want .yaml, .yml, .json or SECTION.csv")
			continue
		case p.csv != "" && !validSection(p.csv):
			probs.Addf(cf.Position{File: f.Name}, "", "", "", "unknown CSV file: CSV files are named after sections (%s.csv)", strings.Join(sectionNames, ".csv, "))
			continue
		}
		r := f.Data
		p.read = func() ([]byte, func(), error) {
			data, err := tree.ReadAll(r, lim.InputBytes)
			if errors.Is(err, tree.ErrTooBig) {
				return nil, nil, errors.New(lim.Exceeded("input-bytes", fmt.Sprintf("file holds more than %d bytes", lim.InputBytes)))
			}
			return data, nil, err
		}
		parts = append(parts, p)
	}
	if len(parts) == 0 && probs.Len() == 0 {
		return nil, cf.Problem{Message: "no inventory files"}
	}
	doc, err := readParts(ctx, parts, lim)
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	if probs.Len() > 0 {
		if ps, ok := cf.AsProblems(err); ok {
			probs.Merge(ps)
		}
		err = probs.Err()
	}
	return build(ctx, doc, err, opts)
}

// build builds doc when it was read, merging the problems of reading with
// those of building.
func build(ctx context.Context, doc *inventory.Doc, err error, opts inventory.Options) (*inventory.Inventory, error) {
	if doc == nil {
		return nil, err
	}
	inv, berr := inventory.BuildContext(ctx, doc, opts)
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	readProbs, _ := cf.AsProblems(err)
	if readProbs == nil {
		return inv, berr
	}
	// A field that did not parse was left empty; Build would call it missing.
	// Say it once.
	type key struct{ section, id, field string }
	bad := map[key]bool{}
	for _, p := range readProbs.List {
		bad[key{p.Section, p.ID, p.Field}] = true
	}
	if buildProbs, ok := cf.AsProblems(berr); ok {
		for _, p := range buildProbs.List {
			if !bad[key{p.Section, p.ID, p.Field}] {
				readProbs.Add(p)
			}
		}
	}
	return nil, readProbs.Err()
}

// Read parses the inventory at path without building it, under the default
// limits. When the files could be read but hold problems, it returns both
// the document as far as it parsed and the problems, so that Load can look
// for more.
func Read(path string) (*inventory.Doc, error) {
	return ReadWith(path, cf.DefaultLimits())
}

// ReadContext is Read, giving up with ctx's error once ctx is done.
func ReadContext(ctx context.Context, path string) (*inventory.Doc, error) {
	doc, err := read(ctx, path, cf.DefaultLimits())
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	return doc, err
}

// ReadWith is Read under lim.
func ReadWith(path string, lim cf.Limits) (*inventory.Doc, error) {
	return read(context.Background(), path, lim)
}

func read(ctx context.Context, path string, lim cf.Limits) (*inventory.Doc, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, cf.Problem{Pos: cf.Position{File: path}, Message: pathMessage(err)}
	}
	var files []part
	probs := &cf.Problems{}
	if st.IsDir() {
		files, err = dirParts(path, probs)
		if err != nil {
			return nil, err
		}
	} else {
		p, ok := partOf(path, filepath.Base(path))
		if !ok || p.csv != "" {
			return nil, cf.Problem{Pos: cf.Position{File: path},
				Message: "not an inventory file: want .yaml, .yml or .json (or a directory of CSV files)"}
		}
		files = []part{p}
	}
	for i := range files {
		// Records keep copies of what they hold, never views of the input
		// (see view and columnStrings.own), so the input may be unmapped
		// once read.
		path := files[i].path
		files[i].read = func() ([]byte, func(), error) { return mapFile(path, lim) }
	}
	doc, err := readParts(ctx, files, lim)
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	if probs.Len() > 0 { // unknown files in a directory, reported with the rest
		if ps, ok := cf.AsProblems(err); ok {
			probs.Merge(ps)
		}
		return doc, probs.Err()
	}
	return doc, err
}

func pathMessage(err error) string { return tree.PathMessage(err) }

// part is one input file and how to read it.
type part struct {
	path string // as given, for messages
	csv  string // section name for CSV files; empty for YAML/JSON
	json bool
	// read returns the file's content and, when that is a mapping of the
	// file (see mapFile), the function that releases it.
	read func() (data []byte, release func(), err error)
}

func partOf(path, name string) (part, bool) {
	ext := strings.ToLower(filepath.Ext(name))
	switch ext {
	case ".yaml", ".yml":
		return part{path: path}, true
	case ".json":
		return part{path: path, json: true}, true
	case ".csv":
		return part{path: path, csv: strings.TrimSuffix(name, filepath.Ext(name))}, true
	}
	return part{}, false
}

// dirParts lists the inventory files of a directory; misnamed CSV files go
// to probs, so that they are reported with every other problem.
func dirParts(dir string, probs *cf.Problems) ([]part, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, cf.Problem{Pos: cf.Position{File: dir}, Message: pathMessage(err)}
	}
	var parts []part
	for _, e := range entries {
		if e.IsDir() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		p, ok := partOf(filepath.Join(dir, e.Name()), e.Name())
		if !ok {
			continue // README files and the like sit beside inventories
		}
		if p.csv != "" && !validSection(p.csv) {
			probs.Addf(cf.Position{File: p.path}, "", "", "", "unknown CSV file %q: CSV files are named after sections (%s.csv)",
				e.Name(), strings.Join(sectionNames, ".csv, "))
			continue
		}
		parts = append(parts, p)
	}
	if len(parts) == 0 && probs.Len() == 0 {
		return nil, cf.Problem{Pos: cf.Position{File: dir}, Message: "no inventory files here: want sites.csv, elements.csv … or .yaml/.json parts"}
	}
	return parts, nil
}

func validSection(name string) bool {
	for _, s := range sectionNames {
		if s == name {
			return true
		}
	}
	return false
}

// readParts parses the files concurrently (a national inventory's elements
// and links are the two big files) and merges them in path order, so that
// the result and its digest do not depend on scheduling.
func readParts(ctx context.Context, parts []part, lim cf.Limits) (*inventory.Doc, error) {
	sort.Slice(parts, func(i, j int) bool { return parts[i].path < parts[j].path })
	type result struct {
		doc    inventory.Doc
		probs  cf.Problems
		digest [32]byte
	}
	results := make([]result, len(parts))
	var wg sync.WaitGroup
	for i, p := range parts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res := &results[i]
			if ctx.Err() != nil {
				return
			}
			data, release, err := p.read()
			if release != nil {
				// Deferred calls run last first: a fault is recovered,
				// the goroutine's setting restored, then the file unmapped.
				defer release()
				defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
				defer recoverFault(p.path, data, &res.doc, &res.probs)
			}
			if err != nil {
				if ps, ok := cf.AsProblems(err); ok {
					res.probs.Merge(ps)
				} else {
					res.probs.Add(cf.Problem{Pos: cf.Position{File: p.path}, Message: err.Error()})
				}
				return
			}
			// The digest is taken beside the decoding: a national YAML or
			// JSON file is one file, read by one goroutine, and hashing
			// its 300 MB was a tenth of its load.
			g := &faultGroup{data: data}
			defer g.wg.Wait() // on a fault below, before the file is unmapped
			g.Go(func() {
				h := sha256.New()
				fmt.Fprintf(h, "%s\x00%d\x00", filepath.Base(p.path), len(data))
				for rest := data; len(rest) > 0 && ctx.Err() == nil; {
					n := min(len(rest), 4<<20) // a cancelled load waits for no more
					h.Write(rest[:n])
					rest = rest[n:]
				}
				copy(res.digest[:], h.Sum(nil))
			})
			switch {
			case p.csv != "":
				decodeCSV(ctx, p.path, p.csv, data, lim, &res.doc, &res.probs)
			default:
				decodeDocument(ctx, p.path, p.json, data, lim, &res.doc, &res.probs)
			}
			g.Wait()
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	doc := &inventory.Doc{}
	probs := &cf.Problems{}
	h := sha256.New()
	for i := range results {
		r := &results[i]
		probs.Merge(&r.probs)
		h.Write(r.digest[:])
		doc.Operators = merge(doc.Operators, r.doc.Operators)
		doc.Sites = merge(doc.Sites, r.doc.Sites)
		doc.Elements = merge(doc.Elements, r.doc.Elements)
		doc.Links = merge(doc.Links, r.doc.Links)
		doc.Areas = merge(doc.Areas, r.doc.Areas)
		doc.Vendors = merge(doc.Vendors, r.doc.Vendors)
		doc.Functions = merge(doc.Functions, r.doc.Functions)
	}
	doc.Digest = "sha256:" + hex.EncodeToString(h.Sum(nil))
	return doc, probs.Err()
}

func readFile(path string, lim cf.Limits) ([]byte, error) {
	return tree.ReadInput(path, lim.InputBytes, "input-bytes", lim)
}

// merge appends src to dst, taking src as it is when dst is empty: the big
// sections usually come from one file, and copying a million records is
// not free.
func merge[T any](dst, src []T) []T {
	if len(dst) == 0 {
		return src
	}
	return append(dst, src...)
}
