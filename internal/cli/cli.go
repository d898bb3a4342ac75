// Package cli is corefence's command line: one file per subcommand, each a
// thin shell over the engines. Commands take their input, output and clock
// from an Env, so tests run the real commands in-process.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	cf "github.com/corefence/corefence"
)

// Exit statuses, as the check contract fixes them.
const (
	ExitOK         = 0
	ExitViolations = 1
	ExitError      = 2
)

// Env is what a command may touch of the world.
type Env struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Now    func() time.Time
}

// Version is the corefence version, set at build time with
// -ldflags "-X github.com/corefence/corefence/internal/cli.Version=…".
var Version = "dev"

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, env *Env, args []string) error
}

func commands() []command {
	return []command{
		{"check", "check an inventory against policy packs as of a date", runCheck},
		{"exposure", "measure what each vendor's equipment could switch off or see", runExposure},
		{"validate", "load an inventory and report its contents or every problem in it", runValidate},
		{"policies", "list the built-in policy packs, or show one", runPolicies},
		{"functions", "list the function catalogue", runFunctions},
		{"vendors", "list the vendor registry", runVendors},
		{"gen", "generate a realistic national network (UK by population, France on real ARCEP sites)", runGen},
		{"demo", "check a sample UK network at the dates that tell the story", runDemo},
		{"plan", "plan the cheapest removal that meets every deadline with the crews and budget", runPlan},
		{"compare", "compare policy options: cost, finish, rollout delay and risk of each", runCompare},
		{"serve", "serve the multi-tenant system of record: snapshots, runs, findings, audit (REST API)", runServe},
		{"diff", "compare two inventories, and their findings under policy packs", runDiff},
		{"audit", "verify the server's hash-chained audit log", runAudit},
		{"version", "print the version", func(_ context.Context, env *Env, _ []string) error {
			fmt.Fprintln(env.Stdout, "corefence", Version)
			return nil
		}},
	}
}

func usage(w io.Writer) {
	fmt.Fprintf(w, "corefence — keep high-risk vendors where the rules allow them, and prove it.\n\nUsage: corefence COMMAND [flags]\n\nCommands:\n")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, "\nRun `corefence COMMAND -h` for a command's flags. Exit status: 0 compliant, 1 violations, 2 usage or input error.\n")
}

// Run runs the command line args and returns the exit status.
func Run(ctx context.Context, env *Env, args []string) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		if len(args) > 1 {
			return Run(ctx, env, []string{args[1], "-h"})
		}
		usage(env.Stdout)
		return ExitOK
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return exitStatus(env, c.name, c.run(ctx, env, args[1:]))
		}
	}
	fmt.Fprintf(env.Stderr, "corefence: unknown command %q\n\n", args[0])
	usage(env.Stderr)
	return ExitError
}

// errViolations is returned by a command whose answer is "not compliant":
// not a failure of the command, but exit status 1.
var errViolations = errors.New("violations found")

// usageError is a mistake in the command line.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

func exitStatus(env *Env, name string, err error) int {
	if err == nil {
		return ExitOK
	}
	if errors.Is(err, errViolations) {
		return ExitViolations
	}
	if errors.Is(err, flag.ErrHelp) {
		return ExitOK
	}
	if ps, ok := cf.AsProblems(err); ok {
		noun := "problem"
		if len(ps.List) != 1 {
			noun = "problems"
		}
		fmt.Fprintf(env.Stderr, "corefence %s: %d %s in the input; nothing was loaded:\n", name, len(ps.List), noun)
		for _, p := range ps.List {
			fmt.Fprintf(env.Stderr, "  %s\n", p.Error())
		}
		if ps.Truncated {
			fmt.Fprintf(env.Stderr, "  (stopped after %d problems; fix these first)\n", cf.MaxProblems)
		}
		return ExitError
	}
	var ue usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(env.Stderr, "corefence %s: %s\nRun `corefence %s -h` for usage.\n", name, ue.msg, name)
		return ExitError
	}
	if errors.Is(err, context.Canceled) {
		fmt.Fprintf(env.Stderr, "corefence %s: interrupted\n", name)
		return ExitError
	}
	fmt.Fprintf(env.Stderr, "corefence %s: %v\n", name, err)
	return ExitError
}

// newFlags returns a flag set that reports to env.Stderr and does not exit.
func newFlags(env *Env, name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	fs.Usage = func() {
		fmt.Fprintf(env.Stderr, "Usage: corefence %s\n\nFlags:\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses flags that may come before, between or after positional
// arguments, and returns the positional ones.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, usageError{err.Error()}
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// oneOf checks a flag's value against its choices.
func oneOf(flagName, v string, valid []string) error {
	for _, ok := range valid {
		if v == ok {
			return nil
		}
	}
	return usagef("--%s %q: want one of %s", flagName, v, strings.Join(valid, ", "))
}

// listFlag collects a repeatable flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// progress writes progress lines to stderr when a person is watching.
func progress(env *Env) func(format string, args ...any) {
	if f, ok := env.Stderr.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			return func(format string, args ...any) { fmt.Fprintf(env.Stderr, format+"\n", args...) }
		}
	}
	return func(string, ...any) {}
}
