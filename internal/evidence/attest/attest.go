// Package attest makes corefence's signed evidence from a check and
// confirms it against one: Attest signs a check's statement, Prove
// discloses one site of it, ConfirmCheck re-runs an attested check from
// the inputs a verifier holds and compares every field, and
// InventoryDigest is the inventory's canonical digest the statement is
// bound to. It depends on the engines (inventory, policy, report); the
// formats and the offline checks that need no engine are internal/evidence,
// which the stand-alone verifier is built from. The CLI and the server
// both build an Input and call Attest, Prove and ConfirmCheck.
// docs/evidence.md documents the formats and the threat model.
package attest

import (
	"github.com/corefence/corefence/internal/evidence"

	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"runtime"
	"sort"
	"strconv"
	"sync"

	cf "github.com/corefence/corefence"
	"github.com/corefence/corefence/internal/inventory"
	"github.com/corefence/corefence/internal/policy"
	"github.com/corefence/corefence/internal/report"
)

// Input is a finished check and what it was computed from: everything an
// attestation is bound to.
type Input struct {
	Result *policy.Result
	// PackDigests maps each pack id of Result.Packs to the SHA-256 (hex)
	// of the pack's source bytes (the embedded file of a built-in pack).
	PackDigests map[string]string
	// WaiversDigest is the SHA-256 (hex) of the waivers file, "" when the
	// check ran without waivers.
	WaiversDigest  string
	Waivers        int // number of waivers in the file
	IncludePlanned bool
	// Version is the corefence version that ran the check.
	Version string
	// InventoryDigest, when not "", is InventoryDigest(Result.Inventory)
	// computed already — a caller may compute it while the check runs.
	InventoryDigest string
}

// NewSeed returns a fresh secret seed for an attestation's salts.
func NewSeed(rand interface{ Read([]byte) (int, error) }) ([]byte, error) {
	seed := make([]byte, evidence.SaltSize)
	if _, err := rand.Read(seed); err != nil {
		return nil, err
	}
	return seed, nil
}

// Attest makes the statement of a check, with its site leaves salted from
// seed, and returns it in a DSSE envelope signed by priv.
func Attest(in *Input, seed []byte, priv ed25519.PrivateKey) (*evidence.Envelope, error) {
	st, err := NewStatement(in, seed)
	if err != nil {
		return nil, err
	}
	payload, err := json.Marshal(st)
	if err != nil {
		return nil, err
	}
	env := evidence.NewEnvelope(payload)
	if err := env.Sign(priv); err != nil {
		return nil, err
	}
	return env, nil
}

// NewStatement builds the statement of a check. With a nil seed the site
// commitment is left empty (a verifier without the seed cannot recompute
// it).
func NewStatement(in *Input, seed []byte) (*evidence.Statement, error) {
	res := in.Result
	if res == nil || res.Inventory == nil {
		return nil, errors.New("attest: no check result")
	}
	if seed != nil && len(seed) != evidence.SaltSize {
		return nil, fmt.Errorf("attest: the seed must be %d bytes, not %d", evidence.SaltSize, len(seed))
	}
	// The digest, the predicate's measures and the site leaves are
	// independent: compute them side by side.
	var (
		invDigest string
		pred      *evidence.Predicate
		predErr   error
		hashes    [][32]byte
		wg        sync.WaitGroup
	)
	if invDigest = in.InventoryDigest; invDigest == "" {
		wg.Go(func() { invDigest = InventoryDigest(res.Inventory) })
	}
	wg.Go(func() { pred, predErr = newPredicate(in) })
	if seed != nil {
		wg.Go(func() { _, hashes = Leaves(res, seed) })
	}
	wg.Wait()
	if predErr != nil {
		return nil, predErr
	}
	if seed != nil {
		root := evidence.MerkleRoot(hashes)
		pred.Sites.MerkleRoot = hex.EncodeToString(root[:])
	}
	st := &evidence.Statement{Type: evidence.StatementType, PredicateType: evidence.PredicateType}
	st.Subject = append(st.Subject, evidence.Subject{Name: evidence.SubjectInventory, Digest: map[string]string{"sha256": hexOf(invDigest)}})
	for _, p := range res.Packs {
		d, ok := in.PackDigests[p.ID]
		if !ok || !evidence.IsDigest(d) {
			return nil, fmt.Errorf("attest: no content digest for pack %s", p.ID)
		}
		st.Subject = append(st.Subject, evidence.Subject{Name: evidence.SubjectPolicyPrefix + p.ID, Digest: map[string]string{"sha256": d}})
	}
	if in.WaiversDigest != "" && in.Waivers > 0 {
		st.Subject = append(st.Subject, evidence.Subject{Name: evidence.SubjectWaivers, Digest: map[string]string{"sha256": in.WaiversDigest}})
	}
	st.Predicate = *pred
	return st, nil
}

// hexOf strips the "sha256:" of InventoryDigest.
func hexOf(d string) string { return d[len("sha256:"):] }

