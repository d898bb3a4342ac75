package cli

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	cf "github.com/corefence/corefence"
	"github.com/corefence/corefence/internal/evidence"
	"github.com/corefence/corefence/internal/evidence/attest"
	"github.com/corefence/corefence/internal/evidence/verifycmd"
	"github.com/corefence/corefence/internal/importer"
	"github.com/corefence/corefence/internal/inventory"
	"github.com/corefence/corefence/internal/policy"
)

// The evidence commands: keygen, attest, countersign, prove, verify. The
// formats and the threat model are in docs/evidence.md; the work is done by
// internal/evidence (formats, verification) and internal/evidence/attest
// (making and re-checking evidence); these only read and write files.

const (
	keygenSynopsis = `keygen --out NAME`
	attestSynopsis = `attest --inventory PATH --policy ID|FILE [--policy …] [--as-of YYYY-MM-DD] [--waivers FILE]
                 [--include-planned] [--param PACK.NAME=VALUE …] --key KEY [--out FILE] [--seed FILE]`
	countersignSynopsis = `countersign --key KEY [--out FILE] ENVELOPE`
	proveSynopsis       = `prove --inventory PATH --attestation FILE --site ID [--seed FILE]
                 [--policy FILE …] [--waivers FILE] [--out FILE]`
	verifySynopsis = `verify ` + verifycmd.Synopsis + `
                 [--inventory PATH [--policy FILE …] [--waivers FILE] [--seed FILE]] [--proof FILE]`
)

func runKeygen(_ context.Context, env *Env, args []string) error {
	fs := newFlags(env, "keygen", keygenSynopsis)
	out := fs.String("out", "", "write the key pair to NAME.key (private, mode 0600) and NAME.pub (public)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	switch {
	case len(pos) > 0:
		return usagef("unexpected argument %q", pos[0])
	case *out == "":
		return usagef("--out NAME is required")
	}
	keyPath, pubPath := *out+".key", *out+".pub"
	for _, p := range []string{keyPath, pubPath} {
		if _, err := os.Lstat(p); err == nil {
			return fmt.Errorf("%s exists; refusing to overwrite a key (remove it first if it is no longer needed)", p)
		}
	}
	pub, err := writeKeyPair(keyPath, pubPath, false)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "wrote %s (private key, mode 0600: keep it secret) and %s (public key: give it to verifiers)\nkey id %s\n",
		keyPath, pubPath, evidence.KeyID(pub))
	return nil
}

// writeKeyPair makes an Ed25519 key pair and writes the private key (mode
// 0600, never over an existing file) and the public key beside it
// (replacing an old one only if replacePub); a failure leaves neither.
func writeKeyPair(keyPath, pubPath string, replacePub bool) (ed25519.PublicKey, error) {
	pub, priv, err := evidence.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	privPEM, err := evidence.MarshalPrivateKey(priv)
	if err != nil {
		return nil, err
	}
	pubPEM, err := evidence.MarshalPublicKey(pub)
	if err != nil {
		return nil, err
	}
	if err := writeEvidenceFile(keyPath, privPEM, 0o600, false); err != nil {
		return nil, err
	}
	if err := writeEvidenceFile(pubPath, pubPEM, 0o644, replacePub); err != nil {
		os.Remove(keyPath) // nothing half-way: no private key without its public one
		return nil, err
	}
	return pub, nil
}

