package cli

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/corefence/corefence/internal/atomicfile"
	"github.com/corefence/corefence/internal/export"
	"github.com/corefence/corefence/internal/gen"
	"github.com/corefence/corefence/internal/inventory"
	"github.com/corefence/corefence/internal/tree"
)

const genSynopsis = `gen --out PATH [--country gb|fr] [--sites N | --sites-from FILE] [--seed S] [--format yaml|json|csv] [--force]`

func runGen(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "gen", genSynopsis)
	country := fs.String("country", "gb", "country to generate: gb (the UK, 2019-2020) or fr (metropolitan France)")
	sites := fs.Int("sites", 400, fmt.Sprintf("radio (RAN) sites across all operators, %d..%d; about 10 elements each", gen.MinSites, gen.MaxSites))
	sitesFrom := fs.String("sites-from", "", "place the network on the real sites of ARCEP's site list (a ;-separated CSV: Operateur;X;Y;2G;3G;4G, Lambert-93); needs --country fr")
	lim := limitsFlag(fs)
	seed := fs.Int64("seed", 2019, "random seed; the same flags always give the same network")
	out := fs.String("out", "", "output file (.yaml, .yml, .json) or, for csv, directory")
	format := fs.String("format", "", "output format: "+strings.Join(export.Formats, ", ")+" (default: from --out's extension, csv for none)")
	force := fs.Bool("force", false, "replace an existing output file, or the files an earlier run wrote in a non-empty --out directory")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	switch {
	case len(pos) > 0:
		return usagef("unexpected argument %q", pos[0])
	case *out == "":
		return usagef("--out is required")
	}
	cc := strings.ToLower(*country)
	if err := oneOf("country", cc, gen.Countries); err != nil {
		return err
	}
	switch {
	case *sitesFrom != "" && set["sites"]:
		return usagef("--sites and --sites-from exclude each other: the list gives the sites")
	case *sitesFrom != "" && cc != "fr":
		return usagef("--sites-from reads ARCEP's French site list; it needs --country fr")
	case *sitesFrom == "" && (*sites < gen.MinSites || *sites > gen.MaxSites):
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

	cfg := gen.Config{Country: cc, Sites: *sites, Seed: *seed}
	var from string
	if *sitesFrom != "" {
		f, err := tree.OpenInput(*sitesFrom)
		if err != nil {
			return err
		}
		list, err := gen.ReadARCEPWith(f, *sitesFrom, *lim)
		f.Close()
		if err != nil {
			return err
		}
		cfg.ARCEP = list
		unlocated := 0
		for _, s := range list.Sites {
			if !s.Located {
				unlocated++
			}
		}
		st := list.MastStats()
		from = fmt.Sprintf("; %d rows of %s, %d without coordinates left out; %d masts, %d shared by two or more operators",
			len(list.Sites), *sitesFrom, unlocated, st.Masts, st.Shared)
	}
	// Refuse an output that is there already before the work, not after.
	if err := checkOutput(*out, *format == "csv", *force); err != nil {
		return err
	}
	say := progress(env)
	// The elements and links go to spool files beside the output as they
	// are generated, so that memory holds the sites, not the network.
	var csvDir *atomicfile.Dir
	if *format == "csv" {
		d, err := atomicfile.NewDir(*out, *force) // creates the parent the spools go into
		if err != nil {
			return err
		}
		defer d.Abort()
		csvDir = d
	}
	abs, err := filepath.Abs(*out)
	if err != nil {
		return err
	}
	st, err := export.NewStream(*format, filepath.Dir(abs))
	if err != nil {
		return err
	}
	defer st.Close()
	say("generating a %s network (seed %d) …", cc, *seed)
	doc, err := gen.GenerateTo(ctx, cfg, st)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	elements, links := st.Counts()
	say("generated %d sites and %d elements; writing %s …", len(doc.Sites), elements, *out)
	if err := writeInventory(ctx, *out, csvDir, st, doc, *force); err != nil {
		return err
	}
	notef(env, "generated %d operators, %d sites, %d elements, %d links, %d areas (%s, seed %d%s) → %s\n",
		len(doc.Operators), len(doc.Sites), elements, links, len(doc.Areas), cc, *seed, from, *out)
	return nil
}

// checkOutput refuses, before any work is done, an output that exists
// when --force is not given.
func checkOutput(path string, dir, force bool) error {
	if force {
		return nil
	}
	st, err := os.Lstat(path)
	switch {
	case err != nil:
		return nil // absent; other problems are reported when writing
	case dir && st.IsDir():
		entries, err := os.ReadDir(path)
		if err != nil || len(entries) > 0 {
			return &atomicfile.ExistsError{Path: path, Dir: true}
		}
		return nil
	}
	return &atomicfile.ExistsError{Path: path}
}

// writeInventory writes doc, with the elements and links streamed into
// st, to out through atomicfile: whole or not at all. A CSV inventory goes
// into d (nil for YAML and JSON); a CSV directory that would hold other
// inventory files beside the new ones — which the importer would read as
// part of it — is refused.
func writeInventory(ctx context.Context, out string, d *atomicfile.Dir, st *export.Stream, doc *inventory.Doc, force bool) error {
	if d == nil {
		return atomicfile.WriteFile(ctx, out, force, st.Writer(doc))
	}
	if err := st.WriteCSVFiles(doc, "", d.WriteFile); err != nil {
		return err
	}
	if err := strayParts(d, "."); err != nil {
		return err
	}
	return d.Commit(ctx)
}

// strayParts fails when the inventory directory sub of d ("." for d
// itself) holds inventory files this run neither writes nor removes.
func strayParts(d *atomicfile.Dir, sub string) error {
	others, err := d.Others()
	if err != nil {
		return err
	}
	var stray []string
	for _, name := range others {
		if path.Dir(name) != sub {
			continue
		}
		switch strings.ToLower(filepath.Ext(name)) {
		case ".csv", ".yaml", ".yml", ".json":
			if !strings.HasPrefix(filepath.Base(name), ".") {
				stray = append(stray, name)
			}
		}
	}
	if len(stray) > 0 {
		return fmt.Errorf("%s holds %s, which corefence did not write and which would be read with the new inventory; remove it or choose another directory",
			d.Path(), strings.Join(stray, ", "))
	}
	return nil
}
