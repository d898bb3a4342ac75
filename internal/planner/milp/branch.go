package milp

import (
	"container/heap"
	"context"
	"errors"
	"math"
	"time"
)

// Status is the outcome of Solve.
type Status int

// Solve outcomes.
const (
	Optimal    Status = iota // proven optimal: Bound is within Options.RelGap of Objective
	Feasible                 // a solution, but a limit stopped the proof of optimality
	Infeasible               // proven: no solution exists
	Unknown                  // a limit stopped the search before any solution was found
	Unbounded                // the relaxation is unbounded
)

func (s Status) String() string {
	return [...]string{"optimal", "feasible", "infeasible", "unknown", "unbounded"}[s]
}

// Options bound the search. NodeLimit bounds it by work, so that the same
// model always gives the same answer; TimeLimit is a safety net whose use
// Solution.TimeLimited reports.
type Options struct {
	TimeLimit time.Duration // 0: none
	NodeLimit int           // 0: none
	// RelGap stops the search once (incumbent − bound) ≤ RelGap·max(1, |incumbent|);
	// default 1e-7 (optimal up to rounding).
	RelGap float64
	// Incumbent is a known solution to start from, if any; it is checked
	// and ignored when it breaks the model.
	Incumbent []float64
}

// Solution is what Solve found.
type Solution struct {
	Status    Status
	X         []float64 // the best solution, when Status is Optimal or Feasible
	Objective float64
	// Bound is a proven lower bound on the optimum: the least relaxation
	// value of the nodes left open or pruned against the incumbent (never
	// more than Objective, and below it by at most the RelGap tolerance
	// when Status is Optimal).
	Bound       float64
	Nodes       int
	Iterations  int  // simplex pivots
	TimeLimited bool // the time limit, not the node limit or a proof, stopped the search
}

const (
	tolInt = 1e-6 // integrality tolerance
	dive   = 25   // once a solution is known, dive from every dive-th node
)

type bound struct {
	j      int32
	lo, hi float64
}

type node struct {
	bound float64 // the parent's relaxation value: a lower bound for the node
	fix   []bound // bound changes from the root, in order
}

type nodeHeap []*node

func (h nodeHeap) Len() int           { return len(h) }
func (h nodeHeap) Less(i, j int) bool { return h[i].bound < h[j].bound }
func (h nodeHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *nodeHeap) Push(x any)        { *h = append(*h, x.(*node)) }
func (h *nodeHeap) Pop() any {
	old := *h
	n := old[len(old)-1]
	*h = old[:len(old)-1]
	return n
}

