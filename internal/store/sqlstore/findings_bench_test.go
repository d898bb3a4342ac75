package sqlstore_test

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/corefence/corefence/internal/store"
	"github.com/corefence/corefence/internal/store/sqlstore"
)

// BenchmarkFindingQueries serves one page of 100 of a national run's
// 100,000 findings (20,000 sites) from SQLite, in run order and under each
// sort, filter and grouping the findings list offers, so that their costs
// read as ratios to the run-order page.
func BenchmarkFindingQueries(b *testing.B) {
	s, err := sqlstore.Open(ctx, filepath.Join(b.TempDir(), "corefence.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	if _, err := s.CreateOperator(ctx, store.System, store.Operator{ID: "op", Name: "op"}); err != nil {
		b.Fatal(err)
	}
	if _, _, err := s.PutSnapshot(ctx, store.System, store.NewSnapshot{ID: "s1", Operator: "op", Digest: "d", Source: "d",
		ValidFrom: "2024-01-01", Counts: "{}", Content: []byte("{}")}); err != nil {
		b.Fatal(err)
	}
	const n = 100000
	rng := rand.New(rand.NewPCG(1, 2))
	statuses := []string{"violation", "upcoming", "advisory", "waived", "unmeasured"}
	vendors := []string{"huawei", "zte", "ericsson", "nokia", "samsung"}
	fs := make([]store.Finding, n)
	pad := strings.Repeat("x", 300) // a finding's JSON is a few hundred bytes
	for i := range fs {
		site := fmt.Sprintf("S-%05d", rng.IntN(20000))
		fs[i] = store.Finding{ID: fmt.Sprintf("f%06d", i), Policy: "uk", Rule: fmt.Sprintf("uk/r%d", rng.IntN(8)),
			Status: statuses[rng.IntN(len(statuses))], Operator: "op", Site: site, Element: site + "-gnb",
			Vendor: vendors[rng.IntN(len(vendors))], Technology: int64(1 << rng.IntN(6)),
			Deadline: fmt.Sprintf("20%02d-01-01", 20+rng.IntN(10)), JSON: `{"id":"f","message":"` + pad + `"}`}
	}
	start := time.Now()
	if _, _, err := s.PutRun(ctx, store.System, store.Run{ID: "r1", Operator: "op", Snapshot: "s1", AsOf: "2024-01-01",
		Inputs: "{}", Summary: "{}"}, fs); err != nil {
		b.Fatal(err)
	}
	b.Logf("stored %d findings in %s", n, time.Since(start).Round(time.Millisecond))
	search := func(q store.FindingSearch) func(*testing.B) {
		return func(b *testing.B) {
			q.Run, q.Limit = "r1", 100
			for b.Loop() {
				if page, _, err := s.SearchFindings(ctx, q); err != nil || len(page) != 100 {
					b.Fatal(len(page), err)
				}
			}
		}
	}
	group := func(q store.FindingGroupQuery) func(*testing.B) {
		return func(b *testing.B) {
			q.Run, q.Limit = "r1", 100
			for b.Loop() {
				if page, _, err := s.GroupFindings(ctx, q); err != nil || len(page) != 100 {
					b.Fatal(len(page), err)
				}
			}
		}
	}
	b.Run("run-order", search(store.FindingSearch{}))
	b.Run("run-order-status", search(store.FindingSearch{Filter: store.FindingFilter{Status: "violation"}}))
	b.Run("sort-site", search(store.FindingSearch{Sort: store.SortSite}))
	b.Run("sort-site-deep", search(store.FindingSearch{Sort: store.SortSite, After: &store.FindingCursor{Key: "S-15000", Seq: 1}}))
	b.Run("sort-status-desc", search(store.FindingSearch{Sort: store.SortStatus, Desc: true}))
	b.Run("sort-deadline", search(store.FindingSearch{Sort: store.SortDeadline}))
	b.Run("technology-5g-designated", search(store.FindingSearch{Filter: store.FindingFilter{Technology: 8, Groups: []string{"huawei", "zte"}}}))
	b.Run("group-site", group(store.FindingGroupQuery{By: store.GroupBySite}))
	b.Run("group-site-by-count", group(store.FindingGroupQuery{By: store.GroupBySite, ByCount: true, Desc: true}))
	b.Run("status-counts-all-sites", func(b *testing.B) {
		for b.Loop() {
			sites := 0
			if err := s.FindingStatusCounts(ctx, "r1", store.GroupBySite, func(string, string, int) error { sites++; return nil }); err != nil {
				b.Fatal(err)
			}
		}
	})
}
