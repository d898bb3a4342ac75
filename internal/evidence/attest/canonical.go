package attest

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	cf "github.com/corefence/corefence"
	"github.com/corefence/corefence/internal/inventory"
)

// canonicalHeader starts the canonical form; its version changes whenever
// the form does, so that two digests are comparable only when computed the
// same way.
const canonicalHeader = "corefence-inventory-canonical/v3\n"

// InventoryDigest returns the canonical digest of a built inventory, as
// "sha256:<hex>". The same network gives the same digest whether it was
// read from YAML, JSON or a CSV bundle and in whatever order its records
// were written; docs/evidence.md defines the canonical form:
//
//   - each record is encoded as its present fields, in the order of the
//     inventory format's field tables: a field number (one byte) and the
//     value — text as uvarint(length) ‖ UTF-8 bytes, a list as
//     uvarint(count) ‖ its texts. Every value is text: numbers as
//     ECMAScript prints them, exact decimals in plain decimal, dates as
//     YYYY-MM-DD, booleans as true/false, technologies in canonical order,
//     element attributes as canonical JSON (RFC 8785) with scalar values as
//     text (a CSV bundle carries no types). Defaults are filled in, and a
//     link's ends are ordered (links are undirected);
//   - records are grouped by site: a site, the elements at it (following
//     hosted_on to the end of the chain) by id, and the links whose lesser
//     end is one of those elements, by their fields; a group's digest is
//     SHA-256 over its records, each framed as a tag byte ('s', 'e', 'l'),
//     uvarint(length) and the encoding;
//   - the digest is SHA-256 over the header line, "sites <n>\n" and the
//     groups' digests in site id order, then for operators, areas, vendors
//     and functions "<section> <n>\n" and their framed encodings sorted
//     bytewise.
//
// Grouping by site keeps the sorting to sites and small groups, and hashes
// each group on whichever core is free: attesting a national network must
// cost little more than checking it. Positions (file, line) are not part of
// the network and are left out.
func InventoryDigest(inv *inventory.Inventory) string {
	nSites := len(inv.Sites)
	siteOrder := make([]int32, nSites)
	for i := range siteOrder {
		siteOrder[i] = int32(i)
	}
	slices.SortFunc(siteOrder, func(a, b int32) int { return strings.Compare(inv.Sites[a].ID, inv.Sites[b].ID) })

	// Elements and links by site: counting sorts, then each small group
	// sorted by its key.
	elemStart, elemIdx := groupBy(nSites, len(inv.Elements), func(i int) inventory.Ref { return inv.Elements[i].SiteRef })
	linkSite := func(i int) inventory.Ref {
		l := &inv.Links[i]
		end := l.ARef
		if l.B < l.A {
			end = l.BRef
		}
		return inv.Elements[end].SiteRef
	}
	linkStart, linkIdx := groupBy(nSites, len(inv.Links), linkSite)

	digests := make([][32]byte, nSites)
	const chunk = 1024
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Go(func() {
			var buf, rec []byte
			for from := range next {
				for s := from; s < min(from+chunk, nSites); s++ {
					site := siteOrder[s]
					elems := elemIdx[elemStart[site]:elemStart[site+1]]
					links := linkIdx[linkStart[site]:linkStart[site+1]]
					slices.SortFunc(elems, func(a, b int32) int { return strings.Compare(inv.Elements[a].ID, inv.Elements[b].ID) })
					slices.SortFunc(links, func(a, b int32) int { return compareLinks(&inv.Links[a], &inv.Links[b]) })
					buf = buf[:0]
					rec = canonSite(rec[:0], &inv.Sites[site])
					buf = frame(buf, 's', rec)
					for _, e := range elems {
						rec = canonElement(rec[:0], &inv.Elements[e])
						buf = frame(buf, 'e', rec)
					}
					for _, l := range links {
						rec = canonLink(rec[:0], &inv.Links[l])
						buf = frame(buf, 'l', rec)
					}
					digests[s] = sha256.Sum256(buf)
				}
			}
		})
	}
	for from := 0; from < nSites; from += chunk {
		next <- from
	}
	close(next)
	wg.Wait()

	h := sha256.New()
	h.Write([]byte(canonicalHeader))
	fmt.Fprintf(h, "sites %d\n", nSites)
	for i := range digests {
		h.Write(digests[i][:])
	}
	others := []struct {
		name string
		n    int
		enc  func(b []byte, i int) []byte
	}{
		{"operators", len(inv.Operators), func(b []byte, i int) []byte { return canonOperator(b, &inv.Operators[i]) }},
		{"areas", len(inv.Areas), func(b []byte, i int) []byte { return canonArea(b, &inv.Areas[i]) }},
		{"vendors", len(inv.Vendors), func(b []byte, i int) []byte { return canonVendor(b, &inv.Vendors[i]) }},
		{"functions", len(inv.Functions), func(b []byte, i int) []byte { return canonFunction(b, &inv.Functions[i]) }},
	}
	for _, sec := range others {
		framed := make([][]byte, sec.n)
		for i := range framed {
			framed[i] = frame(nil, sec.name[0], sec.enc(nil, i))
		}
		slices.SortFunc(framed, bytes.Compare)
		fmt.Fprintf(h, "%s %d\n", sec.name, sec.n)
		for _, f := range framed {
			h.Write(f)
		}
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}

