package server_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/corefence/corefence/internal/export"
	"github.com/corefence/corefence/internal/gen"
	"github.com/corefence/corefence/internal/server"
	"github.com/corefence/corefence/internal/store"
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

// BenchmarkEvidence compares, on one operator's share of a generated
// 4,000-site network (about 1,000 sites), a check run with a check run
// signed at once, and a site proof: signing checks the run again, so its
// cost is best read as a ratio to the check's.
func BenchmarkEvidence(b *testing.B) {
	t := &testing.T{}
	e := newEnv(t, filepath.Join(b.TempDir(), "corefence.db"))
	e.t = t
	doc, err := gen.Generate(gen.Config{Country: "gb", Sites: 4000, Seed: 7})
	if err != nil {
		b.Fatal(err)
	}
	op := doc.Operators[0].ID
	if _, err := e.store.CreateOperator(ctx, store.System, store.Operator{ID: op, Name: op}); err != nil {
		b.Fatal(err)
	}
	var buf bytes.Buffer
	if err := export.WriteYAML(&buf, server.SplitByOperator(doc)[op]); err != nil {
		b.Fatal(err)
	}
	sn := e.snapshot("reg", op, buf.Bytes(), "2024-01-01")
	day := 0
	newRun := func() runView {
		day++
		var run runView
		asOf := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, day).Format(time.DateOnly)
		e.sendJSON("reg", "POST", "/api/v1/operators/"+op+"/runs", map[string]any{"snapshot": sn.ID, "packs": []string{"uk-dvd-2022"}, "as_of": asOf}, 201, &run)
		return run
	}
	b.Run("check", func(b *testing.B) {
		for b.Loop() {
			newRun()
		}
	})
	b.Run("check+attest", func(b *testing.B) {
		for b.Loop() {
			run := newRun()
			e.sendJSON("reg", "POST", "/api/v1/operators/"+op+"/runs/"+run.ID+"/attestation", nil, 201, nil)
		}
	})
	run := newRun()
	e.sendJSON("reg", "POST", "/api/v1/operators/"+op+"/runs/"+run.ID+"/attestation", nil, 201, nil)
	site := doc.Sites[0].ID
	for _, s := range doc.Sites {
		if s.Operator == op {
			site = s.ID
			break
		}
	}
	b.Run("proof", func(b *testing.B) {
		for b.Loop() {
			e.getJSON("reg", "/api/v1/operators/"+op+"/attestations/"+run.ID+"/proofs/"+site, 200, nil)
		}
	})
}
