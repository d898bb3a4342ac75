// Package vendor owns the registry of vendor corporate groups: which legal
// names, subsidiaries, brands and spellings belong to which group, which
// groups a government has designated as high-risk, and how a vendor string as
// written in an operator's inventory is resolved to a group. The built-in
// registry is the data file vendors.yaml, embedded in the binary; an
// inventory may add groups and aliases but never change a designation.
package vendor

import (
	"errors"
	"fmt"
	"hash/fnv"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"
)

// Group is a vendor corporate group.
type Group struct {
	ID         string   `json:"id"`         // slug, e.g. "huawei"
	Name       string   `json:"name"`       // display name, e.g. "Huawei"
	Country    string   `json:"country"`    // ISO 3166-1 alpha-2 code of the group's headquarters
	Designated bool     `json:"designated"` // named as high-risk by at least one government regime
	Aliases    []string `json:"aliases"`    // legal names, subsidiaries, brands and spellings, as written
	Note       string   `json:"note"`       // what the entry rests on (ownership, designation, divestments)
}

// Addition is a `vendors` record of an inventory: a new group, or more
// aliases for an existing one. Group names the corporate group the vendor
// belongs to and defaults to ID. An addition cannot designate a group: that
// is a fact about governments, kept in the built-in registry.
type Addition struct {
	ID, Name, Group, Country string
	Aliases                  []string
}

// MatchKind says how a vendor string was resolved.
type MatchKind uint8

// How a vendor string matched the registry.
const (
	Unknown MatchKind = iota // no group: the string is kept as its own group
	Exact                    // its normalised form is a group's id, name or alias
	Prefix                   // it starts with a group's alias, e.g. "Huawei Technologies Sweden"
	Token                    // it contains a designated group's distinctive word, e.g. "Shenzhen Zhongxing Microelectronics"
)

func (k MatchKind) String() string {
	switch k {
	case Exact:
		return "exact"
	case Prefix:
		return "prefix"
	case Token:
		return "token"
	}
	return "unknown"
}

// Match is the result of resolving a vendor string.
type Match struct {
	// Group is the group id; for an Unknown vendor, a stable slug made from
	// the normalised text, e.g. "acme-radio".
	Group string
	Kind  MatchKind
	// Alias is, for Exact and Prefix, the id, name or alias that matched, as
	// written in the registry; for Token, the distinctive word.
	Alias string
	// NearMiss is, for Unknown only, the id of the designated group the text
	// closely resembles ("Huawie" → "huawei", "China Telecom" → the
	// designated China Telecom (Americas)), or "".
	NearMiss string
}

// Registry maps vendor strings to corporate groups. Add must not be called
// concurrently with anything else; Resolve, Group and Groups are safe for
// concurrent use once the last Add has returned.
type Registry struct {
	groups map[string]*Group
	keys   map[string]key // Normalize(id, name or alias) → what it names
	near   []nearKey      // every key of 3+ letters, in registration order

	// Designated groups only, from the built-in data:
	tokens map[string]string // distinctive word (normalised) → group
	han    []distinctive     // distinctive words in Han script, matched inside words
	runs   map[string]string // first two words of a designated name of 3+ words → group
	// ambiguous are names (normalised) that may or may not be a
	// designated group ("ComNet"): never matched, always a near miss.
	ambiguous map[string]string
}

// distinctive is a word that names one designated group wherever it
// appears in a vendor string.
type distinctive struct {
	word, group string
}

type key struct {
	group  string
	alias  string // as written
	prefix bool   // may match the start of a longer name
}

type nearKey struct {
	runes      []rune
	group      string
	designated bool
}

// minPrefix is the length from which an alias may match the start of a
// longer name. Shorter ones ("ZTE", "NEC") do so only when the data says so,
// since most three-letter strings begin unrelated names.
const minPrefix = 4

