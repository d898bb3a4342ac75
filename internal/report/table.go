package report

import (
	"bytes"
	"fmt"
	"io"
	"math/big"
	"strings"
	"text/tabwriter"
	"unicode/utf8"

	cf "github.com/corefence/corefence"

	"github.com/corefence/corefence/internal/inventory"
	"github.com/corefence/corefence/internal/policy"
	"github.com/corefence/corefence/internal/safetext"
)

// writeTable renders a check for a person at a terminal: the operators'
// verdicts, then each rule with its findings — one line per site (or
// operator-wide measure) and status, wrapped to opts.Width, or with
// opts.Wide one unwrapped line per finding with its full message.
func writeTable(w io.Writer, res *policy.Result, opts Options) error {
	inv := res.Inventory
	ew := &errWriter{w: w}
	width := opts.Width
	if opts.Wide {
		width = 0
	}
	var ids []string
	for _, p := range res.Packs {
		ids = append(ids, p.ID)
	}
	para(ew, width, "", "  ", fmt.Sprintf("corefence check as of %s against %s", res.AsOf, safetext.Line(strings.Join(ids, ", "))))
	para(ew, width, "", "  ", fmt.Sprintf("inventory: %s, %s, %s, %s, %s (%s)",
		plural(len(inv.Operators), "operator", "operators"), plural(len(inv.Sites), "site", "sites"),
		plural(len(inv.Elements), "element", "elements"), plural(len(inv.Links), "link", "links"),
		plural(len(inv.Areas), "area", "areas"), short(inv.Digest)))
	ew.printf("\n")
	writeVerdicts(ew, res, width)

	traffic := false // whether a line gave a traffic figure, whose unit is the inventory's
	for _, g := range groupByRule(res) {
		if len(g.findings) == 0 {
			continue
		}
		r := g.rule
		ew.printf("\n")
		para(ew, width, "", "  ", safetext.Line(r.ID)+" — "+safetext.Line(r.Title))
		para(ew, width, "  ", "    ", fmt.Sprintf("%s · %s · %s · %s", r.Kind, r.Severity, ruleState(g.pack, r, res.AsOf), countLine(g.counts)))
		para(ew, width, "  ", "    ", "basis: "+basisText(r.Basis(g.pack)))
		if opts.Wide {
			writeFindings(ew, inv, g, opts.MaxPerRule)
		} else {
			rows, t := siteRows(inv, g)
			traffic = traffic || t
			writeRows(ew, rows, width, opts.MaxPerRule)
		}
		if r.Citation != "" {
			para(ew, width, "  ", "    ", "source: "+safetext.Line(r.Citation))
		}
	}
	if traffic {
		ew.printf("\n")
		para(ew, width, "", "  ", "traffic units: the inventory's own, the same at every site (busy-hour Gbit/s is usual; see docs/inventory.md)")
	}
	if len(res.Warnings) > 0 {
		ew.printf("\nwarnings:\n")
		for _, wn := range res.Warnings {
			para(ew, width, "  ", "    ", wn.Code+": "+safetext.Line(wn.Message))
		}
	}
	counts := res.Count()
	verdict := "COMPLIANT"
	if !res.Compliant() {
		verdict = "NOT COMPLIANT"
	}
	ew.printf("\n")
	para(ew, width, "", "  ", fmt.Sprintf("%s as of %s: %s", verdict, res.AsOf, countLine(counts)))
	if n := counts[policy.StatusAdvisory]; n > 0 {
		para(ew, width, "", "  ", plural(n, "finding is", "findings are")+" short of rules that do not bind (advice, drafts, constructed dates): not breaches of the law")
	}
	return ew.err
}

// writeVerdicts writes one line per operator: a table where it fits the
// width, else a wrapped sentence each.
func writeVerdicts(ew *errWriter, res *policy.Result, width int) {
	var buf bytes.Buffer
	tw := tabwriter.NewWriter(&buf, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "OPERATOR\tVERDICT\tVIOLATIONS\tADVISORY\tUPCOMING\tWAIVED\tUNMEASURED\tNEXT DEADLINE")
	verdicts := Verdicts(res)
	for _, v := range verdicts {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%d\t%d\t%s\n", safetext.Line(v.ID), verdictWord(v), v.Counts[policy.StatusViolation], v.Counts[policy.StatusAdvisory],
			v.Counts[policy.StatusUpcoming], v.Counts[policy.StatusWaived], v.Counts[policy.StatusUnmeasured], dash(v.NextDeadline))
	}
	tw.Flush()
	fits := true
	for _, l := range strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n") {
		fits = fits && (width == 0 || runeWidth(l) <= width)
	}
	if fits {
		ew.Write(buf.Bytes())
		return
	}
	for _, v := range verdicts {
		line := safetext.Line(v.ID) + ": " + verdictWord(v) + " · " + countLine(v.Counts)
		if v.NextDeadline != "" {
			line += " · next deadline " + v.NextDeadline
		}
		para(ew, width, "", "  ", line)
	}
}

func verdictWord(v OperatorVerdict) string {
	if v.Compliant {
		return "compliant"
	}
	return "NOT COMPLIANT"
}

