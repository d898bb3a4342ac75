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
// Besides wall times it reports CPU time (user + system) of the server
// process and of sqlite3, which a loaded machine inflates far less. With
// -repeat N the ingest and its peer alternate N times, each ingest into a
// fresh store, and the medians are reported. With -profile DIR the server
// serves its profiles on loopback (serve --pprof) and CPU profiles of the
// ingest and of the load, and a heap profile after the load, are written
// to DIR.
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
	duration := flag.Duration("duration", 60*time.Second, "how long the clients read (0: measure the ingest only)")
	sqlite3 := flag.String("sqlite3", "sqlite3", "the sqlite3 command-line tool")
	asOf := flag.String("as-of", "2023-12-31", "the runs' as-of date")
	repeat := flag.Int("repeat", 1, "times the ingest and its sqlite3 peer alternate (medians reported)")
	profiles := flag.String("profile", "", "write the server's CPU and heap profiles into this directory")
	sweep := flag.String("sweep", "", "other client counts to load with first, comma-separated (25,50,100)")
	sweepDuration := flag.Duration("sweep-duration", 20*time.Second, "how long each of the sweep's loads lasts")
	wrk := flag.String("wrk", "", "also run the load from wrk, the C load generator at this path (empty: skip)")
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("serveload: ")
	cfg := config{bin: *bin, bundle: *bundle, work: *work, sqlite3: *sqlite3, asOf: *asOf, clients: *clients,
		duration: *duration, repeat: max(1, *repeat), profiles: *profiles, sweepDuration: *sweepDuration, wrk: *wrk}
	for _, f := range strings.Split(*sweep, ",") {
		if n, err := strconv.Atoi(strings.TrimSpace(f)); err == nil && n > 0 {
			cfg.sweep = append(cfg.sweep, n)
		} else if strings.TrimSpace(f) != "" {
			log.Fatalf("-sweep: %q is not a number of clients", f)
		}
	}
	if err := run(cfg); err != nil {
		log.Fatal(err)
	}
}

type config struct {
	bin, bundle, work, sqlite3, asOf string
	clients                          int
	duration                         time.Duration
	repeat                           int
	profiles                         string
	sweep                            []int // other client counts
	sweepDuration                    time.Duration
	wrk                              string // the wrk binary, or ""
}

type result struct {
	Elements        int     `json:"elements"`
	Operators       int     `json:"operators"`
	CSVBytes        int64   `json:"csv_bytes"`
	IngestSeconds   float64 `json:"ingest_seconds"`
	SQLiteImportSec float64 `json:"sqlite3_import_seconds"`
	IngestRatio     float64 `json:"ingest_ratio"`
	// CPU time (user + system): the server process's during the uploads,
	// the sqlite3 process's for its import.
	IngestCPUSec    float64   `json:"ingest_server_cpu_seconds"`
	SQLiteCPUSec    float64   `json:"sqlite3_cpu_seconds"`
	IngestCPURatio  float64   `json:"ingest_cpu_ratio"`
	IngestRatios    []float64 `json:"ingest_ratios,omitempty"`     // each repeat's, wall
	IngestCPURatios []float64 `json:"ingest_cpu_ratios,omitempty"` // each repeat's, CPU
	IngestPeakMB    float64   `json:"server_peak_rss_mb_ingest"`
	RunSeconds      float64   `json:"run_seconds"`
	Findings        int       `json:"findings"`
	loadResult
	// Sweep is the same load at other client counts, before it.
	Sweep []loadResult `json:"sweep,omitempty"`
	// Wrk is the main load again, from wrk (C, epoll) instead of Go
	// clients: the same clients, mix and duration.
	Wrk          *loadResult `json:"wrk,omitempty"`
	ServerRSSMB  float64     `json:"server_rss_mb_after_load"`
	ServerPeakMB float64     `json:"server_peak_rss_mb"`
	StoreMB      float64     `json:"store_mb"`
}

// loadResult is one load: clients reading for a time.
type loadResult struct {
	Clients    int     `json:"clients"`
	Duration   float64 `json:"duration_seconds"`
	Requests   int     `json:"requests"`
	Errors     int     `json:"errors"`
	Throughput float64 `json:"requests_per_second"`
	P50ms      float64 `json:"p50_ms"`
	P90ms      float64 `json:"p90_ms"`
	P99ms      float64 `json:"p99_ms"`
	MaxMs      float64 `json:"max_ms"`
	// CPU time during the load: the server's, per request, and the
	// clients' (this process), which share the machine with it.
	LoadServerCPUSec float64 `json:"load_server_cpu_seconds"`
	ServerCPUPerReq  float64 `json:"server_cpu_ms_per_request"`
	LoadClientCPUSec float64 `json:"load_client_cpu_seconds"`
}

