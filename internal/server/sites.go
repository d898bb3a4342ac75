package server

import (
	"context"
	"encoding/json"
	"math"
	"net/http"
	"slices"
	"strings"
	"sync"

	cf "github.com/corefence/corefence"
	"github.com/corefence/corefence/internal/exposure"
	"github.com/corefence/corefence/internal/inventory"
	"github.com/corefence/corefence/internal/policy"
	"github.com/corefence/corefence/internal/store"
)

// SiteMap is the sites of a run, or of the national view, for a map:
// columns of equal length, one entry per site, with dictionaries for the
// codes, so that 100,000 sites are a few megabytes.
type SiteMap struct {
	// Runs are the runs the findings come from, one per operator (the
	// national view: null run for an operator with no run on the
	// snapshot valid on the date).
	Runs []SiteMapRun `json:"runs"`
	// Dictionaries.
	Operators    []string `json:"operators"`
	Groups       []string `json:"groups"`            // vendor group ids
	Designated   []bool   `json:"groups_designated"` // per group: designated high-risk
	GroupSets    [][]int  `json:"group_sets"`        // distinct sets of groups, as indexes into groups
	Statuses     []string `json:"statuses"`          // worst statuses, most severe first
	Technologies []string `json:"technologies"`      // bit i of tech is technologies[i]
	// Columns, one entry per site.
	ID       []string  `json:"id"`
	Lon      []float64 `json:"lon"`       // WGS84, to 1e-5 degrees (about a metre)
	Lat      []float64 `json:"lat"`       //
	Operator []int     `json:"operator"`  // index into operators
	GroupSet []int     `json:"group_set"` // index into group_sets: the groups of the site's elements in the network
	Worst    []int     `json:"worst"`     // index into statuses; -1: no finding
	Tech     []int     `json:"tech"`      // technologies of the site's elements, as bits
	Findings []int     `json:"findings"`  // findings about the site or its elements
	// Areas are the sensitive areas of the snapshots, each once: a few
	// per inventory, so a list rather than columns.
	Areas []SiteMapArea `json:"areas"`
}

// SiteMapArea is a sensitive area (a circle) of the map's snapshots. An
// area held identically by several operators' snapshots is listed once,
// naming them all; an operator's map holds its own snapshot's areas only.
type SiteMapArea struct {
	ID       string  `json:"id"`
	Name     string  `json:"name"`     // as the inventory names it; may be empty
	Category string  `json:"category"` // military, nuclear, government, cni or other
	Lon      float64 `json:"lon"`      // the centre, WGS84, to 1e-5 degrees
	Lat      float64 `json:"lat"`      //
	RadiusM  float64 `json:"radius_m"` // metres, to the millimetre
	// Operators are the operators whose snapshots hold the area, as
	// indexes into operators.
	Operators []int `json:"operators"`
}

// SiteMapRun is one operator's part of a SiteMap.
type SiteMapRun struct {
	Operator string  `json:"operator"`
	Snapshot string  `json:"snapshot"`
	Run      *string `json:"run"`
}

// severity is the order of statuses from most to least severe; a status
// added later sorts after them.
var severity = []string{policy.StatusViolation, policy.StatusAdvisory, policy.StatusUpcoming, policy.StatusUnmeasured, policy.StatusWaived}

// mapPart is one operator's snapshot and the run whose findings colour it.
type mapPart struct {
	operator string
	snapshot string
	run      *store.Run // nil: the sites alone
}

// siteMapBuilder appends operators' sites to a SiteMap, sharing its
// dictionaries.
type siteMapBuilder struct {
	m        SiteMap
	opIndex  map[string]int
	grpIndex map[string]int
	setIndex map[string]int
	stIndex  map[string]int
	areaIdx  map[areaKey]int
}

// areaKey identifies an area as the map writes it: two snapshots' areas
// alike in every field are one area.
type areaKey struct {
	id, name, category string
	lon, lat, radiusM  float64
}

