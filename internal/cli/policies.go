package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	cf "github.com/corefence/corefence"
	"github.com/corefence/corefence/internal/inventory"
	"github.com/corefence/corefence/internal/policy"
	"github.com/corefence/corefence/internal/safetext"
	"github.com/corefence/corefence/internal/vendor"
)

func runPolicies(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "policies", "policies [show ID|FILE] [--format table|json]")
	format := fs.String("format", "table", "output format: table or json")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := oneOf("format", *format, []string{"table", "json"}); err != nil {
		return err
	}
	switch {
	case len(pos) == 0:
		packs, err := policy.BuiltinPacks()
		if err != nil {
			return err
		}
		return listPacks(env.Stdout, *format, packs)
	case pos[0] == "show" && len(pos) == 2:
		p, err := policy.Open(pos[1])
		if err != nil {
			return err
		}
		return showPack(env.Stdout, *format, p)
	case pos[0] == "show":
		return usagef("policies show takes one pack id or file")
	}
	return usagef("unexpected argument %q", pos[0])
}

// packJSON is the JSON form of a pack in `policies`.
type packJSON struct {
	ID           string          `json:"id"`
	Title        string          `json:"title"`
	Version      string          `json:"version"`
	Jurisdiction string          `json:"jurisdiction"`
	Kind         string          `json:"kind"`
	Status       string          `json:"status"`
	Published    cf.Date         `json:"published"`
	Summary      string          `json:"summary"`
	Binding      bool            `json:"binding"`
	Designated   []string        `json:"designated"`
	Parameters   []paramJSON     `json:"parameters"`
	Sources      []policy.Source `json:"sources"`
	Rules        []ruleJSON      `json:"rules"`
}

type paramJSON struct {
	Name        string  `json:"name"`
	Type        string  `json:"type"`
	Default     cf.Date `json:"default"` // "" when the parameter has none
	Description string  `json:"description"`
	Attribute   string  `json:"attribute,omitempty"`
}

type ruleJSON struct {
	ID             string         `json:"id"`
	Title          string         `json:"title"`
	Kind           string         `json:"kind"`
	Severity       string         `json:"severity"`
	Effective      cf.Date        `json:"effective"`
	Scope          map[string]any `json:"scope"`
	Citation       string         `json:"citation"`
	Confidence     string         `json:"confidence"`
	Interpretation string         `json:"interpretation,omitempty"`
	Sources        []string       `json:"sources"`
	Parameters     map[string]any `json:"parameters,omitempty"`
	DueBy          cf.Date        `json:"due_by,omitempty"`
	Basis          policy.Basis   `json:"basis"`
}

func toJSON(p *policy.Pack) packJSON {
	out := packJSON{ID: p.ID, Title: p.Title, Version: p.Version, Jurisdiction: p.Jurisdiction, Kind: p.Kind,
		Status: p.Status, Published: p.Published, Summary: p.Summary, Binding: p.Binds(), Designated: p.Designated,
		Sources: p.Sources, Parameters: []paramJSON{}, Rules: []ruleJSON{}}
	for _, prm := range p.Parameters {
		out.Parameters = append(out.Parameters, paramJSON{prm.Name, prm.Type, prm.Default, prm.Description, prm.Attribute})
	}
	for i := range p.Rules {
		r := &p.Rules[i]
		rj := ruleJSON{ID: r.ID, Title: r.Title, Kind: r.Kind, Severity: r.Severity, Effective: r.Effective,
			Citation: r.Citation, Confidence: r.Confidence, Interpretation: r.Interpretation, Sources: r.SourceIDs,
			Scope: map[string]any{}, Parameters: ruleParams(r), DueBy: r.DueBy, Basis: r.Basis(p)}
		if len(r.Scope.Domains) > 0 {
			rj.Scope["domains"] = r.Scope.Domains
		}
		if len(r.Scope.Functions) > 0 {
			rj.Scope["functions"] = r.Scope.Functions
		}
		if len(r.Scope.Technologies) > 0 {
			rj.Scope["technologies"] = r.Scope.Technologies
		}
		if r.Where != "" {
			rj.Scope["where"] = r.Where
		}
		out.Rules = append(out.Rules, rj)
	}
	return out
}

