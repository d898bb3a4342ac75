package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/corefence/corefence/internal/export"
	"github.com/corefence/corefence/internal/gen"
	"github.com/corefence/corefence/internal/server"
	"github.com/corefence/corefence/internal/store"
	"github.com/corefence/corefence/internal/store/storetest"
)

// childArgs, when set, makes the test binary run corefence with these
// arguments (JSON) instead of the tests: the crash tests start real server
// processes this way, and kill them.
const childArgs = "COREFENCE_TEST_CHILD_ARGS"

func TestMain(m *testing.M) {
	if a := os.Getenv(childArgs); a != "" {
		var args []string
		if err := json.Unmarshal([]byte(a), &args); err != nil {
			panic(err)
		}
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		code := Run(ctx, &Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Now: time.Now}, args)
		stop()
		os.Exit(code)
	}
	os.Exit(m.Run())
}

// serverProc is a corefence serve process.
type serverProc struct {
	cmd  *exec.Cmd
	base string
	done chan error
}

var urlRE = regexp.MustCompile(`url=(http://127\.0\.0\.1:\d+)`)

func startServer(t *testing.T, db string) *serverProc {
	t.Helper()
	args, _ := json.Marshal([]string{"serve", "--db", db, "--listen", "127.0.0.1:0"})
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), childArgs+"="+string(args))
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &serverProc{cmd: cmd, done: make(chan error, 1)}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if m := urlRE.FindStringSubmatch(sc.Text()); m != nil {
				select {
				case found <- m[1]:
				default:
				}
			}
		}
		p.done <- cmd.Wait()
	}()
	select {
	case p.base = <-found:
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		t.Fatal("the server did not start")
	}
	t.Cleanup(func() { p.cmd.Process.Kill() })
	return p
}

func (p *serverProc) kill(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-p.done
}

