package server_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/corefence/corefence/internal/server"
	"github.com/corefence/corefence/internal/store/sqlstore"
	"github.com/corefence/corefence/internal/webui"
)

// TestWebUIMounted checks that the UI's page and assets are served at /
// without a token, and that everything else keeps the API's answers.
func TestWebUIMounted(t *testing.T) {
	st, err := sqlstore.Open(t.Context(), filepath.Join(t.TempDir(), "ui.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	hs := httptest.NewServer(server.New(st, server.Config{TempDir: t.TempDir()}))
	defer hs.Close()
	get := func(path string) (*http.Response, string) {
		resp, err := http.Get(hs.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	resp, page := get("/")
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") || resp.Header.Get("Content-Security-Policy") != webui.CSP {
		t.Fatalf("GET /: %s %q", resp.Status, resp.Header.Get("Content-Type"))
	}
	for _, p := range webui.New().Files() {
		if strings.HasPrefix(p, "/assets/") {
			if r, _ := get(p); r.StatusCode != 200 {
				t.Errorf("GET %s: %s", p, r.Status)
			}
		}
	}
	if !strings.Contains(page, "/assets/") {
		t.Errorf("the page names no assets")
	}
	for path, want := range map[string]int{"/api/v1/nope": 404, "/nope": 404, "/api/v1/operators": 401, "/healthz": 200} {
		r, body := get(path)
		if r.StatusCode != want || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
			t.Errorf("GET %s: %s %q %.80s, want %d with the API's JSON", path, r.Status, r.Header.Get("Content-Type"), body, want)
		}
	}
}
