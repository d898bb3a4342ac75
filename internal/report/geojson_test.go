package report_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/corefence/corefence/internal/inventory"
	"github.com/corefence/corefence/internal/report"
)

// TestGeoJSON: one feature per finding, in order; a finding with a site (or
// an element, through its hosting chain) is a Point at the site's longitude
// and latitude; one about a whole operator has a null geometry (RFC 7946
// §3.2).
func TestGeoJSON(t *testing.T) {
	res := checkSmall(t)
	inv := res.Inventory
	var out bytes.Buffer
	if err := report.Write(&out, "geojson", res, report.Options{}); err != nil {
		t.Fatal(err)
	}
	var fc struct {
		Type     string `json:"type"`
		Features []struct {
			Type     string `json:"type"`
			Geometry *struct {
				Type        string    `json:"type"`
				Coordinates []float64 `json:"coordinates"`
			} `json:"geometry"`
			Properties map[string]any `json:"properties"`
		} `json:"features"`
	}
	if err := json.Unmarshal(out.Bytes(), &fc); err != nil {
		t.Fatal(err)
	}
	if fc.Type != "FeatureCollection" || len(fc.Features) != len(res.Findings) {
		t.Fatalf("%s with %d features for %d findings", fc.Type, len(fc.Features), len(res.Findings))
	}
	located, unlocated := 0, 0
	for i, ft := range fc.Features {
		f := &res.Findings[i]
		site := f.Site
		if f.Element != inventory.NoRef {
			site = inv.Elements[f.Element].SiteRef
		}
		if ft.Type != "Feature" || ft.Properties["id"] != f.ID(inv) || ft.Properties["status"] != f.Status {
			t.Errorf("feature %d: %+v", i, ft)
		}
		if site == inventory.NoRef {
			unlocated++
			if ft.Geometry != nil {
				t.Errorf("feature %d (operator-wide) has geometry %+v", i, ft.Geometry)
			}
			continue
		}
		located++
		s := &inv.Sites[site]
		if ft.Geometry == nil || ft.Geometry.Type != "Point" || len(ft.Geometry.Coordinates) != 2 ||
			ft.Geometry.Coordinates[0] != s.Lon || ft.Geometry.Coordinates[1] != s.Lat || ft.Properties["site"] != s.ID {
			t.Errorf("feature %d: geometry %+v, site %v; want (%v, %v) of %s", i, ft.Geometry, ft.Properties["site"], s.Lon, s.Lat, s.ID)
		}
	}
	if located == 0 || unlocated == 0 {
		t.Errorf("%d located and %d operator-wide features; the small network has both", located, unlocated)
	}
}
