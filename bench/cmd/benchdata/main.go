// Command benchdata makes the data run.sh measures on.
//
//	benchdata gen -out DIR [-sites N] [-seed S]
//	    generate the UK network (gen.Generate + export.WriteCSV) as a CSV
//	    bundle, unless DIR already holds it; what `corefence gen --format csv`
//	    does, for trees without that command.
//	benchdata fresh -out DIR [-sites N] [-seed S]
//	    exit 0 if DIR holds the bundle the generator in this tree makes for
//	    N and S, 1 if it is missing, incomplete or stale.
//	benchdata mark -out DIR [-sites N] [-seed S]
//	    mark a bundle written by `corefence gen` as complete.
//	benchdata opa -inventory DIR -policy ID [-policy ID …] -as-of DATE
//	              -rego FILE -params FILE -input FILE
//	    write the Rego translation of the packs, its parameters, and (unless
//	    it is newer than the bundle) the inventory as Rego input JSON.
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"

	cf "github.com/corefence/corefence"
	"github.com/corefence/corefence/bench/internal/benchdata"
)

type list []string

func (l *list) String() string     { return strings.Join(*l, ",") }
func (l *list) Set(s string) error { *l = append(*l, s); return nil }

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "benchdata:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("usage: benchdata gen|fresh|mark|opa …")
	}
	fs := flag.NewFlagSet(args[0], flag.ExitOnError)
	out := fs.String("out", "", "bundle directory")
	sites := fs.Int("sites", benchdata.Sites1M, "RAN sites")
	seed := fs.Int64("seed", benchdata.Seed1M, "generator seed")
	inv := fs.String("inventory", "", "CSV bundle")
	var packs list
	fs.Var(&packs, "policy", "pack id; repeatable")
	asOf := fs.String("as-of", "", "as-of date")
	regoPath := fs.String("rego", "", "Rego module to write")
	paramsPath := fs.String("params", "", "parameters JSON to write")
	inputPath := fs.String("input", "", "input JSON to write")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	switch args[0] {
	case "gen":
		if *out == "" {
			return fmt.Errorf("gen: -out is required")
		}
		made, err := benchdata.EnsureCSV(*out, *sites, *seed)
		if err != nil {
			return err
		}
		if made {
			fmt.Fprintf(os.Stderr, "generated %s\n", *out)
		} else {
			fmt.Fprintf(os.Stderr, "%s is there already\n", *out)
		}
	case "fresh":
		if *out == "" {
			return fmt.Errorf("fresh: -out is required")
		}
		if !benchdata.Complete(*out, *sites, *seed) {
			os.Exit(1)
		}
	case "mark":
		if *out == "" {
			return fmt.Errorf("mark: -out is required")
		}
		return os.WriteFile(*out+"/"+benchdata.Marker, []byte(benchdata.MarkerText(*sites, *seed)), 0o644)
	case "opa":
		if *inv == "" || len(packs) == 0 || *asOf == "" || *regoPath == "" || *paramsPath == "" || *inputPath == "" {
			return fmt.Errorf("opa: -inventory, -policy, -as-of, -rego, -params and -input are required")
		}
		date, err := cf.ParseDate(*asOf)
		if err != nil {
			return err
		}
		ps, err := benchdata.Packs(packs...)
		if err != nil {
			return err
		}
		mod, err := benchdata.WriteRego(*regoPath, *paramsPath, ps, date)
		if err != nil {
			return err
		}
		for _, s := range mod.Skipped {
			fmt.Fprintf(os.Stderr, "not translated: %s (%s)\n", s.Rule, s.Reason)
		}
		made, err := benchdata.EnsureInput(*inputPath, *inv)
		if err != nil {
			return err
		}
		if made {
			fmt.Fprintf(os.Stderr, "wrote %s\n", *inputPath)
		}
	default:
		return fmt.Errorf("unknown subcommand %q: want gen, fresh, mark or opa", args[0])
	}
	return nil
}
