package corefence

import (
	"fmt"
	"math"
	"math/big"
	"math/bits"
	"strconv"
	"strings"
)

// QuantityScale is how many units of a Quantity make one unit of input.
const QuantityScale = 1_000_000_000

// Quantity is an exact non-integer amount (traffic, a share cap) kept as a
// count of billionths. Input numbers are decimals; holding them exactly is
// what lets a share exactly at a cap comply, with no floating-point surprise.
type Quantity int64

// ParseQuantity reads a decimal number such as "12", "0.35", "1.5e3". It
// refuses more than nine decimal places rather than round silently.
func ParseQuantity(s string) (Quantity, error) {
	orig := s
	if s == "" {
		return 0, fmt.Errorf("empty number")
	}
	exp := 0
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		e, err := strconv.Atoi(s[i+1:])
		if err != nil || e > 30 || e < -30 {
			return 0, fmt.Errorf("%q is not a number", orig)
		}
		exp, s = e, s[:i]
	}
	neg := false
	if s != "" && (s[0] == '-' || s[0] == '+') {
		neg, s = s[0] == '-', s[1:]
	}
	intPart, frac, _ := strings.Cut(s, ".")
	digits := intPart + frac
	if digits == "" {
		return 0, fmt.Errorf("%q is not a number", orig)
	}
	for _, c := range digits {
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("%q is not a number", orig)
		}
	}
	scale := len(frac) - exp // value = digits × 10^-scale
	if v, ok := quickQuantity(digits, 9-scale); ok {
		if neg {
			v = -v
		}
		return Quantity(v), nil
	}
	n, _ := new(big.Int).SetString(digits, 10) // digits are checked above
	// value in billionths = digits × 10^(9-scale)
	shift := 9 - scale
	if shift < 0 {
		div := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(-shift)), nil)
		q, r := new(big.Int).QuoRem(n, div, new(big.Int))
		if r.Sign() != 0 {
			return 0, fmt.Errorf("%q has more than 9 decimal places", orig)
		}
		n = q
	} else {
		n.Mul(n, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(shift)), nil))
	}
	if !n.IsInt64() {
		return 0, fmt.Errorf("%q is too large", orig)
	}
	v := n.Int64()
	if neg {
		v = -v
	}
	return Quantity(v), nil
}

// quickQuantity computes digits × 10^shift in int64 when that is exact and
// cannot overflow: the common case of traffic figures and metrics, which
// need no big arithmetic.
func quickQuantity(digits string, shift int) (int64, bool) {
	if len(digits) > 18 || shift < 0 || shift > 9 {
		return 0, false
	}
	var v int64
	for i := 0; i < len(digits); i++ {
		v = v*10 + int64(digits[i]-'0')
	}
	for ; shift > 0; shift-- {
		if v > math.MaxInt64/10 {
			return 0, false
		}
		v *= 10
	}
	return v, true
}

// QuantityFromInt returns n units.
func QuantityFromInt(n int64) Quantity { return Quantity(n * QuantityScale) }

// Float returns q as a float64, for display and for analyses that need no
// exactness.
func (q Quantity) Float() float64 { return float64(q) / QuantityScale }

func (q Quantity) String() string {
	s := strconv.FormatInt(int64(q), 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	for len(s) < 10 {
		s = "0" + s
	}
	whole, frac := s[:len(s)-9], strings.TrimRight(s[len(s)-9:], "0")
	if neg {
		whole = "-" + whole
	}
	if frac == "" {
		return whole
	}
	return whole + "." + frac
}

// Ratio is an exact fraction, Num/Den with Den > 0.
type Ratio struct{ Num, Den *big.Int }

// NewRatio returns num/den.
func NewRatio(num, den int64) Ratio { return Ratio{big.NewInt(num), big.NewInt(den)} }

// Float returns the ratio as a float64 (NaN when Den is zero).
func (r Ratio) Float() float64 {
	if r.Den == nil || r.Den.Sign() == 0 {
		return math.NaN()
	}
	f, _ := new(big.Rat).SetFrac(r.Num, r.Den).Float64()
	return f
}

// Exceeds reports whether r > cap, exactly.
func (r Ratio) Exceeds(cap Quantity) bool {
	// r.Num/r.Den > cap/Scale  ⇔  r.Num × Scale > cap × r.Den
	lhs := new(big.Int).Mul(r.Num, big.NewInt(QuantityScale))
	rhs := new(big.Int).Mul(big.NewInt(int64(cap)), r.Den)
	return lhs.Cmp(rhs) > 0
}

// QuantityRatio returns q as an exact fraction.
func QuantityRatio(q Quantity) Ratio { return NewRatio(int64(q), QuantityScale) }

// BigSum adds non-negative int64 values exactly, past the int64 range: a
// national inventory's traffic in billionths can exceed it.
type BigSum struct{ hi, lo uint64 }

// Add adds v, which must not be negative.
func (s *BigSum) Add(v int64) {
	var carry uint64
	s.lo, carry = bits.Add64(s.lo, uint64(v), 0)
	s.hi += carry
}

// Int returns the sum.
func (s BigSum) Int() *big.Int {
	n := new(big.Int).SetUint64(s.hi)
	n.Lsh(n, 64)
	return n.Or(n, new(big.Int).SetUint64(s.lo))
}

// Decimal formats the sum of Quantity values as a decimal number.
func (s BigSum) Decimal() string {
	q, r := new(big.Int).QuoRem(s.Int(), big.NewInt(QuantityScale), new(big.Int))
	frac := strings.TrimRight(fmt.Sprintf("%09d", r.Int64()), "0")
	if frac == "" {
		return q.String()
	}
	return q.String() + "." + frac
}