func runAttest(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "attest", attestSynopsis)
	var ci checkInputs
	ci.register(fs)
	key := fs.String("key", "", "private key file (from `corefence keygen`; mode 0600)")
	out := fs.String("out", "", "write the envelope to FILE (default: standard output)")
	seedPath := fs.String("seed", "", "write the secret seed of the site salts to FILE (default: the --out file + .seed; required without --out)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("unexpected argument %q", pos[0])
	}
	if err := ci.require(); err != nil {
		return err
	}
	switch {
	case *key == "":
		return usagef("--key is required (make one with `corefence keygen`)")
	case *seedPath == "" && *out == "":
		return usagef("--seed FILE is required when the envelope goes to standard output")
	}
	if *seedPath == "" {
		*seedPath = *out + ".seed"
	}
	date, err := ci.date(env)
	if err != nil {
		return err
	}
	// The key first: a refused key should not cost a national check.
	priv, err := evidence.ReadPrivateKeyFile(*key)
	if err != nil {
		return err
	}
	if _, err := os.Lstat(*seedPath); err == nil {
		return fmt.Errorf("%s exists: it is the seed of an earlier attestation, needed to prove its sites; refusing to overwrite it (remove it first if that attestation is no longer needed)", *seedPath)
	}
	loaded, digests, err := openPacksWithDigests(ci.packs)
	if err != nil {
		return err
	}
	if err := setParams(loaded, ci.params); err != nil {
		return err
	}
	in, err := evidenceCheck(ctx, env, ci.inventory, loaded, digests, ci.waivers, date, ci.planned)
	if err != nil {
		return err
	}
	seed, err := attest.NewSeed(rand.Reader)
	if err != nil {
		return err
	}
	envelope, err := attest.Attest(in, seed, priv)
	if err != nil {
		return err
	}
	if err := writeEvidenceFile(*seedPath, []byte(hex.EncodeToString(seed)+"\n"), 0o600, false); err != nil {
		return err
	}
	if *out == "" {
		_, err := env.Stdout.Write(envelope.Marshal())
		return err
	}
	if err := writeEvidenceFile(*out, envelope.Marshal(), 0o644, true); err != nil {
		os.Remove(*seedPath)
		return err
	}
	res := in.Result
	verdict := "COMPLIANT"
	if !res.Compliant() {
		verdict = "NOT COMPLIANT"
	}
	fmt.Fprintf(env.Stdout, "attested: %s as of %s (%s)\nwrote %s (signed by key %s) and %s (the seed of the site salts: keep it to prove sites later)\n",
		verdict, res.AsOf, countsLine(res.Count()), *out, evidence.KeyID(priv.Public().(ed25519.PublicKey)), *seedPath)
	return nil
}

func runCountersign(_ context.Context, env *Env, args []string) error {
	fs := newFlags(env, "countersign", countersignSynopsis)
	key := fs.String("key", "", "private key file (mode 0600)")
	out := fs.String("out", "", "write the countersigned envelope to FILE (default: replace ENVELOPE)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	switch {
	case len(pos) != 1:
		return usagef("want exactly one ENVELOPE file")
	case *key == "":
		return usagef("--key is required")
	}
	priv, err := evidence.ReadPrivateKeyFile(*key)
	if err != nil {
		return err
	}
	envelope, err := readEnvelope(pos[0])
	if err != nil {
		return err
	}
	if err := envelope.Sign(priv); err != nil {
		return fmt.Errorf("%s: %v", pos[0], err)
	}
	dest := *out
	if dest == "" {
		dest = pos[0]
	}
	if err := writeEvidenceFile(dest, envelope.Marshal(), 0o644, true); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "countersigned %s with key %s; it now carries %d signatures\n", dest, evidence.KeyID(priv.Public().(ed25519.PublicKey)), len(envelope.Signatures))
	return nil
}

func runProve(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "prove", proveSynopsis)
	inv := fs.String("inventory", "", "the inventory that was attested")
	att := fs.String("attestation", "", "the envelope (from `corefence attest`)")
	site := fs.String("site", "", "the id of the site to disclose")
	seedPath := fs.String("seed", "", "the attestation's seed file (default: the attestation file + .seed)")
	var packs listFlag
	fs.Var(&packs, "policy", "a pack file the attestation used (built-in packs are found by id); repeatable")
	waivers := fs.String("waivers", "", "the waivers file the attestation used")
	out := fs.String("out", "", "write the proof to FILE (default: standard output)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	switch {
	case len(pos) > 0:
		return usagef("unexpected argument %q", pos[0])
	case *inv == "" || *att == "" || *site == "":
		return usagef("--inventory, --attestation and --site are required")
	}
	if *seedPath == "" {
		*seedPath = *att + ".seed"
	}
	seed, err := readSeed(*seedPath)
	if err != nil {
		return err
	}
	envelope, err := readEnvelope(*att)
	if err != nil {
		return err
	}
	payload, err := envelope.DecodePayload()
	if err != nil {
		return fmt.Errorf("%s: %v", *att, err)
	}
	st, problems := evidence.ParseStatement(payload)
	if len(problems) > 0 {
		return fmt.Errorf("%s: %s", *att, strings.Join(problems, "; "))
	}
	in, err := recheck(ctx, env, st, *inv, packs, *waivers)
	if err != nil {
		return err
	}
	proof, err := attest.Prove(in, seed, payload, st, *site)
	if err != nil {
		return fmt.Errorf("%s: %v", *att, err)
	}
	if *out == "" {
		_, err := env.Stdout.Write(proof.Marshal())
		return err
	}
	if err := writeEvidenceFile(*out, proof.Marshal(), 0o644, true); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "wrote %s: %s\n", *out, proof.Summary())
	return nil
}