func newSiteMapBuilder() *siteMapBuilder {
	b := &siteMapBuilder{opIndex: map[string]int{}, grpIndex: map[string]int{}, setIndex: map[string]int{}, stIndex: map[string]int{}, areaIdx: map[areaKey]int{}}
	b.m = SiteMap{Areas: []SiteMapArea{}, Runs: []SiteMapRun{}, Operators: []string{}, Groups: []string{}, Designated: []bool{}, GroupSets: [][]int{},
		Statuses: slices.Clone(severity), Technologies: cf.TechNames(),
		ID: []string{}, Lon: []float64{}, Lat: []float64{}, Operator: []int{}, GroupSet: []int{}, Worst: []int{}, Tech: []int{}, Findings: []int{}}
	for i, st := range severity {
		b.stIndex[st] = i
	}
	return b
}

func index(dict *[]string, idx map[string]int, key string) int {
	i, ok := idx[key]
	if !ok {
		i = len(*dict)
		idx[key] = i
		*dict = append(*dict, key)
	}
	return i
}

// add appends the sites of inv, coloured by the counts of a run's findings
// by site and status (nil: no run).
func (b *siteMapBuilder) add(part mapPart, inv *inventory.Inventory, includePlanned bool, counts map[string]map[string]int) {
	mr := SiteMapRun{Operator: part.operator, Snapshot: part.snapshot}
	if part.run != nil {
		mr.Run = &part.run.ID
	}
	b.m.Runs = append(b.m.Runs, mr)
	groups := make([][]inventory.GroupRef, len(inv.Sites))
	tech := make([]cf.Tech, len(inv.Sites))
	for i := range inv.Elements {
		e := &inv.Elements[i]
		if e.SiteRef == inventory.NoRef || !e.InNetwork(includePlanned) {
			continue
		}
		tech[e.SiteRef] |= e.Tech
		if !slices.Contains(groups[e.SiteRef], e.Group) {
			groups[e.SiteRef] = append(groups[e.SiteRef], e.Group)
		}
	}
	var key []byte
	for i := range inv.Sites {
		s := &inv.Sites[i]
		set := make([]int, 0, len(groups[i]))
		for _, g := range groups[i] {
			grp := &inv.Groups[g]
			gi, ok := b.grpIndex[grp.ID]
			if !ok {
				gi = len(b.m.Groups)
				b.grpIndex[grp.ID] = gi
				b.m.Groups = append(b.m.Groups, grp.ID)
				b.m.Designated = append(b.m.Designated, grp.Designated)
			}
			set = append(set, gi)
		}
		slices.Sort(set)
		key = key[:0]
		for _, gi := range set {
			key = append(key, byte(gi), byte(gi>>8), byte(gi>>16))
		}
		si, ok := b.setIndex[string(key)]
		if !ok {
			si = len(b.m.GroupSets)
			b.setIndex[string(key)] = si
			b.m.GroupSets = append(b.m.GroupSets, set)
		}
		worst, n := -1, 0
		for st, c := range counts[s.ID] {
			n += c
			if w := index(&b.m.Statuses, b.stIndex, st); worst < 0 || w < worst {
				worst = w
			}
		}
		b.m.ID = append(b.m.ID, s.ID)
		b.m.Lon = append(b.m.Lon, round5(s.Lon))
		b.m.Lat = append(b.m.Lat, round5(s.Lat))
		b.m.Operator = append(b.m.Operator, index(&b.m.Operators, b.opIndex, s.Operator))
		b.m.GroupSet = append(b.m.GroupSet, si)
		b.m.Worst = append(b.m.Worst, worst)
		b.m.Tech = append(b.m.Tech, int(tech[i]))
		b.m.Findings = append(b.m.Findings, n)
	}
	b.addAreas(part.operator, inv.Areas)
}

