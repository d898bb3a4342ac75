package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"text/tabwriter"

	cf "github.com/corefence/corefence"
	"github.com/corefence/corefence/internal/importer"
	"github.com/corefence/corefence/internal/inventory"
	"github.com/corefence/corefence/internal/safetext"
)

// Summary is what `validate` reports about a loaded inventory.
type Summary struct {
	inventory.Counts
	ElementsByDomain  map[string]int `json:"elements_by_domain"`
	ElementsByStatus  map[string]int `json:"elements_by_status"`
	VendorGroups      []GroupSummary `json:"vendor_groups"`
	UnknownVendors    []string       `json:"unknown_vendors"`
	FunctionOverrides []string       `json:"function_overrides"`
	Warnings          []cf.Warning   `json:"warnings"`
}

// GroupSummary is one vendor group in a Summary.
type GroupSummary struct {
	ID         string   `json:"id"`
	Name       string   `json:"name"`
	Designated bool     `json:"designated"`
	Known      bool     `json:"known"`
	Elements   int      `json:"elements"`
	Spellings  []string `json:"spellings"`
}

// Summarise counts what an inventory holds.
func Summarise(inv *inventory.Inventory) Summary {
	s := Summary{Counts: inv.Counts(), ElementsByDomain: map[string]int{}, ElementsByStatus: map[string]int{},
		UnknownVendors: []string{}, FunctionOverrides: []string{}, Warnings: inv.Warnings}
	for i := range inv.Elements {
		e := &inv.Elements[i]
		s.ElementsByDomain[inv.Function(e).Domain.String()]++
		s.ElementsByStatus[e.Status]++
	}
	for _, g := range inv.Groups {
		gs := GroupSummary{ID: g.ID, Name: g.Name, Designated: g.Designated, Known: g.Known, Elements: g.Elements}
		for _, sp := range g.Spellings {
			gs.Spellings = append(gs.Spellings, sp.Text)
		}
		s.VendorGroups = append(s.VendorGroups, gs)
		if !g.Known {
			s.UnknownVendors = append(s.UnknownVendors, g.Spellings[0].Text)
		}
	}
	sort.Slice(s.VendorGroups, func(i, j int) bool {
		a, b := s.VendorGroups[i], s.VendorGroups[j]
		if a.Elements != b.Elements {
			return a.Elements > b.Elements
		}
		return a.ID < b.ID
	})
	for _, id := range inv.Catalogue.IDs() {
		ref, _ := inv.Catalogue.Lookup(id)
		if inv.Catalogue.Func(ref).Overridden {
			s.FunctionOverrides = append(s.FunctionOverrides, id)
		}
	}
	if s.Warnings == nil {
		s.Warnings = []cf.Warning{}
	}
	return s
}

func runValidate(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "validate", "validate --inventory PATH [--format table|json]")
	path := fs.String("inventory", "", "inventory file (.yaml, .yml, .json) or directory of CSV files")
	format := fs.String("format", "table", "output format: table or json")
	lim := limitsFlag(fs)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("unexpected argument %q", pos[0])
	}
	if *path == "" {
		return usagef("--inventory is required")
	}
	if err := oneOf("format", *format, []string{"table", "json"}); err != nil {
		return err
	}
	inv, err := importer.LoadContextWith(ctx, *path, inventory.Options{}, *lim)
	if err != nil {
		return err
	}
	s := Summarise(inv)
	if *format == "json" {
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(s)
	}
	w := env.Stdout
	fmt.Fprintf(w, "%s: valid (%s)\n\n", safetext.Line(*path), inv.Digest)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "operators\t%d\nsites\t%d\nelements\t%d\nlinks\t%d\nareas\t%d\n", s.Operators, s.Sites, s.Elements, s.Links, s.Areas)
	tw.Flush()
	fmt.Fprintf(w, "\nelements by domain:\n")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, d := range cf.Domains() {
		if n := s.ElementsByDomain[d.String()]; n > 0 {
			fmt.Fprintf(tw, "  %s\t%d\n", d, n)
		}
	}
	tw.Flush()
	fmt.Fprintf(w, "\nvendor groups (active and decommissioning elements):\n")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, g := range s.VendorGroups {
		note := ""
		switch {
		case g.Designated:
			note = "designated high-risk"
		case !g.Known:
			note = "UNKNOWN: matches no registry group"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%d\t%s\n", safetext.Line(g.ID), safetext.Line(g.Name), g.Elements, note)
	}
	tw.Flush()
	if len(s.Warnings) > 0 {
		fmt.Fprintf(w, "\nwarnings:\n")
		for _, wn := range s.Warnings {
			fmt.Fprintf(w, "  %s: %s\n", wn.Code, safetext.Line(wn.Message))
		}
	}
	return nil
}
