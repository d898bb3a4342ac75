package cli

import (
	"crypto/rand"
	"fmt"
	"io"
	"strings"

	"github.com/corefence/corefence/internal/atomicfile"
	"github.com/corefence/corefence/internal/evidence"
	"github.com/corefence/corefence/internal/evidence/attest"
	"github.com/corefence/corefence/internal/htmlreport"
	"github.com/corefence/corefence/internal/inventory"
	"github.com/corefence/corefence/internal/policy"
)

// demoEvidence signs the demo's focus check as the regulator and writes,
// beside the report, the envelope, the regulator's public key and the proof
// of one site with violations. The key pair and the seed are made for the
// run and kept in memory only: the demo's evidence is for verifying, and
// nothing more can be signed or proved with them afterwards.
func demoEvidence(inv *inventory.Inventory, res *policy.Result, d *atomicfile.Dir) (*htmlreport.Evidence, error) {
	pub, priv, err := evidence.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	seed, err := attest.NewSeed(rand.Reader)
	if err != nil {
		return nil, err
	}
	digests := map[string]string{}
	for _, p := range res.Packs {
		data, ok := policy.BuiltinSource(p.ID)
		if !ok {
			return nil, fmt.Errorf("demo: pack %s is not built in", p.ID)
		}
		digests[p.ID] = evidence.Digest(data)
	}
	in := &attest.Input{Result: res, PackDigests: digests, Version: Version}
	env, err := attest.Attest(in, seed, priv)
	if err != nil {
		return nil, err
	}
	payload, err := env.DecodePayload()
	if err != nil {
		return nil, err
	}
	st, problems := evidence.ParseStatement(payload)
	if len(problems) > 0 {
		return nil, fmt.Errorf("demo: the statement made is malformed: %v", problems)
	}
	site := proofSite(inv, res)
	proof, err := attest.Prove(in, seed, payload, st, site)
	if err != nil {
		return nil, err
	}
	pubPEM, err := evidence.MarshalPublicKey(pub)
	if err != nil {
		return nil, err
	}
	e := &htmlreport.Evidence{
		Date: res.AsOf.String(), Signer: "the regulator", KeyID: evidence.KeyID(pub),
		Envelope:  "evidence-" + res.AsOf.String() + ".json",
		PublicKey: "regulator.pub",
		Proof:     "site-" + fileSafe(site) + ".proof",
		Site:      site,
	}
	for name, data := range map[string][]byte{e.Envelope: env.Marshal(), e.PublicKey: pubPEM, e.Proof: proof.Marshal()} {
		if err := d.WriteFile(name, func(w io.Writer) error { _, err := w.Write(data); return err }); err != nil {
			return nil, err
		}
	}
	policies := ""
	for _, p := range res.Packs {
		if !p.Builtin {
			policies += " --policy FILE"
		}
	}
	e.Commands = []string{
		"corefence verify --attestation " + e.Envelope + " --trust " + e.PublicKey,
		"corefence verify --attestation " + e.Envelope + " --trust " + e.PublicKey + " --inventory inventory/" + policies,
		"corefence verify --attestation " + e.Envelope + " --trust " + e.PublicKey + " --proof " + e.Proof,
	}
	return e, nil
}

// proofSite picks the site the demo discloses: the first site, by id, with
// a violation — the kind of site an ally would ask about.
func proofSite(inv *inventory.Inventory, res *policy.Result) string {
	best := ""
	for i := range res.Findings {
		f := &res.Findings[i]
		if f.Status != policy.StatusViolation || f.Site == inventory.NoRef {
			continue
		}
		if id := inv.Sites[f.Site].ID; best == "" || id < best {
			best = id
		}
	}
	if best == "" && len(inv.Sites) > 0 {
		best = inv.Sites[0].ID
	}
	return best
}

// fileSafe makes an id usable as part of a file name.
func fileSafe(id string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.' {
			return r
		}
		return '_'
	}, id)
}
