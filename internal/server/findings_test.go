package server_test

import (
	"bytes"
	"cmp"
	"encoding/csv"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"testing"

	cf "github.com/corefence/corefence"
	"github.com/corefence/corefence/internal/export"
	"github.com/corefence/corefence/internal/gen"
	"github.com/corefence/corefence/internal/importer"
	"github.com/corefence/corefence/internal/inventory"
	"github.com/corefence/corefence/internal/report"
	"github.com/corefence/corefence/internal/server"
	"github.com/corefence/corefence/internal/store"
	"github.com/corefence/corefence/internal/vendor"
)

// generated is a generated operator's network as uploaded, and the same
// network as the CLI loads it from a file.
type generated struct {
	op   string
	yaml []byte
	inv  *inventory.Inventory
}

// generatedNetwork is one operator of a generated national network of
// the given number of sites (300: enough findings for every sort, filter
// and group to matter, small enough to check in a second).
func generatedNetwork(t *testing.T, sites int) generated {
	t.Helper()
	doc, err := gen.Generate(gen.Config{Country: "gb", Sites: sites, Seed: 11})
	if err != nil {
		t.Fatal(err)
	}
	op := doc.Operators[0].ID
	var b bytes.Buffer
	if err := export.WriteYAML(&b, server.SplitByOperator(doc)[op]); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), op+".yaml")
	if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	inv, err := importer.Load(path, inventory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return generated{op: op, yaml: b.Bytes(), inv: inv}
}

// checkGenerated stores the network for its operator and checks it under
// the Designated Vendor Direction the day after the core deadline.
func checkGenerated(t *testing.T, e *apiEnv, g generated) (store.Snapshot, runView) {
	t.Helper()
	if _, err := e.store.CreateOperator(ctx, store.System, store.Operator{ID: g.op, Name: g.op}); err != nil {
		t.Fatal(err)
	}
	snap := e.snapshot("reg", g.op, g.yaml, "2023-06-01")
	var run runView
	e.sendJSON("reg", "POST", "/api/v1/operators/"+g.op+"/runs", map[string]any{"snapshot": snap.ID,
		"packs": []string{"uk-dvd-2022", "uk-2020-ncsc"}, "as_of": "2024-01-01"}, 201, &run)
	return snap, run
}

type finding struct {
	ID, Rule, Status string
	Site, Element    *string
	Vendor           *string
	Effective        *string
	DueBy            *string `json:"due_by"`
	seq              int
}

func (f finding) str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// sortKey is the key the API documents for each sort, computed here
// independently of the store's SQL.
func (f finding) sortKey(key string) string {
	switch key {
	case "site":
		return f.str(f.Site)
	case "rule":
		return f.Rule
	case "vendor":
		return f.str(f.Vendor)
	case "status":
		rank := map[string]int{"violation": 0, "advisory": 1, "upcoming": 2, "unmeasured": 3, "waived": 4}
		r, ok := rank[f.Status]
		if !ok {
			r = 5
		}
		return fmt.Sprint(r)
	case "deadline":
		switch {
		case f.DueBy != nil:
			return *f.DueBy
		case f.Effective != nil:
			return *f.Effective
		}
		return "9999-12-31"
	}
	return ""
}

// pageAll reads every page of a findings query, limit findings a page.
func pageAll[T any](t *testing.T, e *apiEnv, path string, limit int) []T {
	t.Helper()
	var out []T
	cursor := ""
	for range 10000 {
		var pg server.Page[T]
		e.getJSON("reg", fmt.Sprintf("%s&limit=%d&cursor=%s", path, limit, url.QueryEscape(cursor)), 200, &pg)
		out = append(out, pg.Items...)
		if pg.Next == "" {
			return out
		}
		if len(pg.Items) != limit {
			t.Fatalf("%s: a page of %d before the last, limit %d", path, len(pg.Items), limit)
		}
		cursor = pg.Next
	}
	t.Fatalf("%s: no last page", path)
	return nil
}

