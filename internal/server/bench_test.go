package server_test

import (
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
)

// BenchmarkFindingsPage serves one page of 100 findings to an operator,
// in process: authentication, access, the query and the JSON.
func BenchmarkFindingsPage(b *testing.B) {
	t := &testing.T{}
	e := newEnv(t, filepath.Join(b.TempDir(), "corefence.db"))
	e.t = t
	sn := e.snapshot("op-alpha", "alpha", networks(t)["alpha"], "2024-01-01")
	var run runView
	e.sendJSON("op-alpha", "POST", "/api/v1/operators/alpha/runs", map[string]any{"snapshot": sn.ID, "packs": []string{"uk-2020-ncsc"}, "as_of": "2024-01-01"}, 201, &run)
	req := httptest.NewRequest("GET", "/api/v1/operators/alpha/runs/"+run.ID+"/findings?limit=100", nil)
	req.Header.Set("Authorization", "Bearer "+e.tokens["op-alpha"])
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		e.srv.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatal(w.Code, w.Body.String())
		}
	}
}
