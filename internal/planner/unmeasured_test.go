package planner

import (
	"context"
	"strings"
	"testing"
	"time"

	cf "github.com/corefence/corefence"
)

func TestUnmeasuredWhy(t *testing.T) {
	for _, c := range []struct {
		name string
		why  map[string]int
		want string
	}{
		{"one", map[string]int{"no install date": 2},
			"2 element(s) cannot be measured and are not planned: no install date (2)"},
		{"commonest first", map[string]int{"b": 1, "a": 1, "c": 3},
			"5 element(s) cannot be measured and are not planned: c (3); a (1); b (1)"},
		{"others counted", map[string]int{"a": 4, "b": 3, "c": 2, "d": 1, "e": 1},
			"11 element(s) cannot be measured and are not planned: a (4); b (3); c (2); 2 for other reasons"},
		{"no reason", map[string]int{"": 1},
			"1 element(s) cannot be measured and are not planned: no reason given (1)"},
	} {
		if got := unmeasuredWhy(c.why); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}

// TestUnmeasuredWarning: a removal rule whose date is a parameter nobody
// set leaves its findings unmeasured; the plan's warning gives that
// reason, not a missing install date.
func TestUnmeasuredWarning(t *testing.T) {
	plan, err := Run(context.Background(), smallFixture(t), openPacks(t, "us-covered-list"),
		fixtureParams(cf.NewDate(2022, time.January, 1)), Options{})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, w := range plan.Warnings {
		if strings.HasPrefix(w, "rule us-covered-list/removal: ") {
			found = true
			if !strings.Contains(w, "parameter us-covered-list.removal_deadline, which is not set") || strings.Contains(w, "install date") {
				t.Errorf("warning %q does not give the findings' reason", w)
			}
		}
	}
	if !found {
		t.Errorf("no warning for the unmeasured rule: %q", plan.Warnings)
	}
}
