// Package browsertest loads pages in a real, headless Chromium for tests:
// the DOM after the page's scripts ran, the page's console messages, and
// screenshots. Tests skip, saying why, when Chromium is not installed
// (Debian: apt-get install chromium).
package browsertest

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Find returns the Chromium binary: $CHROMIUM if set, else the first of
// chromium, chromium-browser, google-chrome on $PATH; "" when none is.
func Find() string {
	if p := os.Getenv("CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// Require returns the Chromium binary or skips the test.
func Require(t testing.TB) string {
	t.Helper()
	p := Find()
	if p == "" {
		t.Skip("Chromium is not installed (Debian: apt-get install chromium; or set CHROMIUM): skipping the real-browser check")
	}
	return p
}

// args are the flags of a headless run that stays off the network: no
// background services, no sync, and every host name unresolvable.
func args(t testing.TB, extra ...string) []string {
	a := []string{
		"--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--no-default-browser-check",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-extensions", "--hide-scrollbars", "--mute-audio",
		"--host-resolver-rules=MAP * ~NOTFOUND",
		"--user-data-dir=" + t.TempDir(),
		"--enable-logging=stderr", "--v=0",
	}
	return append(a, extra...)
}

var consoleRE = regexp.MustCompile(`:CONSOLE[^\]]*\] (.*)`)

func run(t testing.TB, flags ...string) (stdout []byte, console []string) {
	t.Helper()
	bin := Require(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args(t, flags...)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %s: %v\n%s", strings.Join(flags, " "), err, errb.String())
	}
	for _, line := range strings.Split(errb.String(), "\n") {
		if m := consoleRE.FindStringSubmatch(line); m != nil {
			console = append(console, m[1])
		}
	}
	return out.Bytes(), console
}

// DumpDOM loads the file and returns the DOM once its scripts have run,
// with every message the page wrote to the console (errors included).
func DumpDOM(t testing.TB, file string) (dom string, console []string) {
	t.Helper()
	out, console := run(t, "--dump-dom", fileURL(t, file))
	return string(out), console
}

// Screenshot renders the file at the window size into png and returns
// the page's console messages.
func Screenshot(t testing.TB, file, png string, width, height int) []string {
	t.Helper()
	_, console := run(t, "--screenshot="+png, "--window-size="+strconv.Itoa(width)+","+strconv.Itoa(height), fileURL(t, file))
	if st, err := os.Stat(png); err != nil || st.Size() == 0 {
		t.Fatalf("chromium wrote no screenshot to %s (%v)", png, err)
	}
	return console
}

func fileURL(t testing.TB, file string) string {
	abs, err := filepath.Abs(file)
	if err != nil {
		t.Fatal(err)
	}
	return "file://" + filepath.ToSlash(abs)
}

var (
	attrRE = regexp.MustCompile(`(?i)<([a-z][a-z0-9-]*)\b[^>]*?\s(src|href|xlink:href|srcset|poster|action|formaction|background|data|ping)\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)`)
	urlRE  = regexp.MustCompile(`https?://`)
)

// CheckSelfContained fails unless the page loads nothing: no element that
// fetches (img, link, iframe …), no resource attribute, no CSS url() or
// @import, no script that fetches, and addresses only as <a> links.
func CheckSelfContained(t testing.TB, page string) {
	t.Helper()
	lower := strings.ToLower(page)
	for _, bad := range []string{"<link", "<img", "<iframe", "<object", "<embed", "<video", "<audio", "<source", "<base",
		"@import", "url(", "fetch(", "xmlhttprequest", "import(", "<script src", "websocket", "sendbeacon"} {
		if strings.Contains(lower, bad) {
			t.Errorf("the page contains %q, which could load something", bad)
		}
	}
	// Every address is the target of a link, or text.
	for _, m := range attrRE.FindAllStringSubmatch(page, -1) {
		tag, attr, val := strings.ToLower(m[1]), strings.ToLower(m[2]), strings.Trim(m[3], `"'`)
		if tag != "a" || attr != "href" {
			t.Errorf("<%s %s=%q>: a resource reference", tag, attr, val)
			continue
		}
	}
	stripped := attrRE.ReplaceAllStringFunc(page, func(s string) string { return "" })
	for _, loc := range urlRE.FindAllStringIndex(stripped, -1) {
		// Outside a link an address may only be text: not inside a tag.
		before := stripped[:loc[0]]
		if strings.LastIndex(before, "<") > strings.LastIndex(before, ">") {
			t.Errorf("an address inside a tag: …%s…", stripped[max(0, loc[0]-60):min(len(stripped), loc[1]+40)])
		}
	}
}

var mapSitesRE = regexp.MustCompile(`<section id="map-section"[^>]*\sdata-sites="(\d+)"`)

// SiteMarks is the number of sites a report's map draws, as the page
// declares it; -1 when the page has no map.
func SiteMarks(page string) int {
	m := mapSitesRE.FindStringSubmatch(page)
	if m == nil {
		return -1
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

var bodyRE = regexp.MustCompile(`<body([^>]*)>`)

// CheckReportDOM checks a dumped report DOM: the scripts ran to their end,
// the map holds every site, nothing was loaded and nothing was logged.
func CheckReportDOM(t testing.TB, dom string, console []string, sites int) {
	t.Helper()
	m := bodyRE.FindStringSubmatch(dom)
	if m == nil {
		t.Fatalf("no <body> in the DOM:\n%.2000s", dom)
	}
	attrs := m[1]
	if !strings.Contains(attrs, `data-ready="1"`) {
		t.Errorf("the page's script did not finish (body%s); console: %q", attrs, console)
	}
	if !strings.Contains(attrs, `data-map="ready"`) {
		t.Errorf("the map's script did not finish (body%s); console: %q", attrs, console)
	}
	if !strings.Contains(attrs, `data-site-marks="`+strconv.Itoa(sites)+`"`) {
		t.Errorf("body%s: want data-site-marks=%d", attrs, sites)
	}
	if !strings.Contains(attrs, `data-resources="0"`) {
		t.Errorf("body%s: the page loaded resources", attrs)
	}
	if got := SiteMarks(dom); got != sites {
		t.Errorf("the DOM's map has %d site marks, want %d", got, sites)
	}
	if len(console) > 0 {
		t.Errorf("the page wrote to the console: %q", console)
	}
}