func newRegistry() *Registry {
	return &Registry{groups: map[string]*Group{}, keys: map[string]key{}, tokens: map[string]string{}, runs: map[string]string{}, ambiguous: map[string]string{}}
}

// Add adds an inventory's vendor record: a new group named a.ID, or, when
// a.Group (or a.ID) names an existing group, more aliases for that group;
// a.ID and a.Name then become aliases too. It changes nothing and returns an
// error when the id is empty, a.Group differs from a.ID and does not exist,
// or a name or alias already belongs to another group — so an inventory can
// never take a subsidiary out of a designated group.
func (r *Registry) Add(a Addition) error {
	id := strings.TrimSpace(a.ID)
	if id == "" {
		return errors.New("vendor id is empty")
	}
	gid := strings.TrimSpace(a.Group)
	if gid == "" {
		gid = id
	}
	g := r.groups[gid]
	if g == nil && gid != id {
		return fmt.Errorf("group %q does not exist: give a built-in group id or define the group first", gid)
	}
	country := strings.ToUpper(strings.TrimSpace(a.Country))
	if country != "" && !isCountry(country) {
		return fmt.Errorf("country %q is not an ISO 3166-1 alpha-2 code", a.Country)
	}

	name := strings.TrimSpace(a.Name)
	if name == "" {
		name = id
	}
	names := make([]string, 0, 2+len(a.Aliases))
	names = append(names, id, name)
	for _, s := range a.Aliases {
		names = append(names, strings.TrimSpace(s))
	}
	for _, s := range names {
		k := Normalize(s)
		if k == "" {
			return fmt.Errorf("alias %q has no letters or digits", s)
		}
		if e, ok := r.keys[k]; ok && e.group != gid {
			return fmt.Errorf("%q is already a name of group %q (as %q)", s, e.group, e.alias)
		}
	}

	if g == nil {
		g = &Group{ID: gid, Name: name, Country: country}
		r.groups[gid] = g
	}
	for _, s := range names {
		if s != g.ID && s != g.Name && !slices.Contains(g.Aliases, s) {
			g.Aliases = append(g.Aliases, s)
		}
		r.register(g, s, false)
	}
	return nil
}

// register makes text a name of g. The caller has checked that no other
// group claims it; a key g already has keeps its first spelling.
func (r *Registry) register(g *Group, text string, prefixOK bool) {
	k := Normalize(text)
	prefix := prefixOK || utf8.RuneCountInString(k) >= minPrefix
	if e, ok := r.keys[k]; ok {
		if prefix && !e.prefix {
			e.prefix = true
			r.keys[k] = e
		}
		return
	}
	r.keys[k] = key{group: g.ID, alias: text, prefix: prefix}
	if runes := []rune(k); len(runes) >= 3 {
		r.near = append(r.near, nearKey{runes: runes, group: g.ID, designated: g.Designated})
	}
	if g.Designated {
		if w := strings.Fields(k); len(w) >= 3 {
			if _, taken := r.runs[w[0]+" "+w[1]]; !taken {
				r.runs[w[0]+" "+w[1]] = g.ID
			}
		}
	}
}

