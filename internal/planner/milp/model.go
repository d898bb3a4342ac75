// Package milp solves small mixed-integer linear programs exactly: a
// bounded dual simplex method (an explicit dense basis inverse, refreshed
// by refactorisation) for the linear relaxations, and branch and bound over
// them, warm-started from the last basis at every node. It is made for the
// planner's time-indexed models of a few hundred jobs — a few thousand
// variables and a few hundred rows — not for national instances, which the
// planner solves by Lagrangian relaxation instead.
//
// A Model also writes itself in CPLEX LP format, so that an independent
// solver (CBC) can solve the same instance.
package milp

import (
	"fmt"
	"math"
)

// Sense is the direction of a constraint.
type Sense int8

// Constraint senses.
const (
	LE Sense = iota // a·x ≤ rhs
	GE              // a·x ≥ rhs
	EQ              // a·x = rhs
)

func (s Sense) String() string {
	switch s {
	case LE:
		return "<="
	case GE:
		return ">="
	}
	return "="
}

// Inf is an infinite bound.
var Inf = math.Inf(1)

// Row is one linear constraint.
type Row struct {
	Name  string
	Idx   []int
	Val   []float64
	Sense Sense
	RHS   float64
}

// Model is a linear program to minimise, some of whose variables must take
// integer values.
type Model struct {
	obj, lo, hi []float64
	integer     []bool
	names       []string
	rows        []Row
	sets        [][]int
}

// AddVar adds a variable with its objective coefficient and bounds (lo may
// be -Inf, hi +Inf) and returns its index.
func (m *Model) AddVar(name string, obj, lo, hi float64, integer bool) int {
	m.obj = append(m.obj, obj)
	m.lo = append(m.lo, lo)
	m.hi = append(m.hi, hi)
	m.integer = append(m.integer, integer)
	m.names = append(m.names, name)
	return len(m.obj) - 1
}

// AddRow adds the constraint Σ val[k]·x[idx[k]] sense rhs.
func (m *Model) AddRow(name string, idx []int, val []float64, sense Sense, rhs float64) {
	m.rows = append(m.rows, Row{Name: name, Idx: idx, Val: val, Sense: sense, RHS: rhs})
}

// AddSet declares an ordered set of integer variables of which at most one
// is non-zero (a job's period variables, say). Branch and bound branches on
// such sets first, splitting them in two, which balances the search tree far
// better than fixing one variable at a time. The set is a branching hint:
// the model must state the constraint itself.
func (m *Model) AddSet(vars []int) { m.sets = append(m.sets, vars) }

// NumVars reports the number of variables.
func (m *Model) NumVars() int { return len(m.obj) }

// NumRows reports the number of constraints.
func (m *Model) NumRows() int { return len(m.rows) }

// Objective returns c·x.
func (m *Model) Objective(x []float64) float64 {
	s := 0.0
	for j, c := range m.obj {
		s += c * x[j]
	}
	return s
}

// Check reports the first constraint, bound or integrality that x breaks by
// more than tol, or nil.
func (m *Model) Check(x []float64, tol float64) error {
	if len(x) != len(m.obj) {
		return fmt.Errorf("milp: %d values for %d variables", len(x), len(m.obj))
	}
	for j, v := range x {
		if v < m.lo[j]-tol || v > m.hi[j]+tol {
			return fmt.Errorf("milp: %s = %g outside [%g, %g]", m.names[j], v, m.lo[j], m.hi[j])
		}
		if m.integer[j] && math.Abs(v-math.Round(v)) > tol {
			return fmt.Errorf("milp: %s = %g is not integral", m.names[j], v)
		}
	}
	for _, r := range m.rows {
		s := 0.0
		for k, j := range r.Idx {
			s += r.Val[k] * x[j]
		}
		scale := tol * (1 + math.Abs(r.RHS))
		bad := false
		switch r.Sense {
		case LE:
			bad = s > r.RHS+scale
		case GE:
			bad = s < r.RHS-scale
		case EQ:
			bad = math.Abs(s-r.RHS) > scale
		}
		if bad {
			return fmt.Errorf("milp: row %s: %g %s %g does not hold", r.Name, s, r.Sense, r.RHS)
		}
	}
	return nil
}

// Relaxed returns a copy of the model with every integrality requirement
// dropped: its linear relaxation.
func (m *Model) Relaxed() *Model {
	r := *m
	r.integer = make([]bool, len(m.integer))
	r.sets = nil
	return &r
}
