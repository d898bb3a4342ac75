package evidence

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"math/bits"
)

// The site tree is the Merkle tree of RFC 9162 (Certificate Transparency
// 2.0), section 2.1: leaves hashed as SHA-256(0x00 ‖ leaf), interior nodes
// as SHA-256(0x01 ‖ left ‖ right), split at the largest power of two
// smaller than the number of leaves. The prefixes keep a leaf from posing
// as a node. Leaves are ordered by site id (bytewise), so the root does not
// depend on the order of the inventory's records.

// FindingCount is how many of a site's findings share a rule and status.
type FindingCount struct {
	Rule   string `json:"rule"`
	Status string `json:"status"`
	Count  int    `json:"count"`
}

// Leaf is what the tree commits to for one site.
type Leaf struct {
	Site     string         `json:"site"`
	Operator string         `json:"operator"`
	Findings []FindingCount `json:"findings"` // sorted by rule, then status
	Salt     []byte         `json:"-"`
}

// SaltSize is the length of a leaf's salt, and of the seed salts derive from.
const SaltSize = 32

// saltLabel separates salt derivation from any other use of the seed.
const saltLabel = "corefence site salt v1\x00"

// Salt derives a site's salt from the attestation's seed:
// HMAC-SHA256(seed, "corefence site salt v1" ‖ 0x00 ‖ site id). Knowing
// salts of some sites (from their proofs) tells nothing of the others'.
func Salt(seed []byte, site string) []byte { return NewSalter(seed).Salt(site) }

// Salter derives salts with one HMAC state, reset between sites: salting
// a hundred thousand sites does not build a hundred thousand HMACs. It is
// not safe for concurrent use; give each goroutine its own.
type Salter struct{ m hash.Hash }

// NewSalter returns a Salter for the attestation's seed.
func NewSalter(seed []byte) *Salter { return &Salter{hmac.New(sha256.New, seed)} }

// Salt returns the site's salt, as the package's Salt does.
func (s *Salter) Salt(site string) []byte {
	s.m.Reset()
	s.m.Write([]byte(saltLabel))
	s.m.Write([]byte(site))
	return s.m.Sum(nil)
}

// Encode returns the bytes a leaf hash covers:
//
//	"corefence-site-leaf/v1" 0x00 ‖ salt (32 bytes) ‖ str(site) ‖ str(operator)
//	‖ u32(number of finding counts) ‖ for each: str(rule) ‖ str(status) ‖ u32(count)
//
// where str(s) is u32(len(s)) ‖ s and u32 is big-endian. Length prefixes
// make the encoding unambiguous whatever the ids contain.
func (l *Leaf) Encode() []byte {
	n := len(LeafScheme) + 1 + SaltSize + 8 + len(l.Site) + len(l.Operator) + 4
	for _, f := range l.Findings {
		n += 12 + len(f.Rule) + len(f.Status)
	}
	b := make([]byte, 0, n)
	b = append(b, LeafScheme...)
	b = append(b, 0)
	b = append(b, l.Salt...)
	b = appendStr(b, l.Site)
	b = appendStr(b, l.Operator)
	b = binary.BigEndian.AppendUint32(b, uint32(len(l.Findings)))
	for _, f := range l.Findings {
		b = appendStr(b, f.Rule)
		b = appendStr(b, f.Status)
		b = binary.BigEndian.AppendUint32(b, uint32(f.Count))
	}
	return b
}

func appendStr(b []byte, s string) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(len(s)))
	return append(b, s...)
}

// Hash returns the leaf's hash in the tree.
func (l *Leaf) Hash() [32]byte { return leafHash(l.Encode()) }

func leafHash(leaf []byte) [32]byte {
	h := sha256.New()
	h.Write([]byte{0})
	h.Write(leaf)
	var out [32]byte
	h.Sum(out[:0])
	return out
}

func nodeHash(left, right [32]byte) [32]byte {
	var buf [65]byte
	buf[0] = 1
	copy(buf[1:], left[:])
	copy(buf[33:], right[:])
	return sha256.Sum256(buf[:])
}

// MerkleRoot returns the RFC 9162 tree hash of the leaf hashes.
func MerkleRoot(leaves [][32]byte) [32]byte {
	switch len(leaves) {
	case 0:
		return sha256.Sum256(nil)
	case 1:
		return leaves[0]
	}
	k := splitPoint(len(leaves))
	return nodeHash(MerkleRoot(leaves[:k]), MerkleRoot(leaves[k:]))
}

// splitPoint is the largest power of two smaller than n (n ≥ 2).
func splitPoint(n int) int { return 1 << (bits.Len(uint(n-1)) - 1) }

// InclusionPath returns the audit path of leaf index m (RFC 9162, 2.1.3.1):
// the sibling hashes from the leaf up to the root.
func InclusionPath(m int, leaves [][32]byte) [][32]byte {
	if len(leaves) <= 1 {
		return nil
	}
	k := splitPoint(len(leaves))
	if m < k {
		return append(InclusionPath(m, leaves[:k]), MerkleRoot(leaves[k:]))
	}
	return append(InclusionPath(m-k, leaves[k:]), MerkleRoot(leaves[:k]))
}

// rootFromPath computes the root that a leaf hash at index of a tree of
// size leaves leads to along path (RFC 9162, 2.1.3.2). It fails when the
// path has the wrong length for the index and size.
func rootFromPath(index, size uint64, leaf [32]byte, path [][32]byte) ([32]byte, error) {
	if index >= size {
		return [32]byte{}, fmt.Errorf("leaf index %d is not below the tree size %d", index, size)
	}
	fn, sn := index, size-1
	r := leaf
	for _, p := range path {
		if sn == 0 {
			return [32]byte{}, errors.New("the path is longer than the tree is deep")
		}
		if fn&1 == 1 || fn == sn {
			r = nodeHash(p, r)
			if fn&1 == 0 {
				for fn&1 == 0 && fn != 0 {
					fn >>= 1
					sn >>= 1
				}
			}
		} else {
			r = nodeHash(r, p)
		}
		fn >>= 1
		sn >>= 1
	}
	if sn != 0 {
		return [32]byte{}, errors.New("the path is shorter than the tree is deep")
	}
	return r, nil
}
