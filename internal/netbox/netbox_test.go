package netbox_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	cf "github.com/corefence/corefence"
	"github.com/corefence/corefence/internal/export"
	"github.com/corefence/corefence/internal/inventory"
	"github.com/corefence/corefence/internal/netbox"
	"github.com/corefence/corefence/internal/netbox/replay"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// recording holds real HTTP responses recorded from NetBox 4.2.9 loaded
// with NetBox's demo data plus a UK telecom slice (see its README and
// manifest). The tests replay those recorded answers — pagination, nulls,
// error bodies and content types as NetBox sent them; they are not
// hand-written fixtures.
const recording = "../../../shared/data/netbox-4.2-demo-api"

// serve starts a replay of the recording, or skips the test without it.
func serve(t *testing.T) (*replay.Recording, *replay.Server) {
	t.Helper()
	if _, err := os.Stat(filepath.Join(recording, "manifest.json")); err != nil {
		t.Skipf("skipped: the recorded NetBox answers are not here (%s): %v", recording, err)
	}
	rec, err := replay.Open(recording)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := rec.Serve()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	return rec, srv
}

func client(rec *replay.Recording, srv *replay.Server) *netbox.Client {
	return &netbox.Client{BaseURL: srv.URL, Token: rec.Token, PageSize: rec.PageSize}
}