func runVerify(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "verify", verifySynopsis)
	var vf verifycmd.Flags
	vf.Define(fs)
	var packs listFlag
	inv := fs.String("inventory", "", "recompute the inventory's digest and the check, and confirm the predicate")
	fs.Var(&packs, "policy", "with --inventory: a pack file the attestation used (built-in packs are found by id); repeatable")
	waivers := fs.String("waivers", "", "with --inventory: the waivers file the attestation used")
	seedPath := fs.String("seed", "", "with --inventory: the attestation's seed, to recompute the sites' Merkle root too")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := vf.Check(pos); err != nil {
		return fromVerifyCmd(err)
	}
	var re verifycmd.Recheck
	switch {
	case *inv != "":
		re = &verifyRecheck{ctx: ctx, env: env, inv: *inv, packs: packs, waivers: *waivers, seedPath: *seedPath}
	case len(packs) > 0 || *waivers != "" || *seedPath != "":
		return usagef("--policy, --waivers and --seed go with --inventory")
	}
	return fromVerifyCmd(verifycmd.Run(env.Stdout, &vf, re))
}

// fromVerifyCmd gives verifycmd's answers the exit statuses of the other
// commands: not verified is exit 1, a usage error is one.
func fromVerifyCmd(err error) error {
	var ue *verifycmd.UsageError
	switch {
	case errors.Is(err, verifycmd.ErrNotVerified):
		return errViolations
	case errors.As(err, &ue):
		return usagef("%s", ue.Msg)
	}
	return err
}

// verifyRecheck is verify --inventory: the attested check run again from
// the inventory, packs and waivers given, and compared field by field.
type verifyRecheck struct {
	ctx          context.Context
	env          *Env
	inv, waivers string
	packs        []string
	seedPath     string
	seed         []byte
}

func (r *verifyRecheck) Load() (err error) {
	if r.seedPath != "" {
		r.seed, err = readSeed(r.seedPath)
	}
	return err
}

func (r *verifyRecheck) Confirm(o *evidence.Outcome) error {
	if o.Statement == nil {
		return nil
	}
	in, err := recheck(r.ctx, r.env, o.Statement, r.inv, r.packs, r.waivers)
	if err != nil {
		return err
	}
	attest.ConfirmCheck(o, in, r.seed)
	return nil
}

// recheck runs the check an attestation describes, from the inputs the
// caller holds: the statement fixes the as-of date, the packs (built-in
// ones by id, files from --policy), their parameters and whether planned
// elements counted.
func recheck(ctx context.Context, env *Env, st *evidence.Statement, invPath string, packFiles []string, waivers string) (*attest.Input, error) {
	pred := &st.Predicate
	var refs []string
	files := map[string]string{} // pack id → file
	for _, f := range packFiles {
		data, err := readSmall(f)
		if err != nil {
			return nil, err
		}
		p, err := policy.Parse(f, data)
		if err != nil {
			return nil, err
		}
		files[p.ID] = f
	}
	for _, ref := range pred.Policies {
		switch f, ok := files[ref.ID]; {
		case ok:
			refs = append(refs, f)
			delete(files, ref.ID)
		case ref.Builtin:
			refs = append(refs, ref.ID)
		default:
			return nil, usagef("the attestation used pack %s from a file: give it with --policy FILE", ref.ID)
		}
	}
	for id, f := range files {
		return nil, usagef("--policy %s: pack %s is not one the attestation used", f, id)
	}
	packs, digests, err := openPacksWithDigests(refs)
	if err != nil {
		return nil, err
	}
	for i, ref := range pred.Policies {
		for name, v := range ref.Parameters {
			if err := packs[i].SetParam(name, v); err != nil {
				return nil, fmt.Errorf("the attestation sets %s.%s: %v", ref.ID, name, err)
			}
		}
	}
	return evidenceCheck(ctx, env, invPath, packs, digests, waivers, pred.AsOf, pred.IncludePlanned)
}

