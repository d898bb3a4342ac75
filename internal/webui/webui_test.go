package webui

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func get(t *testing.T, h http.Handler, path string, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest("GET", path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// TestServes checks every embedded file's type, caching and policy, and
// that the page names the assets that exist.
func TestServes(t *testing.T) {
	h := New()
	index := get(t, h, "/")
	if index.Code != 200 || index.Header().Get("Content-Type") != "text/html; charset=utf-8" {
		t.Fatalf("/: %d %q", index.Code, index.Header().Get("Content-Type"))
	}
	if cc := index.Header().Get("Cache-Control"); cc != "no-cache" {
		t.Errorf("/: Cache-Control %q, want no-cache (it names the current assets)", cc)
	}
	page := index.Body.String()
	assets := 0
	for _, p := range h.Files() {
		if !strings.HasPrefix(p, "/assets/") {
			continue
		}
		assets++
		if !strings.Contains(page, `"`+p+`"`) {
			t.Errorf("index.html does not name %s", p)
		}
		rec := get(t, h, p)
		want := map[bool]string{true: "text/javascript; charset=utf-8", false: "text/css; charset=utf-8"}[strings.HasSuffix(p, ".js")]
		if rec.Code != 200 || rec.Header().Get("Content-Type") != want {
			t.Errorf("%s: %d %q, want 200 %q", p, rec.Code, rec.Header().Get("Content-Type"), want)
		}
		if cc := rec.Header().Get("Cache-Control"); !strings.Contains(cc, "immutable") {
			t.Errorf("%s: Cache-Control %q, want immutable (its name has its hash)", p, cc)
		}
		if again := get(t, h, p, "If-None-Match", rec.Header().Get("ETag")); again.Code != http.StatusNotModified {
			t.Errorf("%s with its ETag: %d, want 304", p, again.Code)
		}
	}
	if assets < 2 {
		t.Fatalf("%d assets embedded, want the script and the stylesheet", assets)
	}
	// Files is in no particular order and holds /index.html, which is served
	// only as /: the headers are checked on / and on an asset.
	var asset string
	for _, p := range h.Files() {
		if strings.HasPrefix(p, "/assets/") {
			asset = p
			break
		}
	}
	for _, rec := range []*httptest.ResponseRecorder{index, get(t, h, asset)} {
		if rec.Header().Get("Content-Security-Policy") != CSP || rec.Header().Get("X-Content-Type-Options") != "nosniff" ||
			rec.Header().Get("X-Frame-Options") != "DENY" {
			t.Errorf("security headers missing: %v", rec.Header())
		}
	}
	for _, p := range []string{"/index.html", "/assets/", "/assets/nope.js", "/../go.mod", "/webui.go"} {
		if rec := get(t, h, p); rec.Code != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", p, rec.Code)
		}
	}
}

// TestNothingFromElsewhere holds the built files to the offline promise:
// no address of another origin in what the browser loads.
func TestNothingFromElsewhere(t *testing.T) {
	h := New()
	for _, p := range h.Files() {
		body := h.files[p].body
		for _, bad := range []string{"//fonts.", "cdn.", "unpkg", "jsdelivr", "tile.", "googleapis", "@import url(http"} {
			if strings.Contains(string(body), bad) {
				t.Errorf("%s contains %q", p, bad)
			}
		}
	}
}