func run(cfg config) error {
	var res result
	os.RemoveAll(cfg.work)
	if err := os.MkdirAll(cfg.work, 0o755); err != nil {
		return err
	}
	work, _ := filepath.Abs(cfg.work)
	if cfg.profiles != "" {
		if err := os.MkdirAll(cfg.profiles, 0o755); err != nil {
			return err
		}
	}

	// The operators' bundles, as files and as tar archives.
	log.Printf("splitting %s into operators' bundles", cfg.bundle)
	doc, err := importer.Read(cfg.bundle)
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

	// The ingest and its peer, alternately; the last store stays for the
	// runs and the load.
	var walls, cpus, ingestWall, ingestCPU, peerWall, peerCPU []float64
	var srv *serverProc
	for k := range cfg.repeat {
		if srv != nil {
			srv.stop()
		}
		wall, cpu, err := sqliteImport(cfg.sqlite3, filepath.Join(work, fmt.Sprintf("plain-%d.db", k)), csvFiles)
		if err != nil {
			return err
		}
		os.Remove(filepath.Join(work, fmt.Sprintf("plain-%d.db", k)))
		peerWall, peerCPU = append(peerWall, wall), append(peerCPU, cpu)
		if srv, err = startServer(cfg, filepath.Join(work, fmt.Sprintf("corefence-%d.db", k)), ops); err != nil {
			return err
		}
		log.Printf("ingest %d of %d: %d operators' bundles through the API", k+1, cfg.repeat, len(ops))
		// A CPU profile runs for the seconds asked: those of the last ingest.
		secs := 30
		if k > 0 {
			secs = int(ingestWall[k-1]) + 1
		}
		stopProfile := srv.profile(fmt.Sprintf("profile?seconds=%d", secs), k == cfg.repeat-1, "ingest.cpu.pprof")
		cpu0, start := procCPU(srv.pid()), time.Now()
		for _, op := range ops {
			body, err := os.ReadFile(filepath.Join(work, op+".tar"))
			if err != nil {
				return err
			}
			var sn struct{ ID string }
			if err := srv.c.do(srv.tokens[op], "POST", "/api/v1/operators/"+op+"/snapshots?valid_from=2023-01-01", "application/x-tar", body, &sn); err != nil {
				return err
			}
			srv.snaps[op] = sn.ID
		}
		wall, cpu = time.Since(start).Seconds(), procCPU(srv.pid())-cpu0
		stopProfile()
		ingestWall, ingestCPU = append(ingestWall, wall), append(ingestCPU, cpu)
		walls, cpus = append(walls, wall/peerWall[k]), append(cpus, cpu/peerCPU[k])
		log.Printf("ingest %.1f s (CPU %.1f s), sqlite3 %.1f s (CPU %.1f s)", wall, cpu, peerWall[k], peerCPU[k])
	}
	defer srv.stop()
	res.IngestSeconds, res.IngestCPUSec = median(ingestWall), median(ingestCPU)
	res.SQLiteImportSec, res.SQLiteCPUSec = median(peerWall), median(peerCPU)
	res.IngestRatio, res.IngestCPURatio = median(walls), median(cpus)
	if cfg.repeat > 1 {
		res.IngestRatios, res.IngestCPURatios = walls, cpus
	}
	res.IngestPeakMB = procMB(srv.pid(), "VmHWM")
	if cfg.duration <= 0 { // the ingest alone
		b, _ := json.MarshalIndent(res, "", "  ")
		fmt.Println(string(b))
		return nil
	}

	// Runs.
	log.Printf("checking each snapshot")
	runs := map[string]string{}
	start := time.Now()
	for _, op := range ops {
		var r struct {
			ID       string
			Findings int
		}
		body := fmt.Sprintf(`{"snapshot":%q,"packs":["uk-dvd-2022","uk-2020-ncsc"],"as_of":%q}`, srv.snaps[op], cfg.asOf)
		if err := srv.c.do(srv.tokens[op], "POST", "/api/v1/operators/"+op+"/runs", "application/json", []byte(body), &r); err != nil {
			return err
		}
		runs[op] = r.ID
		res.Findings += r.Findings
	}
	res.RunSeconds = time.Since(start).Seconds()

	// Load: the sweep's client counts first, then the main one.
	for _, n := range cfg.sweep {
		res.Sweep = append(res.Sweep, load(srv, ops, runs, n, cfg.sweepDuration, ""))
	}
	res.loadResult = load(srv, ops, runs, cfg.clients, cfg.duration, "load.cpu.pprof")
	if cfg.wrk != "" {
		w, err := wrkLoad(cfg.wrk, srv, ops, runs, cfg.clients, cfg.duration, work)
		if err != nil {
			return err
		}
		res.Wrk = &w
	}
	srv.profile("heap", true, "heap.pprof")()
	res.ServerRSSMB, res.ServerPeakMB = procMB(srv.pid(), "VmRSS"), procMB(srv.pid(), "VmHWM")
	if st, err := os.Stat(srv.db); err == nil {
		res.StoreMB = float64(st.Size()) / (1 << 20)
	}
	b, _ := json.MarshalIndent(res, "", "  ")
	fmt.Println(string(b))
	return nil
}

