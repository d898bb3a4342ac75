// Command scaleplot draws what bench/scale.sh measured: CPU time and peak
// memory against inventory size, one line per stage and format, on
// log-log axes, as an SVG chart; and prints, per line, the slope of the
// least-squares fit of log(cost) on log(size) with its R² — a slope of 1
// is linear growth, 2 quadratic.
//
//	scaleplot -in results.tsv -out docs/scaling.svg > fits.md
//
// The input has a header and one row per run: stage, format, elements,
// cpu_s, rss_mb, status ("ok", or why there is no figure). The chart
// depends on the input alone: the same rows give the same bytes.
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"
)

func main() {
	in := flag.String("in", "", "results TSV written by bench/scale.sh")
	out := flag.String("out", "", "SVG chart to write")
	flag.Parse()
	if *in == "" || *out == "" {
		fmt.Fprintln(os.Stderr, "usage: scaleplot -in results.tsv -out chart.svg")
		os.Exit(2)
	}
	if err := run(*in, *out, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "scaleplot:", err)
		os.Exit(1)
	}
}

func run(in, out string, table io.Writer) error {
	f, err := os.Open(in)
	if err != nil {
		return err
	}
	defer f.Close()
	rows, err := readRows(f, in)
	if err != nil {
		return err
	}
	series := group(rows)
	if len(series) == 0 {
		return fmt.Errorf("%s: no measured rows", in)
	}
	if err := os.WriteFile(out, []byte(chart(series)), 0o644); err != nil {
		return err
	}
	writeTable(table, series, rows)
	return nil
}

// row is one measured run.
type row struct {
	stage, format string
	elements      float64
	cpu, rss      float64 // seconds, MB
	status        string
}

func readRows(r io.Reader, name string) ([]row, error) {
	sc := bufio.NewScanner(r)
	var rows []row
	var errs []error
	line := 0
	for sc.Scan() {
		line++
		if line == 1 || strings.TrimSpace(sc.Text()) == "" {
			continue // header
		}
		f := strings.Split(sc.Text(), "\t")
		if len(f) != 6 {
			errs = append(errs, fmt.Errorf("%s:%d: %d fields, want 6 (stage, format, elements, cpu_s, rss_mb, status)", name, line, len(f)))
			continue
		}
		rw := row{stage: f[0], format: f[1], status: f[5]}
		var bad []string
		for i, p := range []*float64{&rw.elements, &rw.cpu, &rw.rss} {
			v, err := strconv.ParseFloat(f[2+i], 64)
			if err != nil || v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
				if rw.status == "ok" {
					bad = append(bad, []string{"elements", "cpu_s", "rss_mb"}[i]+" "+strconv.Quote(f[2+i]))
				}
				continue
			}
			*p = v
		}
		if len(bad) > 0 {
			errs = append(errs, fmt.Errorf("%s:%d: %s %s: bad %s", name, line, rw.stage, rw.format, strings.Join(bad, ", ")))
			continue
		}
		rows = append(rows, rw)
	}
	if err := sc.Err(); err != nil {
		errs = append(errs, err)
	}
	return rows, errors.Join(errs...)
}

// series is the measured points of one stage in one format, by size.
type series struct {
	stage, format string
	x, cpu, rss   []float64
}

func (s *series) name() string {
	if s.format == "-" {
		return s.stage
	}
	return s.stage + " " + s.format
}

// Stages and formats in the order they are drawn and listed.
var (
	stageOrder  = []string{"gen", "validate", "check", "exposure", "demo"}
	formatOrder = []string{"csv", "yaml", "json", "-"}
	stageColour = map[string]string{"gen": "#1b9e77", "validate": "#d95f02", "check": "#7570b3", "exposure": "#e7298a", "demo": "#66a61e"}
	formatDash  = map[string]string{"csv": "", "yaml": "6,3", "json": "2,3", "-": ""}
)

func rank(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return len(list)
}

func group(rows []row) []*series {
	by := map[string]*series{}
	for _, r := range rows {
		if r.status != "ok" || r.elements <= 0 || r.cpu <= 0 || r.rss <= 0 {
			continue
		}
		k := r.stage + "\x00" + r.format
		s := by[k]
		if s == nil {
			s = &series{stage: r.stage, format: r.format}
			by[k] = s
		}
		s.x, s.cpu, s.rss = append(s.x, r.elements), append(s.cpu, r.cpu), append(s.rss, r.rss)
	}
	var out []*series
	for _, s := range by {
		sortByX(s)
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if ra, rb := rank(stageOrder, a.stage), rank(stageOrder, b.stage); ra != rb {
			return ra < rb
		}
		if a.stage != b.stage {
			return a.stage < b.stage
		}
		if ra, rb := rank(formatOrder, a.format), rank(formatOrder, b.format); ra != rb {
			return ra < rb
		}
		return a.format < b.format
	})
	return out
}

