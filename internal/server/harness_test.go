package server_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/corefence/corefence/internal/evidence"
	"github.com/corefence/corefence/internal/export"
	"github.com/corefence/corefence/internal/importer"
	"github.com/corefence/corefence/internal/server"
	"github.com/corefence/corefence/internal/store"
	"github.com/corefence/corefence/internal/store/sqlstore"
	"github.com/corefence/corefence/internal/store/storetest"
)

var ctx = context.Background()

// backends are the stores every API test runs on.
var backends = []struct {
	name string
	dsn  func(t *testing.T) string
}{
	{"sqlite", func(t *testing.T) string { return filepath.Join(t.TempDir(), "corefence.db") }},
	{"postgres", storetest.PostgresDSN},
}

// forEachBackend runs fn as a subtest on each store.
func forEachBackend(t *testing.T, fn func(t *testing.T, env *apiEnv)) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) { fn(t, newEnv(t, b.dsn(t))) })
	}
}

// apiEnv is a running server with two operators (alpha, beta), a principal
// of every role and a token for each.
type apiEnv struct {
	t      *testing.T
	store  *sqlstore.DB
	srv    *server.Server
	http   *httptest.Server
	tokens map[string]string // principal id → secret
	router routers.Router
	// Counted responses validated against the OpenAPI document.
	validated int
}

var openapiRouter routers.Router

func loadOpenAPI(t *testing.T) routers.Router {
	t.Helper()
	if openapiRouter != nil {
		return openapiRouter
	}
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(server.OpenAPI())
	if err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	if err := doc.Validate(ctx); err != nil {
		t.Fatalf("openapi.json is not a valid OpenAPI document: %v", err)
	}
	r, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	openapiRouter = r
	return r
}

func newEnv(t *testing.T, dsn string) *apiEnv {
	t.Helper()
	st, err := sqlstore.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	limits := server.DefaultLimits
	limits.RatePerSecond = 0 // tests make many requests; the rate limit has its own test
	_, key, err := evidence.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	srv := server.New(st, server.Config{Limits: limits, TempDir: t.TempDir(), Version: "test", Key: key})
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	e := &apiEnv{t: t, store: st, srv: srv, http: hs, tokens: map[string]string{}, router: loadOpenAPI(t)}
	for _, op := range []string{"alpha", "beta"} {
		if _, err := st.CreateOperator(ctx, store.System, store.Operator{ID: op, Name: op}); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range []store.Principal{
		{ID: "op-alpha", Role: store.RoleOperator, Operator: "alpha"},
		{ID: "op-beta", Role: store.RoleOperator, Operator: "beta"},
		{ID: "reg", Role: store.RoleRegulator},
		{ID: "partner", Role: store.RolePartner},
		{ID: "admin", Role: store.RoleAdmin},
	} {
		if _, err := st.CreatePrincipal(ctx, store.System, p); err != nil {
			t.Fatal(err)
		}
		secret, _, err := st.IssueToken(ctx, store.System, p.ID, 0)
		if err != nil {
			t.Fatal(err)
		}
		e.tokens[p.ID] = secret
	}
	return e
}

// response is one validated response.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("response %d is not JSON: %v\n%s", r.status, err, r.body)
	}
}

// do sends a request as principal (no token when empty) and validates the
// response against the OpenAPI document.
func (e *apiEnv) do(principal, method, path, ctype string, body []byte) response {
	e.t.Helper()
	return e.doHeader(principal, method, path, map[string]string{"Content-Type": ctype}, body)
}

// doHeader is do with request headers of its own (empty values unset).
func (e *apiEnv) doHeader(principal, method, path string, header map[string]string, body []byte) response {
	e.t.Helper()
	req, err := http.NewRequest(method, e.http.URL+path, bytes.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	for k, v := range header {
		if v != "" {
			req.Header.Set(k, v)
		}
	}
	if principal != "" {
		req.Header.Set("Authorization", "Bearer "+e.tokens[principal])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	e.validate(req, resp, got)
	return response{resp.StatusCode, resp.Header, got}
}

func (e *apiEnv) validate(req *http.Request, resp *http.Response, body []byte) {
	e.t.Helper()
	route, params, err := e.router.FindRoute(req)
	if err != nil {
		if resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusMethodNotAllowed {
			return // no such endpoint: nothing to conform to
		}
		e.t.Fatalf("%s %s: not in the OpenAPI document: %v", req.Method, req.URL.Path, err)
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
			Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}},
		Status:  resp.StatusCode,
		Header:  resp.Header,
		Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	in.SetBodyBytes(body)
	if err := openapi3filter.ValidateResponse(ctx, in); err != nil {
		e.t.Fatalf("%s %s → %d does not conform to the OpenAPI document: %v\n%.2000s", req.Method, req.URL.Path, resp.StatusCode, err, body)
	}
	e.validated++
}

func (e *apiEnv) getJSON(principal, path string, want int, v any) response {
	e.t.Helper()
	r := e.do(principal, "GET", path, "", nil)
	if r.status != want {
		e.t.Fatalf("GET %s as %s: %d, want %d\n%s", path, principal, r.status, want, r.body)
	}
	if v != nil {
		r.json(e.t, v)
	}
	return r
}

func (e *apiEnv) sendJSON(principal, method, path string, in any, want int, out any) response {
	e.t.Helper()
	b, err := json.Marshal(in)
	if err != nil {
		e.t.Fatal(err)
	}
	r := e.do(principal, method, path, "application/json", b)
	if r.status != want {
		e.t.Fatalf("%s %s as %s: %d, want %d\n%s", method, path, principal, r.status, want, r.body)
	}
	if out != nil {
		r.json(e.t, out)
	}
	return r
}

// networks are the operators' inventories in testdata/small-network.yaml,
// one YAML document per operator.
func networks(t *testing.T) map[string][]byte {
	t.Helper()
	doc, err := importer.Read("../../testdata/small-network.yaml")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for op, d := range server.SplitByOperator(doc) {
		var b bytes.Buffer
		if err := export.WriteYAML(&b, d); err != nil {
			t.Fatal(err)
		}
		out[op] = b.Bytes()
	}
	return out
}

func (e *apiEnv) upload(principal, op string, content []byte, ctype, validFrom string, want int) server.ErrorBody {
	e.t.Helper()
	r := e.do(principal, "POST", "/api/v1/operators/"+op+"/snapshots?valid_from="+validFrom, ctype, content)
	if r.status != want {
		e.t.Fatalf("upload for %s as %s: %d, want %d\n%s", op, principal, r.status, want, r.body)
	}
	var eb server.ErrorBody
	if r.status >= 400 {
		r.json(e.t, &eb)
	}
	return eb
}

func (e *apiEnv) snapshot(principal, op string, content []byte, validFrom string) store.Snapshot {
	e.t.Helper()
	r := e.do(principal, "POST", "/api/v1/operators/"+op+"/snapshots?valid_from="+validFrom, "application/yaml", content)
	if r.status != http.StatusCreated && r.status != http.StatusOK {
		e.t.Fatalf("upload: %d %s", r.status, r.body)
	}
	var sn store.Snapshot
	r.json(e.t, &sn)
	return sn
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func contains(b []byte, s string) bool { return strings.Contains(string(b), s) }