// load runs clients readers for duration: each an operator reading its
// own findings page by page (with and without filters) or its history,
// with no pause. A CPU profile of the server goes to profile, if named.
func load(srv *serverProc, ops []string, runs map[string]string, clients int, duration time.Duration, profile string) loadResult {
	var res loadResult
	log.Printf("%d clients reading findings and history for %s", clients, duration)
	stopProfile := srv.profile(fmt.Sprintf("profile?seconds=%d", max(1, int(duration.Seconds())-2)), profile != "", profile)
	ctx, cancel := context.WithTimeout(context.Background(), duration)
	defer cancel()
	lat := make([][]time.Duration, clients)
	errs := make([]int, clients)
	var wg sync.WaitGroup
	serverCPU0, clientCPU0, loadStart := procCPU(srv.pid()), selfCPU(), time.Now()
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
					path = "/api/v1/operators/" + op + "/runs/" + runs[op] + "/findings?limit=100" + findingFilters[rng.IntN(len(findingFilters))]
				}
				// Follow a few pages, as a user paging through.
				for page := 0; page < 1+rng.IntN(4) && ctx.Err() == nil; page++ {
					t0 := time.Now()
					var body rawBody
					err := srv.c.do(srv.tokens[op], "GET", path, "", nil, &body)
					if ctx.Err() != nil {
						break // cut off by the end of the measurement
					}
					lat[i] = append(lat[i], time.Since(t0))
					var next string
					if err == nil {
						next, err = nextCursor(body)
					}
					if err != nil {
						errs[i]++
						break
					}
					if next == "" || !strings.Contains(path, "findings") {
						break
					}
					path = cursorParam.ReplaceAllString(path, "") + "&cursor=" + next
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(loadStart).Seconds()
	res.LoadServerCPUSec, res.LoadClientCPUSec = procCPU(srv.pid())-serverCPU0, selfCPU()-clientCPU0
	stopProfile()
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
	res.Throughput = float64(len(all)) / elapsed
	if len(all) > 0 {
		res.ServerCPUPerReq = res.LoadServerCPUSec * 1000 / float64(len(all))
	}
	res.P50ms, res.P90ms, res.P99ms, res.MaxMs = pct(0.50), pct(0.90), pct(0.99), pct(1)
	return res
}

// sqliteImport runs the peer: the sqlite3 tool's .import of the CSV files
// into plain tables of a new database. It returns the wall and CPU
// seconds.
func sqliteImport(sqlite3, db string, csvFiles []string) (wall, cpu float64, err error) {
	var script strings.Builder
	for i, f := range csvFiles {
		fmt.Fprintf(&script, ".import --csv '%s' t%d_%s\n", f, i, strings.TrimSuffix(filepath.Base(f), ".csv"))
	}
	log.Printf("sqlite3 .import of %d CSV files", len(csvFiles))
	start := time.Now()
	cmd := exec.Command(sqlite3, db)
	cmd.Stdin = strings.NewReader(script.String())
	if out, err := cmd.CombinedOutput(); err != nil {
		return 0, 0, fmt.Errorf("sqlite3: %v\n%s", err, out)
	}
	wall = time.Since(start).Seconds()
	cpu = (cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()).Seconds()
	return wall, cpu, nil
}

func median(xs []float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	if len(s) == 0 {
		return 0
	}
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// nextCursor is the cursor of the page after body. The clients share the
// machine with the server, so they read it without decoding the items
// when the page ends as the server writes one (…,"next":"N"}); anything
// else is decoded in full.
func nextCursor(body []byte) (string, error) {
	if m := pageEnd.FindSubmatch(body[max(0, len(body)-64):]); m != nil && bytes.HasPrefix(body, []byte(`{"items":[`)) {
		return string(m[1]), nil
	}
	var v struct{ Next string }
	err := json.Unmarshal(body, &v)
	return v.Next, err
}

var pageEnd = regexp.MustCompile(`,"next":"(\d+)"}\n?$`)

// rawBody asks client.do for the body as it came.
type rawBody []byte

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
	if raw, ok := out.(*rawBody); ok {
		*raw = b
		return nil
	}
	if out != nil {
		return json.Unmarshal(b, out)
	}
	return nil
}

