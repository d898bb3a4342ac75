package evidence

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"

	cf "github.com/corefence/corefence"
)

// The formats an attestation is made of.
const (
	// PayloadType is the DSSE payload type of an in-toto statement.
	PayloadType = "application/vnd.in-toto+json"
	// StatementType is the _type of an in-toto Statement, version 1.
	StatementType = "https://in-toto.io/Statement/v1"
	// PredicateType names corefence's check predicate and its version; the
	// URI is where the predicate is documented. A change that is not a pure
	// addition of fields gets a new version.
	PredicateType = "https://github.com/corefence/corefence/blob/main/docs/evidence.md#check-predicate-v1"
	// LeafScheme names how site leaves are encoded and hashed.
	LeafScheme = "corefence-site-leaf/v1"
)

// Subject names. Packs are "policy/<pack id>".
const (
	SubjectInventory    = "inventory"
	SubjectWaivers      = "waivers"
	SubjectPolicyPrefix = "policy/"
)

// Statement is an in-toto Statement v1 carrying corefence's predicate.
type Statement struct {
	Type          string    `json:"_type"`
	Subject       []Subject `json:"subject"`
	PredicateType string    `json:"predicateType"`
	Predicate     Predicate `json:"predicate"`
}

// Subject is an in-toto ResourceDescriptor with a name and digests
// ("sha256" → lower-case hex).
type Subject struct {
	Name   string            `json:"name"`
	Digest map[string]string `json:"digest"`
}

// Predicate is what a check found, reduced to what may be disclosed: the
// verdicts and figures a regulator reads, and a commitment (Merkle root)
// to every site's findings, from which single sites can later be proved
// without revealing the others. Nothing else about the network is in it.
type Predicate struct {
	AsOf             cf.Date           `json:"as_of"`
	CorefenceVersion string            `json:"corefence_version"`
	Policies         []PolicyRef       `json:"policies"`
	IncludePlanned   bool              `json:"include_planned"`
	Waivers          int               `json:"waivers"`
	Compliant        bool              `json:"compliant"`
	Counts           map[string]int    `json:"counts"`
	Operators        []OperatorVerdict `json:"operators"`
	Shares           []ShareMeasure    `json:"shares"`
	Deadlines        []Deadline        `json:"deadlines"`
	Sites            SiteCommitment    `json:"sites"`
}

// PolicyRef names a pack the check used; its content digest is a subject.
type PolicyRef struct {
	ID      string `json:"id"`
	Version string `json:"version"`
	Builtin bool   `json:"builtin"`
	// Parameters are the values in use of the pack's parameters.
	Parameters map[string]cf.Date `json:"parameters,omitempty"`
}

// OperatorVerdict is one operator's standing: compliant when none of its
// findings is a violation; counts by status (every status findings have,
// so a new status appears without a new predicate version).
type OperatorVerdict struct {
	ID           string         `json:"id"`
	Compliant    bool           `json:"compliant"`
	Counts       map[string]int `json:"counts"`
	NextDeadline string         `json:"next_deadline,omitempty"`
}

// ShareMeasure is one operator's measured share under a share-cap rule.
type ShareMeasure struct {
	Rule     string `json:"rule"`
	Operator string `json:"operator"`
	Metric   string `json:"metric"`
	// Share is the designated vendors' share, rounded to six decimal
	// places for display; Exceeds is decided on the exact fraction.
	Share    string `json:"share,omitempty"`
	Cap      string `json:"cap"`
	Measured bool   `json:"measured"`
	Exceeds  bool   `json:"exceeds"`
	InForce  bool   `json:"in_force"`
}

// Deadline is a rule not yet in force at the as-of date.
type Deadline struct {
	Rule      string  `json:"rule"`
	Effective cf.Date `json:"effective"`
	DaysLeft  int     `json:"days_left"`
	// Upcoming is the number of findings that will be violations then.
	Upcoming int `json:"upcoming"`
}

// SiteCommitment is the Merkle root over one salted leaf per site.
type SiteCommitment struct {
	MerkleRoot string `json:"merkle_root"` // hex SHA-256 (RFC 9162 tree hash)
	Leaf       string `json:"leaf"`        // LeafScheme
}

