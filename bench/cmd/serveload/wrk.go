package main

import (
	_ "embed"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// The load again, from wrk: a load generator written in C, on epoll, that
// needs a fraction of the CPU the Go clients do. Both share the 2 cores
// with the server, so the Go clients' cost (twice the server's per
// request) weighs on the latency they measure; wrk shows what the server
// does when its clients cost less, as remote clients cost it nothing.

//go:embed wrk.lua
var wrkScript string

// wrkPath is one request of the mix: whose token, which path, and how
// often it is read relative to the others.
type wrkPath struct {
	token, path string
	weight      float64
}

// wrkPaths walks, for every operator, the findings pages the Go clients
// read (each filter, pages 1 to 4) and weights them as those clients
// do: a visit is history one time in five, otherwise 1 to 4 pages of
// findings under one of the filters, all equally likely.
func wrkPaths(srv *serverProc, ops []string, runs map[string]string) ([]wrkPath, error) {
	var out []wrkPath
	for _, op := range ops {
		tok := srv.tokens[op]
		out = append(out, wrkPath{tok, "/api/v1/operators/" + op + "/history", 0.2})
		for _, f := range findingFilters {
			path := "/api/v1/operators/" + op + "/runs/" + runs[op] + "/findings?limit=100" + f
			for page := range 4 {
				// Page k+1 is read when the visit reads more than k pages:
				// (4-k) of the 4 equally likely lengths.
				out = append(out, wrkPath{tok, path, 0.8 / float64(len(findingFilters)) * float64(4-page) / 4})
				var body rawBody
				if err := srv.c.do(tok, "GET", path, "", nil, &body); err != nil {
					return nil, err
				}
				next, err := nextCursor(body)
				if err != nil {
					return nil, err
				}
				if next == "" {
					break
				}
				path = cursorParam.ReplaceAllString(path, "") + "&cursor=" + next
			}
		}
	}
	return out, nil
}

// findingFilters are the queries the clients page through: none, and
// one filter each by status and by vendor.
var findingFilters = []string{"", "&status=violation", "&vendor=huawei", "&status=upcoming", "&vendor=zte"}

// cursorParam is a page's cursor in a findings query.
var cursorParam = regexp.MustCompile(`&cursor=\d+`)

// wrkLoad runs wrk with clients connections on two threads for duration,
// reading the same mix as load.
func wrkLoad(wrk string, srv *serverProc, ops []string, runs map[string]string, clients int, duration time.Duration, dir string) (loadResult, error) {
	res := loadResult{Clients: clients, Duration: duration.Seconds()}
	paths, err := wrkPaths(srv, ops, runs)
	if err != nil {
		return res, err
	}
	var b strings.Builder
	b.WriteString("cf = { paths = {\n")
	for _, p := range paths {
		fmt.Fprintf(&b, "  { %q, %q, %g },\n", p.token, p.path, p.weight)
	}
	b.WriteString("} }\n")
	b.WriteString(wrkScript)
	script := filepath.Join(dir, "load.lua")
	if err := os.WriteFile(script, []byte(b.String()), 0o600); err != nil { // it holds tokens
		return res, err
	}
	defer os.Remove(script)
	log.Printf("wrk: %d connections reading findings and history for %s", clients, duration)
	cmd := exec.Command(wrk, "-t2", "-c"+strconv.Itoa(clients), "-d"+strconv.Itoa(int(duration.Seconds()))+"s",
		"--timeout", "10s", "-s", script, srv.c.base)
	cpu0 := procCPU(srv.pid())
	start := time.Now()
	out, err := cmd.Output()
	elapsed := time.Since(start).Seconds()
	res.LoadServerCPUSec = procCPU(srv.pid()) - cpu0
	if err != nil {
		return res, fmt.Errorf("wrk: %v\n%s", err, out)
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		res.LoadClientCPUSec = time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
	}
	m := regexp.MustCompile(`CFRESULT requests=(\d+) non2xx=(\d+) connect=(\d+) read=(\d+) write=(\d+) timeout=(\d+) p50us=(\d+) p90us=(\d+) p99us=(\d+) maxus=(\d+)`).FindSubmatch(out)
	if m == nil {
		return res, fmt.Errorf("wrk printed no result:\n%s", out)
	}
	n := make([]float64, len(m))
	for i := 1; i < len(m); i++ {
		n[i], _ = strconv.ParseFloat(string(m[i]), 64)
	}
	res.Requests = int(n[1])
	res.Errors = int(n[2] + n[3] + n[4] + n[5] + n[6])
	res.P50ms, res.P90ms, res.P99ms, res.MaxMs = n[7]/1000, n[8]/1000, n[9]/1000, n[10]/1000
	res.Throughput = n[1] / elapsed
	if res.Requests > 0 {
		res.ServerCPUPerReq = res.LoadServerCPUSec * 1000 / n[1]
	}
	return res, nil
}
