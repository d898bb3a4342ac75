package planner

import (
	"context"
	"math"
	"runtime"
	"sync"
	"sync/atomic"
)

// lagrangian relaxes every coupling constraint of the model — crew
// capacity per pool and period, cap milestones, budgets — with
// non-negative multipliers. What is left splits into one tiny problem per
// job (pick the period with the least reduced cost, or none if the job is
// optional) and one per pool's new-build programme (serve each arrival in
// the period with the least delay-plus-capacity price). Its value L(π,λ,μ)
// is a lower bound on the optimum for any multipliers; subgradient
// optimisation raises it towards the bound of the linear relaxation.
type lagrangian struct {
	p *Problem

	pi  [][]float64 // pool × period (horizon and tail)
	lam []float64   // milestone
	mu  []float64   // budget

	// Normalisation of the milestone and budget rows, so that one step
	// size suits every multiplier.
	capScale, budScale []float64
	budgetAt           [][]int // operator index × period → budget, or -1
	jobOp              []int   // job → operator index (a map lookup per job and iteration cost 3% of the time)
	sub                subproblems

	best     float64 // best bound so far
	bestPi   [][]float64
	bestLam  []float64
	bestMu   []float64
	pick     []int     // the subproblem's choice per job at the last evaluation
	value    []float64 // and its reduced cost
	bestFrom []int     // scratch of evaluate's new-build subproblem
	gPi      [][]float64
	gLam     []float64
	gMu      []float64
	ceiling  float64 // no feasible plan costs more: a bound above it proves infeasibility
	iters    int
	stepSize float64

	dPi       [][]float64 // deflected direction
	dLam, dMu []float64

	progress func(iters int) // told the iterations done after each one, when set
}

func newLagrangian(p *Problem) *lagrangian {
	H := len(p.Periods)
	lg := &lagrangian{p: p, best: math.Inf(-1), stepSize: 1}
	lg.pi = grid(len(p.Pools), H)
	lg.gPi = grid(len(p.Pools), H)
	lg.lam = make([]float64, len(p.Milestones))
	lg.gLam = make([]float64, len(p.Milestones))
	lg.mu = make([]float64, len(p.Budgets))
	lg.gMu = make([]float64, len(p.Budgets))
	lg.pick = make([]int, len(p.Jobs))
	lg.value = make([]float64, len(p.Jobs))
	lg.capScale = make([]float64, len(p.Milestones))
	for k, ms := range p.Milestones {
		s := 0.0
		for _, w := range ms.Weights {
			s += w
		}
		lg.capScale[k] = 1
		if len(ms.Weights) > 0 && s > 0 {
			lg.capScale[k] = float64(len(ms.Weights)) / s
		}
	}
	opIndex := p.opIndex()
	lg.jobOp = make([]int, len(p.Jobs))
	for ji := range p.Jobs {
		lg.jobOp[ji] = opIndex[p.Jobs[ji].Operator]
	}
	lg.sub = newSubproblems(p)
	lg.budgetAt = make([][]int, len(p.operators()))
	for i := range lg.budgetAt {
		lg.budgetAt[i] = make([]int, p.T)
		for t := range lg.budgetAt[i] {
			lg.budgetAt[i][t] = -1
		}
	}
	lg.budScale = make([]float64, len(p.Budgets))
	for bi, b := range p.Budgets {
		oi := opIndex[b.Operator]
		for t := b.From; t <= b.To; t++ {
			lg.budgetAt[oi][t] = bi
		}
		s, n := 0.0, 0
		for _, j := range p.Jobs {
			if j.Operator == b.Operator {
				s += j.Capex
				n++
			}
		}
		lg.budScale[bi] = 1
		if s > 0 {
			lg.budScale[bi] = float64(n) / s
		}
	}
	// Ceiling: every job at its dearest, every new build never served.
	for _, j := range p.Jobs {
		worst := 0.0
		for _, c := range j.cost {
			worst = math.Max(worst, c)
		}
		lg.ceiling += worst
	}
	for _, pl := range p.Pools {
		for a, n := range pl.Arrivals {
			lg.ceiling += n * pl.Delay * float64(H-a)
		}
	}
	lg.ceiling = lg.ceiling*1.0001 + 1
	return lg
}

