package server_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/corefence/corefence/internal/export"
	"github.com/corefence/corefence/internal/gen"
	"github.com/corefence/corefence/internal/inventory"
	"github.com/corefence/corefence/internal/server"
	"github.com/corefence/corefence/internal/store"
)

// BenchmarkNationalSiteMap serves the regulator's national map of a
// generated UK network (BENCH_SITES sites, 20,000 by default, in four
// operators, each checked under uk-dvd-2022): it reports the map's bytes
// a site, the first request's time (snapshots loaded, findings counted)
// and, per iteration, a request the map cache answers.
func BenchmarkNationalSiteMap(b *testing.B) {
	e, doc, snaps := benchNationalNetwork(b)
	for op, sn := range snaps {
		e.sendJSON("reg", "POST", "/api/v1/operators/"+op+"/runs", map[string]any{"snapshot": sn, "packs": []string{"uk-dvd-2022"}, "as_of": "2024-01-01"}, 201, nil)
	}
	get := func() *httptest.ResponseRecorder {
		req := httptest.NewRequest("GET", "/api/v1/national/sites?as_of=2024-01-01", nil)
		req.Header.Set("Authorization", "Bearer "+e.tokens["reg"])
		w := httptest.NewRecorder()
		e.srv.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatal(w.Code, w.Body.String())
		}
		return w
	}
	start := time.Now()
	first := get()
	firstMS := time.Since(start).Milliseconds()
	for b.Loop() {
		get()
	}
	// Reported after the loop, which clears metrics reported before it.
	b.ReportMetric(float64(firstMS), "first-ms")
	b.ReportMetric(float64(first.Body.Len())/float64(len(doc.Sites)), "bytes/site")
	b.ReportMetric(float64(first.Body.Len())/1e6, "MB")
}

// benchNationalNetwork generates the UK network of BENCH_SITES sites
// (20,000 by default; seed 1) and uploads each operator's part as a
// snapshot valid from 2023-01-01. It returns the environment, the network
// and each operator's snapshot id.
func benchNationalNetwork(b *testing.B) (*apiEnv, *inventory.Doc, map[string]string) {
	b.Helper()
	sites := 20000
	if v := os.Getenv("BENCH_SITES"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			b.Fatal(err)
		}
		sites = n
	}
	t := &testing.T{}
	e := newEnv(t, filepath.Join(b.TempDir(), "corefence.db"))
	e.t = t
	doc, err := gen.Generate(gen.Config{Country: "gb", Sites: sites, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	snaps := map[string]string{}
	for op, part := range server.SplitByOperator(doc) {
		if _, err := e.store.CreateOperator(ctx, store.System, store.Operator{ID: op, Name: op}); err != nil {
			b.Fatal(err)
		}
		var buf bytes.Buffer
		if err := export.WriteYAML(&buf, part); err != nil {
			b.Fatal(err)
		}
		snaps[op] = e.snapshot("reg", op, buf.Bytes(), "2023-01-01").ID
	}
	return e, doc, snaps
}
