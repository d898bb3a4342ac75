package htmlreport

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"sync"

	cf "github.com/corefence/corefence"

	"github.com/corefence/corefence/internal/inventory"
	"github.com/corefence/corefence/internal/policy"
)

// The outline is Natural Earth's (public domain), reduced by
// scripts/gen-uk-outline; data/README.md says where it comes from.
//
//go:embed data/gb-outline.json
var outlineJSON []byte

type outlineFile struct {
	Source    string     `json:"source"`
	Licence   string     `json:"licence"`
	Generator string     `json:"generator"`
	Frame     [4]float64 `json:"frame"`
	Points    int        `json:"points"`
	Countries []struct {
		ID       string           `json:"id"`
		Name     string           `json:"name"`
		Role     string           `json:"role"` // subject or context
		Polygons [][][][2]float64 `json:"polygons"`
	} `json:"countries"`
}

type outlineMeta struct {
	Source, Licence, Generator string
}

func (o *outlineFile) meta() outlineMeta {
	return outlineMeta{Source: o.Source, Licence: o.Licence, Generator: o.Generator}
}

// outline is decoded on first use, not at start-up (see tmpl).
var outline = sync.OnceValue(func() *outlineFile {
	var o outlineFile
	if err := json.Unmarshal(outlineJSON, &o); err != nil {
		panic("htmlreport: embedded outline: " + err.Error())
	}
	return &o
})

// Projection: spherical transverse Mercator on 2°W, the central meridian
// of the British National Grid; conformal, so areas stay circles.
const (
	earthKm       = 6371.0088
	centralMerLon = -2.0
	mapWidth      = 600.0 // px
	mapMargin     = 14.0  // px
)

func tmKm(lat, lon float64) (x, y float64) {
	const rad = math.Pi / 180
	phi, lam := lat*rad, (lon-centralMerLon)*rad
	x = earthKm * math.Atanh(math.Cos(phi)*math.Sin(lam))
	y = earthKm * math.Atan2(math.Tan(phi), math.Cos(lam))
	return x, y
}

// projection maps latitude and longitude to the SVG's pixels.
type projection struct {
	minX, maxY, k float64 // km at the top-left corner; px per km
}

func (p projection) px(lat, lon float64) (float64, float64) {
	x, y := tmKm(lat, lon)
	return (x-p.minX)*p.k + mapMargin, (p.maxY-y)*p.k + mapMargin
}

// Palettes: warm for high-risk vendors, muted for the others.
var (
	designatedColours = []string{"#e8590c", "#c2255c", "#f08c00", "#9c36b5"}
	otherColours      = []string{"#4a6fa5", "#6e9bb8", "#7d8f7a", "#a39e93"}
	otherVendorColour = "#b8bec6"
	noEquipColour     = "#dde1e5"
)

type mapView struct {
	W, H       int
	Land       []landPath
	Layers     []siteLayer
	Rings      []ringLayer
	Areas      []areaMark
	Cities     []cityMark
	Legend     []legendItem
	Steps      []mapStep
	Scale      scaleBar
	Sites      int
	Designated string // the names of the designated groups on the map
}

type landPath struct {
	D     string
	Class string
}

type siteLayer struct {
	Op     int
	Colour string
	Sites  []point
}

type point struct {
	X, Y string
}

type ringLayer struct {
	Op    int
	Rings []ring
}

type ring struct {
	X, Y, Class, Title string
}

type areaMark struct {
	N                 int
	X, Y, R, LX, LY   string
	Name, Category    string
	ID, Radius        string
	Sites, Designated int
}

type cityMark struct {
	Name, X, Y, LX string
	Anchor         string
}

type legendItem struct {
	Name       string
	Colour     string
	Sites      int
	Designated bool
}

type mapStep struct {
	Index      int
	Date       string
	Flagged    int
	ByOperator []int
}

type scaleBar struct {
	X, Y, W, TX string
	Label       string
}

// siteVendor is the vendor group a site is drawn in.
type siteVendor struct {
	group      inventory.GroupRef // NoRef: no active equipment
	designated bool               // holds equipment of a high-risk group
}

