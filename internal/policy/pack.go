// Package policy owns policy packs — the rules of each high-risk-vendor
// regime, with their dates, scopes and sources — and the check that
// evaluates them against an inventory as of a date. The built-in packs are
// YAML files embedded in the binary; users may load their own, which are
// validated the same way.
package policy

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"

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
	confidences   = []string{"confirmed", "secondary", "interpreted", "draft"}
	dateBases     = []string{DateStated, DateConstructed}
	shareMetrics  = []string{"sites", "traffic", "premises"}
	siteTagsKnown = []string{"national-security", "cni-safety"}
	// The patterns are compiled on first use: every command starts the
	// binary, and most never validate a pack.
	slugRE     = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`) })
	paramRefRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^\{([a-z0-9_]+)\}$`) })
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
	ID           string  `yaml:"id,required"`
	Title        string  `yaml:"title,required"`
	Version      string  `yaml:"version"`
	Jurisdiction string  `yaml:"jurisdiction"`
	Kind         string  `yaml:"kind,required"`
	Status       string  `yaml:"status,required"`
	Published    cf.Date `yaml:"published"`
	Summary      string  `yaml:"summary"`
	// Binding says whether the pack binds operators (a law, a direction, a
	// licence condition) or not (advice, announced policy, a leaked
	// position, a scenario). Absent, a regulation binds and guidance and
	// scenarios do not; see Binds.
	Binding *bool `yaml:"binding"`
	// BindingNote says in a few words why the pack does not bind, for the
	// reason advisory findings give.
	BindingNote string      `yaml:"binding_note"`
	Designated  []string    `yaml:"designated,required"`
	Parameters  []Parameter `yaml:"parameters"`
	Sources     []Source    `yaml:"sources"`
	Rules       []Rule      `yaml:"rules,required"`
	Pos         cf.Position

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
// as the US removal deadline. A parameter with no default is unknown until
// the user sets it, and the rules whose dates use it are unmeasured until
// then; a default is a date corefence constructed, never one a source
// gives, so the rules using it are advisory.
type Parameter struct {
	Name        string  `yaml:"name,required"`
	Type        string  `yaml:"type,required"`
	Default     cf.Date `yaml:"default"`
	Description string  `yaml:"description"`
	// Attribute names an element attribute (a YYYY-MM-DD text) that, where
	// an element carries it, sets the parameter for that element alone:
	// dates that differ per element or per operator, such as the end of
	// each French authorisation.
	Attribute string `yaml:"attribute"`
	Pos       cf.Position

	// Value is the value in use: Default unless the user set one; zero
	// when neither is given.
	Value cf.Date
	// Set reports whether the user set Value.
	Set bool
	// ByOperator holds values set for one operator each (parameters with
	// an Attribute only): they come after an element's attribute and
	// before Value.
	ByOperator map[string]cf.Date
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
	LocalID        string         `yaml:"id,required"`
	Title          string         `yaml:"title,required"`
	Kind           string         `yaml:"kind,required"`
	Severity       string         `yaml:"severity"`
	EffectiveText  string         `yaml:"effective"` // in force from this day on
	ByText         string         `yaml:"by"`        // a deadline "by D": D is the last day that complies
	Binding        *bool          `yaml:"binding"`   // false: the rule does not bind although its pack does
	BindingNote    string         `yaml:"binding_note"`
	DateBasis      string         `yaml:"date_basis"` // stated (default) or constructed
	Vendors        []string       `yaml:"vendors"`    // the designated groups the rule concerns; default all
	RestrictedUse  *RestrictedUse `yaml:"restricted_use"`
	Scope          Scope          `yaml:"scope"`
	Citation       string         `yaml:"citation"`
	SourceIDs      []string       `yaml:"sources"`
	Confidence     string         `yaml:"confidence"`
	Interpretation string         `yaml:"interpretation"`
	SiteTags       []string       `yaml:"site_tags"`
	AreaCategories []string       `yaml:"area_categories"`
	BufferKm       float64        `yaml:"buffer_km"`
	Metrics        []string       `yaml:"metrics"`
	Cap            *cf.Quantity   `yaml:"cap"`
	InstalledText  string         `yaml:"installed_after"`
	MinVendors     int            `yaml:"min_vendors"`
	MaxShare       *cf.Quantity   `yaml:"max_share"`
	InClear        bool           `yaml:"in_clear"`
	Where          string         `yaml:"where"`
	Pos            cf.Position

	// Set when the pack loads.
	ID             string  // "<pack>/<rule>"
	Effective      cf.Date // the date the rule is in force from; zero while a parameter it needs is unset
	DueBy          cf.Date // a "by" rule's deadline: the day before Effective; zero for other rules
	InstalledAfter cf.Date // installation-ban: installs after this date violate
	where          *whereProgram
	dateParam      *Parameter // the parameter the rule's date comes from, if any
}

