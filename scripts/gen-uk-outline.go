//go:build ignore

// gen-uk-outline.go reduces Natural Earth's 1:50m Admin 0 countries, as
// TopoJSON from the world-atlas package, to the small outline file the HTML
// report embeds: the United Kingdom, and its neighbours clipped to the map's
// frame for context. Run it through scripts/gen-uk-outline, which fetches
// the package and checks its integrity.
//
// Arcs are simplified (Douglas-Peucker) before rings are assembled, so a
// border two countries share is simplified once and still matches.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"math"
	"os"
	"strings"
)

type topology struct {
	Transform struct {
		Scale     [2]float64 `json:"scale"`
		Translate [2]float64 `json:"translate"`
	} `json:"transform"`
	Arcs    [][][2]float64 `json:"arcs"`
	Objects struct {
		Countries struct {
			Geometries []struct {
				Type       string          `json:"type"`
				ID         string          `json:"id"`
				Arcs       json.RawMessage `json:"arcs"`
				Properties struct {
					Name string `json:"name"`
				} `json:"properties"`
			} `json:"geometries"`
		} `json:"countries"`
	} `json:"objects"`
}

type pt [2]float64 // lon, lat

// The map frame: the UK with a margin, wide enough to show the Irish and
// French coasts.
var frame = struct{ minLon, minLat, maxLon, maxLat float64 }{-11.0, 49.6, 2.6, 61.0}

const midLat = 55.3 // for distances: km per degree of longitude shrink by cos(midLat)

var wanted = []struct{ id, role string }{
	{"826", "subject"}, // United Kingdom
	{"372", "context"}, // Ireland
	{"833", "context"}, // Isle of Man
	{"831", "context"}, // Guernsey
	{"832", "context"}, // Jersey
	{"250", "context"}, // France
	{"056", "context"}, // Belgium
	{"528", "context"}, // Netherlands
}