func northwind(t *testing.T) *netbox.Mapping {
	t.Helper()
	m, err := netbox.ReadMapping("testdata/northwind-mapping.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestImportNorthwind imports the telecom slice and checks it element by
// element against NetBox's own answer to `?tenant=northwind-mobile`, read
// here as plain JSON independently of the importer's types, then against
// the golden inventory.
func TestImportNorthwind(t *testing.T) {
	rec, srv := serve(t)
	res, data, err := netbox.Import(context.Background(), client(rec, srv),
		netbox.Options{Tenants: []string{"northwind-mobile"}, Mapping: northwind(t)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if data.Version != "4.2.9" {
		t.Errorf("version %q, want 4.2.9", data.Version)
	}
	doc := res.Doc
	byID := map[string]*inventory.Element{}
	for i := range doc.Elements {
		byID[doc.Elements[i].ID] = &doc.Elements[i]
	}

	// Devices: NetBox's server-side tenant filter is the independent answer.
	raw, err := os.ReadFile(filepath.Join(recording, "dcim__devices__tenant=northwind-mobile.json"))
	if err != nil {
		t.Fatal(err)
	}
	var filtered struct {
		Count   int              `json:"count"`
		Results []map[string]any `json:"results"`
	}
	if err := json.Unmarshal(raw, &filtered); err != nil {
		t.Fatal(err)
	}
	if filtered.Count != 26 || len(filtered.Results) != 26 {
		t.Fatalf("recording holds %d devices of northwind-mobile, want 26", len(filtered.Results))
	}
	status := map[string]string{"active": "active", "planned": "planned", "decommissioning": "decommissioning"}
	wantFunc := map[string]string{"cell-site-router": "router", "core-router": "core-router", "dc-switch": "switch",
		"nfvi-host": "server", "gnodeb-du": "gnb-du", "radio-unit": "o-ru"}
	for _, d := range filtered.Results {
		name := d["name"].(string)
		e := byID[name]
		if e == nil {
			t.Errorf("device %s: not imported", name)
			continue
		}
		dt := d["device_type"].(map[string]any)
		mf := dt["manufacturer"].(map[string]any)
		want := inventory.Element{
			ID:       name,
			Site:     d["site"].(map[string]any)["slug"].(string),
			Function: wantFunc[d["role"].(map[string]any)["slug"].(string)],
			Vendor:   mf["name"].(string),
			Model:    dt["model"].(string),
			Software: d["platform"].(map[string]any)["name"].(string),
			Status:   status[d["status"].(map[string]any)["value"].(string)],
		}
		if v, ok := d["custom_fields"].(map[string]any)["install_date"].(string); ok {
			want.Installed, _ = cf.ParseDate(v)
		}
		got := *e
		got.Tags, got.Attributes = nil, nil
		if got.ID != want.ID || got.Site != want.Site || got.Function != want.Function || got.Vendor != want.Vendor ||
			got.Model != want.Model || got.Software != want.Software || got.Status != want.Status ||
			got.Installed != want.Installed || got.HostedOn != "" {
			t.Errorf("device %s:\n got  %+v\n want %+v", name, got, want)
		}
		if e.Attributes["netbox_url"] != strings.Replace(d["display_url"].(string), rec.BaseURL, srv.URL, 1) {
			t.Errorf("device %s: netbox_url %v", name, e.Attributes["netbox_url"])
		}
	}
	// Virtual machines: 5 on the two-host FusionSphere cluster in London,
	// 4 on the hostless CEE cluster scoped to Manchester DC2.
	for _, c := range []struct{ id, host, site, fn, vendor, status string }{
		{"lon-amf01", "lon-dc1-nfvi01", "", "amf", "Huawei Technologies Co., Ltd.", "active"},
		{"lon-smf01", "lon-dc1-nfvi01", "", "smf", "Huawei Technologies Co., Ltd.", "active"},
		{"lon-upf01", "lon-dc1-nfvi01", "", "upf", "Huawei Technologies Co., Ltd.", "active"},
		{"lon-upf02", "lon-dc1-nfvi01", "", "upf", "Huawei Technologies Co., Ltd.", "planned"},
		{"lon-mae01", "lon-dc1-nfvi01", "", "ems", "Huawei Technologies Co., Ltd.", "active"},
		{"man-amf01", "", "man-dc2", "amf", "Ericsson", "active"},
		{"man-smf01", "", "man-dc2", "smf", "Ericsson", "active"},
		{"man-upf01", "", "man-dc2", "upf", "Ericsson", "active"},
		{"man-enm01", "", "man-dc2", "ems", "Ericsson", "active"},
	} {
		e := byID[c.id]
		if e == nil {
			t.Errorf("VM %s: not imported", c.id)
			continue
		}
		if e.HostedOn != c.host || e.Site != c.site || e.Function != c.fn || e.Vendor != c.vendor || e.Status != c.status {
			t.Errorf("VM %s: got %+v", c.id, *e)
		}
	}
	if len(doc.Elements) != 26+9 {
		t.Errorf("%d elements, want 26 devices and 9 VMs", len(doc.Elements))
	}

	// Sites: the six Northwind sites, coordinates as recorded, Westminster
	// tagged national-security, data centres by site group.
	sites := map[string]inventory.Site{}
	for _, s := range doc.Sites {
		sites[s.ID] = s
	}
	for _, c := range []struct {
		id, kind, region string
		lat, lon         float64
		tags             string
	}{
		{"lon-dc1", "data-centre", "London", 51.5112, -0.0013, ""},
		{"man-dc2", "data-centre", "England", 53.4631, -2.239, ""},
		{"ldn-cs-0142", "macro", "London", 51.5049, -0.0197, ""},
		{"ldn-cs-0317", "macro", "London", 51.4995, -0.1248, "national-security"},
		{"man-cs-0088", "macro", "England", 53.471, -2.297, ""},
		{"edi-cs-0021", "macro", "Scotland", 55.9756, -3.1702, ""},
	} {
		s, ok := sites[c.id]
		if !ok || s.Operator != "nwm" || s.Kind != c.kind || s.Region != c.region || s.Lat != c.lat || s.Lon != c.lon || strings.Join(s.Tags, ",") != c.tags {
			t.Errorf("site %s: got %+v", c.id, s)
		}
	}
	if len(doc.Sites) != 6 || len(doc.Operators) != 1 || doc.Operators[0] != (inventory.Operator{ID: "nwm", Name: "Northwind Mobile", Country: "GB"}) {
		t.Errorf("sites %d, operators %+v", len(doc.Sites), doc.Operators)
	}

	// Cables: 26 in the slice, 4 planned and left out; the rest are 22
	// device-to-device links.
	if len(doc.Links) != 22 {
		t.Errorf("%d links, want 22 (26 cables less 4 planned)", len(doc.Links))
	}

	// The whole document, as the importer's users will see it.
	var out bytes.Buffer
	if err := export.WriteYAML(&out, doc); err != nil {
		t.Fatal(err)
	}
	got := bytes.ReplaceAll(out.Bytes(), []byte(srv.URL), []byte(rec.BaseURL))
	golden := "testdata/northwind.golden.yaml"
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("inventory differs from %s (run go test -update and review the diff):\n%s", golden, got)
	}
	wantNotes := []string{
		"82 cables left out: not between two devices' interfaces (power, circuits, patch panels)",
		"4 cables left out: planned, not yet carrying traffic",
		"5 virtual machines of cluster lon-dc1-fusionsphere-01 (lon-amf01, lon-mae01, lon-smf01, lon-upf01, lon-upf02) run on its 2 hosts (lon-dc1-nfvi01, lon-dc1-nfvi02); corefence hosts an element on one element, so they are hosted on the first by name, lon-dc1-nfvi01",
	}
	if strings.Join(res.Notes, "\n") != strings.Join(wantNotes, "\n") {
		t.Errorf("notes:\n%s", strings.Join(res.Notes, "\n"))
	}
}

// TestImportEverything imports the whole recorded NetBox: the demo data's
// sites have no coordinates and its cloud clusters no site, and every one
// of them is reported with its id and address; nothing is returned.
func TestImportEverything(t *testing.T) {
	rec, srv := serve(t)
	res, _, err := netbox.Import(context.Background(), client(rec, srv), netbox.Options{}, nil)
	ps, ok := cf.AsProblems(err)
	if !ok || res != nil {
		t.Fatalf("got %v, %v; want problems and no result", res, err)
	}
	var noCoords, noSite int
	for _, p := range ps.List {
		switch {
		case p.Section == "dcim/sites" && strings.Contains(p.Message, "has no coordinates"):
			noCoords++
		case p.Section == "virtualization/clusters" && strings.Contains(p.Message, "20 virtual machines"):
			noSite++
		default:
			t.Errorf("unexpected problem: %v", p)
		}
		if !strings.HasPrefix(p.Pos.File, srv.URL+"/") {
			t.Errorf("problem without the object's address: %v", p)
		}
	}
	if noCoords != 24 || noSite != 9 {
		t.Errorf("%d sites without coordinates (want 24), %d clusters at no site (want 9)", noCoords, noSite)
	}
	want := srv.URL + `/dcim/sites/21/: dcim/sites ncsu-065: latitude: site "MDF" has no coordinates`
	if !strings.Contains(err.Error(), want) {
		t.Errorf("missing %q in:\n%v", want, err)
	}
}

// TestUnplaced: a role and a manufacturer the mapping cannot place are
// reported once each, with the NetBox object's id, address and users.
func TestUnplaced(t *testing.T) {
	rec, srv := serve(t)
	m := northwind(t)
	delete(m.Roles, "gnodeb-du")
	m2 := netbox.DefaultMapping()
	m2.Roles["pdu"] = "switch" // APC's PDUs now count, and APC is no vendor the registry knows
	for _, c := range []struct {
		tenant string
		m      *netbox.Mapping
		want   string
	}{
		{"northwind-mobile", m, srv.URL + `/dcim/device-roles/10/: dcim/device-roles 10: role "gNodeB DU" (slug gnodeb-du) has no corefence function; 5 devices or VMs have it, e.g. edi-cs-0021-du01: map it under roles in the mapping (to a function id, or "ignore")`},
		{"dunder-mifflin", m2, srv.URL + `/dcim/manufacturers/11/: dcim/manufacturers 11: manufacturer "APC" (slug apc) is not in the vendor registry; 13 devices or VMs are made by it, e.g. dmi01-akron-pdu01: map it under manufacturers in the mapping (to the vendor's name, or "ignore")`},
	} {
		_, _, err := netbox.Import(context.Background(), client(rec, srv), netbox.Options{Tenants: []string{c.tenant}, Mapping: c.m}, nil)
		ps, ok := cf.AsProblems(err)
		if !ok {
			t.Fatalf("%s: got %v, want problems", c.tenant, err)
		}
		found := false
		for _, p := range ps.List {
			found = found || p.Error() == c.want
		}
		if !found {
			t.Errorf("%s: want\n%s\nin\n%v", c.tenant, c.want, err)
		}
	}
}

// TestErrors: a refused token, a wrong address, an unreachable server and a
// failure part-way each give a clear error, and never show the token.
func TestErrors(t *testing.T) {
	rec, srv := serve(t)
	closed, _ := rec.Serve()
	closed.Close()
	failing, _ := rec.Serve()
	defer failing.Close()
	failing.Hook = func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path == "/api/dcim/interfaces/" && r.URL.Query().Get("offset") == "1000" {
			// The recorded 403 body, as a token revoked mid-import gets.
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusForbidden)
			w.Write([]byte(`{"detail":"Invalid token"}`))
			return true
		}
		return false
	}
	const badToken = "ffffffffffffffffffffffffffffffffffffffff"
	for _, c := range []struct {
		name string
		c    *netbox.Client
		want string
	}{
		{"bad token", &netbox.Client{BaseURL: srv.URL, Token: badToken, PageSize: 50},
			`GET ` + srv.URL + `/api/status/: 403 Forbidden: "Invalid token" — NetBox refused the token`},
		{"not NetBox's address", &netbox.Client{BaseURL: srv.URL + "/netbox", Token: rec.Token, PageSize: 50},
			`GET ` + srv.URL + `/netbox/api/status/: 404 Not Found: no such API endpoint (NetBox answered with its HTML page)`},
		{"unreachable", &netbox.Client{BaseURL: closed.URL, Token: rec.Token, PageSize: 50},
			`GET ` + closed.URL + `/api/status/: no answer: `},
		{"refused part-way", &netbox.Client{BaseURL: failing.URL, Token: rec.Token, PageSize: 50},
			`GET ` + failing.URL + `/api/dcim/interfaces/?limit=50&offset=1000: 403 Forbidden: "Invalid token"`},
		{"credentials in the URL", &netbox.Client{BaseURL: "https://admin:secret@netbox.example.com", Token: rec.Token},
			`credentials go in the token file`},
	} {
		res, _, err := netbox.Import(context.Background(), c.c, netbox.Options{Tenants: []string{"northwind-mobile"}}, nil)
		if err == nil || res != nil {
			t.Errorf("%s: got %v, %v; want an error", c.name, res, err)
			continue
		}
		var nbErr *netbox.Error
		if c.name != "credentials in the URL" && !errors.As(err, &nbErr) {
			t.Errorf("%s: %T is not a *netbox.Error", c.name, err)
		}
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s:\n got  %v\n want %s…", c.name, err, c.want)
		}
		if strings.Contains(err.Error(), rec.Token) || strings.Contains(err.Error(), badToken) || strings.Contains(err.Error(), "secret") {
			t.Errorf("%s: the error shows a secret: %v", c.name, err)
		}
	}
}

