package report

import (
	"bufio"
	"encoding/csv"
	"encoding/xml"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	cf "github.com/corefence/corefence"
	"github.com/corefence/corefence/internal/policy"
	"github.com/corefence/corefence/internal/safetext"
)

var csvHeader = []string{"id", "policy", "rule", "kind", "status", "severity", "operator", "site", "element",
	"vendor", "metric", "value", "limit", "effective", "days_left", "message", "citation", "confidence", "domain",
	"waiver_approver", "waiver_expires", "due_by", "binding", "date_basis", "basis_reason"}

// csvText are the columns of csvHeader that hold text, which
// safetext.CSVCell neutralises; value, limit and days_left are numbers
// (a negative one starts with '-' and stays a number), effective and
// waiver_expires dates.
var csvText = []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 15, 16, 17, 18, 19, 23, 24}

// CSVHeader is the header row of the CSV format.
func CSVHeader() []string { return slices.Clone(csvHeader) }

// CSVRecord is f as a row of the CSV format, its text cells neutralised
// against formula injection.
func CSVRecord(f *Finding) []string {
	str := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	num := func(p *float64) string {
		if p == nil {
			return ""
		}
		return strconv.FormatFloat(*p, 'g', -1, 64)
	}
	date := func(d *cf.Date) string {
		if d == nil {
			return ""
		}
		return d.String()
	}
	days := ""
	if f.DaysLeft != nil {
		days = strconv.Itoa(*f.DaysLeft)
	}
	approver, expires := "", ""
	if f.Waiver != nil {
		approver, expires = f.Waiver.Approver, f.Waiver.Expires.String()
	}
	row := []string{f.ID, f.Policy, f.Rule, f.Kind, f.Status, f.Severity, str(f.Operator), str(f.Site),
		str(f.Element), str(f.Vendor), str(f.Metric), num(f.Value), num(f.Limit), date(f.Effective), days,
		f.Message, f.Citation, f.Confidence, str(f.Domain), approver, expires,
		date(f.DueBy), strconv.FormatBool(f.Basis.Binding), f.Basis.Date, f.Basis.Reason}
	return safetext.CSVRow(row, csvText...)
}

func writeCSV(w io.Writer, res *policy.Result) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	cw := csv.NewWriter(bw)
	cw.Write(csvHeader)
	for i := range res.Findings {
		f := NewFinding(res.Inventory, &res.Findings[i])
		cw.Write(CSVRecord(&f))
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return bw.Flush()
}

