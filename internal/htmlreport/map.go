package htmlreport

import (
	_ "embed"
	"encoding/json"
	"html/template"
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

// Vendor colours: Okabe and Ito's palette, which people with the common
// colour-vision deficiencies tell apart (the map adds a shape per class):
// the high-risk groups in vermillion, purple, orange and black, the largest
// others in blue, green, sky blue and yellow, the rest in greys.
var (
	designatedColours = []string{"#D55E00", "#CC79A7", "#E69F00", "#000000"}
	otherColours      = []string{"#0072B2", "#009E73", "#56B4E9", "#F0E442"}
	otherVendorColour = "#8C8C8C"
	noEquipColour     = "#D9D9D9"
)

type mapView struct {
	Areas      []areaMark
	Legend     []legendItem
	Steps      []mapStep
	Sites      int
	Designated string // the names of the designated groups on the map
	Data       template.JS
	Rules      []opView // the rules, for the map's rule filter
}

type areaMark struct {
	N                 int
	Name, Category    string
	ID, Radius        string
	Sites, Designated int
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

// buildMap classes the sites by vendor for the legend, counts the sites
// with a violation at each step, measures the sensitive areas, and encodes
// it all for the map's script (see mapData).
func buildMap(inv *inventory.Inventory, vendors []siteVendor, steps []Step, focus int) (*mapView, error) {
	m := &mapView{Sites: len(inv.Sites)}

	// Vendor classes: high-risk groups first, the four largest other
	// groups next, the rest together.
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
	const (
		otherClass = -1
		noneClass  = -2
	)
	classOf := map[inventory.GroupRef]int{}
	var legendDesig, legendOther []legendItem
	otherSites, noneSites := 0, 0
	var desigNames []string
	for _, g := range groups {
		switch {
		case g == inventory.NoRef:
			noneSites = perGroup[g]
			classOf[g] = noneClass
		case inv.Groups[g].Designated && len(legendDesig) < len(designatedColours):
			classOf[g] = len(legendDesig)
			legendDesig = append(legendDesig, legendItem{Name: inv.Groups[g].Name, Colour: designatedColours[len(legendDesig)], Sites: perGroup[g], Designated: true})
			desigNames = append(desigNames, inv.Groups[g].Name)
		case !inv.Groups[g].Designated && len(legendOther) < len(otherColours):
			classOf[g] = len(designatedColours) + len(legendOther)
			legendOther = append(legendOther, legendItem{Name: inv.Groups[g].Name, Colour: otherColours[len(legendOther)], Sites: perGroup[g]})
		default:
			classOf[g] = otherClass
			otherSites += perGroup[g]
		}
	}
	m.Legend = append(m.Legend, legendDesig...)
	m.Legend = append(m.Legend, legendOther...)
	otherIndex, noneIndex := len(m.Legend), len(m.Legend)
	if otherSites > 0 {
		m.Legend = append(m.Legend, legendItem{Name: "other vendors", Colour: otherVendorColour, Sites: otherSites})
		noneIndex++
	}
	if noneSites > 0 {
		m.Legend = append(m.Legend, legendItem{Name: "no active equipment", Colour: noEquipColour, Sites: noneSites})
	}
	m.Designated = strings.Join(desigNames, ", ")
	class := make([]uint32, len(inv.Sites))
	for i, sv := range vendors {
		switch c := classOf[sv.group]; {
		case c == otherClass:
			class[i] = uint32(otherIndex)
		case c == noneClass:
			class[i] = uint32(noneIndex)
		case c >= len(designatedColours):
			class[i] = uint32(len(legendDesig) + c - len(designatedColours))
		default:
			class[i] = uint32(c)
		}
	}

	// Sites with a violation at each step.
	for si, st := range steps {
		ms := mapStep{Index: si, Date: st.Result.AsOf.String(), ByOperator: make([]int, len(inv.Operators))}
		seen := make([]bool, len(inv.Sites))
		for j := range st.Result.Findings {
			f := &st.Result.Findings[j]
			if f.Status != policy.StatusViolation || f.Site == inventory.NoRef || seen[f.Site] {
				continue
			}
			seen[f.Site] = true
			ms.Flagged++
			ms.ByOperator[inv.Sites[f.Site].OperatorRef]++
		}
		m.Steps = append(m.Steps, ms)
	}

	// Sensitive areas, numbered for the list beside the map.
	for i := range inv.Areas {
		a := &inv.Areas[i]
		am := areaMark{N: i + 1, Name: a.Name, Category: a.Category, ID: a.ID, Radius: strconv.FormatFloat(a.RadiusKm, 'f', -1, 64)}
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
	for _, p := range steps[0].Result.Packs {
		for j := range p.Rules {
			m.Rules = append(m.Rules, opView{ID: p.Rules[j].ID, Name: p.Rules[j].Title})
		}
	}
	data, err := buildMapData(inv, steps, focus, m, class)
	if err != nil {
		return nil, err
	}
	m.Data = template.JS(data)
	return m, nil
}

func f1(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }
