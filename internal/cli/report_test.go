package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/corefence/corefence/internal/htmlreport/browsertest"
)

// TestReportCommand: report writes one self-contained page with every
// date asked for; it refuses to overwrite without --force, and bad input
// exits 2 naming the file and line, with nothing written.
func TestReportCommand(t *testing.T) {
	now := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	dir := t.TempDir()
	out := filepath.Join(dir, "report.html")
	args := []string{"report", "--inventory", "../../testdata/small-network.yaml", "--policy", "../../testdata/small-pack.yaml",
		"--as-of", "2024-01-01", "--date", "2019-06-01", "--out", out, "--title", "Small <network>"}
	code, stdout, stderr := run(t, now, args...)
	if code != ExitOK {
		t.Fatalf("exit %d, stderr %s", code, stderr)
	}
	if !strings.Contains(stdout, "Report: "+out) {
		t.Errorf("stdout %q does not name the report", stdout)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	page := string(b)
	browsertest.CheckSelfContained(t, page)
	for _, want := range []string{"Small &lt;network&gt;", "2019-06-01", "2024-01-01", `<nav class="toc"`, `id="map-section"`,
		`id="sites"`, `id="sources"`, "window.corefenceMap"} {
		if !strings.Contains(page, want) {
			t.Errorf("the report lacks %q", want)
		}
	}
	for _, story := range []string{"About the data.", "Huawei decisions"} {
		if strings.Contains(page, story) {
			t.Errorf("the report holds the demo's story text %q", story)
		}
	}

	// An existing --out is refused, and left as it was.
	code, _, stderr = run(t, now, args...)
	if code != ExitError || !strings.Contains(stderr, "exists; nothing was written (--force replaces it)") {
		t.Errorf("overwrite without --force: exit %d, stderr %q", code, stderr)
	}
	if again, _ := os.ReadFile(out); string(again) != page {
		t.Error("the refused run changed the file")
	}
	if code, _, stderr = run(t, now, append(args, "--force")...); code != ExitOK {
		t.Errorf("--force: exit %d, stderr %s", code, stderr)
	}

	// Bad input: every problem with its file and line; no file written.
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("format: corefence/v1\noperators:\n  - {id: a, name: A, country: GB}\nsites:\n  - {id: s1, operator: a, lat: 95, lon: 0}\n  - {id: s2, operator: nobody, lat: 51, lon: 0}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	badOut := filepath.Join(dir, "bad.html")
	code, stdout, stderr = run(t, now, "report", "--inventory", bad, "--policy", "uk-dvd-2022", "--out", badOut)
	if code != ExitError || stdout != "" {
		t.Errorf("bad inventory: exit %d, stdout %q", code, stdout)
	}
	for _, want := range []string{"bad.yaml:5", "lat", "bad.yaml:6", "nobody"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if _, err := os.Stat(badOut); !os.IsNotExist(err) {
		t.Errorf("a report was written for a bad inventory (%v)", err)
	}
	for _, a := range [][]string{
		{"report", "--inventory", "../../testdata/small-network.yaml", "--policy", "uk-dvd-2022"},                                          // no --out
		{"report", "--policy", "uk-dvd-2022", "--out", badOut},                                                                             // no --inventory
		{"report", "--inventory", "../../testdata/small-network.yaml", "--policy", "uk-dvd-2022", "--out", badOut, "--date", "2024-13-01"}, // a bad date
		{"report", "--inventory", "../../testdata/small-network.yaml", "--policy", "nope", "--out", badOut},                                // an unknown pack
	} {
		if code, _, stderr := run(t, now, a...); code != ExitError || stderr == "" {
			t.Errorf("%q: exit %d, stderr %q", a, code, stderr)
		}
	}
	if _, err := os.Stat(badOut); !os.IsNotExist(err) {
		t.Errorf("a report was written for bad arguments (%v)", err)
	}
}
