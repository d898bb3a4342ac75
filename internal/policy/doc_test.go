package policy_test

import (
	"bytes"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/corefence/corefence/internal/policy"
)

// docPath is the page that documents the built-in packs rule by rule.
const docPath = "../../docs/builtin-packs.md"

// TestBuiltinPacksDoc keeps docs/builtin-packs.md in step with the packs:
// the blocks between <!-- generated:KIND ID --> and <!-- end --> are
// rendered from the pack files (go test -update rewrites them); the prose
// around them is written by hand.
func TestBuiltinPacksDoc(t *testing.T) {
	data, err := os.ReadFile(docPath)
	if err != nil {
		t.Skipf("%v (the docs are not beside the code)", err)
	}
	packs, err := policy.BuiltinPacks()
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]*policy.Pack{}
	for _, p := range packs {
		byID[p.ID] = p
	}
	block := regexp.MustCompile(`(?s)<!-- generated:(\S+)(?: (\S+))? -->\n.*?<!-- end -->`)
	seen := map[string]bool{}
	var problems []string
	out := block.ReplaceAllFunc(data, func(m []byte) []byte {
		sub := block.FindSubmatch(m)
		kind, id := string(sub[1]), string(sub[2])
		var body string
		switch kind {
		case "summary":
			body = docSummary(packs)
		case "pack", "sources", "interpretations":
			p := byID[id]
			if p == nil {
				problems = append(problems, fmt.Sprintf("block %s names no built-in pack %q", kind, id))
				return m
			}
			seen[kind+" "+id] = true
			switch kind {
			case "pack":
				body = docPack(p)
			case "sources":
				body = docSources(p)
			default:
				body = docInterpretations(p)
			}
		default:
			problems = append(problems, fmt.Sprintf("unknown generated block %q", kind))
			return m
		}
		head := "<!-- generated:" + kind
		if id != "" {
			head += " " + id
		}
		return []byte(head + " -->\n" + body + "<!-- end -->")
	})
	for _, p := range packs {
		for _, kind := range []string{"pack", "sources", "interpretations"} {
			if !seen[kind+" "+p.ID] {
				problems = append(problems, fmt.Sprintf("no generated:%s block for %s", kind, p.ID))
			}
		}
	}
	for _, p := range problems {
		t.Error(p)
	}
	if bytes.Equal(out, data) {
		return
	}
	if *update {
		if err := os.WriteFile(docPath, out, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("%s is out of step with the packs (run go test ./internal/policy -run TestBuiltinPacksDoc -update and review the diff)", docPath)
}

func docSummary(packs []*policy.Pack) string {
	var b strings.Builder
	b.WriteString("| pack | jurisdiction | kind | binds | status | published | designated | rules |\n|---|---|---|---|---|---|---|---|\n")
	for _, p := range packs {
		fmt.Fprintf(&b, "| [`%s`](#%s) | %s | %s | %s | %s | %s | %s | %d |\n", p.ID, p.ID, p.Jurisdiction, p.Kind,
			yesNo(p.Binds()), p.Status, p.Published, strings.Join(p.Designated, ", "), len(p.Rules))
	}
	return b.String()
}

func yesNo(v bool) string {
	if v {
		return "yes"
	}
	return "no"
}

func docPack(p *policy.Pack) string {
	var b strings.Builder
	binds := "binds"
	if !p.Binds() {
		binds = "does not bind (" + p.BindingNote + ")"
	}
	fmt.Fprintf(&b, "**%s**  \nJurisdiction %s · kind `%s` · status `%s` · %s · published %s · designated: %s · version %s\n\n",
		p.Title, p.Jurisdiction, p.Kind, p.Status, binds, p.Published, strings.Join(p.Designated, ", "), p.Version)
	for _, prm := range p.Parameters {
		def := "none: unknown until set"
		if !prm.Default.IsZero() {
			def = prm.Default.String() + " (constructed)"
		}
		per := ""
		if prm.Attribute != "" {
			per = fmt.Sprintf("; per element: attribute `%s`; per operator: `--param %s.%s@OPERATOR=YYYY-MM-DD`", prm.Attribute, p.ID, prm.Name)
		}
		fmt.Fprintf(&b, "Parameter `%s` (`--param %s.%s=YYYY-MM-DD`; default %s%s).\n\n", prm.Name, p.ID, prm.Name, def, per)
	}
	b.WriteString("| rule | kind | scope | date | basis | severity | confidence |\n|---|---|---|---|---|---|---|\n")
	for i := range p.Rules {
		r := &p.Rules[i]
		fmt.Fprintf(&b, "| `%s` — %s | `%s` | %s | %s | %s | %s | %s |\n", r.ID, r.Title, r.Kind, docScope(r),
			docDate(r), docBasis(p, r), r.Severity, r.Confidence)
	}
	b.WriteString("\nCitations:\n\n")
	for i := range p.Rules {
		r := &p.Rules[i]
		fmt.Fprintf(&b, "- `%s`: %s [%s]\n", r.LocalID, r.Citation, strings.Join(r.SourceIDs, ", "))
	}
	return b.String()
}

func docScope(r *policy.Rule) string {
	var parts []string
	if len(r.Scope.Domains) > 0 {
		parts = append(parts, "domains "+codes(r.Scope.Domains))
	}
	if len(r.Scope.Functions) > 0 {
		parts = append(parts, "functions "+codes(r.Scope.Functions))
	}
	if len(r.Scope.Technologies) > 0 {
		parts = append(parts, "tech "+codes(r.Scope.Technologies))
	}
	s := strings.Join(parts, "; ")
	if s == "" {
		s = "any element"
	}
	var extra []string
	if len(r.Vendors) > 0 {
		extra = append(extra, "vendors "+codes(r.Vendors))
	}
	if len(r.SiteTags) > 0 || len(r.AreaCategories) > 0 {
		at := "at sites tagged " + codes(r.SiteTags)
		if len(r.SiteTags) == 0 {
			at = "in areas " + codes(r.AreaCategories)
		} else if len(r.AreaCategories) > 0 {
			at += " or areas " + codes(r.AreaCategories)
		}
		extra = append(extra, at)
	}
	if r.Cap != nil {
		extra = append(extra, fmt.Sprintf("cap %s of %s", policy.Percent(r.Cap.Float()), strings.Join(r.Metrics, ", ")))
	}
	if r.Kind == policy.KindInstallationBan {
		after := r.InstalledText
		if after == "" {
			after = r.EffectiveText
		}
		extra = append(extra, "installed after "+docDateText(after))
	}
	if r.MinVendors > 0 {
		extra = append(extra, fmt.Sprintf("at least %d vendor groups", r.MinVendors))
	}
	if u := r.RestrictedUse; u != nil {
		how := []string{}
		if len(u.SiteTags) > 0 {
			how = append(how, "sites tagged "+codes(u.SiteTags))
		}
		if u.Attribute != "" {
			how = append(how, "attribute `"+u.Attribute+"`")
		}
		extra = append(extra, fmt.Sprintf("%s only for restricted uses (%s; otherwise unmeasured)", codes(u.Vendors), strings.Join(how, " or ")))
	}
	if len(extra) > 0 {
		s += " — " + strings.Join(extra, "; ")
	}
	return s
}

func codes(items []string) string {
	q := make([]string, len(items))
	for i, s := range items {
		q[i] = "`" + s + "`"
	}
	return strings.Join(q, ", ")
}

func docDate(r *policy.Rule) string {
	text, word := r.EffectiveText, "from "
	if r.ByText != "" {
		text, word = r.ByText, "by "
	}
	return word + docDateText(text)
}

// docDateText writes a rule date, which may name a parameter.
func docDateText(text string) string {
	if name, ok := strings.CutPrefix(text, "{"); ok {
		return "parameter `" + strings.TrimSuffix(name, "}") + "`"
	}
	return text
}

func docBasis(p *policy.Pack, r *policy.Rule) string {
	b := r.Basis(p)
	if b.Binding {
		return "binding"
	}
	var why []string
	switch {
	case !p.Binds():
		why = append(why, "pack does not bind")
	case r.Binding != nil && !*r.Binding:
		why = append(why, "rule does not bind")
	}
	if r.Confidence == "draft" {
		why = append(why, "draft")
	}
	if b.Date == policy.DateConstructed {
		why = append(why, "constructed date")
	}
	return "advisory: " + strings.Join(why, ", ")
}

func docSources(p *policy.Pack) string {
	var b strings.Builder
	b.WriteString("Sources:\n\n")
	for _, s := range p.Sources {
		fmt.Fprintf(&b, "- `%s`: %s", s.ID, s.Title)
		if !s.Published.IsZero() {
			fmt.Fprintf(&b, " (%s)", s.Published)
		}
		if s.URL != "" {
			fmt.Fprintf(&b, " — <%s>", s.URL)
		}
		b.WriteString("\n")
	}
	return b.String()
}

func docInterpretations(p *policy.Pack) string {
	var b strings.Builder
	for i := range p.Rules {
		r := &p.Rules[i]
		if r.Interpretation == "" {
			continue
		}
		fmt.Fprintf(&b, "- **`%s`** (%s) — %s\n", r.ID, r.Confidence, strings.Join(strings.Fields(r.Interpretation), " "))
	}
	if b.Len() == 0 {
		b.WriteString("No rule of this pack needs a reading beyond its citation.\n")
	}
	return b.String()
}