func sortByX(s *series) {
	idx := make([]int, len(s.x))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return s.x[idx[a]] < s.x[idx[b]] })
	x, c, r := make([]float64, len(idx)), make([]float64, len(idx)), make([]float64, len(idx))
	for i, j := range idx {
		x[i], c[i], r[i] = s.x[j], s.cpu[j], s.rss[j]
	}
	s.x, s.cpu, s.rss = x, c, r
}

// fit returns the slope of the least-squares line through (log x, log y)
// and its R²; ok is false with fewer than two distinct sizes.
func fit(x, y []float64) (slope, r2 float64, ok bool) {
	n := float64(len(x))
	if len(x) < 2 {
		return 0, 0, false
	}
	var sx, sy float64
	for i := range x {
		sx += math.Log(x[i])
		sy += math.Log(y[i])
	}
	mx, my := sx/n, sy/n
	var sxx, sxy, syy float64
	for i := range x {
		dx, dy := math.Log(x[i])-mx, math.Log(y[i])-my
		sxx += dx * dx
		sxy += dx * dy
		syy += dy * dy
	}
	if sxx == 0 {
		return 0, 0, false
	}
	slope = sxy / sxx
	if syy == 0 {
		return slope, 1, true
	}
	return slope, sxy * sxy / (sxx * syy), true
}

func writeTable(w io.Writer, ss []*series, rows []row) {
	fmt.Fprintln(w, "| stage | sizes (elements) | CPU at largest | µs CPU per element | CPU slope (R²) | peak RSS at largest | RSS slope (R²) |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|")
	for _, s := range ss {
		last := len(s.x) - 1
		cs, cr, cok := fit(s.x, s.cpu)
		ms, mr, mok := fit(s.x, s.rss)
		slope := func(v, r float64, ok bool) string {
			if !ok {
				return "—"
			}
			return fmt.Sprintf("%.2f (%.3f)", v, r)
		}
		fmt.Fprintf(w, "| %s | %s–%s | %.1f s | %.1f | %s | %.0f MB | %s |\n", s.name(), count(s.x[0]), count(s.x[last]),
			s.cpu[last], s.cpu[last]/s.x[last]*1e6, slope(cs, cr, cok), s.rss[last], slope(ms, mr, mok))
	}
	var skipped []string
	for _, r := range rows {
		if r.status != "ok" {
			name := r.stage
			if r.format != "-" {
				name += " " + r.format
			}
			skipped = append(skipped, fmt.Sprintf("%s at %s elements: %s", name, count(r.elements), r.status))
		}
	}
	if len(skipped) > 0 {
		fmt.Fprintln(w)
		fmt.Fprintln(w, "Not measured:")
		for _, s := range skipped {
			fmt.Fprintln(w, "- "+s)
		}
	}
}

// count writes n as 250k or 1.5M.
func count(n float64) string {
	switch {
	case n >= 1e6:
		return strconv.FormatFloat(math.Round(n/1e5)/10, 'f', -1, 64) + "M"
	case n >= 1e3:
		return strconv.FormatFloat(math.Round(n/1e3), 'f', -1, 64) + "k"
	}
	return strconv.FormatFloat(n, 'f', -1, 64)
}

// Chart geometry: two panels side by side, a legend below.
const (
	panelW, panelH = 460.0, 340.0
	marginL        = 64.0
	marginT        = 40.0
	gap            = 90.0
	legendRowH     = 18.0
)

// axis maps a quantity onto a panel's pixels, logarithmically, over whole
// decades (or halves of them) around the data.
type axis struct{ lo, hi float64 } // log10 bounds

func newAxis(vals []float64) axis {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range vals {
		lo, hi = math.Min(lo, math.Log10(v)), math.Max(hi, math.Log10(v))
	}
	lo, hi = math.Floor(lo*2)/2, math.Ceil(hi*2)/2
	if hi <= lo {
		hi = lo + 0.5
	}
	return axis{lo, hi}
}