// mapSiteVendors picks each site's colour: the high-risk group it holds,
// if any (the one with most elements there); otherwise its main radio
// vendor (passive antennas aside); otherwise its main vendor.
func mapSiteVendors(inv *inventory.Inventory) []siteVendor {
	type key struct {
		site  inventory.Ref
		group inventory.GroupRef
	}
	const (
		wDesignated = 1 << 40
		wRadio      = 1 << 20
		wAccess     = 1 << 10
	)
	score := map[key]int64{}
	out := make([]siteVendor, len(inv.Sites))
	antenna, hasAntenna := inv.Catalogue.Lookup("antenna")
	for i := range inv.Elements {
		e := &inv.Elements[i]
		if !e.InNetwork(false) || e.SiteRef == inventory.NoRef {
			continue
		}
		w := int64(1)
		fn := inv.Catalogue.Func(e.Func)
		if fn.Domain == cf.DomainAccess {
			w = wAccess
			if !hasAntenna || e.Func != antenna {
				w = wRadio
			}
		}
		if inv.Groups[e.Group].Designated {
			out[e.SiteRef].designated = true
			w = wDesignated
		}
		score[key{e.SiteRef, e.Group}] += w
	}
	best := make([]int64, len(inv.Sites))
	for i := range out {
		out[i].group = inventory.NoRef
	}
	keys := make([]key, 0, len(score))
	for k := range score {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(a, b int) bool {
		if keys[a].site != keys[b].site {
			return keys[a].site < keys[b].site
		}
		return keys[a].group < keys[b].group
	})
	for _, k := range keys {
		if s := score[k]; s > best[k.site] {
			best[k.site], out[k.site].group = s, k.group
		}
	}
	return out
}