// serverProc is a corefence serve process on a fresh store, with an operator,
// a principal and a token per operator.
type serverProc struct {
	cmd      *exec.Cmd
	db       string
	c        *client
	tokens   map[string]string // operator → token
	snaps    map[string]string // operator → snapshot id
	pprof    string            // base URL of its profiles, when asked for
	profiles string            // where to write them
}

func startServer(cfg config, db string, ops []string) (*serverProc, error) {
	out, err := exec.Command(cfg.bin, "serve", "--init", "--db", db).Output()
	if err != nil {
		return nil, fmt.Errorf("serve --init: %v", err)
	}
	admin := regexp.MustCompile(`cft_\S+`).FindString(string(out))
	conf := filepath.Join(filepath.Dir(db), "server.yaml")
	os.WriteFile(conf, []byte("limits:\n  rate_per_second: 1000000\n  burst: 1000000\n"), 0o644)
	args := []string{"serve", "--db", db, "--config", conf, "--listen", "127.0.0.1:0"}
	if cfg.profiles != "" {
		args = append(args, "--pprof", "127.0.0.1:0")
	}
	cmd := exec.Command(cfg.bin, args...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &serverProc{cmd: cmd, db: db, tokens: map[string]string{}, snaps: map[string]string{}, profiles: cfg.profiles}
	found := make(chan [2]string, 2)
	go func() {
		sc := bufio.NewScanner(stderr)
		re := regexp.MustCompile(`msg="(corefence serving|serving profiles)" url=(http://127\.0\.0\.1:\d+)`)
		for sc.Scan() {
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				found <- [2]string{m[1], m[2]}
			}
			if strings.Contains(sc.Text(), "level=ERROR") {
				log.Print(sc.Text())
			}
		}
	}()
	var base string
	for base == "" || (cfg.profiles != "" && s.pprof == "") {
		select {
		case m := <-found:
			if m[0] == "serving profiles" {
				s.pprof = m[1]
			} else {
				base = m[1]
			}
		case <-time.After(time.Minute):
			cmd.Process.Kill()
			return nil, fmt.Errorf("the server did not start")
		}
	}
	clients := cfg.clients + 10
	for _, n := range cfg.sweep {
		clients = max(clients, n+10)
	}
	s.c = &client{base: base, http: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients}}}
	for _, op := range ops {
		if err := s.c.do(admin, "POST", "/api/v1/operators", "application/json", []byte(`{"id":"`+op+`"}`), nil); err != nil {
			return nil, err
		}
		if err := s.c.do(admin, "POST", "/api/v1/principals", "application/json", []byte(`{"id":"op-`+op+`","role":"operator","operator":"`+op+`"}`), nil); err != nil {
			return nil, err
		}
		var tok struct{ Secret string }
		if err := s.c.do(admin, "POST", "/api/v1/principals/op-"+op+"/tokens", "application/json", []byte(`{}`), &tok); err != nil {
			return nil, err
		}
		s.tokens[op] = tok.Secret
	}
	return s, nil
}

func (s *serverProc) pid() int { return s.cmd.Process.Pid }

// stop ends the server and waits for it.
func (s *serverProc) stop() {
	s.cmd.Process.Signal(syscall.SIGTERM)
	s.cmd.Wait()
}

// profile starts fetching one of the server's profiles into name (a CPU
// profile runs for the seconds its query asks: cancelling it would lose
// it); the returned function waits for the file. It does nothing unless
// profiles were asked for and want is true.
func (s *serverProc) profile(query string, want bool, name string) (stop func()) {
	if s.pprof == "" || !want {
		return func() {}
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		resp, err := http.Get(s.pprof + "/debug/pprof/" + query)
		if err != nil {
			log.Printf("profile %s: %v", name, err)
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			log.Printf("profile %s: %v", name, err)
			return
		}
		os.WriteFile(filepath.Join(s.profiles, name), b, 0o644)
	}()
	return func() { <-done }
}

// procCPU is a process's CPU time so far (user + system), in seconds.
func procCPU(pid int) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The fields after the command name, which is in parentheses.
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	if len(f) < 13 {
		return 0
	}
	utime, _ := strconv.ParseFloat(f[11], 64)
	stime, _ := strconv.ParseFloat(f[12], 64)
	return (utime + stime) / 100 // USER_HZ is 100 on Linux
}

// selfCPU is this process's CPU time so far, in seconds.
func selfCPU() float64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
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
