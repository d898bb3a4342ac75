package report

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"runtime/debug"
	"strings"

	cf "github.com/corefence/corefence"
	"github.com/corefence/corefence/internal/inventory"
	"github.com/corefence/corefence/internal/policy"
)

// SARIF 2.1.0 (OASIS), so that code-scanning services show findings where
// the inventory defines the element, with the rule's text and sources.
// One result per finding; one rule per pack rule checked.

const (
	sarifSchema  = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
	sarifVersion = "2.1.0"
	// sarifFingerprint names the stable finding id in partialFingerprints,
	// so that a service tracks a finding from one check to the next.
	sarifFingerprint = "corefenceFindingId/v1"
)

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool        sarifTool         `json:"tool"`
	Invocations []sarifInvocation `json:"invocations"`
	Artifacts   []sarifArtifact   `json:"artifacts,omitempty"`
	Results     []sarifResult     `json:"results"`
	Properties  map[string]any    `json:"properties,omitempty"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version,omitempty"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifText struct {
	Text     string `json:"text"`
	Markdown string `json:"markdown,omitempty"`
}

type sarifRule struct {
	ID                   string         `json:"id"`
	ShortDescription     sarifText      `json:"shortDescription"`
	FullDescription      sarifText      `json:"fullDescription"`
	HelpURI              string         `json:"helpUri,omitempty"`
	Help                 sarifText      `json:"help"`
	DefaultConfiguration sarifConfig    `json:"defaultConfiguration"`
	Properties           map[string]any `json:"properties"`
}

type sarifConfig struct {
	Level string `json:"level"`
}

type sarifInvocation struct {
	ExecutionSuccessful bool `json:"executionSuccessful"`
}

type sarifArtifact struct {
	Location sarifArtifactLocation `json:"location"`
}

type sarifArtifactLocation struct {
	URI   string `json:"uri"`
	Index *int   `json:"index,omitempty"`
}

type sarifResult struct {
	RuleID              string              `json:"ruleId"`
	RuleIndex           int                 `json:"ruleIndex"`
	Kind                string              `json:"kind"`
	Level               string              `json:"level"`
	Message             sarifText           `json:"message"`
	Locations           []sarifLocation     `json:"locations,omitempty"`
	PartialFingerprints map[string]string   `json:"partialFingerprints"`
	Suppressions        []sarifSuppressions `json:"suppressions,omitempty"`
	Properties          Finding             `json:"properties"`
}

type sarifLocation struct {
	PhysicalLocation *sarifPhysical `json:"physicalLocation,omitempty"`
	LogicalLocations []sarifLogical `json:"logicalLocations,omitempty"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifactLocation `json:"artifactLocation"`
	Region           *sarifRegion          `json:"region,omitempty"`
}

type sarifRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn,omitempty"`
}

type sarifLogical struct {
	Name               string `json:"name"`
	FullyQualifiedName string `json:"fullyQualifiedName"`
	Kind               string `json:"kind"`
}

type sarifSuppressions struct {
	Kind          string `json:"kind"`
	Status        string `json:"status"`
	Justification string `json:"justification"`
}

// sarifLevel is a rule's level when broken: critical and high rules are
// errors, medium ones warnings, the rest notes.
func sarifLevel(severity string) string {
	switch severity {
	case "critical", "high":
		return "error"
	case "medium":
		return "warning"
	}
	return "note"
}

// securitySeverity is the 0–10 score code-scanning services rank security
// results by.
func securitySeverity(severity string) string {
	switch severity {
	case "critical":
		return "9.5"
	case "high":
		return "8.0"
	case "medium":
		return "5.5"
	case "low":
		return "3.0"
	}
	return "1.0"
}

