package report_test

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	cf "github.com/corefence/corefence"
	"github.com/corefence/corefence/internal/importer"
	"github.com/corefence/corefence/internal/inventory"
	"github.com/corefence/corefence/internal/policy"
	"github.com/corefence/corefence/internal/report"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func checkSmall(t *testing.T) *policy.Result {
	t.Helper()
	inv, err := importer.Load("../../testdata/small-network.yaml", inventory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	pack, err := policy.LoadFile("../../testdata/small-pack.yaml")
	if err != nil {
		t.Fatal(err)
	}
	waivers, err := policy.LoadWaivers("../../testdata/small-waivers.yaml")
	if err != nil {
		t.Fatal(err)
	}
	asOf, _ := cf.ParseDate("2024-01-15")
	res, err := policy.Check(context.Background(), inv, []*policy.Pack{pack}, policy.Options{AsOf: asOf, Waivers: waivers})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestGolden pins every output format on the small network: the JSON file
// is the machine contract (docs/json-output.md); the others are pinned so
// that a change to them is seen in review.
func TestGolden(t *testing.T) {
	res := checkSmall(t)
	exts := map[string]string{"json": "json", "csv": "csv", "markdown": "md", "junit": "xml", "table": "txt", "sarif": "sarif.json", "geojson": "geojson"}
	type golden struct {
		name, format string
		opts         report.Options
	}
	var cases []golden
	for _, format := range report.Formats {
		cases = append(cases, golden{"check." + exts[format], format, report.Options{}})
	}
	// The table as the CLI writes it: to its default width, to a narrow
	// terminal, and --wide.
	cases = append(cases,
		golden{"check.100.txt", "table", report.Options{Width: 100}},
		golden{"check.60.txt", "table", report.Options{Width: 60}},
		golden{"check.wide.txt", "table", report.Options{Wide: true, Width: 60}})
	for _, c := range cases {
		format := c.format
		t.Run(c.name, func(t *testing.T) {
			var out bytes.Buffer
			if err := report.Write(&out, format, res, c.opts); err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", c.name)
			if *update {
				if err := os.WriteFile(golden, out.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update)", err)
			}
			if !bytes.Equal(out.Bytes(), want) {
				t.Errorf("%s output differs from %s (run go test -update and review the diff):\n%s", format, golden, out.String())
			}
		})
	}
}

// TestJSONContract checks the fields the check contract names, and that
// the streamed JSON is well formed.
func TestJSONContract(t *testing.T) {
	res := checkSmall(t)
	var out bytes.Buffer
	if err := report.Write(&out, "json", res, report.Options{}); err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatalf("JSON output does not parse: %v", err)
	}
	for _, key := range []string{"violation", "advisory", "upcoming", "waived", "unmeasured"} {
		if _, ok := doc["summary"].(map[string]any)[key]; !ok {
			t.Errorf("summary lacks %q", key)
		}
	}
	for _, key := range []string{"as_of", "compliant", "inventory", "policies", "summary", "findings", "warnings"} {
		if _, ok := doc[key]; !ok {
			t.Errorf("JSON output lacks %q", key)
		}
	}
	for _, key := range []string{"digest", "operators", "sites", "elements", "links", "areas"} {
		if _, ok := doc["inventory"].(map[string]any)[key]; !ok {
			t.Errorf("inventory lacks %q", key)
		}
	}
	findings := doc["findings"].([]any)
	if len(findings) == 0 {
		t.Fatal("no findings")
	}
	for _, f := range findings {
		m := f.(map[string]any)
		for _, key := range []string{"id", "policy", "rule", "kind", "status", "severity", "operator", "site", "element",
			"vendor", "metric", "value", "limit", "effective", "days_left", "message", "citation", "due_by", "basis"} {
			if _, ok := m[key]; !ok {
				t.Errorf("finding %v lacks %q", m["id"], key)
			}
		}
		switch m["status"] {
		case "upcoming":
			if m["days_left"] == nil {
				t.Errorf("upcoming finding %v has no days_left", m["id"])
			}
		default:
			if m["days_left"] != nil {
				t.Errorf("%v finding %v has days_left", m["status"], m["id"])
			}
		}
		basis := m["basis"].(map[string]any)
		for _, key := range []string{"binding", "confidence", "date", "reason"} {
			if _, ok := basis[key]; !ok {
				t.Errorf("finding %v: basis lacks %q", m["id"], key)
			}
		}
		if (m["status"] == "advisory") == (basis["binding"] == true) {
			t.Errorf("finding %v: status %v with basis.binding %v", m["id"], m["status"], basis["binding"])
		}
		if m["kind"] == "share-cap" && m["status"] == "violation" && (m["value"] == nil || m["limit"] == nil) {
			t.Errorf("share finding %v lacks value or limit", m["id"])
		}
	}
	if doc["compliant"] != false {
		t.Errorf("compliant = %v, want false", doc["compliant"])
	}
}

func TestJUnitParses(t *testing.T) {
	res := checkSmall(t)
	var out bytes.Buffer
	if err := report.Write(&out, "junit", res, report.Options{}); err != nil {
		t.Fatal(err)
	}
	var suites struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
	}
	if err := xml.Unmarshal(out.Bytes(), &suites); err != nil {
		t.Fatalf("JUnit output does not parse: %v", err)
	}
	if suites.Tests != 7 || suites.Failures != 5 {
		t.Errorf("JUnit tests, failures = %d, %d; want 7, 5", suites.Tests, suites.Failures)
	}
	// With --fail-on advisory, the advisory diversity rule fails too.
	out.Reset()
	if err := report.Write(&out, "junit", res, report.Options{Fail: []string{policy.StatusViolation, policy.StatusAdvisory}}); err != nil {
		t.Fatal(err)
	}
	if err := xml.Unmarshal(out.Bytes(), &suites); err != nil {
		t.Fatal(err)
	}
	if suites.Failures != 6 {
		t.Errorf("JUnit failures with advisory failing = %d, want 6", suites.Failures)
	}
}

