package server

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
)

// fuzzTypes are the upload's Content-Types, indexed by the fuzzer's kind.
var fuzzTypes = []string{typeYAML, typeJSON, typeTar, typeTgz, typeZip}

// FuzzUpload feeds the upload decoder (receive, then validate) arbitrary
// bodies under every Content-Type. Properties: no panic; whatever the body,
// a refusal is the client's fault (an *inputError, a 4xx — never a 5xx);
// what is unpacked stays inside its directory, holds only regular files
// and no more than the limit; validation gives an inventory or problems,
// never both.
func FuzzUpload(f *testing.F) {
	inv, err := os.ReadFile("../../testdata/small-network.yaml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(uint8(0), inv)
	f.Add(uint8(1), []byte(`{"format": "corefence/v1", "operators": [{"id": "a"}]}`))
	f.Add(uint8(2), tarOf(f, map[string][]byte{"net/inventory.yaml": inv}))
	f.Add(uint8(3), gz(f, tarOf(f, map[string][]byte{"inventory.yaml": inv})))
	f.Add(uint8(4), zipOf(f, map[string][]byte{"inventory.yaml": inv}))
	f.Add(uint8(2), tarOf(f, map[string][]byte{"../escape.yaml": inv}))
	limits := Limits{Request: 1 << 20, Extracted: 1 << 20}
	f.Fuzz(func(t *testing.T, kind uint8, body []byte) {
		tmp := t.TempDir()
		r := httptest.NewRequest(http.MethodPost, "/api/v1/operators/alpha/snapshots", bytes.NewReader(body))
		r.Header.Set("Content-Type", fuzzTypes[int(kind)%len(fuzzTypes)])
		dir, target, err := receive(r, tmp, limits)
		if err != nil {
			var ie *inputError
			if !errors.As(err, &ie) || ie.status < 400 || ie.status > 499 {
				t.Fatalf("refused with %T %v: want a 4xx input error", err, err)
			}
			if left, _ := os.ReadDir(tmp); len(left) != 0 {
				t.Fatalf("a refused upload left %d entries behind", len(left))
			}
			return
		}
		var total int64
		err = filepath.WalkDir(tmp, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			if !d.Type().IsRegular() {
				t.Fatalf("unpacked %s is not a regular file", p)
			}
			if rel, _ := filepath.Rel(dir, p); rel == ".." || filepath.IsAbs(rel) || len(rel) > 1 && rel[:2] == ".." {
				t.Fatalf("unpacked %s outside %s", p, dir)
			}
			st, err := d.Info()
			total += st.Size()
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if total > limits.Extracted {
			t.Fatalf("unpacked %d bytes, limit %d", total, limits.Extracted)
		}
		p, err := validate(context.Background(), dir, target, "alpha")
		if (p == nil) == (err == nil) {
			t.Fatalf("validate gave %v and %v: want an inventory or problems", p, err)
		}
	})
}

func tarOf(tb testing.TB, files map[string][]byte) []byte {
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	for name, data := range files {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(data)), Typeflag: tar.TypeReg}); err != nil {
			tb.Fatal(err)
		}
		tw.Write(data)
	}
	if err := tw.Close(); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}

func gz(tb testing.TB, data []byte) []byte {
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write(data)
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}

func zipOf(tb testing.TB, files map[string][]byte) []byte {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for name, data := range files {
		w, err := zw.Create(name)
		if err != nil {
			tb.Fatal(err)
		}
		w.Write(data)
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}
