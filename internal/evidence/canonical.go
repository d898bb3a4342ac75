package evidence

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"sync"

	cf "github.com/corefence/corefence"
	"github.com/corefence/corefence/internal/inventory"
)

// canonicalHeader starts the canonical form; its version changes whenever
// the form does, so that two digests are comparable only when computed the
// same way.
const canonicalHeader = "corefence-inventory-canonical/v1\n"

// InventoryDigest returns the canonical digest of a built inventory, as
// "sha256:<hex>". The same network gives the same digest whether it was
// read from YAML, JSON or a CSV bundle and in whatever order its records
// were written; docs/evidence.md defines the canonical form:
//
//   - each record is written as canonical JSON (RFC 8785: keys sorted, no
//     white space, strings escaped minimally, numbers as ECMAScript prints
//     them), with the field names of the inventory format, every default
//     filled in (site kind, element status, link metric and encryption),
//     absent optional fields left out, exact decimals (traffic, metric,
//     capacity) as strings, technologies in canonical order, a link's ends
//     ordered (links are undirected), and element attributes with scalar
//     values as text (CSV carries no types);
//   - the digest is SHA-256 over the header line, then for each section in
//     the fixed order operators, sites, elements, links, areas, vendors,
//     functions: a line "<section> <count>\n" and the 32-byte SHA-256
//     digests of its records' canonical JSON, sorted bytewise.
//
// Positions (file, line) are not part of the network and are left out.
func InventoryDigest(inv *inventory.Inventory) string {
	sections := []struct {
		name string
		n    int
		enc  func(b []byte, i int) []byte
	}{
		{"operators", len(inv.Operators), func(b []byte, i int) []byte { return canonOperator(b, &inv.Operators[i]) }},
		{"sites", len(inv.Sites), func(b []byte, i int) []byte { return canonSite(b, &inv.Sites[i]) }},
		{"elements", len(inv.Elements), func(b []byte, i int) []byte { return canonElement(b, &inv.Elements[i]) }},
		{"links", len(inv.Links), func(b []byte, i int) []byte { return canonLink(b, &inv.Links[i]) }},
		{"areas", len(inv.Areas), func(b []byte, i int) []byte { return canonArea(b, &inv.Areas[i]) }},
		{"vendors", len(inv.Vendors), func(b []byte, i int) []byte { return canonVendor(b, &inv.Vendors[i]) }},
		{"functions", len(inv.Functions), func(b []byte, i int) []byte { return canonFunction(b, &inv.Functions[i]) }},
	}
	hashes := make([][][32]byte, len(sections))
	for s, sec := range sections {
		hashes[s] = make([][32]byte, sec.n)
	}
	// Records are independent: encode and hash them in chunks on every
	// core, then sort each section's hashes, big sections concurrently.
	type chunk struct{ section, from, to int }
	work := make(chan chunk)
	var wg sync.WaitGroup
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var buf []byte
			for c := range work {
				enc, out := sections[c.section].enc, hashes[c.section]
				for i := c.from; i < c.to; i++ {
					buf = enc(buf[:0], i)
					out[i] = sha256.Sum256(buf)
				}
			}
		}()
	}
	const chunkSize = 4096
	for s, sec := range sections {
		for from := 0; from < sec.n; from += chunkSize {
			work <- chunk{s, from, min(from+chunkSize, sec.n)}
		}
	}
	close(work)
	wg.Wait()
	for s := range hashes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			slices.SortFunc(hashes[s], func(a, b [32]byte) int { return bytes.Compare(a[:], b[:]) })
		}()
	}
	wg.Wait()

	h := sha256.New()
	h.Write([]byte(canonicalHeader))
	for s, sec := range sections {
		fmt.Fprintf(h, "%s %d\n", sec.name, sec.n)
		for i := range hashes[s] {
			h.Write(hashes[s][i][:])
		}
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}

