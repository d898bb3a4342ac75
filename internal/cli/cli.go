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
	"strings"
	"time"

	cf "github.com/corefence/corefence"
	"github.com/corefence/corefence/internal/apiclient"
	"github.com/corefence/corefence/internal/atomicfile"
	"github.com/corefence/corefence/internal/safetext"
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

	// flagsMade, when set, receives each flag set a command makes; shell
	// completion reads the commands' flags through it.
	flagsMade func(*flag.FlagSet)
	// config supplies defaults for the flags people repeat.
	config *Config
	// progressMode and quiet are --progress and --quiet; reporter prints
	// the command's progress lines.
	progressMode string
	quiet        bool
	reporter     *reporter
}

// Version is the corefence version, set at build time with
// -ldflags "-X github.com/corefence/corefence/internal/cli.Version=…".
var Version = "dev"

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, env *Env, args []string) error
}

// ownConfig names the commands whose --config is a file of their own
// (serve's server configuration), not the corefence.yaml of repeated flags.
var ownConfig = map[string]bool{"serve": true}

func commands() []command {
	return []command{
		{"check", "check an inventory against policy packs as of a date", runCheck},
		{"exposure", "measure what each vendor's equipment could switch off or see", runExposure},
		{"validate", "load an inventory and report its contents or every problem in it", runValidate},
		{"policies", "list the built-in policy packs, or show one", runPolicies},
		{"functions", "list the function catalogue", runFunctions},
		{"vendors", "list the vendor registry", runVendors},
		{"gen", "generate a realistic national network (UK by population, France on real ARCEP sites)", runGen},
		{"report", "check an inventory and write the self-contained HTML report: verdicts, map, findings per site, sources", runReport},
		{"demo", "check a sample UK network at the dates that tell the story", runDemo},
		{"plan", "plan the cheapest removal that meets every deadline with the crews and budget", runPlan},
		{"compare", "compare policy options: cost, finish, rollout delay and risk of each", runCompare},
		{"keygen", "make an Ed25519 key pair for signing evidence", runKeygen},
		{"attest", "check, and sign the result as evidence (in-toto statement in a DSSE envelope)", runAttest},
		{"countersign", "add a signature to an attestation", runCountersign},
		{"prove", "disclose one site of an attestation: its findings and Merkle path", runProve},
		{"verify", "verify an attestation's signatures, and optionally its inventory and a site proof", runVerify},
		{"import", "import an inventory from NetBox's REST API", runImport},
		{"completion", "print a shell completion script (bash, zsh or fish)", runCompletion},
		{"serve", "serve the multi-tenant system of record: snapshots, runs, findings, audit (REST API)", runServe},
		{"diff", "compare two inventories, and their findings under policy packs", runDiff},
		{"audit", "verify the server's hash-chained audit log", runAudit},
		{"version", "print the version, commit and date (also --version)", runVersion},
	}
}

func usage(w io.Writer) {
	fmt.Fprintf(w, "corefence — keep high-risk vendors where the rules allow them, and prove it.\n\nUsage: corefence COMMAND [flags]\n\nCommands:\n")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, "\nRun `corefence COMMAND -h` for a command's flags. Exit status: 0 compliant, 1 violations, 2 usage, input or output error, 130/143 interrupted.\n")
	fmt.Fprintf(w, "Any command also takes --config FILE (default ./corefence.yaml when there is one) for the flags people\nrepeat, --progress auto|always|never (default auto: on a terminal, or after %s elsewhere) and --quiet.\n", quietAfter)
}

