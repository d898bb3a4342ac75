package evidence

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
	"sync"

	cf "github.com/corefence/corefence"
	"github.com/corefence/corefence/internal/inventory"
)

// canonicalHeader starts the canonical form; its version changes whenever
// the form does, so that two digests are comparable only when computed the
// same way.
const canonicalHeader = "corefence-inventory-canonical/v2\n"

// InventoryDigest returns the canonical digest of a built inventory, as
// "sha256:<hex>". The same network gives the same digest whether it was
// read from YAML, JSON or a CSV bundle and in whatever order its records
// were written; docs/evidence.md defines the canonical form:
//
//   - each record is encoded as its present fields, in the order of the
//     inventory format's field tables: a field number (one byte) and the
//     value — text as uvarint(length) ‖ UTF-8 bytes, a list as
//     uvarint(count) ‖ its texts. Every value is text: numbers as
//     ECMAScript prints them, exact decimals (traffic, metric, capacity)
//     in plain decimal, dates as YYYY-MM-DD, booleans as true/false,
//     technologies in canonical order, element attributes as canonical JSON
//     (RFC 8785) with scalar values as text (a CSV bundle carries no types).
//     Defaults are filled in (site kind, element status, link metric and
//     encryption), and a link's ends are ordered (links are undirected);
//   - the digest is SHA-256 over the header line, then for each section in
//     the fixed order operators, sites, elements, links, areas, vendors,
//     functions: a line "<section> <count>\n" and the 32-byte SHA-256
//     digests of its records' encodings, sorted bytewise.
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
			sortHashes(hashes[s])
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

// sortHashes sorts SHA-256 digests bytewise. Digests are uniformly
// distributed, so a counting sort on the first two bytes leaves buckets of
// a handful each, finished by a comparison sort: linear time, where a
// comparison sort of a million digests costs several times as much.
func sortHashes(hs [][32]byte) {
	cmp := func(a, b [32]byte) int { return bytes.Compare(a[:], b[:]) }
	if len(hs) < 1<<14 {
		slices.SortFunc(hs, cmp)
		return
	}
	const buckets = 1 << 16
	start := make([]int, buckets+1)
	for i := range hs {
		start[int(hs[i][0])<<8|int(hs[i][1])+1]++
	}
	for b := 1; b <= buckets; b++ {
		start[b] += start[b-1]
	}
	sorted := make([][32]byte, len(hs))
	next := slices.Clone(start[:buckets])
	for i := range hs {
		b := int(hs[i][0])<<8 | int(hs[i][1])
		sorted[next[b]] = hs[i]
		next[b]++
	}
	for b := 0; b < buckets; b++ {
		if start[b+1]-start[b] > 1 {
			slices.SortFunc(sorted[start[b]:start[b+1]], cmp)
		}
	}
	copy(hs, sorted)
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
