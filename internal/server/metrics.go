package server

import (
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"sort"
	"strconv"
	"sync"
	"time"
)

// metrics are the server's Prometheus metrics, written in the text
// exposition format by hand: a few histograms and gauges do not need a
// client library.
type metrics struct {
	mu        sync.Mutex
	latencies map[latencyKey]*histogram
}

type latencyKey struct {
	route string
	code  int
}

// latencyBuckets are the histogram's upper bounds, in seconds.
var latencyBuckets = []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60}

type histogram struct {
	counts []uint64 // per bucket, not cumulative
	sum    float64
	n      uint64
}

func newMetrics() *metrics { return &metrics{latencies: map[latencyKey]*histogram{}} }

func (m *metrics) observe(route string, code int, d time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	k := latencyKey{route, code}
	h := m.latencies[k]
	if h == nil {
		h = &histogram{counts: make([]uint64, len(latencyBuckets))}
		m.latencies[k] = h
	}
	sec := d.Seconds()
	for i, ub := range latencyBuckets {
		if sec <= ub {
			h.counts[i]++
			break
		}
	}
	h.sum += sec
	h.n++
}

// write writes the request histograms and the store's counts.
func (m *metrics) write(w io.Writer, gauges map[string]float64, help map[string]string) {
	m.mu.Lock()
	keys := make([]latencyKey, 0, len(m.latencies))
	for k := range m.latencies {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].route != keys[j].route {
			return keys[i].route < keys[j].route
		}
		return keys[i].code < keys[j].code
	})
	fmt.Fprintln(w, "# HELP corefence_http_request_duration_seconds Time to serve an API request, by route and status.")
	fmt.Fprintln(w, "# TYPE corefence_http_request_duration_seconds histogram")
	for _, k := range keys {
		h := m.latencies[k]
		labels := fmt.Sprintf(`route=%s,code="%d"`, strconv.Quote(k.route), k.code)
		cum := uint64(0)
		for i, ub := range latencyBuckets {
			cum += h.counts[i]
			fmt.Fprintf(w, "corefence_http_request_duration_seconds_bucket{%s,le=\"%s\"} %d\n", labels, formatFloat(ub), cum)
		}
		fmt.Fprintf(w, "corefence_http_request_duration_seconds_bucket{%s,le=\"+Inf\"} %d\n", labels, h.n)
		fmt.Fprintf(w, "corefence_http_request_duration_seconds_sum{%s} %s\n", labels, formatFloat(h.sum))
		fmt.Fprintf(w, "corefence_http_request_duration_seconds_count{%s} %d\n", labels, h.n)
	}
	m.mu.Unlock()
	names := make([]string, 0, len(gauges))
	for n := range gauges {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s gauge\n%s %s\n", n, help[n], n, n, formatFloat(gauges[n]))
	}
}

func formatFloat(f float64) string {
	if math.IsInf(f, 1) {
		return "+Inf"
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

func itoa(n int) string { return strconv.Itoa(n) }

func (s *Server) handleMetrics(w http.ResponseWriter, r *http.Request, _ *caller) error {
	ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
	defer cancel()
	snaps, err := s.store.SnapshotCount(ctx)
	if err != nil {
		return err
	}
	runs, err := s.store.RunCount(ctx)
	if err != nil {
		return err
	}
	size, err := s.store.Size(ctx)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	s.metrics.write(w, map[string]float64{"corefence_snapshots": float64(snaps), "corefence_runs": float64(runs), "corefence_store_bytes": float64(size)},
		map[string]string{"corefence_snapshots": "Snapshots in the store.", "corefence_runs": "Check runs in the store.",
			"corefence_store_bytes": "Size of the store on disk."})
	return nil
}