// CanonicalRecords returns the canonical JSON of every record of inv, one
// "<section> <json>" line each, in section order and, within a section,
// sorted. It is the canonical form written out, for people and for tests
// that check the digest with other tools; InventoryDigest does not use it.
func CanonicalRecords(inv *inventory.Inventory) []string {
	var out []string
	add := func(section string, n int, enc func(b []byte, i int) []byte) {
		lines := make([]string, n)
		for i := 0; i < n; i++ {
			lines[i] = section + " " + string(enc(nil, i))
		}
		sort.Strings(lines)
		out = append(out, lines...)
	}
	add("operators", len(inv.Operators), func(b []byte, i int) []byte { return canonOperator(b, &inv.Operators[i]) })
	add("sites", len(inv.Sites), func(b []byte, i int) []byte { return canonSite(b, &inv.Sites[i]) })
	add("elements", len(inv.Elements), func(b []byte, i int) []byte { return canonElement(b, &inv.Elements[i]) })
	add("links", len(inv.Links), func(b []byte, i int) []byte { return canonLink(b, &inv.Links[i]) })
	add("areas", len(inv.Areas), func(b []byte, i int) []byte { return canonArea(b, &inv.Areas[i]) })
	add("vendors", len(inv.Vendors), func(b []byte, i int) []byte { return canonVendor(b, &inv.Vendors[i]) })
	add("functions", len(inv.Functions), func(b []byte, i int) []byte { return canonFunction(b, &inv.Functions[i]) })
	return out
}

// object appends one canonical JSON object. Callers add members in
// ascending key order, which is what RFC 8785 sorts them into for the
// ASCII keys used here.
type object struct {
	b []byte
	n int
}

func open(b []byte) object { return object{b: append(b, '{')} }

func (o *object) key(k string) {
	if o.n > 0 {
		o.b = append(o.b, ',')
	}
	o.n++
	o.b = appendString(o.b, k)
	o.b = append(o.b, ':')
}

// str adds a string member, or nothing when v is empty (an absent value).
func (o *object) str(k, v string) {
	if v == "" {
		return
	}
	o.key(k)
	o.b = appendString(o.b, v)
}

func (o *object) num(k string, v float64) {
	o.key(k)
	o.b = appendNumber(o.b, v)
}

func (o *object) int(k string, v int64) {
	o.key(k)
	o.b = strconv.AppendInt(o.b, v, 10)
}

func (o *object) bool(k string, v bool) {
	o.key(k)
	o.b = strconv.AppendBool(o.b, v)
}

func (o *object) list(k string, vs []string) {
	if len(vs) == 0 {
		return
	}
	o.key(k)
	o.b = append(o.b, '[')
	for i, v := range vs {
		if i > 0 {
			o.b = append(o.b, ',')
		}
		o.b = appendString(o.b, v)
	}
	o.b = append(o.b, ']')
}

func (o *object) tech(k string, t cf.Tech) {
	if t != 0 {
		o.list(k, t.Names())
	}
}

func (o *object) close() []byte { return append(o.b, '}') }

func canonOperator(b []byte, r *inventory.Operator) []byte {
	o := open(b)
	o.str("country", r.Country)
	o.str("id", r.ID)
	o.str("name", r.Name)
	return o.close()
}

func canonSite(b []byte, r *inventory.Site) []byte {
	o := open(b)
	o.str("id", r.ID)
	o.str("kind", r.Kind)
	o.num("lat", r.Lat)
	o.num("lon", r.Lon)
	o.str("name", r.Name)
	o.str("operator", r.Operator)
	if r.HasPremises {
		o.int("premises", r.Premises)
	}
	o.str("region", r.Region)
	o.list("tags", r.Tags)
	if r.HasTraffic {
		o.str("traffic", r.Traffic.String())
	}
	return o.close()
}

