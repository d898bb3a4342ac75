package milp

import (
	"errors"
	"math"
)

// Tolerances of the simplex method.
const (
	tolPrimal = 1e-7  // a basic variable this far outside its bounds is infeasible
	tolDual   = 1e-9  // a reduced cost this far on the wrong side is dual infeasible
	tolPivot  = 1e-9  // pivot elements smaller than this are not used
	bigBound  = 1e9   // artificial bound for an unbounded variable whose cost has the wrong sign
	refactor  = 100   // pivots between refactorisations of the basis inverse
	maxIters  = 50000 // pivots per solve before giving up
)

var (
	errLPInfeasible = errors.New("milp: linear relaxation infeasible")
	errLPUnbounded  = errors.New("milp: linear relaxation unbounded")
	errLPIterations = errors.New("milp: iteration limit")
)

// Variable positions.
const (
	basic int8 = iota
	atLower
	atUpper
	atZero // nonbasic free variable
)

// simplex is a bounded dual simplex method on the rows a·x + s = rhs, with
// one slack per row (bounds [0,∞) for ≤, (-∞,0] for ≥, [0,0] for =). It
// keeps the inverse of the basis explicitly, as a dense m×m matrix updated
// at each pivot and recomputed every refactor pivots; at the planner's sizes
// (hundreds of rows) that is faster than a sparse factorisation would be
// worth in code.
type simplex struct {
	m, n int // rows, structural columns; columns n..n+m-1 are slacks

	colStart []int32 // structural columns, compressed
	colRow   []int32
	colVal   []float64

	c      []float64 // costs, n+m
	lo, hi []float64 // current bounds, n+m
	rhs    []float64

	head  []int     // the basic column of each row
	state []int8    // per column
	x     []float64 // values of every column
	d     []float64 // reduced costs
	binv  []float64 // basis inverse, row-major
	artif []bool    // the column sits on an artificial bound

	iters     int
	sinceFact int

	rho, alphaR, col []float64 // work vectors
}

func newSimplex(md *Model) *simplex {
	m, n := len(md.rows), len(md.obj)
	s := &simplex{m: m, n: n}
	counts := make([]int32, n+1)
	for _, r := range md.rows {
		for _, j := range r.Idx {
			counts[j+1]++
		}
	}
	for j := 0; j < n; j++ {
		counts[j+1] += counts[j]
	}
	s.colStart = counts
	nnz := counts[n]
	s.colRow = make([]int32, nnz)
	s.colVal = make([]float64, nnz)
	fill := make([]int32, n)
	copy(fill, counts[:n])
	for i, r := range md.rows {
		for k, j := range r.Idx {
			if r.Val[k] == 0 {
				continue
			}
			p := fill[j]
			s.colRow[p], s.colVal[p] = int32(i), r.Val[k]
			fill[j]++
		}
	}
	// Zero coefficients were skipped: close the gaps column by column.
	w := int32(0)
	for j := 0; j < n; j++ {
		start := w
		for p := counts[j]; p < fill[j]; p++ {
			s.colRow[w], s.colVal[w] = s.colRow[p], s.colVal[p]
			w++
		}
		s.colStart[j] = start
	}
	s.colStart[n] = w
	s.colRow, s.colVal = s.colRow[:w], s.colVal[:w]

	N := n + m
	s.c = make([]float64, N)
	copy(s.c, md.obj)
	s.lo = make([]float64, N)
	s.hi = make([]float64, N)
	copy(s.lo, md.lo)
	copy(s.hi, md.hi)
	s.rhs = make([]float64, m)
	for i, r := range md.rows {
		s.rhs[i] = r.RHS
		j := n + i
		switch r.Sense {
		case LE:
			s.lo[j], s.hi[j] = 0, Inf
		case GE:
			s.lo[j], s.hi[j] = -Inf, 0
		case EQ:
			s.lo[j], s.hi[j] = 0, 0
		}
	}
	s.head = make([]int, m)
	s.state = make([]int8, N)
	s.x = make([]float64, N)
	s.d = make([]float64, N)
	s.artif = make([]bool, N)
	s.binv = make([]float64, m*m)
	s.rho = make([]float64, m)
	s.alphaR = make([]float64, N)
	s.col = make([]float64, m)
	for i := 0; i < m; i++ {
		s.head[i] = n + i
		s.state[n+i] = basic
		s.binv[i*m+i] = 1
	}
	copy(s.d, s.c)
	for j := 0; j < n; j++ {
		s.placeNonbasic(j)
	}
	s.computePrimal()
	return s
}

