package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestRealProcess builds the real binary and runs it as a process, for
// what only a process shows: signals, and a stdout that fails.
func TestRealProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary; skipped with -short")
	}
	bin := filepath.Join(t.TempDir(), "corefence")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	t.Run("signals", func(t *testing.T) { testSignals(t, bin) })
	t.Run("stdout failures", func(t *testing.T) { testStdoutFailures(t, bin) })
}

// testSignals sends SIGINT and SIGTERM to running commands: each stops
// within the bound with exit status 130 or 143 and leaves no output, not
// even a temporary file. The demo watches its context between steps; gen
// and validate spend their time in the generator and the parser, which
// do not, so they are stopped at the grace period's end.
func testSignals(t *testing.T, bin string) {
	// Generous: the signal is handled within StopGrace (0.3 s); the bound
	// allows for a loaded machine.
	const bound = 5 * time.Second
	// A large inventory for validate, which spends its time parsing.
	big := filepath.Join(t.TempDir(), "big.yaml")
	var b strings.Builder
	b.WriteString("format: corefence/v1\noperators:\n  - {id: op, name: Op, country: GB}\nsites:\n  - {id: s, operator: op, name: S, lat: 51.5, lon: -0.1}\nelements:\n")
	for i := range 400_000 {
		fmt.Fprintf(&b, "  - {id: e%d, site: s, function: server, vendor: Huawei, model: \"FusionServer 2288H\", installed: 2019-01-01}\n", i)
	}
	if err := os.WriteFile(big, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		sig  syscall.Signal
		want int
		args func(dir string) []string
	}{
		{"demo SIGINT", syscall.SIGINT, 130, func(dir string) []string { return []string{"demo", "--out", filepath.Join(dir, "out")} }},
		{"demo SIGTERM", syscall.SIGTERM, 143, func(dir string) []string { return []string{"demo", "--out", filepath.Join(dir, "out")} }},
		{"validate SIGINT", syscall.SIGINT, 130, func(string) []string { return []string{"validate", "--inventory", big} }},
		{"gen SIGINT", syscall.SIGINT, 130, func(dir string) []string {
			return []string{"gen", "--sites", "200000", "--out", filepath.Join(dir, "out")}
		}},
		{"gen yaml SIGTERM", syscall.SIGTERM, 143, func(dir string) []string {
			return []string{"gen", "--sites", "200000", "--out", filepath.Join(dir, "out.yaml")}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			cmd := exec.Command(bin, tc.args(dir)...)
			var stderr strings.Builder
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			time.Sleep(500 * time.Millisecond) // well into the work: each takes seconds
			sent := time.Now()
			if err := cmd.Process.Signal(tc.sig); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			var err error
			select {
			case err = <-done:
			case <-time.After(bound):
				cmd.Process.Kill()
				<-done
				t.Fatalf("still running %s after the signal", bound)
			}
			elapsed := time.Since(sent)
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != tc.want {
				t.Fatalf("exit %v after %s, want status %d; stderr:\n%s", err, elapsed, tc.want, stderr.String())
			}
			t.Logf("stopped %s after the signal: %s", elapsed.Round(time.Millisecond), strings.TrimSpace(stderr.String()))
			if entries, _ := os.ReadDir(dir); len(entries) != 0 {
				var names []string
				for _, e := range entries {
					names = append(names, e.Name())
				}
				t.Errorf("left behind: %v", names)
			}
		})
	}
}

// testStdoutFailures: a command whose output cannot be written — a full
// disk, a pipe closed by its reader — exits 2 and says so.
func testStdoutFailures(t *testing.T, bin string) {
	for _, args := range [][]string{
		{"version"},
		{"policies"},
		{"validate", "--inventory", "../../testdata/small-network.yaml"},
		{"check", "--inventory", "../../testdata/small-network.yaml", "--policy", "../../testdata/small-pack.yaml", "--format", "json"},
	} {
		name := strings.Join(args[:1], " ")
		t.Run(name+" /dev/full", func(t *testing.T) {
			full, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
			if err != nil {
				t.Skip("no /dev/full")
			}
			defer full.Close()
			cmd := exec.Command(bin, args...)
			cmd.Stdout = full
			var stderr strings.Builder
			cmd.Stderr = &stderr
			checkExit2(t, cmd.Run(), &stderr, "no space left on device")
		})
		t.Run(name+" closed pipe", func(t *testing.T) {
			r, w, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			r.Close() // nobody will read: writes fail with EPIPE
			cmd := exec.Command(bin, args...)
			cmd.Stdout = w
			var stderr strings.Builder
			cmd.Stderr = &stderr
			err = cmd.Run()
			w.Close()
			checkExit2(t, err, &stderr, "broken pipe")
		})
	}
}

func checkExit2(t *testing.T, err error, stderr *strings.Builder, msg string) {
	t.Helper()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 2 || !strings.Contains(stderr.String(), msg) {
		t.Errorf("exit %v, want status 2 and %q on stderr; stderr:\n%s", err, msg, stderr.String())
	}
}
