package htmlreport

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"math"
	"sort"
	"strconv"
	"strings"

	cf "github.com/corefence/corefence"
	"github.com/corefence/corefence/internal/inventory"
	"github.com/corefence/corefence/internal/policy"
)

// mapData is what the page's map script draws and drills into, in a
// compact columnar form: a national network's 100,000 sites must stay a
// few megabytes. Every array of numbers is a little-endian typed array in
// base64 (a codes value says its byte width); strings that repeat are
// indexes into Dict.
type mapData struct {
	N        int       `json:"n"`
	Lon      string    `json:"lon"` // Float32Array
	Lat      string    `json:"lat"`
	IDs      []string  `json:"ids"`
	Op       codes     `json:"op"`     // operator index
	Vendor   codes     `json:"vendor"` // index into Vendors
	Tech     codes     `json:"tech"`   // bit set of the technologies at the site, as cf.Tech
	Status   []codes   `json:"status"` // per step: the site's most serious status, index into Statuses (last: none)
	Ops      []string  `json:"ops"`
	Vendors  []string  `json:"vendors"`
	VColors  []string  `json:"vcolors"`
	Techs    []string  `json:"techs"`
	Statuses []string  `json:"statuses"`
	Dates    []string  `json:"dates"`
	Focus    int       `json:"focus"`
	Rules    []mapRule `json:"rules"`
	Outline  []mapPart `json:"outline"`
	Areas    []mapArea `json:"areas"`
	Dict     []string  `json:"dict"`

	// Drill-down, for every site with a finding at any step (D of them,
	// in site order): its name and traffic, its elements (E in all, the
	// site's run given by EOff), and its findings (F in all, by FOff).
	DSite    codes    `json:"dsite"`
	DName    codes    `json:"dname"`    // Dict
	DTraffic []string `json:"dtraffic"` // as written in the inventory, "" when not given
	EOff     codes    `json:"eoff"`     // D+1 offsets
	EID      []string `json:"eid"`      // the element's id, "~" standing for the site's id at its start
	EFunc    codes    `json:"efunc"`    // Dict
	EVendor  codes    `json:"evendor"`  // Dict
	EModel   codes    `json:"emodel"`   // Dict
	ESW      codes    `json:"esw"`      // Dict
	EInst    codes    `json:"einst"`    // Dict: the install date
	FOff     codes    `json:"foff"`     // D+1 offsets
	FRule    codes    `json:"frule"`    // index into Rules
	FElem    codes    `json:"felem"`    // 1 + the element's index within its site's elements; 0 for the site itself
	FStatus  codes    `json:"fstatus"`  // F×steps, finding-major: the status at each step, index into Statuses
}

// codes is an array of small non-negative integers, W bytes each.
type codes struct {
	W int    `json:"w"`
	B string `json:"b"`
}

func codesOf(v []uint32) codes {
	var hi uint32
	for _, x := range v {
		hi = max(hi, x)
	}
	w := 1
	switch {
	case hi > math.MaxUint16:
		w = 4
	case hi > math.MaxUint8:
		w = 2
	}
	b := make([]byte, len(v)*w)
	for i, x := range v {
		switch w {
		case 1:
			b[i] = byte(x)
		case 2:
			binary.LittleEndian.PutUint16(b[2*i:], uint16(x))
		default:
			binary.LittleEndian.PutUint32(b[4*i:], x)
		}
	}
	return codes{W: w, B: base64.StdEncoding.EncodeToString(b)}
}

func float32s(v []float64) string {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(float32(x)))
	}
	return base64.StdEncoding.EncodeToString(b)
}

type mapRule struct {
	ID       string   `json:"id"`
	Title    string   `json:"title"`
	Citation string   `json:"citation,omitempty"`
	Basis    string   `json:"basis"`
	Sources  []string `json:"sources,omitempty"` // titles; the links are in the sources section
}

type mapPart struct {
	Role     string           `json:"role"`
	Polygons [][][][2]float64 `json:"polygons"`
}

