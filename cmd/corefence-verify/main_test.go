package main

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/corefence/corefence/internal/cli"
)

// TestMain lets the test binary stand in for corefence-verify and for
// corefence (to make keys, attestations and proofs, and to compare
// against `corefence verify`) in the scripts.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"corefence-verify": main,
		"corefence": func() {
			os.Exit(cli.Run(context.Background(), &cli.Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Now: time.Now}, os.Args[1:]))
		},
	})
}

// TestScripts runs testdata/script/*.txtar. Besides testscript's own
// commands they have
//
//	agree CODE ARGS…
//
// which runs `corefence verify ARGS…` and `corefence-verify ARGS…`, fails
// unless both exit with CODE, print the same standard output and the same
// standard error (but for the program's name), and leaves
// corefence-verify's output for the next commands to match.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:  "testdata/script",
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){"agree": agree},
		Setup: func(env *testscript.Env) error {
			for _, f := range []string{"small-network.yaml", "small-pack.yaml", "small-waivers.yaml"} {
				data, err := os.ReadFile("../../testdata/" + f)
				if err != nil {
					return err
				}
				if err := os.WriteFile(env.WorkDir+"/"+f, data, 0o644); err != nil {
					return err
				}
			}
			return nil
		},
	})
}

func agree(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("usage: agree CODE ARGS… (the exit status is CODE, not negated)")
	}
	if len(args) < 2 {
		ts.Fatalf("usage: agree CODE ARGS…")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("agree: exit status %q is not a number", args[0])
	}
	type result struct{ stdout, stderr string }
	var got [2]result
	for i, argv := range [][]string{append([]string{"corefence", "verify"}, args[1:]...), append([]string{"corefence-verify"}, args[1:]...)} {
		err := ts.Exec(argv[0], argv[1:]...)
		code := 0
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			code = ee.ExitCode()
		} else if err != nil {
			ts.Fatalf("%s: %v", strings.Join(argv, " "), err)
		}
		if code != want {
			ts.Fatalf("%s exited %d; want %d", strings.Join(argv, " "), code, want)
		}
		got[i] = result{ts.ReadFile("stdout"), ts.ReadFile("stderr")}
	}
	if got[0].stdout != got[1].stdout {
		ts.Fatalf("standard outputs differ:\ncorefence verify:\n%s\ncorefence-verify:\n%s", got[0].stdout, got[1].stdout)
	}
	if full := strings.ReplaceAll(got[0].stderr, "corefence verify", "corefence-verify"); full != got[1].stderr {
		ts.Fatalf("standard errors differ:\ncorefence verify:\n%s\ncorefence-verify:\n%s", got[0].stderr, got[1].stderr)
	}
}

// TestLinksOnlyVerificationCode holds the verifier to what makes it worth
// having apart from corefence: it links the standard library and
// corefence's verification code, nothing else — no third-party module,
// and none of the engines, stores or server whose package initialisation
// `corefence` pays at every start (docs/benchmarks.md, issue 10). A
// package added here must be as light and as easy to audit. Of the
// standard library, the network stack and cgo are kept out too: net links
// cgo's resolver, which makes the binary dynamically linked and costs
// about a quarter of the verifier's start (crypto/x509 imports net, which
// is why the key formats are read with encoding/asn1).
func TestLinksOnlyVerificationCode(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to list the verifier's packages: %v", err)
	}
	const mod = "github.com/corefence/corefence"
	allowed := map[string]bool{
		mod:                                  true, // the domain types (dates in the statement)
		mod + "/cmd/corefence-verify":        true,
		mod + "/internal/evidence":           true,
		mod + "/internal/evidence/verifycmd": true,
		mod + "/internal/safetext":           true,
	}
	out, err := exec.Command(goTool, "list", "-deps", "-f", "{{.ImportPath}} {{.Standard}} {{with .Module}}{{.Path}}{{end}}", ".").Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("go list: %v\n%s", err, ee.Stderr)
		}
		t.Fatal(err)
	}
	// Standard packages that would make the verifier start like a larger
	// program: why each is left out is said above.
	forbidden := map[string]bool{"net": true, "runtime/cgo": true, "os/user": true, "crypto/x509": true}
	n := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		pkg, std := f[0], f[1] == "true"
		n++
		switch {
		case std && forbidden[pkg]:
			t.Errorf("corefence-verify links %s: it must not link the network stack or cgo", pkg)
		case std:
		case len(f) < 3 || f[2] != mod:
			t.Errorf("corefence-verify links %s, outside the standard library and corefence", pkg)
		case !allowed[pkg]:
			t.Errorf("corefence-verify links %s; it must hold only the verification code (allowed: root package, internal/evidence, internal/evidence/verifycmd, internal/safetext)", pkg)
		}
	}
	if n < len(allowed) {
		t.Fatalf("go list gave %d packages; the check saw nothing:\n%s", n, out)
	}
}
