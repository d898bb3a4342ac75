package planner

import "math"

// swapIndex lets bestSwap skip, without looking at them one by one, the
// jobs of a period among which no swap partner can give a saving.
//
// Swapping job j (done in t1) with a job k of the same effort done in t2
// changes the cost by c_j(t2) − c_j(t1) + c_k(t1) − c_k(t2). For every
// pool, effort class, period t2 and period t1 the index keeps a lower
// bound on c_k(t1) − c_k(t2) over the jobs k of that class done in t2
// whose window holds t1 (+Inf when there are none). When j's part plus
// that bound cannot beat the best saving found so far, no job of the
// period can either, and the scan moves on: the swap chosen — and the
// order in which candidates are checked against the caps and budgets — is
// the one the full scan gives, only cheaper to find. Without the index the
// scan looks at every job of the pool in every period of j's window:
// quadratic in the jobs per pool, and most of the local search's time at
// national scale.
//
// A cell holds the exact least value and the job that gives it. Adding a
// job lowers the cells it beats; removing the job a cell's least value
// comes from marks the cell stale, and the next query recomputes it from
// the period's jobs. (Removing any other job leaves the least value as
// it is.)
type swapIndex struct {
	x     *search
	T     int
	class []int32 // job → its effort class in its pool
	base  []int   // pool → index of its first cell
	least []float64
	from  []int32 // the job the least value comes from, -1 for none
	stale []bool
	// maxCost is the largest cost of a pool's jobs, from which skip
	// bounds the rounding of the bound's arithmetic against the scan's.
	maxCost []float64
	off     bool // while swapKeeps books a trial swap it undoes: membership is unchanged
}

// maxSwapCells bounds the index's size (cells of 13 bytes): beyond it
// (hundreds of periods in the horizon) bestSwap scans without the index.
const maxSwapCells = 1 << 24

func newSwapIndex(x *search) *swapIndex {
	p := x.p
	T := p.T
	ix := &swapIndex{x: x, T: T, class: make([]int32, len(p.Jobs)), base: make([]int, len(p.Pools)+1)}
	efforts := make([][]float64, len(p.Pools))
	ix.maxCost = make([]float64, len(p.Pools))
	for ji := range p.Jobs {
		j := &p.Jobs[ji]
		c := -1
		for i, e := range efforts[j.Pool] {
			if e == j.Effort {
				c = i
				break
			}
		}
		if c < 0 {
			c = len(efforts[j.Pool])
			efforts[j.Pool] = append(efforts[j.Pool], j.Effort)
		}
		ix.class[ji] = int32(c)
		for _, v := range j.cost {
			ix.maxCost[j.Pool] = math.Max(ix.maxCost[j.Pool], math.Abs(v))
		}
	}
	cells := 0
	for pool := range p.Pools {
		ix.base[pool] = cells
		cells += len(efforts[pool]) * T * T
		if cells > maxSwapCells {
			return nil
		}
	}
	ix.base[len(p.Pools)] = cells
	ix.least = make([]float64, cells)
	ix.from = make([]int32, cells)
	ix.stale = make([]bool, cells)
	for c := range ix.stale {
		ix.stale[c] = true // computed when first asked for
	}
	return ix
}

// skip reports whether no job of the given class done in pool's period t2
// can be swapped with a job done in t1 for a change in cost below best,
// where dj is the swapping job's own change: the bound plus dj, less a
// margin for rounding. The scan computes (dj + c_k(t1)) − c_k(t2), the
// bound dj + (c_k(t1) − c_k(t2)); each is within 2u(|dj| + 2M) of the
// exact value (u = 2⁻⁵³, M the pool's largest cost), so a margin of
// 4e-15(|dj| + M) — more than four times their sum — keeps a period the
// scan would take from being skipped.
func (ix *swapIndex) skip(pool int, class int32, t2, t1 int, dj, best float64) bool {
	return dj+ix.bound(pool, class, t2, t1) >= best+4e-15*(math.Abs(dj)+ix.maxCost[pool])
}

func (ix *swapIndex) cell(pool int, class int32, t2, t1 int) int {
	return ix.base[pool] + (int(class)*ix.T+t2)*ix.T + t1
}

// added books job k, just put in period t2.
func (ix *swapIndex) added(k, t2 int) {
	if ix.off {
		return
	}
	sub := ix.x.sub
	r := int(sub.release[k])
	costs := sub.cost[sub.at[k]:sub.at[k+1]]
	c2 := costs[t2-r]
	row := ix.cell(int(sub.pool[k]), ix.class[k], t2, 0)
	for i, c1 := range costs {
		t1 := r + i
		if t1 == t2 || ix.stale[row+t1] {
			continue
		}
		if v := c1 - c2; v < ix.least[row+t1] {
			ix.least[row+t1], ix.from[row+t1] = v, int32(k)
		}
	}
}

// removed books job k, just taken out of period t2.
func (ix *swapIndex) removed(k, t2 int) {
	if ix.off {
		return
	}
	sub := ix.x.sub
	r := int(sub.release[k])
	n := int(sub.at[k+1] - sub.at[k])
	row := ix.cell(int(sub.pool[k]), ix.class[k], t2, 0)
	for t1 := r; t1 < r+n; t1++ {
		if ix.from[row+t1] == int32(k) {
			ix.stale[row+t1] = true
		}
	}
}

// bound returns a lower bound on c_k(t1) − c_k(t2) over the jobs k of
// the given class done in pool's period t2 whose window holds t1.
func (ix *swapIndex) bound(pool int, class int32, t2, t1 int) float64 {
	c := ix.cell(pool, class, t2, t1)
	if ix.stale[c] {
		sub := ix.x.sub
		least, from := math.Inf(1), int32(-1)
		for _, k := range ix.x.at[pool][t2] {
			if ix.class[k] != class {
				continue
			}
			r := int(sub.release[k])
			costs := sub.cost[sub.at[k]:sub.at[k+1]]
			if t1 < r || t1-r >= len(costs) {
				continue
			}
			if v := costs[t1-r] - costs[t2-r]; v < least {
				least, from = v, int32(k)
			}
		}
		ix.least[c], ix.from[c], ix.stale[c] = least, from, false
	}
	return ix.least[c]
}
