package apiclient

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	cf "github.com/corefence/corefence"
)

// The upload against the real server is tested in internal/cli
// (TestImportNetBoxUpload and the tests after it); these are the checks
// made before anything is sent, and answers from something that is not a
// corefence server.

func TestBaseRefused(t *testing.T) {
	for _, c := range []struct{ url, want string }{
		{"ftp://corefence.example.org", "want an http:// or https:// address"},
		{"corefence.example.org", "want an http:// or https:// address"},
		{"http://corefence.example.org", "plain http is only for a server on this machine"},
		{"http://10.0.0.5:8080", "plain http is only for a server on this machine"},
		{"https://user:secret@corefence.example.org", "without user, query or fragment"},
		{"https://corefence.example.org/?x=1", "without user, query or fragment"},
	} {
		_, err := (&Client{BaseURL: c.url, Token: "cft_x"}).base()
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "secret") {
			t.Errorf("%s: %v; want %q", c.url, err, c.want)
		}
	}
	for _, ok := range []string{"https://corefence.example.org", "http://127.0.0.1:8080", "http://localhost:8080", "http://[::1]:8080"} {
		if _, err := (&Client{BaseURL: ok}).base(); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
}

// TestNotCorefence: a web server that is not corefence answers with a
// page; the error says so and never shows the token.
func TestNotCorefence(t *testing.T) {
	for _, status := range []int{http.StatusOK, http.StatusNotFound, http.StatusBadGateway} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(status)
			w.Write([]byte("<html><body>Welcome to nginx!</body></html>"))
		}))
		c := &Client{BaseURL: srv.URL, Token: "cft_abc_supersecret"}
		_, _, err := c.UploadSnapshot(context.Background(), "ee", cf.Date(0), "application/json", []byte("{}"))
		srv.Close()
		if err == nil || !strings.Contains(err.Error(), "is this a corefence server?") || !strings.Contains(err.Error(), "Welcome to nginx!") ||
			strings.Contains(err.Error(), "supersecret") {
			t.Errorf("status %d: %v", status, err)
		}
	}
}
