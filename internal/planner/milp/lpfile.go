package milp

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"strconv"
)

// WriteLP writes the model in CPLEX LP format, which CBC, GLPK, HiGHS and
// SCIP read. Variables and rows without a name are called v<index> and
// r<index>; names must otherwise be valid LP-format names. Long
// expressions are broken over lines.
func (m *Model) WriteLP(w io.Writer, comment string) error {
	bw := bufio.NewWriter(w)
	if comment != "" {
		fmt.Fprintf(bw, "\\ %s\n", comment)
	}
	name := func(j int) string {
		if m.names[j] != "" {
			return m.names[j]
		}
		return "v" + strconv.Itoa(j)
	}
	num := func(v float64) string { return strconv.FormatFloat(v, 'g', 17, 64) }
	terms := func(idx []int, val []float64) {
		n := 0
		for k, j := range idx {
			v := val[k]
			if v == 0 {
				continue
			}
			sign := "+"
			if v < 0 {
				sign, v = "-", -v
			}
			if n > 0 && n%8 == 0 {
				bw.WriteString("\n   ")
			}
			fmt.Fprintf(bw, " %s %s %s", sign, num(v), name(j))
			n++
		}
		if n == 0 {
			// An empty expression: LP format needs a term.
			fmt.Fprintf(bw, " 0 %s", name(0))
		}
	}
	bw.WriteString("Minimize\n obj:")
	idx := make([]int, len(m.obj))
	for j := range idx {
		idx[j] = j
	}
	terms(idx, m.obj)
	bw.WriteString("\nSubject To\n")
	for i, r := range m.rows {
		rn := r.Name
		if rn == "" {
			rn = "r" + strconv.Itoa(i)
		}
		fmt.Fprintf(bw, " %s:", rn)
		terms(r.Idx, r.Val)
		fmt.Fprintf(bw, " %s %s\n", r.Sense, num(r.RHS))
	}
	bw.WriteString("Bounds\n")
	for j := range m.obj {
		lo, hi := m.lo[j], m.hi[j]
		switch {
		case math.IsInf(lo, -1) && math.IsInf(hi, 1):
			fmt.Fprintf(bw, " %s free\n", name(j))
		case math.IsInf(hi, 1):
			if lo != 0 {
				fmt.Fprintf(bw, " %s >= %s\n", name(j), num(lo))
			}
		case math.IsInf(lo, -1):
			fmt.Fprintf(bw, " -inf <= %s <= %s\n", name(j), num(hi))
		default:
			fmt.Fprintf(bw, " %s <= %s <= %s\n", num(lo), name(j), num(hi))
		}
	}
	first := true
	for j, isInt := range m.integer {
		if !isInt {
			continue
		}
		if first {
			bw.WriteString("General\n")
			first = false
		}
		fmt.Fprintf(bw, " %s\n", name(j))
	}
	bw.WriteString("End\n")
	return bw.Flush()
}