// warmStart sets the capacity prices to what a unit of crew work costs in
// the given plan: the delay of the new build it displaces, which waits
// until the first later period with spare capacity (nothing when there is
// spare capacity at once). Near an optimum these are the linear
// relaxation's dual prices, so the subgradient method starts close.
func (lg *lagrangian) warmStart(x *search) {
	p := lg.p
	H := len(p.Periods)
	for i := range p.Pools {
		pl := &p.Pools[i]
		if !pl.hasNewBuilds() {
			continue
		}
		served, backlog := make([]float64, H), make([]float64, H)
		pl.simulate(x.usage[i], served, backlog)
		next := H // first period from t on with spare capacity
		for t := H - 1; t >= 0; t-- {
			used := served[t] * pl.NBEffort
			if t < len(x.usage[i]) {
				used += x.usage[i][t]
			}
			if backlog[t] == 0 && used < pl.Capacity[t]-1e-9 {
				next = t
			}
			lg.pi[i][t] = pl.Delay * float64(next-t) / pl.NBEffort
		}
	}
}

func grid(n, m int) [][]float64 {
	g := make([][]float64, n)
	for i := range g {
		g[i] = make([]float64, m)
	}
	return g
}

// reduced returns job j's reduced cost in period t under the multipliers.
func (lg *lagrangian) reduced(ji, t int, pi [][]float64, lam, mu []float64, oi int) float64 {
	p := lg.p
	j := &p.Jobs[ji]
	v := j.Cost(t) + j.Effort*pi[j.Pool][t]
	for _, c := range j.caps {
		if t <= p.Milestones[c.k].Period {
			v -= lam[c.k] * c.w * lg.capScale[c.k]
		}
	}
	if bi := lg.budgetAt[oi][t]; bi >= 0 {
		v += mu[bi] * j.Capex * lg.budScale[bi]
	}
	return v
}

// evaluate computes L at the current multipliers and its subgradient.
func (lg *lagrangian) evaluate() float64 {
	p := lg.p
	H := len(p.Periods)
	for i := range lg.gPi {
		copy(lg.gPi[i], p.Pools[i].Capacity)
		for t := range lg.gPi[i] {
			lg.gPi[i][t] = -lg.gPi[i][t]
		}
	}
	L := 0.0
	for k, ms := range p.Milestones {
		L += lg.lam[k] * ms.Need * lg.capScale[k]
		lg.gLam[k] = ms.Need * lg.capScale[k]
	}
	for bi, b := range p.Budgets {
		L -= lg.mu[bi] * b.Limit * lg.budScale[bi]
		lg.gMu[bi] = -b.Limit * lg.budScale[bi]
	}
	for i := range p.Pools {
		for t := 0; t < H; t++ {
			L -= lg.pi[i][t] * p.Pools[i].Capacity[t]
		}
	}
	// The jobs' subproblems are independent: solve them in parallel, then
	// add their values and subgradients up in job order, so that the sums
	// (and every figure after them) are the same on any number of cores.
	lg.solveJobs()
	for ji := range p.Jobs {
		j := &p.Jobs[ji]
		oi := lg.jobOp[ji]
		bt := lg.pick[ji]
		L += lg.value[ji]
		if bt < 0 {
			continue
		}
		lg.gPi[j.Pool][bt] += j.Effort
		for _, c := range lg.sub.caps[lg.sub.capAt[ji]:lg.sub.capAt[ji+1]] {
			if bt <= int(c.m) {
				lg.gLam[c.k] -= c.w * lg.capScale[c.k]
			}
		}
		if bi := lg.budgetAt[oi][bt]; bi >= 0 {
			lg.gMu[bi] += j.Capex * lg.budScale[bi]
		}
	}
	// New builds: each arrival is served in the period with the least
	// delay plus capacity price, or never.
	for i := range p.Pools {
		pl := &p.Pools[i]
		if !pl.hasNewBuilds() {
			continue
		}
		pi := lg.pi[i]
		if lg.bestFrom == nil {
			lg.bestFrom = make([]int, H+1)
		}
		bestFrom := lg.bestFrom
		bestFrom[H] = -1
		for t := H - 1; t >= 0; t-- {
			bestFrom[t] = t
			if b := bestFrom[t+1]; b >= 0 && pl.NBEffort*pi[b]+pl.Delay*float64(b) < pl.NBEffort*pi[t]+pl.Delay*float64(t) {
				bestFrom[t] = b
			}
		}
		for a := 0; a < H; a++ {
			n := pl.Arrivals[a]
			if n == 0 {
				continue
			}
			b := bestFrom[a]
			serve := pl.NBEffort*pi[b] + pl.Delay*float64(b-a)
			never := pl.Delay * float64(H-a)
			if never < serve {
				L += n * never
				continue
			}
			L += n * serve
			lg.gPi[i][b] += n * pl.NBEffort
		}
	}
	return L
}

