package planner

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
)

// search is a schedule with everything a move needs to be checked and
// priced in constant or O(periods) time: the work per pool and period, the
// delay cost of each pool's new builds, the weight each milestone has done
// by its date, and the spend of each budget.
type search struct {
	p        *Problem
	s        Schedule
	usage    [][]float64
	delay    []float64
	backlog  [][]float64 // per pool and period: new builds waiting after it
	cumDelay [][]float64 // per pool and period: delay cost up to and including it
	doneBy   []float64   // per milestone: weight of the units cleared by its period
	unitJobs [][]int     // per milestone and unit: its jobs done by the milestone's period
	spend    []float64
	budgetAt [][]int
	opOf     []int
	at       [][][]int    // pool × period → jobs there
	pos      []int        // job → index in its at list
	sub      *subproblems // the jobs' costs and windows laid out flat, for bestSwap's scan; set by improve
	swaps    *swapIndex   // bounds that let bestSwap skip whole periods; set by improve
}

const eps = 1e-9

func newSearch(p *Problem, s Schedule) *search {
	H := len(p.Periods)
	x := &search{p: p, s: s, usage: grid(len(p.Pools), H), delay: make([]float64, len(p.Pools)),
		doneBy: make([]float64, len(p.Milestones)), spend: make([]float64, len(p.Budgets)),
		opOf: make([]int, len(p.Jobs)), pos: make([]int, len(p.Jobs))}
	x.unitJobs = make([][]int, len(p.Milestones))
	for k := range p.Milestones {
		x.unitJobs[k] = make([]int, len(p.Milestones[k].Units))
	}
	opIndex := p.opIndex()
	x.budgetAt = make([][]int, len(p.operators()))
	for i := range x.budgetAt {
		x.budgetAt[i] = make([]int, p.T)
		for t := range x.budgetAt[i] {
			x.budgetAt[i][t] = -1
		}
	}
	for bi, b := range p.Budgets {
		for t := b.From; t <= b.To; t++ {
			x.budgetAt[opIndex[b.Operator]][t] = bi
		}
	}
	x.at = make([][][]int, len(p.Pools))
	for i := range x.at {
		x.at[i] = make([][]int, p.T)
	}
	for ji := range p.Jobs {
		x.opOf[ji] = opIndex[p.Jobs[ji].Operator]
		if t := s[ji]; t >= 0 {
			x.add(ji, t)
		}
	}
	x.backlog, x.cumDelay = grid(len(p.Pools), H), grid(len(p.Pools), H)
	x.resimulate()
	return x
}

// resimulate prices every pool's new-build programme afresh.
func (x *search) resimulate() {
	for i := range x.p.Pools {
		x.simulatePool(i)
	}
}

// simulatePool runs pool i's programme against its usage, keeping the
// backlog and the running delay cost per period for delayDelta.
func (x *search) simulatePool(i int) {
	pl := &x.p.Pools[i]
	b, cost := 0.0, 0.0
	for t := range pl.Capacity {
		b, _ = pl.serve(t, b, pl.Capacity[t]-x.usage[i][t])
		cost += pl.Delay * b
		x.backlog[i][t], x.cumDelay[i][t] = b, cost
	}
	x.delay[i] = cost
}

// add and remove book job ji in or out of period t (not the delay cost).
func (x *search) add(ji, t int) {
	j := &x.p.Jobs[ji]
	x.usage[j.Pool][t] += j.Effort
	for _, c := range j.caps {
		if ms := &x.p.Milestones[c.k]; t <= ms.Period {
			x.unitJobs[c.k][c.u]++
			if u := &ms.Units[c.u]; x.unitJobs[c.k][c.u] == len(u.Jobs) {
				x.doneBy[c.k] += u.Weight
			}
		}
	}
	if b := x.budgetAt[x.opOf[ji]][t]; b >= 0 {
		x.spend[b] += j.Capex
	}
	list := x.at[j.Pool][t]
	x.pos[ji] = len(list)
	x.at[j.Pool][t] = append(list, ji)
	if x.swaps != nil {
		x.swaps.added(ji, t)
	}
}

