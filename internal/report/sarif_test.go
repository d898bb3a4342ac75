package report_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	cf "github.com/corefence/corefence"
	"github.com/corefence/corefence/internal/export"
	"github.com/corefence/corefence/internal/importer"
	"github.com/corefence/corefence/internal/inventory"
	"github.com/corefence/corefence/internal/policy"
	"github.com/corefence/corefence/internal/report"
)

// sarifSchema compiles the SARIF 2.1.0 JSON schema (testdata/sarif/README.md
// says where it comes from), asserting formats such as uri too.
func sarifSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open("testdata/sarif/sarif-2.1.0-rtm.5.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource("sarif-2.1.0.json", doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("sarif-2.1.0.json")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// sarifLog is the part of a SARIF log the tests read.
type sarifLog struct {
	Version string `json:"version"`
	Runs    []struct {
		Tool struct {
			Driver struct {
				Rules []struct {
					ID      string `json:"id"`
					HelpURI string `json:"helpUri"`
					Help    struct {
						Text string `json:"text"`
					} `json:"help"`
				} `json:"rules"`
			} `json:"driver"`
		} `json:"tool"`
		Results []struct {
			RuleID    string `json:"ruleId"`
			RuleIndex int    `json:"ruleIndex"`
			Kind      string `json:"kind"`
			Level     string `json:"level"`
			Message   struct {
				Text string `json:"text"`
			} `json:"message"`
			Locations []struct {
				PhysicalLocation struct {
					ArtifactLocation struct {
						URI string `json:"uri"`
					} `json:"artifactLocation"`
					Region struct {
						StartLine int `json:"startLine"`
					} `json:"region"`
				} `json:"physicalLocation"`
				LogicalLocations []struct {
					Name string `json:"name"`
					Kind string `json:"kind"`
				} `json:"logicalLocations"`
			} `json:"locations"`
			Suppressions []struct {
				Kind          string `json:"kind"`
				Justification string `json:"justification"`
			} `json:"suppressions"`
			Fingerprints map[string]string `json:"partialFingerprints"`
			Properties   struct {
				ID       string `json:"id"`
				Status   string `json:"status"`
				Severity string `json:"severity"`
			} `json:"properties"`
		} `json:"results"`
	} `json:"runs"`
}

// TestSARIF checks the small network in each inventory format the
// importer reads: the log validates against the SARIF 2.1.0 schema, there
// is one result per finding, each points at the file and line where its
// element (or site, or operator) is defined, and levels follow severity
// and status.
func TestSARIF(t *testing.T) {
	schema := sarifSchema(t)
	src, err := importer.Read("../../testdata/small-network.yaml")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	paths := map[string]string{"yaml": "../../testdata/small-network.yaml",
		"json": filepath.Join(dir, "small.json"), "csv": filepath.Join(dir, "small-csv")}
	if err := export.Write(paths["json"], "json", src); err != nil {
		t.Fatal(err)
	}
	if err := export.Write(paths["csv"], "csv", src); err != nil {
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
	for _, format := range []string{"yaml", "json", "csv"} {
		t.Run(format, func(t *testing.T) {
			inv, err := importer.Load(paths[format], inventory.Options{})
			if err != nil {
				t.Fatal(err)
			}
			res, err := policy.Check(context.Background(), inv, []*policy.Pack{pack}, policy.Options{AsOf: asOf, Waivers: waivers})
			if err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			if err := report.Write(&out, "sarif", res, report.Options{}); err != nil {
				t.Fatal(err)
			}
			inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(out.Bytes()))
			if err != nil {
				t.Fatal(err)
			}
			if err := schema.Validate(inst); err != nil {
				t.Fatalf("not valid SARIF 2.1.0: %v", err)
			}
			var log sarifLog
			if err := json.Unmarshal(out.Bytes(), &log); err != nil {
				t.Fatal(err)
			}
			if log.Version != "2.1.0" || len(log.Runs) != 1 {
				t.Fatalf("version %q, %d runs", log.Version, len(log.Runs))
			}
			run := log.Runs[0]
			if len(run.Results) != len(res.Findings) || len(res.Findings) == 0 {
				t.Fatalf("%d results for %d findings", len(run.Results), len(res.Findings))
			}
			seen := map[string]int{}
			for i, r := range run.Results {
				f := &res.Findings[i]
				rule := run.Tool.Driver.Rules[r.RuleIndex]
				if rule.ID != r.RuleID || r.RuleID != f.Rule.ID || r.Fingerprints["corefenceFindingId/v1"] != f.ID(inv) {
					t.Errorf("result %d: rule %s (index names %s), fingerprint %v", i, r.RuleID, rule.ID, r.Fingerprints)
				}
				if r.Message.Text != f.Message(inv) {
					t.Errorf("result %d: message %q", i, r.Message.Text)
				}
				seen[r.Properties.Status+"/"+r.Kind+"/"+r.Level]++
				if r.Properties.Status == policy.StatusWaived && (len(r.Suppressions) != 1 || !strings.Contains(r.Suppressions[0].Justification, "J. Smith, CISO")) {
					t.Errorf("waived result %d has suppressions %+v", i, r.Suppressions)
				}
				// The location is the file and line that define the subject.
				if len(r.Locations) != 1 || len(r.Locations[0].LogicalLocations) != 1 {
					t.Fatalf("result %d: locations %+v", i, r.Locations)
				}
				loc := r.Locations[0]
				name := loc.LogicalLocations[0].Name
				u, err := url.Parse(loc.PhysicalLocation.ArtifactLocation.URI)
				if err != nil {
					t.Fatal(err)
				}
				file := filepath.FromSlash(u.Path)
				data, err := os.ReadFile(file)
				if err != nil {
					t.Fatalf("result %d: location %q: %v", i, file, err)
				}
				lines := strings.Split(string(data), "\n")
				line := loc.PhysicalLocation.Region.StartLine
				if line < 1 || line > len(lines) || !definesID(lines[line-1], name) {
					t.Errorf("result %d (%s %s): %s:%d is not where it is defined", i, loc.LogicalLocations[0].Kind, name, file, line)
				}
			}
			// small-pack has rules of every severity, binding and not; the
			// network has findings of each status.
			want := map[string]int{"violation/fail/error": 1, "advisory/fail/note": 1, "upcoming/fail/warning": 1, "waived/fail/error": 1, "unmeasured/review/none": 1}
			for k := range want {
				if seen[k] == 0 {
					t.Errorf("no %s result; got %v", k, seen)
				}
			}
			for k := range seen {
				if want[k] == 0 {
					t.Errorf("unexpected kind of result %s", k)
				}
			}
			for _, rule := range run.Tool.Driver.Rules {
				if !strings.Contains(rule.Help.Text, "Sources:") || !strings.HasPrefix(rule.HelpURI, "https://") {
					t.Errorf("rule %s: help %q, helpUri %q", rule.ID, rule.Help.Text, rule.HelpURI)
				}
			}
		})
	}
}

// definesID reports whether an inventory line defines the record id: a
// YAML or JSON `id` field, or a CSV row starting with it.
func definesID(line, id string) bool {
	return strings.Contains(line, "id: "+id) || strings.Contains(line, `id: "`+id+`"`) ||
		strings.Contains(line, `"id": "`+id+`"`) || strings.HasPrefix(line, id+",")
}