// Solve minimises the model by branch and bound: best-first, diving into
// one child of every node it branches on so that solutions turn up early.
func Solve(ctx context.Context, md *Model, opts Options) (*Solution, error) {
	if opts.RelGap <= 0 {
		opts.RelGap = 1e-7
	}
	start := time.Now()
	s := newSimplex(md)
	sol := &Solution{Status: Unknown, Objective: Inf, Bound: -Inf}
	if x := opts.Incumbent; x != nil && md.Check(x, 1e-6) == nil {
		sol.X = make([]float64, len(x))
		copy(sol.X, x)
		sol.Objective = md.Objective(x)
	}
	pruneAt := func() float64 {
		if sol.X == nil {
			return Inf
		}
		return sol.Objective - opts.RelGap*math.Max(1, math.Abs(sol.Objective))
	}

	touched := map[int32]bool{}
	apply := func(n *node) {
		for j := range touched {
			s.setBounds(int(j), md.lo[j], md.hi[j])
		}
		clear(touched)
		for _, b := range n.fix {
			s.setBounds(int(b.j), b.lo, b.hi)
			touched[b.j] = true
		}
		s.computePrimal()
	}

	// cut is the least objective a pruned part of the tree could still
	// hold: pruning against the incumbent minus the tolerance excludes
	// solutions that may be slightly better than the incumbent, so the
	// bound must account for them.
	cut := Inf
	open := &nodeHeap{}
	current := &node{bound: -Inf}
	diving := false // a dive from the best node is under way
	limited := false
	for {
		if current == nil {
			diving = false
			for open.Len() > 0 {
				n := heap.Pop(open).(*node)
				if n.bound < pruneAt() {
					current = n
					break
				}
				cut = math.Min(cut, n.bound)
			}
			if current == nil {
				break
			}
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		timeUp := opts.TimeLimit > 0 && time.Since(start) > opts.TimeLimit
		if timeUp || (opts.NodeLimit > 0 && sol.Nodes >= opts.NodeLimit) {
			heap.Push(open, current)
			limited = true
			sol.TimeLimited = timeUp
			break
		}
		sol.Nodes++
		apply(current)
		err := s.solve()
		sol.Iterations = s.iters
		switch {
		case errors.Is(err, errLPInfeasible):
			current = nil
			continue
		case errors.Is(err, errLPUnbounded):
			if sol.Nodes == 1 {
				sol.Status = Unbounded
				return sol, nil
			}
			current = nil
			continue
		case err != nil:
			return nil, err
		}
		lp := s.objective()
		if lp >= pruneAt() {
			cut = math.Min(cut, lp)
			current = nil
			continue
		}
		// Reduced-cost fixing: a variable whose reduced cost alone would
		// push the relaxation past the incumbent stays at its bound in the
		// whole subtree.
		if sol.X != nil {
			slack := pruneAt() - lp
			var fixed []bound
			for j := 0; j < s.n; j++ {
				if !md.integer[j] || s.lo[j] == s.hi[j] || s.state[j] == basic {
					continue
				}
				switch {
				case s.state[j] == atLower && s.d[j] > slack+tolDual:
					fixed = append(fixed, bound{int32(j), s.lo[j], s.lo[j]})
				case s.state[j] == atUpper && -s.d[j] > slack+tolDual:
					fixed = append(fixed, bound{int32(j), s.hi[j], s.hi[j]})
				}
			}
			if len(fixed) > 0 {
				// The solutions excluded cost more than pruneAt.
				cut = math.Min(cut, pruneAt())
				current.fix = append(current.fix[:len(current.fix):len(current.fix)], fixed...)
			}
		}
		left, right, ok := branch(md, s, current)
		if !ok { // integral
			x := make([]float64, s.n)
			for j := range x {
				x[j] = s.x[j]
				if md.integer[j] {
					x[j] = math.Round(x[j])
				}
			}
			if obj := md.Objective(x); obj < sol.Objective {
				sol.X, sol.Objective = x, obj
			}
			current = nil
			continue
		}
		left.bound, right.bound = lp, lp
		heap.Push(open, right)
		current = left
		if sol.X != nil && sol.Nodes%dive != 0 && !diving {
			// With a solution in hand, work on the weakest bound, diving
			// from it now and then in search of a better solution.
			heap.Push(open, left)
			current = nil
		}
		diving = sol.X != nil && (diving || sol.Nodes%dive == 0)
	}

	switch {
	case sol.X == nil && !limited:
		sol.Status = Infeasible
	case sol.X == nil:
		sol.Status = Unknown
	case !limited:
		sol.Status = Optimal
	default:
		sol.Status = Feasible
	}
	sol.Bound = math.Min(sol.Objective, cut)
	if limited {
		for _, n := range *open {
			sol.Bound = math.Min(sol.Bound, n.bound)
		}
	}
	if sol.Status == Optimal && sol.Objective-sol.Bound > opts.RelGap*math.Max(1, math.Abs(sol.Objective))*(1+1e-9) {
		sol.Status = Feasible // cannot happen: pruning keeps the bound within the tolerance
	}
	return sol, nil
}

// branch chooses how to split a node whose relaxation is fractional: on a
// declared set when two of its members are fractional (fixing the members
// after the weighted middle to zero in one child and the others in the
// other), else on the most fractional integer variable. The first child
// returned is the one to dive into. ok is false when the relaxation is
// integral.
func branch(md *Model, s *simplex, n *node) (left, right *node, ok bool) {
	frac := func(v float64) float64 { return math.Abs(v - math.Round(v)) }
	bestSet, bestScore := -1, 0.0
	for k, set := range md.sets {
		mass, pos, nfrac, top := 0.0, 0, 0, 0.0
		for _, j := range set {
			v := s.x[j]
			if v > tolInt {
				pos++
				mass += v
				top = math.Max(top, v)
			}
			if md.integer[j] && frac(v) > tolInt {
				nfrac++
			}
		}
		if nfrac == 0 || pos < 2 {
			continue
		}
		if score := mass - top; score > bestScore {
			bestSet, bestScore = k, score
		}
	}
	child := func(extra []bound) *node {
		fix := make([]bound, 0, len(n.fix)+len(extra))
		fix = append(fix, n.fix...)
		return &node{fix: append(fix, extra...)}
	}
	if bestSet >= 0 {
		set := md.sets[bestSet]
		wsum, mass := 0.0, 0.0
		for k, j := range set {
			wsum += float64(k) * s.x[j]
			mass += s.x[j]
		}
		split := int(wsum / mass) // members 0..split vs split+1..
		var a, b []bound
		massA := 0.0
		for k, j := range set {
			if k <= split {
				b = append(b, bound{int32(j), md.lo[j], 0})
				massA += s.x[j]
			} else {
				a = append(a, bound{int32(j), md.lo[j], 0})
			}
		}
		// Keep the bounds already fixed at this node for members that stay
		// free: a member fixed to 1 elsewhere is never in a fractional set.
		ca, cb := child(a), child(b) // ca keeps 0..split, cb keeps split+1..
		if massA >= mass-massA {
			return ca, cb, true
		}
		return cb, ca, true
	}
	bestVar, bestFrac := -1, tolInt
	for j := 0; j < s.n; j++ {
		if !md.integer[j] {
			continue
		}
		if f := frac(s.x[j]); f > bestFrac {
			bestVar, bestFrac = j, f
		}
	}
	if bestVar < 0 {
		return nil, nil, false
	}
	j, v := bestVar, s.x[bestVar]
	lo, hi := s.lo[j], s.hi[j]
	down := child([]bound{{int32(j), lo, math.Floor(v)}})
	up := child([]bound{{int32(j), math.Ceil(v), hi}})
	if v-math.Floor(v) >= 0.5 {
		return up, down, true
	}
	return down, up, true
}
