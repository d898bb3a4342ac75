package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	cf "github.com/corefence/corefence"
	"github.com/corefence/corefence/internal/diff"
	"github.com/corefence/corefence/internal/importer"
	"github.com/corefence/corefence/internal/inventory"
	"github.com/corefence/corefence/internal/policy"
)

const diffSynopsis = `diff OLD NEW [--policy ID|FILE …] [--as-of YYYY-MM-DD] [--format text|json]`

// diffOutput is diff's JSON: the element changes, and the finding changes
// when policies were given.
type diffOutput struct {
	Old      string         `json:"old"`
	New      string         `json:"new"`
	Elements diff.Elements  `json:"elements"`
	Findings *diff.Findings `json:"findings,omitempty"`
	// Shares are every share cap's measures before and after, with
	// policies.
	Shares []diff.ShareChange `json:"shares,omitempty"`
	AsOf   *cf.Date           `json:"as_of,omitempty"`
}

func runDiff(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "diff", diffSynopsis)
	var packs listFlag
	fs.Var(&packs, "policy", "also compare the findings of these packs; repeatable")
	asOf := fs.String("as-of", "", "check both as of this date (default today)")
	format := fs.String("format", "text", "output format: text or json")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		return usagef("want two inventories: OLD and NEW")
	}
	if err := oneOf("format", *format, []string{"text", "json"}); err != nil {
		return err
	}
	date := cf.DateOf(env.Now())
	if *asOf != "" {
		if date, err = cf.ParseDate(*asOf); err != nil {
			return usagef("--as-of: %v", err)
		}
	}
	var loaded []*policy.Pack
	if len(packs) > 0 {
		if loaded, err = openPacks(packs, nil); err != nil {
			return err
		}
	}
	old, err := importer.LoadContext(ctx, pos[0], inventory.Options{})
	if err != nil {
		return err
	}
	cur, err := importer.LoadContext(ctx, pos[1], inventory.Options{})
	if err != nil {
		return err
	}
	out := diffOutput{Old: pos[0], New: pos[1], Elements: diff.Inventories(old, cur)}
	if len(loaded) > 0 {
		opts := policy.Options{AsOf: date}
		a, err := policy.Check(ctx, old, loaded, opts)
		if err != nil {
			return err
		}
		b, err := policy.Check(ctx, cur, loaded, opts)
		if err != nil {
			return err
		}
		fd := diff.Results(a, b)
		shares, err := diff.Shares(a, b, opts)
		if err != nil {
			return err
		}
		out.Findings, out.Shares, out.AsOf = &fd, shares, &date
	}
	var buf bytes.Buffer
	if *format == "json" {
		enc := json.NewEncoder(&buf)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			return err
		}
	} else {
		writeDiffText(&buf, out)
	}
	_, err = buf.WriteTo(env.Stdout)
	return err
}

func writeDiffText(w *bytes.Buffer, d diffOutput) {
	e := d.Elements
	fmt.Fprintf(w, "elements: %d added, %d removed, %d changed, %d unchanged\n", len(e.Added), len(e.Removed), len(e.Changed), e.Unchanged)
	for _, id := range e.Added {
		fmt.Fprintf(w, "  + %s\n", id)
	}
	for _, id := range e.Removed {
		fmt.Fprintf(w, "  - %s\n", id)
	}
	for _, c := range e.Changed {
		var parts []string
		for _, f := range c.Changes {
			parts = append(parts, fmt.Sprintf("%s %q → %q", f.Field, f.Old, f.New))
		}
		fmt.Fprintf(w, "  ~ %s: %s\n", c.ID, strings.Join(parts, ", "))
	}
	if d.Findings == nil {
		return
	}
	f := d.Findings
	fmt.Fprintf(w, "findings as of %s: %d new, %d resolved, %d changed status, %d unchanged\n", d.AsOf, len(f.New), len(f.Resolved), len(f.Changed), f.Unchanged)
	for _, x := range f.New {
		fmt.Fprintf(w, "  + %s %s: %s\n", x.Status, x.Rule, x.Message)
	}
	for _, x := range f.Resolved {
		fmt.Fprintf(w, "  - %s %s: %s\n", x.Status, x.Rule, x.Message)
	}
	for _, x := range f.Changed {
		fmt.Fprintf(w, "  ~ %s → %s %s: %s\n", x.Old, x.Finding.Status, x.Finding.Rule, x.Finding.Message)
	}
	if len(d.Shares) == 0 {
		return
	}
	fmt.Fprintf(w, "shares as of %s (designated vendors' share; * over the cap):\n", d.AsOf)
	for _, s := range d.Shares {
		fmt.Fprintf(w, "  %s %s %s: %s → %s (cap %s)\n", s.Rule, s.Operator, s.Metric,
			percent(s.Old, s.OldExceeds), percent(s.New, s.NewExceeds), percent(&s.Cap, false))
	}
}

// percent writes a share as a percentage; "unmeasured" when there is none.
func percent(v *float64, over bool) string {
	if v == nil {
		return "unmeasured"
	}
	s := strconv.FormatFloat(*v*100, 'f', 2, 64) + "%"
	if over {
		s += "*"
	}
	return s
}
