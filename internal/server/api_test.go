package server_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/corefence/corefence/internal/audit"
	"github.com/corefence/corefence/internal/server"
	"github.com/corefence/corefence/internal/store"
	"github.com/corefence/corefence/internal/store/storetest"
)

type runView struct {
	ID       string `json:"id"`
	Snapshot string `json:"snapshot"`
	AsOf     string `json:"as_of"`
	Findings int    `json:"findings"`
	Summary  struct {
		Compliant bool           `json:"compliant"`
		Counts    map[string]int `json:"counts"`
		Shares    []struct {
			Rule, Operator, Metric string
			Share                  *float64
		} `json:"shares"`
	} `json:"summary"`
}

type findingPage struct {
	Items []map[string]any `json:"items"`
	Next  string           `json:"next"`
}

// TestAPI walks the life of a snapshot: upload, check, findings, a second
// snapshot, history and diff, waivers, on each store.
func TestAPI(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *apiEnv) {
		nets := networks(t)

		s1 := e.snapshot("op-alpha", "alpha", nets["alpha"], "2022-01-01")
		if s1.Operator != "alpha" || s1.Uploader != "op-alpha" || !strings.HasPrefix(s1.Digest, "sha256:") || len(s1.ID) != 64 {
			t.Fatalf("snapshot %+v", s1)
		}
		// The same upload again is the same snapshot, not a new one.
		r := e.do("op-alpha", "POST", "/api/v1/operators/alpha/snapshots?valid_from=2022-01-01", "application/yaml", nets["alpha"])
		var again store.Snapshot
		r.json(t, &again)
		if r.status != http.StatusOK || again.ID != s1.ID || again.Seq != s1.Seq {
			t.Fatalf("re-upload: %d %+v", r.status, again)
		}
		// The stored canonical inventory loads as the same network.
		var inv map[string]any
		e.getJSON("op-alpha", "/api/v1/operators/alpha/snapshots/"+s1.ID+"/inventory", 200, &inv)
		if els, _ := inv["elements"].([]any); len(els) != 11 {
			t.Fatalf("canonical inventory has %d elements, want alpha's 11", len(els))
		}

		// Check it: the same inputs give the same run, computed once.
		var run runView
		e.sendJSON("op-alpha", "POST", "/api/v1/operators/alpha/runs", map[string]any{"snapshot": s1.ID, "packs": []string{"uk-dvd-2022"}, "as_of": "2024-01-01"}, 201, &run)
		if run.Findings == 0 || run.Summary.Compliant || run.Summary.Counts["violation"] == 0 || len(run.Summary.Shares) == 0 {
			t.Fatalf("run %+v", run)
		}
		var same runView
		e.sendJSON("op-alpha", "POST", "/api/v1/operators/alpha/runs", map[string]any{"snapshot": s1.ID, "packs": []string{"uk-dvd-2022"}, "as_of": "2024-01-01"}, 200, &same)
		if same.ID != run.ID {
			t.Fatalf("same inputs, new run %s != %s", same.ID, run.ID)
		}

		// Findings page by page add up to the run's count; filters filter.
		seen := 0
		cursor := ""
		for range 100 {
			var pg findingPage
			e.getJSON("op-alpha", "/api/v1/operators/alpha/runs/"+run.ID+"/findings?limit=2&cursor="+cursor, 200, &pg)
			seen += len(pg.Items)
			if pg.Next == "" {
				break
			}
			cursor = pg.Next
		}
		if seen != run.Findings {
			t.Fatalf("paged through %d findings, the run has %d", seen, run.Findings)
		}
		var all, viol findingPage
		e.getJSON("reg", "/api/v1/operators/alpha/runs/"+run.ID+"/findings?status=violation", 200, &all)
		e.getJSON("reg", "/api/v1/operators/alpha/runs/"+run.ID+"/findings?status=violation&vendor=huawei", 200, &viol)
		if len(all.Items) != run.Summary.Counts["violation"] || len(viol.Items) == 0 || len(viol.Items) > len(all.Items) {
			t.Fatalf("%d huawei violations, %d violations, %d counted", len(viol.Items), len(all.Items), run.Summary.Counts["violation"])
		}
		for _, f := range viol.Items {
			if f["status"] != "violation" || f["vendor"] != "huawei" || f["operator"] != "alpha" {
				t.Fatalf("filtered finding %v", f)
			}
		}

		// A waiver is an input: the run with it is a new run.
		var w store.Waiver
		e.sendJSON("reg", "POST", "/api/v1/operators/alpha/waivers", server.WaiverRequest{Rule: "uk-dvd-2022/*", Element: "A-DC1-ems",
			Reason: "replacement contracted", Approver: "J. Smith, CISO", Expires: "2025-06-30"}, 201, &w)
		var waived runView
		e.sendJSON("op-alpha", "POST", "/api/v1/operators/alpha/runs", map[string]any{"snapshot": s1.ID, "packs": []string{"uk-dvd-2022"}, "as_of": "2024-01-01"}, 201, &waived)
		if waived.ID == run.ID || waived.Summary.Counts["waived"] == 0 {
			t.Fatalf("run with a waiver: %+v", waived)
		}

		// A second snapshot: Huawei's EMS replaced by Nokia's, one gNB gone.
		changed := strings.Replace(string(nets["alpha"]), `vendor: "Huawei Technologies (UK) Co. Ltd"`, `vendor: "Nokia"`, 1)
		changed = removeLine(t, changed, "A-002-gnb")
		s2 := e.snapshot("op-alpha", "alpha", []byte(changed), "2023-06-01")
		var d server.DiffResult
		e.getJSON("op-alpha", fmt.Sprintf("/api/v1/operators/alpha/diff?from=%s&to=%s&packs=uk-dvd-2022&as_of=2024-01-01", s1.ID, s2.ID), 200, &d)
		if strings.Join(d.Elements.Removed, ",") != "A-002-gnb" || len(d.Elements.Added) != 0 || len(d.Elements.Changed) != 1 ||
			d.Elements.Changed[0].ID != "A-DC1-ems" || d.Findings == nil || len(d.Findings.Resolved) == 0 {
			t.Fatalf("diff: %+v", d)
		}
		emsResolved := false
		for _, f := range d.Findings.Resolved {
			if f.Element != nil && *f.Element != "A-DC1-ems" && *f.Element != "A-002-gnb" {
				t.Errorf("resolved finding of %s: only the EMS's and the removed gNB's may resolve", *f.Element)
			}
			emsResolved = emsResolved || (f.Element != nil && *f.Element == "A-DC1-ems")
		}
		if !emsResolved {
			t.Errorf("the EMS's finding did not resolve: %+v", d.Findings)
		}

		// History: by validity date, with each snapshot's runs.
		var hist struct {
			Items []server.HistoryEntry `json:"items"`
		}
		e.getJSON("op-alpha", "/api/v1/operators/alpha/history", 200, &hist)
		if len(hist.Items) != 2 || hist.Items[0].Snapshot.ID != s1.ID || len(hist.Items[0].Runs) != 2 || len(hist.Items[1].Runs) != 0 {
			t.Fatalf("history %+v", hist)
		}
		var valid struct{ Items []store.Snapshot }
		e.getJSON("op-alpha", "/api/v1/operators/alpha/snapshots?valid_on=2023-01-01", 200, &valid)
		if len(valid.Items) != 1 || valid.Items[0].ID != s1.ID {
			t.Fatalf("valid on 2023-01-01: %+v", valid)
		}

		// The regulator's reads of alpha were audited; the chain verifies.
		var log struct {
			Items []map[string]any `json:"items"`
		}
		e.getJSON("admin", "/api/v1/audit?limit=1000", 200, &log)
		var report server.AuditReport
		e.getJSON("reg", "/api/v1/audit/verify", 200, &report)
		reads := 0
		for _, en := range log.Items {
			if en["action"] == "read" && en["actor"] == "reg" && en["operator"] == "alpha" {
				reads++
			}
		}
		if !report.Verified || report.Entries != int64(len(log.Items)) || reads == 0 {
			t.Fatalf("audit: %+v, %d entries listed, %d regulator reads", report, len(log.Items), reads)
		}

		// The national view: each operator's snapshot valid on the date.
		var nat struct {
			Items []server.NationalEntry `json:"items"`
		}
		e.getJSON("reg", "/api/v1/national?as_of=2022-06-01", 200, &nat)
		if len(nat.Items) != 2 || nat.Items[0].Snapshot == nil || nat.Items[0].Snapshot.ID != s1.ID || nat.Items[0].Run == nil || nat.Items[1].Snapshot != nil {
			t.Fatalf("national view: %+v", nat)
		}
		if probs := storetest.Verify(t, e.store); len(probs) != 0 {
			t.Fatal(probs)
		}
	})
}

