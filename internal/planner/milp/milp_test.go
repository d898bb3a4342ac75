package milp

import (
	"bytes"
	"context"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestLP(t *testing.T) {
	// max x + y s.t. x + 2y ≤ 4, 3x + y ≤ 6: optimum (1.6, 1.2).
	var m Model
	x := m.AddVar("x", -1, 0, Inf, false)
	y := m.AddVar("y", -1, 0, Inf, false)
	m.AddRow("a", []int{x, y}, []float64{1, 2}, LE, 4)
	m.AddRow("b", []int{x, y}, []float64{3, 1}, LE, 6)
	sol, err := Solve(context.Background(), &m, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if sol.Status != Optimal || math.Abs(sol.Objective+2.8) > 1e-9 || math.Abs(sol.X[x]-1.6) > 1e-9 {
		t.Fatalf("Solve = %v %v %v, want optimal -2.8 at (1.6, 1.2)", sol.Status, sol.Objective, sol.X)
	}
}

func TestEqualityAndFreeVariables(t *testing.T) {
	// min |x − 3| written with a free x: x − p + n = 3, min p + n + 0·x,
	// plus x ≥ 5 through a ≥ row: optimum 2 at x = 5.
	var m Model
	x := m.AddVar("x", 0, -Inf, Inf, false)
	p := m.AddVar("p", 1, 0, Inf, false)
	n := m.AddVar("n", 1, 0, Inf, false)
	m.AddRow("dev", []int{x, p, n}, []float64{1, -1, 1}, EQ, 3)
	m.AddRow("min", []int{x}, []float64{1}, GE, 5)
	sol, err := Solve(context.Background(), &m, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if sol.Status != Optimal || math.Abs(sol.Objective-2) > 1e-9 || math.Abs(sol.X[x]-5) > 1e-9 {
		t.Fatalf("Solve = %v %v %v, want optimal 2 at x = 5", sol.Status, sol.Objective, sol.X)
	}
}

func TestInfeasible(t *testing.T) {
	var m Model
	x := m.AddVar("x", 1, 0, 1, true)
	y := m.AddVar("y", 1, 0, 1, true)
	m.AddRow("c", []int{x, y}, []float64{1, 1}, GE, 3)
	sol, err := Solve(context.Background(), &m, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if sol.Status != Infeasible {
		t.Fatalf("Solve = %v, want infeasible", sol.Status)
	}
	// Integer infeasible although the relaxation is feasible: 2x = 1.
	var m2 Model
	z := m2.AddVar("z", 1, 0, 5, true)
	m2.AddRow("c", []int{z}, []float64{2}, EQ, 1)
	if sol, _ := Solve(context.Background(), &m2, Options{}); sol.Status != Infeasible {
		t.Fatalf("Solve(2z = 1) = %v, want infeasible", sol.Status)
	}
}

// randomModel is a small scheduling-like MILP: items assigned to slots with
// capacities, item-slot costs, some ≥ cover rows and continuous variables.
func randomModel(rng *rand.Rand, items, slots int) *Model {
	var m Model
	x := make([][]int, items)
	for i := range x {
		x[i] = make([]int, slots)
		var idx []int
		var val []float64
		for s := range slots {
			x[i][s] = m.AddVar("", float64(rng.IntN(40)+1), 0, 1, true)
			idx = append(idx, x[i][s])
			val = append(val, 1)
		}
		sense := EQ
		if rng.IntN(4) == 0 {
			sense = LE
		}
		m.AddRow("", idx, val, sense, 1)
		m.AddSet(idx)
	}
	for s := range slots {
		var idx []int
		var val []float64
		for i := range items {
			idx = append(idx, x[i][s])
			val = append(val, float64(1+rng.IntN(3)))
		}
		over := m.AddVar("", 3, 0, Inf, false) // overtime, continuous
		idx = append(idx, over)
		val = append(val, -1)
		m.AddRow("", idx, val, LE, float64(items/slots+rng.IntN(3)))
	}
	// A cover row: enough items in the first half of the slots.
	var idx []int
	var val []float64
	for i := range items {
		for s := 0; s < slots/2; s++ {
			idx = append(idx, x[i][s])
			val = append(val, float64(1+rng.IntN(2)))
		}
	}
	m.AddRow("", idx, val, GE, float64(items/2))
	return &m
}

// bruteForce enumerates every assignment of a randomModel with tiny sizes.
func bruteForce(m *Model, items, slots int) (float64, bool) {
	best, found := Inf, false
	choice := make([]int, items) // -1 none, else slot
	var rec func(i int)
	x := make([]float64, m.NumVars())
	rec = func(i int) {
		if i == items {
			for j := range x {
				x[j] = 0
			}
			for it, s := range choice {
				if s >= 0 {
					x[it*slots+s] = 1
				}
			}
			// Overtime variables: the least that satisfies each capacity row.
			for k := items; k < items+slots; k++ {
				r := m.rows[k]
				load := 0.0
				for p, j := range r.Idx[:len(r.Idx)-1] {
					load += r.Val[p] * x[j]
				}
				x[r.Idx[len(r.Idx)-1]] = math.Max(0, load-r.RHS)
			}
			if m.Check(x, 1e-9) == nil {
				if v := m.Objective(x); v < best {
					best, found = v, true
				}
			}
			return
		}
		for s := -1; s < slots; s++ {
			choice[i] = s
			rec(i + 1)
		}
	}
	rec(0)
	return best, found
}

func TestAgainstBruteForce(t *testing.T) {
	for seed := range uint64(40) {
		rng := rand.New(rand.NewPCG(seed, 7))
		m := randomModel(rng, 5, 3)
		want, feasible := bruteForce(m, 5, 3)
		sol, err := Solve(context.Background(), m, Options{})
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		if !feasible {
			if sol.Status != Infeasible {
				t.Errorf("seed %d: Solve = %v, want infeasible", seed, sol.Status)
			}
			continue
		}
		if sol.Status != Optimal || math.Abs(sol.Objective-want) > 1e-6 {
			t.Errorf("seed %d: Solve = %v %g, want optimal %g", seed, sol.Status, sol.Objective, want)
		}
		if err := m.Check(sol.X, 1e-6); err != nil {
			t.Errorf("seed %d: solution breaks the model: %v", seed, err)
		}
	}
}

func TestWriteLP(t *testing.T) {
	var m Model
	x := m.AddVar("x", 2, 0, 1, true)
	y := m.AddVar("y", -1, -Inf, 4, false)
	f := m.AddVar("f", 0, -Inf, Inf, false)
	m.AddRow("c1", []int{x, y, f}, []float64{1, -2.5, 1}, GE, 1)
	var b bytes.Buffer
	if err := m.WriteLP(&b, "test"); err != nil {
		t.Fatal(err)
	}
	want := `\ test
Minimize
 obj: + 2 x - 1 y
Subject To
 c1: + 1 x - 2.5 y + 1 f >= 1
Bounds
 0 <= x <= 1
 -inf <= y <= 4
 f free
General
 x
End
`
	if got := b.String(); got != want {
		t.Errorf("WriteLP =\n%s\nwant\n%s", got, want)
	}
	if !strings.Contains(b.String(), "General") {
		t.Error("no General section")
	}
}

// TestAgainstCBC solves larger random models with CBC and with Solve.
func TestAgainstCBC(t *testing.T) {
	for seed := range uint64(12) {
		rng := rand.New(rand.NewPCG(seed, 11))
		m := randomModel(rng, 30, 6)
		ref, err := CBC(context.Background(), m, t.TempDir(), 0, 0)
		if err == ErrNoCBC {
			t.Skip(err)
		}
		if err != nil {
			t.Fatal(err)
		}
		sol, err := Solve(context.Background(), m, Options{})
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		if ref.Status == Infeasible {
			if sol.Status != Infeasible {
				t.Errorf("seed %d: Solve = %v, CBC says infeasible", seed, sol.Status)
			}
			continue
		}
		if sol.Status != Optimal || math.Abs(sol.Objective-ref.Objective) > 1e-6*math.Max(1, math.Abs(ref.Objective)) {
			t.Errorf("seed %d: Solve = %v %g, CBC optimal %g", seed, sol.Status, sol.Objective, ref.Objective)
		}
		if sol.Bound > ref.Objective+1e-6*math.Max(1, math.Abs(ref.Objective)) {
			t.Errorf("seed %d: bound %g above CBC's optimum %g", seed, sol.Bound, ref.Objective)
		}
		// A loose tolerance and a node limit: the bound must stay valid
		// and the status honest.
		for _, o := range []Options{{RelGap: 0.02}, {NodeLimit: 3}} {
			loose, err := Solve(context.Background(), m, o)
			if err != nil {
				t.Fatal(err)
			}
			if loose.X == nil {
				continue
			}
			if loose.Bound > ref.Objective+1e-6*math.Max(1, math.Abs(ref.Objective)) {
				t.Errorf("seed %d, %+v: bound %g above CBC's optimum %g", seed, o, loose.Bound, ref.Objective)
			}
			gap := loose.Objective - loose.Bound
			if loose.Status == Optimal && gap > o.RelGap*math.Max(1, math.Abs(loose.Objective))*(1+1e-9) {
				t.Errorf("seed %d, %+v: optimal with gap %g", seed, o, gap)
			}
			if loose.Status == Optimal && o.NodeLimit > 0 && loose.Objective > ref.Objective+1e-6*math.Max(1, math.Abs(ref.Objective)) {
				t.Errorf("seed %d, %+v: optimal %g, CBC %g", seed, o, loose.Objective, ref.Objective)
			}
		}
		t.Logf("seed %d: %v %g (%d nodes, %d pivots); CBC %g", seed, sol.Status, sol.Objective, sol.Nodes, sol.Iterations, ref.Objective)
	}
}

func TestEmpty(t *testing.T) {
	var m Model
	sol, err := Solve(context.Background(), &m, Options{Incumbent: []float64{}})
	if err != nil || sol.Status != Optimal || sol.Objective != 0 {
		t.Fatalf("Solve(empty) = %+v, %v; want optimal 0", sol, err)
	}
}
