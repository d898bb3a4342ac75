package policy

import (
	"embed"
	"fmt"
	cf "github.com/corefence/corefence"
	"io/fs"
	"path"
	"sort"
	"strings"
)

//go:embed packs/*.yaml
var builtinFS embed.FS

// BuiltinIDs lists the ids of the built-in packs, sorted.
func BuiltinIDs() []string {
	entries, _ := fs.ReadDir(builtinFS, "packs")
	ids := make([]string, 0, len(entries))
	for _, e := range entries {
		ids = append(ids, strings.TrimSuffix(e.Name(), ".yaml"))
	}
	sort.Strings(ids)
	return ids
}

// Builtin returns a fresh copy of the built-in pack with the given id.
func Builtin(id string) (*Pack, bool, error) {
	name := path.Join("packs", id+".yaml")
	data, err := builtinFS.ReadFile(name)
	if err != nil {
		return nil, false, nil
	}
	p, err := Parse("builtin:"+id+".yaml", data)
	if err != nil {
		return nil, true, fmt.Errorf("built-in pack %s is broken: %w", id, err)
	}
	if p.ID != id {
		return nil, true, fmt.Errorf("built-in pack file %s.yaml declares id %q", id, p.ID)
	}
	p.Builtin = true
	return p, true, nil
}

// BuiltinPacks returns fresh copies of every built-in pack.
func BuiltinPacks() ([]*Pack, error) {
	var out []*Pack
	for _, id := range BuiltinIDs() {
		p, _, err := Builtin(id)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// Open returns the built-in pack named ref, or else loads ref as a file.
func Open(ref string) (*Pack, error) {
	return OpenWith(ref, cf.DefaultLimits())
}

// OpenWith is Open under lim: a pack file is read and its predicates run
// within lim.
func OpenWith(ref string, lim cf.Limits) (*Pack, error) {
	if p, ok, err := Builtin(ref); ok {
		if err == nil {
			p.setLimits(lim)
		}
		return p, err
	}
	return LoadFileWith(ref, lim)
}

// BuiltinSource returns the embedded file of the built-in pack with the
// given id, the bytes its content digest is taken over.
func BuiltinSource(id string) ([]byte, bool) {
	data, err := builtinFS.ReadFile(path.Join("packs", id+".yaml"))
	return data, err == nil
}