// buildMap draws the sites, coloured by vendor, with a ring on each site
// that has a violation at a step, and the sensitive areas to scale.
func buildMap(inv *inventory.Inventory, vendors []siteVendor, steps []Step, focus int) (*mapView, error) {
	if len(steps) > 32 {
		return nil, fmt.Errorf("htmlreport: at most 32 steps, not %d", len(steps))
	}
	ol := outline()
	// The frame: the country's outline and every site, whichever is wider.
	minX, minY, maxX, maxY := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	grow := func(lat, lon float64) {
		x, y := tmKm(lat, lon)
		minX, maxX = math.Min(minX, x), math.Max(maxX, x)
		minY, maxY = math.Min(minY, y), math.Max(maxY, y)
	}
	for _, c := range ol.Countries {
		if c.Role != "subject" {
			continue
		}
		for _, poly := range c.Polygons {
			for _, pt := range poly[0] {
				grow(pt[1], pt[0])
			}
		}
	}
	for i := range inv.Sites {
		s := &inv.Sites[i]
		if s.Lat >= 40 && s.Lat <= 70 && s.Lon >= -20 && s.Lon <= 10 {
			grow(s.Lat, s.Lon) // a site far off (a typo, another country) does not shrink the map to a dot
		}
	}
	k := (mapWidth - 2*mapMargin) / (maxX - minX)
	p := projection{minX: minX, maxY: maxY, k: k}
	m := &mapView{W: int(mapWidth), H: int(math.Ceil((maxY-minY)*k + 2*mapMargin)), Sites: len(inv.Sites)}

	for _, c := range ol.Countries {
		var b strings.Builder
		for _, poly := range c.Polygons {
			for _, rng := range poly {
				for j, pt := range rng {
					x, y := p.px(pt[1], pt[0])
					if j == 0 {
						b.WriteByte('M')
					} else {
						b.WriteByte('L')
					}
					b.WriteString(f1(x))
					b.WriteByte(' ')
					b.WriteString(f1(y))
				}
				b.WriteByte('Z')
			}
		}
		m.Land = append(m.Land, landPath{D: b.String(), Class: "land-" + c.Role})
	}

	// Vendor classes: high-risk groups in warm colours, the four largest
	// other groups muted, the rest together.
	perGroup := map[inventory.GroupRef]int{}
	for _, sv := range vendors {
		perGroup[sv.group]++
	}
	groups := make([]inventory.GroupRef, 0, len(perGroup))
	for g := range perGroup {
		groups = append(groups, g)
	}
	sort.Slice(groups, func(a, b int) bool {
		if perGroup[groups[a]] != perGroup[groups[b]] {
			return perGroup[groups[a]] > perGroup[groups[b]]
		}
		return groups[a] < groups[b]
	})
	colour := map[inventory.GroupRef]string{}
	var legendDesig, legendOther []legendItem
	otherSites, noneSites := 0, 0
	var desigNames []string
	for _, g := range groups {
		switch {
		case g == inventory.NoRef:
			noneSites = perGroup[g]
			colour[g] = noEquipColour
		case inv.Groups[g].Designated && len(legendDesig) < len(designatedColours):
			colour[g] = designatedColours[len(legendDesig)]
			legendDesig = append(legendDesig, legendItem{Name: inv.Groups[g].Name, Colour: colour[g], Sites: perGroup[g], Designated: true})
			desigNames = append(desigNames, inv.Groups[g].Name)
		case !inv.Groups[g].Designated && len(legendOther) < len(otherColours):
			colour[g] = otherColours[len(legendOther)]
			legendOther = append(legendOther, legendItem{Name: inv.Groups[g].Name, Colour: colour[g], Sites: perGroup[g]})
		default:
			colour[g] = otherVendorColour
			otherSites += perGroup[g]
		}
	}
	m.Legend = append(m.Legend, legendDesig...)
	m.Legend = append(m.Legend, legendOther...)
	if otherSites > 0 {
		m.Legend = append(m.Legend, legendItem{Name: "other vendors", Colour: otherVendorColour, Sites: otherSites})
	}
	if noneSites > 0 {
		m.Legend = append(m.Legend, legendItem{Name: "no active equipment", Colour: noEquipColour, Sites: noneSites})
	}
	m.Designated = strings.Join(desigNames, ", ")

	// Site layers: one per colour and operator, muted first so that the
	// high-risk vendors' sites are drawn on top.
	order := make([]string, 0, len(m.Legend))
	for i := len(m.Legend) - 1; i >= 0; i-- {
		order = append(order, m.Legend[i].Colour)
	}
	layerOf := map[[2]int]*siteLayer{}
	var layers []*siteLayer
	for ci, c := range order {
		for op := range inv.Operators {
			l := &siteLayer{Op: op, Colour: c}
			layerOf[[2]int{ci, op}] = l
			layers = append(layers, l)
		}
	}
	colourIndex := map[string]int{}
	for i, c := range order {
		colourIndex[c] = i
	}
	xs, ys := make([]string, len(inv.Sites)), make([]string, len(inv.Sites))
	for i := range inv.Sites {
		s := &inv.Sites[i]
		x, y := p.px(s.Lat, s.Lon)
		xs[i], ys[i] = f1(x), f1(y)
		l := layerOf[[2]int{colourIndex[colour[vendors[i].group]], int(s.OperatorRef)}]
		l.Sites = append(l.Sites, point{xs[i], ys[i]})
	}
	for _, l := range layers {
		if len(l.Sites) > 0 {
			m.Layers = append(m.Layers, *l)
		}
	}

	// Rings: the steps at which each site has a violation.
	flags := make([]uint32, len(inv.Sites))
	focusRules := map[inventory.Ref][]string{}
	for si, st := range steps {
		ms := mapStep{Index: si, Date: st.Result.AsOf.String(), ByOperator: make([]int, len(inv.Operators))}
		for j := range st.Result.Findings {
			f := &st.Result.Findings[j]
			if f.Status != policy.StatusViolation || f.Site == inventory.NoRef {
				continue
			}
			if flags[f.Site]&(1<<si) == 0 {
				flags[f.Site] |= 1 << si
				ms.Flagged++
				ms.ByOperator[inv.Sites[f.Site].OperatorRef]++
			}
			if si == focus {
				rs := focusRules[f.Site]
				if len(rs) == 0 || rs[len(rs)-1] != f.Rule.ID {
					focusRules[f.Site] = append(rs, f.Rule.ID)
				}
			}
		}
		m.Steps = append(m.Steps, ms)
	}
	rings := make([]ringLayer, len(inv.Operators))
	for op := range rings {
		rings[op].Op = op
	}
	focusDate := steps[focus].Result.AsOf.String()
	for i := range inv.Sites {
		if flags[i] == 0 {
			continue
		}
		s := &inv.Sites[i]
		var cls []string
		first := -1
		for si := range steps {
			if flags[i]&(1<<si) != 0 {
				cls = append(cls, "f"+strconv.Itoa(si))
				if first < 0 {
					first = si
				}
			}
		}
		r := ring{X: xs[i], Y: ys[i], Class: strings.Join(cls, " ")}
		if rs := focusRules[inventory.Ref(i)]; len(rs) > 0 {
			vendor := "no active equipment"
			if g := vendors[i].group; g != inventory.NoRef {
				vendor = inv.Groups[g].Name
			}
			r.Title = fmt.Sprintf("Site %s (%s, %s): in violation from %s; as of %s: %s",
				s.ID, inv.Operators[s.OperatorRef].ID, vendor, steps[first].Result.AsOf, focusDate, strings.Join(rs, ", "))
		}
		rings[s.OperatorRef].Rings = append(rings[s.OperatorRef].Rings, r)
	}
	for _, rl := range rings {
		if len(rl.Rings) > 0 {
			m.Rings = append(m.Rings, rl)
		}
	}

	// Sensitive areas, to scale, numbered for the list beside the map.
	for i := range inv.Areas {
		a := &inv.Areas[i]
		x, y := p.px(a.Lat, a.Lon)
		r := a.RadiusKm * k
		am := areaMark{N: i + 1, X: f1(x), Y: f1(y), R: f2(math.Max(r, 0.5)), LX: f1(x + math.Max(r, 2) + 3), LY: f1(y + 4),
			Name: a.Name, Category: a.Category, ID: a.ID, Radius: strconv.FormatFloat(a.RadiusKm, 'f', -1, 64)}
		if am.Name == "" {
			am.Name = a.ID
		}
		for j := range inv.Sites {
			s := &inv.Sites[j]
			if math.Abs(s.Lat-a.Lat)*110.5 > a.RadiusKm+1 {
				continue
			}
			if a.Contains(s.Lat, s.Lon, 0) {
				am.Sites++
				if vendors[j].designated {
					am.Designated++
				}
			}
		}
		m.Areas = append(m.Areas, am)
	}

	for _, c := range ukCities {
		x, y := p.px(c.lat, c.lon)
		cm := cityMark{Name: c.name, X: f1(x), Y: f1(y), LX: f1(x + 5), Anchor: "start"}
		if c.left {
			cm.LX, cm.Anchor = f1(x-5), "end"
		}
		m.Cities = append(m.Cities, cm)
	}

	km := 100.0
	m.Scale = scaleBar{X: f1(mapMargin + 4), Y: f1(float64(m.H) - mapMargin - 4), W: f1(km * k), TX: f1(mapMargin + 4 + km*k/2), Label: "100 km"}
	return m, nil
}

// ukCities label the map for orientation (positions rounded to 0.01°).
var ukCities = []struct {
	name     string
	lat, lon float64
	left     bool
}{
	{"London", 51.51, -0.13, false},
	{"Birmingham", 52.49, -1.89, true},
	{"Manchester", 53.48, -2.24, true},
	{"Leeds", 53.80, -1.55, false},
	{"Newcastle", 54.98, -1.61, false},
	{"Bristol", 51.45, -2.59, true},
	{"Cardiff", 51.48, -3.18, true},
	{"Glasgow", 55.86, -4.25, true},
	{"Edinburgh", 55.95, -3.19, false},
	{"Aberdeen", 57.15, -2.09, false},
	{"Belfast", 54.60, -5.93, true},
}

func f1(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }
func f2(v float64) string { return strconv.FormatFloat(v, 'f', 2, 64) }
