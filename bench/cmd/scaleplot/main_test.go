package main

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestFit(t *testing.T) {
	x := []float64{1e5, 2.5e5, 5e5, 1e6}
	lin, quad := make([]float64, len(x)), make([]float64, len(x))
	for i, v := range x {
		lin[i], quad[i] = 3e-6*v, 1e-9*v*v
	}
	if s, r2, ok := fit(x, lin); !ok || math.Abs(s-1) > 1e-9 || math.Abs(r2-1) > 1e-9 {
		t.Errorf("linear: slope %v R² %v ok %v, want 1, 1, true", s, r2, ok)
	}
	if s, _, _ := fit(x, quad); math.Abs(s-2) > 1e-9 {
		t.Errorf("quadratic: slope %v, want 2", s)
	}
	if _, _, ok := fit(x[:1], lin[:1]); ok {
		t.Error("one point: want no fit")
	}
}

// TestChart: rows in any order give the same chart and table; bad rows are
// named by line; failed runs are listed, not drawn.
func TestChart(t *testing.T) {
	dir := t.TempDir()
	rows := []string{
		"gen\tcsv\t100000\t1.5\t90\tok",
		"gen\tcsv\t1000000\t15\t600\tok",
		"validate\tyaml\t100000\t8\t1400\tok",
		"validate\tyaml\t1000000\t-\t-\tfailed (exit 2; ceiling 12 GB): out of memory",
		"demo\t-\t1000000\t40\t3000\tok",
	}
	write := func(name string, lines []string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte("stage\tformat\telements\tcpu_s\trss_mb\tstatus\n"+strings.Join(lines, "\n")+"\n"), 0o644)
		return p
	}
	var t1, t2 bytes.Buffer
	if err := run(write("a.tsv", rows), filepath.Join(dir, "a.svg"), &t1); err != nil {
		t.Fatal(err)
	}
	rev := append([]string(nil), rows...)
	for i, j := 0, len(rev)-1; i < j; i, j = i+1, j-1 {
		rev[i], rev[j] = rev[j], rev[i]
	}
	if err := run(write("b.tsv", rev), filepath.Join(dir, "b.svg"), &t2); err != nil {
		t.Fatal(err)
	}
	a, _ := os.ReadFile(filepath.Join(dir, "a.svg"))
	b, _ := os.ReadFile(filepath.Join(dir, "b.svg"))
	if !bytes.Equal(a, b) || t1.String() != t2.String() {
		t.Error("the same rows in another order give another chart or table")
	}
	for _, want := range []string{"| gen csv | 100k–1M | 15.0 s | 15.0 | 1.00 (1.000) | 600 MB |", "validate yaml at 1M elements: failed"} {
		if !strings.Contains(t1.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, t1.String())
		}
	}
	if !bytes.HasPrefix(a, []byte("<svg")) || !bytes.Contains(a, []byte("gen csv — slope CPU 1.00")) {
		t.Errorf("chart lacks the gen csv line and its slope")
	}
	err := run(write("bad.tsv", []string{"gen\tcsv\tmany\t1\t2\tok", "gen\tcsv\t1"}), filepath.Join(dir, "bad.svg"), &t1)
	if err == nil || !strings.Contains(err.Error(), "bad.tsv:2: gen csv: bad elements") || !strings.Contains(err.Error(), "bad.tsv:3: 3 fields") {
		t.Errorf("bad rows: %v", err)
	}
}
