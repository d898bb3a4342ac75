package cli

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/corefence/corefence/internal/atomicfile"
	"github.com/corefence/corefence/internal/gen"
)

// TestHostileIDsInErrors: an id with terminal controls and a line break,
// echoed in an error, reaches stderr escaped: no escape sequence, no
// forged line.
func TestHostileIDsInErrors(t *testing.T) {
	dir := t.TempDir()
	inv := filepath.Join(dir, "inventory.yaml")
	os.WriteFile(inv, []byte(`format: corefence/v1
operators:
  - {id: op, name: Op, country: GB}
sites:
  - {id: s1, operator: op, name: S, lat: 51.5, lon: -0.1}
elements:
  - {id: "e1", hosted_on: "\e]0;pwned\a\r\n  forged: all clear", function: amf, vendor: Huawei}
`), 0o644)
	for _, args := range [][]string{
		{"validate", "--inventory", inv},
		{"check", "--inventory", inv, "--policy", "uk-dvd-2022"},
	} {
		code, out, errs := run(t, time.Now(), args...)
		if code != ExitError || out != "" {
			t.Fatalf("%s: exit %d, stdout %q", args[0], code, out)
		}
		for _, c := range []byte(errs) {
			if c < 0x20 && c != '\n' {
				t.Errorf("%s: raw control byte %#x on stderr:\n%q", args[0], c, errs)
				break
			}
		}
		for _, line := range strings.Split(errs, "\n") {
			if strings.HasPrefix(line, "  forged") {
				t.Errorf("%s: forged line on stderr: %q", args[0], line)
			}
		}
	}
}

// TestDemoOutputDirectory: the demo refuses a directory with files in it
// unless --force, then replaces only what a demo wrote; it refuses an
// inventory directory holding CSV files it did not write, and writes
// through no symbolic link. A refusal changes nothing.
func TestDemoOutputDirectory(t *testing.T) {
	sites := strconv.Itoa(gen.MinSites)
	now := time.Now()
	root := t.TempDir()
	out := filepath.Join(root, "out")
	os.MkdirAll(filepath.Join(out, "inventory"), 0o755)
	os.WriteFile(filepath.Join(out, "notes.txt"), []byte("mine"), 0o644)
	mine := filepath.Join(out, "inventory", "elements.csv")
	os.WriteFile(mine, []byte("id,site\n"), 0o644)

	code, _, errs := run(t, now, "demo", "--out", out, "--sites", sites)
	if code != ExitError || !strings.Contains(errs, "--force") {
		t.Fatalf("non-empty directory without --force: exit %d\n%s", code, errs)
	}
	// With --force, the user's elements.csv (not in a manifest) is
	// refused rather than replaced.
	code, _, errs = run(t, now, "demo", "--out", out, "--sites", sites, "--force")
	if code != ExitError || !strings.Contains(errs, "inventory/elements.csv") {
		t.Fatalf("a CSV the demo did not write: exit %d\n%s", code, errs)
	}
	if b, _ := os.ReadFile(mine); string(b) != "id,site\n" {
		t.Fatal("the user's CSV file was changed")
	}
	if got := dirNames(t, root); !slices.Equal(got, []string{"out"}) {
		t.Errorf("left beside the output: %v", got)
	}

	os.Remove(mine)
	if code, _, errs = run(t, now, "demo", "--out", out, "--sites", sites, "--force"); code != ExitOK {
		t.Fatalf("--force: exit %d\n%s", code, errs)
	}
	if b, _ := os.ReadFile(filepath.Join(out, "notes.txt")); string(b) != "mine" {
		t.Error("the demo touched a file it did not write")
	}
	// Again: the files of the first run are replaced; a symlink in their
	// place is refused and its target untouched.
	target := filepath.Join(root, "precious.html")
	os.WriteFile(target, []byte("precious"), 0o644)
	os.Remove(filepath.Join(out, "report.html"))
	os.Symlink(target, filepath.Join(out, "report.html"))
	code, _, errs = run(t, now, "demo", "--out", out, "--sites", sites, "--force")
	if code != ExitError || !strings.Contains(errs, "symbolic link") {
		t.Fatalf("report.html a symlink: exit %d\n%s", code, errs)
	}
	if b, _ := os.ReadFile(target); string(b) != "precious" {
		t.Error("the demo wrote through a symlink")
	}
	if _, err := os.Stat(filepath.Join(out, atomicfile.Manifest)); err != nil {
		t.Error(err)
	}
}