// Run runs the command line args and returns the exit status. Everything
// written to stdout and stderr goes through safetext.Writer, so that no
// input can drive the terminal; a failure to write stdout is an error
// (exit 2), even after the command succeeded.
func Run(ctx context.Context, env *Env, args []string) int {
	stdout := safetext.NewChecked(env.Stdout)
	stderr := safetext.NewWriter(env.Stderr)
	safe := *env
	safe.Stdout, safe.Stderr = stdout, stderr
	code := dispatch(ctx, &safe, args)
	if err := stdout.Flush(); err != nil && code != ExitError {
		name := "corefence"
		if len(args) > 0 {
			name += " " + args[0]
		}
		fmt.Fprintf(stderr, "%s: writing standard output: %v\n", name, err)
		code = ExitError
	}
	stderr.Flush()
	return code
}

func dispatch(ctx context.Context, env *Env, args []string) int {
	if len(args) == 0 {
		// No command is a mistake: the help goes where errors go.
		usage(env.Stderr)
		return ExitError
	}
	if args[0] == "--version" || args[0] == "-version" {
		printVersion(env)
		return ExitOK
	}
	if args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		if len(args) > 1 {
			return dispatch(ctx, env, []string{args[1], "-h"})
		}
		usage(env.Stdout)
		return ExitOK
	}
	for _, c := range commands() {
		if c.name == args[0] {
			g, rest, err := takeGlobalFlags(args[1:], ownConfig[c.name])
			if err == nil {
				var cfg *Config
				if cfg, err = findConfig(g.config); err == nil {
					e := &Env{Stdin: env.Stdin, Stdout: env.Stdout, Stderr: env.Stderr, Now: env.Now,
						flagsMade: env.flagsMade, config: cfg, progressMode: g.progress, quiet: g.quiet}
					if cfg != nil {
						progress(e)("using the flags of %s", cfg.path)
					}
					return exitStatus(ctx, env, c.name, c.run(ctx, e, rest))
				}
			}
			return exitStatus(ctx, env, c.name, err)
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

func exitStatus(ctx context.Context, env *Env, name string, err error) int {
	if err == nil {
		return ExitOK
	}
	if in, ok := interrupted(ctx); ok {
		fmt.Fprintf(env.Stderr, "corefence %s: %v; no output was written\n", name, in)
		return in.ExitCode()
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
			fmt.Fprintf(env.Stderr, "  %s\n", safetext.Line(p.Error()))
		}
		if ps.Truncated {
			fmt.Fprintf(env.Stderr, "  (stopped after %d problems; fix these first)\n", cf.MaxProblems)
		}
		return ExitError
	}
	var refused *apiclient.Error
	if errors.As(err, &refused) { // a corefence server's answer, with its problems
		nothing := "nothing was uploaded or written"
		if strings.HasSuffix(refused.Summary(), "nothing was stored") {
			nothing = "nothing was written"
		}
		fmt.Fprintf(env.Stderr, "corefence %s: %s; %s\n", name, safetext.Line(refused.Summary()), nothing)
		for _, p := range refused.ProblemLines() {
			fmt.Fprintf(env.Stderr, "  %s\n", safetext.Line(p))
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
	if errors.Is(err, context.DeadlineExceeded) {
		fmt.Fprintf(env.Stderr, "corefence %s: time limit exceeded; no output was written\n", name)
		return ExitError
	}
	var exists *atomicfile.ExistsError
	if errors.As(err, &exists) {
		hint := "--force replaces it"
		if exists.Dir {
			hint = "--force replaces the files corefence wrote there, and no other"
		}
		fmt.Fprintf(env.Stderr, "corefence %s: %s; nothing was written (%s)\n", name, safetext.Line(err.Error()), hint)
		return ExitError
	}
	fmt.Fprintf(env.Stderr, "corefence %s: %s\n", name, safetext.Line(err.Error()))
	return ExitError
}

// newFlags returns a flag set that reports to env.Stderr and does not exit.
func newFlags(env *Env, name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	if env.flagsMade != nil {
		env.flagsMade(fs)
	}
	if env.config != nil {
		configFor.Store(fs, env.config)
	}
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
	defer configFor.Delete(fs)
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, usageError{err.Error()}
		}
		if fs.NArg() == 0 {
			return pos, applyConfig(fs)
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
