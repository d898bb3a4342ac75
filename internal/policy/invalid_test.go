package policy_test

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	cf "github.com/corefence/corefence"
	"github.com/corefence/corefence/internal/policy"
)

var update = flag.Bool("update", false, "rewrite the .want files of testdata/invalid")

// TestInvalidFiles loads each pack and waivers file under testdata/invalid
// and compares the problems reported, one a line, with its .want file.
func TestInvalidFiles(t *testing.T) {
	files, _ := filepath.Glob("testdata/invalid/*.yaml")
	if len(files) == 0 {
		t.Fatal("no cases")
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			var err error
			if strings.HasPrefix(filepath.Base(path), "waivers") {
				_, err = policy.LoadWaivers(path)
			} else {
				_, err = policy.LoadFile(path)
			}
			ps, ok := cf.AsProblems(err)
			if !ok {
				t.Fatalf("load %s: got %v, want input problems", path, err)
			}
			var b strings.Builder
			for _, p := range ps.List {
				b.WriteString(p.Error() + "\n")
			}
			wantFile := strings.TrimSuffix(path, ".yaml") + ".want"
			if *update {
				os.WriteFile(wantFile, []byte(b.String()), 0o644)
				return
			}
			want, err := os.ReadFile(wantFile)
			if err != nil {
				t.Fatalf("%v (run go test -update)", err)
			}
			if b.String() != string(want) {
				t.Errorf("problems in %s:\n--- got\n%s--- want\n%s", path, b.String(), want)
			}
		})
	}
}