func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

// TestHardLimit: a limited context expires at the limit plus its slack,
// and a command failing with it exits 2, saying so.
func TestHardLimit(t *testing.T) {
	var errb strings.Builder
	env := &Env{Stderr: &errb}
	start := time.Now()
	ctx, stop := hardLimit(context.Background(), env, 10*time.Millisecond)
	<-ctx.Done()
	stop() // returned in time: no forced exit
	if waited := time.Since(start); waited < limitSlack {
		t.Errorf("expired after %s, before the limit and its slack", waited)
	}
	if code := exitStatus(context.Background(), env, "plan", ctx.Err()); code != ExitError || !strings.Contains(errb.String(), "time limit exceeded") {
		t.Errorf("exit %d, stderr %q", code, errb.String())
	}
}

// TestInterruptedExitStatus: a command stopped by a signal exits 128 +
// its number.
func TestInterruptedExitStatus(t *testing.T) {
	for sig, want := range map[syscall.Signal]int{syscall.SIGINT: 130, syscall.SIGTERM: 143} {
		ctx, cancel := context.WithCancelCause(context.Background())
		cancel(Interrupted{Signal: sig})
		var errb strings.Builder
		if code := exitStatus(ctx, &Env{Stderr: &errb}, "check", ctx.Err()); code != want {
			t.Errorf("%v: exit %d, want %d", sig, code, want)
		}
	}
}

// TestInterruptedBeforeLoading: every command that loads an inventory
// loads it under the command's context, so one interrupted before it
// starts exits 130 having written nothing, to stdout or to a file.
func TestInterruptedBeforeLoading(t *testing.T) {
	dir := t.TempDir()
	params := filepath.Join(dir, "params.yaml")
	if err := os.WriteFile(params, []byte("start: 2022-01-01\ncrews:\n  per_1000_sites: 1000\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	inv := "../../testdata/small-network.yaml"
	pack := "../../testdata/small-pack.yaml"
	if code, _, errs := run(t, time.Now(), "keygen", "--out", filepath.Join(dir, "op")); code != 0 {
		t.Fatalf("keygen: exit %d: %s", code, errs)
	}
	for _, args := range [][]string{
		{"validate", "--inventory", inv},
		{"check", "--inventory", inv, "--policy", pack},
		{"exposure", "--inventory", inv},
		{"plan", "--inventory", inv, "--policy", "uk-dvd-2022", "--params", params},
		{"compare", "--inventory", inv, "--params", params, "--option", "removal=uk-dvd-2022"},
		{"diff", inv, inv},
		{"attest", "--inventory", inv, "--policy", pack, "--key", filepath.Join(dir, "op.key"), "--out", filepath.Join(dir, "att.json")},
	} {
		ctx, cancel := context.WithCancelCause(context.Background())
		cancel(Interrupted{Signal: syscall.SIGINT})
		var out, errb strings.Builder
		env := &Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Now: time.Now}
		if code := Run(ctx, env, args); code != 130 || out.Len() > 0 {
			t.Errorf("%s interrupted: exit %d, %d bytes of output, stderr %q; want exit 130 and no output", args[0], code, out.Len(), errb.String())
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "att.json")); !os.IsNotExist(err) {
		t.Errorf("attest interrupted left its output file: %v", err)
	}
}
