package exposure

import (
	"math"
	"math/big"
	"math/bits"
	"strings"

	cf "github.com/corefence/corefence"
)

// Traffic is an exact sum of site traffic figures (cf.Quantity, in
// billionths), wide enough for any national total. It marshals to JSON as
// a decimal number.
type Traffic struct{ hi, lo uint64 }

// Add adds q, which must not be negative.
func (t *Traffic) Add(q cf.Quantity) {
	var c uint64
	t.lo, c = bits.Add64(t.lo, uint64(q), 0)
	t.hi += c
}

// AddSum adds the sum u.
func (t *Traffic) AddSum(u Traffic) {
	var c uint64
	t.lo, c = bits.Add64(t.lo, u.lo, 0)
	t.hi += u.hi + c
}

// Cmp compares t and u: -1, 0 or +1.
func (t Traffic) Cmp(u Traffic) int {
	switch {
	case t.hi != u.hi:
		return cmpU(t.hi, u.hi)
	case t.lo != u.lo:
		return cmpU(t.lo, u.lo)
	}
	return 0
}

func cmpU(a, b uint64) int {
	if a < b {
		return -1
	}
	return 1
}

// Float returns the sum in input units.
func (t Traffic) Float() float64 {
	return (float64(t.hi)*math.Exp2(64) + float64(t.lo)) / cf.QuantityScale
}

// Int returns the sum in billionths.
func (t Traffic) Int() *big.Int {
	n := new(big.Int).SetUint64(t.hi)
	n.Lsh(n, 64)
	return n.Or(n, new(big.Int).SetUint64(t.lo))
}

// String formats the sum as a decimal number, e.g. "12.5".
func (t Traffic) String() string {
	q, r := new(big.Int).QuoRem(t.Int(), big.NewInt(cf.QuantityScale), new(big.Int))
	frac := strings.TrimRight(padLeft(r.String(), 9), "0")
	if frac == "" {
		return q.String()
	}
	return q.String() + "." + frac
}

func padLeft(s string, n int) string {
	for len(s) < n {
		s = "0" + s
	}
	return s
}

// MarshalJSON writes the sum as an exact JSON number.
func (t Traffic) MarshalJSON() ([]byte, error) { return []byte(t.String()), nil }