// TestFindingsQueries: sorting, the new filters, grouping and CSV export
// of a run's findings agree with the same computed here from the run's
// findings in run order and from the network as the CLI loads it.
func TestFindingsQueries(t *testing.T) {
	g := generatedNetwork(t, 300)
	forEachBackend(t, func(t *testing.T, e *apiEnv) {
		_, run := checkGenerated(t, e, g)
		base := "/api/v1/operators/" + g.op + "/runs/" + run.ID + "/findings?"
		all := pageAll[finding](t, e, base, 1000)
		if len(all) != run.Findings || len(all) < 200 {
			t.Fatalf("%d findings, the run counts %d; want a couple of hundred at least", len(all), run.Findings)
		}
		for i := range all {
			all[i].seq = i
		}

		// Every sort, both ways, paged in 37s: the order documented,
		// ties in run order (reversed when descending), each finding once.
		for _, key := range store.FindingSortKeys {
			for _, order := range []string{"asc", "desc"} {
				want := slices.Clone(all)
				slices.SortStableFunc(want, func(a, b finding) int { return cmp.Compare(a.sortKey(key), b.sortKey(key)) })
				if order == "desc" { // the exact reverse: ties too
					slices.Reverse(want)
				}
				got := pageAll[finding](t, e, base+"sort="+key+"&order="+order, 37)
				if len(got) != len(want) {
					t.Fatalf("sort=%s&order=%s: %d findings, want %d", key, order, len(got), len(want))
				}
				for i := range want {
					if got[i].ID != want[i].ID {
						t.Fatalf("sort=%s&order=%s: finding %d is %s (%s), want %s (%s)", key, order, i,
							got[i].ID, got[i].sortKey(key), want[i].ID, want[i].sortKey(key))
					}
				}
			}
		}

		// technology: the findings whose element (else site) runs it, as
		// the network loaded here says.
		siteTech := map[string]cf.Tech{}
		for i := range g.inv.Elements {
			el := &g.inv.Elements[i]
			if el.InNetwork(false) && el.SiteRef != inventory.NoRef {
				siteTech[g.inv.SiteID(el.SiteRef)] |= el.Tech
			}
		}
		techOf := func(f finding) cf.Tech {
			if f.Element != nil {
				ref, _ := g.inv.Element(*f.Element)
				return g.inv.Elements[ref].Tech
			}
			return siteTech[f.str(f.Site)]
		}
		for _, q := range []struct {
			param string
			match func(finding) bool
		}{
			{"technology=5g", func(f finding) bool { return techOf(f)&cf.Tech5G != 0 }},
			{"technology=2g,fttp", func(f finding) bool { return techOf(f)&(cf.Tech2G|cf.TechFTTP) != 0 }},
			{"group=designated", func(f finding) bool {
				grp, ok := vendor.Builtin().Group(f.str(f.Vendor))
				return ok && grp.Designated
			}},
			{"group=huawei,ericsson&status=violation", func(f finding) bool {
				return (f.str(f.Vendor) == "huawei" || f.str(f.Vendor) == "ericsson") && f.Status == "violation"
			}},
		} {
			var want []string
			for _, f := range all {
				if q.match(f) {
					want = append(want, f.ID)
				}
			}
			var got []string
			for _, f := range pageAll[finding](t, e, base+q.param, 50) {
				got = append(got, f.ID)
			}
			if len(want) == 0 || len(want) == len(all) || !slices.Equal(got, want) {
				t.Errorf("%s: %d findings %v\nwant %d %v", q.param, len(got), got, len(want), want)
			}
		}

		// Groups by site and rule, by key and by count, paged in fives:
		// the counts by status of the findings in run order.
		for _, by := range []string{"site", "rule"} {
			want := map[string]map[string]int{}
			for _, f := range all {
				k := f.Rule
				if by == "site" {
					k = f.str(f.Site)
				}
				if want[k] == nil {
					want[k] = map[string]int{}
				}
				want[k][f.Status]++
			}
			for _, q := range []string{"", "&sort=count&order=desc", "&order=desc", "&sort=count"} {
				groups := pageAll[store.FindingGroup](t, e, base+"group_by="+by+q, 5)
				if len(groups) != len(want) {
					t.Fatalf("group_by=%s%s: %d groups, want %d", by, q, len(groups), len(want))
				}
				for i, gr := range groups {
					n := 0
					for st, c := range gr.Statuses {
						n += c
						if want[gr.Key][st] != c {
							t.Fatalf("group_by=%s%s: %s has %d %s, want %d", by, q, gr.Key, c, st, want[gr.Key][st])
						}
					}
					if n != gr.Findings {
						t.Fatalf("group_by=%s%s: %s counts %d, its statuses %d", by, q, gr.Key, gr.Findings, n)
					}
					if i == 0 {
						continue
					}
					prev := groups[i-1]
					var c int
					switch q {
					case "":
						c = cmp.Compare(prev.Key, gr.Key)
					case "&order=desc":
						c = cmp.Compare(gr.Key, prev.Key)
					case "&sort=count":
						c = cmp.Or(cmp.Compare(prev.Findings, gr.Findings), cmp.Compare(prev.Key, gr.Key))
					default:
						c = cmp.Or(cmp.Compare(gr.Findings, prev.Findings), cmp.Compare(prev.Key, gr.Key))
					}
					if c >= 0 {
						t.Fatalf("group_by=%s%s: %s (%d) before %s (%d)", by, q, prev.Key, prev.Findings, gr.Key, gr.Findings)
					}
				}
			}
		}

		// CSV: every selected finding, the CLI's columns, whichever way it
		// is asked for; the first page size does not bound an export.
		for _, how := range []struct{ query, accept string }{{"format=csv&status=violation&limit=3", ""}, {"status=violation&limit=3", "text/csv"}} {
			r := e.doHeader("reg", "GET", base+how.query, map[string]string{"Accept": how.accept}, nil)
			if r.status != 200 || r.header.Get("Content-Type") != "text/csv; charset=utf-8" {
				t.Fatalf("%s: %d %s", how.query, r.status, r.header.Get("Content-Type"))
			}
			rows, err := csv.NewReader(bytes.NewReader(r.body)).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			var want []string
			for _, f := range all {
				if f.Status == "violation" {
					want = append(want, f.ID)
				}
			}
			if !slices.Equal(rows[0], report.CSVHeader()) || len(rows)-1 != len(want) {
				t.Fatalf("%s: header %v, %d rows; want %d", how.query, rows[0], len(rows)-1, len(want))
			}
			for i, row := range rows[1:] {
				if row[0] != want[i] || row[4] != "violation" {
					t.Fatalf("%s: row %d: %v, want %s", how.query, i, row, want[i])
				}
			}
		}

		// Bad queries: every problem at once, nothing else.
		r := e.do("reg", "GET", base+"sort=colour&order=up&technology=6g&colour=red&group_by=vendor", "", nil)
		var eb server.ErrorBody
		r.json(t, &eb)
		if r.status != 400 || len(eb.Error.Problems) != 5 {
			t.Fatalf("bad query: %d %s", r.status, r.body)
		}
		var pg server.Page[finding]
		e.getJSON("reg", base+"sort=site&limit=2", 200, &pg)
		if r := e.do("reg", "GET", base+"sort=rule&cursor="+url.QueryEscape(pg.Next), "", nil); r.status != 400 || !contains(r.body, "another order") {
			t.Fatalf("a site cursor used for rules: %d %s", r.status, r.body)
		}
		if r := e.do("reg", "GET", base+"group_by=site&format=csv", "", nil); r.status != 400 {
			t.Fatalf("csv of groups: %d %s", r.status, r.body)
		}
	})
}
