package server_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/corefence/corefence/internal/exposure"
	"github.com/corefence/corefence/internal/importer"
	"github.com/corefence/corefence/internal/inventory"
	"github.com/corefence/corefence/internal/server"
)

// TestExposures: an exposure analysis of a snapshot is stored once per
// inputs, and its report is what the CLI's engine gives for the operator's
// own file.
func TestExposures(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *apiEnv) {
		nets := networks(t)
		snap := e.snapshot("op-alpha", "alpha", nets["alpha"], "2023-06-01")
		var x, again server.ExposureView
		e.sendJSON("op-alpha", "POST", "/api/v1/operators/alpha/exposures", map[string]any{"snapshot": snap.ID}, 201, &x)
		e.sendJSON("reg", "POST", "/api/v1/operators/alpha/exposures", map[string]any{"snapshot": snap.ID}, 200, &again)
		if again.ID != x.ID || string(again.Report) != string(x.Report) {
			t.Fatalf("the same inputs analysed twice: %s then %s", x.ID, again.ID)
		}
		var other server.ExposureView
		e.sendJSON("op-alpha", "POST", "/api/v1/operators/alpha/exposures", map[string]any{"snapshot": snap.ID, "top": 2, "vendors": []string{"Huawei"}}, 201, &other)
		if other.ID == x.ID {
			t.Fatal("other inputs, the same analysis")
		}

		// The report is the engine's for the same network, read from the
		// operator's file (the inventory digest aside: the server's
		// snapshot is the canonical form of the upload).
		path := filepath.Join(t.TempDir(), "alpha.yaml")
		if err := os.WriteFile(path, nets["alpha"], 0o600); err != nil {
			t.Fatal(err)
		}
		inv, err := importer.Load(path, inventory.Options{})
		if err != nil {
			t.Fatal(err)
		}
		rep, err := exposure.Analyse(ctx, inv, exposure.AnalyseOptions{Top: 10})
		if err != nil {
			t.Fatal(err)
		}
		local, _ := json.Marshal(rep)
		var want, got map[string]any
		json.Unmarshal(local, &want)
		var stored server.ExposureView
		e.getJSON("op-alpha", "/api/v1/operators/alpha/exposures/"+x.ID, 200, &stored)
		json.Unmarshal(stored.Report, &got)
		if len(want) < 3 {
			t.Fatalf("local report: %s", local)
		}
		for k := range want {
			if k == "inventory" {
				continue
			}
			if !reflect.DeepEqual(got[k], want[k]) {
				t.Errorf("report %s differs from the engine's:\n got %v\nwant %v", k, got[k], want[k])
			}
		}

		var list server.Page[server.ExposureView]
		e.getJSON("op-alpha", "/api/v1/operators/alpha/exposures", 200, &list)
		if len(list.Items) != 2 || list.Items[0].ID != x.ID || list.Items[0].Report != nil {
			t.Fatalf("list: %+v", list)
		}

		// Bad input: every problem, nothing stored.
		r := e.do("op-alpha", "POST", "/api/v1/operators/alpha/exposures", "application/json",
			[]byte(`{"snapshot": "`+snap.ID+`", "vendors": ["Huawie", "no-such-vendor-xyz"]}`))
		var eb server.ErrorBody
		r.json(t, &eb)
		if r.status != 400 || len(eb.Error.Problems) != 2 {
			t.Fatalf("unknown vendors: %d %s", r.status, r.body)
		}
		if r := e.do("op-alpha", "POST", "/api/v1/operators/alpha/exposures", "application/json", []byte(`{"top": -1}`)); r.status != 400 || !contains(r.body, "snapshot") || !contains(r.body, "top") {
			t.Fatalf("no snapshot, bad top: %d %s", r.status, r.body)
		}
		e.sendJSON("op-alpha", "POST", "/api/v1/operators/alpha/exposures", map[string]any{"snapshot": "no-such-snapshot"}, 404, nil)
		e.getJSON("op-alpha", "/api/v1/operators/alpha/exposures", 200, &list)
		if len(list.Items) != 2 {
			t.Fatalf("bad requests stored analyses: %+v", list)
		}
	})
}