// addAreas adds an operator's snapshot's areas to the map's, merging
// those already there from another operator's.
func (b *siteMapBuilder) addAreas(operator string, areas []inventory.Area) {
	if len(areas) == 0 {
		return
	}
	op := index(&b.m.Operators, b.opIndex, operator)
	for i := range areas {
		a := &areas[i]
		k := areaKey{id: a.ID, name: a.Name, category: a.Category, lon: round5(a.Lon), lat: round5(a.Lat), radiusM: math.Round(a.RadiusKm*1e6) / 1e3}
		ai, ok := b.areaIdx[k]
		if !ok {
			ai = len(b.m.Areas)
			b.areaIdx[k] = ai
			b.m.Areas = append(b.m.Areas, SiteMapArea{ID: k.id, Name: k.name, Category: k.category, Lon: k.lon, Lat: k.lat, RadiusM: k.radiusM, Operators: []int{}})
		}
		// An inventory's area ids are unique (Build refuses others), so
		// an operator meets each key once.
		b.m.Areas[ai].Operators = append(b.m.Areas[ai].Operators, op)
	}
}

func round5(v float64) float64 { return math.Round(v*1e5) / 1e5 }

// writeSiteMap writes the map of parts, from the cache of maps when it
// holds it: a run's findings and a snapshot never change, so neither does
// their map.
func (s *Server) writeSiteMap(w http.ResponseWriter, r *http.Request, parts []mapPart) error {
	var key strings.Builder
	for _, p := range parts {
		key.WriteString(p.operator + "\x00" + p.snapshot + "\x00")
		if p.run != nil {
			key.WriteString(p.run.ID)
		}
		key.WriteString("\x00")
	}
	body, ok := s.maps.get(key.String())
	if !ok {
		m, err := s.siteMap(r.Context(), parts)
		if err != nil {
			return err
		}
		if body, err = json.Marshal(m); err != nil {
			return err
		}
		s.maps.put(key.String(), body)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(body)
	return nil
}

// mapCache keeps the last few maps served, as JSON.
type mapCache struct {
	mu      sync.Mutex
	entries []mapEntry // most recently used last
}

type mapEntry struct {
	key  string
	body []byte
}

const mapCacheSize = 4

func (c *mapCache) get(key string) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, e := range c.entries {
		if e.key == key {
			c.entries = append(append(c.entries[:i:i], c.entries[i+1:]...), e)
			return e.body, true
		}
	}
	return nil, false
}

func (c *mapCache) put(key string, body []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.entries = append(c.entries, mapEntry{key, body})
	if len(c.entries) > mapCacheSize {
		c.entries = c.entries[1:]
	}
}

// siteMap builds the map of parts.
func (s *Server) siteMap(ctx context.Context, parts []mapPart) (*SiteMap, error) {
	b := newSiteMapBuilder()
	for _, p := range parts {
		inv, err := s.snapshots.load(ctx, s, p.operator, p.snapshot)
		if err != nil {
			return nil, err
		}
		var counts map[string]map[string]int
		planned := false
		if p.run != nil {
			planned = runIncludesPlanned(p.run)
			counts = map[string]map[string]int{}
			err := s.store.FindingStatusCounts(ctx, p.run.ID, store.GroupBySite, func(site, status string, n int) error {
				if counts[site] == nil {
					counts[site] = map[string]int{}
				}
				counts[site][status] = n
				return nil
			})
			if err != nil {
				return nil, err
			}
		}
		b.add(p, inv.inv, planned, counts)
	}
	return &b.m, nil
}

func runIncludesPlanned(r *store.Run) bool {
	var in runInputs
	json.Unmarshal([]byte(r.Inputs), &in) // the server wrote it; a run without the field counts no planned elements
	return in.IncludePlanned
}

func (s *Server) runSites(w http.ResponseWriter, r *http.Request, _ *caller) error {
	op := r.PathValue("op")
	run, err := s.store.Run(r.Context(), op, r.PathValue("run"))
	if err != nil {
		return err
	}
	return s.writeSiteMap(w, r, []mapPart{{operator: op, snapshot: run.Snapshot, run: &run}})
}