// sarifKindLevel is a finding's kind and level. A violation, and a waived
// one (suppressed, see below), fails at its rule's level; an upcoming one
// fails a level lower, as a warning of what is coming; an unmeasured one
// needs a person to review the data (SARIF gives results that are not
// failures the level none). An advisory one — short of a rule that does not
// bind — is shown at the lowest level of a failure, a note: listed for the
// reader, never as a breach.
func sarifKindLevel(status, severity string) (kind, level string) {
	switch status {
	case policy.StatusAdvisory:
		return "fail", "note"
	case policy.StatusViolation, policy.StatusWaived:
		return "fail", sarifLevel(severity)
	case policy.StatusUpcoming:
		if sarifLevel(severity) == "error" {
			return "fail", "warning"
		}
		return "fail", "note"
	case policy.StatusUnmeasured:
		return "review", "none"
	}
	return "informational", "none"
}

// sarifURI turns an inventory file path into a URI reference: relative
// paths stay relative (to the directory the check ran in, which code
// scanning takes as the repository root), absolute ones become file URIs.
func sarifURI(path string) string {
	p := filepath.ToSlash(path)
	if filepath.IsAbs(path) {
		return (&url.URL{Scheme: "file", Path: p}).String()
	}
	p = strings.TrimPrefix(p, "./")
	return (&url.URL{Path: p}).EscapedPath()
}

func toolVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return ""
}

func writeSARIF(w io.Writer, res *policy.Result) error {
	inv := res.Inventory
	run := sarifRun{
		Tool: sarifTool{Driver: sarifDriver{Name: "corefence", Version: toolVersion(),
			InformationURI: "https://github.com/corefence/corefence", Rules: []sarifRule{}}},
		Invocations: []sarifInvocation{{ExecutionSuccessful: true}},
		Results:     []sarifResult{},
		Properties: map[string]any{"as_of": res.AsOf.String(), "compliant": res.Compliant(),
			"inventory": inv.Counts()},
	}
	ruleIndex := map[*policy.Rule]int{}
	for _, p := range res.Packs {
		for i := range p.Rules {
			r := &p.Rules[i]
			ruleIndex[r] = len(run.Tool.Driver.Rules)
			run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, newSARIFRule(p, r))
		}
	}
	artifactIndex := map[string]int{}
	location := func(pos cf.Position) *sarifPhysical {
		if pos.File == "" {
			return nil
		}
		idx, ok := artifactIndex[pos.File]
		if !ok {
			idx = len(run.Artifacts)
			artifactIndex[pos.File] = idx
			run.Artifacts = append(run.Artifacts, sarifArtifact{Location: sarifArtifactLocation{URI: sarifURI(pos.File)}})
		}
		ph := &sarifPhysical{ArtifactLocation: sarifArtifactLocation{URI: sarifURI(pos.File), Index: &idx}}
		if pos.Line > 0 {
			ph.Region = &sarifRegion{StartLine: pos.Line, StartColumn: pos.Column}
		}
		return ph
	}
	for i := range res.Findings {
		f := &res.Findings[i]
		jf := NewFinding(inv, f)
		kind, level := sarifKindLevel(f.Status, f.Rule.Severity)
		r := sarifResult{
			RuleID: f.Rule.ID, RuleIndex: ruleIndex[f.Rule], Kind: kind, Level: level,
			Message:             sarifText{Text: jf.Message},
			PartialFingerprints: map[string]string{sarifFingerprint: jf.ID},
			Properties:          jf,
		}
		pos, logical := findingPlace(inv, f)
		if ph := location(pos); ph != nil || logical != nil {
			loc := sarifLocation{PhysicalLocation: ph}
			if logical != nil {
				loc.LogicalLocations = []sarifLogical{*logical}
			}
			r.Locations = []sarifLocation{loc}
		}
		if f.Status == policy.StatusWaived && f.Waiver != nil {
			r.Suppressions = []sarifSuppressions{{Kind: "external", Status: "accepted",
				Justification: fmt.Sprintf("waived by %s until %s: %s", f.Waiver.Approver, f.Waiver.Expires, f.Waiver.Reason)}}
		}
		run.Results = append(run.Results, r)
	}
	bw := bufio.NewWriterSize(w, 1<<16)
	enc := json.NewEncoder(bw)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(sarifLog{Schema: sarifSchema, Version: sarifVersion, Runs: []sarifRun{run}}); err != nil {
		return err
	}
	return bw.Flush()
}