// TestJSONDatesAndBasis: a rule whose date nobody gave has effective and
// due_by null and is unmeasured; a deadline "by D" carries due_by D and
// effective D+1; an advisory finding says why in basis.reason.
func TestJSONDatesAndBasis(t *testing.T) {
	type finding struct {
		Rule, Element, Status string
		Effective             *string `json:"effective"`
		DueBy                 *string `json:"due_by"`
		Basis                 policy.Basis
	}
	check := func(invPath, pack string) (map[string]int, []finding) {
		inv, err := importer.Load(invPath, inventory.Options{})
		if err != nil {
			t.Fatal(err)
		}
		p, _, err := policy.Builtin(pack)
		if err != nil {
			t.Fatal(err)
		}
		res, err := policy.Check(context.Background(), inv, []*policy.Pack{p}, policy.Options{AsOf: cf.NewDate(2024, 1, 1)})
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		if err := report.Write(&out, "json", res, report.Options{}); err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Summary  map[string]int `json:"summary"`
			Findings []finding      `json:"findings"`
		}
		if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
			t.Fatal(err)
		}
		return doc.Summary, doc.Findings
	}

	summary, findings := check("../policy/testdata/check/builtin-us-unset/inventory.yaml", "us-covered-list")
	seen := map[string]int{}
	for _, f := range findings {
		seen[f.Rule]++
		switch f.Rule {
		case "us-covered-list/removal":
			if f.Status != "unmeasured" || f.Effective != nil || f.DueBy != nil || !f.Basis.Binding {
				t.Errorf("%s %s: %s, effective %v, due_by %v, basis %+v", f.Rule, f.Element, f.Status, f.Effective, f.DueBy, f.Basis)
			}
		case "us-covered-list/equipment-authorization-ban":
			if f.Status == "advisory" && (f.Basis.Binding || !strings.Contains(f.Basis.Reason, "FCC 22-84 binds equipment authorisation")) {
				t.Errorf("%s %s: basis %+v", f.Rule, f.Element, f.Basis)
			}
		}
	}
	if seen["us-covered-list/removal"] != 2 || seen["us-covered-list/equipment-authorization-ban"] == 0 {
		t.Errorf("findings per rule %v, want 2 removal findings and some authorisation ones", seen)
	}
	if summary["advisory"] == 0 || summary["unmeasured"] == 0 {
		t.Errorf("summary %v: want advisory and unmeasured findings", summary)
	}

	_, findings = check("../policy/testdata/check/builtin-uk-2023-01-28/inventory.yaml", "uk-dvd-2022")
	var core, draft int
	for _, f := range findings {
		switch f.Rule {
		case "uk-dvd-2022/core": // due by 2023-12-31, missed from 2024-01-01
			core++
			if f.Status != "violation" || f.DueBy == nil || *f.DueBy != "2023-12-31" || f.Effective == nil || *f.Effective != "2024-01-01" {
				t.Errorf("%s %s: %s, due_by %v, effective %v", f.Rule, f.Element, f.Status, f.DueBy, f.Effective)
			}
		case "uk-dvd-2022/security-critical":
			draft++
			if f.Status != "advisory" || f.Basis.Confidence != "draft" || f.Basis.Binding {
				t.Errorf("%s %s: %s, basis %+v", f.Rule, f.Element, f.Status, f.Basis)
			}
		}
	}
	if core == 0 || draft == 0 {
		t.Errorf("%d core and %d security-critical findings; want some of each", core, draft)
	}
}

// TestTableFitsWidth checks that no line of the grouped table runs past
// the width it wraps to, unless it holds a single word too long to break,
// and that --wide wraps nothing.
func TestTableFitsWidth(t *testing.T) {
	res := checkSmall(t)
	for _, width := range []int{40, 60, 80, 100, 132} {
		var out bytes.Buffer
		if err := report.Write(&out, "table", res, report.Options{Width: width}); err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(out.String(), "\n") {
			if n := len([]rune(line)); n > width && len(strings.Fields(line)) > 1 && !strings.HasPrefix(line, "  ") {
				t.Errorf("width %d: line %d is %d columns: %q", width, i+1, n, line)
			}
			if n := len([]rune(line)); n > width && strings.HasPrefix(line, "  ") && len(strings.Fields(line)) > 4 {
				t.Errorf("width %d: line %d is %d columns: %q", width, i+1, n, line)
			}
		}
	}
	var wide bytes.Buffer
	if err := report.Write(&wide, "table", res, report.Options{Wide: true, Width: 40}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(wide.String(), `  VIOLATION  A-DC1-srv1  Huawei server A-DC1-srv1 at site A-DC1 (alpha); "Remove designated vendors from the core" required since 2023-12-31`+"\n") {
		t.Errorf("--wide does not list the finding whole on one line:\n%s", wide.String())
	}
}
