package corefence

import (
	"math/big"
	"testing"
)

func TestParseDate(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string
		ok   bool
	}{
		{"2023-12-31", "2023-12-31", true},
		{"2024-02-29", "2024-02-29", true},
		{"0001-01-01", "0001-01-01", true},
		{"2023-02-29", "", false},
		{"2023-13-01", "", false},
		{"2023-1-01", "", false},
		{"23-01-2023", "", false},
		{"2023/01/01", "", false},
		{"", "", false},
		{"2023-12-31T00:00:00Z", "", false},
	} {
		d, err := ParseDate(tc.in)
		if (err == nil) != tc.ok || (tc.ok && d.String() != tc.want) {
			t.Errorf("ParseDate(%q) = %v, %v; want %q, ok=%v", tc.in, d, err, tc.want, tc.ok)
		}
	}
	a, _ := ParseDate("2023-12-31")
	b, _ := ParseDate("2024-03-01")
	if got := b.Sub(a); got != 61 {
		t.Errorf("2024-03-01 − 2023-12-31 = %d days, want 61", got)
	}
	if (Date(0)).String() != "" || !Date(0).IsZero() {
		t.Errorf("the zero Date must mean no date")
	}
}

func TestParseQuantity(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Quantity
		ok   bool
	}{
		{"12", 12_000_000_000, true},
		{"0.35", 350_000_000, true},
		{".5", 500_000_000, true},
		{"5.", 5_000_000_000, true},
		{"-0.5", -500_000_000, true},
		{"1.5e3", 1_500_000_000_000, true},
		{"35e-2", 350_000_000, true},
		{"0.000000001", 1, true},
		{"0.0000000001", 0, false},
		{"1e400", 0, false},
		{"abc", 0, false},
		{"", 0, false},
		{".", 0, false},
		{"1.2.3", 0, false},
		{"99999999999", 0, false},
	} {
		q, err := ParseQuantity(tc.in)
		if (err == nil) != tc.ok || q != tc.want {
			t.Errorf("ParseQuantity(%q) = %d, %v; want %d, ok=%v", tc.in, q, err, tc.want, tc.ok)
		}
	}
	if s := Quantity(350_000_000).String(); s != "0.35" {
		t.Errorf("Quantity(0.35).String() = %q", s)
	}
}

func TestRatioExceedsIsExact(t *testing.T) {
	cap, _ := ParseQuantity("0.35")
	for _, tc := range []struct {
		num, den int64
		want     bool
	}{
		{35, 100, false},
		{7, 20, false},
		{350_000_001, 1_000_000_000, true},
		{349_999_999, 1_000_000_000, false},
		{36, 100, true},
	} {
		r := Ratio{big.NewInt(tc.num), big.NewInt(tc.den)}
		if got := r.Exceeds(cap); got != tc.want {
			t.Errorf("%d/%d exceeds 0.35 = %v, want %v", tc.num, tc.den, got, tc.want)
		}
	}
}

func TestBigSum(t *testing.T) {
	var s BigSum
	for i := 0; i < 4; i++ {
		s.Add(1 << 62)
	}
	want := new(big.Int).Lsh(big.NewInt(1), 64)
	if s.Int().Cmp(want) != 0 {
		t.Errorf("4 × 2^62 = %v, want %v", s.Int(), want)
	}
	var q BigSum
	q.Add(int64(QuantityFromInt(3)) + 250_000_000)
	if got := q.Decimal(); got != "3.25" {
		t.Errorf("Decimal() = %q, want 3.25", got)
	}
}
