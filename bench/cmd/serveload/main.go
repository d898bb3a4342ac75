// Command serveload measures corefence serve at national scale, on
// loopback, against a real server process:
//
//  1. ingest: the national CSV bundle, split into its operators' bundles,
//     uploaded as tar archives one after the other; against the sqlite3
//     command-line tool's .import of the same CSV files into plain tables,
//     in the same run;
//  2. runs: each operator's snapshot checked (the findings stored);
//  3. load: concurrent clients, each an operator reading its own findings
//     page by page (with and without filters) and its history, for a fixed
//     time; latency percentiles, errors, and the server's memory.
//
// Everything it starts listens on 127.0.0.1 and stops when it ends.
//
//	serveload -corefence bin/corefence -bundle data/uk-1m -work results/serve
package main

import (
	"archive/tar"
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/corefence/corefence/internal/export"
	"github.com/corefence/corefence/internal/importer"
	"github.com/corefence/corefence/internal/server"
)

func main() {
	bin := flag.String("corefence", "bin/corefence", "the corefence binary")
	bundle := flag.String("bundle", "data/uk-1m", "the national CSV bundle")
	work := flag.String("work", "results/serve", "working directory (emptied first)")
	clients := flag.Int("clients", 200, "concurrent clients")
	duration := flag.Duration("duration", 60*time.Second, "how long the clients read")
	sqlite3 := flag.String("sqlite3", "sqlite3", "the sqlite3 command-line tool")
	asOf := flag.String("as-of", "2023-12-31", "the runs' as-of date")
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("serveload: ")
	if err := run(*bin, *bundle, *work, *sqlite3, *asOf, *clients, *duration); err != nil {
		log.Fatal(err)
	}
}

type result struct {
	Elements        int     `json:"elements"`
	Operators       int     `json:"operators"`
	CSVBytes        int64   `json:"csv_bytes"`
	IngestSeconds   float64 `json:"ingest_seconds"`
	SQLiteImportSec float64 `json:"sqlite3_import_seconds"`
	IngestRatio     float64 `json:"ingest_ratio"`
	RunSeconds      float64 `json:"run_seconds"`
	Findings        int     `json:"findings"`
	Clients         int     `json:"clients"`
	Duration        float64 `json:"duration_seconds"`
	Requests        int     `json:"requests"`
	Errors          int     `json:"errors"`
	P50ms           float64 `json:"p50_ms"`
	P90ms           float64 `json:"p90_ms"`
	P99ms           float64 `json:"p99_ms"`
	MaxMs           float64 `json:"max_ms"`
	ServerRSSMB     float64 `json:"server_rss_mb_after_load"`
	ServerPeakMB    float64 `json:"server_peak_rss_mb"`
	StoreMB         float64 `json:"store_mb"`
}

