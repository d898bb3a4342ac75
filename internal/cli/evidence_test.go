package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestVerifyExitStatus: 0 verified, 1 not verified (each reason on
// stdout), 2 usage or input error (stdout empty). No private key material
// is ever written to stdout or stderr.
func TestVerifyExitStatus(t *testing.T) {
	now := time.Date(2024, 1, 15, 12, 0, 0, 0, time.UTC)
	dir := t.TempDir()
	p := func(name string) string { return filepath.Join(dir, name) }
	mustRun := func(args ...string) string {
		t.Helper()
		code, out, errs := run(t, now, args...)
		if code != ExitOK {
			t.Fatalf("%v: exit %d: %s", args, code, errs)
		}
		return out + errs
	}
	var all strings.Builder
	all.WriteString(mustRun("keygen", "--out", p("op")))
	all.WriteString(mustRun("keygen", "--out", p("other")))
	all.WriteString(mustRun("attest", "--inventory", "../../testdata/small-network.yaml", "--policy", "../../testdata/small-pack.yaml",
		"--key", p("op.key"), "--out", p("att.json")))

	// The clock of the Env is the as-of date's default only: verify uses none.
	for _, c := range []struct {
		args []string
		code int
		out  string
	}{
		{[]string{"--trust", p("op.pub")}, ExitOK, "VERIFIED"},
		{[]string{"--trust", p("other.pub")}, ExitViolations, "NOT VERIFIED: 1 reason above"},
		{[]string{"--trust", p("op.pub"), "--inventory", "../../testdata/small-network.yaml", "--policy", "../../testdata/small-pack.yaml"}, ExitOK, "VERIFIED"},
		{[]string{"--trust", p("op.pub"), "--inventory", "../../testdata/small-network.yaml"}, ExitError, ""},
		{[]string{"--trust", p("nope.pub")}, ExitError, ""},
		{[]string{"--trust", p("op.key")}, ExitError, ""},
		{[]string{"--trust", p("op.pub"), "--threshold", "0"}, ExitError, ""},
	} {
		code, out, errs := run(t, now, append([]string{"verify", "--attestation", p("att.json")}, c.args...)...)
		all.WriteString(out + errs)
		if code != c.code || !strings.Contains(out, c.out) || (c.code == ExitError && out != "") {
			t.Errorf("verify %v: exit %d, stdout %q, stderr %q; want exit %d and %q", c.args, code, out, errs, c.code, c.out)
		}
	}
	key, err := os.ReadFile(p("op.key"))
	if err != nil {
		t.Fatal(err)
	}
	body := strings.Join(strings.Split(strings.TrimSpace(string(key)), "\n")[1:2], "")
	if strings.Contains(all.String(), body) {
		t.Error("private key material was printed")
	}
}