// placeNonbasic puts nonbasic column j on the bound its reduced cost asks
// for, keeping the basis dual feasible; a missing bound is replaced by an
// artificial one.
func (s *simplex) placeNonbasic(j int) {
	lo, hi := s.lo[j], s.hi[j]
	s.artif[j] = false
	switch {
	case lo == hi:
		s.state[j], s.x[j] = atLower, lo
	case s.d[j] > tolDual:
		if math.IsInf(lo, -1) {
			s.state[j], s.x[j], s.artif[j] = atLower, -bigBound, true
		} else {
			s.state[j], s.x[j] = atLower, lo
		}
	case s.d[j] < -tolDual:
		if math.IsInf(hi, 1) {
			s.state[j], s.x[j], s.artif[j] = atUpper, bigBound, true
		} else {
			s.state[j], s.x[j] = atUpper, hi
		}
	default:
		switch {
		case s.state[j] == atUpper && !math.IsInf(hi, 1):
			s.x[j] = hi
		case !math.IsInf(lo, -1):
			s.state[j], s.x[j] = atLower, lo
		case !math.IsInf(hi, 1):
			s.state[j], s.x[j] = atUpper, hi
		default:
			s.state[j], s.x[j] = atZero, 0
		}
	}
}

// column calls f for every non-zero of column j.
func (s *simplex) column(j int, f func(i int, v float64)) {
	if j >= s.n {
		f(j-s.n, 1)
		return
	}
	for p := s.colStart[j]; p < s.colStart[j+1]; p++ {
		f(int(s.colRow[p]), s.colVal[p])
	}
}

// computePrimal sets the basic values from the nonbasic ones: x_B = B⁻¹(b − N x_N).
func (s *simplex) computePrimal() {
	m := s.m
	r := make([]float64, m)
	copy(r, s.rhs)
	for j := 0; j < s.n+m; j++ {
		if s.state[j] == basic || s.x[j] == 0 {
			continue
		}
		xj := s.x[j]
		s.column(j, func(i int, v float64) { r[i] -= v * xj })
	}
	for i := 0; i < m; i++ {
		row := s.binv[i*m : (i+1)*m]
		v := 0.0
		for k, rk := range r {
			v += row[k] * rk
		}
		s.x[s.head[i]] = v
	}
}

// computeDual sets the reduced costs d = c − (c_B B⁻¹) A.
func (s *simplex) computeDual() {
	m := s.m
	y := make([]float64, m)
	for i := 0; i < m; i++ {
		cb := s.c[s.head[i]]
		if cb == 0 {
			continue
		}
		row := s.binv[i*m : (i+1)*m]
		for k := range y {
			y[k] += cb * row[k]
		}
	}
	for j := 0; j < s.n+m; j++ {
		if s.state[j] == basic {
			s.d[j] = 0
			continue
		}
		v := s.c[j]
		s.column(j, func(i int, a float64) { v -= y[i] * a })
		s.d[j] = v
	}
}

// factor recomputes the basis inverse by Gauss-Jordan elimination with
// partial pivoting. A (numerically) singular basis has its offending
// columns replaced by slacks.
func (s *simplex) factor() {
	for attempt := 0; attempt <= s.m; attempt++ {
		if s.tryFactor() {
			break
		}
	}
	s.sinceFact = 0
}

// tryFactor inverts the basis, or replaces a dependent basic column by a
// slack and reports false.
func (s *simplex) tryFactor() bool {
	m := s.m
	a := make([]float64, m*m) // B, row-major
	for i, j := range s.head {
		s.column(j, func(r int, v float64) { a[r*m+i] = v })
	}
	inv := s.binv
	for i := range inv {
		inv[i] = 0
	}
	for i := 0; i < m; i++ {
		inv[i*m+i] = 1
	}
	for k := 0; k < m; k++ {
		p, best := -1, 1e-11
		for i := k; i < m; i++ {
			if v := math.Abs(a[i*m+k]); v > best {
				p, best = i, v
			}
		}
		if p < 0 {
			// Column k of the basis is dependent on the others: swap in
			// the slack of a row that no pivot has used yet and start again.
			s.repairBasis(k)
			return false
		}
		if p != k {
			swapRows(a, m, p, k)
			swapRows(inv, m, p, k)
		}
		piv := 1 / a[k*m+k]
		rk, ik := a[k*m:(k+1)*m], inv[k*m:(k+1)*m]
		for c := range rk {
			rk[c] *= piv
			ik[c] *= piv
		}
		for i := 0; i < m; i++ {
			if i == k {
				continue
			}
			f := a[i*m+k]
			if f == 0 {
				continue
			}
			ri, ii := a[i*m:(i+1)*m], inv[i*m:(i+1)*m]
			for c := k; c < m; c++ {
				ri[c] -= f * rk[c]
			}
			for c := range ii {
				ii[c] -= f * ik[c]
			}
		}
	}
	return true
}

