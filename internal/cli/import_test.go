package cli

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/corefence/corefence/internal/netbox/replay"
)

// TestImportFailurePartWayWritesNothing: a NetBox that refuses the token
// part-way through the interfaces (a token revoked mid-import) leaves an
// earlier inventory at --out as it was and no temporary file behind. The
// server replays real answers recorded from NetBox 4.2.9.
func TestImportFailurePartWayWritesNothing(t *testing.T) {
	const recording = "../../../shared/data/netbox-4.2-demo-api"
	if _, err := os.Stat(filepath.Join(recording, "manifest.json")); err != nil {
		t.Skipf("skipped: the recorded NetBox answers are not here (%s): %v", recording, err)
	}
	rec, err := replay.Open(recording)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := rec.Serve()
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	srv.Hook = func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path == "/api/dcim/interfaces/" && r.URL.Query().Get("offset") == "1500" {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusForbidden)
			w.Write([]byte(`{"detail":"Invalid token"}`))
			return true
		}
		return false
	}
	dir := t.TempDir()
	token := filepath.Join(dir, "token")
	if err := os.WriteFile(token, []byte(rec.Token), 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "nw.yaml")
	if err := os.WriteFile(out, []byte("the previous inventory\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := run(t, time.Now(), "import", "netbox", "--url", srv.URL, "--token-file", token,
		"--tenant", "northwind-mobile", "--page-size", "50", "--out", out)
	if code != ExitError || stdout != "" {
		t.Fatalf("exit %d, stdout %q; want 2 and nothing", code, stdout)
	}
	if !strings.Contains(stderr, `/api/dcim/interfaces/?limit=50&offset=1500: 403 Forbidden: "Invalid token"`) || strings.Contains(stderr, rec.Token) {
		t.Errorf("stderr: %s", stderr)
	}
	if data, _ := os.ReadFile(out); string(data) != "the previous inventory\n" {
		t.Errorf("--out was changed: %q", data)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 2 {
		t.Errorf("files left behind: %v", entries)
	}
}
