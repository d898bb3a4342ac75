package cli

import (
	"bytes"
	"context"
	"encoding/json"
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