// repairBasis replaces basic column k by a slack not in the basis.
func (s *simplex) repairBasis(k int) {
	inBasis := make([]bool, s.m)
	for _, j := range s.head {
		if j >= s.n {
			inBasis[j-s.n] = true
		}
	}
	for i := 0; i < s.m; i++ {
		if !inBasis[i] {
			old := s.head[k]
			s.head[k] = s.n + i
			s.state[s.n+i] = basic
			s.state[old] = atLower
			s.placeNonbasic(old)
			return
		}
	}
}

func swapRows(a []float64, m, p, q int) {
	rp, rq := a[p*m:(p+1)*m], a[q*m:(q+1)*m]
	for c := range rp {
		rp[c], rq[c] = rq[c], rp[c]
	}
}

// refresh recomputes the inverse, the primal values and the reduced costs,
// and moves nonbasic columns whose reduced cost changed sign to the other
// bound, so that rounding errors do not accumulate.
func (s *simplex) refresh() {
	s.factor()
	s.computeDual()
	for j := 0; j < s.n+s.m; j++ {
		if s.state[j] != basic {
			s.placeNonbasic(j)
		}
	}
	s.computePrimal()
}

// solve runs the dual simplex method from the current basis, which must be
// dual feasible (placeNonbasic makes it so).
func (s *simplex) solve() error {
	m := s.m
	for it := 0; ; it++ {
		if it >= maxIters {
			return errLPIterations
		}
		if s.sinceFact >= refactor {
			s.refresh()
		}
		// Leaving row: the basic variable furthest outside its bounds.
		r, delta, worst := -1, 0.0, tolPrimal
		for i := 0; i < m; i++ {
			j := s.head[i]
			v := s.x[j]
			if lo := s.lo[j]; v < lo-tolPrimal*(1+math.Abs(lo)) {
				if lo-v > worst {
					r, delta, worst = i, v-lo, lo-v
				}
			} else if hi := s.hi[j]; v > hi+tolPrimal*(1+math.Abs(hi)) {
				if v-hi > worst {
					r, delta, worst = i, v-hi, v-hi
				}
			}
		}
		if r < 0 {
			if s.sinceFact > 0 {
				// Confirm optimality on fresh numbers.
				s.refresh()
				if s.primalFeasible() {
					return s.checkArtificial()
				}
				continue
			}
			return s.checkArtificial()
		}

		// Pivot row: ρ = e_r B⁻¹, α_r = ρ A.
		copy(s.rho, s.binv[r*m:(r+1)*m])
		sgn := 1.0
		if delta < 0 {
			sgn = -1
		}
		// Harris ratio test, pass one: the largest dual step that keeps
		// every reduced cost within tolerance.
		thetaMax := Inf
		for j := 0; j < s.n+m; j++ {
			if s.state[j] == basic {
				continue
			}
			// Fixed columns never enter, but their reduced costs are kept
			// up to date for when branching frees them again.
			a := s.rowEntry(j)
			s.alphaR[j] = a
			if s.lo[j] == s.hi[j] || math.Abs(a) < tolPivot {
				continue
			}
			dir := s.direction(j, sgn*a)
			if dir == 0 || sgn*a*dir <= 0 {
				continue
			}
			if t := (s.d[j]*dir + tolDual) / math.Abs(a); t < thetaMax {
				thetaMax = t
			}
		}
		if math.IsInf(thetaMax, 1) {
			return errLPInfeasible
		}
		// Pass two: among the columns within that step, the largest pivot.
		q, qa := -1, 0.0
		for j := 0; j < s.n+m; j++ {
			st := s.state[j]
			if st == basic || s.lo[j] == s.hi[j] {
				continue
			}
			a := s.alphaR[j]
			if math.Abs(a) < tolPivot {
				continue
			}
			dir := s.direction(j, sgn*a)
			if dir == 0 || sgn*a*dir <= 0 {
				continue
			}
			if t := s.d[j] * dir / math.Abs(a); t <= thetaMax && math.Abs(a) > qa {
				q, qa = j, math.Abs(a)
			}
		}
		if q < 0 {
			return errLPInfeasible
		}
		aq := s.alphaR[q]

		// Entering column in terms of the basis: B⁻¹ A_q.
		for i := range s.col {
			s.col[i] = 0
		}
		s.column(q, func(i int, v float64) {
			for k := 0; k < m; k++ {
				s.col[k] += s.binv[k*m+i] * v
			}
		})

		// Primal step.
		step := delta / aq
		for i := 0; i < m; i++ {
			if s.col[i] != 0 {
				s.x[s.head[i]] -= step * s.col[i]
			}
		}
		leaving := s.head[r]
		s.x[q] += step
		if delta < 0 {
			s.state[leaving], s.x[leaving] = atLower, s.lo[leaving]
		} else {
			s.state[leaving], s.x[leaving] = atUpper, s.hi[leaving]
		}
		s.artif[leaving] = false

		// Dual step.
		theta := s.d[q] / aq
		for j := 0; j < s.n+m; j++ {
			if s.state[j] != basic && j != leaving {
				if a := s.alphaR[j]; a != 0 {
					s.d[j] -= theta * a
				}
			}
		}
		s.d[q] = 0
		s.d[leaving] = -theta

		// Basis change and inverse update.
		s.head[r] = q
		s.state[q] = basic
		s.artif[q] = false
		piv := s.col[r]
		rowR := s.binv[r*m : (r+1)*m]
		inv := 1 / piv
		for k := range rowR {
			rowR[k] *= inv
		}
		for i := 0; i < m; i++ {
			f := s.col[i]
			if i == r || f == 0 {
				continue
			}
			rowI := s.binv[i*m : (i+1)*m]
			for k, v := range rowR {
				if v != 0 {
					rowI[k] -= f * v
				}
			}
		}
		for j := range s.alphaR {
			s.alphaR[j] = 0
		}
		s.iters++
		s.sinceFact++
	}
}

