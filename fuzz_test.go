package corefence_test

import (
	"os"
	"path/filepath"
	"testing"

	cf "github.com/corefence/corefence"
	"github.com/corefence/corefence/internal/planner"
)

// FuzzPlannerParams parses planner parameter files through the planner's
// public loader, which reads them with the shared tree reader: no panic;
// parameters or input problems, never both.
func FuzzPlannerParams(f *testing.F) {
	files, _ := filepath.Glob("internal/planner/testdata/params/*.yaml")
	hostile, _ := filepath.Glob("testdata/hostile/*params*.yaml")
	for _, file := range append(files, hostile...) {
		if data, err := os.ReadFile(file); err == nil {
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := planner.ParseParams("params.yaml", data)
		if (p == nil) == (err == nil) {
			t.Fatalf("ParseParams = %v, %v: want parameters or problems", p != nil, err)
		}
		if _, ok := cf.AsProblems(err); err != nil && !ok {
			t.Fatalf("error %T is not input problems: %v", err, err)
		}
	})
}
