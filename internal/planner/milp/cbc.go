package milp

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// ErrNoCBC means the cbc binary is not installed.
var ErrNoCBC = errors.New("milp: cbc not found (Debian: apt-get install coinor-cbc)")

// CBC solves the model with the COIN-OR CBC solver, an independent
// reference for tests and benchmarks (corefence itself never needs it). It
// writes the model as an LP file in dir and runs
// `cbc model.lp sec S ratioGap G solve solu solution.txt`: a time limit
// (none when zero) and a relative gap at which CBC stops and calls its
// solution optimal (0: CBC's default). The Solution's Bound is CBC's lower
// bound, read from its log.
func CBC(ctx context.Context, m *Model, dir string, limit time.Duration, gap float64) (*Solution, error) {
	var args []string
	if limit > 0 {
		args = append(args, "sec", strconv.Itoa(int(math.Ceil(limit.Seconds()))))
	}
	if gap > 0 {
		args = append(args, "ratioGap", strconv.FormatFloat(gap, 'g', -1, 64))
	}
	sol, out, err := runCBC(ctx, m, dir, append(args, "solve")...)
	if err != nil {
		return nil, err
	}
	// "Lower bound: 123.4" when CBC stopped before proving optimality.
	for _, line := range strings.Split(string(out), "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "Lower bound:"); ok {
			if b, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
				sol.Bound = b
			}
		}
	}
	return sol, nil
}

// CBCRelaxation solves the model's linear relaxation with CBC (`cbc
// model.lp initialSolve solu solution.txt`: CLP's simplex, integrality
// ignored) and returns its solution, whose objective is a lower bound on
// the model's optimum: a reference for benchmarks on instances too large
// for this package's dense simplex.
func CBCRelaxation(ctx context.Context, m *Model, dir string) (*Solution, error) {
	sol, _, err := runCBC(ctx, m, dir, "initialSolve")
	return sol, err
}

// runCBC writes the model as an LP file in dir, runs cbc on it with the
// given commands followed by `solu solution.txt`, and reads the solution.
func runCBC(ctx context.Context, m *Model, dir string, commands ...string) (*Solution, []byte, error) {
	bin, err := exec.LookPath("cbc")
	if err != nil {
		return nil, nil, ErrNoCBC
	}
	lpPath := filepath.Join(dir, "model.lp")
	solPath := filepath.Join(dir, "solution.txt")
	f, err := os.Create(lpPath)
	if err != nil {
		return nil, nil, err
	}
	err = m.WriteLP(f, "written by corefence for CBC")
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, nil, err
	}
	args := append(append([]string{lpPath}, commands...), "solu", solPath)
	out, err := exec.CommandContext(ctx, bin, args...).CombinedOutput()
	if err != nil {
		return nil, nil, fmt.Errorf("cbc: %v\n%s", err, out)
	}
	sol, err := ReadCBCSolution(solPath, m)
	return sol, out, err
}

// ReadCBCSolution reads a CBC solution file ("Optimal - objective value …"
// then one line per variable) against the model it solved.
func ReadCBCSolution(path string, m *Model) (*Solution, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	if !sc.Scan() {
		return nil, fmt.Errorf("cbc: empty solution file %s", path)
	}
	head := sc.Text()
	sol := &Solution{}
	switch {
	case strings.HasPrefix(head, "Optimal"):
		sol.Status = Optimal
	case strings.Contains(head, "nfeasible"):
		sol.Status = Infeasible
		return sol, nil
	case strings.Contains(head, "nbounded"):
		sol.Status = Unbounded
		return sol, nil
	default:
		sol.Status = Feasible // stopped on a limit
	}
	if i := strings.Index(head, "objective value"); i >= 0 {
		v, err := strconv.ParseFloat(strings.TrimSpace(head[i+len("objective value"):]), 64)
		if err != nil {
			return nil, fmt.Errorf("cbc: %q: %v", head, err)
		}
		sol.Objective = v
	}
	byName := make(map[string]int, m.NumVars())
	for j, n := range m.names {
		if n == "" {
			n = "v" + strconv.Itoa(j)
		}
		byName[n] = j
	}
	sol.X = make([]float64, m.NumVars())
	for sc.Scan() {
		fields := strings.Fields(strings.TrimPrefix(strings.TrimSpace(sc.Text()), "**"))
		if len(fields) < 3 {
			continue
		}
		j, ok := byName[fields[1]]
		if !ok {
			continue
		}
		v, err := strconv.ParseFloat(fields[2], 64)
		if err != nil {
			return nil, fmt.Errorf("cbc: %q: %v", sc.Text(), err)
		}
		sol.X[j] = v
	}
	sol.Bound = sol.Objective
	return sol, sc.Err()
}
