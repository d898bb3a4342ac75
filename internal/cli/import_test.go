package cli

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	cf "github.com/corefence/corefence"
	"github.com/corefence/corefence/internal/apiclient"
	"github.com/corefence/corefence/internal/importer"
	"github.com/corefence/corefence/internal/inventory"
	"github.com/corefence/corefence/internal/netbox/replay"
	"github.com/corefence/corefence/internal/server"
	"github.com/corefence/corefence/internal/store"
	"github.com/corefence/corefence/internal/store/sqlstore"
)

// TestImportFailurePartWayWritesNothing: a NetBox that refuses the token
// part-way through the interfaces (a token revoked mid-import) leaves an
// earlier inventory at --out as it was and no temporary file behind. The
// server replays real answers recorded from NetBox 4.2.9.
func TestImportFailurePartWayWritesNothing(t *testing.T) {
	const recording = "../../../shared/data/netbox-4.2-demo-api"
	if _, err := os.Stat(filepath.Join(recording, "manifest.json")); err != nil {
		t.Skipf("skipped: the recorded NetBox answers are not here (%s): %v", recording, err)
	}
	rec, err := replay.Open(recording)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := rec.Serve()
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	srv.Hook = func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path == "/api/dcim/interfaces/" && r.URL.Query().Get("offset") == "1500" {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusForbidden)
			w.Write([]byte(`{"detail":"Invalid token"}`))
			return true
		}
		return false
	}
	dir := t.TempDir()
	token := filepath.Join(dir, "token")
	if err := os.WriteFile(token, []byte(rec.Token), 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "nw.yaml")
	if err := os.WriteFile(out, []byte("the previous inventory\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := run(t, time.Now(), "import", "netbox", "--url", srv.URL, "--token-file", token,
		"--tenant", "northwind-mobile", "--page-size", "50", "--out", out)
	if code != ExitError || stdout != "" {
		t.Fatalf("exit %d, stdout %q; want 2 and nothing", code, stdout)
	}
	if !strings.Contains(stderr, `/api/dcim/interfaces/?limit=50&offset=1500: 403 Forbidden: "Invalid token"`) || strings.Contains(stderr, rec.Token) {
		t.Errorf("stderr: %s", stderr)
	}
	if data, _ := os.ReadFile(out); string(data) != "the previous inventory\n" {
		t.Errorf("--out was changed: %q", data)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 2 {
		t.Errorf("files left behind: %v", entries)
	}
}

// uploadEnv is a NetBox replay and a corefence server, both on loopback:
// the server is the real one (internal/server on SQLite), with operator
// northwind-mobile (the NetBox tenant, as the default mapping names it)
// and a token per principal.
type uploadEnv struct {
	netbox, server string
	dir            string
	nbToken        string            // file holding the NetBox token
	tokens         map[string]string // principal → file holding its token
	secrets        map[string]string // principal → token
}

func newUploadEnv(t *testing.T) *uploadEnv {
	t.Helper()
	const recording = "../../../shared/data/netbox-4.2-demo-api"
	if _, err := os.Stat(filepath.Join(recording, "manifest.json")); err != nil {
		t.Skipf("skipped: the recorded NetBox answers are not here (%s): %v", recording, err)
	}
	rec, err := replay.Open(recording)
	if err != nil {
		t.Fatal(err)
	}
	nb, err := rec.Serve()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nb.Close)

	ctx := context.Background()
	st, err := sqlstore.Open(ctx, filepath.Join(t.TempDir(), "corefence.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	hs := httptest.NewServer(server.New(st, server.Config{Limits: server.DefaultLimits, TempDir: t.TempDir(), Version: "test"}))
	t.Cleanup(hs.Close)
	for _, op := range []string{"northwind-mobile", "other"} {
		if _, err := st.CreateOperator(ctx, store.System, store.Operator{ID: op, Name: op}); err != nil {
			t.Fatal(err)
		}
	}
	e := &uploadEnv{netbox: nb.URL, server: hs.URL, dir: t.TempDir(), tokens: map[string]string{}, secrets: map[string]string{}}
	e.nbToken = filepath.Join(e.dir, "nb-token")
	if err := os.WriteFile(e.nbToken, []byte(rec.Token), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, p := range []store.Principal{
		{ID: "nwm-upload", Role: store.RoleOperator, Operator: "northwind-mobile"},
		{ID: "other-upload", Role: store.RoleOperator, Operator: "other"},
		{ID: "partner", Role: store.RolePartner},
		{ID: "reg", Role: store.RoleRegulator},
	} {
		if _, err := st.CreatePrincipal(ctx, store.System, p); err != nil {
			t.Fatal(err)
		}
		secret, _, err := st.IssueToken(ctx, store.System, p.ID, 0)
		if err != nil {
			t.Fatal(err)
		}
		e.secrets[p.ID] = secret
		e.tokens[p.ID] = filepath.Join(e.dir, p.ID+".token")
		if err := os.WriteFile(e.tokens[p.ID], []byte(secret+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

// importArgs are the arguments of an import of tenant northwind-mobile
// uploaded with principal's token.
func (e *uploadEnv) importArgs(principal string, more ...string) []string {
	return append([]string{"import", "netbox", "--url", e.netbox, "--token-file", e.nbToken, "--tenant", "northwind-mobile",
		"--page-size", "50", "--server", e.server, "--server-token-file", e.tokens[principal], "--valid-from", "2024-06-30"}, more...)
}

// get reads a route of the server as principal.
func (e *uploadEnv) get(t *testing.T, principal, path string) []byte {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, e.server+path, nil)
	req.Header.Set("Authorization", "Bearer "+e.secrets[principal])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, resp.StatusCode, body)
	}
	return body
}

// TestImportNetBoxUpload: the NetBox import, uploaded to a running
// corefence server, is stored as operator northwind-mobile's snapshot, the same network
// element by element as the inventory written to --out; a second upload
// finds it stored. The tokens never appear in the output.
func TestImportNetBoxUpload(t *testing.T) {
	e := newUploadEnv(t)
	out := filepath.Join(e.dir, "nw.yaml")
	code, stdout, stderr := run(t, time.Now(), e.importArgs("nwm-upload", "--out", out)...)
	if code != ExitOK {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	id := strings.TrimSpace(stdout)
	if len(id) != 64 || !strings.Contains(stderr, "snapshot "+id+" of operator northwind-mobile, valid from 2024-06-30: stored as a new snapshot") {
		t.Errorf("stdout %q\nstderr %s", stdout, stderr)
	}
	for _, secret := range e.secrets {
		if strings.Contains(stdout+stderr, secret) || strings.Contains(stdout+stderr, secret[len(secret)-20:]) {
			t.Fatal("a token was printed")
		}
	}

	var list struct {
		Items []struct {
			ID, Operator, ValidFrom, Uploader string
		} `json:"items"`
	}
	if err := json.Unmarshal(e.get(t, "reg", "/api/v1/operators/northwind-mobile/snapshots"), &list); err != nil {
		t.Fatal(err)
	}
	if len(list.Items) != 1 || list.Items[0].ID != id {
		t.Fatalf("the server holds %+v, want snapshot %s", list.Items, id)
	}
	stored := filepath.Join(e.dir, "stored.json")
	if err := os.WriteFile(stored, e.get(t, "reg", "/api/v1/operators/northwind-mobile/snapshots/"+id+"/inventory"), 0o600); err != nil {
		t.Fatal(err)
	}
	local, err := importer.Load(out, inventory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	remote, err := importer.Load(stored, inventory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(remote.Elements) != len(local.Elements) || len(remote.Sites) != len(local.Sites) || len(remote.Links) != len(local.Links) || len(local.Elements) == 0 {
		t.Fatalf("stored %d sites, %d elements, %d links; --out has %d, %d, %d", len(remote.Sites), len(remote.Elements), len(remote.Links),
			len(local.Sites), len(local.Elements), len(local.Links))
	}
	for i := range local.Elements {
		l := &local.Elements[i]
		j, ok := remote.Element(l.ID)
		if !ok {
			t.Errorf("element %s is not in the snapshot", l.ID)
			continue
		}
		r := &remote.Elements[j]
		if r.Function != l.Function || local.Groups[l.Group].ID != remote.Groups[r.Group].ID || local.Sites[l.SiteRef].ID != remote.Sites[r.SiteRef].ID || r.Installed != l.Installed {
			t.Errorf("element %s differs: stored %+v, --out %+v", l.ID, r, l)
		}
	}

	// The same again, by the regulator: the server already holds it.
	code, stdout, stderr = run(t, time.Now(), e.importArgs("reg")...)
	if code != ExitOK || strings.TrimSpace(stdout) != id || !strings.Contains(stderr, "the server already held this snapshot") {
		t.Errorf("second upload: exit %d, stdout %q\n%s", code, stdout, stderr)
	}
}

// TestImportNetBoxUploadRefused: a token the server does not know (401),
// one whose principal may not upload (403), another operator's (404), a
// server that is not there and a token file every user can read give a
// clear error, exit 2, and write nothing; a plain-http server off this
// machine is refused before anything is sent.
func TestImportNetBoxUploadRefused(t *testing.T) {
	e := newUploadEnv(t)
	unknown := filepath.Join(e.dir, "unknown.token")
	os.WriteFile(unknown, []byte("cft_0123456789abcdef_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"), 0o600)
	e.tokens["unknown"] = unknown
	open := filepath.Join(e.dir, "open.token")
	os.WriteFile(open, []byte(e.secrets["nwm-upload"]), 0o644)
	os.Chmod(open, 0o644)
	e.tokens["open"] = open

	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	cases := []struct {
		name      string
		principal string
		server    string
		want      string
	}{
		{"401", "unknown", "", "401 Unauthorized (unauthenticated)"},
		{"403", "partner", "", "403 Forbidden (forbidden)"},
		{"404", "other-upload", "", "404 Not Found (not_found)"},
		{"unreachable", "nwm-upload", closed.URL, "cannot reach the corefence server at " + closed.URL},
		{"plain http", "nwm-upload", "http://corefence.example.org", "plain http is only for a server on this machine"},
		{"world-readable token", "open", "", "is readable by every user of this machine"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := filepath.Join(e.dir, "out-"+strings.ReplaceAll(c.name, " ", "-")+".yaml")
			args := e.importArgs(c.principal, "--out", out)
			if c.server != "" {
				for i := range args {
					if args[i] == "--server" {
						args[i+1] = c.server
					}
				}
			}
			code, stdout, stderr := run(t, time.Now(), args...)
			if code != ExitError || stdout != "" {
				t.Fatalf("exit %d, stdout %q; want 2 and nothing\n%s", code, stdout, stderr)
			}
			if !strings.Contains(stderr, c.want) {
				t.Errorf("stderr lacks %q:\n%s", c.want, stderr)
			}
			for _, secret := range e.secrets {
				if strings.Contains(stderr, secret) {
					t.Error("a token was printed")
				}
			}
			if _, err := os.Stat(out); err == nil {
				t.Error("--out was written")
			}
		})
	}
	var list struct{ Items []json.RawMessage }
	json.Unmarshal(e.get(t, "reg", "/api/v1/operators/northwind-mobile/snapshots"), &list)
	if len(list.Items) != 0 {
		t.Errorf("the server stored %d snapshots", len(list.Items))
	}
}

// TestUploadProblems: an inventory the server finds problems in is
// refused with every problem listed, as `corefence validate` words it,
// and nothing is stored.
func TestUploadProblems(t *testing.T) {
	e := newUploadEnv(t)
	doc := &inventory.Doc{
		Operators: []inventory.Operator{{ID: "northwind-mobile", Name: "Northwind"}},
		Sites:     []inventory.Site{{ID: "S1", Operator: "northwind-mobile", Lat: 95, Lon: 0}, {ID: "S2", Operator: "northwind-mobile", Lat: 51, Lon: 200}},
	}
	c := &apiclient.Client{BaseURL: e.server, Token: e.secrets["nwm-upload"]}
	_, _, err := uploadSnapshot(context.Background(), c, doc, mustDate(t, "2024-06-30"))
	var ae *apiclient.Error
	if !errors.As(err, &ae) || ae.Status != http.StatusBadRequest || ae.Code != "invalid_input" || len(ae.Problems) != 2 {
		t.Fatalf("got %v", err)
	}
	for _, want := range []string{"400 Bad Request (invalid_input): 2 problems in the input; nothing was stored", "sites S1: lat:", "sites S2: lon:"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	if strings.Contains(err.Error(), e.secrets["nwm-upload"]) {
		t.Error("the token is in the error")
	}
	// A snapshot is one operator's network: two are refused before
	// anything is sent.
	two := &inventory.Doc{Operators: []inventory.Operator{{ID: "northwind-mobile"}, {ID: "other"}}}
	if _, _, err := uploadSnapshot(context.Background(), c, two, mustDate(t, "2024-06-30")); err == nil ||
		!strings.Contains(err.Error(), "the import holds 2 operators (northwind-mobile, other), and a snapshot holds one operator's network") {
		t.Errorf("two operators: %v", err)
	}
	// The CLI prints the answer, then each problem on its own line.
	var errb strings.Builder
	if code := exitStatus(context.Background(), &Env{Stderr: &errb}, "import", err); code != ExitError {
		t.Errorf("exit %d", code)
	}
	lines := strings.Split(strings.TrimSpace(errb.String()), "\n")
	if len(lines) != 3 || !strings.HasSuffix(lines[0], "nothing was stored; nothing was written") ||
		!strings.HasPrefix(lines[1], "  inventory.json:") || !strings.Contains(lines[1], "sites S1: lat: ") {
		t.Errorf("stderr:\n%s", errb.String())
	}
}

func mustDate(t *testing.T, s string) cf.Date {
	t.Helper()
	d, err := cf.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}
