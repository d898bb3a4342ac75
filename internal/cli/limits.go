package cli

import (
	"flag"
	"strings"

	cf "github.com/corefence/corefence"
)

// limitFlag is `--max KEY=VALUE`, repeatable: it sets one of the limits on
// input (corefence.Limits) that an error names when input goes past it.
type limitFlag struct{ lim *cf.Limits }

func (l limitFlag) String() string { return "" }

func (l limitFlag) Set(v string) error { return l.lim.Set(v) }

// limitsFlag registers --max on fs and returns the limits it sets, the
// defaults unless given.
func limitsFlag(fs *flag.FlagSet) *cf.Limits {
	lim := cf.DefaultLimits()
	fs.Var(limitFlag{&lim}, "max", "set a limit on input, KEY=VALUE with KEY one of "+
		strings.Join(cf.LimitKeys(), ", ")+" (see docs/inventory.md); repeatable")
	return &lim
}