func canonElement(b []byte, r *inventory.Element) []byte {
	o := open(b)
	if len(r.Attributes) > 0 {
		o.key("attributes")
		o.b = appendAttribute(o.b, r.Attributes)
	}
	o.str("function", r.Function)
	o.str("hosted_on", r.HostedOn)
	o.str("id", r.ID)
	if !r.Installed.IsZero() {
		o.str("installed", r.Installed.String())
	}
	o.str("model", r.Model)
	o.str("site", r.Site)
	o.str("software", r.Software)
	o.str("status", r.Status)
	o.list("tags", r.Tags)
	o.tech("technology", r.Technology)
	o.str("vendor", r.Vendor)
	return o.close()
}

func canonLink(b []byte, r *inventory.Link) []byte {
	a, z := r.A, r.B
	if z < a {
		a, z = z, a
	}
	o := open(b)
	o.str("a", a)
	o.str("b", z)
	if r.Capacity != 0 {
		o.str("capacity", r.Capacity.String())
	}
	o.bool("encrypted", r.Encrypted)
	o.str("kind", r.Kind)
	o.str("metric", r.Metric.String())
	return o.close()
}

func canonArea(b []byte, r *inventory.Area) []byte {
	o := open(b)
	o.str("category", r.Category)
	o.str("id", r.ID)
	o.num("lat", r.Lat)
	o.num("lon", r.Lon)
	o.str("name", r.Name)
	o.num("radius_km", r.RadiusKm)
	return o.close()
}

func canonVendor(b []byte, r *inventory.VendorRecord) []byte {
	o := open(b)
	o.list("aliases", r.Aliases)
	o.str("country", r.Country)
	o.str("group", r.Group)
	o.str("id", r.ID)
	o.str("name", r.Name)
	return o.close()
}

func canonFunction(b []byte, r *inventory.FunctionRecord) []byte {
	o := open(b)
	o.str("description", r.Description)
	o.str("domain", r.Domain)
	o.str("id", r.ID)
	o.tech("technology", r.Technology)
	return o.close()
}

// appendAttribute writes an attribute value: maps with sorted keys, lists
// in order, and every scalar as its text, because a CSV bundle can only
// carry text and must digest like the YAML it was exported from.
func appendAttribute(b []byte, v any) []byte {
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys) // RFC 8785 sorts by UTF-16 code units; equal to bytewise for keys without astral characters
		b = append(b, '{')
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, k)
			b = append(b, ':')
			b = appendAttribute(b, x[k])
		}
		return append(b, '}')
	case []any:
		b = append(b, '[')
		for i, it := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendAttribute(b, it)
		}
		return append(b, ']')
	case nil:
		return append(b, "null"...)
	case string:
		return appendString(b, x)
	case json.Number:
		return appendString(b, string(x))
	case bool:
		return appendString(b, strconv.FormatBool(x))
	case float64:
		return appendString(b, strconv.FormatFloat(x, 'g', -1, 64))
	case int:
		return appendString(b, strconv.Itoa(x))
	case int64:
		return appendString(b, strconv.FormatInt(x, 10))
	}
	return appendString(b, fmt.Sprint(v))
}

// appendString writes s as an RFC 8785 string: only '"', '\\' and control
// characters are escaped; everything else is written as its UTF-8 bytes.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\b':
			b = append(b, '\\', 'b')
		case '\f':
			b = append(b, '\\', 'f')
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		}
		start = i + 1
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

const hexDigits = "0123456789abcdef"

// appendNumber writes f as ECMAScript's Number.prototype.toString does,
// which RFC 8785 prescribes (and encoding/json follows).
func appendNumber(b []byte, f float64) []byte {
	if f == 0 || math.IsNaN(f) || math.IsInf(f, 0) {
		return append(b, '0') // -0 prints as 0; NaN and ±Inf never pass Build
	}
	format := byte('f')
	if abs := math.Abs(f); abs < 1e-6 || abs >= 1e21 {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		// "1e-07" → "1e-7"
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}
