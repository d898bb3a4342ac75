package report

import (
	"fmt"

	cf "github.com/corefence/corefence"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/corefence/corefence/internal/inventory"
	"github.com/corefence/corefence/internal/policy"
	"github.com/corefence/corefence/internal/safetext"
)

func writeTable(w io.Writer, res *policy.Result, opts Options) error {
	inv := res.Inventory
	ew := &errWriter{w: w}
	var ids []string
	for _, p := range res.Packs {
		ids = append(ids, p.ID)
	}
	ew.printf("corefence check as of %s against %s\n", res.AsOf, safetext.Line(strings.Join(ids, ", ")))
	ew.printf("inventory: %d operators, %d sites, %d elements, %d links, %d areas (%s)\n\n",
		len(inv.Operators), len(inv.Sites), len(inv.Elements), len(inv.Links), len(inv.Areas), short(inv.Digest))

	tw := tabwriter.NewWriter(ew, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "OPERATOR\tVERDICT\tVIOLATIONS\tADVISORY\tUPCOMING\tWAIVED\tUNMEASURED\tNEXT DEADLINE")
	for _, v := range Verdicts(res) {
		verdict := "compliant"
		if !v.Compliant {
			verdict = "NOT COMPLIANT"
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%d\t%d\t%s\n", safetext.Line(v.ID), verdict, v.Counts[policy.StatusViolation], v.Counts[policy.StatusAdvisory],
			v.Counts[policy.StatusUpcoming], v.Counts[policy.StatusWaived], v.Counts[policy.StatusUnmeasured], dash(v.NextDeadline))
	}
	tw.Flush()

	for _, g := range groupByRule(res) {
		if len(g.findings) == 0 {
			continue
		}
		r := g.rule
		ew.printf("\n%s — %s\n  %s · %s · %s · %s\n  basis: %s\n", safetext.Line(r.ID), safetext.Line(r.Title), r.Kind, r.Severity, ruleState(g.pack, r, res.AsOf),
			countLine(g.counts), basisText(r.Basis(g.pack)))
		tw := tabwriter.NewWriter(ew, 0, 0, 2, ' ', 0)
		for i, f := range g.findings {
			if i == opts.MaxPerRule {
				fmt.Fprintf(tw, "  … and %d more (use --format json or csv for every finding)\n", len(g.findings)-i)
				break
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\n", strings.ToUpper(f.Status), safetext.Line(subject(inv, f)), safetext.Line(f.Message(inv)))
		}
		tw.Flush()
		if r.Citation != "" {
			ew.printf("  source: %s\n", safetext.Line(r.Citation))
		}
	}
	if len(res.Warnings) > 0 {
		ew.printf("\nwarnings:\n")
		for _, wn := range res.Warnings {
			ew.printf("  %s: %s\n", wn.Code, safetext.Line(wn.Message))
		}
	}
	counts := res.Count()
	verdict := "COMPLIANT"
	if !res.Compliant() {
		verdict = "NOT COMPLIANT"
	}
	ew.printf("\n%s as of %s: %s\n", verdict, res.AsOf, countLine(counts))
	if n := counts[policy.StatusAdvisory]; n > 0 {
		ew.printf("%s short of rules that do not bind (advice, drafts, constructed dates): not breaches of the law\n", plural(n, "finding is", "findings are"))
	}
	return ew.err
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// ruleState says when a rule bites, as of a date.
func ruleState(p *policy.Pack, r *policy.Rule, asOf cf.Date) string {
	if prm := r.UnsetParam(); prm != nil {
		if prm.Attribute != "" {
			return fmt.Sprintf("dates per element (attribute %s; parameter %s.%s not set)", prm.Attribute, p.ID, prm.Name)
		}
		return fmt.Sprintf("date not set (parameter %s.%s)", p.ID, prm.Name)
	}
	switch {
	case r.Effective > asOf && r.DueBy.IsZero():
		return fmt.Sprintf("in force from %s, in %s", r.Effective, plural(r.Effective.Sub(asOf), "day", "days"))
	case r.Effective > asOf:
		return fmt.Sprintf("due by %s, missed from %s, in %s", r.DueBy, r.Effective, plural(r.Effective.Sub(asOf), "day", "days"))
	case r.DueBy.IsZero():
		return "in force since " + r.Effective.String()
	}
	return fmt.Sprintf("was due by %s", r.DueBy)
}

// basisText says how firmly a rule binds, in a few words.
func basisText(b policy.Basis) string {
	conf := b.Confidence
	if conf == "" {
		conf = "confidence not stated"
	}
	if b.Binding {
		return "binding · " + conf
	}
	if conf == "draft" { // the reason says so
		return "advisory · " + b.Reason
	}
	return "advisory · " + conf + " · " + b.Reason
}

func countLine(counts map[string]int) string {
	var parts []string
	for _, s := range policy.Statuses {
		if n := counts[s]; n > 0 {
			word := s
			if s == policy.StatusViolation && n != 1 {
				word = "violations"
			}
			parts = append(parts, fmt.Sprintf("%d %s", n, word))
		}
	}
	if len(parts) == 0 {
		return "no findings"
	}
	return strings.Join(parts, ", ")
}

// subject names what a finding is about in a few characters.
func subject(inv *inventory.Inventory, f *policy.Finding) string {
	switch {
	case f.Element != inventory.NoRef:
		return inv.Elements[f.Element].ID
	case f.Metric != "":
		return inv.Operators[f.Operator].ID + " " + f.Metric
	}
	return inv.Operators[f.Operator].ID
}

func short(digest string) string {
	if len(digest) > 19 {
		return digest[:19] + "…"
	}
	return digest
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// errWriter keeps the first write error, so renderers can write freely and
// check once.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, err
}

func (e *errWriter) printf(format string, args ...any) { fmt.Fprintf(e, format, args...) }
