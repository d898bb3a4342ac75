package corefence

import (
	"fmt"
	"time"
)

// Date is a civil date (no time of day, no zone), as the rules and the
// inventory write them. The zero Date means "no date".
type Date int32

// epochShift keeps every date from year 1 on positive, so that zero can mean
// "no date".
const epochShift = 719468 // days from 0000-03-01 to 1970-01-01

// NewDate returns the date y-m-d. It does not check that the date exists.
func NewDate(y int, m time.Month, d int) Date {
	return Date(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix()/86400 + epochShift)
}

// DateOf returns the civil date of t in t's location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return NewDate(y, m, d)
}

// ParseDate parses a date written YYYY-MM-DD, and only that.
func ParseDate(s string) (Date, error) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return 0, fmt.Errorf("%q is not a date written YYYY-MM-DD", s)
	}
	n := [3]int{}
	for i, part := range [3]string{s[0:4], s[5:7], s[8:10]} {
		for _, c := range part {
			if c < '0' || c > '9' {
				return 0, fmt.Errorf("%q is not a date written YYYY-MM-DD", s)
			}
			n[i] = n[i]*10 + int(c-'0')
		}
	}
	y, m, d := n[0], time.Month(n[1]), n[2]
	t := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	if y < 1 || t.Year() != y || t.Month() != m || t.Day() != d {
		return 0, fmt.Errorf("%q is not a real date", s)
	}
	return NewDate(y, m, d), nil
}

// IsZero reports whether d is "no date".
func (d Date) IsZero() bool { return d == 0 }

// Time returns midnight UTC at the start of d.
func (d Date) Time() time.Time { return time.Unix(int64(d-epochShift)*86400, 0).UTC() }

// AddDays returns the date n days after d.
func (d Date) AddDays(n int) Date { return d + Date(n) }

// Sub returns the number of days from e to d.
func (d Date) Sub(e Date) int { return int(d - e) }

func (d Date) String() string {
	if d == 0 {
		return ""
	}
	return d.Time().Format("2006-01-02")
}

// MarshalText writes YYYY-MM-DD.
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText reads YYYY-MM-DD.
func (d *Date) UnmarshalText(b []byte) error {
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}
