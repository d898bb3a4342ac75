package server_test

import (
	"archive/tar"
	"archive/zip"
	"bufio"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"hash/crc32"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/corefence/corefence/internal/export"
	"github.com/corefence/corefence/internal/importer"
	"github.com/corefence/corefence/internal/server"
	"github.com/corefence/corefence/internal/store"
)

type member struct {
	name    string
	body    []byte
	symlink string // a symbolic link to this target instead of a file
}

func tarOf(t *testing.T, ms []member) []byte {
	t.Helper()
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	for _, m := range ms {
		h := &tar.Header{Name: m.name, Mode: 0o644, Size: int64(len(m.body)), Typeflag: tar.TypeReg}
		if m.symlink != "" {
			h = &tar.Header{Name: m.name, Linkname: m.symlink, Typeflag: tar.TypeSymlink, Mode: 0o777}
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		tw.Write(m.body)
	}
	tw.Close()
	return b.Bytes()
}

func zipOf(t *testing.T, ms []member) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, m := range ms {
		h := &zip.FileHeader{Name: m.name, Method: zip.Deflate}
		body := m.body
		if m.symlink != "" {
			h.SetMode(os.ModeSymlink | 0o777)
			body = []byte(m.symlink)
		}
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(body)
	}
	zw.Close()
	return b.Bytes()
}

// lyingZip holds one entry whose header claims 100 bytes but which
// inflates to n zero bytes.
func lyingZip(t *testing.T, name string, n int) []byte {
	t.Helper()
	var raw bytes.Buffer
	fw, _ := flate.NewWriter(&raw, flate.BestCompression)
	zeros := make([]byte, n)
	fw.Write(zeros)
	fw.Close()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	w, err := zw.CreateRaw(&zip.FileHeader{Name: name, Method: zip.Deflate, CRC32: crc32.ChecksumIEEE(zeros),
		CompressedSize64: uint64(raw.Len()), UncompressedSize64: 100})
	if err != nil {
		t.Fatal(err)
	}
	w.Write(raw.Bytes())
	zw.Close()
	return b.Bytes()
}

// csvBundle is operator op's network as the files of a CSV bundle.
func csvBundle(t *testing.T, op string) []member {
	t.Helper()
	doc, err := importer.Read("../../testdata/small-network.yaml")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := export.WriteCSV(dir, server.SplitByOperator(doc)[op]); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	var ms []member
	for _, e := range entries {
		ms = append(ms, member{name: "bundle/" + e.Name(), body: readFile(t, filepath.Join(dir, e.Name()))})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].name < ms[j].name })
	return ms
}

func gz(b []byte) []byte {
	var out bytes.Buffer
	w := gzip.NewWriter(&out)
	w.Write(b)
	w.Close()
	return out.Bytes()
}

func newLimitedEnv(t *testing.T, limits server.Limits) *apiEnv {
	t.Helper()
	e := newEnv(t, filepath.Join(t.TempDir(), "corefence.db"))
	e.srv = server.New(e.store, server.Config{Limits: limits, TempDir: t.TempDir(), Version: "test"})
	e.http.Config.Handler = e.srv
	return e
}