// ParseStatement decodes a payload and checks its shape against the
// in-toto Statement v1 and corefence's predicate. It returns every problem
// found; the statement is usable only when there are none.
func ParseStatement(payload []byte) (*Statement, []string) {
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }

	// The generic shape first, on a plain map, so that each missing or
	// mistyped field is named.
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(payload, &raw); err != nil {
		return nil, []string{"statement: the payload is not a JSON object: " + err.Error()}
	}
	var typ, predType string
	if err := json.Unmarshal(raw["_type"], &typ); err != nil || typ != StatementType {
		bad("statement: _type is %s; want %q", quoteRaw(raw["_type"]), StatementType)
	}
	if err := json.Unmarshal(raw["predicateType"], &predType); err != nil || predType != PredicateType {
		bad("statement: predicateType is %s; want %q", quoteRaw(raw["predicateType"]), PredicateType)
	}
	var subjects []map[string]json.RawMessage
	if err := json.Unmarshal(raw["subject"], &subjects); err != nil || len(subjects) == 0 {
		bad("statement: subject must be a non-empty list of resource descriptors")
	}
	for i, s := range subjects {
		var name string
		var digest map[string]string
		if err := json.Unmarshal(s["name"], &name); err != nil || name == "" {
			bad("statement: subject %d has no name", i+1)
		}
		if err := json.Unmarshal(s["digest"], &digest); err != nil || len(digest) == 0 {
			bad("statement: subject %d (%s) has no digest", i+1, name)
		}
		for alg, v := range digest {
			if alg == "sha256" && !isHex(v, 32) {
				bad("statement: subject %d (%s): sha256 digest %q is not 64 lower-case hex digits", i+1, name, v)
			}
		}
	}
	if p := raw["predicate"]; len(p) == 0 || p[0] != '{' {
		bad("statement: predicate must be a JSON object")
	}
	if len(problems) > 0 {
		return nil, problems
	}

	var st Statement
	dec := json.NewDecoder(bytes.NewReader(payload))
	if err := dec.Decode(&st); err != nil {
		return nil, []string{"predicate: " + err.Error()}
	}
	p := &st.Predicate
	if p.AsOf.IsZero() {
		bad("predicate: as_of is missing")
	}
	if p.CorefenceVersion == "" {
		bad("predicate: corefence_version is missing")
	}
	if len(p.Policies) == 0 {
		bad("predicate: policies is empty")
	}
	if p.Counts == nil {
		bad("predicate: counts is missing")
	}
	if !isHex(p.Sites.MerkleRoot, 32) {
		bad("predicate: sites.merkle_root %q is not 64 lower-case hex digits", p.Sites.MerkleRoot)
	}
	if p.Sites.Leaf != LeafScheme {
		bad("predicate: sites.leaf is %q; want %q", p.Sites.Leaf, LeafScheme)
	}
	// Exactly the subjects the predicate implies: one inventory, one per
	// policy, waivers when waivers were applied — so that no input can be
	// left unbound.
	names := map[string]int{}
	for _, s := range st.Subject {
		names[s.Name]++
		if _, ok := s.Digest["sha256"]; !ok {
			bad("statement: subject %s has no sha256 digest", s.Name)
		}
	}
	want := map[string]bool{SubjectInventory: true}
	for _, pol := range p.Policies {
		want[SubjectPolicyPrefix+pol.ID] = true
	}
	if p.Waivers > 0 {
		want[SubjectWaivers] = true
	}
	for name := range want {
		if names[name] != 1 {
			bad("statement: want exactly one subject %q, found %d", name, names[name])
		}
	}
	for name := range names {
		if !want[name] {
			bad("statement: subject %q is not one the predicate accounts for", name)
		}
	}
	if len(problems) > 0 {
		return nil, problems
	}
	return &st, nil
}

// Digest returns the hex SHA-256 of data, as subjects hold it and as a
// proof names the payload it belongs to.
func Digest(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// SubjectDigest returns the sha256 digest of the named subject.
func (st *Statement) SubjectDigest(name string) string {
	for _, s := range st.Subject {
		if s.Name == name {
			return s.Digest["sha256"]
		}
	}
	return ""
}

func quoteRaw(r json.RawMessage) string {
	if len(r) == 0 {
		return "missing"
	}
	return strings.TrimSpace(string(r))
}

// IsDigest reports whether s is a SHA-256 digest as subjects hold it: 64
// lower-case hex digits.
func IsDigest(s string) bool { return isHex(s, 32) }

// isHex reports whether s is n bytes in lower-case hex.
func isHex(s string, n int) bool {
	if len(s) != 2*n || strings.ToLower(s) != s {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}