func writeMarkdown(w io.Writer, res *policy.Result, opts Options) error {
	inv := res.Inventory
	ew := &errWriter{w: w}
	verdict := "compliant"
	if !res.Compliant() {
		verdict = "**not compliant**"
	}
	ew.printf("# corefence check as of %s\n\n", res.AsOf)
	counts := res.Count()
	ew.printf("Verdict: %s — %s.\n\n", verdict, countLine(counts))
	if n := counts[policy.StatusAdvisory]; n > 0 {
		ew.printf("%s short of rules that do not bind (advice, drafts, constructed dates): not breaches of the law.\n\n", plural(n, "finding is", "findings are"))
	}
	ew.printf("Inventory: %d operators, %d sites, %d elements (`%s`).\n\n", len(inv.Operators), len(inv.Sites), len(inv.Elements), inv.Digest)
	ew.printf("## Policies\n\n| id | title | kind | status | binding |\n|---|---|---|---|---|\n")
	for _, p := range res.Packs {
		ew.printf("| `%s` | %s | %s | %s | %s |\n", safetext.Code(p.ID), md(p.Title), p.Kind, p.Status, yesNo(p.Binds()))
	}
	ew.printf("\n## Operators\n\n| operator | verdict | violations | advisory | upcoming | waived | unmeasured | next deadline |\n|---|---|---|---|---|---|---|---|\n")
	for _, v := range Verdicts(res) {
		vd := "compliant"
		if !v.Compliant {
			vd = "**not compliant**"
		}
		ew.printf("| %s | %s | %d | %d | %d | %d | %d | %s |\n", md(v.ID), vd, v.Counts[policy.StatusViolation], v.Counts[policy.StatusAdvisory],
			v.Counts[policy.StatusUpcoming], v.Counts[policy.StatusWaived], v.Counts[policy.StatusUnmeasured], dash(v.NextDeadline))
	}
	ew.printf("\n## Findings by rule\n")
	for _, g := range groupByRule(res) {
		if len(g.findings) == 0 {
			continue
		}
		r := g.rule
		ew.printf("\n### `%s` — %s\n\n%s, %s, %s; %s. Basis: %s.", safetext.Code(r.ID), md(r.Title), r.Kind, r.Severity, ruleState(g.pack, r, res.AsOf),
			countLine(g.counts), md(basisText(r.Basis(g.pack))))
		if r.Citation != "" {
			ew.printf(" Source: %s.", md(r.Citation))
		}
		ew.printf("\n\n| status | subject | message |\n|---|---|---|\n")
		for i, f := range g.findings {
			if i == opts.MaxPerRule {
				ew.printf("| … | %d more | see the JSON or CSV output |\n", len(g.findings)-i)
				break
			}
			ew.printf("| %s | %s | %s |\n", f.Status, md(subject(inv, f)), md(f.Message(inv)))
		}
	}
	if len(res.Warnings) > 0 {
		ew.printf("\n## Warnings\n\n")
		for _, wn := range res.Warnings {
			ew.printf("- `%s`: %s\n", wn.Code, md(wn.Message))
		}
	}
	return ew.err
}

// md makes input text safe in Markdown (see safetext.Markdown).
func md(s string) string { return safetext.Markdown(s) }
func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name      string      `xml:"name,attr"`
	Tests     int         `xml:"tests,attr"`
	Failures  int         `xml:"failures,attr"`
	Timestamp string      `xml:"timestamp,attr"`
	Cases     []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Body    string `xml:",chardata"`
}

// writeJUnit writes one test suite per pack and one test case per rule, so
// that CI systems show each rule as passing or failing. Findings of the
// statuses that fail the check (violations, unless opts.Fail says more)
// are the case's failure; the others go to its output.
func writeJUnit(w io.Writer, res *policy.Result, opts Options) error {
	inv := res.Inventory
	out := junitSuites{Name: "corefence check as of " + res.AsOf.String()}
	suiteOf := map[*policy.Pack]int{}
	for _, g := range groupByRule(res) {
		i, ok := suiteOf[g.pack]
		if !ok {
			i = len(out.Suites)
			out.Suites = append(out.Suites, junitSuite{Name: g.pack.ID, Timestamp: res.AsOf.String() + "T00:00:00"})
			suiteOf[g.pack] = i
		}
		s := &out.Suites[i]
		c := junitCase{Name: g.rule.ID + ": " + g.rule.Title, Classname: g.pack.ID}
		var fail, other strings.Builder
		failing := map[string]int{}
		for _, f := range g.findings {
			line := fmt.Sprintf("%s %s: %s\n", strings.ToUpper(f.Status), subject(inv, f), f.Message(inv))
			if opts.fails(f.Status) {
				fail.WriteString(line)
				failing[f.Status]++
			} else {
				other.WriteString(line)
			}
		}
		basis := "basis: " + basisText(g.rule.Basis(g.pack)) + "\n"
		if fail.Len() > 0 {
			c.Failure = &junitFailure{Message: countLine(failing) + " of " + g.rule.ID, Type: g.rule.Severity, Body: basis + fail.String()}
			s.Failures++
			out.Failures++
		}
		c.SystemOut = basis + other.String()
		s.Cases = append(s.Cases, c)
		s.Tests++
		out.Tests++
	}
	ew := &errWriter{w: w}
	ew.printf("%s", xml.Header)
	enc := xml.NewEncoder(ew)
	enc.Indent("", "  ")
	if err := enc.Encode(out); err != nil {
		return err
	}
	ew.printf("\n")
	return ew.err
}
