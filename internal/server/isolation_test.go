package server_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/corefence/corefence/internal/importer"
	"github.com/corefence/corefence/internal/server"
	"github.com/corefence/corefence/internal/store"
)

// fixture holds, per operator, records the matrix's paths refer to, and
// those of the national view (the same for every operator).
type fixture struct {
	snapshot, snapshot2, run, waiver, exposure, plan string
	national                                         nationalFixture
}

// nationalFixture is a run, exposure analysis and plan of the national view.
type nationalFixture struct{ run, exposure, plan string }

func setupFixtures(t *testing.T, e *apiEnv) map[string]fixture {
	t.Helper()
	nets := networks(t)
	out := map[string]fixture{}
	for _, op := range []string{"alpha", "beta"} {
		s1 := e.snapshot("reg", op, nets[op], "2022-01-01")
		s2 := e.snapshot("reg", op, nets[op], "2023-01-01")
		var run runView
		e.sendJSON("reg", "POST", "/api/v1/operators/"+op+"/runs", map[string]any{"snapshot": s1.ID, "packs": []string{"uk-2020-ncsc"}, "as_of": "2024-01-01"}, 201, &run)
		e.sendJSON("reg", "POST", "/api/v1/operators/"+op+"/runs/"+run.ID+"/attestation", nil, 201, nil)
		var x server.ExposureView
		e.sendJSON("reg", "POST", "/api/v1/operators/"+op+"/exposures", map[string]any{"snapshot": s1.ID}, 201, &x)
		var p server.PlanView
		e.sendJSON("reg", "POST", "/api/v1/operators/"+op+"/plans", map[string]any{"snapshot": s1.ID, "packs": []string{"uk-dvd-2022"}, "as_of": "2021-01-01"}, 201, &p)
		out[op] = fixture{snapshot: s1.ID, snapshot2: s2.ID, run: run.ID, exposure: x.ID, plan: p.ID}
	}
	var nat nationalFixture
	var run runView
	e.sendJSON("reg", "POST", "/api/v1/national/runs", map[string]any{"packs": []string{"uk-2020-ncsc"}, "as_of": "2024-01-01"}, 201, &run)
	var x server.ExposureView
	e.sendJSON("reg", "POST", "/api/v1/national/exposures", map[string]any{"as_of": "2024-01-01"}, 201, &x)
	var p server.PlanView
	e.sendJSON("reg", "POST", "/api/v1/national/plans", map[string]any{"packs": []string{"uk-dvd-2022"}, "as_of": "2022-01-01"}, 201, &p)
	nat = nationalFixture{run: run.ID, exposure: x.ID, plan: p.ID}
	for op, fx := range out {
		fx.national = nat
		out[op] = fx
	}
	return out
}

// request builds the request the matrix sends to a route, for an operator
// and its records, with a body the route accepts. n makes ids unique.
func request(t *testing.T, e *apiEnv, rt server.Route, op string, fx fixture, n int) (path, ctype string, body []byte) {
	t.Helper()
	path = rt.Pattern
	waiver := ""
	if strings.Contains(path, "{waiver}") {
		w, err := e.store.PutWaiver(ctx, store.System, store.Waiver{Operator: op, Rule: "x/*", Reason: "r", Approver: "a", Expires: "2030-01-01"})
		if err != nil {
			t.Fatal(err)
		}
		waiver = w.ID
	}
	token := ""
	if strings.Contains(path, "{token}") {
		if _, err := e.store.CreatePrincipal(ctx, store.System, store.Principal{ID: fmt.Sprintf("spare-%d", n), Role: store.RolePartner}); err != nil {
			t.Fatal(err)
		}
		_, tok, err := e.store.IssueToken(ctx, store.System, fmt.Sprintf("spare-%d", n), 0)
		if err != nil {
			t.Fatal(err)
		}
		token = tok.ID
	}
	if strings.HasPrefix(path, "/api/v1/national/") { // the national view's records
		fx.run, fx.exposure, fx.plan = fx.national.run, fx.national.exposure, fx.national.plan
	}
	path = strings.NewReplacer("{op}", op, "{snapshot}", fx.snapshot, "{run}", fx.run, "{waiver}", waiver,
		"{principal}", "partner", "{token}", token, "{pack}", "small",
		"{site}", strings.ToUpper(op[:1])+"-001", "{exposure}", fx.exposure, "{plan}", fx.plan).Replace(path)
	ctype = "application/json"
	switch rt.Method + " " + rt.Pattern {
	case "POST /api/v1/operators":
		body = []byte(fmt.Sprintf(`{"id": "new-%d"}`, n))
	case "POST /api/v1/principals":
		body = []byte(fmt.Sprintf(`{"id": "p-%d", "role": "partner"}`, n))
	case "POST /api/v1/principals/{principal}/tokens":
		body = []byte(`{}`)
	case "POST /api/v1/operators/{op}/snapshots":
		ctype, body = "application/yaml", networks(t)[op]
		path += fmt.Sprintf("?valid_from=2024-01-%02d", n%28+1)
	case "POST /api/v1/operators/{op}/runs":
		body = []byte(fmt.Sprintf(`{"snapshot": %q, "packs": ["uk-2020-ncsc"], "as_of": "2024-02-01"}`, fx.snapshot))
	case "POST /api/v1/operators/{op}/exposures":
		body = []byte(fmt.Sprintf(`{"snapshot": %q, "top": 3}`, fx.snapshot))
	case "POST /api/v1/operators/{op}/plans":
		body = []byte(fmt.Sprintf(`{"snapshot": %q, "packs": ["uk-dvd-2022"], "as_of": "2021-04-01"}`, fx.snapshot))
	case "POST /api/v1/national/runs":
		body = []byte(`{"packs": ["uk-2020-ncsc"], "as_of": "2024-02-01"}`)
	case "POST /api/v1/national/exposures":
		body = []byte(`{"as_of": "2024-02-01", "top": 3}`)
	case "POST /api/v1/national/plans":
		body = []byte(`{"packs": ["uk-dvd-2022"], "as_of": "2022-04-01"}`)
	case "POST /api/v1/operators/{op}/waivers":
		body = []byte(`{"rule": "uk-2020-ncsc/*", "site": "A-001", "reason": "r", "approver": "J. Smith", "expires": "2030-01-01"}`)
	case "PUT /api/v1/packs/{pack}":
		ctype, body = "application/yaml", readFile(t, "../../testdata/small-pack.yaml")
	case "GET /api/v1/operators/{op}/diff":
		path += "?from=" + fx.snapshot + "&to=" + fx.snapshot2
	}
	if rt.Method == "GET" || rt.Method == "DELETE" {
		ctype = ""
	}
	return path, ctype, body
}