func call(t *testing.T, base, token, method, path, ctype string, body io.Reader) (int, []byte, error) {
	req, err := http.NewRequest(method, base+path, body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

func mustCall(t *testing.T, base, token, method, path, ctype string, body []byte, want int, out any) {
	t.Helper()
	code, b, err := call(t, base, token, method, path, ctype, bytes.NewReader(body))
	if err != nil || code != want {
		t.Fatalf("%s %s: %d %v, want %d\n%.1000s", method, path, code, err, want, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatal(err)
		}
	}
}

// crashNetwork is one operator's share of a generated national network,
// large enough that uploading and checking it take a while.
func crashNetwork(t *testing.T) (op string, yaml []byte) {
	t.Helper()
	doc, err := gen.Generate(gen.Config{Country: "gb", Sites: 4000, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	op = doc.Operators[0].ID
	var b bytes.Buffer
	if err := export.WriteYAML(&b, server.SplitByOperator(doc)[op]); err != nil {
		t.Fatal(err)
	}
	return op, b.Bytes()
}

// TestCrashSafety kills a real server process (SIGKILL) in the middle of a
// large upload and in the middle of a check run, restarts it on the same
// store, and finds the store consistent: no partial snapshot or run, the
// audit chain intact, and the retried requests succeed. Then two uploads
// of one operator race, and both land, in order.
func TestCrashSafety(t *testing.T) {
	if testing.Short() {
		t.Skip("starts server processes")
	}
	op, network := crashNetwork(t)
	for _, b := range []struct {
		name string
		db   func(t *testing.T) string
	}{
		{"sqlite", func(t *testing.T) string { return filepath.Join(t.TempDir(), "corefence.db") }},
		{"postgres", storetest.PostgresDSN},
	} {
		t.Run(b.name, func(t *testing.T) { crashSafety(t, b.db(t), op, network) })
	}
}

func crashSafety(t *testing.T, db, op string, network []byte) {
	// Initialise the store and give the regulator a token.
	code, out, errs := run(t, time.Now(), "serve", "--init", "--db", db)
	if code != 0 {
		t.Fatalf("serve --init: %d %s", code, errs)
	}
	admin := regexp.MustCompile(`cft_\S+`).FindString(out)
	srv := startServer(t, db)
	mustCall(t, srv.base, admin, "POST", "/api/v1/operators", "application/json", []byte(`{"id": "`+op+`"}`), 201, nil)
	mustCall(t, srv.base, admin, "POST", "/api/v1/principals", "application/json", []byte(`{"id": "reg", "role": "regulator"}`), 201, nil)
	var tok struct{ Secret string }
	mustCall(t, srv.base, admin, "POST", "/api/v1/principals/reg/tokens", "application/json", []byte(`{}`), 201, &tok)
	reg := tok.Secret
	uploadPath := "/api/v1/operators/" + op + "/snapshots?valid_from=2024-01-01"

	// 1. Killed while the upload is still arriving: half the body sent.
	pr, pw := io.Pipe()
	result := make(chan error, 1)
	go func() {
		_, _, err := call(t, srv.base, reg, "POST", uploadPath, "application/yaml", pr)
		result <- err
	}()
	pw.Write(network[:len(network)/2])
	srv.kill(t)
	pw.CloseWithError(io.ErrUnexpectedEOF)
	if err := <-result; err == nil {
		t.Fatal("the upload succeeded on a killed server")
	}
	srv = startServer(t, db)
	consistent(t, srv.base, reg, db, op, 0)

	// 2. Killed after the whole body is sent, while it is validated or
	// stored: either the snapshot is all there, or it is not there at all.
	go func() {
		_, _, err := call(t, srv.base, reg, "POST", uploadPath, "application/yaml", bytes.NewReader(network))
		result <- err
	}()
	time.Sleep(100 * time.Millisecond)
	srv.kill(t)
	if err := <-result; err == nil {
		t.Log("the upload finished before the kill; the store is checked all the same")
	}
	srv = startServer(t, db)
	n := consistent(t, srv.base, reg, db, op, -1)
	// The retry lands (or finds the snapshot the killed server stored).
	var snap store.Snapshot
	code, body, err := call(t, srv.base, reg, "POST", uploadPath, "application/yaml", bytes.NewReader(network))
	if err != nil || (code != 201 && code != 200) || (code == 200) != (n == 1) {
		t.Fatalf("retried upload: %d %v %s (snapshots before: %d)", code, err, body, n)
	}
	json.Unmarshal(body, &snap)

	// 3. Killed in the middle of a check run.
	runBody := []byte(fmt.Sprintf(`{"snapshot": %q, "packs": ["uk-dvd-2022", "uk-2020-ncsc"], "as_of": "2024-01-01"}`, snap.ID))
	go func() {
		_, _, err := call(t, srv.base, reg, "POST", "/api/v1/operators/"+op+"/runs", "application/json", bytes.NewReader(runBody))
		result <- err
	}()
	time.Sleep(100 * time.Millisecond)
	srv.kill(t)
	if err := <-result; err == nil {
		t.Log("the run finished before the kill; the store is checked all the same")
	}
	srv = startServer(t, db)
	consistent(t, srv.base, reg, db, op, 1)
	var run struct {
		ID       string
		Findings int
	}
	code, body, err = call(t, srv.base, reg, "POST", "/api/v1/operators/"+op+"/runs", "application/json", bytes.NewReader(runBody))
	if err != nil || (code != 201 && code != 200) {
		t.Fatalf("retried run: %d %v %s", code, err, body)
	}
	json.Unmarshal(body, &run)
	consistent(t, srv.base, reg, db, op, 1)

	// 4. Two uploads of the operator at once: both land, in the order the
	// store took them, and the audit log records them in that order.
	var wg sync.WaitGroup
	snaps := make([]store.Snapshot, 2)
	for i := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			path := fmt.Sprintf("/api/v1/operators/%s/snapshots?valid_from=2025-0%d-01", op, i+1)
			code, body, err := call(t, srv.base, reg, "POST", path, "application/yaml", bytes.NewReader(network))
			if err != nil || code != 201 {
				t.Errorf("concurrent upload %d: %d %v %s", i, code, err, body)
			}
			json.Unmarshal(body, &snaps[i])
		}()
	}
	wg.Wait()
	var list struct{ Items []store.Snapshot }
	mustCall(t, srv.base, reg, "GET", "/api/v1/operators/"+op+"/snapshots", "", nil, 200, &list)
	if len(list.Items) != 3 || snaps[0].Seq == snaps[1].Seq {
		t.Fatalf("after concurrent uploads: %d snapshots, seqs %d %d", len(list.Items), snaps[0].Seq, snaps[1].Seq)
	}
	var log struct{ Items []map[string]any }
	mustCall(t, srv.base, admin, "GET", "/api/v1/audit?limit=1000", "", nil, 200, &log)
	var order []string
	for _, e := range log.Items {
		if e["action"] == "snapshot.create" {
			order = append(order, e["subject"].(string))
		}
	}
	want := []string{list.Items[0].ID, list.Items[1].ID, list.Items[2].ID}
	if strings.Join(order, " ") != strings.Join(want, " ") {
		t.Fatalf("audit order %v, store order %v", order, want)
	}
	consistent(t, srv.base, reg, db, op, 3)
	// A graceful stop, for good measure.
	srv.cmd.Process.Signal(syscall.SIGTERM)
	if err := <-srv.done; err != nil {
		t.Fatalf("SIGTERM: %v", err)
	}
}

// consistent checks the store through a restarted server and audit
// verify: every snapshot loads, every run has all its findings, the chain
// is intact. It returns the number of snapshots (want -1: any of 0 or 1).
func consistent(t *testing.T, base, token, db, op string, want int) int {
	t.Helper()
	var snaps struct{ Items []store.Snapshot }
	mustCall(t, base, token, "GET", "/api/v1/operators/"+op+"/snapshots", "", nil, 200, &snaps)
	if (want >= 0 && len(snaps.Items) != want) || (want < 0 && len(snaps.Items) > 1) {
		t.Fatalf("%d snapshots after the crash, want %d", len(snaps.Items), want)
	}
	for _, s := range snaps.Items {
		var inv map[string]any
		mustCall(t, base, token, "GET", "/api/v1/operators/"+op+"/snapshots/"+s.ID+"/inventory", "", nil, 200, &inv)
	}
	var runs struct {
		Items []struct {
			ID       string
			Findings int
		}
	}
	mustCall(t, base, token, "GET", "/api/v1/operators/"+op+"/runs", "", nil, 200, &runs)
	for _, r := range runs.Items {
		seen, cursor := 0, ""
		for {
			var page struct {
				Items []json.RawMessage
				Next  string
			}
			mustCall(t, base, token, "GET", "/api/v1/operators/"+op+"/runs/"+r.ID+"/findings?limit=1000&cursor="+cursor, "", nil, 200, &page)
			seen += len(page.Items)
			if page.Next == "" {
				break
			}
			cursor = page.Next
		}
		if seen != r.Findings {
			t.Fatalf("run %s: %d findings stored of %d", r.ID, seen, r.Findings)
		}
	}
	code, out, errs := run(t, time.Now(), "audit", "verify", "--db", db)
	if code != 0 || !strings.Contains(out, "audit log intact") {
		t.Fatalf("audit verify after the crash: %d %s %s", code, out, errs)
	}
	return len(snaps.Items)
}
