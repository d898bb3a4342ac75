package cli

import (
	"flag"

	cf "github.com/corefence/corefence"
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