// TestIsolation is the tenant-isolation matrix: every route × every role ×
// the caller's own operator and another. Routes come from the route table,
// so a new endpoint is in the matrix the day it is added.
func TestIsolation(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *apiEnv) {
		fx := setupFixtures(t, e)
		callers := []struct{ principal, role, own string }{
			{"op-alpha", store.RoleOperator, "alpha"},
			{"reg", store.RoleRegulator, ""},
			{"partner", store.RolePartner, ""},
			{"admin", store.RoleAdmin, ""},
		}
		n := 0
		covered := map[string]bool{}
		for _, rt := range server.Routes() {
			targets := []string{"alpha"}
			if strings.Contains(rt.Pattern, "{op}") {
				targets = []string{"alpha", "beta"}
			}
			for _, c := range callers {
				for _, op := range targets {
					n++
					own := !strings.Contains(rt.Pattern, "{op}") || op == c.own
					name := fmt.Sprintf("%s %s as %s on %s", rt.Method, rt.Pattern, c.principal, op)
					path, ctype, body := request(t, e, rt, op, fx[op], n)
					r := e.do(c.principal, rt.Method, path, ctype, body)
					covered[rt.Method+" "+rt.Pattern] = true
					switch {
					case rt.Access.Allows(c.role, own):
						if r.status < 200 || r.status > 299 {
							t.Errorf("%s: %d, want success\n%s", name, r.status, r.body)
						}
					case c.role == store.RoleOperator && !own && rt.Access.Tenanted():
						// Another tenant's data answers exactly as an
						// operator that does not exist.
						ghost := strings.Replace(path, "/operators/"+op, "/operators/no-such-operator", 1)
						g := e.do(c.principal, rt.Method, ghost, ctype, body)
						if r.status != http.StatusNotFound || g.status != r.status || string(g.body) != string(r.body) {
							t.Errorf("%s: %d %s; a missing operator gives %d %s", name, r.status, r.body, g.status, g.body)
						}
					default:
						if r.status != http.StatusForbidden {
							t.Errorf("%s: %d, want 403\n%s", name, r.status, r.body)
						}
					}
					if c.role == store.RolePartner {
						// A partner learns nothing about sites or elements:
						// no id of either network appears in what it reads.
						for _, secret := range networkIDs(t) {
							if contains(r.body, `"`+secret+`"`) {
								t.Errorf("%s: a partner reads %q\n%s", name, secret, r.body)
							}
						}
					}
					if c.role == store.RoleOperator {
						for _, secret := range []string{"beta", fx["beta"].snapshot, fx["beta"].run, fx["beta"].exposure, fx["beta"].plan, "B-DC1"} {
							if contains(r.body, secret) {
								t.Errorf("%s: the response names another operator's %q\n%s", name, secret, r.body)
							}
						}
					}
				}
			}
			// An operator naming its own operator and another's record
			// finds nothing.
			if strings.Contains(rt.Pattern, "{op}/") && (strings.Contains(rt.Pattern, "{snapshot}") || strings.Contains(rt.Pattern, "{run}") || strings.Contains(rt.Pattern, "{exposure}") || strings.Contains(rt.Pattern, "{plan}") || strings.Contains(rt.Pattern, "/diff")) {
				n++
				path, ctype, body := request(t, e, rt, "alpha", fx["beta"], n)
				path = strings.Replace(path, "/operators/beta", "/operators/alpha", 1)
				if r := e.do("op-alpha", rt.Method, path, ctype, body); r.status != http.StatusNotFound {
					t.Errorf("%s %s as op-alpha with beta's records: %d, want 404\n%s", rt.Method, path, r.status, r.body)
				}
			}
		}
		// No token, or a bad one: 401 everywhere but the public routes.
		for _, rt := range server.Routes() {
			if rt.Access == server.Public {
				continue
			}
			path, ctype, body := request(t, e, rt, "alpha", fx["alpha"], 0)
			if r := e.do("", rt.Method, path, ctype, body); r.status != http.StatusUnauthorized {
				t.Errorf("%s %s without a token: %d", rt.Method, path, r.status)
			}
		}
		if len(covered) != len(server.Routes()) {
			t.Fatalf("the matrix covered %d of %d routes", len(covered), len(server.Routes()))
		}
		t.Logf("%d requests, %d responses validated against the OpenAPI document", n, e.validated)
	})
}

// networkIDs are the ids of every site and element of the test networks.
func networkIDs(t *testing.T) []string {
	t.Helper()
	doc, err := importer.Read("../../testdata/small-network.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, s := range doc.Sites {
		ids = append(ids, s.ID)
	}
	for _, e := range doc.Elements {
		ids = append(ids, e.ID)
	}
	return ids
}