// frame appends a record as tag ‖ uvarint(length) ‖ encoding, so that a
// sequence of records reads back one way only.
func frame(b []byte, tag byte, rec []byte) []byte {
	b = append(b, tag)
	b = binary.AppendUvarint(b, uint64(len(rec)))
	return append(b, rec...)
}

// groupBy orders the indexes 0..n-1 by group (a counting sort): the
// members of group g are idx[start[g]:start[g+1]].
func groupBy(groups, n int, group func(i int) inventory.Ref) (start []int32, idx []int32) {
	start = make([]int32, groups+1)
	for i := 0; i < n; i++ {
		start[group(i)+1]++
	}
	for g := 1; g <= groups; g++ {
		start[g] += start[g-1]
	}
	idx = make([]int32, n)
	fill := slices.Clone(start[:groups])
	for i := 0; i < n; i++ {
		g := group(i)
		idx[fill[g]] = int32(i)
		fill[g]++
	}
	return start, idx
}

// compareLinks orders links by their canonical fields: ends (lesser
// first), kind, encryption, metric, capacity. Links equal in all are the
// same link twice, and their order does not matter.
func compareLinks(x, y *inventory.Link) int {
	xa, xb := x.A, x.B
	if xb < xa {
		xa, xb = xb, xa
	}
	ya, yb := y.A, y.B
	if yb < ya {
		ya, yb = yb, ya
	}
	if c := strings.Compare(xa, ya); c != 0 {
		return c
	}
	if c := strings.Compare(xb, yb); c != 0 {
		return c
	}
	if c := strings.Compare(x.Kind, y.Kind); c != 0 {
		return c
	}
	if x.Encrypted != y.Encrypted {
		if !x.Encrypted {
			return -1
		}
		return 1
	}
	if c := cmpInt(int64(x.Metric), int64(y.Metric)); c != 0 {
		return c
	}
	return cmpInt(int64(x.Capacity), int64(y.Capacity))
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// record appends one record's canonical encoding. Fields are added in
// the order of their numbers; absent values are left out.
type record struct{ b []byte }

func (r *record) text(field byte, v string) {
	if v == "" {
		return
	}
	r.b = append(r.b, field)
	r.b = binary.AppendUvarint(r.b, uint64(len(v)))
	r.b = append(r.b, v...)
}

// number adds a float as ECMAScript prints it.
func (r *record) number(field byte, f float64) {
	var buf [32]byte
	r.bytes(field, appendNumber(buf[:0], f))
}

func (r *record) bytes(field byte, v []byte) {
	r.b = append(r.b, field)
	r.b = binary.AppendUvarint(r.b, uint64(len(v)))
	r.b = append(r.b, v...)
}

func (r *record) list(field byte, vs []string) {
	if len(vs) == 0 {
		return
	}
	r.b = append(r.b, field)
	r.b = binary.AppendUvarint(r.b, uint64(len(vs)))
	for _, v := range vs {
		r.b = binary.AppendUvarint(r.b, uint64(len(v)))
		r.b = append(r.b, v...)
	}
}

func (r *record) tech(field byte, t cf.Tech) {
	if t != 0 {
		r.list(field, techNames[t&cf.AllTech])
	}
}

func (r *record) bool(field byte, v bool) {
	if v {
		r.text(field, "true")
	} else {
		r.text(field, "false")
	}
}

// quantity adds an exact decimal as Quantity.String writes it, without
// allocating.
func (r *record) quantity(field byte, q cf.Quantity) {
	var buf [32]byte
	b := buf[:0]
	v := int64(q)
	if v < 0 {
		b = append(b, '-')
		v = -v
	}
	b = strconv.AppendInt(b, v/cf.QuantityScale, 10)
	if frac := v % cf.QuantityScale; frac != 0 {
		var digits [9]byte
		for i := 8; i >= 0; i-- {
			digits[i] = byte('0' + frac%10)
			frac /= 10
		}
		n := 9
		for digits[n-1] == '0' {
			n--
		}
		b = append(b, '.')
		b = append(b, digits[:n]...)
	}
	r.bytes(field, b)
}

func (r *record) date(field byte, d cf.Date) {
	if d.IsZero() {
		return
	}
	// YYYY-MM-DD by hand: time.Format costs more than the rest of an
	// element's encoding.
	y, m, day := d.Time().Date()
	if y < 0 || y > 9999 {
		r.text(field, d.String())
		return
	}
	buf := [10]byte{byte('0' + y/1000), byte('0' + y/100%10), byte('0' + y/10%10), byte('0' + y%10), '-',
		byte('0' + int(m)/10), byte('0' + int(m)%10), '-', byte('0' + day/10), byte('0' + day%10)}
	r.bytes(field, buf[:])
}

// techNames holds every set of technologies' names, so that encoding an
// element allocates nothing.
var techNames = func() [cf.AllTech + 1][]string {
	var out [cf.AllTech + 1][]string
	for t := range out {
		out[t] = cf.Tech(t).Names()
	}
	return out
}()

// The field numbers follow the field tables of the inventory format.

func canonOperator(b []byte, o *inventory.Operator) []byte {
	r := record{b}
	r.text(1, o.ID)
	r.text(2, o.Name)
	r.text(3, o.Country)
	return r.b
}

func canonSite(b []byte, s *inventory.Site) []byte {
	r := record{b}
	r.text(1, s.ID)
	r.text(2, s.Operator)
	r.text(3, s.Name)
	r.number(4, s.Lat)
	r.number(5, s.Lon)
	r.text(6, s.Kind)
	r.text(7, s.Region)
	if s.HasTraffic {
		r.quantity(8, s.Traffic)
	}
	if s.HasPremises {
		var buf [24]byte
		r.bytes(9, strconv.AppendInt(buf[:0], s.Premises, 10))
	}
	r.list(10, s.Tags)
	return r.b
}

func canonElement(b []byte, e *inventory.Element) []byte {
	r := record{b}
	r.text(1, e.ID)
	r.text(2, e.Site)
	r.text(3, e.HostedOn)
	r.text(4, e.Function)
	r.text(5, e.Vendor)
	r.text(6, e.Model)
	r.text(7, e.Software)
	r.tech(8, e.Technology)
	r.date(9, e.Installed)
	r.text(10, e.Status)
	r.list(11, e.Tags)
	if len(e.Attributes) > 0 {
		r.bytes(12, appendAttribute(nil, e.Attributes))
	}
	return r.b
}

func canonLink(b []byte, l *inventory.Link) []byte {
	a, z := l.A, l.B
	if z < a {
		a, z = z, a
	}
	r := record{b}
	r.text(1, a)
	r.text(2, z)
	r.text(3, l.Kind)
	r.bool(4, l.Encrypted)
	r.quantity(5, l.Metric)
	if l.Capacity != 0 {
		r.quantity(6, l.Capacity)
	}
	return r.b
}

func canonArea(b []byte, a *inventory.Area) []byte {
	r := record{b}
	r.text(1, a.ID)
	r.text(2, a.Name)
	r.text(3, a.Category)
	r.number(4, a.Lat)
	r.number(5, a.Lon)
	r.number(6, a.RadiusKm)
	return r.b
}

func canonVendor(b []byte, v *inventory.VendorRecord) []byte {
	r := record{b}
	r.text(1, v.ID)
	r.text(2, v.Name)
	r.text(3, v.Group)
	r.list(4, v.Aliases)
	r.text(5, v.Country)
	return r.b
}

func canonFunction(b []byte, f *inventory.FunctionRecord) []byte {
	r := record{b}
	r.text(1, f.ID)
	r.text(2, f.Domain)
	r.tech(3, f.Technology)
	r.text(4, f.Description)
	return r.b
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