// findingPlace is where a finding's subject is defined: the element, else
// the site, else the operator; and its name in the network.
func findingPlace(inv *inventory.Inventory, f *policy.Finding) (cf.Position, *sarifLogical) {
	switch {
	case f.Element != inventory.NoRef:
		e := &inv.Elements[f.Element]
		fq := inv.OperatorID(inv.Sites[e.SiteRef].OperatorRef) + "/" + inv.SiteID(e.SiteRef) + "/" + e.ID
		return e.Pos, &sarifLogical{Name: e.ID, FullyQualifiedName: fq, Kind: "element"}
	case f.Site != inventory.NoRef:
		s := &inv.Sites[f.Site]
		return s.Pos, &sarifLogical{Name: s.ID, FullyQualifiedName: s.Operator + "/" + s.ID, Kind: "site"}
	case f.Operator != inventory.NoRef:
		o := &inv.Operators[f.Operator]
		return o.Pos, &sarifLogical{Name: o.ID, FullyQualifiedName: o.ID, Kind: "operator"}
	}
	return cf.Position{}, nil
}

func newSARIFRule(p *policy.Pack, r *policy.Rule) sarifRule {
	full := r.Citation
	if r.Interpretation != "" {
		full += " Interpretation: " + r.Interpretation
	}
	if full == "" {
		full = r.Title
	}
	var text, md strings.Builder
	fmt.Fprintf(&text, "%s (%s, %s; in force from %s; confidence: %s)\n", r.Title, p.Title, r.Kind, r.Effective, r.Confidence)
	fmt.Fprintf(&md, "**%s** (%s, `%s`; in force from %s; confidence: %s)\n\n", r.Title, p.Title, r.Kind, r.Effective, r.Confidence)
	if r.Citation != "" {
		fmt.Fprintf(&text, "\n%s\n", r.Citation)
		fmt.Fprintf(&md, "%s\n\n", r.Citation)
	}
	if r.Interpretation != "" {
		fmt.Fprintf(&text, "\nInterpretation: %s\n", r.Interpretation)
		fmt.Fprintf(&md, "Interpretation: %s\n\n", r.Interpretation)
	}
	helpURI := ""
	sources := r.Sources(p)
	if len(sources) > 0 {
		text.WriteString("\nSources:\n")
		md.WriteString("Sources:\n\n")
	}
	for _, s := range sources {
		if s.URL == "" {
			fmt.Fprintf(&text, "- %s\n", s.Title)
			fmt.Fprintf(&md, "- %s\n", s.Title)
			continue
		}
		if helpURI == "" {
			helpURI = s.URL
		}
		fmt.Fprintf(&text, "- %s <%s>\n", s.Title, s.URL)
		fmt.Fprintf(&md, "- [%s](%s)\n", s.Title, s.URL)
	}
	tags := []string{"compliance", "high-risk-vendors", r.Kind}
	if p.Jurisdiction != "" {
		tags = append(tags, p.Jurisdiction)
	}
	return sarifRule{
		ID:                   r.ID,
		ShortDescription:     sarifText{Text: r.Title},
		FullDescription:      sarifText{Text: full},
		HelpURI:              helpURI,
		Help:                 sarifText{Text: strings.TrimSpace(text.String()), Markdown: strings.TrimSpace(md.String())},
		DefaultConfiguration: sarifConfig{Level: sarifLevel(r.Severity)},
		Properties: map[string]any{
			"policy": p.ID, "kind": r.Kind, "severity": r.Severity, "confidence": r.Confidence,
			"effective": r.Effective.String(), "tags": tags, "security-severity": securitySeverity(r.Severity),
		},
	}
}
