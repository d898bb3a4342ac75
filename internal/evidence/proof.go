package evidence

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
)

// ProofScheme names the format of a site proof.
const ProofScheme = "corefence-site-proof/v1"

// Proof discloses one site of an attestation: its leaf, the leaf's salt,
// and the Merkle path from the leaf to the signed root. It reveals the
// site's findings and nothing of other sites: the path holds hashes of
// salted leaves, and salts of other sites cannot be derived from this one.
type Proof struct {
	Scheme string `json:"proof"`
	// Statement is the SHA-256 (hex) of the signed payload the proof
	// belongs to.
	Statement string         `json:"statement"`
	Site      string         `json:"site"`
	Operator  string         `json:"operator"`
	Findings  []FindingCount `json:"findings"`
	Salt      string         `json:"salt"` // hex
	Index     uint64         `json:"index"`
	TreeSize  uint64         `json:"tree_size"`
	Path      []string       `json:"path"` // hex sibling hashes, leaf to root
}

// ParseProof reads a proof from JSON.
func ParseProof(data []byte) (*Proof, error) {
	var p Proof
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("not a site proof: %v", err)
	}
	if p.Scheme != ProofScheme {
		return nil, fmt.Errorf("not a site proof: \"proof\" is %q; want %q", p.Scheme, ProofScheme)
	}
	return &p, nil
}

// Marshal returns the proof as indented JSON with a final newline.
func (p *Proof) Marshal() []byte {
	b, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		panic(err)
	}
	return append(b, '\n')
}

// check confirms the proof against a signed payload and its statement and
// returns the reasons it fails, if any.
func (p *Proof) check(payload []byte, st *Statement) []string {
	label := fmt.Sprintf("proof for site %q", p.Site)
	var fails []string
	if p.Statement != Digest(payload) {
		fails = append(fails, label+": made for another attestation (its statement digest is not this payload's)")
	}
	salt, err := hex.DecodeString(p.Salt)
	if err != nil || len(salt) != SaltSize {
		return append(fails, fmt.Sprintf("%s: salt is not %d bytes of hex", label, SaltSize))
	}
	path := make([][32]byte, len(p.Path))
	for i, s := range p.Path {
		b, err := hex.DecodeString(s)
		if err != nil || len(b) != 32 {
			return append(fails, fmt.Sprintf("%s: path entry %d is not a SHA-256 hash in hex", label, i+1))
		}
		copy(path[i][:], b)
	}
	leaf := Leaf{Site: p.Site, Operator: p.Operator, Findings: p.Findings, Salt: salt}
	root, err := rootFromPath(p.Index, p.TreeSize, leaf.Hash(), path)
	if err != nil {
		return append(fails, fmt.Sprintf("%s: path: %v", label, err))
	}
	if hex.EncodeToString(root[:]) != st.Predicate.Sites.MerkleRoot {
		fails = append(fails, label+": the leaf (site, operator, findings, salt) and its Merkle path do not lead to the signed root — the leaf or the path was altered, or belongs to another attestation")
	}
	return fails
}

// Summary describes the site's findings in words, for verify's report.
func (p *Proof) Summary() string {
	if len(p.Findings) == 0 {
		return fmt.Sprintf("site %s (operator %s): no findings", p.Site, p.Operator)
	}
	s := fmt.Sprintf("site %s (operator %s):", p.Site, p.Operator)
	for i, f := range p.Findings {
		if i > 0 {
			s += ","
		}
		s += fmt.Sprintf(" %s %s ×%d", f.Rule, f.Status, f.Count)
	}
	return s
}