func run(bin, bundle, work, sqlite3, asOf string, clients int, duration time.Duration) error {
	var res result
	os.RemoveAll(work)
	if err := os.MkdirAll(work, 0o755); err != nil {
		return err
	}
	work, _ = filepath.Abs(work)

	// The operators' bundles, as files and as tar archives.
	log.Printf("splitting %s into operators' bundles", bundle)
	doc, err := importer.Read(bundle)
	if err != nil {
		return err
	}
	res.Elements = len(doc.Elements)
	parts := server.SplitByOperator(doc)
	var ops []string
	for op := range parts {
		ops = append(ops, op)
	}
	sort.Strings(ops)
	res.Operators = len(ops)
	var csvFiles []string
	for _, op := range ops {
		dir := filepath.Join(work, "csv", op)
		if err := export.WriteCSV(dir, parts[op]); err != nil {
			return err
		}
		files, _ := filepath.Glob(filepath.Join(dir, "*.csv"))
		csvFiles = append(csvFiles, files...)
		if err := tarDir(dir, filepath.Join(work, op+".tar")); err != nil {
			return err
		}
	}
	for _, f := range csvFiles {
		st, _ := os.Stat(f)
		res.CSVBytes += st.Size()
	}
	doc, parts = nil, nil

	// The peer: sqlite3 .import of the same CSV files into plain tables.
	var script strings.Builder
	for i, f := range csvFiles {
		fmt.Fprintf(&script, ".import --csv '%s' t%d_%s\n", f, i, strings.TrimSuffix(filepath.Base(f), ".csv"))
	}
	log.Printf("sqlite3 .import of %d CSV files (%d MB)", len(csvFiles), res.CSVBytes>>20)
	start := time.Now()
	cmd := exec.Command(sqlite3, filepath.Join(work, "plain.db"))
	cmd.Stdin = strings.NewReader(script.String())
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("sqlite3: %v\n%s", err, out)
	}
	res.SQLiteImportSec = time.Since(start).Seconds()

	// The server, in a process of its own.
	db := filepath.Join(work, "corefence.db")
	out, err := exec.Command(bin, "serve", "--init", "--db", db).Output()
	if err != nil {
		return fmt.Errorf("serve --init: %v", err)
	}
	admin := regexp.MustCompile(`cft_\S+`).FindString(string(out))
	cfg := filepath.Join(work, "server.yaml")
	os.WriteFile(cfg, []byte("limits:\n  rate_per_second: 1000000\n  burst: 1000000\n"), 0o644)
	srv, base, err := startServer(bin, db, cfg)
	if err != nil {
		return err
	}
	defer srv.Process.Signal(syscall.SIGTERM)

	c := &client{base: base, http: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients + 10, MaxConnsPerHost: clients + 10}}}
	tokens := map[string]string{}
	for _, op := range ops {
		if err := c.do(admin, "POST", "/api/v1/operators", "application/json", []byte(`{"id":"`+op+`"}`), nil); err != nil {
			return err
		}
		if err := c.do(admin, "POST", "/api/v1/principals", "application/json", []byte(`{"id":"op-`+op+`","role":"operator","operator":"`+op+`"}`), nil); err != nil {
			return err
		}
		var tok struct{ Secret string }
		if err := c.do(admin, "POST", "/api/v1/principals/op-"+op+"/tokens", "application/json", []byte(`{}`), &tok); err != nil {
			return err
		}
		tokens[op] = tok.Secret
	}

	// Ingest.
	log.Printf("ingesting %d operators' bundles through the API", len(ops))
	snaps := map[string]string{}
	start = time.Now()
	for _, op := range ops {
		body, err := os.ReadFile(filepath.Join(work, op+".tar"))
		if err != nil {
			return err
		}
		var sn struct{ ID string }
		if err := c.do(tokens[op], "POST", "/api/v1/operators/"+op+"/snapshots?valid_from=2023-01-01", "application/x-tar", body, &sn); err != nil {
			return err
		}
		snaps[op] = sn.ID
	}
	res.IngestSeconds = time.Since(start).Seconds()
	res.IngestRatio = res.IngestSeconds / res.SQLiteImportSec

	// Runs.
	log.Printf("checking each snapshot")
	runs := map[string]string{}
	start = time.Now()
	for _, op := range ops {
		var r struct {
			ID       string
			Findings int
		}
		body := fmt.Sprintf(`{"snapshot":%q,"packs":["uk-dvd-2022","uk-2020-ncsc"],"as_of":%q}`, snaps[op], asOf)
		if err := c.do(tokens[op], "POST", "/api/v1/operators/"+op+"/runs", "application/json", []byte(body), &r); err != nil {
			return err
		}
		runs[op] = r.ID
		res.Findings += r.Findings
	}
	res.RunSeconds = time.Since(start).Seconds()

	// Load.
	log.Printf("%d clients reading findings and history for %s", clients, duration)
	ctx, cancel := context.WithTimeout(context.Background(), duration)
	defer cancel()
	filters := []string{"", "&status=violation", "&vendor=huawei", "&status=upcoming", "&vendor=zte"}
	lat := make([][]time.Duration, clients)
	errs := make([]int, clients)
	var wg sync.WaitGroup
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(i), 7))
			op := ops[i%len(ops)]
			for ctx.Err() == nil {
				var path string
				if rng.IntN(5) == 0 {
					path = "/api/v1/operators/" + op + "/history"
				} else {
					path = "/api/v1/operators/" + op + "/runs/" + runs[op] + "/findings?limit=100" + filters[rng.IntN(len(filters))]
				}
				// Follow a few pages, as a user paging through.
				for page := 0; page < 1+rng.IntN(4) && ctx.Err() == nil; page++ {
					t0 := time.Now()
					var pg struct{ Next string }
					err := c.do(tokens[op], "GET", path, "", nil, &pg)
					if ctx.Err() != nil {
						break // cut off by the end of the measurement
					}
					lat[i] = append(lat[i], time.Since(t0))
					if err != nil {
						errs[i]++
						break
					}
					if pg.Next == "" || !strings.Contains(path, "findings") {
						break
					}
					path = regexp.MustCompile(`&cursor=\d+`).ReplaceAllString(path, "") + "&cursor=" + pg.Next
				}
			}
		}()
	}
	wg.Wait()
	var all []time.Duration
	for i := range lat {
		all = append(all, lat[i]...)
		res.Errors += errs[i]
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	pct := func(p float64) float64 {
		if len(all) == 0 {
			return 0
		}
		return float64(all[min(len(all)-1, int(p*float64(len(all))))].Microseconds()) / 1000
	}
	res.Clients, res.Duration, res.Requests = clients, duration.Seconds(), len(all)
	res.P50ms, res.P90ms, res.P99ms, res.MaxMs = pct(0.50), pct(0.90), pct(0.99), pct(1)
	res.ServerRSSMB, res.ServerPeakMB = procMB(srv.Process.Pid, "VmRSS"), procMB(srv.Process.Pid, "VmHWM")
	if st, err := os.Stat(db); err == nil {
		res.StoreMB = float64(st.Size()) / (1 << 20)
	}
	b, _ := json.MarshalIndent(res, "", "  ")
	fmt.Println(string(b))
	return nil
}

