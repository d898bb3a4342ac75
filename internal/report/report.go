// Package report renders check results for people and machines: a table
// for the terminal, the JSON contract, CSV, Markdown and JUnit XML. It only
// formats; every judgement was made by the policy package.
package report

import (
	"fmt"
	"io"
	"slices"
	"sort"

	"github.com/corefence/corefence/internal/inventory"
	"github.com/corefence/corefence/internal/policy"
)

// Formats lists the output formats of `corefence check`.
var Formats = []string{"table", "json", "csv", "markdown", "junit", "sarif", "geojson"}

// Options adjust rendering.
type Options struct {
	// MaxPerRule bounds how many findings of one rule the table and
	// Markdown formats list; the machine formats list all. Zero means 20.
	MaxPerRule int
	// Fail lists the statuses that fail a check (the CLI's --fail-on):
	// JUnit reports findings of these statuses as failures. Nil means
	// violations only.
	Fail []string
	// Wide makes the table list every finding on its own unwrapped line,
	// with its full message, instead of one line per site and rule.
	Wide bool
	// Width is the width, in columns, the table wraps to; zero means no
	// wrapping. Wide tables are never wrapped.
	Width int
}

// fails reports whether findings of status s fail the check.
func (o Options) fails(s string) bool {
	if o.Fail == nil {
		return s == policy.StatusViolation
	}
	return slices.Contains(o.Fail, s)
}

// Write renders res in the named format.
func Write(w io.Writer, format string, res *policy.Result, opts Options) error {
	if opts.MaxPerRule == 0 {
		opts.MaxPerRule = 20
	}
	switch format {
	case "table":
		return writeTable(w, res, opts)
	case "json":
		return writeJSON(w, res)
	case "csv":
		return writeCSV(w, res)
	case "markdown":
		return writeMarkdown(w, res, opts)
	case "junit":
		return writeJUnit(w, res, opts)
	case "sarif":
		return writeSARIF(w, res)
	case "geojson":
		return writeGeoJSON(w, res)
	}
	return fmt.Errorf("unknown format %q", format)
}

// OperatorVerdict is one operator's standing in a check.
type OperatorVerdict struct {
	ID        string         `json:"id"`
	Compliant bool           `json:"compliant"`
	Counts    map[string]int `json:"counts"`
	// NextDeadline is the earliest date among the operator's upcoming
	// findings — a rule's deadline where it is written "by D", else the
	// day it comes into force — or "" when there is none.
	NextDeadline string `json:"next_deadline,omitempty"`
}

// Verdicts returns one verdict per operator, in inventory order.
func Verdicts(res *policy.Result) []OperatorVerdict {
	inv := res.Inventory
	out := make([]OperatorVerdict, len(inv.Operators))
	for i, op := range inv.Operators {
		out[i] = OperatorVerdict{ID: op.ID, Compliant: true, Counts: map[string]int{}}
		for _, s := range policy.Statuses {
			out[i].Counts[s] = 0
		}
	}
	for i := range res.Findings {
		f := &res.Findings[i]
		if f.Operator == inventory.NoRef {
			continue
		}
		v := &out[f.Operator]
		v.Counts[f.Status]++
		if f.Status == policy.StatusViolation {
			v.Compliant = false
		}
		if f.Status == policy.StatusUpcoming {
			d := f.Effective.String()
			if !f.DueBy.IsZero() {
				d = f.DueBy.String()
			}
			if v.NextDeadline == "" || d < v.NextDeadline {
				v.NextDeadline = d
			}
		}
	}
	return out
}

// ruleGroup is the findings of one rule, for the formats that group them.
type ruleGroup struct {
	pack     *policy.Pack
	rule     *policy.Rule
	findings []*policy.Finding
	counts   map[string]int
}

func groupByRule(res *policy.Result) []*ruleGroup {
	var groups []*ruleGroup
	byRule := map[*policy.Rule]*ruleGroup{}
	for _, p := range res.Packs {
		for i := range p.Rules {
			g := &ruleGroup{pack: p, rule: &p.Rules[i], counts: map[string]int{}}
			groups = append(groups, g)
			byRule[g.rule] = g
		}
	}
	for i := range res.Findings {
		f := &res.Findings[i]
		g := byRule[f.Rule]
		g.findings = append(g.findings, f)
		g.counts[f.Status]++
	}
	// Within a rule, the findings that need action come first.
	rank := map[string]int{}
	for i, s := range policy.Statuses {
		rank[s] = i
	}
	for _, g := range groups {
		sort.SliceStable(g.findings, func(i, j int) bool { return rank[g.findings[i].Status] < rank[g.findings[j].Status] })
	}
	return groups
}
