package planner

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/corefence/corefence/internal/policy"
)

// TestCompareProgress: compare plans its options side by side, so every
// progress line of an option's plan names the option, and the long phases
// say how far they are (subgradient iterations, local-search passes).
func TestCompareProgress(t *testing.T) {
	inv, packs, params := capInstance(t, 400, 7, 0.35)
	var mu sync.Mutex
	var lines []string
	opts := Options{Method: MethodLagrangian, Progress: func(msg string) {
		mu.Lock()
		defer mu.Unlock()
		lines = append(lines, msg)
	}}
	options := []Option{{Name: "cap", Packs: packs}, {Name: "removal", Packs: []*policy.Pack{mustPack(t, "uk-dvd-2022")}}}
	if _, err := Compare(context.Background(), inv, options, params, opts); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"cap", "removal"} {
		prefix := "option " + name + ": "
		var iterations, passes, own int
		for _, l := range lines {
			if !strings.HasPrefix(l, prefix) {
				continue
			}
			own++
			if strings.Contains(l, "subgradient iteration 500 of ") {
				iterations++
			}
			if strings.Contains(l, "local-search passes") {
				passes++
			}
		}
		if own == 0 || iterations == 0 || passes == 0 {
			t.Errorf("option %s: %d lines of its own, %d with subgradient iterations, %d with local-search passes, in:\n%s",
				name, own, iterations, passes, strings.Join(lines, "\n"))
		}
	}
	for _, l := range lines {
		if !strings.HasPrefix(l, "option ") {
			t.Errorf("a progress line names no option: %q", l)
		}
	}
}
