package cli

import (
	"errors"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	cf "github.com/corefence/corefence"
	"github.com/corefence/corefence/internal/policy"
	"github.com/corefence/corefence/internal/tree"
)

// ConfigFile is the configuration file read from the working directory
// when --config does not name one.
const ConfigFile = "corefence.yaml"

// Config holds the flags people repeat. Each value is the default of the
// flag of the same name in every command that has that flag; a flag given
// on the command line wins. Relative paths are taken from the config
// file's directory.
type Config struct {
	Inventory string   `yaml:"inventory"` // --inventory
	Policies  []string `yaml:"policies"`  // --policy, each
	AsOf      cf.Date  `yaml:"as_of"`     // --as-of
	Waivers   string   `yaml:"waivers"`   // --waivers
	Server    string   `yaml:"server"`    // --server, for the commands that talk to a corefence server
	Pos       cf.Position

	path string // the file it was read from
}

// flagValues returns the flag values the config sets, by flag name.
func (c *Config) flagValues() map[string][]string {
	v := map[string][]string{}
	if c.Inventory != "" {
		v["inventory"] = []string{c.Inventory}
	}
	if len(c.Policies) > 0 {
		v["policy"] = c.Policies
	}
	if !c.AsOf.IsZero() {
		v["as-of"] = []string{c.AsOf.String()}
	}
	if c.Waivers != "" {
		v["waivers"] = []string{c.Waivers}
	}
	if c.Server != "" {
		v["server"] = []string{c.Server}
	}
	return v
}

// LoadConfig reads a config file. Unknown keys and wrong types are
// problems with their line, as in every other input.
func LoadConfig(path string) (*Config, error) {
	root, err := tree.ReadFile(path, "no such config file")
	if err != nil {
		return nil, err
	}
	probs := &cf.Problems{}
	c := &Config{path: path}
	tree.Decode(root, c, "config", probs)
	if err := probs.Err(); err != nil {
		return nil, err
	}
	dir := filepath.Dir(path)
	rel := func(p string) string {
		if p == "" || filepath.IsAbs(p) {
			return p
		}
		return filepath.Join(dir, p)
	}
	c.Inventory = rel(c.Inventory)
	c.Waivers = rel(c.Waivers)
	builtin := map[string]bool{}
	for _, id := range policy.BuiltinIDs() {
		builtin[id] = true
	}
	for i, p := range c.Policies {
		if !builtin[p] {
			c.Policies[i] = rel(p)
		}
	}
	return c, nil
}

// findConfig loads the config named by --config, else ./corefence.yaml
// when there is one, else none.
func findConfig(explicit string) (*Config, error) {
	if explicit != "" {
		return LoadConfig(explicit)
	}
	if _, err := os.Stat(ConfigFile); errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	return LoadConfig(ConfigFile)
}

// configFor remembers, while a command parses its flags, the config that
// supplies their defaults.
var configFor sync.Map // *flag.FlagSet → *Config

// applyConfig sets the flags the config names that the command has and
// the command line left unset.
func applyConfig(fs *flag.FlagSet) error {
	v, ok := configFor.LoadAndDelete(fs)
	if !ok {
		return nil
	}
	c := v.(*Config)
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	for name, values := range c.flagValues() {
		if set[name] || fs.Lookup(name) == nil {
			continue
		}
		for _, value := range values {
			if err := fs.Set(name, value); err != nil {
				return usagef("%s: %s %q: %v", c.path, name, value, err)
			}
		}
	}
	return nil
}