// jobChunk is the number of jobs one worker takes at a time in solveJobs.
const jobChunk = 512

// solveJobs solves every job's subproblem at the current multipliers:
// lg.pick[ji] is its period of least reduced cost (-1: not done, for an
// optional job) and lg.value[ji] that cost. Workers take fixed chunks of
// jobs; each job's answer depends on nothing else, so the result is the
// same whichever worker computes it.
func (lg *lagrangian) solveJobs() {
	n := len(lg.p.Jobs)
	workers := min(runtime.GOMAXPROCS(0), (n+jobChunk-1)/jobChunk)
	if workers <= 1 {
		for ji := range n {
			lg.value[ji], lg.pick[ji] = lg.jobMin(ji)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				lo := int(next.Add(jobChunk)) - jobChunk
				if lo >= n {
					return
				}
				for ji := lo; ji < min(lo+jobChunk, n); ji++ {
					lg.value[ji], lg.pick[ji] = lg.jobMin(ji)
				}
			}
		})
	}
	wg.Wait()
}

// subproblems are the jobs' data that evaluate reads on every iteration,
// laid out flat: job after job, each job's costs by period, its pool
// and release, and its cap terms. A job's Job record and its cost slice
// lie apart in memory; these arrays keep the working set of the inner
// loop small and in order.
type subproblems struct {
	cost     []float64 // job ji's costs: cost[at[ji]:at[ji+1]], from its release
	at       []int32
	release  []int32
	pool     []int32
	effort   []float64
	capex    []float64
	optional []bool
	capAt    []int32 // job ji's cap terms: caps[capAt[ji]:capAt[ji+1]]
	caps     []capTerm
}

// capTerm is one cap a job counts towards: the milestone, its period and
// the job's weight in it.
type capTerm struct {
	k, m int32
	w    float64
}

func newSubproblems(p *Problem) subproblems {
	n := len(p.Jobs)
	s := subproblems{at: make([]int32, n+1), release: make([]int32, n), pool: make([]int32, n),
		effort: make([]float64, n), capex: make([]float64, n), optional: make([]bool, n), capAt: make([]int32, n+1)}
	size := 0
	for ji := range p.Jobs {
		size += len(p.Jobs[ji].cost)
	}
	s.cost = make([]float64, 0, size)
	for ji := range p.Jobs {
		j := &p.Jobs[ji]
		s.cost = append(s.cost, j.cost...)
		s.at[ji+1] = int32(len(s.cost))
		s.release[ji], s.pool[ji] = int32(j.Release), int32(j.Pool)
		s.effort[ji], s.capex[ji], s.optional[ji] = j.Effort, j.Capex, j.Optional
		for _, c := range j.caps {
			s.caps = append(s.caps, capTerm{int32(c.k), int32(p.Milestones[c.k].Period), c.w})
		}
		s.capAt[ji+1] = int32(len(s.caps))
	}
	return s
}