type mapArea struct {
	Lon     float64 `json:"lon"`
	Lat     float64 `json:"lat"`
	RadiusM float64 `json:"radiusM"`
	Label   string  `json:"label"`
}

// Statuses on the map, most serious first (the map draws the first on
// top); a site shows its most serious, the least code.
var mapStatuses = []string{policy.StatusViolation, policy.StatusAdvisory, policy.StatusUpcoming, policy.StatusUnmeasured, policy.StatusWaived, "no finding"}

// noFinding is the code of a site, or a finding at a step, with none.
var noFinding = uint32(len(mapStatuses) - 1)

func statusCode(s string) uint32 {
	for i, m := range mapStatuses {
		if m == s {
			return uint32(i)
		}
	}
	return noFinding
}

func filled(n int, v uint32) []uint32 {
	s := make([]uint32, n)
	for i := range s {
		s[i] = v
	}
	return s
}

// dict numbers strings as they come.
type dict struct {
	index map[string]uint32
	list  []string
}

func (d *dict) of(s string) uint32 {
	if i, ok := d.index[s]; ok {
		return i
	}
	if d.index == nil {
		d.index = map[string]uint32{}
	}
	i := uint32(len(d.list))
	d.index[s] = i
	d.list = append(d.list, s)
	return i
}