// nationalSites is the national map: every operator's sites in the
// snapshot valid on the date, coloured by the latest run on it.
func (s *Server) nationalSites(w http.ResponseWriter, r *http.Request, c *caller) error {
	national, err := s.nationalParts(r, c)
	if err != nil {
		return err
	}
	var parts []mapPart
	for _, p := range national {
		if p.snapshot != nil {
			parts = append(parts, mapPart{operator: p.operator.ID, snapshot: p.snapshot.ID, run: p.run})
		}
	}
	return s.writeSiteMap(w, r, parts)
}

// snapshotCache keeps the last few snapshots loaded for maps and site
// pages, with the routes of their traffic once asked for: a snapshot
// never changes, and reloading a national one takes seconds.
type snapshotCache struct {
	mu      sync.Mutex
	entries []*cachedSnapshot // most recently used last
}

const snapshotCacheSize = 4 // a national view: four operators

type cachedSnapshot struct {
	id    string        // operator and snapshot id
	ready chan struct{} // closed when inv or err is set
	inv   *inventory.Inventory
	err   error
	// routes are the shortest paths of the network's traffic (planned
	// elements left out), computed once asked for; routesMu guards them
	// and makes concurrent first requests compute them once.
	routesMu sync.Mutex
	routes   *exposure.Routes
}

// load returns operator's snapshot id from the cache, loading it (within
// the bound on concurrent runs) when absent. A failed load is not kept.
func (c *snapshotCache) load(ctx context.Context, s *Server, operator, id string) (*cachedSnapshot, error) {
	key := operator + "\x00" + id // a snapshot is read through its own operator only
	c.mu.Lock()
	for i, e := range c.entries {
		if e.id == key {
			c.entries = append(append(c.entries[:i:i], c.entries[i+1:]...), e)
			c.mu.Unlock()
			select {
			case <-e.ready:
			case <-ctx.Done():
				return nil, ctx.Err()
			}
			if e.err != nil {
				return nil, e.err
			}
			return e, nil
		}
	}
	e := &cachedSnapshot{id: key, ready: make(chan struct{})}
	c.entries = append(c.entries, e)
	if len(c.entries) > snapshotCacheSize {
		c.entries = c.entries[1:]
	}
	c.mu.Unlock()

	e.inv, e.err = s.loadBounded(ctx, operator, id)
	if e.err != nil {
		c.mu.Lock()
		c.entries = slices.DeleteFunc(c.entries, func(x *cachedSnapshot) bool { return x == e })
		c.mu.Unlock()
	}
	close(e.ready)
	return e, e.err
}