// jobMin returns job ji's least reduced cost at the current multipliers
// and its period (-1: not done): reduced, for every period of its
// window, with the cap terms worked out once per job.
func (lg *lagrangian) jobMin(ji int) (float64, int) {
	s := &lg.sub
	best, bt := math.Inf(1), -1
	if s.optional[ji] {
		best = 0
	}
	cost := s.cost[s.at[ji]:s.at[ji+1]]
	r := int(s.release[ji])
	pi := lg.pi[s.pool[ji]][r:]
	pi = pi[:len(cost)]
	e := s.effort[ji]
	caps := s.caps[s.capAt[ji]:s.capAt[ji+1]]
	if len(caps) == 0 && len(lg.p.Budgets) == 0 {
		// The common case: cost plus capacity price.
		for k, c := range cost {
			if v := c + e*pi[k]; v < best {
				best, bt = v, r+k
			}
		}
		return best, bt
	}
	if len(caps) == 1 && len(lg.p.Budgets) == 0 {
		// One cap, the usual case under a share cap: its term applies to
		// the periods up to the milestone's.
		c := caps[0]
		tv := lg.lam[c.k] * c.w * lg.capScale[c.k]
		split := min(max(int(c.m)-r+1, 0), len(cost)) // k < split: t ≤ m
		for k, c := range cost[:split] {
			v := c + e*pi[k]
			if v -= tv; v < best {
				best, bt = v, r+k
			}
		}
		for k := split; k < len(cost); k++ {
			if v := cost[k] + e*pi[k]; v < best {
				best, bt = v, r+k
			}
		}
		return best, bt
	}
	if len(caps) <= maxRunTerms && len(lg.p.Budgets) == 0 {
		return lg.jobMinRuns(ji, best, cost, pi, r, e, caps)
	}
	type term struct {
		m int
		v float64
	}
	var terms [4]term
	ts := terms[:0]
	for _, c := range caps {
		ts = append(ts, term{int(c.m), lg.lam[c.k] * c.w * lg.capScale[c.k]})
	}
	at := lg.budgetAt[lg.jobOp[ji]]
	for k, c := range cost {
		t := r + k
		v := c + e*pi[k]
		for _, tm := range ts {
			if t <= tm.m {
				v -= tm.v
			}
		}
		if t < len(at) {
			if bi := at[t]; bi >= 0 {
				v += lg.mu[bi] * s.capex[ji] * lg.budScale[bi]
			}
		}
		if v < best {
			best, bt = v, t
		}
	}
	return best, bt
}

// maxRunTerms is the most cap terms jobMinRuns takes (a job counts
// towards a cap of each of the operator's cap rules and metrics: two or
// three under the UK's packs).
const maxRunTerms = 6

// jobMinRuns is jobMin for a job under several caps and no budgets. Each
// cap's term applies to the periods up to its milestone's, so the window
// falls into runs of periods with the same terms; within a run the terms
// are taken off in the order of the job's caps, as the general loop does,
// so that every reduced cost is the same to the bit — only the test of
// each term against each period is gone, most of the time under the
// DVD's caps.
func (lg *lagrangian) jobMinRuns(ji int, best float64, cost, pi []float64, r int, e float64, caps []capTerm) (float64, int) {
	var splits [maxRunTerms]int // term i applies to k < splits[i]
	var tvs [maxRunTerms]float64
	for i, c := range caps {
		splits[i] = min(max(int(c.m)-r+1, 0), len(cost))
		tvs[i] = lg.lam[c.k] * c.w * lg.capScale[c.k]
	}
	bt := -1
	for lo := 0; lo < len(cost); {
		hi := len(cost)
		var run [maxRunTerms]float64 // the terms of periods lo … hi-1, in the caps' order
		n := 0
		for i := range caps {
			if sp := splits[i]; sp > lo {
				run[n] = tvs[i]
				n++
				hi = min(hi, sp)
			}
		}
		switch n {
		case 0:
			for k := lo; k < hi; k++ {
				if v := cost[k] + e*pi[k]; v < best {
					best, bt = v, r+k
				}
			}
		case 1:
			a := run[0]
			for k := lo; k < hi; k++ {
				v := cost[k] + e*pi[k]
				if v -= a; v < best {
					best, bt = v, r+k
				}
			}
		case 2:
			a, b := run[0], run[1]
			for k := lo; k < hi; k++ {
				v := cost[k] + e*pi[k]
				v -= a
				if v -= b; v < best {
					best, bt = v, r+k
				}
			}
		default:
			for k := lo; k < hi; k++ {
				v := cost[k] + e*pi[k]
				for _, a := range run[:n] {
					v -= a
				}
				if v < best {
					best, bt = v, r+k
				}
			}
		}
		lo = hi
	}
	return best, bt
}