// ruleParams returns the kind-specific settings of a rule.
func ruleParams(r *policy.Rule) map[string]any {
	m := map[string]any{}
	switch r.Kind {
	case policy.KindExcludeAtSites:
		if len(r.SiteTags) > 0 {
			m["site_tags"] = r.SiteTags
		}
		if len(r.AreaCategories) > 0 {
			m["area_categories"] = r.AreaCategories
		}
		if r.BufferKm > 0 {
			m["buffer_km"] = r.BufferKm
		}
	case policy.KindShareCap:
		m["metrics"] = r.Metrics
		m["cap"] = r.Cap.Float()
	case policy.KindInstallationBan:
		m["installed_after"] = r.InstalledAfter.String()
	case policy.KindDiversity:
		if r.MinVendors > 0 {
			m["min_vendors"] = r.MinVendors
		}
		if r.MaxShare != nil {
			m["max_share"] = r.MaxShare.Float()
		}
	}
	if len(m) == 0 {
		return nil
	}
	return m
}

func listPacks(w io.Writer, format string, packs []*policy.Pack) error {
	if format == "json" {
		out := make([]packJSON, 0, len(packs))
		for _, p := range packs {
			out = append(out, toJSON(p))
		}
		return writeJSONValue(w, out)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tJURISDICTION\tKIND\tBINDS\tSTATUS\tPUBLISHED\tRULES\tTITLE")
	for _, p := range packs {
		binds := "no"
		if p.Binds() {
			binds = "yes"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%d\t%s\n", safetext.Line(p.ID), safetext.Line(p.Jurisdiction), p.Kind, binds, p.Status, p.Published, len(p.Rules), safetext.Line(p.Title))
	}
	tw.Flush()
	fmt.Fprintln(w, "\nRun `corefence policies show ID` for a pack's rules, dates, scopes and sources.")
	return nil
}

func showPack(w io.Writer, format string, p *policy.Pack) error {
	if format == "json" {
		return writeJSONValue(w, toJSON(p))
	}
	fmt.Fprintf(w, "%s — %s\n", safetext.Line(p.ID), safetext.Line(p.Title))
	binds := "binding"
	if !p.Binds() {
		binds = "does not bind"
		if p.BindingNote != "" {
			binds += " (" + p.BindingNote + ")"
		}
	}
	fmt.Fprintf(w, "%s · %s · %s · %s · published %s · version %s · designated: %s\n", p.Jurisdiction, p.Kind, p.Status, binds,
		p.Published, p.Version, strings.Join(p.Designated, ", "))
	if p.Summary != "" {
		fmt.Fprintf(w, "\n%s\n", wrap(strings.TrimSpace(p.Summary), 100, ""))
	}
	for _, prm := range p.Parameters {
		def, use := dash(prm.Default.String()), dash(prm.Value.String())
		if prm.Attribute != "" {
			use += ", per element: attribute " + prm.Attribute
		}
		fmt.Fprintf(w, "\nparameter %s (%s, default %s, in use %s): %s\n", prm.Name, prm.Type, def, use, prm.Description)
	}
	for i := range p.Rules {
		r := &p.Rules[i]
		fmt.Fprintf(w, "\n%s — %s\n", safetext.Line(r.ID), safetext.Line(r.Title))
		when := "effective " + r.Effective.String()
		if r.ByText != "" {
			when = fmt.Sprintf("due by %s (missed from %s)", r.DueBy, r.Effective)
		}
		if prm := r.UnsetParam(); prm != nil {
			when = fmt.Sprintf("date: parameter %s.%s, not set", p.ID, prm.Name)
			if prm.Attribute != "" {
				when += ", or per element: attribute " + prm.Attribute
			}
		}
		fmt.Fprintf(w, "  kind %s · severity %s · %s · confidence %s\n", r.Kind, r.Severity, when, dash(r.Confidence))
		if b := r.Basis(p); b.Binding {
			fmt.Fprintf(w, "  basis: binding\n")
		} else {
			fmt.Fprintf(w, "  basis: advisory — %s\n", wrap(b.Reason, 90, "         "))
		}
		fmt.Fprintf(w, "  scope: %s\n", scopeText(r))
		if m := ruleParams(r); m != nil {
			var parts []string
			for _, k := range []string{"site_tags", "area_categories", "buffer_km", "metrics", "cap", "installed_after", "min_vendors", "max_share"} {
				if v, ok := m[k]; ok {
					parts = append(parts, fmt.Sprintf("%s %v", k, v))
				}
			}
			fmt.Fprintf(w, "  %s\n", strings.Join(parts, " · "))
		}
		if len(r.Vendors) > 0 {
			fmt.Fprintf(w, "  vendors: %s\n", strings.Join(r.Vendors, ", "))
		}
		if u := r.RestrictedUse; u != nil {
			fmt.Fprintf(w, "  restricted use: %s only for %s (site tags %s; element attribute %s; otherwise unmeasured)\n",
				strings.Join(u.Vendors, ", "), u.Description, dash(strings.Join(u.SiteTags, ", ")), dash(u.Attribute))
		}
		if r.Citation != "" {
			fmt.Fprintf(w, "  citation: %s\n", wrap(r.Citation, 96, "            "))
		}
		if r.Interpretation != "" {
			fmt.Fprintf(w, "  read as: %s\n", wrap(r.Interpretation, 96, "           "))
		}
		for _, s := range r.Sources(p) {
			fmt.Fprintf(w, "  source: %s <%s>\n", safetext.Line(s.Title), safetext.Line(s.URL))
		}
	}
	return nil
}

func scopeText(r *policy.Rule) string {
	var parts []string
	if len(r.Scope.Domains) > 0 {
		parts = append(parts, "domains "+strings.Join(r.Scope.Domains, ", "))
	}
	if len(r.Scope.Functions) > 0 {
		parts = append(parts, "functions "+strings.Join(r.Scope.Functions, ", "))
	}
	if len(r.Scope.Technologies) > 0 {
		parts = append(parts, "technologies "+strings.Join(r.Scope.Technologies, ", "))
	}
	if r.Where != "" {
		parts = append(parts, "where "+r.Where)
	}
	if len(parts) == 0 {
		return "every element"
	}
	return strings.Join(parts, "; ") + " (and the elements that host them)"
}

// wrap folds text at width, indenting continuation lines.
func wrap(text string, width int, indent string) string {
	var b strings.Builder
	n := 0
	for i, word := range strings.Fields(text) {
		if i > 0 && n+1+len(word) > width {
			b.WriteString("\n" + indent)
			n = 0
		} else if i > 0 {
			b.WriteByte(' ')
			n++
		}
		b.WriteString(word)
		n += len(word)
	}
	return b.String()
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func writeJSONValue(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func runFunctions(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "functions", "functions [--format table|json]")
	format := fs.String("format", "table", "output format: table or json")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if err := oneOf("format", *format, []string{"table", "json"}); err != nil {
		return err
	}
	c := inventory.BuiltinCatalogue()
	type fnJSON struct {
		ID          string   `json:"id"`
		Domain      string   `json:"domain"`
		Technology  []string `json:"technology"`
		Description string   `json:"description"`
	}
	var out []fnJSON
	for _, d := range cf.Domains() {
		for _, id := range c.IDs() {
			ref, _ := c.Lookup(id)
			if f := c.Func(ref); f.Domain == d {
				out = append(out, fnJSON{f.ID, d.String(), f.Technology.Names(), f.Description})
			}
		}
	}
	if *format == "json" {
		return writeJSONValue(env.Stdout, out)
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tDOMAIN\tTECHNOLOGY\tDESCRIPTION")
	for _, f := range out {
		tech := strings.Join(f.Technology, ",")
		if tech == "" {
			tech = "any (the operator's)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", f.ID, f.Domain, tech, f.Description)
	}
	return tw.Flush()
}

func runVendors(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "vendors", "vendors [--format table|json]")
	format := fs.String("format", "table", "output format: table or json")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if err := oneOf("format", *format, []string{"table", "json"}); err != nil {
		return err
	}
	groups := vendor.Builtin().Groups()
	if *format == "json" {
		return writeJSONValue(env.Stdout, groups)
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tCOUNTRY\tDESIGNATED\tALIASES")
	for _, g := range groups {
		d := ""
		if g.Designated {
			d = "yes"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\n", g.ID, g.Name, g.Country, d, len(g.Aliases))
	}
	return tw.Flush()
}
