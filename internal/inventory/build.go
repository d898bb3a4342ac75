package inventory

import (
	"context"
	"fmt"
	"math"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"unicode"

	cf "github.com/corefence/corefence"
	"github.com/corefence/corefence/internal/tree"
	"github.com/corefence/corefence/internal/vendor"
)

var (
	// Compiled on first use, so that commands that build no inventory do
	// not pay for them at start-up.
	slugRE    = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`) })
	countryRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Z]{2}$`) })
)

// Options adjust Build.
type Options struct {
	// Registry is the vendor registry to start from; nil means the built-in
	// one. Build adds the inventory's own vendors to a copy.
	Registry func() *vendor.Registry
}

// Build checks doc and returns the indexed inventory, or every problem found
// as *corefence.Problems and no inventory. Build takes ownership of doc's
// slices.
func Build(doc *Doc, opts Options) (*Inventory, error) {
	return BuildContext(context.Background(), doc, opts)
}

// BuildContext is Build, giving up with ctx's error, and no inventory, once
// ctx is done. It looks between its steps and every few thousand records
// within them, so that a national inventory stops within milliseconds.
func BuildContext(ctx context.Context, doc *Doc, opts Options) (*Inventory, error) {
	b := &builder{ctx: ctx, doc: doc, probs: &cf.Problems{}}
	newRegistry := opts.Registry
	if newRegistry == nil {
		newRegistry = vendor.Builtin
	}
	inv := &Inventory{
		Operators: doc.Operators,
		Sites:     doc.Sites,
		Elements:  doc.Elements,
		Links:     doc.Links,
		Areas:     doc.Areas,
		Catalogue: BuiltinCatalogue(),
		Registry:  newRegistry(),
		Digest:    doc.Digest,
		Vendors:   doc.Vendors,
		Functions: doc.Functions,
	}
	b.inv = inv
	for _, step := range []func(){b.functions, b.vendors, b.operators, b.sites, b.areas, b.elements, b.links} {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		step()
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := b.probs.Err(); err != nil {
		return nil, err
	}
	b.technologies()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return inv, nil
}

type builder struct {
	ctx   context.Context
	doc   *Doc
	inv   *Inventory
	probs *cf.Problems
}

// stopped reports whether the build was cancelled, looking at the context
// only on every 4096th record i, so that the check costs nothing.
func (b *builder) stopped(i int) bool {
	return i&4095 == 0 && b.ctx.Err() != nil
}

func (b *builder) addf(pos cf.Position, section, id, field, format string, args ...any) {
	b.probs.Addf(pos, section, id, field, format, args...)
}

func (b *builder) required(pos cf.Position, section, id, field, value string) bool {
	if value == "" {
		b.addf(pos, section, id, field, "missing required field")
		return false
	}
	return true
}

func (b *builder) oneOf(pos cf.Position, section, id, field, value string, valid []string) {
	for _, v := range valid {
		if v == value {
			return
		}
	}
	b.addf(pos, section, id, field, "%q is not one of %s", value, strings.Join(valid, ", "))
}

func (b *builder) coordinates(pos cf.Position, section, id string, lat, lon float64) {
	switch {
	case math.IsNaN(lat):
		b.addf(pos, section, id, "lat", "missing required field")
	case lat < -90 || lat > 90:
		b.addf(pos, section, id, "lat", "%v is out of range -90..90", lat)
	}
	switch {
	case math.IsNaN(lon):
		b.addf(pos, section, id, "lon", "missing required field")
	case lon < -180 || lon > 180:
		b.addf(pos, section, id, "lon", "%v is out of range -180..180", lon)
	}
}

func (b *builder) functions() {
	for _, f := range b.doc.Functions {
		if !b.required(f.Pos, "functions", f.ID, "id", f.ID) {
			continue
		}
		if !slugRE().MatchString(f.ID) {
			b.addf(f.Pos, "functions", f.ID, "id", "must be lower-case letters, digits, '.', '_' or '-'")
		}
		d, ok := cf.ParseDomain(f.Domain)
		if !ok {
			if b.required(f.Pos, "functions", f.ID, "domain", f.Domain) {
				b.oneOf(f.Pos, "functions", f.ID, "domain", f.Domain, cf.DomainNames())
			}
			continue
		}
		ref := b.inv.Catalogue.Define(Function{ID: f.ID, Domain: d, Technology: f.Technology, Description: f.Description})
		if fn := b.inv.Catalogue.Func(ref); fn.Overridden {
			b.inv.Warnings = append(b.inv.Warnings, cf.Warning{Code: "function-override",
				Message: fmt.Sprintf("%s: the inventory redefines built-in function %q as domain %s, technology %q", f.Pos, f.ID, d, f.Technology)})
		}
	}
}

func (b *builder) vendors() {
	for _, v := range b.doc.Vendors {
		if !b.required(v.Pos, "vendors", v.ID, "id", v.ID) {
			continue
		}
		if err := b.inv.Registry.Add(v.Addition); err != nil {
			b.addf(v.Pos, "vendors", v.ID, "", "%v", err)
		}
	}
}

func (b *builder) operators() {
	inv := b.inv
	inv.operatorByID = make(map[string]Ref, len(inv.Operators))
	for i := range inv.Operators {
		o := &inv.Operators[i]
		if !b.required(o.Pos, "operators", o.ID, "id", o.ID) {
			continue
		}
		if !slugRE().MatchString(o.ID) {
			b.addf(o.Pos, "operators", o.ID, "id", "must be a slug: lower-case letters, digits, '.', '_' or '-'")
		}
		if o.Country != "" && !countryRE().MatchString(o.Country) {
			b.addf(o.Pos, "operators", o.ID, "country", "%q is not an ISO 3166-1 alpha-2 code such as GB", o.Country)
		}
		if prev, dup := inv.operatorByID[o.ID]; dup {
			b.addf(o.Pos, "operators", o.ID, "id", "duplicate id (first defined at %s)", inv.Operators[prev].Pos)
			continue
		}
		inv.operatorByID[o.ID] = Ref(i)
	}
}

func (b *builder) sites() {
	inv := b.inv
	inv.siteByID = make(map[string]Ref, len(inv.Sites))
	nearMiss := map[string]string{} // tag → the reserved tag it misses, or ""
	for i := range inv.Sites {
		if b.stopped(i) {
			return
		}
		s := &inv.Sites[i]
		for _, tag := range s.Tags {
			miss, seen := nearMiss[tag]
			if !seen {
				miss = reservedNearMiss(tag)
				nearMiss[tag] = miss
			}
			if miss != "" {
				b.addf(s.Pos, "sites", s.ID, "tags", "%q is not a reserved tag but resembles %q: write the reserved tag exactly, or choose a tag that does not resemble it", tag, miss)
			}
		}
		s.OperatorRef = NoRef
		if b.required(s.Pos, "sites", s.ID, "id", s.ID) {
			if prev, dup := inv.siteByID[s.ID]; dup {
				b.addf(s.Pos, "sites", s.ID, "id", "duplicate id (first defined at %s)", inv.Sites[prev].Pos)
			} else {
				inv.siteByID[s.ID] = Ref(i)
			}
		}
		if b.required(s.Pos, "sites", s.ID, "operator", s.Operator) {
			if ref, ok := inv.operatorByID[s.Operator]; ok {
				s.OperatorRef = ref
				s.Operator = inv.Operators[ref].ID // share one string
			} else {
				b.addf(s.Pos, "sites", s.ID, "operator", "unknown operator %q", s.Operator)
			}
		}
		b.coordinates(s.Pos, "sites", s.ID, s.Lat, s.Lon)
		if s.Kind == "" {
			s.Kind = SiteMacro
		} else {
			b.oneOf(s.Pos, "sites", s.ID, "kind", s.Kind, SiteKinds)
		}
		if s.Traffic < 0 {
			b.addf(s.Pos, "sites", s.ID, "traffic", "%s is negative", s.Traffic)
		}
		if s.Premises < 0 {
			b.addf(s.Pos, "sites", s.ID, "premises", "%d is negative", s.Premises)
		}
	}
}

// reservedNearMiss returns the reserved tag that tag closely resembles
// without being it: the same letters and digits in another case or with
// other separators ("National_Security"), or at most two edits away from
// them ("national-securty", "cni-saftey"); "" otherwise.
func reservedNearMiss(tag string) string {
	for _, r := range ReservedTags {
		if tag == r {
			return ""
		}
	}
	key := squash(tag)
	if key == "" {
		return ""
	}
	for _, r := range ReservedTags {
		if key == squash(r) || tree.Suggest(key, []string{squash(r)}) != "" {
			return r
		}
	}
	return ""
}

// squash keeps the letters and digits of s, in lower case.
func squash(s string) string {
	var b strings.Builder
	for _, c := range strings.ToLower(s) {
		if unicode.IsLetter(c) || unicode.IsDigit(c) {
			b.WriteRune(c)
		}
	}
	return b.String()
}

func (b *builder) areas() {
	seen := make(map[string]int, len(b.inv.Areas))
	for i := range b.inv.Areas {
		a := &b.inv.Areas[i]
		if b.required(a.Pos, "areas", a.ID, "id", a.ID) {
			if prev, dup := seen[a.ID]; dup {
				b.addf(a.Pos, "areas", a.ID, "id", "duplicate id (first defined at %s)", b.inv.Areas[prev].Pos)
			}
			seen[a.ID] = i
		}
		if b.required(a.Pos, "areas", a.ID, "category", a.Category) {
			b.oneOf(a.Pos, "areas", a.ID, "category", a.Category, AreaCategories)
		}
		b.coordinates(a.Pos, "areas", a.ID, a.Lat, a.Lon)
		if math.IsNaN(a.RadiusKm) {
			b.addf(a.Pos, "areas", a.ID, "radius_km", "missing required field")
		} else if !(a.RadiusKm > 0) {
			b.addf(a.Pos, "areas", a.ID, "radius_km", "%v must be greater than 0", a.RadiusKm)
		}
	}
}

func (b *builder) elements() {
	inv := b.inv
	inv.elementByID = make(map[string]Ref, len(inv.Elements))
	inv.groupByID = make(map[string]GroupRef)
	groupOf := make(map[string]GroupRef) // vendor string as written → group
	// Neighbouring records mostly share a site, function and vendor: the
	// previous answer saves a map lookup.
	lastSite, lastSiteRef := "", NoRef
	lastFunc, lastFuncRef := "", FuncRef(-1)
	lastVendor, lastGroup := "", GroupRef(NoRef)
	for i := range inv.Elements {
		if b.stopped(i) {
			return
		}
		e := &inv.Elements[i]
		e.SiteRef, e.HostRef, e.Group, e.Func = NoRef, NoRef, NoRef, -1
		if b.required(e.Pos, "elements", e.ID, "id", e.ID) {
			if prev, dup := inv.elementByID[e.ID]; dup {
				b.addf(e.Pos, "elements", e.ID, "id", "duplicate id (first defined at %s)", inv.Elements[prev].Pos)
			} else {
				inv.elementByID[e.ID] = Ref(i)
			}
		}
		if b.required(e.Pos, "elements", e.ID, "function", e.Function) {
			if e.Function == lastFunc {
				e.Func = lastFuncRef
				e.Function = inv.Catalogue.Func(lastFuncRef).ID
			} else if ref, ok := inv.Catalogue.Lookup(e.Function); ok {
				lastFunc, lastFuncRef = e.Function, ref
				e.Func = ref
				e.Function = inv.Catalogue.Func(ref).ID
			} else {
				hint := "see `corefence functions`, or define it in a functions section"
				if s := tree.Suggest(strings.ToLower(e.Function), inv.Catalogue.IDs()); s != "" {
					hint = fmt.Sprintf("did you mean %q? %s", s, hint)
				}
				b.addf(e.Pos, "elements", e.ID, "function", "unknown function %q (%s)", e.Function, hint)
			}
		}
		if b.required(e.Pos, "elements", e.ID, "vendor", strings.TrimSpace(e.Vendor)) {
			if e.Vendor != lastVendor {
				g, ok := groupOf[e.Vendor]
				if !ok {
					g = b.group(e.Vendor)
					groupOf[e.Vendor] = g
				}
				lastVendor, lastGroup = e.Vendor, g
			}
			e.Group = lastGroup
		}
		if e.Status == "" {
			e.Status = StatusActive
		} else {
			b.oneOf(e.Pos, "elements", e.ID, "status", e.Status, Statuses)
		}
		if e.Site == "" && e.HostedOn == "" {
			b.addf(e.Pos, "elements", e.ID, "site", "missing: give site or hosted_on")
		}
		if e.Site != "" {
			if e.Site == lastSite {
				e.SiteRef = lastSiteRef
				e.Site = inv.Sites[lastSiteRef].ID
			} else if ref, ok := inv.siteByID[e.Site]; ok {
				lastSite, lastSiteRef = e.Site, ref
				e.SiteRef = ref
				e.Site = inv.Sites[ref].ID
			} else {
				b.addf(e.Pos, "elements", e.ID, "site", "unknown site %q", e.Site)
			}
		}
	}
	// Hosts are resolved once every element id is known, since an element
	// may run on one defined later in the file.
	for i := range inv.Elements {
		if b.stopped(i) {
			return
		}
		e := &inv.Elements[i]
		if e.HostedOn == "" {
			continue
		}
		if ref, ok := inv.elementByID[e.HostedOn]; ok {
			e.HostRef = ref
			e.HostedOn = inv.Elements[ref].ID
		} else {
			b.addf(e.Pos, "elements", e.ID, "hosted_on", "unknown element %q", e.HostedOn)
		}
	}
	b.hostSites()
	for i := range inv.Groups {
		sort.Slice(inv.Groups[i].Spellings, func(a, c int) bool {
			return inv.Groups[i].Spellings[a].Text < inv.Groups[i].Spellings[c].Text
		})
	}
}

// group resolves one vendor string as written to a group of the inventory,
// adding the group on first use and warning about unknown vendors and near
// misses of designated ones.
func (b *builder) group(raw string) GroupRef {
	inv := b.inv
	m := inv.Registry.Resolve(raw)
	ref, ok := inv.groupByID[m.Group]
	if !ok {
		g := Group{ID: m.Group, Name: raw, Known: m.Kind != vendor.Unknown}
		if rg, ok := inv.Registry.Group(m.Group); ok {
			g.Name, g.Designated = rg.Name, rg.Designated
		}
		ref = GroupRef(len(inv.Groups))
		inv.Groups = append(inv.Groups, g)
		inv.groupByID[m.Group] = ref
	}
	inv.Groups[ref].Spellings = append(inv.Groups[ref].Spellings, Spelling{Text: raw, Match: m})
	switch {
	case m.Kind == vendor.Unknown && m.NearMiss != "":
		inv.Warnings = append(inv.Warnings, cf.Warning{Code: "vendor-near-miss",
			Message: fmt.Sprintf("vendor %q matches no known group but closely resembles designated vendor %q; kept as its own group %q and reported as unmeasured under the rules that designate %q — fix the spelling or add it to a vendors section", raw, m.NearMiss, m.Group, m.NearMiss)})
	case m.Kind == vendor.Unknown:
		inv.Warnings = append(inv.Warnings, cf.Warning{Code: "vendor-unknown",
			Message: fmt.Sprintf("vendor %q matches no known group; kept as its own group %q", raw, m.Group)})
	case m.Kind == vendor.Prefix:
		inv.Warnings = append(inv.Warnings, cf.Warning{Code: "vendor-prefix-match",
			Message: fmt.Sprintf("vendor %q taken as group %q because it starts with %q", raw, m.Group, m.Alias)})
	case m.Kind == vendor.Token:
		inv.Warnings = append(inv.Warnings, cf.Warning{Code: "vendor-token-match",
			Message: fmt.Sprintf("vendor %q taken as designated group %q because it contains %q", raw, m.Group, m.Alias)})
	}
	return ref
}

// hostSites follows every hosting chain to its end, reporting cycles, and
// gives each hosted element the site of the element at the end.
func (b *builder) hostSites() {
	inv := b.inv
	const (
		unseen = iota
		visiting
		done
	)
	state := make([]uint8, len(inv.Elements))
	var chain []Ref
	for i := range inv.Elements {
		if b.stopped(i) {
			return
		}
		if state[i] != unseen {
			continue
		}
		chain = chain[:0]
		cur := Ref(i)
		for cur != NoRef && state[cur] == unseen {
			state[cur] = visiting
			chain = append(chain, cur)
			cur = inv.Elements[cur].HostRef
		}
		if cur != NoRef && state[cur] == visiting { // back on the chain: a cycle
			start := 0
			for chain[start] != cur {
				start++
			}
			ids := make([]string, 0, len(chain)-start+1)
			for _, r := range chain[start:] {
				ids = append(ids, inv.Elements[r].ID)
			}
			ids = append(ids, inv.Elements[cur].ID)
			e := &inv.Elements[cur]
			b.addf(e.Pos, "elements", e.ID, "hosted_on", "hosting cycle: %s", strings.Join(ids, " → "))
			for _, r := range chain[start:] {
				inv.Elements[r].HostRef = NoRef
			}
		}
		// Unwind: each element takes its host's site.
		for j := len(chain) - 1; j >= 0; j-- {
			e := &inv.Elements[chain[j]]
			state[chain[j]] = done
			if e.HostRef == NoRef {
				continue
			}
			hostSite := inv.Elements[e.HostRef].SiteRef
			if hostSite == NoRef {
				continue
			}
			if e.SiteRef != NoRef && e.SiteRef != hostSite {
				b.addf(e.Pos, "elements", e.ID, "site", "site %q differs from %q, the site of its host %q", e.Site, inv.Sites[hostSite].ID, e.HostedOn)
				continue
			}
			e.SiteRef = hostSite
		}
	}
}

// links resolves every link's ends. A national inventory has millions of
// links, each looking up two elements in a map too big for the caches,
// so the links are resolved in parts, one goroutine a core (see inParts).
func (b *builder) links() {
	b.inParts(len(b.inv.Links), func(b *builder, from, to int) {
		var recent recentEnds
		for i := from; i < to; i++ {
			if b.stopped(i) {
				return
			}
			b.link(&b.inv.Links[i], &recent)
		}
	})
}

// recentEnds are the ends of the previous link: neighbouring links often
// share one (a router's uplinks, a server's two routers), and comparing
// strings that the importer interned is cheaper than a lookup in a map
// of a million elements.
// An end that did not resolve is held with NoRef, and looked up again.
type recentEnds [2]struct {
	id  string
	ref Ref
}

func (r *recentEnds) lookup(inv *Inventory, id string) (Ref, bool) {
	for _, e := range r {
		if e.ref != NoRef && e.id == id {
			return e.ref, true
		}
	}
	ref, ok := inv.elementByID[id]
	return ref, ok
}

func (b *builder) link(l *Link, recent *recentEnds) {
	inv := b.inv
	l.ARef, l.BRef = NoRef, NoRef
	id := func() string { return l.A + "—" + l.B } // only for a problem: most links have none
	for _, end := range [2]struct {
		field string
		id    *string
		ref   *Ref
	}{{"a", &l.A, &l.ARef}, {"b", &l.B, &l.BRef}} {
		if *end.id == "" {
			b.addf(l.Pos, "links", id(), end.field, "missing required field")
			continue
		}
		if ref, ok := recent.lookup(inv, *end.id); ok {
			*end.ref = ref
			*end.id = inv.Elements[ref].ID
		} else {
			b.addf(l.Pos, "links", id(), end.field, "unknown element %q", *end.id)
		}
	}
	recent[0].id, recent[0].ref = l.A, l.ARef
	recent[1].id, recent[1].ref = l.B, l.BRef
	if l.A != "" && l.A == l.B {
		b.addf(l.Pos, "links", id(), "b", "a link must join two different elements")
	}
	if l.Kind != "" && !slices.Contains(LinkKinds, l.Kind) {
		b.oneOf(l.Pos, "links", id(), "kind", l.Kind, LinkKinds)
	}
	if l.Metric == 0 {
		l.Metric = cf.QuantityFromInt(1)
	} else if l.Metric < 0 {
		b.addf(l.Pos, "links", id(), "metric", "%s must be greater than 0", l.Metric)
	}
	if l.Capacity < 0 {
		b.addf(l.Pos, "links", id(), "capacity", "%s is negative", l.Capacity)
	}
}

// inParts runs do over records [0, n) in parts, one goroutine a core, each
// part reporting to problems of its own; they are merged in record order,
// so that the problems, and where MaxProblems cuts them, are those of one
// loop. do may write only to the records of its part.
func (b *builder) inParts(n int, do func(b *builder, from, to int)) {
	parts := runtime.GOMAXPROCS(0)
	if n < 1<<15 {
		parts = 1
	}
	subs := make([]builder, parts)
	var wg sync.WaitGroup
	for p := range subs {
		sub := &subs[p]
		*sub = *b
		sub.probs = &cf.Problems{}
		from, to := n*p/parts, n*(p+1)/parts
		wg.Go(func() { do(sub, from, to) })
	}
	wg.Wait()
	for p := range subs {
		b.probs.Merge(subs[p].probs)
	}
}