func newPredicate(in *Input) (*evidence.Predicate, error) {
	res := in.Result
	inv := res.Inventory
	p := &evidence.Predicate{
		AsOf:             res.AsOf,
		CorefenceVersion: in.Version,
		IncludePlanned:   in.IncludePlanned,
		Waivers:          in.Waivers,
		Compliant:        res.Compliant(),
		Counts:           res.Count(),
		Operators:        []evidence.OperatorVerdict{},
		Shares:           []evidence.ShareMeasure{},
		Deadlines:        []evidence.Deadline{},
		Sites:            evidence.SiteCommitment{Leaf: evidence.LeafScheme},
	}
	for _, pk := range res.Packs {
		ref := evidence.PolicyRef{ID: pk.ID, Version: pk.Version, Builtin: pk.Builtin}
		for _, prm := range pk.Parameters {
			if ref.Parameters == nil {
				ref.Parameters = map[string]cf.Date{}
			}
			ref.Parameters[prm.Name] = prm.Value
		}
		p.Policies = append(p.Policies, ref)
	}
	for _, v := range report.Verdicts(res) {
		p.Operators = append(p.Operators, evidence.OperatorVerdict{ID: v.ID, Compliant: v.Compliant, Counts: v.Counts, NextDeadline: v.NextDeadline})
	}

	upcoming := map[*policy.Rule]int{}
	for i := range res.Findings {
		if f := &res.Findings[i]; f.Status == policy.StatusUpcoming {
			upcoming[f.Rule]++
		}
	}
	opts := policy.Options{AsOf: res.AsOf, IncludePlanned: in.IncludePlanned}
	for _, pk := range res.Packs {
		for i := range pk.Rules {
			r := &pk.Rules[i]
			if r.Effective > res.AsOf {
				p.Deadlines = append(p.Deadlines, evidence.Deadline{Rule: r.ID, Effective: r.Effective, DaysLeft: r.Effective.Sub(res.AsOf), Upcoming: upcoming[r]})
			}
			if r.Kind != policy.KindShareCap {
				continue
			}
			// The check measured them already; a result made otherwise
			// has them measured again.
			shares, ok := res.Shares[r]
			if !ok {
				var err error
				if shares, err = policy.Shares(inv, pk, r, opts); err != nil {
					return nil, err
				}
			}
			for _, s := range shares {
				m := evidence.ShareMeasure{Rule: r.ID, Operator: inv.OperatorID(s.Operator), Metric: s.Metric,
					Measured: s.Measured, InForce: r.Effective <= res.AsOf}
				if r.Cap != nil {
					m.Cap = r.Cap.String()
				}
				if s.Measured && s.Value.Den != nil && s.Value.Den.Sign() != 0 {
					if f := s.Value.Float(); !math.IsNaN(f) {
						m.Share = strconv.FormatFloat(f, 'f', 6, 64)
					}
					if r.Cap != nil {
						m.Exceeds = s.Value.Exceeds(*r.Cap)
					}
				}
				p.Shares = append(p.Shares, m)
			}
		}
	}
	sort.SliceStable(p.Deadlines, func(i, j int) bool { return p.Deadlines[i].Effective < p.Deadlines[j].Effective })
	return p, nil
}

// Leaves returns one leaf per site of the checked inventory, ordered by
// site id, salted from seed, and their hashes.
func Leaves(res *policy.Result, seed []byte) ([]evidence.Leaf, [][32]byte) {
	inv := res.Inventory
	type key struct{ rule, status string }
	perSite := map[inventory.Ref]map[key]int{}
	for i := range res.Findings {
		f := &res.Findings[i]
		if f.Site == inventory.NoRef {
			continue
		}
		m := perSite[f.Site]
		if m == nil {
			m = map[key]int{}
			perSite[f.Site] = m
		}
		m[key{f.Rule.ID, f.Status}]++
	}
	order := make([]int, len(inv.Sites))
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(a, b int) bool { return inv.Sites[order[a]].ID < inv.Sites[order[b]].ID })

	leaves := make([]evidence.Leaf, len(order))
	for n, i := range order {
		s := &inv.Sites[i]
		l := evidence.Leaf{Site: s.ID, Operator: s.Operator, Findings: []evidence.FindingCount{}}
		for k, c := range perSite[inventory.Ref(i)] {
			l.Findings = append(l.Findings, evidence.FindingCount{Rule: k.rule, Status: k.status, Count: c})
		}
		sort.Slice(l.Findings, func(a, b int) bool {
			fa, fb := l.Findings[a], l.Findings[b]
			if fa.Rule != fb.Rule {
				return fa.Rule < fb.Rule
			}
			return fa.Status < fb.Status
		})
		leaves[n] = l
	}
	// Salting and hashing are independent per leaf: spread them over the
	// cores.
	hashes := make([][32]byte, len(leaves))
	workers := runtime.GOMAXPROCS(0)
	per := (len(leaves) + workers - 1) / workers
	var wg sync.WaitGroup
	for from := 0; from < len(leaves); from += per {
		to := min(from+per, len(leaves))
		wg.Add(1)
		go func() {
			defer wg.Done()
			salts := evidence.NewSalter(seed)
			for i := from; i < to; i++ {
				leaves[i].Salt = salts.Salt(leaves[i].Site)
				hashes[i] = leaves[i].Hash()
			}
		}()
	}
	wg.Wait()
	return leaves, hashes
}