// rowEntry returns α_rj = ρ·A_j for the current ρ.
func (s *simplex) rowEntry(j int) float64 {
	if j >= s.n {
		return s.rho[j-s.n]
	}
	v := 0.0
	for p := s.colStart[j]; p < s.colStart[j+1]; p++ {
		v += s.rho[s.colRow[p]] * s.colVal[p]
	}
	return v
}

// direction is +1 if nonbasic column j may increase, -1 if it may
// decrease, and for a free column the direction that makes it eligible
// (want is the sign the product must have).
func (s *simplex) direction(j int, want float64) float64 {
	switch s.state[j] {
	case atLower:
		if s.x[j] >= s.hi[j] {
			return 0
		}
		return 1
	case atUpper:
		if s.x[j] <= s.lo[j] {
			return 0
		}
		return -1
	case atZero:
		if want > 0 {
			return 1
		}
		return -1
	}
	return 0
}

func (s *simplex) primalFeasible() bool {
	for _, j := range s.head {
		v := s.x[j]
		if v < s.lo[j]-tolPrimal*(1+math.Abs(s.lo[j])) || v > s.hi[j]+tolPrimal*(1+math.Abs(s.hi[j])) {
			return false
		}
	}
	return true
}

// checkArtificial reports an unbounded relaxation when a variable still sits
// on an artificial bound at the optimum.
func (s *simplex) checkArtificial() error {
	for j := range s.artif {
		if s.artif[j] && s.state[j] != basic {
			return errLPUnbounded
		}
	}
	return nil
}

// objective returns c·x over the structural columns.
func (s *simplex) objective() float64 {
	v := 0.0
	for j := 0; j < s.n; j++ {
		v += s.c[j] * s.x[j]
	}
	return v
}

// setBounds changes the bounds of structural column j; the basis stays
// dual feasible, and the next solve restores primal feasibility.
func (s *simplex) setBounds(j int, lo, hi float64) {
	s.lo[j], s.hi[j] = lo, hi
	if s.state[j] != basic {
		s.placeNonbasic(j)
	}
}
