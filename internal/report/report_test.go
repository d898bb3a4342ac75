package report_test

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"flag"
	"os"
	"path/filepath"
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
	exts := map[string]string{"json": "json", "csv": "csv", "markdown": "md", "junit": "xml", "table": "txt"}
	for _, format := range report.Formats {
		t.Run(format, func(t *testing.T) {
			var out bytes.Buffer
			if err := report.Write(&out, format, res, report.Options{}); err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", "check."+exts[format])
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