type client struct {
	base string
	http *http.Client
}

func (c *client) do(token, method, path, ctype string, body []byte, out any) error {
	req, err := http.NewRequest(method, c.base+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode >= 300 {
		return fmt.Errorf("%s %s: %d %.500s", method, path, resp.StatusCode, b)
	}
	if out != nil {
		return json.Unmarshal(b, out)
	}
	return nil
}

func startServer(bin, db, cfg string) (*exec.Cmd, string, error) {
	cmd := exec.Command(bin, "serve", "--db", db, "--config", cfg, "--listen", "127.0.0.1:0")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, "", err
	}
	if err := cmd.Start(); err != nil {
		return nil, "", err
	}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		re := regexp.MustCompile(`url=(http://127\.0\.0\.1:\d+)`)
		for sc.Scan() {
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
			}
			if strings.Contains(sc.Text(), "level=ERROR") {
				log.Print(sc.Text())
			}
		}
	}()
	select {
	case base := <-found:
		return cmd, base, nil
	case <-time.After(time.Minute):
		cmd.Process.Kill()
		return nil, "", fmt.Errorf("the server did not start")
	}
}

// procMB reads a memory figure of a process from /proc, in MiB.
func procMB(pid int, field string) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
			return kb / 1024
		}
	}
	return 0
}

// tarDir writes the files of dir into a tar archive at path.
func tarDir(dir, path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	tw := tar.NewWriter(bw)
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return err
		}
		if err := tw.WriteHeader(&tar.Header{Name: e.Name(), Mode: 0o644, Size: int64(len(data)), Typeflag: tar.TypeReg}); err != nil {
			return err
		}
		if _, err := tw.Write(data); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	return bw.Flush()
}