func (x *search) remove(ji, t int) {
	j := &x.p.Jobs[ji]
	x.usage[j.Pool][t] -= j.Effort
	for _, c := range j.caps {
		if ms := &x.p.Milestones[c.k]; t <= ms.Period {
			if u := &ms.Units[c.u]; x.unitJobs[c.k][c.u] == len(u.Jobs) {
				x.doneBy[c.k] -= u.Weight
			}
			x.unitJobs[c.k][c.u]--
		}
	}
	if b := x.budgetAt[x.opOf[ji]][t]; b >= 0 {
		x.spend[b] -= j.Capex
	}
	list := x.at[j.Pool][t]
	i, last := x.pos[ji], len(list)-1
	list[i] = list[last]
	x.pos[list[i]] = i
	x.at[j.Pool][t] = list[:last]
	if x.swaps != nil {
		x.swaps.removed(ji, t)
	}
}

// move puts job ji in period t (-1: not done) and updates the pool's
// delay cost.
func (x *search) move(ji, t int) {
	j := &x.p.Jobs[ji]
	if old := x.s[ji]; old >= 0 {
		x.remove(ji, old)
	}
	if t >= 0 {
		x.add(ji, t)
	}
	x.s[ji] = t
	if x.p.Pools[j.Pool].hasNewBuilds() {
		x.simulatePool(j.Pool)
	}
}

func (x *search) cost(ji, t int) float64 {
	if t < 0 {
		return 0
	}
	return x.p.Jobs[ji].Cost(t)
}

func (x *search) room(pool, t int) float64 {
	return x.p.Pools[pool].Capacity[t] - x.usage[pool][t]
}

// fits reports whether effort e fits in pool's period t.
func (x *search) fits(pool, t int, e float64) bool {
	return x.usage[pool][t]+e <= x.p.Pools[pool].Capacity[t]*(1+tolCheck)+tolCheck
}

// keeps reports whether moving job ji from its period to t keeps every
// milestone and budget (capacity is the caller's business).
func (x *search) keeps(ji, t int) bool {
	p := x.p
	j := &p.Jobs[ji]
	from := x.s[ji]
	for _, c := range j.caps {
		ms := &p.Milestones[c.k]
		before := from >= 0 && from <= ms.Period
		after := t >= 0 && t <= ms.Period
		u := &ms.Units[c.u]
		if before && !after && x.unitJobs[c.k][c.u] == len(u.Jobs) && x.doneBy[c.k]-u.Weight < ms.Need-tolCheck*(1+ms.Need) {
			return false
		}
	}
	if t >= 0 {
		b2 := x.budgetAt[x.opOf[ji]][t]
		b1 := -1
		if from >= 0 {
			b1 = x.budgetAt[x.opOf[ji]][from]
		}
		if b2 >= 0 && b2 != b1 && x.spend[b2]+j.Capex > p.Budgets[b2].Limit*(1+tolCheck)+tolCheck {
			return false
		}
	}
	return true
}

// delayDelta is the change in pool's delay cost if effort e moves from
// period from to period to (either may be -1).
func (x *search) delayDelta(pool, from, to int, e float64) float64 {
	pl := &x.p.Pools[pool]
	if !pl.hasNewBuilds() || from == to {
		return 0
	}
	// Nothing changes before the first period touched; after the last one,
	// the programme runs as before once its backlog is the same again.
	t0, t1 := from, to
	if t0 < 0 || (t1 >= 0 && t1 < t0) {
		t0, t1 = t1, t0
	}
	b, cost := 0.0, 0.0
	if t0 > 0 {
		b, cost = x.backlog[pool][t0-1], x.cumDelay[pool][t0-1]
	}
	usage, bl, cum := x.usage[pool], x.backlog[pool], x.cumDelay[pool]
	for t := t0; t < len(pl.Capacity); t++ {
		spare := pl.Capacity[t] - usage[t]
		if t == from {
			spare += e
		}
		if t == to {
			spare -= e
		}
		b, _ = pl.serve(t, b, spare)
		cost += pl.Delay * b
		if t >= t1 && b == bl[t] {
			return cost - cum[t]
		}
	}
	return cost - x.delay[pool]
}

