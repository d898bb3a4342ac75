// Package verifycmd is the command line of verifying evidence, shared by
// `corefence verify` and the stand-alone `corefence-verify`: the flags
// both take, the files they read, the lines they print and the errors that
// become their exit statuses. `corefence verify` adds re-running the
// attested check (--inventory) through a Recheck; the stand-alone verifier
// has none.
//
// It imports the standard library and internal/evidence only, so that the
// stand-alone verifier links nothing else (cmd/corefence-verify's tests
// hold it to that).
package verifycmd

import (
	"crypto/ed25519"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"syscall"

	"github.com/corefence/corefence/internal/evidence"
)

// Synopsis is the part of verify's synopsis both commands share.
const Synopsis = `--attestation FILE --trust KEYS [--trust …] [--threshold N]`

// MaxFile bounds the files verify reads whole (envelopes, proofs), and the
// other small files the evidence commands read (seeds, packs, waivers).
const MaxFile = 64 << 20

// Flags are the flags both verifiers take.
type Flags struct {
	Attestation string
	Trust       []string
	Threshold   int
	Proof       string
}

// Define adds the flags to fs.
func (f *Flags) Define(fs *flag.FlagSet) {
	fs.StringVar(&f.Attestation, "attestation", "", "the envelope to verify")
	fs.Var((*listFlag)(&f.Trust), "trust", "a file of trusted public keys (PEM, one or more); repeatable")
	fs.IntVar(&f.Threshold, "threshold", 1, "how many distinct trusted keys must have signed")
	fs.StringVar(&f.Proof, "proof", "", "confirm a site's findings against the signed Merkle root")
}

// Check returns the first mistake in the command line — positional
// arguments and the flags' values — as a UsageError, or nil.
func (f *Flags) Check(pos []string) error {
	switch {
	case len(pos) > 0:
		return Usagef("unexpected argument %q", pos[0])
	case f.Attestation == "":
		return Usagef("--attestation is required")
	case len(f.Trust) == 0:
		return Usagef("--trust is required: the public keys whose signatures count")
	case f.Threshold < 1:
		return Usagef("--threshold must be at least 1")
	}
	return nil
}

// UsageError is a mistake in the command line (exit status 2, with a hint
// to read the usage).
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

// Usagef returns a UsageError.
func Usagef(format string, args ...any) error {
	return &UsageError{fmt.Sprintf(format, args...)}
}

// ErrNotVerified is Run's answer when verification failed: every reason
// is printed, and the command exits 1. Any other error is a usage or input
// error (exit 2).
var ErrNotVerified = errors.New("not verified")

// Recheck is what `corefence verify --inventory` adds: re-running the
// attested check from the inventory, packs and waivers the verifier holds.
type Recheck interface {
	// Load reads the recheck's own inputs; Run calls it after reading the
	// envelope and the proof.
	Load() error
	// Confirm adds its checks to the outcome, after the signatures and
	// the statement's shape and before the proof.
	Confirm(o *evidence.Outcome) error
}

// Run verifies an attestation as the flags say, with re (nil for none),
// and prints to w one line per check — `ok`, `note` or `FAIL` — then
// `VERIFIED: FILE` or `NOT VERIFIED: N reasons above`. It returns nil when
// verified, ErrNotVerified when not, a UsageError or an input error when
// verification could not run.
func Run(w io.Writer, f *Flags, re Recheck) error {
	var keys []ed25519.PublicKey
	seen := map[string]bool{}
	for _, t := range f.Trust {
		ks, err := evidence.ReadPublicKeysFile(t)
		if err != nil {
			return err
		}
		for _, k := range ks {
			if id := evidence.KeyID(k); !seen[id] {
				seen[id] = true
				keys = append(keys, k)
			}
		}
	}
	if f.Threshold > len(keys) {
		return Usagef("--threshold %d: only %d distinct trusted keys were given", f.Threshold, len(keys))
	}
	envelope, err := ReadEnvelope(f.Attestation)
	if err != nil {
		return err
	}
	var proof *evidence.Proof
	if f.Proof != "" {
		data, err := ReadFile(f.Proof)
		if err != nil {
			return err
		}
		if proof, err = evidence.ParseProof(data); err != nil {
			return fmt.Errorf("%s: %v", f.Proof, err)
		}
	}
	if re != nil {
		if err := re.Load(); err != nil {
			return err
		}
	}

	o := evidence.Verify(envelope, keys, f.Threshold)
	if re != nil {
		if err := re.Confirm(o); err != nil {
			return err
		}
	}
	if proof != nil {
		o.ConfirmProof(proof)
	}
	for _, p := range o.Passed {
		fmt.Fprintf(w, "ok    %s\n", p)
	}
	for _, n := range o.Notes {
		fmt.Fprintf(w, "note  %s\n", n)
	}
	for _, fail := range o.Failures {
		fmt.Fprintf(w, "FAIL  %s\n", fail)
	}
	if !o.Verified() {
		noun := "reasons"
		if len(o.Failures) == 1 {
			noun = "reason"
		}
		fmt.Fprintf(w, "NOT VERIFIED: %d %s above\n", len(o.Failures), noun)
		return ErrNotVerified
	}
	fmt.Fprintf(w, "VERIFIED: %s\n", f.Attestation)
	return nil
}

// Parse parses flags that may come before, between or after positional
// arguments, and returns the positional ones; a bad flag is a UsageError.
func Parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, &UsageError{err.Error()}
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// ReadEnvelope reads and decodes a DSSE envelope file.
func ReadEnvelope(path string) (*evidence.Envelope, error) {
	data, err := ReadFile(path)
	if err != nil {
		return nil, err
	}
	e, err := evidence.ParseEnvelope(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	return e, nil
}

// ReadFile reads a whole file of at most MaxFile bytes. It opens without
// blocking, so that a FIFO with no writer fails instead of hanging.
func ReadFile(path string) ([]byte, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, unwrapPath(err))
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFile+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(data) > MaxFile {
		return nil, fmt.Errorf("%s: larger than %d bytes", path, MaxFile)
	}
	return data, nil
}

func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// listFlag collects a repeatable flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }
