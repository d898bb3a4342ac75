package policy

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/corefence/corefence/internal/inventory"
)

// Message describes the finding in one sentence for people: the subject,
// what is wrong, the rule and its date, and any waiver.
func (f *Finding) Message(inv *inventory.Inventory) string {
	var b strings.Builder
	switch {
	case f.Element != inventory.NoRef:
		e := &inv.Elements[f.Element]
		fmt.Fprintf(&b, "%s %s %s at site %s (%s)", inv.Groups[e.Group].Name, e.Function, e.ID,
			inv.Sites[e.SiteRef].ID, inv.Operators[f.Operator].ID)
		if f.Why != "" {
			b.WriteString(": " + f.Why)
		}
	case f.Rule.Kind == KindShareCap:
		op := inv.Operators[f.Operator].ID
		if f.Status == StatusUnmeasured {
			fmt.Fprintf(&b, "%s: the designated share of %s cannot be measured: %s", op, f.Metric, f.Why)
		} else {
			fmt.Fprintf(&b, "%s: designated share of %s is %s, above the %s cap (%s)", op, f.Metric,
				Percent(f.Value.Float()), Percent(f.Limit.Float()), f.Why)
		}
	default:
		fmt.Fprintf(&b, "%s: %s", inv.Operators[f.Operator].ID, f.Why)
	}
	switch f.Status {
	case StatusViolation, StatusWaived:
		if f.DueBy.IsZero() {
			fmt.Fprintf(&b, "; %q required since %s", f.Rule.Title, f.Effective)
		} else {
			fmt.Fprintf(&b, "; %q was due by %s", f.Rule.Title, f.DueBy)
		}
	case StatusAdvisory:
		when := "since " + f.Effective.String()
		if !f.DueBy.IsZero() {
			when = "by " + f.DueBy.String()
		}
		fmt.Fprintf(&b, "; short of %q (%s): advisory, %s", f.Rule.Title, when, f.Basis.Reason)
	case StatusUpcoming:
		if f.DueBy.IsZero() {
			fmt.Fprintf(&b, "; %q required from %s (%s after the as-of date)", f.Rule.Title, f.Effective, days(f.DaysLeft))
		} else {
			fmt.Fprintf(&b, "; %q due by %s (missed from %s, %s after the as-of date)", f.Rule.Title, f.DueBy, f.Effective, days(f.DaysLeft))
		}
	case StatusUnmeasured:
		fmt.Fprintf(&b, "; rule %q", f.Rule.Title)
	}
	if w := f.Waiver; w != nil {
		if f.Status == StatusWaived {
			fmt.Fprintf(&b, "; waived until %s by %s: %s", w.Expires, w.Approver, w.Reason)
		} else {
			fmt.Fprintf(&b, "; the waiver approved by %s expired on %s", w.Approver, w.Expires)
		}
	}
	return b.String()
}

func days(n int) string {
	if n == 1 {
		return "1 day"
	}
	return strconv.Itoa(n) + " days"
}

// Percent formats a share such as 0.4123 as "41.23%".
func Percent(share float64) string {
	s := strconv.FormatFloat(share*100, 'f', 2, 64)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	return s + "%"
}