// total is the schedule's cost.
func (x *search) total() float64 {
	c := 0.0
	for ji, t := range x.s {
		c += x.cost(ji, t)
	}
	for _, d := range x.delay {
		c += d
	}
	return c
}

// errNoSchedule means the heuristic found no schedule that meets every
// constraint; it does not prove that none exists.
var errNoSchedule = errors.New("no feasible schedule found")

// stuck is errNoSchedule with the pools whose crews ran out.
type stuck struct {
	pools []int
	msg   string
}

func (e *stuck) Error() string        { return errNoSchedule.Error() + ": " + e.msg }
func (e *stuck) Is(target error) bool { return target == errNoSchedule }

// pricer gives the cost a construction steers by: the true cost, or a
// Lagrangian reduced cost.
type pricer func(ji, t int) float64

// construct builds a schedule job by job, each in the period its pricer
// likes best among those with room, moving other jobs along a chain of
// periods when its window is full: first the jobs with deadlines before
// the horizon ends, then, cap by cap, the candidates that meet each cap at
// the least extra cost per unit of the cap's metric, then the other
// mandatory jobs, then any optional job the pricer finds worth doing.
// Budgets are repaired last.
func construct(ctx context.Context, p *Problem, price pricer) (*search, error) {
	s := make(Schedule, len(p.Jobs))
	for i := range s {
		s[i] = -1
	}
	x := newSearch(p, s)
	place := func(ji, lo, hi int, optional bool) (bool, error) {
		j := &p.Jobs[ji]
		best, bt := math.Inf(1), -1
		if optional {
			best = 0 // done only if the pricer says it pays
		}
		for t := hi; t >= lo; t-- {
			if !x.fits(j.Pool, t, j.Effort) || !x.keeps(ji, t) {
				continue
			}
			if v := price(ji, t); v < best-eps {
				best, bt = v, t
			}
		}
		if bt >= 0 {
			x.add(ji, bt)
			x.s[ji] = bt
			return true, nil
		}
		if optional {
			return false, nil
		}
		return x.insertByChain(ji, lo, hi), nil
	}
	byTightness := func(list []int) {
		sort.SliceStable(list, func(a, b int) bool {
			ja, jb := &p.Jobs[list[a]], &p.Jobs[list[b]]
			if wa, wb := ja.Last-ja.Release, jb.Last-jb.Release; wa != wb {
				return wa < wb
			}
			if ja.Effort != jb.Effort {
				return ja.Effort > jb.Effort
			}
			return ja.Priority > jb.Priority
		})
	}
	fail := func(ji int) error {
		j := &p.Jobs[ji]
		return &stuck{[]int{j.Pool}, fmt.Sprintf("no room for job %s in %s..%s", j.ID, p.Periods[j.Release].Label, p.Periods[j.Last].Label)}
	}
	var early, rest, optional []int
	for ji := range p.Jobs {
		j := &p.Jobs[ji]
		switch {
		case j.Optional:
			optional = append(optional, ji)
		case j.Last < p.T-1:
			early = append(early, ji)
		default:
			rest = append(rest, ji)
		}
	}
	byTightness(early)
	for _, ji := range early {
		if ok, err := place(ji, p.Jobs[ji].Release, p.Jobs[ji].Last, false); err != nil || !ok {
			return x, fail(ji)
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	// Caps, earliest first.
	order := make([]int, len(p.Milestones))
	for k := range order {
		order[k] = k
	}
	sort.SliceStable(order, func(a, b int) bool { return p.Milestones[order[a]].Period < p.Milestones[order[b]].Period })
	for _, k := range order {
		if err := x.meet(k, price); err != nil {
			return x, err
		}
	}
	byTightness(rest)
	for n, ji := range rest {
		if n%1024 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if x.s[ji] >= 0 {
			continue
		}
		if ok, err := place(ji, p.Jobs[ji].Release, p.Jobs[ji].Last, false); err != nil || !ok {
			return x, fail(ji)
		}
	}
	for _, ji := range optional {
		if x.s[ji] < 0 {
			place(ji, p.Jobs[ji].Release, p.Jobs[ji].Last, true)
		}
	}
	x.resimulate()
	if err := x.repairBudgets(); err != nil {
		return x, err
	}
	return x, nil
}

// meet clears counted sites of milestone k until it is met — bringing
// forward (or adding) every job of a site not yet done by the milestone —
// taking the sites in order of the extra price of clearing them by the
// milestone per unit of the cap's metric.
func (x *search) meet(k int, price pricer) error {
	p := x.p
	ms := &p.Milestones[k]
	need := func() bool { return x.doneBy[k] < ms.Need-tolCheck*(1+ms.Need) }
	if !need() {
		return nil
	}
	late := func(ji int) bool { t := x.s[ji]; return t < 0 || t > ms.Period }
	type cand struct {
		u     int
		ratio float64
	}
	var cands []cand
	for u, cu := range ms.Units {
		if cu.Weight <= 0 || x.unitJobs[k][u] == len(cu.Jobs) {
			continue
		}
		extra, ok := 0.0, true
		for _, ji := range cu.Jobs {
			j := &p.Jobs[ji]
			if !late(ji) {
				continue
			}
			hi := min(j.Last, ms.Period)
			if j.Release > hi {
				ok = false
				break
			}
			early, any := math.Inf(1), 0.0
			if !j.Optional {
				any = math.Inf(1)
			}
			for t := j.Release; t <= j.Last; t++ {
				v := price(ji, t)
				if t <= hi {
					early = math.Min(early, v)
				}
				any = math.Min(any, v)
			}
			if from := x.s[ji]; from >= 0 {
				any = price(ji, from)
			}
			extra += early - any + 1e-9*j.Effort
		}
		if ok {
			// Extra price per unit of the metric, then work per unit.
			cands = append(cands, cand{u, extra / cu.Weight})
		}
	}
	sort.SliceStable(cands, func(a, b int) bool { return cands[a].ratio < cands[b].ratio })
	for pass := 0; pass < 2 && need(); pass++ {
		for _, c := range cands {
			if !need() {
				break
			}
			for _, ji := range ms.Units[c.u].Jobs {
				if !late(ji) {
					continue
				}
				j := &p.Jobs[ji]
				from := x.s[ji]
				hi := min(j.Last, ms.Period)
				best, bt := math.Inf(1), -1
				for t := hi; t >= j.Release; t-- {
					if !x.fits(j.Pool, t, j.Effort) || !x.keeps(ji, t) {
						continue
					}
					if v := price(ji, t); v < best-eps {
						best, bt = v, t
					}
				}
				if bt >= 0 {
					if from >= 0 {
						x.remove(ji, from)
					}
					x.add(ji, bt)
					x.s[ji] = bt
					continue
				}
				if pass == 0 {
					continue // first take every job that fits as it is
				}
				// Make room by moving other work later.
				if from >= 0 {
					x.remove(ji, from)
					x.s[ji] = -1
				}
				if !x.insertByChain(ji, j.Release, hi) && from >= 0 {
					x.add(ji, from)
					x.s[ji] = from
				}
			}
		}
	}
	if need() {
		var pools []int
		for _, ji := range ms.Jobs {
			if pl := p.Jobs[ji].Pool; !slices.Contains(pools, pl) {
				pools = append(pools, pl)
			}
		}
		sort.Ints(pools)
		return &stuck{pools, fmt.Sprintf("cap %s for %s cannot be met by %s", ms.Rule, ms.Operator, p.Periods[ms.Period].Label)}
	}
	return nil
}

// insertByChain puts job ji in a period of [lo, hi] by moving other jobs
// of its pool along the shortest chain of periods that ends in one with
// room (a breadth-first search over periods, as in an augmenting path).
func (x *search) insertByChain(ji, lo, hi int) bool {
	p := x.p
	j := &p.Jobs[ji]
	pool := j.Pool
	T := p.T
	type step struct {
		from int // previous period, -1 for a source
		job  int // the job moved into this period
	}
	prev := make([]step, T)
	seen := make([]bool, T)
	queue := []int{}
	for t := lo; t <= hi; t++ {
		if x.keeps(ji, t) {
			seen[t] = true
			prev[t] = step{-1, ji}
			queue = append(queue, t)
		}
	}
	for len(queue) > 0 {
		t := queue[0]
		queue = queue[1:]
		in := prev[t].job
		need := p.Jobs[in].Effort - x.room(pool, t)
		for _, k := range x.at[pool][t] {
			jk := &p.Jobs[k]
			if jk.Effort < need-eps {
				continue
			}
			for t2 := jk.Release; t2 <= jk.Last; t2++ {
				if seen[t2] || !x.keeps(k, t2) {
					continue
				}
				seen[t2] = true
				prev[t2] = step{t, k}
				if x.fits(pool, t2, jk.Effort) {
					// Apply the chain from its end.
					for at := t2; at >= 0; {
						st := prev[at]
						if st.job != ji {
							x.remove(st.job, x.s[st.job])
						}
						x.add(st.job, at)
						x.s[st.job] = at
						at = st.from
					}
					return true
				}
				queue = append(queue, t2)
			}
		}
	}
	return false
}

// repairBudgets moves the jobs that cost least to move, per pound, out of
// every year over budget.
func (x *search) repairBudgets() error {
	p := x.p
	for bi := range p.Budgets {
		b := &p.Budgets[bi]
		for x.spend[bi] > b.Limit*(1+tolCheck)+tolCheck {
			best, bj, bt := math.Inf(1), -1, -1
			for t := b.From; t <= b.To; t++ {
				for pool := range p.Pools {
					if p.Pools[pool].Operator != b.Operator {
						continue
					}
					for _, ji := range x.at[pool][t] {
						j := &p.Jobs[ji]
						cands := []int{}
						if j.Optional {
							cands = append(cands, -1)
						}
						for t2 := j.Release; t2 <= j.Last; t2++ {
							if t2 < b.From || t2 > b.To {
								cands = append(cands, t2)
							}
						}
						for _, t2 := range cands {
							if (t2 >= 0 && !x.fits(j.Pool, t2, j.Effort)) || !x.keeps(ji, t2) {
								continue
							}
							d := x.cost(ji, t2) - x.cost(ji, t) + x.delayDelta(j.Pool, t, t2, j.Effort)
							if v := d / math.Max(j.Capex, 1e-9); v < best {
								best, bj, bt = v, ji, t2
							}
						}
					}
				}
			}
			if bj < 0 {
				return fmt.Errorf("%w: the budget of %s in %d cannot be kept", errNoSchedule, b.Operator, b.Year)
			}
			x.move(bj, bt)
		}
	}
	return nil
}

// improve runs local search on the true costs until no move or swap of two
// jobs pays, for at most 50 passes (or until ctx ends), and returns the
// passes run.
func (x *search) improve(ctx context.Context) int {
	p := x.p
	if x.sub == nil {
		sub := newSubproblems(p)
		x.sub = &sub
	}
	if x.swaps == nil {
		x.swaps = newSwapIndex(x)
	}
	return x.passes(ctx)
}

// passes is improve's loop: passes of moves then swaps over every job,
// until a pass saves nothing worth having or 50 have run. It returns the
// passes run.
func (x *search) passes(ctx context.Context) int {
	p := x.p
	pass := 0
	for pass < 50 {
		pass++
		gain := 0.0
		for ji := range p.Jobs {
			if ji%256 == 0 && ctx.Err() != nil {
				return pass
			}
			gain += x.bestMove(ji)
		}
		for ji := range p.Jobs {
			if ji%256 == 0 && ctx.Err() != nil {
				return pass
			}
			gain += x.bestSwap(ji)
		}
		if gain < 1e-9*math.Max(1, x.total()) {
			break
		}
	}
	return pass
}

// bestMove moves job ji to the period (or out, if optional) that lowers the
// cost most, and returns the saving.
func (x *search) bestMove(ji int) float64 {
	j := &x.p.Jobs[ji]
	from := x.s[ji]
	base := x.cost(ji, from)
	best, bt := -1e-9*math.Max(1, base), -2
	try := func(t int) {
		if t == from || (t >= 0 && !x.fits(j.Pool, t, j.Effort)) || !x.keeps(ji, t) {
			return
		}
		d := x.cost(ji, t) - base
		if d-x.maxDelayGain(j.Pool, j.Effort) >= best {
			return // cannot beat the best even with the largest delay saving
		}
		d += x.delayDelta(j.Pool, from, t, j.Effort)
		if d < best {
			best, bt = d, t
		}
	}
	if j.Optional {
		try(-1)
	}
	for t := j.Release; t <= j.Last; t++ {
		try(t)
	}
	if bt == -2 {
		return 0
	}
	x.move(ji, bt)
	return -best
}

// maxDelayGain bounds how much moving effort e can save on a pool's delay
// cost: all of it.
func (x *search) maxDelayGain(pool int, e float64) float64 {
	if !x.p.Pools[pool].hasNewBuilds() {
		return 0
	}
	return x.delay[pool]
}

// bestSwap exchanges job ji with a job of the same effort in another
// period of its pool when that lowers the cost (the new-build schedule is
// unchanged), and returns the saving.
func (x *search) bestSwap(ji int) float64 {
	p := x.p
	j := &p.Jobs[ji]
	t1 := x.s[ji]
	if t1 < 0 {
		return 0
	}
	best, bk := -1e-9*math.Max(1, j.Capex), -1
	// The scan reads the other jobs' effort, window and costs from the
	// flat arrays: their Job records would cost a cache miss each.
	sub, ix := x.sub, x.swaps
	for t2 := j.Release; t2 <= j.Last; t2++ {
		if t2 == t1 {
			continue
		}
		dj := j.Cost(t2) - j.Cost(t1)
		if ix != nil && ix.skip(j.Pool, ix.class[ji], t2, t1, dj, best) {
			continue // no job of t2 gives a saving: the scan below would take none
		}
		for _, k := range x.at[j.Pool][t2] {
			if sub.effort[k] != j.Effort {
				continue
			}
			r := int(sub.release[k])
			costs := sub.cost[sub.at[k]:sub.at[k+1]] // periods r … r+len−1
			if t1 < r || t1-r >= len(costs) {
				continue
			}
			d := dj + costs[t1-r] - costs[t2-r]
			if d >= best || !x.swapKeeps(ji, t2, k, t1) {
				continue
			}
			best, bk = d, k
		}
	}
	if bk < 0 {
		return 0
	}
	t2 := x.s[bk]
	x.remove(ji, t1)
	x.remove(bk, t2)
	x.add(ji, t2)
	x.add(bk, t1)
	x.s[ji], x.s[bk] = t2, t1
	return -best
}

// swapKeeps checks milestones and budgets for job a moving to ta while job
// b moves to tb.
func (x *search) swapKeeps(a, ta, b, tb int) bool {
	p := x.p
	fa, fb := x.s[a], x.s[b]
	if x.swaps != nil {
		// The trial is undone below: the index need not follow it.
		x.swaps.off = true
		defer func() { x.swaps.off = false }()
	}
	x.remove(a, fa)
	x.remove(b, fb)
	x.add(a, ta)
	x.add(b, tb)
	ok := true
	for _, ji := range [2]int{a, b} {
		for _, c := range p.Jobs[ji].caps {
			if ms := &p.Milestones[c.k]; x.doneBy[c.k] < ms.Need-tolCheck*(1+ms.Need) {
				ok = false
			}
		}
	}
	for _, t := range [2]int{ta, tb} {
		if bi := x.budgetAt[x.opOf[a]][t]; bi >= 0 && x.spend[bi] > p.Budgets[bi].Limit*(1+tolCheck)+tolCheck {
			ok = false
		}
	}
	x.remove(a, ta)
	x.remove(b, tb)
	x.add(a, fa)
	x.add(b, fb)
	return ok
}
