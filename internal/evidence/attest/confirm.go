package attest

import (
	"encoding/json"
	"fmt"
	"sort"

	"github.com/corefence/corefence/internal/evidence"
)

// ConfirmCheck recomputes what the statement says from the inputs the
// verifier holds: the subjects' digests, then the predicate, field by
// field. With the seed, the Merkle root is recomputed too; without it, the
// root is the one thing that cannot be confirmed, and a note says so.
func ConfirmCheck(o *evidence.Outcome, in *Input, seed []byte) {
	st := o.Statement
	if st == nil {
		return
	}
	if got, want := hexOf(InventoryDigest(in.Result.Inventory)), st.SubjectDigest(evidence.SubjectInventory); got != want {
		o.Fail("inventory: its canonical digest is sha256:%s; the signed subject is sha256:%s — not the inventory that was attested", got, want)
	} else {
		o.Pass("inventory: canonical digest sha256:%s matches", got)
	}
	for _, p := range in.Result.Packs {
		want := st.SubjectDigest(evidence.SubjectPolicyPrefix + p.ID)
		switch got := in.PackDigests[p.ID]; {
		case want == "":
			o.Fail("policy %s: not among the attested packs", p.ID)
		case got != want:
			o.Fail("policy %s: its content digest is sha256:%s; the signed subject is sha256:%s — the pack differs from the one attested", p.ID, got, want)
		default:
			o.Pass("policy %s: content digest matches", p.ID)
		}
	}
	if want := st.SubjectDigest(evidence.SubjectWaivers); want != "" || in.WaiversDigest != "" {
		switch {
		case want == "" && in.Waivers > 0:
			o.Fail("waivers: given, but the attested check had none")
		case want != "" && in.WaiversDigest == "":
			o.Fail("waivers: the attested check used waivers (sha256:%s); give them with --waivers", want)
		case want != "" && in.WaiversDigest != want:
			o.Fail("waivers: their digest is sha256:%s; the signed subject is sha256:%s — not the waivers attested", in.WaiversDigest, want)
		case want != "":
			o.Pass("waivers: digest matches")
		}
	}

	re, err := NewStatement(in, seed)
	if err != nil {
		o.Fail("recomputing the check: %v", err)
		return
	}
	signed, recomputed := st.Predicate, re.Predicate
	if signed.CorefenceVersion != recomputed.CorefenceVersion {
		o.Note("the attestation was made by corefence %s; this is %s (results are compared all the same)",
			signed.CorefenceVersion, recomputed.CorefenceVersion)
	}
	recomputed.CorefenceVersion = signed.CorefenceVersion
	if seed == nil {
		recomputed.Sites.MerkleRoot = signed.Sites.MerkleRoot
		o.Note("the sites' Merkle root was not recomputed (it needs the attestation's seed, --seed)")
	}
	diffs := diffJSON("predicate", toPlain(signed), toPlain(recomputed), nil)
	const maxDiffs = 20
	for i, d := range diffs {
		if i == maxDiffs {
			o.Fail("predicate: %d more differences", len(diffs)-maxDiffs)
			break
		}
		o.Fail("%s", d)
	}
	if len(diffs) == 0 {
		what := "verdicts, counts, shares and deadlines"
		if seed != nil {
			what += " and the sites' Merkle root"
		}
		o.Pass("predicate: the check recomputed from the inventory gives the signed %s", what)
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
