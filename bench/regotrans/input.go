package regotrans

import (
	"bufio"
	"encoding/json"
	"io"
	"strconv"
	"unicode/utf8"

	cf "github.com/corefence/corefence"
	"github.com/corefence/corefence/internal/inventory"
	"github.com/corefence/corefence/internal/policy"
)

// Params returns the check's parameters as the generated module reads them
// from data.cfparams: the as-of date and each pack's designated vendor
// groups. Wrap it as {ParamsRoot: Params(…)} for a store, or write it with
// WriteParams for `opa eval -d`.
func Params(packs []*policy.Pack, asOf cf.Date) map[string]any {
	ps := map[string]any{}
	for _, p := range packs {
		gs := make([]any, len(p.Designated)) // JSON types only, as a store wants them
		for i, g := range p.Designated {
			gs[i] = g
		}
		ps[p.ID] = map[string]any{"designated": gs}
	}
	return map[string]any{"as_of": asOf.String(), "packs": ps}
}

// WriteParams writes {"cfparams": Params(packs, asOf)} as JSON.
func WriteParams(w io.Writer, packs []*policy.Pack, asOf cf.Date) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(map[string]any{ParamsRoot: Params(packs, asOf)})
}

// WriteInput writes inv as the JSON input of the generated module:
//
//	{"sites":    {ID: {"operator", "lat", "lon", "tags", "traffic", "premises"}},
//	 "areas":    [{"id", "category", "lat", "lon", "radius_km"}],
//	 "elements": {ID: {"site", "operator", "host", "function", "domain",
//	                   "domains", "tech", "group", "near_miss", "status",
//	                   "installed"}}}
//
// Sites and elements are objects keyed by id, so that Rego looks them up
// without building an index first.
//
// What is resolved here is what corefence resolves while LOADING an
// inventory (importer.Load → inventory.Build), which the benchmarks time
// separately from the check: an element's site is the end of its hosting
// chain, its operator that site's, its domain its function's in the
// catalogue, its group the vendor group its vendor string normalises to,
// domains every domain its function belongs to, tech its effective
// technologies (its own, else its function's default, else those of what
// it serves in the topology; empty when unknown), and near_miss, for a
// vendor string that matches no known group, the designated group it
// resembles. Giving OPA these is fair; the rule semantics — scope, hosting propagation, designation,
// dates, distances and shares — are all left to the Rego.
//
// Traffic is written as an integer count of billionths (corefence's
// Quantity), so that Rego compares shares exactly; a missing traffic or
// premises figure is null.
func WriteInput(w io.Writer, inv *inventory.Inventory) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	var (
		buf []byte
		err error
	)
	buf = append(buf, `{"sites": {`...)
	for i := range inv.Sites {
		s := &inv.Sites[i]
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, "\n"...)
		buf = appendString(buf, s.ID)
		buf = append(buf, `: {"operator": `...)
		buf = appendString(buf, s.Operator)
		buf = append(buf, `, "lat": `...)
		buf = appendFloat(buf, s.Lat)
		buf = append(buf, `, "lon": `...)
		buf = appendFloat(buf, s.Lon)
		buf = append(buf, `, "tags": `...)
		buf = appendStrings(buf, s.Tags)
		buf = append(buf, `, "traffic": `...)
		if s.HasTraffic {
			buf = strconv.AppendInt(buf, int64(s.Traffic), 10)
		} else {
			buf = append(buf, "null"...)
		}
		buf = append(buf, `, "premises": `...)
		if s.HasPremises {
			buf = strconv.AppendInt(buf, s.Premises, 10)
		} else {
			buf = append(buf, "null"...)
		}
		buf = append(buf, '}')
		if buf, err = flush(bw, buf); err != nil {
			return err
		}
	}
	buf = append(buf, "},\n\"areas\": ["...)
	for i := range inv.Areas {
		a := &inv.Areas[i]
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, "\n"+`{"id": `...)
		buf = appendString(buf, a.ID)
		buf = append(buf, `, "category": `...)
		buf = appendString(buf, a.Category)
		buf = append(buf, `, "lat": `...)
		buf = appendFloat(buf, a.Lat)
		buf = append(buf, `, "lon": `...)
		buf = appendFloat(buf, a.Lon)
		buf = append(buf, `, "radius_km": `...)
		buf = appendFloat(buf, a.RadiusKm)
		buf = append(buf, '}')
	}
	buf = append(buf, "],\n\"elements\": {"...)
	for i := range inv.Elements {
		e := &inv.Elements[i]
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, "\n"...)
		buf = appendString(buf, e.ID)
		buf = append(buf, `: {"site": `...)
		buf = appendString(buf, inv.Sites[e.SiteRef].ID)
		buf = append(buf, `, "operator": `...)
		buf = appendString(buf, inv.Sites[e.SiteRef].Operator)
		buf = append(buf, `, "host": `...)
		if e.HostRef == inventory.NoRef {
			buf = append(buf, "null"...)
		} else {
			buf = appendString(buf, inv.Elements[e.HostRef].ID)
		}
		fn := inv.Catalogue.Func(e.Func)
		buf = append(buf, `, "function": `...)
		buf = appendString(buf, fn.ID)
		buf = append(buf, `, "domain": `...)
		buf = appendString(buf, fn.Domain.String())
		buf = append(buf, `, "domains": `...)
		buf = appendStrings(buf, domainNames(fn.Domains()))
		buf = append(buf, `, "tech": `...)
		buf = appendStrings(buf, e.Tech.Names())
		buf = append(buf, `, "group": `...)
		buf = appendString(buf, inv.Groups[e.Group].ID)
		buf = append(buf, `, "near_miss": `...)
		buf = appendNearMiss(buf, &inv.Groups[e.Group])
		buf = append(buf, `, "status": `...)
		buf = appendString(buf, e.Status)
		buf = append(buf, `, "installed": `...)
		buf = appendString(buf, e.Installed.String())
		buf = append(buf, '}')
		if buf, err = flush(bw, buf); err != nil {
			return err
		}
	}
	buf = append(buf, "}}\n"...)
	if _, err := bw.Write(buf); err != nil {
		return err
	}
	return bw.Flush()
}

func domainNames(s cf.DomainSet) []string {
	var out []string
	for _, d := range cf.Domains() {
		if s.Has(d) {
			out = append(out, d.String())
		}
	}
	return out
}

// appendNearMiss appends the designated group an unknown group's spellings
// resemble, or null.
func appendNearMiss(buf []byte, g *inventory.Group) []byte {
	if !g.Known {
		for _, sp := range g.Spellings {
			if sp.Match.NearMiss != "" {
				return appendString(buf, sp.Match.NearMiss)
			}
		}
	}
	return append(buf, "null"...)
}

func flush(bw *bufio.Writer, buf []byte) ([]byte, error) {
	if len(buf) < 64<<10 {
		return buf, nil
	}
	_, err := bw.Write(buf)
	return buf[:0], err
}

func appendFloat(buf []byte, f float64) []byte {
	return strconv.AppendFloat(buf, f, 'g', -1, 64)
}

func appendStrings(buf []byte, ss []string) []byte {
	buf = append(buf, '[')
	for i, s := range ss {
		if i > 0 {
			buf = append(buf, ", "...)
		}
		buf = appendString(buf, s)
	}
	return append(buf, ']')
}

// appendString appends s as a JSON string.
func appendString(buf []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' || c >= utf8.RuneSelf {
			b, _ := json.Marshal(s)
			return append(buf, b...)
		}
	}
	buf = append(buf, '"')
	buf = append(buf, s...)
	return append(buf, '"')
}
