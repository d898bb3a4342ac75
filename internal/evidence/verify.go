package evidence

import (
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"sort"
)

// Outcome is what verification found. Verified is true only when nothing
// failed; every failure is a sentence naming what failed.
type Outcome struct {
	Payload   []byte     // the signed payload (nil when it could not be decoded)
	Statement *Statement // the statement, when its shape is right
	Signers   []string   // key ids of the trusted keys that signed
	Passed    []string   // what was confirmed
	Failures  []string   // why it is not verified
	Notes     []string   // things to know that do not fail verification
}

// Verified reports whether every check made passed.
func (o *Outcome) Verified() bool { return len(o.Failures) == 0 }

func (o *Outcome) fail(format string, args ...any) {
	o.Failures = append(o.Failures, fmt.Sprintf(format, args...))
}

func (o *Outcome) pass(format string, args ...any) {
	o.Passed = append(o.Passed, fmt.Sprintf(format, args...))
}

// Verify checks an envelope: its payload type, that at least threshold
// distinct trusted keys signed it (and that no signature naming a trusted
// key fails), and the statement's shape. It needs no network and no clock.
func Verify(env *Envelope, trusted []ed25519.PublicKey, threshold int) *Outcome {
	o := &Outcome{}
	if threshold < 1 {
		threshold = 1
	}
	if env.PayloadType != PayloadType {
		o.fail("envelope: payloadType is %q; want %q", env.PayloadType, PayloadType)
	}
	payload, err := env.DecodePayload()
	if err != nil {
		o.fail("envelope: %v", err)
		return o
	}
	o.Payload = payload
	if len(env.Signatures) == 0 {
		o.fail("envelope: no signatures")
	}
	sc := checkSignatures(env, payload, trusted)
	o.Signers = sc.signers
	o.Failures = append(o.Failures, sc.failures...)
	o.Notes = append(o.Notes, sc.notes...)
	if len(sc.signers) < threshold {
		o.fail("signatures: %d of the trusted keys signed; %d required (--threshold)", len(sc.signers), threshold)
	} else {
		o.pass("signatures: %d trusted key(s) signed (threshold %d): %s", len(sc.signers), threshold, joinShort(sc.signers))
	}
	st, problems := ParseStatement(payload)
	for _, p := range problems {
		o.fail("%s", p)
	}
	if st != nil {
		o.Statement = st
		o.pass("statement: in-toto Statement v1, predicate %s, as of %s, %d subjects", PredicateType, st.Predicate.AsOf, len(st.Subject))
	}
	return o
}