func removeLine(t *testing.T, s, containing string) string {
	t.Helper()
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if !strings.Contains(l, containing) {
			out = append(out, l)
		}
	}
	if len(out) == len(strings.Split(s, "\n")) {
		t.Fatalf("no line holds %q", containing)
	}
	return strings.Join(out, "\n")
}

// TestBadUpload: an inventory with problems gets 400 with every problem,
// named as the CLI names them, and nothing is stored.
func TestBadUpload(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *apiEnv) {
		nets := networks(t)
		bad := strings.Replace(string(nets["alpha"]), `function: "amf"`, `function: "warp-drive"`, 1)
		bad = strings.Replace(bad, "lat: 53.8008", "lat: 153.8008", 1)
		before := auditHead(t, e)
		eb := e.upload("op-alpha", "alpha", []byte(bad), "application/yaml", "2024-01-01", 400)
		if eb.Error.Code != "invalid_input" || len(eb.Error.Problems) < 2 {
			t.Fatalf("error body %+v", eb)
		}
		fields := map[string]bool{}
		for _, p := range eb.Error.Problems {
			if p.File != "inventory.yaml" || p.Line == 0 || p.Text == "" {
				t.Errorf("problem %+v does not name the file and line", p)
			}
			fields[p.Field] = true
		}
		if !fields["function"] || !fields["lat"] {
			t.Errorf("problems name fields %v, want function and lat", keys(fields))
		}
		// The upload was for alpha; beta's network is refused with its id.
		eb = e.upload("reg", "alpha", nets["beta"], "application/yaml", "2024-01-01", 400)
		if p := eb.Error.Problems[0]; p.Section != "operators" || p.ID != "beta" {
			t.Errorf("wrong-operator problem %+v", p)
		}
		if n, _ := e.store.SnapshotCount(ctx); n != 0 {
			t.Fatalf("%d snapshots stored from bad uploads", n)
		}
		if after := auditHead(t, e); after != before {
			t.Fatalf("bad uploads were audited as writes: head %d → %d", before, after)
		}
	})
}

func auditHead(t *testing.T, e *apiEnv) int64 {
	t.Helper()
	head, _, err := e.store.AuditLog(ctx, func(audit.Entry) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	return head
}
