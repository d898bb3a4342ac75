package server_test

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/corefence/corefence/internal/server"
	"github.com/corefence/corefence/internal/store"
	"github.com/corefence/corefence/internal/store/sqlstore"
)

// TestTokenCache pins down what caching verified tokens may and may not
// change: a token revoked through the API, or expired, is refused at once;
// one revoked behind the server's back (another server, the database) is
// refused within the cache's two seconds.
func TestTokenCache(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			st, err := sqlstore.Open(ctx, b.dsn(t))
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			var mu sync.Mutex
			now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
			clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
			advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
			st.SetClock(clock)
			srv := server.New(st, server.Config{TempDir: t.TempDir(), Version: "test", Now: clock})
			hs := httptest.NewServer(srv)
			defer hs.Close()
			for _, p := range []store.Principal{{ID: "admin", Role: store.RoleAdmin}, {ID: "reg", Role: store.RoleRegulator}} {
				if _, err := st.CreatePrincipal(ctx, store.System, p); err != nil {
					t.Fatal(err)
				}
			}
			admin, _, err := st.IssueToken(ctx, store.System, "admin", 0)
			if err != nil {
				t.Fatal(err)
			}
			issue := func(expires int64) (string, string) {
				secret, tok, err := st.IssueToken(ctx, store.System, "reg", expires)
				if err != nil {
					t.Fatal(err)
				}
				return secret, tok.ID
			}
			status := func(method, path, secret string) int {
				t.Helper()
				req, _ := http.NewRequest(method, hs.URL+path, nil)
				req.Header.Set("Authorization", "Bearer "+secret)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				return resp.StatusCode
			}
			expect := func(what, secret string, want int) {
				t.Helper()
				if got := status("GET", "/api/v1/me", secret); got != want {
					t.Fatalf("%s: GET /api/v1/me answered %d, want %d", what, got, want)
				}
			}

			secret, id := issue(0)
			expect("a valid token", secret, 200)
			expect("a valid token, cached", secret, 200)
			expect("a wrong secret of the same token id", secret[:len(secret)-2]+"xx", 401)
			if got := status("DELETE", "/api/v1/tokens/"+id, admin); got != http.StatusNoContent {
				t.Fatalf("revoke: %d", got)
			}
			expect("a token revoked through the API, at once", secret, 401)

			secret, id = issue(0)
			expect("a second token", secret, 200)
			if err := st.RevokeToken(ctx, store.System, id); err != nil {
				t.Fatal(err)
			}
			expect("a token revoked in the store, within the cache's time", secret, 200)
			advance(2 * time.Second)
			expect("a token revoked in the store, after the cache's time", secret, 401)

			secret, _ = issue(now.Add(time.Second).UnixMicro())
			expect("a token about to expire", secret, 200)
			advance(time.Second)
			expect("an expired token, though verified within the cache's time", secret, 401)
		})
	}
}