func (a axis) at(v, length float64) float64 {
	return (math.Log10(v) - a.lo) / (a.hi - a.lo) * length
}

func chart(ss []*series) string {
	var all, cpu, rss []float64
	for _, s := range ss {
		all = append(all, s.x...)
		cpu = append(cpu, s.cpu...)
		rss = append(rss, s.rss...)
	}
	xa := newAxis(all)
	legendRows := (len(ss) + 2) / 3
	width := marginL + panelW + gap + panelW + 30
	height := marginT + panelH + 60 + float64(legendRows)*legendRowH + 20
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" viewBox="0 0 %.0f %.0f" font-family="sans-serif" font-size="11">`+"\n", width, height, width, height)
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="white"/>`+"\n")
	panel(&b, marginL, "CPU time (user + system), seconds", xa, newAxis(cpu), ss, func(s *series) []float64 { return s.cpu })
	panel(&b, marginL+panelW+gap, "peak resident memory, MB", xa, newAxis(rss), ss, func(s *series) []float64 { return s.rss })
	// Legend: colour is the stage, dashes the format; the slope of the
	// log-log fit (1 = linear) for CPU and memory.
	y0 := marginT + panelH + 50
	for i, s := range ss {
		x := marginL + float64(i%3)*((2*panelW+gap)/3)
		y := y0 + float64(i/3)*legendRowH
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s" stroke-width="2"%s/>`+"\n",
			x, y-4, x+28, y-4, stageColour[s.stage], dash(s.format))
		label := s.name()
		if c, _, ok := fit(s.x, s.cpu); ok {
			m, _, _ := fit(s.x, s.rss)
			label += fmt.Sprintf(" — slope CPU %.2f, RSS %.2f", c, m)
		}
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f">%s</text>`+"\n", x+34, y, label)
	}
	b.WriteString("</svg>\n")
	return b.String()
}

func dash(format string) string {
	if d := formatDash[format]; d != "" {
		return fmt.Sprintf(` stroke-dasharray="%s"`, d)
	}
	return ""
}

func panel(b *strings.Builder, left float64, title string, xa, ya axis, ss []*series, y func(*series) []float64) {
	top := marginT
	px := func(v float64) float64 { return left + xa.at(v, panelW) }
	py := func(v float64) float64 { return top + panelH - ya.at(v, panelH) }
	fmt.Fprintf(b, `<text x="%.1f" y="%.1f" font-size="13" font-weight="bold">%s against elements (log-log)</text>`+"\n", left, top-14, title)
	fmt.Fprintf(b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="none" stroke="#333"/>`+"\n", left, top, panelW, panelH)
	for _, t := range ticks(xa) {
		x := px(t)
		fmt.Fprintf(b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#ddd"/>`+"\n", x, top, x, top+panelH)
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f" text-anchor="middle">%s</text>`+"\n", x, top+panelH+14, count(t))
	}
	for _, t := range ticks(ya) {
		yv := py(t)
		fmt.Fprintf(b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#ddd"/>`+"\n", left, yv, left+panelW, yv)
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f" text-anchor="end">%s</text>`+"\n", left-4, yv+4, strconv.FormatFloat(t, 'g', 4, 64))
	}
	fmt.Fprintf(b, `<text x="%.1f" y="%.1f" text-anchor="middle">inventory elements</text>`+"\n", left+panelW/2, top+panelH+30)
	for _, s := range ss {
		ys := y(s)
		var pts []string
		for i := range s.x {
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", px(s.x[i]), py(ys[i])))
		}
		col := stageColour[s.stage]
		fmt.Fprintf(b, `<polyline points="%s" fill="none" stroke="%s" stroke-width="1.6"%s/>`+"\n", strings.Join(pts, " "), col, dash(s.format))
		for i := range s.x {
			fmt.Fprintf(b, `<circle cx="%.1f" cy="%.1f" r="2.5" fill="%s"/>`+"\n", px(s.x[i]), py(ys[i]), col)
		}
	}
}

// ticks returns the 1, 2 and 5 multiples of the powers of ten inside a.
func ticks(a axis) []float64 {
	var out []float64
	for e := math.Floor(a.lo); e <= math.Ceil(a.hi); e++ {
		for _, m := range []float64{1, 2, 5} {
			v := m * math.Pow(10, e)
			if l := math.Log10(v); l >= a.lo-1e-9 && l <= a.hi+1e-9 {
				out = append(out, v)
			}
		}
	}
	return out
}