// evidenceCheck loads the inventory and waivers and runs the check.
func evidenceCheck(ctx context.Context, env *Env, invPath string, packs []*policy.Pack, digests map[string]string,
	waiversPath string, asOf cf.Date, planned bool) (*attest.Input, error) {
	in := &attest.Input{PackDigests: digests, IncludePlanned: planned, Version: Version}
	var ws []policy.Waiver
	if waiversPath != "" {
		before, err := readSmall(waiversPath)
		if err != nil {
			return nil, err
		}
		if ws, err = policy.LoadWaivers(waiversPath); err != nil {
			return nil, err
		}
		after, err := readSmall(waiversPath)
		if err != nil {
			return nil, err
		}
		if string(before) != string(after) {
			return nil, fmt.Errorf("%s changed while it was read; try again", waiversPath)
		}
		in.WaiversDigest, in.Waivers = evidence.Digest(before), len(ws)
	}
	say := progress(env)
	model, err := importer.LoadContext(ctx, invPath, inventory.Options{})
	if err != nil {
		return nil, err
	}
	say("loaded %s: %d sites, %d elements", invPath, len(model.Sites), len(model.Elements))
	// The canonical digest needs only the inventory: compute it on the
	// cores the check leaves idle.
	digest := make(chan string, 1)
	go func() { digest <- attest.InventoryDigest(model) }()
	res, err := policy.Check(ctx, model, packs, policy.Options{AsOf: asOf, IncludePlanned: planned, Waivers: ws})
	in.InventoryDigest = <-digest
	if err != nil {
		return nil, err
	}
	in.Result = res
	return in, nil
}

// openPacksWithDigests loads packs as openPacks does, and digests each
// from the very bytes it was parsed from.
func openPacksWithDigests(refs []string) ([]*policy.Pack, map[string]string, error) {
	probs := &cf.Problems{}
	var packs []*policy.Pack
	digests := map[string]string{}
	for _, ref := range refs {
		var p *policy.Pack
		var err error
		data, builtin := policy.BuiltinSource(ref)
		if builtin {
			p, _, err = policy.Builtin(ref)
		} else {
			if data, err = readSmall(ref); err != nil {
				if errors.Is(err, fs.ErrNotExist) {
					return nil, nil, usagef("--policy %s: no such policy pack file (and no built-in pack of that id; see `corefence policies`)", ref)
				}
				return nil, nil, err
			}
			p, err = policy.Parse(ref, data)
		}
		if err != nil {
			if ps, ok := cf.AsProblems(err); ok {
				probs.Merge(ps)
				continue
			}
			return nil, nil, err
		}
		if _, dup := digests[p.ID]; dup {
			return nil, nil, usagef("--policy %s given twice", p.ID)
		}
		digests[p.ID] = evidence.Digest(data)
		packs = append(packs, p)
	}
	if err := probs.Err(); err != nil {
		return nil, nil, err
	}
	return packs, digests, nil
}

func readEnvelope(path string) (*evidence.Envelope, error) { return verifycmd.ReadEnvelope(path) }

// readSeed reads an attestation's seed: 32 bytes in hex. The seed is not a
// signing key, but whoever holds it can test guesses about undisclosed
// sites, so it is refused when others may read it, like a private key.
func readSeed(path string) ([]byte, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("seed %s: %w", path, unwrapPath(err))
	}
	if err := evidence.PrivateKeyModeOK(st.Mode()); err != nil {
		return nil, fmt.Errorf("seed %s: %w", path, err)
	}
	data, err := readSmall(path)
	if err != nil {
		return nil, err
	}
	seed, err := hex.DecodeString(strings.TrimSpace(string(data)))
	if err != nil || len(seed) != evidence.SaltSize {
		return nil, fmt.Errorf("seed %s: want %d bytes in hex, as `corefence attest` writes it", path, evidence.SaltSize)
	}
	return seed, nil
}

// readSmall reads a whole file of bounded size (verifycmd.MaxFile).
func readSmall(path string) ([]byte, error) { return verifycmd.ReadFile(path) }

func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// writeEvidenceFile writes data to path through a temporary file in the same
// directory, so that path holds either nothing, its old content or all of
// data. With replace false it refuses to overwrite an existing file (keys,
// seeds): the final step is a hard link, which fails if path exists.
func writeEvidenceFile(path string, data []byte, perm os.FileMode, replace bool) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	name := tmp.Name()
	defer os.Remove(name)
	if err := tmp.Chmod(perm); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if replace {
		return os.Rename(name, path)
	}
	if err := os.Link(name, path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("%s exists; refusing to overwrite it", path)
		}
		return err
	}
	return nil
}

// countsLine says the counts by status, every status found.
func countsLine(counts map[string]int) string {
	var parts []string
	for _, s := range policy.Statuses {
		parts = append(parts, fmt.Sprintf("%d %s", counts[s], s))
	}
	var others []string
	for s := range counts {
		if !slices.Contains(policy.Statuses, s) {
			others = append(others, s)
		}
	}
	sort.Strings(others)
	for _, s := range others {
		parts = append(parts, fmt.Sprintf("%d %s", counts[s], s))
	}
	return strings.Join(parts, ", ")
}
