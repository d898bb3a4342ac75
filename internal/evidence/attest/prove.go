package attest

import (
	"encoding/hex"
	"fmt"

	"github.com/corefence/corefence/internal/evidence"
)

// Prove makes the proof of one site. in must be the check the attestation
// was made from and seed its seed: Prove recomputes the tree and refuses
// when its root is not the signed one, so that it never hands out a proof
// that cannot verify.
func Prove(in *Input, seed []byte, payload []byte, st *evidence.Statement, site string) (*evidence.Proof, error) {
	if len(seed) != evidence.SaltSize {
		return nil, fmt.Errorf("the seed must be %d bytes, not %d", evidence.SaltSize, len(seed))
	}
	if got, want := hexOf(InventoryDigest(in.Result.Inventory)), st.SubjectDigest(evidence.SubjectInventory); got != want {
		return nil, fmt.Errorf("the inventory's canonical digest is sha256:%s, the attestation's is sha256:%s: not the inventory that was attested", got, want)
	}
	if _, ok := in.Result.Inventory.Site(site); !ok {
		return nil, fmt.Errorf("no site %q in the inventory", site)
	}
	leaves, hashes := Leaves(in.Result, seed)
	root := evidence.MerkleRoot(hashes)
	if hex.EncodeToString(root[:]) != st.Predicate.Sites.MerkleRoot {
		return nil, fmt.Errorf("the recomputed Merkle root differs from the signed one: the seed, the packs, the waivers or the options are not those of the attestation")
	}
	idx := -1
	for i := range leaves {
		if leaves[i].Site == site {
			idx = i
			break
		}
	}
	l := leaves[idx]
	p := &evidence.Proof{Scheme: evidence.ProofScheme, Statement: evidence.Digest(payload), Site: l.Site, Operator: l.Operator,
		Findings: l.Findings, Salt: hex.EncodeToString(l.Salt), Index: uint64(idx), TreeSize: uint64(len(leaves))}
	for _, h := range evidence.InclusionPath(idx, hashes) {
		p.Path = append(p.Path, hex.EncodeToString(h[:]))
	}
	if p.Path == nil {
		p.Path = []string{}
	}
	return p, nil
}
