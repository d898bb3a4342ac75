package cli

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/corefence/corefence/internal/export"
	"github.com/corefence/corefence/internal/gen"
)

const genSynopsis = `gen --out PATH [--country gb] [--sites N] [--seed S] [--format yaml|json|csv]`

func runGen(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "gen", genSynopsis)
	country := fs.String("country", "gb", "country to generate: "+strings.Join(gen.Countries, ", "))
	sites := fs.Int("sites", 400, fmt.Sprintf("radio (RAN) sites across all operators, %d..%d", gen.MinSites, gen.MaxSites))
	seed := fs.Int64("seed", 2019, "random seed; the same flags always give the same network")
	out := fs.String("out", "", "output file (.yaml, .yml, .json) or, for csv, directory")
	format := fs.String("format", "", "output format: "+strings.Join(export.Formats, ", ")+" (default: from --out's extension, csv for none)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	switch {
	case len(pos) > 0:
		return usagef("unexpected argument %q", pos[0])
	case *out == "":
		return usagef("--out is required")
	}
	if err := oneOf("country", strings.ToLower(*country), gen.Countries); err != nil {
		return err
	}
	if *sites < gen.MinSites || *sites > gen.MaxSites {
		return usagef("--sites %d: want %d..%d", *sites, gen.MinSites, gen.MaxSites)
	}
	ext := strings.ToLower(filepath.Ext(*out))
	if *format == "" {
		switch ext {
		case ".yaml", ".yml":
			*format = "yaml"
		case ".json":
			*format = "json"
		default:
			*format = "csv"
		}
	}
	if err := oneOf("format", *format, export.Formats); err != nil {
		return err
	}
	// Refuse a name the importer would not read back.
	switch {
	case *format == "yaml" && ext != ".yaml" && ext != ".yml":
		return usagef("--out %q: a yaml inventory needs a .yaml or .yml name", *out)
	case *format == "json" && ext != ".json":
		return usagef("--out %q: a json inventory needs a .json name", *out)
	}

	doc, err := gen.Generate(gen.Config{Country: *country, Sites: *sites, Seed: *seed})
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := export.Write(*out, *format, doc); err != nil {
		return err
	}
	fmt.Fprintf(env.Stderr, "generated %d operators, %d sites, %d elements, %d links, %d areas (%s, seed %d) → %s\n",
		len(doc.Operators), len(doc.Sites), len(doc.Elements), len(doc.Links), len(doc.Areas), strings.ToLower(*country), *seed, *out)
	return nil
}
