package report_test

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	cf "github.com/corefence/corefence"
	"github.com/corefence/corefence/internal/importer"
	"github.com/corefence/corefence/internal/inventory"
	"github.com/corefence/corefence/internal/policy"
	"github.com/corefence/corefence/internal/report"
)

// TestEveryFormatUnsetDate: a rule whose date is a parameter nobody set
// (us-covered-list's removal deadline) has findings with no effective date;
// every format writes them, and the GeoJSON features carry each finding's
// basis as the JSON report does.
func TestEveryFormatUnsetDate(t *testing.T) {
	inv, err := importer.Load("../../testdata/small-network.yaml", inventory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var packs []*policy.Pack
	for _, id := range []string{"us-covered-list", "uk-2020-ncsc"} {
		p, err := policy.Open(id)
		if err != nil {
			t.Fatal(err)
		}
		packs = append(packs, p)
	}
	asOf, _ := cf.ParseDate("2024-01-15")
	res, err := policy.Check(context.Background(), inv, packs, policy.Options{AsOf: asOf})
	if err != nil {
		t.Fatal(err)
	}
	unset := 0
	for i := range res.Findings {
		if res.Findings[i].Rule.UnsetParam() != nil {
			unset++
		}
	}
	if unset == 0 {
		t.Fatal("no finding of a rule with an unset date: the test needs one")
	}
	for _, format := range report.Formats {
		var out bytes.Buffer
		if err := report.Write(&out, format, res, report.Options{}); err != nil {
			t.Errorf("%s: %v", format, err)
		}
	}
	var out bytes.Buffer
	if err := report.Write(&out, "geojson", res, report.Options{}); err != nil {
		t.Fatal(err)
	}
	var fc struct {
		Features []struct {
			Properties struct {
				Status    string        `json:"status"`
				Effective *string       `json:"effective"`
				Basis     *policy.Basis `json:"basis"`
			} `json:"properties"`
		} `json:"features"`
	}
	if err := json.Unmarshal(out.Bytes(), &fc); err != nil {
		t.Fatal(err)
	}
	advisory, undated := 0, 0
	for i, ft := range fc.Features {
		p := ft.Properties
		if p.Basis == nil || p.Basis.Confidence == "" {
			t.Errorf("feature %d: no basis", i)
			continue
		}
		if p.Status == policy.StatusAdvisory {
			advisory++
			if p.Basis.Binding || p.Basis.Reason == "" {
				t.Errorf("feature %d: advisory with basis %+v", i, *p.Basis)
			}
		}
		if p.Effective == nil {
			undated++
		}
	}
	if advisory == 0 || undated != unset {
		t.Errorf("%d advisory features, %d undated of %d findings with an unset date", advisory, undated, unset)
	}
}