// Groups returns every group, sorted by id.
func (r *Registry) Groups() []Group {
	out := make([]Group, 0, len(r.groups))
	for _, g := range r.groups {
		out = append(out, copyGroup(g))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Group returns the group with the given id.
func (r *Registry) Group(id string) (Group, bool) {
	g, ok := r.groups[id]
	if !ok {
		return Group{}, false
	}
	return copyGroup(g), true
}

func copyGroup(g *Group) Group {
	c := *g
	c.Aliases = slices.Clone(g.Aliases)
	return c
}

// clone returns a deep copy, so that additions to it leave r alone.
func (r *Registry) clone() *Registry {
	c := &Registry{
		groups: make(map[string]*Group, len(r.groups)),
		keys:   make(map[string]key, len(r.keys)),
		near:   slices.Clone(r.near), // the rune slices are never written
		tokens: r.tokens,             // built-in data, never written after parse
		han:    r.han,
		runs:   r.runs,

		ambiguous: r.ambiguous,
	}
	for id, g := range r.groups {
		cg := copyGroup(g)
		c.groups[id] = &cg
	}
	for k, v := range r.keys {
		c.keys[k] = v
	}
	return c
}

// Resolve finds the group of a vendor string as written in an inventory,
// trying in turn:
//
//  1. Exact: its normalised form is a group's id, name or alias;
//  2. Prefix: it starts, in whole words, with an alias allowed to match
//     that way, the longest such alias winning ("Huawei Technologies
//     Sweden AB" → huawei);
//  3. the same two after leading Chinese place names, which company names
//     carry ("Shenzhen ZTE", "Hangzhou Hikvision Technology");
//  4. Token: it contains a designated group's distinctive word anywhere
//     ("Shenzhen Zhongxing Microelectronics" → zte, "深圳市华为技术" →
//     huawei);
//  5. otherwise Unknown, with NearMiss set when it looks like a designated
//     vendor: a misspelling, or the start of a designated name.
func (r *Registry) Resolve(raw string) Match {
	k := Normalize(raw)
	if q := normalizeQualified(raw); q != k {
		if e, ok := r.keys[q]; ok {
			return Match{Group: e.group, Kind: Exact, Alias: e.alias}
		}
	}
	if m, ok := r.lookup(k); ok {
		return m
	}
	bare := stripPlaces(k)
	if bare != k {
		if m, ok := r.lookup(bare); ok {
			return m
		}
	}
	if g, w := r.token(bare); g != "" {
		return Match{Group: g, Kind: Token, Alias: w}
	}
	return Match{Group: r.slug(k), Kind: Unknown, NearMiss: r.resembles(bare)}
}

// lookup tries k as an exact key, then its whole-word prefixes.
func (r *Registry) lookup(k string) (Match, bool) {
	if e, ok := r.keys[k]; ok {
		return Match{Group: e.group, Kind: Exact, Alias: e.alias}, true
	}
	// Normalised text is words joined by single spaces, so every
	// whole-word prefix ends just before a space; try the longest first.
	for i := len(k) - 1; i > 0; i-- {
		if k[i] != ' ' {
			continue
		}
		if e, ok := r.keys[k[:i]]; ok && e.prefix {
			return Match{Group: e.group, Kind: Prefix, Alias: e.alias}, true
		}
	}
	return Match{}, false
}

// token finds a designated group's distinctive word in k: a whole word,
// a word it starts ("huaweitech"; distinctive words of 5+ letters only),
// or, in Han script, which has no spaces, anywhere.
func (r *Registry) token(k string) (group, word string) {
	for _, w := range strings.Fields(k) {
		if g, ok := r.tokens[w]; ok {
			return g, w
		}
	}
	for _, w := range strings.Fields(k) {
		for n := len(w) - 1; n >= 5; n-- {
			if g, ok := r.tokens[w[:n]]; ok && utf8.ValidString(w[:n]) {
				return g, w[:n]
			}
		}
	}
	for _, d := range r.han {
		if strings.Contains(k, d.word) {
			return d.group, d.word
		}
	}
	return "", ""
}

// resembles returns the designated group an unknown name looks like: a
// near miss of one of its names (see nearMiss), by the whole name, its
// first word or any later word of 5+ letters ("Prama Hikvison India"),
// the first two words of one of its names of three or more words ("China
// Telecom Global" resembles China Telecom (Americas)), or a name that may
// or may not be it, as the first word ("ComNet"). "" if none.
func (r *Registry) resembles(k string) string {
	words := strings.Fields(k)
	if len(words) > 0 {
		if g, ok := r.ambiguous[words[0]]; ok {
			return g
		}
	}
	if g := r.nearMiss(k); g != "" {
		return g
	}
	if len(words) >= 2 {
		if g, ok := r.runs[words[0]+" "+words[1]]; ok {
			return g
		}
	}
	for i, w := range words {
		if i == 0 { // nearMiss has tried the first
			continue
		}
		if utf8.RuneCountInString(w) < 5 {
			continue
		}
		if _, known := r.keys[w]; known {
			continue // a word that is itself a vendor's name
		}
		if g := r.nearMiss(w); g != "" {
			return g
		}
	}
	return ""
}

// nearMiss returns the designated group whose names the text, or its first
// word, is within a small edit distance of — unless a trusted group's name
// is closer: "Ericson" is a misspelt Ericsson, not a near miss of anything.
// Between equally distant names the one sharing the longer start wins, as
// typing slips come late in a word more often than early ("Tektronics" is
// Tektronix, not Hytera's Teltronic); a remaining tie is reported ("ZTF" is
// as close to ZTE as to ZTT): a needless warning costs a glance, a missed
// one a wrong compliance answer.
func (r *Registry) nearMiss(k string) string {
	if k == "" {
		return ""
	}
	texts := [][]rune{[]rune(k)}
	if i := strings.IndexByte(k, ' '); i > 0 {
		texts = append(texts, []rune(k[:i]))
	}
	// score orders candidates: lower distance first, then longer shared start.
	score := func(d int, a, b []rune) int {
		shared := 0
		for shared < len(a) && shared < len(b) && a[shared] == b[shared] {
			shared++
		}
		return d<<16 - shared
	}
	const far = 1 << 30
	bestDesignated, bestOther, group := far, far, ""
	for _, nk := range r.near {
		for _, t := range texts {
			d, ok := near(t, nk.runes)
			if !ok {
				continue
			}
			switch s := score(d, t, nk.runes); {
			case !nk.designated:
				bestOther = min(bestOther, s)
			case s < bestDesignated || s == bestDesignated && nk.group < group:
				bestDesignated, group = s, nk.group
			}
		}
	}
	if group != "" && bestDesignated <= bestOther {
		return group
	}
	return ""
}

// near reports whether a and b are within the tolerated distance: one edit
// when the shorter has 3–5 letters, two from 6, none below 3. The first
// letter must agree: misspellings rarely change it, and requiring it keeps
// "Silicon Labs" from resembling "HiSilicon".
func near(a, b []rune) (int, bool) {
	short := min(len(a), len(b))
	tolerance := 2
	switch {
	case short < 3:
		return 0, false
	case short <= 5:
		tolerance = 1
	}
	if len(a)-len(b) > tolerance || len(b)-len(a) > tolerance || a[0] != b[0] {
		return 0, false
	}
	d := distance(a, b)
	return d, d <= tolerance
}

// slug makes the group id of an unknown vendor from its normalised text:
// words joined by '-', limited to [a-z0-9-]. Text with other letters
// (Cyrillic, Chinese …) gets a hash of the whole text appended, so that two
// different names never share a slug because their ASCII parts agree.
func (r *Registry) slug(k string) string {
	var b strings.Builder
	lossy, gap := false, false
	for _, c := range k {
		switch {
		case 'a' <= c && c <= 'z' || '0' <= c && c <= '9':
			if gap && b.Len() > 0 {
				b.WriteByte('-')
			}
			gap = false
			b.WriteRune(c)
		case c == ' ':
			gap = true
		default:
			lossy, gap = true, true
		}
	}
	s := b.String()
	// A slug equal to a group id cannot come from ASCII text (that text
	// would have matched the id), but guard against it all the same.
	if _, taken := r.groups[s]; lossy || s == "" || taken {
		h := fnv.New32a()
		h.Write([]byte(k))
		if s != "" {
			s += "-"
		}
		s += fmt.Sprintf("%08x", h.Sum32())
	}
	return s
}

func isCountry(s string) bool {
	return len(s) == 2 && 'A' <= s[0] && s[0] <= 'Z' && 'A' <= s[1] && s[1] <= 'Z'
}
