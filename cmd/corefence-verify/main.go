// Command corefence-verify verifies corefence's signed evidence offline,
// on its own: an attestation's signatures against trusted keys and a
// threshold, the statement's shape, and a site's proof against the signed
// Merkle root. It takes `corefence verify`'s flags but --inventory and
// prints the same lines with the same exit statuses (0 verified, 1 not
// verified, every reason printed, 2 usage or input error).
//
// It is built from the standard library and corefence's verification code
// only (internal/evidence, internal/evidence/verifycmd), so that an ally
// or a regulator can read what it runs and build it alone:
//
//	go build ./cmd/corefence-verify
//
// and so that it starts quickly: it links none of the policy engine, the
// stores or the server that `corefence` initialises at every start.
// Re-running the attested check from the inventory needs all of them; that
// is `corefence verify --inventory`. See docs/evidence.md.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/corefence/corefence/internal/evidence/verifycmd"
	"github.com/corefence/corefence/internal/safetext"
)

const name = "corefence-verify"

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run runs the command line args and returns the exit status. Output goes
// through safetext, as corefence's does, so that no input can drive the
// terminal; a failure to write stdout is exit 2.
func run(args []string, stdout, stderr io.Writer) int {
	out := safetext.NewChecked(stdout)
	errw := safetext.NewWriter(stderr)
	defer errw.Flush()
	code := status(errw, verify(out, errw, args))
	if err := out.Flush(); err != nil && code != 2 {
		fmt.Fprintf(errw, "%s: writing standard output: %v\n", name, err)
		code = 2
	}
	return code
}

// recheckFlags are `corefence verify`'s flags for re-running the check:
// accepted here only to say where they belong.
var recheckFlags = []string{"inventory", "policy", "waivers", "seed"}

func verify(stdout, stderr io.Writer, args []string) error {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	var vf verifycmd.Flags
	vf.Define(fs)
	for _, f := range recheckFlags {
		fs.String(f, "", "not supported here: re-running the attested check is corefence verify --inventory")
	}
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: %s %s [--proof FILE]\n\n", name, verifycmd.Synopsis)
		fmt.Fprintf(stderr, "Verifies an attestation's signatures and, with --proof, a site's proof, offline.\n")
		fmt.Fprintf(stderr, "Exit status: 0 verified, 1 not verified (every reason printed), 2 usage or input error.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	pos, err := verifycmd.Parse(fs, args)
	if err != nil {
		return err
	}
	var given string
	fs.Visit(func(f *flag.Flag) {
		for _, r := range recheckFlags {
			if f.Name == r && given == "" {
				given = r
			}
		}
	})
	if given != "" {
		return verifycmd.Usagef("--%s: %s checks signatures and site proofs only; to re-run the attested check from the inventory, use `corefence verify --inventory PATH [--policy FILE …] [--waivers FILE] [--seed FILE]`", given, name)
	}
	if err := vf.Check(pos); err != nil {
		return err
	}
	return verifycmd.Run(stdout, &vf, nil)
}

// status prints what went wrong, if anything, and returns the exit status.
func status(stderr io.Writer, err error) int {
	var ue *verifycmd.UsageError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, verifycmd.ErrNotVerified):
		return 1
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "%s: %s\nRun `%s -h` for usage.\n", name, ue.Msg, name)
	default:
		fmt.Fprintf(stderr, "%s: %s\n", name, safetext.Line(err.Error()))
	}
	return 2
}