// writeFindings lists a rule's findings one per line, each with its full
// message: the --wide table.
func writeFindings(ew *errWriter, inv *inventory.Inventory, g *ruleGroup, max int) {
	tw := tabwriter.NewWriter(ew, 0, 0, 2, ' ', 0)
	for i, f := range g.findings {
		if i == max {
			fmt.Fprintf(tw, "  … and %d more (use --format json or csv for every finding)\n", len(g.findings)-i)
			break
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", strings.ToUpper(f.Status), safetext.Line(subject(inv, f)), safetext.Line(f.Message(inv)))
	}
	tw.Flush()
}

// row is one line of a rule's findings in the grouped table: a status,
// an operator, what the line is about (a site, a measured share) and the
// details.
type row struct {
	status, operator, about, text string
}

// namesShown is how many element ids a grouped line names before it
// counts the rest.
const namesShown = 3

// siteRows groups a rule's findings into rows: the findings of one status
// at one site become one row counting their elements; operator-wide
// findings (shares, diversity) keep a row each. It also reports whether a
// row gives a traffic figure.
func siteRows(inv *inventory.Inventory, g *ruleGroup) (rows []row, traffic bool) {
	type key struct {
		status string
		site   inventory.Ref
	}
	bySite := map[key][]*policy.Finding{}
	var order []key // first appearance; findings come sorted by status
	for _, f := range g.findings {
		if f.Element == inventory.NoRef {
			order = append(order, key{f.Status, inventory.NoRef})
			bySite[key{f.Status, inventory.NoRef}] = append(bySite[key{f.Status, inventory.NoRef}], f)
			continue
		}
		k := key{f.Status, inv.Elements[f.Element].SiteRef}
		if _, ok := bySite[k]; !ok {
			order = append(order, k)
		}
		bySite[k] = append(bySite[k], f)
	}
	done := map[key]int{} // operator-wide findings taken so far, per status
	for _, k := range order {
		fs := bySite[k]
		if k.site == inventory.NoRef {
			f := fs[done[k]]
			done[k]++
			text, t := operatorText(inv, f)
			traffic = traffic || t
			rows = append(rows, row{strings.ToUpper(f.Status), whole(inv.OperatorID(f.Operator)), whole(f.Metric), text})
			continue
		}
		site := &inv.Sites[k.site]
		rows = append(rows, row{strings.ToUpper(k.status), whole(inv.Operators[site.OperatorRef].ID), "site " + whole(site.ID), elementsText(inv, fs)})
	}
	return rows, traffic
}

// elementsText describes the findings of one status at one site: how many
// elements of which vendors, the first few by id, and the reason when
// every one has the same.
func elementsText(inv *inventory.Inventory, fs []*policy.Finding) string {
	var b strings.Builder
	vendors := map[string]int{}
	var names []string
	for _, f := range fs {
		e := &inv.Elements[f.Element]
		name := inv.Groups[e.Group].Name
		if vendors[name] == 0 {
			names = append(names, name)
		}
		vendors[name]++
	}
	noun := plural(len(fs), "element", "elements")
	if len(names) == 1 { // "2 Huawei elements"
		noun = strings.Replace(noun, " ", " "+whole(names[0])+" ", 1)
	} else {
		parts := make([]string, len(names))
		for i, n := range names {
			parts[i] = fmt.Sprintf("%s %d", whole(n), vendors[n])
		}
		noun += " (" + strings.Join(parts, ", ") + ")"
	}
	b.WriteString(noun + ": ")
	for i, f := range fs {
		if i == namesShown && len(fs) > namesShown+1 {
			fmt.Fprintf(&b, ", +%d", len(fs)-i)
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(whole(inv.Elements[f.Element].ID))
	}
	note := findingNote(fs[0])
	for _, f := range fs[1:] {
		if findingNote(f) != note {
			return b.String() + " — the reasons differ per element (--wide lists each)"
		}
	}
	if note != "" {
		f := fs[0]
		e := &inv.Elements[f.Element]
		b.WriteString(" — " + prose(note, e.ID, inv.Sites[e.SiteRef].ID, inv.OperatorID(f.Operator), inv.Groups[e.Group].Name, e.Vendor))
	}
	return b.String()
}

// findingNote is what an element finding says beyond its subject and
// rule: why it is a finding, its own deadline, its waiver.
func findingNote(f *policy.Finding) string {
	var parts []string
	if f.Why != "" {
		parts = append(parts, f.Why)
	}
	if f.Status == policy.StatusUpcoming || f.Status == policy.StatusAdvisory {
		if f.Effective != f.Rule.Effective || f.DueBy != f.Rule.DueBy {
			if f.DueBy.IsZero() {
				parts = append(parts, "from "+f.Effective.String())
			} else {
				parts = append(parts, "due by "+f.DueBy.String())
			}
		}
	}
	if w := f.Waiver; w != nil {
		if f.Status == policy.StatusWaived {
			parts = append(parts, fmt.Sprintf("waived until %s by %s", w.Expires, w.Approver))
		} else {
			parts = append(parts, fmt.Sprintf("the waiver approved by %s expired on %s", w.Approver, w.Expires))
		}
	}
	return strings.Join(parts, "; ")
}

// operatorText describes an operator-wide finding with a unit on every
// figure, and reports whether it gives a traffic figure.
func operatorText(inv *inventory.Inventory, f *policy.Finding) (string, bool) {
	if f.Rule.Kind != policy.KindShareCap || f.Value == nil || f.Limit == nil {
		return prose(f.Why, inv.OperatorID(f.Operator)), false
	}
	num, den := f.Value.Num, f.Value.Den
	var what string
	switch f.Metric {
	case "sites":
		what = fmt.Sprintf("%s of %s in scope hold designated equipment", num, plural(int(den.Int64()), "site", "sites"))
	case "traffic":
		what = fmt.Sprintf("%s of %s traffic units are at sites with designated equipment", billionths(num), billionths(den))
	case "premises":
		what = fmt.Sprintf("%s of %s are served by sites with designated equipment", num, plural(int(den.Int64()), "premises", "premises"))
	default:
		return prose(f.Why, inv.OperatorID(f.Operator)), false
	}
	return fmt.Sprintf("%s: %s, above the %s cap", what, policy.Percent(f.Value.Float()), policy.Percent(f.Limit.Float())), f.Metric == "traffic"
}

// billionths formats a sum of inventory quantities (integers of
// billionths) as an exact decimal.
func billionths(n *big.Int) string {
	q, r := new(big.Int).QuoRem(n, big.NewInt(cf.QuantityScale), new(big.Int))
	frac := strings.TrimRight(fmt.Sprintf("%09d", r.Int64()), "0")
	if frac == "" {
		return q.String()
	}
	return q.String() + "." + frac
}

// writeRows writes a rule's rows in aligned columns, the details wrapped
// to width under their own column, at most limit rows.
func writeRows(ew *errWriter, rows []row, width, limit int) {
	// The first three columns are as wide as their widest cell, but no
	// column takes more than a quarter of the width.
	var ws [3]int
	for _, r := range rows {
		for i, c := range []string{r.status, r.operator, r.about} {
			ws[i] = max(ws[i], runeWidth(c))
		}
	}
	if width > 0 {
		for i := range ws {
			ws[i] = min(ws[i], max(width/4, 8))
		}
	}
	for i, r := range rows {
		if i == limit {
			para(ew, width, "  ", "    ", fmt.Sprintf("… and %d more %s (--wide lists every finding; --format json or csv lists them all)", len(rows)-i, map[bool]string{true: "line", false: "lines"}[len(rows)-i == 1]))
			return
		}
		lead := "  " + pad(r.status, ws[0]) + "  " + pad(r.operator, ws[1]) + "  " + pad(r.about, ws[2]) + "  "
		hang := strings.Repeat(" ", runeWidth(lead))
		if width > 0 && width-len(hang) < 30 { // too little room under the column: indent less
			hang = "      "
		}
		para(ew, width, lead, hang, r.text)
	}
}

func pad(s string, n int) string {
	if w := runeWidth(s); w < n {
		return s + strings.Repeat(" ", n-w)
	}
	return s
}

func runeWidth(s string) int { return utf8.RuneCountInString(s) }

// glue joins the words of a value from the input so that wrapping never
// breaks it: a value's own line break, escaped, followed by spaces and a
// status word would otherwise start a line that looks like a finding.
// It cannot occur in escaped text (safetext writes a NUL as \x00).
const glue = "\x00"

// whole escapes a value from the input for the table, to be shown on one
// line whatever the width.
func whole(v string) string { return strings.ReplaceAll(safetext.Line(v), " ", glue) }

// prose escapes text that quotes values from the input, keeping each of
// the named values whole when the text is wrapped.
func prose(text string, values ...string) string {
	out := safetext.Line(text)
	for _, v := range values {
		if strings.Contains(v, " ") {
			out = strings.ReplaceAll(out, safetext.Line(v), whole(v))
		}
	}
	return out
}

// para writes text after lead, wrapped at spaces to width (zero: not
// wrapped), its further lines starting with hang. A word longer than a
// line is left whole, and so is a value glued by whole, and a run of
// spaces (which only values from the input have).
func para(ew *errWriter, width int, lead, hang, text string) {
	b := []byte(text)
	for i, c := range b {
		if c == ' ' && ((i > 0 && text[i-1] == ' ') || (i+1 < len(b) && text[i+1] == ' ')) {
			b[i] = glue[0]
		}
	}
	text = string(b)
	line := lead
	col := runeWidth(lead)
	fresh := true // nothing after the lead yet
	defer func() { ew.printf("%s\n", strings.ReplaceAll(line, glue, " ")) }()
	for _, word := range strings.Split(text, " ") {
		n := runeWidth(word)
		if !fresh && width > 0 && col+1+n > width {
			ew.printf("%s\n", strings.ReplaceAll(line, glue, " "))
			line, col, fresh = hang, runeWidth(hang), true
		}
		if !fresh {
			line += " "
			col++
		}
		line += word
		col += n
		fresh = false
	}
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
