package uitest

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/corefence/corefence/internal/cli"
)

// TestReportAccessible writes `corefence report` for a small network and
// holds the static report to the UI's bar in the same browser: no console
// errors, axe-core's WCAG 2.1 A/AA rules (contrast included), and every
// control reachable with the keyboard — with a site's drill-down open, so
// that its controls are walked too.
func TestReportAccessible(t *testing.T) {
	axeJS := axeSource(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "report.html")
	var stdout, stderr bytes.Buffer
	env := &cli.Env{Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr,
		Now: func() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) }}
	args := []string{"report", "--inventory", "../../../testdata/small-network.yaml",
		"--policy", "uk-dvd-2022", "--policy", "uk-2020-ncsc", "--as-of", "2024-01-01", "--date", "2028-01-01", "--out", out}
	if code := cli.Run(context.Background(), env, args); code != 0 {
		t.Fatalf("corefence %s: exit %d\n%s", strings.Join(args, " "), code, stderr.String())
	}
	page, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	// Served over loopback HTTP, as a reader's browser would open any page.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(page)
	}))
	defer srv.Close()

	b := newBrowser(t)
	b.do(chromedp.Navigate(srv.URL+"/report.html"), chromedp.WaitVisible(chromedp.CSS("canvas")))
	eval[chromedp.Void](b, axeJS)
	check := func(state string) {
		t.Helper()
		if c := b.consoleErrors(); len(c) > 0 {
			t.Errorf("report (%s): console: %q", state, c)
		}
		if v := b.axe(); len(v) > 0 {
			t.Errorf("report (%s): axe-core found %d accessibility problems:\n  %s", state, len(v), strings.Join(v, "\n  "))
		}
		if missed := b.keyboardWalk(); len(missed) > 0 {
			t.Errorf("report (%s): Tab never reaches %q", state, missed)
		}
	}
	check("as loaded")
	b.screenshot(artefacts(t), "report")
	// Open the first site of the "most findings" table: its drill-down.
	opened := eval[bool](b, `(() => { const a = document.querySelector('a[href^="#site-"], [data-site]'); if (!a) return false; a.click(); return true; })()`)
	if !opened {
		t.Fatal("the report offers no site to open")
	}
	check("a site's drill-down open")
}
