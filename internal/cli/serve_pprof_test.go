package cli

import (
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestServePprofLoopbackOnly: profiles are never served beyond loopback.
func TestServePprofLoopbackOnly(t *testing.T) {
	db := filepath.Join(t.TempDir(), "corefence.db")
	for _, addr := range []string{"0.0.0.0:0", ":0", "192.0.2.1:6060", "example.com:6060", "nonsense"} {
		code, _, errs := run(t, time.Now(), "serve", "--db", db, "--listen", "127.0.0.1:0", "--pprof", addr)
		if code == ExitOK || !strings.Contains(errs, "--pprof") {
			t.Errorf("serve --pprof %s: exit %d, want a refusal naming --pprof\n%s", addr, code, errs)
		}
	}
}
