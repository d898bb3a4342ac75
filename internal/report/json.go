package report

import (
	"bufio"
	"encoding/json"
	"io"

	cf "github.com/corefence/corefence"
	"github.com/corefence/corefence/internal/inventory"
	"github.com/corefence/corefence/internal/policy"
)

// JSON output: the contract of docs/json-output.md. Fields may be added;
// none may be removed or renamed.

type jsonPolicy struct {
	ID           string `json:"id"`
	Title        string `json:"title"`
	Version      string `json:"version"`
	Kind         string `json:"kind"`
	Status       string `json:"status"`
	Jurisdiction string `json:"jurisdiction"`
	Builtin      bool   `json:"builtin"`
	Binding      bool   `json:"binding"`
}

type jsonSummary struct {
	Violation  int `json:"violation"`
	Advisory   int `json:"advisory"`
	Upcoming   int `json:"upcoming"`
	Waived     int `json:"waived"`
	Unmeasured int `json:"unmeasured"`
}

type jsonWaiver struct {
	Rule     string  `json:"rule"`
	Approver string  `json:"approver"`
	Reason   string  `json:"reason"`
	Expires  cf.Date `json:"expires"`
	Expired  bool    `json:"expired"`
}

// Finding is one finding as JSON and CSV write it.
type Finding struct {
	ID         string      `json:"id"`
	Policy     string      `json:"policy"`
	Rule       string      `json:"rule"`
	Kind       string      `json:"kind"`
	Status     string      `json:"status"`
	Severity   string      `json:"severity"`
	Operator   *string     `json:"operator"`
	Site       *string     `json:"site"`
	Element    *string     `json:"element"`
	Vendor     *string     `json:"vendor"`
	Metric     *string     `json:"metric"`
	Value      *float64    `json:"value"`
	Limit      *float64    `json:"limit"`
	Effective  *cf.Date    `json:"effective"` // null while the rule's date is an unset parameter
	DaysLeft   *int        `json:"days_left"`
	Message    string      `json:"message"`
	Citation   string      `json:"citation"`
	Confidence string      `json:"confidence"`
	Domain     *string     `json:"domain"`
	Waiver     *jsonWaiver `json:"waiver"`
	// DueBy is the deadline of a rule written "by D": D, the last day
	// that complies (Effective is the day after). Null for other rules.
	DueBy *cf.Date `json:"due_by"`
	// Basis is how firmly the rule binds: a finding in force of a rule
	// that does not bind is advisory, and Basis.Reason says why.
	Basis policy.Basis `json:"basis"`
}

func optionalDate(d cf.Date) *cf.Date {
	if d.IsZero() {
		return nil
	}
	return &d
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// NewFinding converts a finding for the machine formats.
func NewFinding(inv *inventory.Inventory, f *policy.Finding) Finding {
	out := Finding{
		ID:         f.ID(inv),
		Policy:     f.Pack.ID,
		Rule:       f.Rule.ID,
		Kind:       f.Rule.Kind,
		Status:     f.Status,
		Severity:   f.Rule.Severity,
		Operator:   optional(inv.OperatorID(f.Operator)),
		Site:       optional(inv.SiteID(f.Site)),
		Element:    optional(inv.ElementID(f.Element)),
		Vendor:     optional(inv.GroupID(f.Group)),
		Metric:     optional(f.Metric),
		Effective:  optionalDate(f.Effective),
		DueBy:      optionalDate(f.DueBy),
		Basis:      *f.Basis,
		Message:    f.Message(inv),
		Citation:   f.Rule.Citation,
		Confidence: f.Rule.Confidence,
	}
	if f.Domain != cf.DomainNone {
		out.Domain = optional(f.Domain.String())
	}
	if f.Value != nil {
		v := f.Value.Float()
		out.Value = &v
	}
	if f.Limit != nil {
		l := f.Limit.Float()
		out.Limit = &l
	}
	if f.Status == policy.StatusUpcoming {
		d := f.DaysLeft
		out.DaysLeft = &d
	}
	if w := f.Waiver; w != nil {
		out.Waiver = &jsonWaiver{Rule: w.Rule, Approver: w.Approver, Reason: w.Reason, Expires: w.Expires, Expired: f.WaiverExpired()}
	}
	return out
}

// writeJSON streams the report: a national check can have hundreds of
// thousands of findings, which need not all be held as JSON at once.
func writeJSON(w io.Writer, res *policy.Result) error {
	inv := res.Inventory
	bw := bufio.NewWriterSize(w, 1<<16)
	counts := res.Count()
	head := struct {
		AsOf      cf.Date           `json:"as_of"`
		Compliant bool              `json:"compliant"`
		Inventory inventory.Counts  `json:"inventory"`
		Policies  []jsonPolicy      `json:"policies"`
		Summary   jsonSummary       `json:"summary"`
		Operators []OperatorVerdict `json:"operators"`
	}{
		AsOf:      res.AsOf,
		Compliant: res.Compliant(),
		Inventory: inv.Counts(),
		Summary: jsonSummary{Violation: counts[policy.StatusViolation], Advisory: counts[policy.StatusAdvisory], Upcoming: counts[policy.StatusUpcoming],
			Waived: counts[policy.StatusWaived], Unmeasured: counts[policy.StatusUnmeasured]},
		Operators: Verdicts(res),
		Policies:  []jsonPolicy{},
	}
	for _, p := range res.Packs {
		head.Policies = append(head.Policies, jsonPolicy{ID: p.ID, Title: p.Title, Version: p.Version, Kind: p.Kind,
			Status: p.Status, Jurisdiction: p.Jurisdiction, Builtin: p.Builtin, Binding: p.Binds()})
	}
	b, err := json.MarshalIndent(head, "", "  ")
	if err != nil {
		return err
	}
	bw.Write(b[:len(b)-2]) // reopen the object: drop "\n}"
	bw.WriteString(",\n  \"findings\": [")
	for i := range res.Findings {
		if i > 0 {
			bw.WriteByte(',')
		}
		bw.WriteString("\n    ")
		fb, err := json.MarshalIndent(NewFinding(inv, &res.Findings[i]), "    ", "  ")
		if err != nil {
			return err
		}
		bw.Write(fb)
	}
	if len(res.Findings) > 0 {
		bw.WriteString("\n  ")
	}
	bw.WriteString("],\n  \"warnings\": ")
	warnings := res.Warnings
	if warnings == nil {
		warnings = []cf.Warning{}
	}
	wb, err := json.MarshalIndent(warnings, "  ", "  ")
	if err != nil {
		return err
	}
	bw.Write(wb)
	bw.WriteString("\n}\n")
	return bw.Flush()
}
