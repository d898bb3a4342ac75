package report

import (
	"bufio"
	"encoding/json"
	cf "github.com/corefence/corefence"
	"io"

	"github.com/corefence/corefence/internal/inventory"
	"github.com/corefence/corefence/internal/policy"
)

// GeoJSON (RFC 7946) of check findings, for QGIS and other GIS tools: one
// Point feature per finding at its site (an element's site, following
// hosting), in WGS84 longitude and latitude. A finding about a whole
// operator (a share cap, a diversity rule) has no one place and is a
// feature with a null geometry, as RFC 7946 allows, so that the collection
// still holds every finding.

type geoProps struct {
	ID               string   `json:"id"`
	Policy           string   `json:"policy"`
	Rule             string   `json:"rule"`
	Kind             string   `json:"kind"`
	Status           string   `json:"status"`
	Severity         string   `json:"severity"`
	Operator         *string  `json:"operator"`
	Site             *string  `json:"site"`
	SiteName         *string  `json:"site_name"`
	Element          *string  `json:"element"`
	Vendor           *string  `json:"vendor"`
	Metric           *string  `json:"metric"`
	Value            *float64 `json:"value"`
	Limit            *float64 `json:"limit"`
	Effective        *cf.Date `json:"effective"` // null while the rule's date is an unset parameter
	DueBy            *cf.Date `json:"due_by"`
	DaysLeft         *int     `json:"days_left"`
	Message          string   `json:"message"`
	Confidence       string   `json:"confidence"`
	NationalSecurity bool     `json:"national_security"`
	WaiverApprover   *string  `json:"waiver_approver"`
	WaiverExpires    *string  `json:"waiver_expires"`
	// Basis is how firmly the rule binds, as in the JSON report.
	Basis policy.Basis `json:"basis"`
}

type geoPoint struct {
	Type        string     `json:"type"`
	Coordinates [2]float64 `json:"coordinates"`
}

type geoFeature struct {
	Type       string    `json:"type"`
	Geometry   *geoPoint `json:"geometry"`
	Properties geoProps  `json:"properties"`
}

// findingSite is the site a finding is at, or NoRef.
func findingSite(inv *inventory.Inventory, f *policy.Finding) inventory.Ref {
	if f.Element != inventory.NoRef {
		return inv.Elements[f.Element].SiteRef
	}
	return f.Site
}

// writeGeoJSON streams the collection, one feature a line.
func writeGeoJSON(w io.Writer, res *policy.Result) error {
	inv := res.Inventory
	bw := bufio.NewWriterSize(w, 1<<16)
	bw.WriteString(`{"type":"FeatureCollection","features":[`)
	for i := range res.Findings {
		f := &res.Findings[i]
		jf := NewFinding(inv, f)
		ft := geoFeature{Type: "Feature", Properties: geoProps{
			ID: jf.ID, Policy: jf.Policy, Rule: jf.Rule, Kind: jf.Kind, Status: jf.Status, Severity: jf.Severity,
			Operator: jf.Operator, Site: jf.Site, Element: jf.Element, Vendor: jf.Vendor, Metric: jf.Metric,
			Value: jf.Value, Limit: jf.Limit, Effective: jf.Effective, DueBy: jf.DueBy, DaysLeft: jf.DaysLeft,
			Message: jf.Message, Confidence: jf.Confidence, Basis: jf.Basis,
		}}
		if s := findingSite(inv, f); s != inventory.NoRef {
			site := &inv.Sites[s]
			ft.Geometry = &geoPoint{Type: "Point", Coordinates: [2]float64{site.Lon, site.Lat}}
			ft.Properties.Site = optional(site.ID)
			ft.Properties.SiteName = optional(site.Name)
			ft.Properties.NationalSecurity = site.HasTag(inventory.TagNationalSecurity)
		}
		if jf.Waiver != nil {
			exp := jf.Waiver.Expires.String()
			ft.Properties.WaiverApprover, ft.Properties.WaiverExpires = &jf.Waiver.Approver, &exp
		}
		b, err := json.Marshal(ft)
		if err != nil {
			return err
		}
		if i > 0 {
			bw.WriteByte(',')
		}
		bw.WriteString("\n")
		bw.Write(b)
	}
	bw.WriteString("\n]}\n")
	return bw.Flush()
}
