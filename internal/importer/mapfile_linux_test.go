package importer

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	cf "github.com/corefence/corefence"
)

// sitesCSV writes a sites.csv of n records and returns its path.
func sitesCSV(t *testing.T, n int) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("id,operator,name,lat,lon\n")
	for i := range n {
		fmt.Fprintf(&b, "site-%06d,op,Site number %d,51.5,-0.1\n", i, i)
	}
	path := filepath.Join(t.TempDir(), "sites.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestMappedCSVMatchesRead: a CSV file read through a mapping gives the
// records and digest of the same file read into memory.
func TestMappedCSVMatchesRead(t *testing.T) {
	path := sitesCSV(t, 5000)
	lim := cf.DefaultLimits()
	heap := part{path: path, csv: "sites", read: func() ([]byte, func(), error) {
		data, err := readFile(path, lim)
		return data, nil, err
	}}
	mapped := part{path: path, csv: "sites", read: func() ([]byte, func(), error) {
		data, release, err := mapFile(path, lim)
		if release == nil {
			t.Error("a regular file was not mapped")
		}
		return data, release, err
	}}
	want, err := readParts(context.Background(), []part{heap}, lim)
	if err != nil {
		t.Fatal(err)
	}
	got, err := readParts(context.Background(), []part{mapped}, lim)
	if err != nil {
		t.Fatal(err)
	}
	if got.Digest != want.Digest || len(got.Sites) != 5000 || len(want.Sites) != 5000 {
		t.Fatalf("mapped: %d sites, digest %s; read: %d sites, digest %s", len(got.Sites), got.Digest, len(want.Sites), want.Digest)
	}
	for i := range want.Sites {
		if got.Sites[i].ID != want.Sites[i].ID || got.Sites[i].Name != want.Sites[i].Name || got.Sites[i].Pos != want.Sites[i].Pos {
			t.Fatalf("site %d: mapped %+v, read %+v", i, got.Sites[i], want.Sites[i])
		}
	}
}

// TestMappedCSVCutShort: a file truncated by another process after it
// was mapped is reported as a problem of that file, not a crash.
func TestMappedCSVCutShort(t *testing.T) {
	for _, keep := range []int64{0, 4096} {
		t.Run(fmt.Sprint(keep), func(t *testing.T) {
			path := sitesCSV(t, 5000) // about 200 KB: pages past keep fault
			lim := cf.DefaultLimits()
			p := part{path: path, csv: "sites", read: func() ([]byte, func(), error) {
				data, release, err := mapFile(path, lim)
				if release == nil {
					t.Fatal("a regular file was not mapped")
				}
				if err := os.Truncate(path, keep); err != nil {
					t.Fatal(err)
				}
				return data, release, err
			}}
			doc, err := readParts(context.Background(), []part{p}, lim)
			ps, ok := cf.AsProblems(err)
			if !ok || ps.Len() != 1 {
				t.Fatalf("want one problem, got %v", err)
			}
			if pr := ps.List[0]; pr.Pos.File != path || !strings.Contains(pr.Message, "changed while it was read") {
				t.Fatalf("got %s: %s", pr.Pos, pr.Message)
			}
			if len(doc.Sites) != 0 {
				t.Fatalf("kept %d sites of a file cut short", len(doc.Sites))
			}
		})
	}
}