// ConfirmCheck recomputes what the statement says from the inputs the
// verifier holds: the subjects' digests, then the predicate, field by
// field. With the seed, the Merkle root is recomputed too; without it, the
// root is the one thing that cannot be confirmed, and a note says so.
func (o *Outcome) ConfirmCheck(in *Input, seed []byte) {
	st := o.Statement
	if st == nil {
		return
	}
	if got, want := hexOf(InventoryDigest(in.Result.Inventory)), st.SubjectDigest(SubjectInventory); got != want {
		o.fail("inventory: its canonical digest is sha256:%s; the signed subject is sha256:%s — not the inventory that was attested", got, want)
	} else {
		o.pass("inventory: canonical digest sha256:%s matches", got)
	}
	for _, p := range in.Result.Packs {
		want := st.SubjectDigest(subjectPolicyPrefix + p.ID)
		switch got := in.PackDigests[p.ID]; {
		case want == "":
			o.fail("policy %s: not among the attested packs", p.ID)
		case got != want:
			o.fail("policy %s: its content digest is sha256:%s; the signed subject is sha256:%s — the pack differs from the one attested", p.ID, got, want)
		default:
			o.pass("policy %s: content digest matches", p.ID)
		}
	}
	if want := st.SubjectDigest(SubjectWaivers); want != "" || in.WaiversDigest != "" {
		switch {
		case want == "" && in.Waivers > 0:
			o.fail("waivers: given, but the attested check had none")
		case want != "" && in.WaiversDigest == "":
			o.fail("waivers: the attested check used waivers (sha256:%s); give them with --waivers", want)
		case want != "" && in.WaiversDigest != want:
			o.fail("waivers: their digest is sha256:%s; the signed subject is sha256:%s — not the waivers attested", in.WaiversDigest, want)
		case want != "":
			o.pass("waivers: digest matches")
		}
	}

	re, err := NewStatement(in, seed)
	if err != nil {
		o.fail("recomputing the check: %v", err)
		return
	}
	signed, recomputed := st.Predicate, re.Predicate
	if signed.CorefenceVersion != recomputed.CorefenceVersion {
		o.Notes = append(o.Notes, fmt.Sprintf("the attestation was made by corefence %s; this is %s (results are compared all the same)",
			signed.CorefenceVersion, recomputed.CorefenceVersion))
	}
	recomputed.CorefenceVersion = signed.CorefenceVersion
	if seed == nil {
		recomputed.Sites.MerkleRoot = signed.Sites.MerkleRoot
		o.Notes = append(o.Notes, "the sites' Merkle root was not recomputed (it needs the attestation's seed, --seed)")
	}
	diffs := diffJSON("predicate", toPlain(signed), toPlain(recomputed), nil)
	const maxDiffs = 20
	for i, d := range diffs {
		if i == maxDiffs {
			o.fail("predicate: %d more differences", len(diffs)-maxDiffs)
			break
		}
		o.fail("%s", d)
	}
	if len(diffs) == 0 {
		what := "verdicts, counts, shares and deadlines"
		if seed != nil {
			what += " and the sites' Merkle root"
		}
		o.pass("predicate: the check recomputed from the inventory gives the signed %s", what)
	}
}

// ConfirmProof checks a site proof against the signed statement.
func (o *Outcome) ConfirmProof(p *Proof) {
	if o.Statement == nil {
		return
	}
	fails := p.check(o.Payload, o.Statement)
	o.Failures = append(o.Failures, fails...)
	if len(fails) == 0 {
		o.pass("proof: %s — included under the signed Merkle root", p.Summary())
	}
}

// toPlain turns a value into the generic JSON tree it marshals to.
func toPlain(v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		panic(err)
	}
	return out
}

// diffJSON lists the differences between two JSON trees as
// "path: signed X, recomputed Y".
func diffJSON(path string, signed, re any, out []string) []string {
	switch s := signed.(type) {
	case map[string]any:
		r, ok := re.(map[string]any)
		if !ok {
			break
		}
		keys := map[string]bool{}
		for k := range s {
			keys[k] = true
		}
		for k := range r {
			keys[k] = true
		}
		sorted := make([]string, 0, len(keys))
		for k := range keys {
			sorted = append(sorted, k)
		}
		sort.Strings(sorted)
		for _, k := range sorted {
			out = diffJSON(path+"."+k, s[k], r[k], out)
		}
		return out
	case []any:
		r, ok := re.([]any)
		if !ok {
			break
		}
		if len(s) != len(r) {
			out = append(out, fmt.Sprintf("%s: signed %d entries, recomputed %d", path, len(s), len(r)))
		}
		for i := 0; i < min(len(s), len(r)); i++ {
			out = diffJSON(fmt.Sprintf("%s[%d]", path, i), s[i], r[i], out)
		}
		return out
	}
	a, _ := json.Marshal(signed)
	b, _ := json.Marshal(re)
	if string(a) != string(b) {
		out = append(out, fmt.Sprintf("%s: signed %s, recomputed %s", path, orAbsent(a), orAbsent(b)))
	}
	return out
}

func orAbsent(b []byte) string {
	if string(b) == "null" {
		return "absent"
	}
	return string(b)
}

func joinShort(ids []string) string {
	s := ""
	for i, id := range ids {
		if i > 0 {
			s += ", "
		}
		s += shortID(id)
	}
	return s
}