// RestrictedUse limits a rule, for some designated groups, to the uses
// the source restricts: an element of such a group is in scope when its
// site carries one of SiteTags or the element's Attribute is true, out of
// scope when the attribute is false, and unmeasured when neither says.
type RestrictedUse struct {
	Vendors     []string `yaml:"vendors,required"`
	SiteTags    []string `yaml:"site_tags"`
	Attribute   string   `yaml:"attribute"`
	Description string   `yaml:"description,required"` // the restricted uses, in words
	Pos         cf.Position
}

// Date bases.
const (
	DateStated      = "stated"      // the source gives the date (read as written, e.g. "end of 2027" as 31 December)
	DateConstructed = "constructed" // the source gives none; corefence supplies one
)

// Basis says how firmly a rule binds: whether a finding of it in force is a
// violation (binding) or advisory, how sure its reading is, and why it
// does not bind.
type Basis struct {
	Binding    bool   `json:"binding"`
	Confidence string `json:"confidence"`
	Date       string `json:"date"`   // stated or constructed
	Reason     string `json:"reason"` // why it does not bind; "" when it binds
}

// Binds reports whether the pack binds operators: its binding field, or
// else whether it is a regulation.
func (p *Pack) Binds() bool {
	if p.Binding != nil {
		return *p.Binding
	}
	return p.Kind == "regulation"
}

// Basis returns how firmly rule r of pack p binds. A rule binds when its
// pack binds, it is not marked binding: false, it is not a draft, and its
// date is not one corefence constructed.
func (r *Rule) Basis(p *Pack) Basis { return r.basis(p, r.dateBasis()) }

// basis is Basis with the date's basis given, for a date an element sets.
func (r *Rule) basis(p *Pack, date string) Basis {
	b := Basis{Binding: true, Confidence: r.Confidence, Date: date}
	var why []string
	if !p.Binds() {
		note := p.BindingNote
		if note == "" {
			note = fmt.Sprintf("%s is %s", p.ID, withArticle(p.Kind))
		}
		why = append(why, "not binding: "+note)
	} else if r.Binding != nil && !*r.Binding {
		note := r.BindingNote
		if note == "" {
			note = "the rule is marked not binding"
		}
		why = append(why, "not binding: "+note)
	}
	if r.Confidence == "draft" {
		why = append(why, "draft: the requirement is known only from a draft or consultation")
	}
	if b.Date == DateConstructed {
		if prm := r.dateParam; prm != nil && !prm.Set {
			why = append(why, fmt.Sprintf("constructed date: %s is the default of parameter %s, not a date any source gives", prm.Value, prm.Name))
		} else {
			why = append(why, "constructed date: the source gives no date; corefence supplies one")
		}
	}
	if len(why) > 0 {
		b.Binding, b.Reason = false, strings.Join(why, "; ")
	}
	return b
}

func (r *Rule) dateBasis() string {
	if prm := r.dateParam; prm != nil {
		if prm.Set {
			return DateStated
		}
		if !prm.Value.IsZero() {
			return DateConstructed
		}
	}
	if r.DateBasis == "" {
		return DateStated
	}
	return r.DateBasis
}

// Deadline is the date a plan must meet the rule by: a "by" rule's DueBy,
// else the day it comes into force. Zero while its date is unset.
func (r *Rule) Deadline() cf.Date {
	if !r.DueBy.IsZero() {
		return r.DueBy
	}
	return r.Effective
}

// UnsetParam returns the parameter the rule's date needs and nobody set
// (it has no default), or nil.
func (r *Rule) UnsetParam() *Parameter {
	if prm := r.dateParam; prm != nil && prm.Value.IsZero() {
		return prm
	}
	return nil
}

// DateAttribute returns the element attribute that may set the rule's
// date per element, or "".
func (r *Rule) DateAttribute() string {
	if r.dateParam != nil {
		return r.dateParam.Attribute
	}
	return ""
}