// loadBounded loads a snapshot within the bound on concurrent runs.
func (s *Server) loadBounded(ctx context.Context, operator, id string) (*inventory.Inventory, error) {
	select {
	case s.runs <- struct{}{}:
		defer func() { <-s.runs }()
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return s.loadSnapshot(ctx, operator, id)
}

// SiteDetail is one site of a run: its elements, the findings about it
// with the text and sources of their rules, and what its traffic
// depends on upstream.
type SiteDetail struct {
	Run      string        `json:"run"`
	Snapshot string        `json:"snapshot"`
	Site     SiteInfo      `json:"site"`
	Elements []SiteElement `json:"elements"`
	Findings []SiteFinding `json:"findings"`
	Upstream *SiteUpstream `json:"upstream"` // null: no radio traffic starts at the site
}

// SiteInfo is a site as the inventory describes it.
type SiteInfo struct {
	ID       string   `json:"id"`
	Name     string   `json:"name"`
	Operator string   `json:"operator"`
	Kind     string   `json:"kind"`
	Region   string   `json:"region"`
	Lat      float64  `json:"lat"`
	Lon      float64  `json:"lon"`
	Tags     []string `json:"tags"`
}

// SiteElement is an element at a site, directly or hosted there.
type SiteElement struct {
	ID           string   `json:"id"`
	Function     string   `json:"function"`
	Domain       string   `json:"domain"`
	Vendor       string   `json:"vendor"` // as written
	Group        string   `json:"group"`  // the vendor group it resolved to
	Designated   bool     `json:"designated"`
	Model        string   `json:"model"`
	Software     string   `json:"software"`
	Installed    *cf.Date `json:"installed"`
	Status       string   `json:"status"`
	Technologies []string `json:"technologies"`
	// Hosting is the chain of elements it runs on, nearest first.
	Hosting []string `json:"hosting"`
}

// SiteFinding is a finding with the rule it comes from.
type SiteFinding struct {
	Finding json.RawMessage `json:"finding"`
	// Rule is null when the pack has changed since the run.
	Rule *RuleText `json:"rule"`
}

// RuleText is what a rule says and rests on.
type RuleText struct {
	ID             string       `json:"id"`
	Title          string       `json:"title"`
	Citation       string       `json:"citation"`
	Interpretation string       `json:"interpretation"`
	Confidence     string       `json:"confidence"`
	Sources        []RuleSource `json:"sources"`
}

// RuleSource is a document a rule rests on.
type RuleSource struct {
	ID        string   `json:"id"`
	Title     string   `json:"title"`
	URL       string   `json:"url"`
	Published *cf.Date `json:"published"`
}

// SiteUpstream is where a site's traffic goes on its way to the core:
// the elements at other sites on its shortest paths (as the exposure
// engine routes it), with the share of the traffic each carries.
type SiteUpstream struct {
	Routed   bool              `json:"routed"` // false: no path reaches the operator's core
	Elements []UpstreamElement `json:"elements"`
}

// UpstreamElement is an element on a site's traffic paths.
type UpstreamElement struct {
	ID         string  `json:"id"`
	Site       string  `json:"site"`
	Function   string  `json:"function"`
	Group      string  `json:"group"`
	Designated bool    `json:"designated"`
	Share      float64 `json:"share"`     // of the site's traffic
	Cleartext  bool    `json:"cleartext"` // handles some of it in clear
}

func (s *Server) siteDetail(w http.ResponseWriter, r *http.Request, _ *caller) error {
	ctx, op := r.Context(), r.PathValue("op")
	run, err := s.store.Run(ctx, op, r.PathValue("run"))
	if err != nil {
		return err
	}
	cached, err := s.snapshots.load(ctx, s, op, run.Snapshot)
	if err != nil {
		return err
	}
	inv := cached.inv
	ref, ok := inv.Site(r.PathValue("site"))
	if !ok {
		return store.ErrNotFound
	}
	planned := runIncludesPlanned(&run)
	site := &inv.Sites[ref]
	out := SiteDetail{Run: run.ID, Snapshot: run.Snapshot, Elements: []SiteElement{}, Findings: []SiteFinding{},
		Site: SiteInfo{ID: site.ID, Name: site.Name, Operator: site.Operator, Kind: site.Kind, Region: site.Region,
			Lat: site.Lat, Lon: site.Lon, Tags: nonNil(site.Tags)}}
	for i := range inv.Elements {
		if e := &inv.Elements[i]; e.SiteRef == ref {
			out.Elements = append(out.Elements, siteElement(inv, e))
		}
	}

	rules, err := s.runRules(ctx, &run)
	if err != nil {
		return err
	}
	q := store.FindingSearch{Run: run.ID, Filter: store.FindingFilter{Site: site.ID}, Limit: 1000}
	for {
		fs, next, err := s.store.SearchFindings(ctx, q)
		if err != nil {
			return err
		}
		for _, f := range fs {
			out.Findings = append(out.Findings, SiteFinding{Finding: json.RawMessage(f.JSON), Rule: rules[f.Rule]})
		}
		if next == nil {
			break
		}
		q.After = next
	}

	routes, err := s.boundedRoutes(ctx, cached, planned)
	if err != nil {
		return err
	}
	flows, err := routes.SiteFlows(ctx, []inventory.Ref{ref}, func(x inventory.Ref) bool { return inv.Elements[x].SiteRef != ref })
	if err != nil {
		return err
	}
	if len(flows) == 1 {
		up := &SiteUpstream{Routed: flows[0].Routed, Elements: []UpstreamElement{}}
		for _, ef := range flows[0].Elements {
			e := &inv.Elements[ef.Element]
			g := &inv.Groups[e.Group]
			up.Elements = append(up.Elements, UpstreamElement{ID: e.ID, Site: inv.SiteID(e.SiteRef), Function: e.Function,
				Group: g.ID, Designated: g.Designated, Share: ef.Share, Cleartext: ef.Cleartext})
		}
		out.Upstream = up
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func siteElement(inv *inventory.Inventory, e *inventory.Element) SiteElement {
	g := &inv.Groups[e.Group]
	se := SiteElement{ID: e.ID, Function: e.Function, Domain: inv.Function(e).Domain.String(), Vendor: e.Vendor, Group: g.ID,
		Designated: g.Designated, Model: e.Model, Software: e.Software, Status: e.Status, Technologies: e.Tech.Names(), Hosting: []string{}}
	if !e.Installed.IsZero() {
		d := e.Installed
		se.Installed = &d
	}
	for h := e.HostRef; h != inventory.NoRef; h = inv.Elements[h].HostRef {
		se.Hosting = append(se.Hosting, inv.Elements[h].ID)
	}
	return se
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// runRules are the rules of a run's packs by id, when the packs are still
// the ones the run used (a replaced stored pack, or a built-in one of
// another version, gives none of its rules).
func (s *Server) runRules(ctx context.Context, run *store.Run) (map[string]*RuleText, error) {
	var in runInputs
	if err := json.Unmarshal([]byte(run.Inputs), &in); err != nil {
		return nil, err
	}
	out := map[string]*RuleText{}
	for _, used := range in.Packs {
		packs, now, err := s.openPacks(ctx, []string{used.ID})
		if isProblems(err) || isNotFound(err) {
			continue // gone since
		}
		if err != nil {
			return nil, err
		}
		if now[0] != used {
			continue
		}
		p := packs[0]
		for i := range p.Rules {
			rule := &p.Rules[i]
			rt := &RuleText{ID: rule.ID, Title: rule.Title, Citation: rule.Citation, Interpretation: rule.Interpretation,
				Confidence: rule.Confidence, Sources: []RuleSource{}}
			for _, src := range rule.Sources(p) {
				rs := RuleSource{ID: src.ID, Title: src.Title, URL: src.URL}
				if !src.Published.IsZero() {
					d := src.Published
					rs.Published = &d
				}
				rt.Sources = append(rt.Sources, rs)
			}
			out[rule.ID] = rt
		}
	}
	return out, nil
}

// boundedRoutes returns the snapshot's traffic routes: those kept, or
// computed within the bound on concurrent runs (and kept, unless planned
// elements count, which only the run that asked for them needs).
func (s *Server) boundedRoutes(ctx context.Context, c *cachedSnapshot, includePlanned bool) (*exposure.Routes, error) {
	if !includePlanned {
		c.routesMu.Lock()
		r := c.routes
		c.routesMu.Unlock()
		if r != nil {
			return r, nil
		}
	}
	select {
	case s.runs <- struct{}{}:
		defer func() { <-s.runs }()
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	routes := func() (*exposure.Routes, error) {
		g, err := exposure.NewGraph(c.inv, exposure.Options{IncludePlanned: includePlanned})
		if err != nil {
			return nil, err
		}
		return g.Routes(ctx)
	}
	if includePlanned {
		return routes()
	}
	c.routesMu.Lock()
	defer c.routesMu.Unlock()
	if c.routes == nil {
		r, err := routes()
		if err != nil {
			return nil, err // not kept: a cancelled request leaves them for the next
		}
		c.routes = r
	}
	return c.routes, nil
}