func main() {
	in := flag.String("in", "", "countries-50m.json from the world-atlas package")
	out := flag.String("out", "", "output file")
	tolKm := flag.Float64("tolerance", 1.6, "simplification tolerance in km")
	minAreaKm2 := flag.Float64("min-area", 40, "drop islands smaller than this (km²)")
	source := flag.String("source", "", "provenance line to record")
	flag.Parse()
	data, err := os.ReadFile(*in)
	if err != nil {
		log.Fatal(err)
	}
	var topo topology
	if err := json.Unmarshal(data, &topo); err != nil {
		log.Fatal(err)
	}
	// Decode the delta-encoded, quantised arcs, and simplify each once.
	arcs := make([][]pt, len(topo.Arcs))
	for i, a := range topo.Arcs {
		var x, y float64
		line := make([]pt, len(a))
		for j, d := range a {
			x += d[0]
			y += d[1]
			line[j] = pt{x*topo.Transform.Scale[0] + topo.Transform.Translate[0], y*topo.Transform.Scale[1] + topo.Transform.Translate[1]}
		}
		arcs[i] = simplify(line, *tolKm)
	}
	type country struct {
		ID, Name, Role string
		Rings          [][][][2]json.Number
	}
	var countries []country
	points := 0
	for _, w := range wanted {
		found := false
		for _, g := range topo.Objects.Countries.Geometries {
			if g.ID != w.id {
				continue
			}
			found = true
			var polys [][][]int
			switch g.Type {
			case "Polygon":
				var p [][]int
				if err := json.Unmarshal(g.Arcs, &p); err != nil {
					log.Fatal(err)
				}
				polys = [][][]int{p}
			case "MultiPolygon":
				if err := json.Unmarshal(g.Arcs, &polys); err != nil {
					log.Fatal(err)
				}
			default:
				log.Fatalf("%s: geometry type %s", g.ID, g.Type)
			}
			c := country{ID: g.ID, Name: g.Properties.Name, Role: w.role}
			for _, poly := range polys {
				var rings [][][2]json.Number
				for k, ringArcs := range poly {
					ring := assemble(arcs, ringArcs)
					if n := len(ring); n > 1 && ring[0] == ring[n-1] {
						ring = ring[:n-1] // closed implicitly
					}
					if w.role == "context" {
						ring = clip(ring)
					}
					if len(ring) < 3 {
						continue
					}
					if k == 0 && math.Abs(areaKm2(ring)) < *minAreaKm2 {
						break // a small island, holes and all
					}
					if k > 0 && math.Abs(areaKm2(ring)) < *minAreaKm2 {
						continue
					}
					rings = append(rings, round(ring))
					points += len(ring)
				}
				if len(rings) > 0 {
					c.Rings = append(c.Rings, rings)
				}
			}
			if len(c.Rings) > 0 {
				countries = append(countries, c)
			}
		}
		if !found {
			log.Fatalf("country %s not in the topology", w.id)
		}
	}

	var b strings.Builder
	fmt.Fprintf(&b, "{\n")
	fmt.Fprintf(&b, "  \"source\": %q,\n", *source)
	fmt.Fprintf(&b, "  \"licence\": %q,\n", "Natural Earth data is in the public domain (naturalearthdata.com/about/terms-of-use). "+
		"The TopoJSON conversion is from the world-atlas package, ISC licence: Copyright 2013-2019 Michael Bostock. "+
		"Permission to use, copy, modify, and/or distribute this software for any purpose with or without fee is hereby granted, "+
		"provided that the above copyright notice and this permission notice appear in all copies.")
	fmt.Fprintf(&b, "  \"generator\": \"scripts/gen-uk-outline (tolerance %g km, islands under %g km² dropped, neighbours clipped to the frame)\",\n", *tolKm, *minAreaKm2)
	fmt.Fprintf(&b, "  \"frame\": [%g, %g, %g, %g],\n", frame.minLon, frame.minLat, frame.maxLon, frame.maxLat)
	fmt.Fprintf(&b, "  \"points\": %d,\n", points)
	fmt.Fprintf(&b, "  \"countries\": [\n")
	for i, c := range countries {
		fmt.Fprintf(&b, "    {\"id\": %q, \"name\": %q, \"role\": %q, \"polygons\": [\n", c.ID, c.Name, c.Role)
		for j, poly := range c.Rings {
			fmt.Fprintf(&b, "      [\n")
			for k, ring := range poly {
				enc, _ := json.Marshal(ring)
				sep := ","
				if k == len(poly)-1 {
					sep = ""
				}
				fmt.Fprintf(&b, "        %s%s\n", enc, sep)
			}
			sep := ","
			if j == len(c.Rings)-1 {
				sep = ""
			}
			fmt.Fprintf(&b, "      ]%s\n", sep)
		}
		sep := ","
		if i == len(countries)-1 {
			sep = ""
		}
		fmt.Fprintf(&b, "    ]}%s\n", sep)
	}
	fmt.Fprintf(&b, "  ]\n}\n")
	if err := os.WriteFile(*out, []byte(b.String()), 0o644); err != nil {
		log.Fatal(err)
	}
	fmt.Fprintf(os.Stderr, "wrote %s: %d countries, %d points, %d bytes\n", *out, len(countries), points, b.Len())
}

func round(ring []pt) [][2]json.Number {
	out := make([][2]json.Number, len(ring))
	for i, p := range ring {
		out[i] = [2]json.Number{num(p[0]), num(p[1])}
	}
	return out
}

func num(v float64) json.Number {
	s := fmt.Sprintf("%.3f", v)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	if s == "-0" {
		s = "0"
	}
	return json.Number(s)
}

// assemble joins a ring's arcs; a negative index ~i is arc i reversed.
func assemble(arcs [][]pt, idx []int) []pt {
	var ring []pt
	for _, i := range idx {
		var a []pt
		if i < 0 {
			src := arcs[^i]
			a = make([]pt, len(src))
			for j := range src {
				a[j] = src[len(src)-1-j]
			}
		} else {
			a = arcs[i]
		}
		if len(ring) > 0 {
			a = a[1:] // shared with the previous arc's end
		}
		ring = append(ring, a...)
	}
	return ring
}

