package gen

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	cf "github.com/corefence/corefence"
)

// ARCEP, the French telecoms regulator, publishes the list of mobile sites
// of metropolitan France: one row per operator per site, semicolon
// separated, with the columns Operateur (the operator's PLMN code), X and Y
// (Lambert-93, EPSG:2154, metres) and 2G, 3G, 4G (1 when the operator runs
// that technology at the site). Source: "ARCEP, sites mobiles 2G/3G/4G",
// Licence Ouverte / Etalab 2.0; users fetch the current edition from
// data.gouv.fr.

// arcepOperators maps ARCEP's PLMN codes to the generator's operator ids.
var arcepOperators = map[string]string{
	"20801": "orange",
	"20810": "sfr",
	"20815": "free",
	"20820": "bouygues",
}

// ARCEPSite is one row of ARCEP's site list.
type ARCEPSite struct {
	Line       int    // line in the file, from 1 (the header is line 1)
	Operator   string // orange, sfr, bouygues or free
	X, Y       int64  // Lambert-93 easting and northing, metres
	Located    bool   // false when the row gives no coordinates (#N/A)
	G2, G3, G4 bool
}

// ARCEPList is ARCEP's site list as read.
type ARCEPList struct {
	File  string
	Sites []ARCEPSite
}

// ReadARCEP reads ARCEP's site list under the default limits. A row
// without coordinates (ARCEP writes #N/A) is kept but not located;
// anything else malformed is a problem naming the file and line, and
// nothing is returned.
func ReadARCEP(r io.Reader, file string) (*ARCEPList, error) {
	return ReadARCEPWith(r, file, cf.DefaultLimits())
}

// ReadARCEPWith is ReadARCEP under lim: the list may hold at most
// lim.InputBytes bytes, lim.Records rows and lines of lim.LineBytes.
func ReadARCEPWith(r io.Reader, file string, lim cf.Limits) (*ARCEPList, error) {
	l := &ARCEPList{File: file}
	var ps cf.Problems
	counted := &countingReader{r: io.LimitReader(r, lim.InputBytes+1)}
	sc := bufio.NewScanner(counted)
	sc.Buffer(make([]byte, 0, min(64*1024, lim.LineBytes+1)), lim.LineBytes+1) // +1: the newline
	line, rows := 0, 0
	for sc.Scan() {
		line++
		pos := cf.Position{File: file, Line: line}
		if counted.n > lim.InputBytes {
			ps.Add(cf.Problem{Pos: cf.Position{File: file}, Message: lim.Exceeded("input-bytes", fmt.Sprintf("file holds more than %d bytes", lim.InputBytes))})
			return nil, ps.Err()
		}
		if !utf8.Valid(sc.Bytes()) {
			ps.Addf(pos, "", "", "", "invalid UTF-8; save the file as UTF-8")
			continue
		}
		text := strings.TrimRight(sc.Text(), "\r")
		if line == 1 {
			text = strings.TrimPrefix(text, "\ufeff")
			want := []string{"operateur", "x", "y", "2g", "3g", "4g"}
			got := strings.Split(strings.ToLower(text), ";")
			if len(got) != len(want) || strings.Join(got, ";") != strings.Join(want, ";") {
				ps.Addf(pos, "", "", "", "header %q, want Operateur;X;Y;2G;3G;4G (ARCEP's site list)", cf.Short(text))
				return nil, ps.Err()
			}
			continue
		}
		if strings.TrimSpace(text) == "" {
			continue
		}
		if rows++; rows > lim.Records {
			ps.Add(cf.Problem{Pos: pos, Message: lim.Exceeded("records", fmt.Sprintf("more than %d rows", lim.Records))})
			return nil, ps.Err()
		}
		f := strings.Split(text, ";")
		if len(f) != 6 {
			ps.Addf(pos, "", "", "", "%d fields, want 6", len(f))
			continue
		}
		s := ARCEPSite{Line: line}
		op, ok := arcepOperators[strings.TrimSpace(f[0])]
		if !ok {
			ps.Addf(pos, "", "", "Operateur", "unknown PLMN code %q (known: 20801 Orange, 20810 SFR, 20815 Free Mobile, 20820 Bouygues Telecom)", cf.Short(f[0]))
		}
		s.Operator = op
		xs, ys := strings.TrimSpace(f[1]), strings.TrimSpace(f[2])
		if xs == "#N/A" && ys == "#N/A" {
			s.Located = false
		} else {
			x, errX := strconv.ParseInt(xs, 10, 64)
			y, errY := strconv.ParseInt(ys, 10, 64)
			switch {
			case errX != nil:
				ps.Addf(pos, "", "", "X", "%q is not a whole number of metres", cf.Short(xs))
			case errY != nil:
				ps.Addf(pos, "", "", "Y", "%q is not a whole number of metres", cf.Short(ys))
			case x < 0 || x > 1_300_000 || y < 6_000_000 || y > 7_200_000:
				ps.Addf(pos, "", "", "X", "%d, %d is outside metropolitan France in Lambert-93", x, y)
			default:
				s.X, s.Y, s.Located = x, y, true
			}
		}
		for i, dst := range []*bool{&s.G2, &s.G3, &s.G4} {
			switch strings.TrimSpace(f[3+i]) {
			case "1":
				*dst = true
			case "0":
			default:
				ps.Addf(pos, "", "", []string{"2G", "3G", "4G"}[i], "%q, want 0 or 1", cf.Short(f[3+i]))
			}
		}
		l.Sites = append(l.Sites, s)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			ps.Add(cf.Problem{Pos: cf.Position{File: file, Line: line + 1},
				Message: lim.Exceeded("line-bytes", fmt.Sprintf("line %d is longer than %d bytes", line+1, lim.LineBytes))})
			return nil, ps.Err()
		}
		return nil, cf.Problem{Pos: cf.Position{File: file}, Message: err.Error()}
	}
	if counted.n > lim.InputBytes {
		return nil, cf.Problem{Pos: cf.Position{File: file}, Message: lim.Exceeded("input-bytes", fmt.Sprintf("file holds more than %d bytes", lim.InputBytes))}
	}
	if line == 0 {
		ps.Addf(cf.Position{File: file}, "", "", "", "empty file, want ARCEP's site list")
	}
	if err := ps.Err(); err != nil {
		return nil, err
	}
	return l, nil
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// Counts returns the rows of each operator, located or not, by operator id.
func (l *ARCEPList) Counts() map[string]int {
	m := map[string]int{}
	for _, s := range l.Sites {
		m[s.Operator]++
	}
	return m
}