// TestBadInput sends every kind of malformed upload and body: each gets a
// clear 4xx, nothing is stored, and the server carries on.
func TestBadInput(t *testing.T) {
	limits := server.DefaultLimits
	limits.RatePerSecond = 0
	limits.Request = 256 << 10
	limits.Extracted = 1 << 20
	e := newLimitedEnv(t, limits)
	bundle := csvBundle(t, "alpha")
	yaml := networks(t)["alpha"]

	// The well-formed archives land, in each format.
	for i, c := range []struct {
		ctype string
		body  []byte
	}{
		{"application/x-tar", tarOf(t, bundle)},
		{"application/gzip", gz(tarOf(t, bundle))},
		{"application/zip", zipOf(t, bundle)},
	} {
		e.upload("op-alpha", "alpha", c.body, c.ctype, "2024-01-0"+string(rune('1'+i)), 201)
	}
	stored, _ := e.store.SnapshotCount(ctx)

	badSites := []member{{name: "sites.csv", body: []byte("id,operator,name,lat,lon\nS1,alpha,One,95,0\n")}}
	badUTF8 := bytes.Replace(yaml, []byte("Leeds 1"), []byte("Leeds \xff1"), 1)
	cases := []struct {
		name, ctype string
		body        []byte
		status      int
		want        string // in the error body
	}{
		{"oversized body", "application/yaml", bytes.Repeat([]byte("# padding\n"), 40<<10), 413, "too_large"},
		{"zip bomb", "application/zip", zipOf(t, []member{{name: "elements.csv", body: make([]byte, 8<<20)}}), 413, "too_large"},
		{"zip whose header lies about its size", "application/zip", lyingZip(t, "elements.csv", 4<<20), 400, "bad_archive"},
		{"tar bomb", "application/gzip", gz(tarOf(t, []member{{name: "elements.csv", body: make([]byte, 4<<20)}})), 413, "too_large"},
		{"tar path traversal", "application/x-tar", tarOf(t, append(bundle, member{name: "../../etc/cron.d/x.csv", body: []byte("x")})), 400, "climb out"},
		{"tar absolute path", "application/x-tar", tarOf(t, []member{{name: "/etc/passwd", body: []byte("x")}}), 400, "absolute"},
		{"zip path traversal", "application/zip", zipOf(t, []member{{name: "a/../../sites.csv", body: []byte("x")}}), 400, "climb out"},
		{"tar symlink", "application/x-tar", tarOf(t, append(bundle, member{name: "links.csv", symlink: "/etc/passwd"})), 400, "only regular files"},
		{"zip symlink", "application/zip", zipOf(t, []member{{name: "links.csv", symlink: "/etc/passwd"}}), 400, "only regular files"},
		{"nested directories", "application/x-tar", tarOf(t, []member{{name: "a/b/sites.csv", body: []byte("x")}}), 400, "one directory"},
		{"two files of one name", "application/x-tar", tarOf(t, []member{{name: "a/sites.csv", body: []byte("x")}, {name: "b/sites.csv", body: []byte("y")}}), 400, "two files named"},
		{"not a tar", "application/x-tar", []byte("this is not a tar archive, not at all, no"), 400, "bad_archive"},
		{"not a zip", "application/zip", []byte("PK but not really"), 400, "bad_archive"},
		{"not gzip", "application/gzip", []byte("plain"), 400, "not a gzip stream"},
		{"no content type", "", yaml, 415, "Content-Type"},
		{"wrong content type", "text/html", yaml, 415, "text/html"},
		{"invalid UTF-8", "application/yaml", badUTF8, 400, "not valid UTF-8"},
		{"unknown field in the inventory", "application/yaml", bytes.Replace(yaml, []byte(`name: "Leeds 1"`), []byte(`name: "Leeds 1", colour: "red"`), 1), 400, "colour"},
		{"bad CSV in a bundle", "application/x-tar", tarOf(t, badSites), 400, "sites.csv"},
		{"empty archive", "application/x-tar", tarOf(t, nil), 400, "no inventory files"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := e.do("op-alpha", "POST", "/api/v1/operators/alpha/snapshots", c.ctype, c.body)
			if r.status != c.status || !contains(r.body, c.want) {
				t.Fatalf("%d %s, want %d with %q", r.status, r.body, c.status, c.want)
			}
		})
	}
	if n, _ := e.store.SnapshotCount(ctx); n != stored {
		t.Fatalf("bad uploads stored %d snapshots", n-stored)
	}
	entries, _ := os.ReadDir(e.srv.TempDir())
	if len(entries) != 0 {
		t.Fatalf("uploads left %d files in the temporary directory: %v", len(entries), entries)
	}

	// JSON bodies are strict too.
	sn := e.snapshot("op-alpha", "alpha", yaml, "2024-02-01")
	for _, c := range []struct{ name, body, want string }{
		{"unknown field", `{"snapshot": "` + sn.ID + `", "packs": ["uk-2020-ncsc"], "colour": "red"}`, "unknown field"},
		{"two objects", `{"snapshot": "x"} {}`, "one JSON object"},
		{"wrong type", `{"snapshot": 7}`, "snapshot"},
		{"unknown pack", `{"snapshot": "` + sn.ID + `", "packs": ["no-such-pack"]}`, "no-such-pack"},
		{"bad date", `{"snapshot": "` + sn.ID + `", "packs": ["uk-2020-ncsc"], "as_of": "2024-13-01"}`, "as_of"},
		{"too big", `{"snapshot": "` + strings.Repeat("x", 2<<20) + `"}`, "too_large"},
	} {
		t.Run("run/"+c.name, func(t *testing.T) {
			r := e.do("op-alpha", "POST", "/api/v1/operators/alpha/runs", "application/json", []byte(c.body))
			if r.status < 400 || r.status > 499 || !contains(r.body, c.want) {
				t.Fatalf("%d %s, want 4xx with %q", r.status, r.body, c.want)
			}
		})
	}
	if r := e.do("op-alpha", "GET", "/api/v1/operators/alpha/snapshots?cursor=abc", "", nil); r.status != 400 {
		t.Fatalf("bad cursor: %d", r.status)
	}
	if r := e.do("", "GET", "/healthz", "", nil); r.status != 200 {
		t.Fatalf("after all that, /healthz: %d", r.status)
	}
}

