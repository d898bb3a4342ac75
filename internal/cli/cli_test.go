package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"
)

func run(t *testing.T, now time.Time, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	env := &Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Now: func() time.Time { return now }}
	code = Run(context.Background(), env, args)
	return code, out.String(), errb.String()
}

// TestCheckDefaultsToToday: without --as-of, check evaluates as of the
// clock's date.
func TestCheckDefaultsToToday(t *testing.T) {
	now := time.Date(2023, 12, 31, 23, 59, 0, 0, time.UTC)
	code, out, errs := run(t, now, "check", "--inventory", "../../testdata/small-network.yaml",
		"--policy", "../../testdata/small-pack.yaml", "--format", "json")
	if code != ExitViolations {
		t.Fatalf("exit %d, stderr %s", code, errs)
	}
	var doc struct {
		AsOf string `json:"as_of"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.AsOf != "2023-12-31" {
		t.Errorf("as_of = %s, want 2023-12-31 (the injected clock's date)", doc.AsOf)
	}
}

// TestErrorsLeaveStdoutEmpty: every input error exits 2 and writes nothing
// to stdout, whatever the format.
func TestErrorsLeaveStdoutEmpty(t *testing.T) {
	now := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, args := range [][]string{
		{"check", "--inventory", "nope.yaml", "--policy", "uk-dvd-2022", "--format", "json"},
		{"check", "--inventory", "../../testdata/small-network.yaml", "--policy", "nope", "--format", "csv"},
		{"check", "--inventory", "../../testdata/small-network.yaml", "--policy", "../../testdata/small-pack.yaml", "--waivers", "nope.yaml"},
		{"check", "--inventory", "../../testdata/small-network.yaml", "--policy", "../../testdata/small-pack.yaml", "--param", "small.x=2020-01-01"},
		{"check", "--inventory", "../../testdata/small-network.yaml", "--policy", "../../testdata/small-pack.yaml", "--policy", "../../testdata/small-pack.yaml"},
		{"check", "--inventory", "../../testdata/small-network.yaml", "--policy", "../../testdata/small-pack.yaml", "extra"},
		{"validate", "--inventory", "../../testdata/small-pack.yaml"},
		{"validate"},
		{"policies", "show", "nope"},
	} {
		code, out, errs := run(t, now, args...)
		if code != ExitError || out != "" || errs == "" {
			t.Errorf("corefence %s: exit %d, stdout %q, stderr %q; want 2, nothing, a message", strings.Join(args, " "), code, out, errs)
		}
	}
}

// TestDemo runs the demo into a fresh directory: it tells the story at each
// date and writes only into the directory it was given.
func TestDemo(t *testing.T) {
	dir := t.TempDir()
	out := dir + "/demo"
	code, stdout, stderr := run(t, time.Now(), "demo", "--out", out)
	if code != ExitOK {
		t.Fatalf("demo exit %d: %s", code, stderr)
	}
	for _, step := range ukStory {
		if !strings.Contains(stdout, "━━ "+step.date) {
			t.Errorf("demo output lacks the %s step", step.date)
		}
	}
	for _, want := range []string{"uk-dvd-2022/core", "uk-2020-ncsc/access-cap-mobile", "NOT COMPLIANT"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("demo output lacks %q", want)
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) != 1 || entries[0].Name() != "demo" {
		t.Errorf("demo wrote outside its directory: %v", entries)
	}
	files, _ := os.ReadDir(out)
	if len(files) != 1+len(ukStory) {
		t.Errorf("demo directory holds %d files, want the inventory and %d reports", len(files), len(ukStory))
	}
}
