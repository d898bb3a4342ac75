package planner

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"time"

	cf "github.com/corefence/corefence"
	"github.com/corefence/corefence/internal/inventory"
	"github.com/corefence/corefence/internal/policy"
)

// Option is a policy option: a name and the packs that state it (the UK's
// 2019-2020 options were "non-core only", "a 35% cap" and "removal by a
// date").
type Option struct {
	Name  string
	Packs []*policy.Pack
}

// Outcome is what one option costs in money, time, rollout delay and risk.
type Outcome struct {
	Name            string
	Packs           []string
	Status          string
	Jobs            int
	Costs           Costs
	Finish          cf.Date // zero when there is nothing to do
	RolloutDelay    float64 // months, worst operator
	TrafficYears    float64 // Gbps·years over designated equipment, start to horizon end
	DeadlinesMissed int
	Gap             float64
	Plan            *Plan
}

// Compare plans every option on the same network, with the same
// parameters and one horizon (the latest any option needs, unless params
// set an end), so that risk exposure is measured over the same years.
func Compare(ctx context.Context, inv *inventory.Inventory, options []Option, params *Params, opts Options) ([]Outcome, error) {
	common := *params
	if common.End.IsZero() {
		for _, o := range options {
			b := &builder{params: params, packs: o.Packs}
			if err := b.calendar(0); err != nil {
				return nil, fmt.Errorf("option %s: %w", o.Name, err)
			}
			if e := b.prob.End(); e > common.End {
				common.End = e
			}
		}
	}
	for _, o := range options {
		if len(o.Packs) == 0 {
			return nil, fmt.Errorf("option %s has no packs", o.Name)
		}
	}
	// The options are independent problems, each planned to its own work
	// bounds, so planning them side by side (as many at a time as there are
	// processors) gives the same outcomes as one after the other.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	out := make([]Outcome, len(options))
	errs := make([]error, len(options))
	slots := make(chan struct{}, max(1, runtime.GOMAXPROCS(0)))
	var wg sync.WaitGroup
	for i, o := range options {
		wg.Go(func() {
			slots <- struct{}{}
			defer func() { <-slots }()
			if ctx.Err() != nil {
				errs[i] = ctx.Err()
				return
			}
			opts.progress("option %s (%d of %d)", o.Name, i+1, len(options))
			// The options run side by side: each line says whose it is.
			oo := opts
			if opts.Progress != nil {
				oo.Progress = func(msg string) { opts.Progress("option " + o.Name + ": " + msg) }
			}
			plan, err := Run(ctx, inv, o.Packs, &common, oo)
			if err != nil {
				errs[i] = fmt.Errorf("option %s: %w", o.Name, err)
				cancel() // the comparison fails: stop the other options
				return
			}
			opts.progress("option %s: %s, %d jobs, objective %.0f (gap %.2f%%) in %s", o.Name, plan.Status, len(plan.Problem.Jobs),
				plan.Costs.Objective, 100*plan.Gap, plan.Elapsed.Round(time.Millisecond))
			oc := Outcome{Name: o.Name, Packs: plan.Problem.Packs, Status: plan.Status, Jobs: len(plan.Problem.Jobs), Plan: plan}
			if plan.Schedule != nil {
				oc.Costs, oc.Finish, oc.RolloutDelay = plan.Costs, plan.Finish, plan.RolloutDelay
				oc.TrafficYears, oc.DeadlinesMissed, oc.Gap = plan.TrafficYears, plan.DeadlinesMissed, plan.Gap
			}
			out[i] = oc
		})
	}
	wg.Wait()
	// The first option's own failure, not the cancellation it caused in
	// the others.
	var first error
	for _, err := range errs {
		if err == nil {
			continue
		}
		if !errors.Is(err, context.Canceled) {
			return nil, err
		}
		if first == nil {
			first = err
		}
	}
	if first != nil {
		return nil, first
	}
	return out, nil
}