func km(p pt) (x, y float64) {
	return p[0] * 111.32 * math.Cos(midLat*math.Pi/180), p[1] * 110.57
}

// simplify is Douglas-Peucker in km, keeping both ends.
func simplify(line []pt, tol float64) []pt {
	if len(line) <= 2 {
		return line
	}
	keep := make([]bool, len(line))
	keep[0], keep[len(line)-1] = true, true
	var rec func(lo, hi int)
	rec = func(lo, hi int) {
		if hi <= lo+1 {
			return
		}
		ax, ay := km(line[lo])
		bx, by := km(line[hi])
		best, at := -1.0, -1
		for i := lo + 1; i < hi; i++ {
			px, py := km(line[i])
			if d := segDist(px, py, ax, ay, bx, by); d > best {
				best, at = d, i
			}
		}
		if best > tol {
			keep[at] = true
			rec(lo, at)
			rec(at, hi)
		}
	}
	// A closed arc (an island) has equal ends: split it at its farthest point.
	if line[0] == line[len(line)-1] {
		ax, ay := km(line[0])
		far, at := -1.0, 0
		for i, p := range line {
			px, py := km(p)
			if d := math.Hypot(px-ax, py-ay); d > far {
				far, at = d, i
			}
		}
		keep[at] = true
		rec(0, at)
		rec(at, len(line)-1)
	} else {
		rec(0, len(line)-1)
	}
	var out []pt
	for i, p := range line {
		if keep[i] {
			out = append(out, p)
		}
	}
	return out
}

func segDist(px, py, ax, ay, bx, by float64) float64 {
	dx, dy := bx-ax, by-ay
	l2 := dx*dx + dy*dy
	if l2 == 0 {
		return math.Hypot(px-ax, py-ay)
	}
	t := math.Max(0, math.Min(1, ((px-ax)*dx+(py-ay)*dy)/l2))
	return math.Hypot(px-ax-t*dx, py-ay-t*dy)
}

func areaKm2(ring []pt) float64 {
	var a float64
	for i := range ring {
		x1, y1 := km(ring[i])
		x2, y2 := km(ring[(i+1)%len(ring)])
		a += x1*y2 - x2*y1
	}
	return a / 2
}

// clip cuts a ring to the frame (Sutherland-Hodgman, one edge at a time).
func clip(ring []pt) []pt {
	type edge struct {
		inside func(pt) bool
		cross  func(a, b pt) pt
	}
	at := func(a, b pt, axis int, v float64) pt {
		t := (v - a[axis]) / (b[axis] - a[axis])
		return pt{a[0] + t*(b[0]-a[0]), a[1] + t*(b[1]-a[1])}
	}
	edges := []edge{
		{func(p pt) bool { return p[0] >= frame.minLon }, func(a, b pt) pt { return at(a, b, 0, frame.minLon) }},
		{func(p pt) bool { return p[0] <= frame.maxLon }, func(a, b pt) pt { return at(a, b, 0, frame.maxLon) }},
		{func(p pt) bool { return p[1] >= frame.minLat }, func(a, b pt) pt { return at(a, b, 1, frame.minLat) }},
		{func(p pt) bool { return p[1] <= frame.maxLat }, func(a, b pt) pt { return at(a, b, 1, frame.maxLat) }},
	}
	out := ring
	for _, e := range edges {
		in := out
		out = nil
		for i := range in {
			cur, prev := in[i], in[(i+len(in)-1)%len(in)]
			switch {
			case e.inside(cur) && e.inside(prev):
				out = append(out, cur)
			case e.inside(cur):
				out = append(out, e.cross(prev, cur), cur)
			case e.inside(prev):
				out = append(out, e.cross(prev, cur))
			}
		}
		if len(out) == 0 {
			return nil
		}
	}
	return out
}
