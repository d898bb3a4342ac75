package cli

import (
	"context"
	"flag"
	"time"

	cf "github.com/corefence/corefence"
	"github.com/corefence/corefence/internal/importer"
	"github.com/corefence/corefence/internal/inventory"
	"github.com/corefence/corefence/internal/policy"
)

// checkInputs are the flags that say what a check is of — the inventory,
// the packs and their parameters, the date, the waivers — shared by the
// commands that run one (check, attest), so that they read them alike.
type checkInputs struct {
	inventory     string
	packs, params listFlag
	asOf, waivers string
	planned       bool
}

func (c *checkInputs) register(fs *flag.FlagSet) {
	fs.StringVar(&c.inventory, "inventory", "", "inventory file (.yaml, .yml, .json) or directory of CSV files")
	fs.Var(&c.packs, "policy", "built-in pack id or pack file; repeatable")
	fs.Var(&c.params, "param", "set a pack parameter, e.g. us-covered-list.removal_deadline=2026-06-30; repeatable")
	fs.StringVar(&c.asOf, "as-of", "", "evaluate as of this date (default today)")
	fs.StringVar(&c.waivers, "waivers", "", "waivers file")
	fs.BoolVar(&c.planned, "include-planned", false, "count planned elements as part of the network")
}

// require refuses a command line without an inventory or a pack.
func (c *checkInputs) require() error {
	switch {
	case c.inventory == "":
		return usagef("--inventory is required")
	case len(c.packs) == 0:
		return usagef("at least one --policy is required (see `corefence policies`)")
	}
	return nil
}

// date is --as-of, or today.
func (c *checkInputs) date(env *Env) (cf.Date, error) {
	if c.asOf == "" {
		return cf.DateOf(env.Now()), nil
	}
	d, err := cf.ParseDate(c.asOf)
	if err != nil {
		return 0, usagef("--as-of: %v", err)
	}
	return d, nil
}

// checkLoad is what a check reads: its packs, its waivers and the
// inventory.
type checkLoad struct {
	packs   []*policy.Pack
	waivers []policy.Waiver
	inv     *inventory.Inventory
}

// load reads the packs and waivers first (they are small, and a mistake in
// them should not wait for a national inventory), then the inventory,
// saying on stderr how long that took.
func (c *checkInputs) load(ctx context.Context, env *Env, lim cf.Limits) (*checkLoad, error) {
	var l checkLoad
	var err error
	if l.packs, err = openPacksWith(c.packs, c.params, lim); err != nil {
		return nil, err
	}
	if c.waivers != "" {
		if l.waivers, err = policy.LoadWaiversWith(c.waivers, lim); err != nil {
			return nil, err
		}
	}
	start := time.Now()
	if l.inv, err = importer.LoadContextWith(ctx, c.inventory, inventory.Options{}, lim); err != nil {
		return nil, err
	}
	progress(env)("loaded %s: %d sites, %d elements in %s", c.inventory, len(l.inv.Sites), len(l.inv.Elements), since(start))
	return &l, nil
}
