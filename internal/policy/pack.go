// Package policy owns policy packs — the rules of each high-risk-vendor
// regime, with their dates, scopes and sources — and the check that
// evaluates them against an inventory as of a date. The built-in packs are
// YAML files embedded in the binary; users may load their own, which are
// validated the same way.
package policy

import (
	"fmt"
	"regexp"
	"strings"

	cf "github.com/corefence/corefence"
	"github.com/corefence/corefence/internal/tree"
)

// Rule kinds.
const (
	KindExclude         = "exclude"
	KindExcludeAtSites  = "exclude-at-sites"
	KindShareCap        = "share-cap"
	KindInstallationBan = "installation-ban"
	KindDiversity       = "diversity"
	KindFlow            = "flow"
)

var (
	ruleKinds     = []string{KindExclude, KindExcludeAtSites, KindShareCap, KindInstallationBan, KindDiversity, KindFlow}
	packKinds     = []string{"regulation", "guidance", "scenario"}
	packStatuses  = []string{"in-force", "superseded", "proposal"}
	severities    = []string{"critical", "high", "medium", "low", "info"}
	confidences   = []string{"confirmed", "secondary", "interpreted"}
	shareMetrics  = []string{"sites", "traffic", "premises"}
	siteTagsKnown = []string{"national-security", "cni-safety"}
	slugRE        = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`)
	paramRefRE    = regexp.MustCompile(`^\{([a-z0-9_]+)\}$`)
)

// Ranges of a rule's numbers beyond which no regime could mean them.
const (
	// MaxBufferKm is the largest buffer_km: half the Earth's circumference,
	// past which every site is in every area.
	MaxBufferKm = 20_038
	// MaxMinVendors is the largest min_vendors.
	MaxMinVendors = 1000
)

// Pack is a policy pack: one regime, or one policy option, as rules.
type Pack struct {
	ID           string      `yaml:"id,required"`
	Title        string      `yaml:"title,required"`
	Version      string      `yaml:"version"`
	Jurisdiction string      `yaml:"jurisdiction"`
	Kind         string      `yaml:"kind,required"`
	Status       string      `yaml:"status,required"`
	Published    cf.Date     `yaml:"published"`
	Summary      string      `yaml:"summary"`
	Designated   []string    `yaml:"designated,required"`
	Parameters   []Parameter `yaml:"parameters"`
	Sources      []Source    `yaml:"sources"`
	Rules        []Rule      `yaml:"rules,required"`
	Pos          cf.Position

	// Builtin is set for the packs embedded in corefence.
	Builtin bool
}

// Source is a document a pack's rules rest on.
type Source struct {
	ID        string  `yaml:"id,required"`
	Title     string  `yaml:"title,required"`
	URL       string  `yaml:"url"` // empty when the source is a print or paywalled article with no stable address
	Published cf.Date `yaml:"published"`
	Pos       cf.Position
}

// Parameter is a value a user may set when the source leaves it open, such
// as the US removal deadline.
type Parameter struct {
	Name        string  `yaml:"name,required"`
	Type        string  `yaml:"type,required"`
	Default     cf.Date `yaml:"default,required"`
	Description string  `yaml:"description"`
	Pos         cf.Position

	// Value is the value in use: Default unless the user set one.
	Value cf.Date
}

// Scope selects the elements a rule applies to; every list given must match.
type Scope struct {
	Domains      []string `yaml:"domains"`
	Functions    []string `yaml:"functions"`
	Technologies []string `yaml:"technologies"`
	Pos          cf.Position
}

// Rule is one requirement of a pack.
type Rule struct {
	LocalID        string       `yaml:"id,required"`
	Title          string       `yaml:"title,required"`
	Kind           string       `yaml:"kind,required"`
	Severity       string       `yaml:"severity"`
	EffectiveText  string       `yaml:"effective,required"`
	Scope          Scope        `yaml:"scope"`
	Citation       string       `yaml:"citation"`
	SourceIDs      []string     `yaml:"sources"`
	Confidence     string       `yaml:"confidence"`
	Interpretation string       `yaml:"interpretation"`
	SiteTags       []string     `yaml:"site_tags"`
	AreaCategories []string     `yaml:"area_categories"`
	BufferKm       float64      `yaml:"buffer_km"`
	Metrics        []string     `yaml:"metrics"`
	Cap            *cf.Quantity `yaml:"cap"`
	InstalledText  string       `yaml:"installed_after"`
	MinVendors     int          `yaml:"min_vendors"`
	MaxShare       *cf.Quantity `yaml:"max_share"`
	InClear        bool         `yaml:"in_clear"`
	Where          string       `yaml:"where"`
	Pos            cf.Position

	// Set when the pack loads.
	ID             string  // "<pack>/<rule>"
	Effective      cf.Date // the date the rule is in force from
	InstalledAfter cf.Date // installation-ban: installs after this date violate
	where          *whereProgram
}

// Sources returns the sources the rule cites.
func (r *Rule) Sources(p *Pack) []Source {
	var out []Source
	for _, id := range r.SourceIDs {
		for _, s := range p.Sources {
			if s.ID == id {
				out = append(out, s)
			}
		}
	}
	return out
}

// LoadFile reads and validates a pack file under the default limits.
func LoadFile(path string) (*Pack, error) {
	return LoadFileWith(path, cf.DefaultLimits())
}

// LoadFileWith reads and validates a pack file under lim: the file's size,
// aliases and nesting, and the cost and time of its `where:` predicates.
func LoadFileWith(path string, lim cf.Limits) (*Pack, error) {
	root, err := tree.ReadFileWith(path, "no such policy pack file (and no built-in pack of that id; see `corefence policies`)", lim)
	if err != nil {
		return nil, err
	}
	return decodePack(root, lim)
}

// Parse reads and validates a pack from YAML or JSON data under the
// default limits; file names it in errors.
func Parse(file string, data []byte) (*Pack, error) {
	return ParseWith(file, data, cf.DefaultLimits())
}

// ParseWith is Parse under lim.
func ParseWith(file string, data []byte, lim cf.Limits) (*Pack, error) {
	if int64(len(data)) > lim.ConfigBytes {
		return nil, cf.Problem{Pos: cf.Position{File: file}, Message: lim.Exceeded("config-bytes", fmt.Sprintf("pack holds more than %d bytes", lim.ConfigBytes))}
	}
	root, err := tree.ParseWith(file, data, lim)
	if err != nil {
		return nil, err
	}
	return decodePack(root, lim)
}

func decodePack(root *tree.Node, lim cf.Limits) (*Pack, error) {
	probs := &cf.Problems{}
	p := &Pack{}
	tree.Decode(root, p, "pack", probs)
	if probs.Len() == 0 {
		p.validate(probs)
	}
	if err := probs.Err(); err != nil {
		return nil, err
	}
	p.setLimits(lim)
	return p, nil
}

// setLimits bounds the cost and time of the pack's predicates.
func (p *Pack) setLimits(lim cf.Limits) {
	for i := range p.Rules {
		if w := p.Rules[i].where; w != nil {
			w.setLimits(lim) // compiled once already: cannot fail
		}
	}
}

func oneOf(probs *cf.Problems, pos cf.Position, section, id, field, v string, valid []string) bool {
	for _, ok := range valid {
		if v == ok {
			return true
		}
	}
	msg := fmt.Sprintf("%q is not one of %s", v, strings.Join(valid, ", "))
	if s := tree.Suggest(v, valid); s != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", s)
	}
	probs.Add(cf.Problem{Pos: pos, Section: section, ID: id, Field: field, Message: msg})
	return false
}

func (p *Pack) validate(probs *cf.Problems) {
	if !slugRE.MatchString(p.ID) {
		probs.Addf(p.Pos, "pack", p.ID, "id", "must be a slug: lower-case letters, digits, '.', '_' or '-'")
	}
	oneOf(probs, p.Pos, "pack", p.ID, "kind", p.Kind, packKinds)
	oneOf(probs, p.Pos, "pack", p.ID, "status", p.Status, packStatuses)
	if len(p.Designated) == 0 {
		probs.Addf(p.Pos, "pack", p.ID, "designated", "name at least one vendor group")
	}
	params := map[string]*Parameter{}
	for i := range p.Parameters {
		prm := &p.Parameters[i]
		if prm.Type != "date" {
			probs.Addf(prm.Pos, "parameters", prm.Name, "type", "%q is not a parameter type; only date exists", prm.Type)
		}
		if params[prm.Name] != nil {
			probs.Addf(prm.Pos, "parameters", prm.Name, "name", "duplicate parameter")
		}
		prm.Value = prm.Default
		params[prm.Name] = prm
	}
	sources := map[string]bool{}
	for _, s := range p.Sources {
		if sources[s.ID] {
			probs.Addf(s.Pos, "sources", s.ID, "id", "duplicate source id")
		}
		sources[s.ID] = true
		if s.URL != "" && !strings.HasPrefix(s.URL, "https://") && !strings.HasPrefix(s.URL, "http://") {
			probs.Addf(s.Pos, "sources", s.ID, "url", "%q is not an http(s) URL", s.URL)
		}
	}
	if len(p.Rules) == 0 {
		probs.Addf(p.Pos, "pack", p.ID, "rules", "a pack without rules would pass every inventory; write at least one rule")
	}
	ruleIDs := map[string]bool{}
	for i := range p.Rules {
		r := &p.Rules[i]
		r.ID = p.ID + "/" + r.LocalID
		if ruleIDs[r.LocalID] {
			probs.Addf(r.Pos, "rules", r.LocalID, "id", "duplicate rule id")
		}
		ruleIDs[r.LocalID] = true
		if !slugRE.MatchString(r.LocalID) {
			probs.Addf(r.Pos, "rules", r.LocalID, "id", "must be a slug: lower-case letters, digits, '.', '_' or '-'")
		}
		r.validate(p, params, sources, probs)
	}
}

// dateOrParam resolves a rule date written YYYY-MM-DD or "{parameter}".
func dateOrParam(text string, params map[string]*Parameter) (cf.Date, error) {
	if m := paramRefRE.FindStringSubmatch(text); m != nil {
		prm, ok := params[m[1]]
		if !ok {
			return 0, fmt.Errorf("unknown parameter %q", m[1])
		}
		return prm.Value, nil
	}
	return cf.ParseDate(text)
}

func (r *Rule) validate(p *Pack, params map[string]*Parameter, sources map[string]bool, probs *cf.Problems) {
	sec, id := "rules", r.LocalID
	bad := func(field, format string, args ...any) { probs.Addf(r.Pos, sec, id, field, format, args...) }
	if !oneOf(probs, r.Pos, sec, id, "kind", r.Kind, ruleKinds) {
		return
	}
	if r.Severity == "" {
		r.Severity = "high"
	} else {
		oneOf(probs, r.Pos, sec, id, "severity", r.Severity, severities)
	}
	if r.Confidence != "" {
		oneOf(probs, r.Pos, sec, id, "confidence", r.Confidence, confidences)
	}
	if r.Confidence == "interpreted" && r.Interpretation == "" {
		bad("interpretation", "an interpreted rule must say how its source was read")
	}
	effErr, instErr := r.resolveDates(params)
	if effErr != nil {
		bad("effective", "%v", effErr)
	}
	if instErr != nil {
		bad("installed_after", "%v", instErr)
	}
	for _, s := range r.SourceIDs {
		if !sources[s] {
			bad("sources", "unknown source %q (define it under the pack's sources)", s)
		}
	}
	r.Scope.validate(r, probs)

	has := func(field string, present bool) {
		if present {
			bad(field, "does not apply to %s rule", withArticle(r.Kind))
		}
	}
	if r.Kind != KindExcludeAtSites && r.Kind != KindFlow {
		has("site_tags", len(r.SiteTags) > 0)
		has("area_categories", len(r.AreaCategories) > 0)
		has("buffer_km", r.BufferKm != 0)
	}
	if r.Kind != KindShareCap {
		has("metrics", len(r.Metrics) > 0)
		has("cap", r.Cap != nil)
	}
	if r.Kind != KindInstallationBan {
		has("installed_after", r.InstalledText != "")
	}
	if r.Kind != KindDiversity {
		has("min_vendors", r.MinVendors != 0)
		has("max_share", r.MaxShare != nil)
	}
	if r.Kind != KindFlow {
		has("in_clear", r.InClear)
	}
	switch r.Kind {
	case KindExcludeAtSites, KindFlow:
		if len(r.SiteTags) == 0 && len(r.AreaCategories) == 0 {
			bad("site_tags", "%s rule needs site_tags, area_categories or both", withArticle(r.Kind))
		}
		for _, c := range r.AreaCategories {
			oneOf(probs, r.Pos, sec, id, "area_categories", c, []string{"military", "nuclear", "government", "cni", "other"})
		}
		if !(r.BufferKm >= 0 && r.BufferKm <= MaxBufferKm) { // NaN fails both
			bad("buffer_km", "%v is not between 0 and %v km", r.BufferKm, MaxBufferKm)
		}
	case KindShareCap:
		if len(r.Metrics) == 0 {
			bad("metrics", "name at least one of %s", strings.Join(shareMetrics, ", "))
		}
		for _, m := range r.Metrics {
			oneOf(probs, r.Pos, sec, id, "metrics", m, shareMetrics)
		}
		if r.Cap == nil {
			bad("cap", "missing: the largest allowed share, e.g. 0.35")
		} else if *r.Cap < 0 || *r.Cap > cf.QuantityFromInt(1) {
			bad("cap", "%s is not a share between 0 and 1", r.Cap)
		}
	case KindDiversity:
		if r.MinVendors < 0 || r.MinVendors > MaxMinVendors {
			bad("min_vendors", "%d is not between 0 and %d", r.MinVendors, MaxMinVendors)
		}
		if r.MaxShare != nil && (*r.MaxShare <= 0 || *r.MaxShare > cf.QuantityFromInt(1)) {
			bad("max_share", "%s is not a share above 0 and at most 1", r.MaxShare)
		}
		if r.MinVendors == 0 && r.MaxShare == nil {
			bad("min_vendors", "a diversity rule needs min_vendors, max_share or both")
		}
	}
	if r.Where != "" {
		prog, err := compileWhere(r.Where, cf.DefaultLimits())
		if err != nil {
			bad("where", "%v", err)
		}
		r.where = prog
	}
}

func (s *Scope) validate(r *Rule, probs *cf.Problems) {
	for _, d := range s.Domains {
		if _, ok := cf.ParseDomain(d); !ok {
			oneOf(probs, r.Pos, "rules", r.LocalID, "scope.domains", d, cf.DomainNames())
		}
	}
	for _, t := range s.Technologies {
		if _, ok := cf.ParseTech(t); !ok {
			oneOf(probs, r.Pos, "rules", r.LocalID, "scope.technologies", t, cf.TechNames())
		}
	}
	// Function ids are checked against the inventory's catalogue at check
	// time, since an inventory may define functions of its own.
}

// resolveDates sets the rule's dates from their text, which may name a
// parameter.
func (r *Rule) resolveDates(params map[string]*Parameter) (effErr, instErr error) {
	r.Effective, effErr = dateOrParam(r.EffectiveText, params)
	r.InstalledAfter = r.Effective
	if r.InstalledText != "" {
		r.InstalledAfter, instErr = dateOrParam(r.InstalledText, params)
	}
	return effErr, instErr
}

// SetParam sets a parameter's value and the dates of the rules that use it.
func (p *Pack) SetParam(name string, value cf.Date) error {
	params := map[string]*Parameter{}
	for i := range p.Parameters {
		params[p.Parameters[i].Name] = &p.Parameters[i]
	}
	prm, ok := params[name]
	if !ok {
		var names []string
		for _, prm := range p.Parameters {
			names = append(names, prm.Name)
		}
		if len(names) == 0 {
			return fmt.Errorf("pack %s has no parameters", p.ID)
		}
		return fmt.Errorf("pack %s has no parameter %q (it has: %s)", p.ID, name, strings.Join(names, ", "))
	}
	prm.Value = value
	for i := range p.Rules {
		p.Rules[i].resolveDates(params) // the texts were checked when the pack loaded
	}
	return nil
}

func withArticle(word string) string {
	if strings.ContainsRune("aeiou", rune(word[0])) {
		return "an " + word
	}
	return "a " + word
}