// buildMapData encodes the sites, their vendor class (colour as in the
// legend of m), status per step, and the drill-down of each site with a
// finding. vendorClass gives each site's index into m.Legend.
func buildMapData(inv *inventory.Inventory, steps []Step, focus int, m *mapView, vendorClass []uint32) ([]byte, error) {
	n := len(inv.Sites)
	md := &mapData{N: n, Focus: focus, Statuses: mapStatuses, Techs: cf.TechNames()}
	lon, lat := make([]float64, n), make([]float64, n)
	op, tech := make([]uint32, n), make([]uint32, n)
	md.IDs = make([]string, n)
	for i := range inv.Sites {
		s := &inv.Sites[i]
		lon[i], lat[i], op[i], md.IDs[i] = s.Lon, s.Lat, uint32(s.OperatorRef), s.ID
	}
	md.Lon, md.Lat = float32s(lon), float32s(lat)
	md.Op, md.Vendor = codesOf(op), codesOf(vendorClass)
	for i := range inv.Operators {
		md.Ops = append(md.Ops, operatorName(inv, inventory.Ref(i)))
	}
	for _, l := range m.Legend {
		md.Vendors = append(md.Vendors, l.Name)
		md.VColors = append(md.VColors, l.Colour)
	}
	// Elements per site, in element order.
	bySite := make([][]int32, n)
	for i := range inv.Elements {
		e := &inv.Elements[i]
		if e.SiteRef == inventory.NoRef {
			continue
		}
		if e.InNetwork(false) {
			tech[e.SiteRef] |= uint32(e.Tech)
		}
		bySite[e.SiteRef] = append(bySite[e.SiteRef], int32(i))
	}
	md.Tech = codesOf(tech)

	// Rules, in pack order, as the findings name them.
	ruleIndex := map[*policy.Rule]uint32{}
	for _, p := range steps[0].Result.Packs {
		for j := range p.Rules {
			r := &p.Rules[j]
			ruleIndex[r] = uint32(len(md.Rules))
			mr := mapRule{ID: r.ID, Title: r.Title, Citation: r.Citation, Basis: "binding"}
			if b := r.Basis(p); !b.Binding {
				mr.Basis = "advisory: " + b.Reason
			}
			for _, s := range r.Sources(p) {
				mr.Sources = append(mr.Sources, s.Title)
			}
			md.Rules = append(md.Rules, mr)
		}
	}

	// Findings at a site, merged across steps by rule and element.
	type key struct {
		site, elem inventory.Ref
		rule       uint32
		metric     string
	}
	type finding struct {
		key
		status []uint32
	}
	found := map[key]*finding{}
	var all []*finding
	worst := make([][]uint32, len(steps))
	for si, st := range steps {
		md.Dates = append(md.Dates, st.Result.AsOf.String())
		worst[si] = filled(n, noFinding)
		for j := range st.Result.Findings {
			f := &st.Result.Findings[j]
			if f.Site == inventory.NoRef {
				continue
			}
			c := statusCode(f.Status)
			worst[si][f.Site] = min(worst[si][f.Site], c)
			k := key{site: f.Site, elem: f.Element, rule: ruleIndex[f.Rule], metric: f.Metric}
			fd := found[k]
			if fd == nil {
				fd = &finding{key: k, status: filled(len(steps), noFinding)}
				found[k] = fd
				all = append(all, fd)
			}
			fd.status[si] = min(fd.status[si], c)
		}
		md.Status = append(md.Status, codesOf(worst[si]))
	}
	sort.Slice(all, func(a, b int) bool {
		x, y := all[a].key, all[b].key
		if x.site != y.site {
			return x.site < y.site
		}
		if x.rule != y.rule {
			return x.rule < y.rule
		}
		if x.elem != y.elem {
			return x.elem < y.elem
		}
		return x.metric < y.metric
	})

	var d dict
	var dsite, dname, eoff, efunc, evendor, emodel, esw, einst, foff, frule, felem, fstatus []uint32
	for a := 0; a < len(all); {
		site := all[a].site
		b := a
		for b < len(all) && all[b].site == site {
			b++
		}
		s := &inv.Sites[site]
		dsite = append(dsite, uint32(site))
		dname = append(dname, d.of(s.Name))
		traffic := ""
		if s.HasTraffic {
			traffic = s.Traffic.String()
		}
		md.DTraffic = append(md.DTraffic, traffic)
		eoff = append(eoff, uint32(len(efunc)))
		foff = append(foff, uint32(len(frule)))
		local := map[inventory.Ref]uint32{}
		for li, ei := range bySite[site] {
			e := &inv.Elements[ei]
			local[inventory.Ref(ei)] = uint32(li + 1)
			id := e.ID
			if rest, ok := strings.CutPrefix(id, s.ID); ok {
				id = "~" + rest
			} else if strings.HasPrefix(id, "~") {
				id = "~~" + id[1:] // a literal leading "~" survives decoding
			}
			md.EID = append(md.EID, id)
			efunc = append(efunc, d.of(e.Function))
			evendor = append(evendor, d.of(e.Vendor))
			emodel = append(emodel, d.of(e.Model))
			esw = append(esw, d.of(e.Software))
			inst := ""
			if !e.Installed.IsZero() {
				inst = e.Installed.String()
			}
			einst = append(einst, d.of(inst))
		}
		for _, f := range all[a:b] {
			frule = append(frule, f.rule)
			felem = append(felem, local[f.elem]) // 0 when the finding is of the site
			fstatus = append(fstatus, f.status...)
		}
		a = b
	}
	eoff = append(eoff, uint32(len(efunc)))
	foff = append(foff, uint32(len(frule)))
	md.DSite, md.DName, md.EOff, md.FOff = codesOf(dsite), codesOf(dname), codesOf(eoff), codesOf(foff)
	md.EFunc, md.EVendor, md.EModel, md.ESW, md.EInst = codesOf(efunc), codesOf(evendor), codesOf(emodel), codesOf(esw), codesOf(einst)
	md.FRule, md.FElem, md.FStatus = codesOf(frule), codesOf(felem), codesOf(fstatus)
	md.Dict = d.list

	for _, c := range outline().Countries {
		md.Outline = append(md.Outline, mapPart{Role: c.Role, Polygons: c.Polygons})
	}
	for _, a := range m.Areas {
		ar := &inv.Areas[a.N-1]
		md.Areas = append(md.Areas, mapArea{Lon: ar.Lon, Lat: ar.Lat, RadiusM: ar.RadiusKm * 1000, Label: strconv.Itoa(a.N)})
	}
	// encoding/json escapes <, > and & (and U+2028, U+2029), so the
	// result is safe inside a <script> element.
	return json.Marshal(md)
}
