package vendor

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"unicode"

	"go.yaml.in/yaml/v3"
)

//go:embed vendors.yaml
var vendorsYAML []byte

// builtin is parsed once; Builtin hands out copies, so that one inventory's
// additions never leak into another's registry.
var builtin struct {
	once sync.Once
	reg  *Registry
	err  error
}

// Builtin returns a fresh copy of the built-in registry, read from the
// embedded vendors.yaml. It panics only if that file is broken, which a test
// guards against.
func Builtin() *Registry {
	builtin.once.Do(func() { builtin.reg, builtin.err = parse(vendorsYAML) })
	if builtin.err != nil {
		panic("vendor: embedded vendors.yaml: " + builtin.err.Error())
	}
	return builtin.reg.clone()
}

// fileGroup is one group in vendors.yaml.
type fileGroup struct {
	ID         string   `yaml:"id"`
	Name       string   `yaml:"name"`
	Country    string   `yaml:"country"`
	Designated bool     `yaml:"designated"`
	Note       string   `yaml:"note"`      // the basis for the entry; documentation only
	Prefix     []string `yaml:"prefix"`    // short names allowed to match the start of a longer name
	Tokens     []string `yaml:"tokens"`    // designated groups: words that name the group wherever they appear
	Ambiguous  []string `yaml:"ambiguous"` // designated groups: one-word names that may or may not be the group
	Aliases    []string `yaml:"aliases"`
}

// han reports whether s has a letter in Han script, which is written
// without spaces between words.
func han(s string) bool {
	for _, c := range s {
		if unicode.Is(unicode.Han, c) {
			return true
		}
	}
	return false
}

// slugPattern is compiled on first use, with the registry.
var slugPattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`) })

// parse reads a registry file, rejecting anything a maintainer could get
// wrong: unknown fields, missing or malformed fields, duplicate ids or
// aliases, a name claimed by two groups, and prefix entries that are not
// short names of their group.
func parse(data []byte) (*Registry, error) {
	var f struct {
		Groups []fileGroup `yaml:"groups"`
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return nil, err
	}
	if len(f.Groups) == 0 {
		return nil, errors.New("no groups")
	}
	r := newRegistry()
	for _, fg := range f.Groups {
		if err := r.addFileGroup(fg); err != nil {
			return nil, fmt.Errorf("group %q: %w", fg.ID, err)
		}
	}
	return r, nil
}

func (r *Registry) addFileGroup(fg fileGroup) error {
	switch {
	case !slugPattern().MatchString(fg.ID):
		return errors.New("id must be a slug of [a-z0-9-]")
	case r.groups[fg.ID] != nil:
		return errors.New("duplicate id")
	case strings.TrimSpace(fg.Name) == "":
		return errors.New("missing name")
	case !isCountry(fg.Country):
		return fmt.Errorf("country %q is not an upper-case ISO 3166-1 alpha-2 code", fg.Country)
	case strings.TrimSpace(fg.Note) == "":
		return errors.New("missing note: say what the entry rests on")
	}
	names := append([]string{fg.ID, fg.Name}, fg.Aliases...)
	own := map[string]bool{}
	seen := map[string]bool{}
	for _, s := range fg.Aliases {
		if seen[s] {
			return fmt.Errorf("duplicate alias %q", s)
		}
		seen[s] = true
	}
	for _, s := range names {
		k := Normalize(s)
		if k == "" {
			return fmt.Errorf("alias %q has no letters or digits", s)
		}
		if e, ok := r.keys[k]; ok {
			return fmt.Errorf("%q is already a name of group %q (as %q)", s, e.group, e.alias)
		}
		own[k] = true
	}
	prefixOK := map[string]bool{}
	for _, s := range fg.Prefix {
		k := Normalize(s)
		switch {
		case !own[k]:
			return fmt.Errorf("prefix %q is not the id, name or an alias of the group", s)
		case len([]rune(k)) >= minPrefix:
			return fmt.Errorf("prefix %q is redundant: names of %d or more letters match as prefixes anyway", s, minPrefix)
		}
		prefixOK[k] = true
	}
	if (len(fg.Tokens) > 0 || len(fg.Ambiguous) > 0) && !fg.Designated {
		return errors.New("tokens and ambiguous names are for designated groups only")
	}
	for _, a := range fg.Ambiguous {
		k := Normalize(a)
		switch {
		case k == "" || strings.Contains(k, " "):
			return fmt.Errorf("ambiguous name %q must be one word", a)
		case r.keys[k].group != "":
			return fmt.Errorf("ambiguous name %q is a name of group %q", a, r.keys[k].group)
		}
		r.ambiguous[k] = fg.ID
	}
	for _, t := range fg.Tokens {
		k := Normalize(t)
		switch {
		case k == "" || strings.Contains(k, " "):
			return fmt.Errorf("token %q must be one word", t)
		case r.tokens[k] != "":
			return fmt.Errorf("token %q is already a token of group %q", t, r.tokens[k])
		}
		r.tokens[k] = fg.ID
		if han(k) {
			r.han = append(r.han, distinctive{k, fg.ID})
		}
	}
	g := &Group{ID: fg.ID, Name: fg.Name, Country: fg.Country, Designated: fg.Designated, Aliases: fg.Aliases, Note: strings.TrimSpace(fg.Note)}
	r.groups[g.ID] = g
	for _, s := range names {
		r.register(g, s, prefixOK[Normalize(s)])
	}
	return nil
}