// Subgradient settings: the step halves after stallLimit iterations
// without a better bound, and each direction keeps deflect of the last
// (a deflected subgradient, which zigzags less).
const (
	stallLimit = 100
	deflect    = 0.5
)

// step moves the multipliers along the subgradient by a Polyak step
// towards target, keeping them non-negative.
func (lg *lagrangian) step(L, target float64) {
	if deflect > 0 {
		if lg.dPi == nil {
			lg.dPi, lg.dLam, lg.dMu = grid(len(lg.gPi), len(lg.gPi[0])), make([]float64, len(lg.gLam)), make([]float64, len(lg.gMu))
		}
		for i := range lg.gPi {
			for t := range lg.gPi[i] {
				lg.dPi[i][t] = lg.gPi[i][t] + deflect*lg.dPi[i][t]
				lg.gPi[i][t] = lg.dPi[i][t]
			}
		}
		for k := range lg.gLam {
			lg.dLam[k] = lg.gLam[k] + deflect*lg.dLam[k]
			lg.gLam[k] = lg.dLam[k]
		}
		for b := range lg.gMu {
			lg.dMu[b] = lg.gMu[b] + deflect*lg.dMu[b]
			lg.gMu[b] = lg.dMu[b]
		}
	}
	norm := 0.0
	for i := range lg.gPi {
		for t, g := range lg.gPi[i] {
			if lg.pi[i][t] > 0 || g > 0 {
				norm += g * g
			}
		}
	}
	for k, g := range lg.gLam {
		if lg.lam[k] > 0 || g > 0 {
			norm += g * g
		}
	}
	for b, g := range lg.gMu {
		if lg.mu[b] > 0 || g > 0 {
			norm += g * g
		}
	}
	if norm == 0 {
		return
	}
	a := lg.stepSize * (target - L) / norm
	for i := range lg.pi {
		for t, g := range lg.gPi[i] {
			lg.pi[i][t] = math.Max(0, lg.pi[i][t]+a*g)
		}
	}
	for k, g := range lg.gLam {
		lg.lam[k] = math.Max(0, lg.lam[k]+a*g)
	}
	for b, g := range lg.gMu {
		lg.mu[b] = math.Max(0, lg.mu[b]+a*g)
	}
}

// run improves the bound for at most iters iterations (or until ctx
// ends), aiming at ub (the best known plan's cost, or +Inf). It returns
// the best bound.
func (lg *lagrangian) run(ctx context.Context, iters int, ub float64) float64 {
	stall := 0
	for i := 0; i < iters; i++ {
		if ctx.Err() != nil {
			break
		}
		L := lg.evaluate()
		lg.iters++
		if lg.progress != nil {
			lg.progress(lg.iters)
		}
		if math.IsInf(lg.best, -1) || L > lg.best+1e-9*math.Abs(lg.best) {
			lg.best = L
			lg.bestPi = clone2(lg.pi)
			lg.bestLam = append(lg.bestLam[:0], lg.lam...)
			lg.bestMu = append(lg.bestMu[:0], lg.mu...)
			stall = 0
		} else if stall++; stall >= stallLimit {
			lg.stepSize /= 2
			stall = 0
		}
		if L > lg.ceiling || lg.stepSize < 1e-6 {
			break
		}
		target := ub
		if math.IsInf(ub, 1) {
			target = L + math.Max(1, 0.05*math.Abs(L))
		}
		if ub-lg.best <= 1e-6*math.Abs(ub) {
			break
		}
		lg.step(L, target)
	}
	return lg.best
}

func clone2(g [][]float64) [][]float64 {
	out := make([][]float64, len(g))
	for i := range g {
		out[i] = append([]float64(nil), g[i]...)
	}
	return out
}

// infeasible reports whether the bound proves that no plan exists.
func (lg *lagrangian) infeasible() bool { return lg.best > lg.ceiling }
