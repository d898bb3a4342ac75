package server_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/corefence/corefence/internal/diff"
	"github.com/corefence/corefence/internal/export"
	"github.com/corefence/corefence/internal/importer"
	"github.com/corefence/corefence/internal/inventory"
	"github.com/corefence/corefence/internal/server"
)

// TestDiffShares: the snapshot diff gives every share cap's measure, per
// operator and metric, before and after. Alpha replaces the Huawei radio
// at A-002: its radio sites go from 2 of 4 to 1 of 4 and its traffic from
// 4 of 8 to 2.5 of 8, under the 35% cap.
func TestDiffShares(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *apiEnv) {
		nets := networks(t)
		s1 := e.snapshot("op-alpha", "alpha", nets["alpha"], "2023-01-01")
		changed := networkWith(t, "alpha", func(doc *inventory.Doc) {
			for i := range doc.Elements {
				if doc.Elements[i].ID == "A-002-gnb" {
					doc.Elements[i].Vendor = "Ericsson"
				}
			}
		})
		s2 := e.snapshot("op-alpha", "alpha", changed, "2023-06-01")
		var d server.DiffResult
		e.getJSON("op-alpha", fmt.Sprintf("/api/v1/operators/alpha/diff?from=%s&to=%s&packs=uk-2020-ncsc&as_of=2024-01-01", s1.ID, s2.ID), 200, &d)
		got := map[string]diff.ShareChange{}
		for _, s := range d.Shares {
			got[s.Rule+" "+s.Operator+" "+s.Metric] = s
		}
		for key, want := range map[string][2]float64{
			"uk-2020-ncsc/access-cap-mobile alpha sites":   {0.5, 0.25},
			"uk-2020-ncsc/access-cap-mobile alpha traffic": {0.5, 0.3125},
		} {
			s, ok := got[key]
			if !ok || s.Old == nil || s.New == nil || *s.Old != want[0] || *s.New != want[1] || !s.OldExceeds || s.NewExceeds || s.Cap != 0.35 {
				t.Errorf("%s: %+v, want %v → %v", key, s, want[0], want[1])
			}
		}
		for key := range got {
			if strings.Contains(key, " beta ") {
				t.Errorf("alpha's diff measures beta: %s", key)
			}
		}
		// A site without its traffic figure: the traffic share is not
		// measured (null), and the null conforms to the API document.
		noTraffic := networkWith(t, "alpha", func(doc *inventory.Doc) {
			for i := range doc.Sites {
				if doc.Sites[i].ID == "A-003" {
					doc.Sites[i].Traffic, doc.Sites[i].HasTraffic = 0, false
				}
			}
		})
		s3 := e.snapshot("op-alpha", "alpha", noTraffic, "2023-09-01")
		var d3 server.DiffResult
		e.getJSON("op-alpha", fmt.Sprintf("/api/v1/operators/alpha/diff?from=%s&to=%s&packs=uk-2020-ncsc&as_of=2024-01-01", s1.ID, s3.ID), 200, &d3)
		nulls := 0
		for _, s := range d3.Shares {
			if s.Operator == "alpha" && s.Metric == "traffic" && (s.Old == nil || *s.Old != 0.5 || s.New != nil) {
				t.Errorf("alpha's traffic share with a figure missing: %+v", s)
			}
			if s.New == nil {
				nulls++
			}
		}
		if nulls == 0 {
			t.Errorf("no unmeasured share: %+v", d3.Shares)
		}

		// Without packs, no findings and no shares.
		var plain server.DiffResult
		e.getJSON("op-alpha", fmt.Sprintf("/api/v1/operators/alpha/diff?from=%s&to=%s", s1.ID, s2.ID), 200, &plain)
		if plain.Shares != nil || plain.Findings != nil {
			t.Errorf("diff without packs: %+v", plain)
		}
	})
}

// networkWith is operator op's part of the test network, edited by fn.
func networkWith(t *testing.T, op string, fn func(doc *inventory.Doc)) []byte {
	t.Helper()
	doc, err := importer.Read("../../testdata/small-network.yaml")
	if err != nil {
		t.Fatal(err)
	}
	fn(doc)
	var b bytes.Buffer
	if err := export.WriteYAML(&b, server.SplitByOperator(doc)[op]); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