// TestReplayAuth checks the importer sends the token as NetBox documents.
func TestReplayAuth(t *testing.T) {
	rec, srv := serve(t)
	var auth []string
	srv.Hook = func(w http.ResponseWriter, r *http.Request) bool {
		auth = append(auth, r.Header.Get("Authorization"))
		return false
	}
	c := client(rec, srv)
	c.PageSize = 50
	if _, err := c.Status(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(auth) != 1 || auth[0] != "Token "+rec.Token {
		t.Errorf("Authorization %q, want %q", auth, "Token "+rec.Token)
	}
}

func TestMappingProblems(t *testing.T) {
	_, err := netbox.ReadMapping("testdata/bad-mapping.yaml")
	want := []string{
		`testdata/bad-mapping.yaml:3:14: mapping: roles.gnodeb-du: "gnb-dux" is not a function id (see ` + "`corefence functions`" + `, or "ignore"); did you mean gnb-du?`,
		`testdata/bad-mapping.yaml:5:12: mapping: statuses.offline: "down" is not an element status (want one of planned, active, decommissioning, retired)`,
		`testdata/bad-mapping.yaml:7:17: mapping: site_kinds.data-centres: "datacentre" is not a site kind; did you mean data-centre?`,
		`testdata/bad-mapping.yaml:8:1: mapping: unknown field "site_tag"`,
	}
	ps, ok := cf.AsProblems(err)
	if !ok {
		t.Fatalf("got %v, want problems", err)
	}
	var got []string
	for _, p := range ps.List {
		got = append(got, p.Error())
	}
	for _, w := range want {
		found := false
		for _, g := range got {
			found = found || strings.HasPrefix(g, w)
		}
		if !found {
			t.Errorf("missing %q in\n%s", w, strings.Join(got, "\n"))
		}
	}
}

// TestCustomFieldMissing: a mapping that names a custom field NetBox does
// not define on devices is a problem, not an import without dates.
func TestCustomFieldMissing(t *testing.T) {
	rec, srv := serve(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "m.yaml")
	if err := os.WriteFile(path, []byte("installed_field: commissioned\nsoftware_field: sw_version\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	m, err := netbox.ReadMapping(path)
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = netbox.Import(context.Background(), client(rec, srv), netbox.Options{Tenants: []string{"northwind-mobile"}, Mapping: m}, nil)
	for _, want := range []string{
		"extras/custom-fields commissioned: mapping installed_field names a custom field NetBox does not define on devices",
		"extras/custom-fields sw_version: mapping software_field names a custom field NetBox does not define on devices",
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("want %q in %v", want, err)
		}
	}
}

// TestMappingNamesUnknownTag: a site_tags key that is no NetBox tag is a
// typo, reported with the mapping file's line and the nearest tag.
func TestMappingNamesUnknownTag(t *testing.T) {
	rec, srv := serve(t)
	path := filepath.Join(t.TempDir(), "m.yaml")
	if err := os.WriteFile(path, []byte("site_tags:\n  national-securty: national-security\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	m, err := netbox.ReadMapping(path)
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = netbox.Import(context.Background(), client(rec, srv), netbox.Options{Tenants: []string{"northwind-mobile"}, Mapping: m}, nil)
	want := path + `:2:21: mapping: site_tags.national-securty: no tag with this slug in NetBox; did you mean national-security?`
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("want %q in %v", want, err)
	}
}