// SharedMastMetres is how close two rows must be to be one mast.
//
// ARCEP writes whole metres. Around each site, the density of other
// operators' sites is highest at 0-2 m (6,503 pairs at the same point and
// 7,139 at 1-2 m in the 2018 list), falls twentyfold by 3-4 m, and from 4 m
// on levels off to a plateau that decays slowly out to about 100 m (separate
// antennas on one rooftop or compound, and neighbouring buildings). The
// sharp peak is one structure whose position was recorded a metre or two
// apart by different operators; so rows at most 3 m apart are one mast.
const SharedMastMetres = 3

// Masts groups the located rows into masts: rows within SharedMastMetres of
// each other, directly or through a chain, are one mast. It returns the
// mast of each row (-1 for rows without coordinates), numbered from 0 in
// the order of their first row, and the number of masts.
func (l *ARCEPList) Masts() (mast []int32, n int) {
	parent := make([]int32, len(l.Sites))
	for i := range parent {
		parent[i] = int32(i)
	}
	var find func(int32) int32
	find = func(i int32) int32 {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	union := func(a, b int32) {
		ra, rb := find(a), find(b)
		if ra == rb {
			return
		}
		if ra < rb { // the root is the earliest row
			parent[rb] = ra
		} else {
			parent[ra] = rb
		}
	}
	// A grid of cells SharedMastMetres wide: neighbours are in the same or
	// an adjacent cell.
	const cell = SharedMastMetres
	type key struct{ x, y int64 }
	grid := make(map[key][]int32, len(l.Sites))
	order := make([]int32, 0, len(l.Sites))
	for i := range l.Sites {
		s := &l.Sites[i]
		if !s.Located {
			continue
		}
		k := key{s.X / cell, s.Y / cell}
		grid[k] = append(grid[k], int32(i))
		order = append(order, int32(i))
	}
	const limit = SharedMastMetres * SharedMastMetres
	for _, i := range order {
		s := &l.Sites[i]
		k := key{s.X / cell, s.Y / cell}
		for dx := int64(-1); dx <= 1; dx++ {
			for dy := int64(-1); dy <= 1; dy++ {
				for _, j := range grid[key{k.x + dx, k.y + dy}] {
					if j <= i {
						continue
					}
					t := &l.Sites[j]
					if ddx, ddy := s.X-t.X, s.Y-t.Y; ddx*ddx+ddy*ddy <= limit {
						union(i, j)
					}
				}
			}
		}
	}
	mast = make([]int32, len(l.Sites))
	number := make(map[int32]int32)
	for i := range l.Sites {
		if !l.Sites[i].Located {
			mast[i] = -1
			continue
		}
		r := find(int32(i))
		m, ok := number[r]
		if !ok {
			m = int32(len(number))
			number[r] = m
		}
		mast[i] = m
	}
	return mast, len(number)
}

// MastStats summarises how the located rows share masts.
type MastStats struct {
	Located      int    // rows with coordinates
	Masts        int    // masts (distinct structures)
	Shared       int    // masts with two or more operators
	SharedRows   int    // rows on a shared mast
	ByOperators  [5]int // masts by how many operators use them
	MaxRowsOnOne int

	// By exact coordinates alone: points where rows of two or more
	// operators have the very same X and Y.
	ExactShared int
}

// MastStats counts masts and shared masts.
func (l *ARCEPList) MastStats() MastStats {
	mast, n := l.Masts()
	var st MastStats
	st.Masts = n
	ops := make([]map[string]bool, n)
	rows := make([]int, n)
	type point struct{ x, y int64 }
	atPoint := map[point]map[string]bool{}
	for i, m := range mast {
		if m < 0 {
			continue
		}
		s := &l.Sites[i]
		st.Located++
		if ops[m] == nil {
			ops[m] = map[string]bool{}
		}
		ops[m][s.Operator] = true
		rows[m]++
		pt := point{s.X, s.Y}
		if atPoint[pt] == nil {
			atPoint[pt] = map[string]bool{}
		}
		atPoint[pt][s.Operator] = true
	}
	for m := range ops {
		k := len(ops[m])
		st.ByOperators[min(k, 4)]++
		st.MaxRowsOnOne = max(st.MaxRowsOnOne, rows[m])
		if k >= 2 {
			st.Shared++
			st.SharedRows += rows[m]
		}
	}
	for _, o := range atPoint {
		if len(o) >= 2 {
			st.ExactShared++
		}
	}
	return st
}

// pairDistances counts pairs of located rows of different operators by
// their distance in whole metres, up to maxM: the evidence behind
// SharedMastMetres.
func (l *ARCEPList) pairDistances(maxM int) []int {
	hist := make([]int, maxM+1)
	type key struct{ x, y int64 }
	cell := int64(maxM)
	grid := map[key][]int32{}
	for i := range l.Sites {
		if s := &l.Sites[i]; s.Located {
			k := key{s.X / cell, s.Y / cell}
			grid[k] = append(grid[k], int32(i))
		}
	}
	keys := make([]key, 0, len(grid))
	for k := range grid {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(a, b int) bool { return keys[a].x < keys[b].x || keys[a].x == keys[b].x && keys[a].y < keys[b].y })
	for _, k := range keys {
		for _, i := range grid[k] {
			s := &l.Sites[i]
			for dx := int64(-1); dx <= 1; dx++ {
				for dy := int64(-1); dy <= 1; dy++ {
					for _, j := range grid[key{k.x + dx, k.y + dy}] {
						t := &l.Sites[j]
						if j <= i || t.Operator == s.Operator {
							continue
						}
						d := math.Hypot(float64(s.X-t.X), float64(s.Y-t.Y))
						if d <= float64(maxM) {
							hist[int(d)]++
						}
					}
				}
			}
		}
	}
	return hist
}