// Concerns reports whether the rule concerns vendor group id: every
// designated group, or those its vendors field names.
func (r *Rule) Concerns(id string) bool {
	return len(r.Vendors) == 0 || slices.Contains(r.Vendors, id)
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
	if !slugRE().MatchString(p.ID) {
		probs.Addf(p.Pos, "pack", p.ID, "id", "must be a slug: lower-case letters, digits, '.', '_' or '-'")
	}
	oneOf(probs, p.Pos, "pack", p.ID, "kind", p.Kind, packKinds)
	oneOf(probs, p.Pos, "pack", p.ID, "status", p.Status, packStatuses)
	if p.Kind == "scenario" && p.Binding != nil && *p.Binding {
		probs.Addf(p.Pos, "pack", p.ID, "binding", "a scenario cannot bind: it models a policy option, not a rule in force")
	}
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
		if prm.Attribute != "" && !slugRE().MatchString(prm.Attribute) {
			probs.Addf(prm.Pos, "parameters", prm.Name, "attribute", "must be an attribute name: lower-case letters, digits, '.', '_' or '-'")
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
		if !slugRE().MatchString(r.LocalID) {
			probs.Addf(r.Pos, "rules", r.LocalID, "id", "must be a slug: lower-case letters, digits, '.', '_' or '-'")
		}
		r.validate(p, params, sources, probs)
	}
}

// dateOrParam resolves a rule date written YYYY-MM-DD or "{parameter}",
// and returns the parameter it names, if any.
func dateOrParam(text string, params map[string]*Parameter) (cf.Date, *Parameter, error) {
	if m := paramRefRE().FindStringSubmatch(text); m != nil {
		prm, ok := params[m[1]]
		if !ok {
			return 0, nil, fmt.Errorf("unknown parameter %q", m[1])
		}
		return prm.Value, prm, nil
	}
	d, err := cf.ParseDate(text)
	return d, nil, err
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
	switch {
	case r.EffectiveText == "" && r.ByText == "":
		bad("effective", "missing: give effective (in force from that day) or by (a deadline: that day is the last that complies)")
	case r.EffectiveText != "" && r.ByText != "":
		bad("by", "give effective or by, not both")
	}
	if r.DateBasis != "" {
		oneOf(probs, r.Pos, sec, id, "date_basis", r.DateBasis, dateBases)
	}
	if r.Binding != nil && *r.Binding && !p.Binds() {
		bad("binding", "a rule cannot bind when its pack does not")
	}
	for _, v := range r.Vendors {
		if !slices.Contains(p.Designated, v) {
			bad("vendors", "%q is not among the pack's designated groups (%s)", v, strings.Join(p.Designated, ", "))
		}
	}
	if u := r.RestrictedUse; u != nil {
		switch r.Kind {
		case KindExclude, KindExcludeAtSites, KindInstallationBan:
		default:
			bad("restricted_use", "does not apply to %s rule (only to rules with one finding per element)", withArticle(r.Kind))
		}
		for _, v := range u.Vendors {
			if !slices.Contains(p.Designated, v) {
				bad("restricted_use.vendors", "%q is not among the pack's designated groups (%s)", v, strings.Join(p.Designated, ", "))
			}
		}
		if len(u.SiteTags) == 0 && u.Attribute == "" {
			bad("restricted_use.site_tags", "name the site tags, or the element attribute, that say a use is restricted")
		}
	}
	effErr, instErr := r.resolveDates(params)
	if effErr != nil {
		field := "effective"
		if r.ByText != "" {
			field = "by"
		}
		bad(field, "%v", effErr)
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
	r.DueBy = 0
	if r.ByText != "" {
		r.DueBy, r.dateParam, effErr = dateOrParam(r.ByText, params)
		r.Effective = 0
		if !r.DueBy.IsZero() {
			r.Effective = r.DueBy.AddDays(1) // a deadline "by D" is met on D itself
		}
	} else if r.EffectiveText != "" {
		r.Effective, r.dateParam, effErr = dateOrParam(r.EffectiveText, params)
	}
	r.InstalledAfter = r.Effective
	if r.InstalledText != "" {
		var prm *Parameter
		r.InstalledAfter, prm, instErr = dateOrParam(r.InstalledText, params)
		if r.dateParam == nil {
			r.dateParam = prm
		}
	}
	return effErr, instErr
}

// SetOperatorParam sets a per-element parameter (one with an attribute)
// for the elements of one operator.
func (p *Pack) SetOperatorParam(name, operator string, value cf.Date) error {
	for i := range p.Parameters {
		prm := &p.Parameters[i]
		if prm.Name != name {
			continue
		}
		if prm.Attribute == "" {
			return fmt.Errorf("parameter %s of pack %s is one date for every element; it cannot be set per operator", name, p.ID)
		}
		if prm.ByOperator == nil {
			prm.ByOperator = map[string]cf.Date{}
		}
		prm.ByOperator[operator] = value
		return nil
	}
	return p.SetParam(name, value) // reports the unknown name
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
	prm.Value, prm.Set = value, true
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
