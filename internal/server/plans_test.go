package server_test

import (
	"encoding/json"
	"fmt"
	"reflect"
	"testing"

	"github.com/corefence/corefence/internal/planner"
	"github.com/corefence/corefence/internal/policy"
	"github.com/corefence/corefence/internal/server"
)

// TestPlans: a plan run on a snapshot is the planner's plan of the same
// network (as the CLI reads it), kept once per inputs; a comparison of
// options is the planner's comparison; bad requests list every problem.
func TestPlans(t *testing.T) {
	g := generatedNetwork(t, 100) // a plan of a few dozen sites: the planner is tested at scale elsewhere
	// The planner's own plan of the network, and its comparison of two
	// options, made once: the server's are held to them on each store.
	params, err := planner.ParseParams("p.json", []byte(`{"start": "2021-01-01", "period": "quarter"}`))
	if err != nil {
		t.Fatal(err)
	}
	dvd, _, err := policy.Builtin("uk-dvd-2022")
	if err != nil {
		t.Fatal(err)
	}
	local, err := planner.Run(ctx, g.inv, []*policy.Pack{dvd}, params, planner.Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := local.Report()
	if len(want.Jobs) < 10 {
		t.Fatalf("a plan of %d jobs: not worth testing", len(want.Jobs))
	}
	ncsc, _, err := policy.Builtin("uk-2020-ncsc")
	if err != nil {
		t.Fatal(err)
	}
	outcomes, err := planner.Compare(ctx, g.inv, []planner.Option{{Name: "removal", Packs: []*policy.Pack{dvd}}, {Name: "ncsc", Packs: []*policy.Pack{ncsc}}}, params, planner.Options{})
	if err != nil {
		t.Fatal(err)
	}
	forEachBackend(t, func(t *testing.T, e *apiEnv) {
		snap, _ := checkGenerated(t, e, g)
		path := "/api/v1/operators/" + g.op + "/plans"
		req := map[string]any{"snapshot": snap.ID, "packs": []string{"uk-dvd-2022"}, "as_of": "2021-01-01",
			"params": map[string]any{"period": "quarter"}}
		var p, again server.PlanView
		e.sendJSON("reg", "POST", path, req, 201, &p)
		e.sendJSON("reg", "POST", path, req, 200, &again)
		if again.ID != p.ID || p.Result == nil || len(p.Result.Options) != 1 {
			t.Fatalf("plan %s then %s: %+v", p.ID, again.ID, p.Result)
		}
		// "latest" is the snapshot valid on the start: before the upload's
		// validity there is none.
		latest := map[string]any{"snapshot": "latest", "packs": []string{"uk-dvd-2022"}, "params": map[string]any{"start": "2021-01-01"}}
		if r := e.do("reg", "POST", path, "application/json", mustJSON(t, latest)); r.status != 400 || !contains(r.body, "no snapshot describes") {
			t.Fatalf("latest before any snapshot: %d %s", r.status, r.body)
		}
		latest["params"] = map[string]any{"start": "2024-01-01", "period": "quarter"}
		var fromLatest server.PlanView
		e.sendJSON("reg", "POST", path, latest, 201, &fromLatest)
		if fromLatest.Snapshot != snap.ID {
			t.Fatalf("latest is %s, want %s", fromLatest.Snapshot, snap.ID)
		}

		var jobs []planner.JobReport
		cursor := ""
		for range 1000 {
			var pg server.Page[planner.JobReport]
			e.getJSON("op-alpha", "/api/v1/operators/alpha/plans", 200, nil) // an operator lists its own, and none of these
			e.getJSON("reg", path+"/"+p.ID+"/jobs?limit=7&cursor="+cursor, 200, &pg)
			jobs = append(jobs, pg.Items...)
			if cursor = pg.Next; cursor == "" {
				break
			}
		}
		var one server.PlanView
		e.getJSON("reg", path+"/"+p.ID, 200, &one)
		got := one.Result.Options[0]
		got.Report.Jobs = jobs
		if !reflect.DeepEqual(roundTrip(t, got.Report), roundTrip(t, want)) {
			t.Fatalf("the server's plan differs from the planner's:\n%s\n%s", mustJSON(t, got.Report), mustJSON(t, want))
		}
		// Jobs by period and region add up to each period's jobs.
		for i, per := range got.Report.Periods {
			n := 0
			for _, c := range got.JobsByRegion[i] {
				n += c
			}
			if n != per.Jobs {
				t.Fatalf("period %s: %d jobs by region, %d in all", per.Period, n, per.Jobs)
			}
		}
		if len(got.Regions) < 2 {
			t.Fatalf("regions %v", got.Regions)
		}

		// Options compared on one horizon, as `corefence compare` does.
		cmpReq := map[string]any{"snapshot": snap.ID, "as_of": "2021-01-01", "params": map[string]any{"period": "quarter"},
			"options": []map[string]any{{"name": "removal", "packs": []string{"uk-dvd-2022"}}, {"name": "ncsc", "packs": []string{"uk-2020-ncsc"}}}}
		var cmpView server.PlanView
		e.sendJSON("reg", "POST", path, cmpReq, 201, &cmpView)
		if len(cmpView.Result.Options) != 2 {
			t.Fatalf("%d options", len(cmpView.Result.Options))
		}
		for i, o := range outcomes {
			r := cmpView.Result.Options[i]
			if r.Option != o.Name || r.Report.Status != o.Status || r.Report.Costs != o.Costs || r.Report.JobCount != o.Jobs {
				t.Fatalf("option %s: %s %+v %d jobs; the planner: %s %+v %d", o.Name, r.Report.Status, r.Report.Costs, r.Report.JobCount, o.Status, o.Costs, o.Jobs)
			}
		}

		var list server.Page[server.PlanView]
		e.getJSON("reg", path, 200, &list)
		if len(list.Items) != 3 || list.Items[0].ID != p.ID || list.Items[0].Result != nil {
			t.Fatalf("list: %+v", list)
		}

		// Bad requests: every problem, nothing stored.
		bad := map[string]any{"snapshot": "", "packs": []string{"no-such-pack"}, "method": "fast", "time_limit_seconds": -1,
			"params": map[string]any{"crewz": 1}}
		r := e.do("reg", "POST", path, "application/json", mustJSON(t, bad))
		var eb server.ErrorBody
		r.json(t, &eb)
		if r.status != 400 || len(eb.Error.Problems) < 5 {
			t.Fatalf("bad plan request: %d %s", r.status, r.body)
		}
		for _, b := range []map[string]any{
			{"snapshot": snap.ID, "packs": []string{"uk-dvd-2022"}, "as_of": "2021-01-01", "params": map[string]any{"start": "2022-01-01"}},
			{"snapshot": snap.ID, "packs": []string{"uk-dvd-2022"}, "options": []map[string]any{{"name": "a", "packs": []string{"uk-dvd-2022"}}}, "as_of": "2021-01-01"},
			{"snapshot": snap.ID, "as_of": "2021-01-01", "options": []map[string]any{{"name": "A B", "packs": []string{"uk-dvd-2022"}}, {"name": "x", "packs": []string{"uk-dvd-2022"}}, {"name": "x", "packs": []string{"uk-dvd-2022"}}}},
		} {
			if r := e.do("reg", "POST", path, "application/json", mustJSON(t, b)); r.status != 400 {
				t.Fatalf("%v: %d %s", b, r.status, r.body)
			}
		}
		e.sendJSON("reg", "POST", path, map[string]any{"snapshot": "no-such-snapshot", "packs": []string{"uk-dvd-2022"}, "as_of": "2021-01-01"}, 404, nil)
		e.getJSON("reg", path+"/"+p.ID+"/jobs?option=nope", 400, nil)
		e.getJSON("reg", path, 200, &list)
		if len(list.Items) != 3 {
			t.Fatalf("bad requests stored plans: %d", len(list.Items))
		}
	})
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// roundTrip is v as JSON decodes it generically, so that a report read
// back from the server and one made here compare field by field.
func roundTrip(t *testing.T, v any) any {
	t.Helper()
	var out any
	if err := json.Unmarshal(mustJSON(t, v), &out); err != nil {
		t.Fatal(fmt.Errorf("round trip: %w", err))
	}
	return out
}
