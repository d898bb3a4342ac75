package server_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/corefence/corefence/internal/audit"
	"github.com/corefence/corefence/internal/cli"
	"github.com/corefence/corefence/internal/export"
	"github.com/corefence/corefence/internal/gen"
	"github.com/corefence/corefence/internal/importer"
	"github.com/corefence/corefence/internal/inventory"
	"github.com/corefence/corefence/internal/planner"
	"github.com/corefence/corefence/internal/server"
	"github.com/corefence/corefence/internal/store"
)

// nationalNetwork is a generated national network of several operators:
// each operator's part as the server stores it (server.SplitByOperator),
// and the union of those parts as one document, which the CLI reads.
type nationalNetwork struct {
	ops   []string
	parts map[string][]byte // operator → YAML
	union []byte            // every part in one YAML document
	doc   *inventory.Doc    // the union, as records
}

func generatedNational(t *testing.T, sites int) nationalNetwork {
	t.Helper()
	doc, err := gen.Generate(gen.Config{Country: "gb", Sites: sites, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	n := nationalNetwork{parts: map[string][]byte{}}
	split := server.SplitByOperator(doc)
	// The union of the parts: the network less the links between two
	// operators, which no one operator's snapshot holds.
	union := &inventory.Doc{Areas: doc.Areas, Vendors: doc.Vendors, Functions: doc.Functions}
	for _, op := range doc.Operators {
		d := split[op.ID]
		n.ops = append(n.ops, op.ID)
		var b bytes.Buffer
		if err := export.WriteYAML(&b, d); err != nil {
			t.Fatal(err)
		}
		n.parts[op.ID] = b.Bytes()
		union.Operators = append(union.Operators, d.Operators...)
		union.Sites = append(union.Sites, d.Sites...)
		union.Elements = append(union.Elements, d.Elements...)
		union.Links = append(union.Links, d.Links...)
	}
	if len(n.ops) < 3 {
		t.Fatalf("a national network of %d operators", len(n.ops))
	}
	var b bytes.Buffer
	if err := export.WriteYAML(&b, union); err != nil {
		t.Fatal(err)
	}
	n.union, n.doc = b.Bytes(), union
	return n
}

// upload stores every operator's part, valid from validFrom, creating
// the operators on the first call.
func (n nationalNetwork) upload(t *testing.T, e *apiEnv, validFrom string) map[string]store.Snapshot {
	t.Helper()
	out := map[string]store.Snapshot{}
	for _, op := range n.ops {
		if _, err := e.store.Operator(ctx, op); err != nil {
			if _, err := e.store.CreateOperator(ctx, store.System, store.Operator{ID: op, Name: op}); err != nil {
				t.Fatal(err)
			}
		}
		out[op] = e.snapshot("reg", op, n.parts[op], validFrom)
	}
	return out
}

// allFindings reads every finding of a run, as the JSON objects served,
// sorted so that two runs' findings compare as sets.
func allFindings(t *testing.T, e *apiEnv, runPath string) []string {
	t.Helper()
	var out []string
	cursor := ""
	for range 1000 {
		var pg server.Page[json.RawMessage]
		e.getJSON("reg", runPath+"/findings?limit=1000&cursor="+cursor, 200, &pg)
		for _, f := range pg.Items {
			var c bytes.Buffer
			if err := json.Compact(&c, f); err != nil {
				t.Fatal(err)
			}
			out = append(out, c.String())
		}
		if cursor = pg.Next; cursor == "" {
			break
		}
	}
	slices.Sort(out)
	return out
}

// TestNationalCheck: a check of the national view finds exactly what the
// checks of each operator's snapshot find together — each operator's
// waivers covering its own network only — is stored once per inputs, and
// is made again when an input changes: a new upload valid on the date, a
// waiver. Operators and partners cannot reach it.
func TestNationalCheck(t *testing.T) {
	n := generatedNational(t, 240)
	forEachBackend(t, func(t *testing.T, e *apiEnv) {
		snaps := n.upload(t, e, "2023-06-01")
		a, b := n.ops[0], n.ops[1]
		var aSite, bSite string
		for _, s := range n.doc.Sites {
			switch {
			case s.Operator == a && aSite == "":
				aSite = s.ID
			case s.Operator == b && bSite == "":
				bSite = s.ID
			}
		}
		for _, w := range []struct{ op, site, rule string }{
			{a, aSite, "uk-dvd-2022/*"}, // a's own site
			{a, bSite, "uk-dvd-2022/*"}, // b's site, under a's name: covers nothing of a's, and so nothing nationally
			{b, "", "uk-2020-ncsc/*"},   // the whole of b
		} {
			e.sendJSON("reg", "POST", "/api/v1/operators/"+w.op+"/waivers", map[string]any{"rule": w.rule, "site": w.site,
				"reason": "r", "approver": "J. Smith", "expires": "2030-01-01"}, 201, nil)
		}
		req := map[string]any{"packs": []string{"uk-dvd-2022", "uk-2020-ncsc"}, "as_of": "2024-01-01"}

		var union []string
		counts := map[string]int{}
		for _, op := range n.ops {
			var run server.RunView
			e.sendJSON("reg", "POST", "/api/v1/operators/"+op+"/runs", map[string]any{"snapshot": snaps[op].ID,
				"packs": req["packs"], "as_of": req["as_of"]}, 201, &run)
			union = append(union, allFindings(t, e, "/api/v1/operators/"+op+"/runs/"+run.ID)...)
			var sum server.RunSummary
			if err := json.Unmarshal(run.Summary, &sum); err != nil {
				t.Fatal(err)
			}
			for k, v := range sum.Counts {
				counts[k] += v
			}
		}
		slices.Sort(union)

		var nat, again server.RunView
		e.sendJSON("reg", "POST", "/api/v1/national/runs", req, 201, &nat)
		e.sendJSON("reg", "POST", "/api/v1/national/runs", req, 200, &again)
		if again.ID != nat.ID || nat.Operator != store.National || nat.Snapshot != "" || nat.AsOf != "2024-01-01" {
			t.Fatalf("national run %+v, then %s", nat, again.ID)
		}
		got := allFindings(t, e, "/api/v1/national/runs/"+nat.ID)
		if len(union) < 50 || counts["waived"] == 0 {
			t.Fatalf("%d findings, %d waived: not worth comparing", len(union), counts["waived"])
		}
		if !slices.Equal(got, union) {
			t.Fatalf("the national run's %d findings differ from the operators' %d:\n%s", len(got), len(union), firstDifference(got, union))
		}
		var sum server.RunSummary
		if err := json.Unmarshal(nat.Summary, &sum); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(sum.Counts, counts) || len(sum.Operators) != len(n.ops) {
			t.Fatalf("national counts %v for %d operators; the operators' %v", sum.Counts, len(sum.Operators), counts)
		}
		// The inputs name every snapshot with its digest.
		var in struct {
			National struct {
				Date      string
				Snapshots []struct{ Operator, Snapshot, Digest string }
			}
		}
		if err := json.Unmarshal(nat.Inputs, &in); err != nil || in.National.Date != "2024-01-01" || len(in.National.Snapshots) != len(n.ops) {
			t.Fatalf("inputs %s: %v", nat.Inputs, err)
		}
		for _, s := range in.National.Snapshots {
			if sn := snaps[s.Operator]; s.Snapshot != sn.ID || s.Digest != sn.Digest {
				t.Fatalf("inputs name %+v; the snapshot is %s %s", s, sn.ID, sn.Digest)
			}
		}
		// Findings pages work as on an operator's run.
		var groups server.Page[struct{ Key string }]
		e.getJSON("reg", "/api/v1/national/runs/"+nat.ID+"/findings?status=violation&group_by=site&sort=count&order=desc", 200, &groups)
		if len(groups.Items) == 0 {
			t.Fatal("no sites with violations")
		}
		if r := e.doHeader("reg", "GET", "/api/v1/national/runs/"+nat.ID+"/findings?status=violation", map[string]string{"Accept": "text/csv"}, nil); r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/csv") || bytes.Count(r.body, []byte("\n")) < 2 {
			t.Fatalf("CSV: %d %.300s", r.status, r.body)
		}

		// Inputs that change make a new run: a waiver, a new upload valid
		// on the date. A date before every upload is an empty view.
		e.sendJSON("reg", "POST", "/api/v1/operators/"+a+"/waivers", map[string]any{"rule": "uk-2020-ncsc/*",
			"reason": "r", "approver": "J. Smith", "expires": "2030-01-01"}, 201, nil)
		var waived server.RunView
		e.sendJSON("reg", "POST", "/api/v1/national/runs", req, 201, &waived)
		n.upload(t, e, "2023-09-01")
		var uploaded server.RunView
		e.sendJSON("reg", "POST", "/api/v1/national/runs", req, 201, &uploaded)
		if waived.ID == nat.ID || uploaded.ID == waived.ID {
			t.Fatalf("runs %s, %s, %s: inputs changed, the id did not", nat.ID, waived.ID, uploaded.ID)
		}
		for _, bad := range []map[string]any{
			{"packs": []string{"uk-dvd-2022"}, "as_of": "2020-01-01"},                          // no snapshot valid then
			{"packs": []string{"uk-dvd-2022"}, "as_of": "2024-01-01", "snapshot": snaps[a].ID}, // the view names none
			{"packs": []string{"no-such-pack"}, "as_of": "2024-01-01"},
		} {
			if r := e.do("reg", "POST", "/api/v1/national/runs", "application/json", mustJSON(t, bad)); r.status != 400 {
				t.Fatalf("%v: %d %s", bad, r.status, r.body)
			}
		}
		var list server.Page[server.RunView]
		e.getJSON("reg", "/api/v1/national/runs", 200, &list)
		if len(list.Items) != 3 || list.Items[0].ID != nat.ID {
			t.Fatalf("national runs: %+v", list.Items)
		}
		e.getJSON("reg", "/api/v1/national/runs/"+nat.ID, 200, nil)
		// An operator's run is not the national view's, nor the reverse.
		e.getJSON("reg", "/api/v1/operators/"+a+"/runs/"+nat.ID, 404, nil)
		var opRuns server.Page[server.RunView]
		e.getJSON("reg", "/api/v1/operators/"+a+"/runs", 200, &opRuns)
		e.getJSON("reg", "/api/v1/national/runs/"+opRuns.Items[0].ID, 404, nil)
		for _, who := range []string{"op-alpha", "partner", "admin"} {
			e.getJSON(who, "/api/v1/national/runs/"+nat.ID, 403, nil)
		}

		// Every request on the view is a read of every operator.
		reads := 0
		if _, _, err := e.store.AuditLog(ctx, func(en audit.Entry) error {
			if en.Action == "read" && en.Operator == store.National && strings.HasPrefix(en.Subject, "/api/v1/national/runs") {
				reads++
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if reads < 10 {
			t.Fatalf("%d audited reads of the national view's runs", reads)
		}
	})
}

func firstDifference(a, b []string) string {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return fmt.Sprintf("national: %s\noperators: %s", a[i], b[i])
		}
	}
	return fmt.Sprintf("one list is the other's start: %d and %d", len(a), len(b))
}

// TestNationalPlan: the national removal plan is the plan `corefence plan`
// makes of the union of the operators' networks, figure for figure, jobs
// included; an exposure analysis of the view is stored like an
// operator's.
func TestNationalPlan(t *testing.T) {
	n := generatedNational(t, 120)
	dir := t.TempDir()
	inv := filepath.Join(dir, "national.yaml")
	params := filepath.Join(dir, "params.json")
	if err := os.WriteFile(inv, n.union, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(params, []byte(`{"start": "2021-01-01", "period": "quarter"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	env := &cli.Env{Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr, Now: time.Now}
	if code := cli.Run(ctx, env, []string{"plan", "--inventory", inv, "--policy", "uk-dvd-2022", "--params", params, "--format", "json"}); code != 0 {
		t.Fatalf("corefence plan: exit %d\n%s", code, stderr.String())
	}
	var want planner.Report
	if err := json.Unmarshal(stdout.Bytes(), &want); err != nil {
		t.Fatal(err)
	}
	if len(want.Jobs) < 10 || len(want.Operators) < 3 {
		t.Fatalf("a plan of %d jobs for %d operators: not worth comparing", len(want.Jobs), len(want.Operators))
	}
	if _, err := importer.Load(inv, inventory.Options{}); err != nil {
		t.Fatal(err)
	}
	forEachBackend(t, func(t *testing.T, e *apiEnv) {
		n.upload(t, e, "2020-06-01")
		req := map[string]any{"packs": []string{"uk-dvd-2022"}, "as_of": "2021-01-01", "params": map[string]any{"period": "quarter"}}
		var p, again server.PlanView
		e.sendJSON("reg", "POST", "/api/v1/national/plans", req, 201, &p)
		e.sendJSON("reg", "POST", "/api/v1/national/plans", req, 200, &again)
		if again.ID != p.ID || p.Operator != store.National || p.Result == nil || len(p.Result.Options) != 1 {
			t.Fatalf("plan %s then %s: %+v", p.ID, again.ID, p.Result)
		}
		var jobs []planner.JobReport
		cursor := ""
		for range 1000 {
			var pg server.Page[planner.JobReport]
			e.getJSON("reg", "/api/v1/national/plans/"+p.ID+"/jobs?limit=500&cursor="+cursor, 200, &pg)
			jobs = append(jobs, pg.Items...)
			if cursor = pg.Next; cursor == "" {
				break
			}
		}
		var one server.PlanView
		e.getJSON("reg", "/api/v1/national/plans/"+p.ID, 200, &one)
		got := one.Result.Options[0].Report
		got.Jobs = jobs
		if g, w := mustJSON(t, got), mustJSON(t, &want); !bytes.Equal(g, w) {
			t.Fatalf("the national plan differs from corefence plan's:\n%s\n%s", g, w)
		}
		var list server.Page[server.PlanView]
		e.getJSON("reg", "/api/v1/national/plans", 200, &list)
		if len(list.Items) != 1 || list.Items[0].Result != nil {
			t.Fatalf("national plans: %+v", list.Items)
		}
		if r := e.do("reg", "POST", "/api/v1/national/plans", "application/json",
			mustJSON(t, map[string]any{"packs": []string{"uk-dvd-2022"}, "as_of": "2020-01-01"})); r.status != 400 || !contains(r.body, "national view is empty") {
			t.Fatalf("a plan before every upload: %d %s", r.status, r.body)
		}

		var x, xAgain server.ExposureView
		xreq := map[string]any{"as_of": "2021-01-01", "top": 5}
		e.sendJSON("reg", "POST", "/api/v1/national/exposures", xreq, 201, &x)
		e.sendJSON("reg", "POST", "/api/v1/national/exposures", xreq, 200, &xAgain)
		var rep struct {
			Inventory struct{ Operators, Sites int }
		}
		if err := json.Unmarshal(x.Report, &rep); err != nil || xAgain.ID != x.ID || rep.Inventory.Operators != len(n.ops) || rep.Inventory.Sites != len(n.doc.Sites) {
			t.Fatalf("national exposure %s (again %s): %+v %v", x.ID, xAgain.ID, rep, err)
		}
		e.getJSON("reg", "/api/v1/national/exposures/"+x.ID, 200, nil)
		// An operator's analysis names its snapshot, not a date.
		e.sendJSON("reg", "POST", "/api/v1/operators/"+n.ops[0]+"/exposures", map[string]any{"as_of": "2021-01-01"}, 400, nil)
	})
}

// TestNationalConflict: two operators' snapshots giving one id different
// records cannot be merged: a 400 whose problems name both snapshots, and
// nothing is stored. Records they share identically (the sensitive areas
// every part carries) merge.
func TestNationalConflict(t *testing.T) {
	doc, err := importer.Read("../../testdata/small-network.yaml")
	if err != nil {
		t.Fatal(err)
	}
	parts := server.SplitByOperator(doc)
	alpha, beta := parts["alpha"], parts["beta"]
	clash := alpha.Sites[0]
	clash.Operator, clash.Lat = "beta", clash.Lat+0.5
	beta.Sites = append(beta.Sites, clash)
	var b bytes.Buffer
	if err := export.WriteYAML(&b, beta); err != nil {
		t.Fatal(err)
	}
	forEachBackend(t, func(t *testing.T, e *apiEnv) {
		nets := networks(t)
		sa := e.snapshot("reg", "alpha", nets["alpha"], "2023-01-01")
		e.snapshot("reg", "beta", nets["beta"], "2023-01-01")
		req := map[string]any{"packs": []string{"uk-2020-ncsc"}, "as_of": "2023-06-01"}
		e.sendJSON("reg", "POST", "/api/v1/national/runs", req, 201, nil)

		sc := e.snapshot("reg", "beta", b.Bytes(), "2023-03-01")
		for _, path := range []string{"/api/v1/national/runs", "/api/v1/national/exposures", "/api/v1/national/plans"} {
			body := req
			if strings.HasSuffix(path, "exposures") {
				body = map[string]any{"as_of": "2023-06-01"}
			}
			r := e.do("reg", "POST", path, "application/json", mustJSON(t, body))
			var eb server.ErrorBody
			r.json(t, &eb)
			if r.status != 400 || len(eb.Error.Problems) != 1 {
				t.Fatalf("%s on a view that does not merge: %d %s", path, r.status, r.body)
			}
			p := eb.Error.Problems[0]
			if p.Section != "sites" || p.ID != clash.ID || !strings.HasPrefix(p.File, "beta/"+sc.ID+"/") || !strings.Contains(p.Message, "alpha/"+sa.ID+"/") {
				t.Fatalf("%s: the problem %+v does not name both snapshots (alpha %s, beta %s)", path, p, sa.ID, sc.ID)
			}
		}
		var list server.Page[server.RunView]
		e.getJSON("reg", "/api/v1/national/runs", 200, &list)
		if len(list.Items) != 1 {
			t.Fatalf("%d national runs stored", len(list.Items))
		}
	})
}