// TestSlowClient holds a connection open with half a request: the server
// closes it when the header timeout passes, and serves others meanwhile.
func TestSlowClient(t *testing.T) {
	e := newEnv(t, filepath.Join(t.TempDir(), "corefence.db"))
	hs := e.srv.HTTPServer("127.0.0.1:0")
	hs.ReadHeaderTimeout = 300 * time.Millisecond
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go hs.Serve(ln)
	t.Cleanup(func() { hs.Close() })

	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.Write([]byte("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: "))
	resp, err := http.Get("http://" + ln.Addr().String() + "/healthz")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("another client while one is slow: %v %v", resp, err)
	}
	resp.Body.Close()
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	got, err := bufio.NewReader(conn).ReadString('\n')
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatal("the server kept a slow client's connection open past its header timeout")
	}
	if got != "" && !strings.Contains(got, "408") {
		t.Fatalf("the slow client got %q", got)
	}
}

// TestRateLimit: each token has its own bucket.
func TestRateLimit(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	e := newEnv(t, filepath.Join(t.TempDir(), "corefence.db"))
	e.srv = server.New(e.store, server.Config{Limits: server.Limits{Request: 1 << 20, Extracted: 1 << 20, RatePerSecond: 1, Burst: 3, ConcurrentRuns: 1},
		TempDir: t.TempDir(), Now: func() time.Time { return now }})
	e.http.Config.Handler = e.srv
	for i := range 3 {
		if r := e.do("reg", "GET", "/api/v1/me", "", nil); r.status != 200 {
			t.Fatalf("request %d: %d", i, r.status)
		}
	}
	r := e.do("reg", "GET", "/api/v1/me", "", nil)
	if r.status != http.StatusTooManyRequests || r.header.Get("Retry-After") == "" {
		t.Fatalf("fourth request: %d %v", r.status, r.header)
	}
	if r := e.do("admin", "GET", "/api/v1/me", "", nil); r.status != 200 {
		t.Fatalf("another token: %d", r.status)
	}
	now = now.Add(2 * time.Second)
	if r := e.do("reg", "GET", "/api/v1/me", "", nil); r.status != 200 {
		t.Fatalf("after two seconds: %d", r.status)
	}
}

// TestMetrics: request histograms and the store's counts, in Prometheus's
// text format.
func TestMetrics(t *testing.T) {
	e := newEnv(t, filepath.Join(t.TempDir(), "corefence.db"))
	e.snapshot("op-alpha", "alpha", networks(t)["alpha"], "2024-01-01")
	e.do("op-alpha", "GET", "/api/v1/me", "", nil)
	r := e.do("", "GET", "/metrics", "", nil)
	for _, want := range []string{
		`corefence_http_request_duration_seconds_bucket{route="GET /api/v1/me",code="200",le="0.005"}`,
		`corefence_http_request_duration_seconds_count{route="POST /api/v1/operators/{op}/snapshots",code="201"} 1`,
		"# TYPE corefence_snapshots gauge\ncorefence_snapshots 1\n",
		"corefence_runs 0\n",
	} {
		if !contains(r.body, want) {
			t.Errorf("metrics lack %q:\n%s", want, r.body)
		}
	}
	var _ = store.RoleAdmin
}

// TestCanonicalForm: the same network uploaded as YAML and as a CSV
// bundle is one snapshot; typed attributes, which CSV would flatten to
// strings, are kept (the snapshot is then stored as JSON) and reload.
func TestCanonicalForm(t *testing.T) {
	e := newEnv(t, filepath.Join(t.TempDir(), "corefence.db"))
	yaml := networks(t)["alpha"]
	first := e.snapshot("op-alpha", "alpha", yaml, "2024-01-01")
	r := e.do("op-alpha", "POST", "/api/v1/operators/alpha/snapshots?valid_from=2024-01-01", "application/x-tar", tarOf(t, csvBundle(t, "alpha")))
	var second store.Snapshot
	r.json(t, &second)
	if r.status != http.StatusOK || second.ID != first.ID {
		t.Fatalf("the CSV bundle of the same network: %d, snapshot %s, want %s", r.status, second.ID, first.ID)
	}

	typed := bytes.Replace(yaml, []byte(`{id: "A-DC1-fw", `), []byte(`{id: "A-DC1-fw", attributes: {ports: 48, managed: true}, `), 1)
	sn := e.snapshot("op-alpha", "alpha", typed, "2024-02-01")
	var inv struct {
		Elements []struct {
			ID         string         `json:"id"`
			Attributes map[string]any `json:"attributes"`
		} `json:"elements"`
	}
	e.getJSON("op-alpha", "/api/v1/operators/alpha/snapshots/"+sn.ID+"/inventory", 200, &inv)
	found := false
	for _, el := range inv.Elements {
		if el.ID == "A-DC1-fw" {
			found = el.Attributes["ports"] == float64(48) && el.Attributes["managed"] == true
		}
	}
	if !found {
		t.Fatalf("typed attributes did not survive: %+v", inv.Elements)
	}
	e.sendJSON("op-alpha", "POST", "/api/v1/operators/alpha/runs", map[string]any{"snapshot": sn.ID, "packs": []string{"uk-2020-ncsc"}, "as_of": "2024-01-01"}, 201, nil)
}
