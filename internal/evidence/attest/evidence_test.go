package attest

import (
	"github.com/corefence/corefence/internal/evidence"

	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"flag"
	"os"
	"strings"
	"testing"

	cf "github.com/corefence/corefence"
	"github.com/corefence/corefence/internal/inventory"
	"github.com/corefence/corefence/internal/policy"
)

var update = flag.Bool("update", false, "rewrite golden files")

// fixedKey returns a deterministic key pair, so that tests are repeatable.
func fixedKey(b byte) (ed25519.PublicKey, ed25519.PrivateKey) {
	seed := make([]byte, ed25519.SeedSize)
	for i := range seed {
		seed[i] = b
	}
	priv := ed25519.NewKeyFromSeed(seed)
	return priv.Public().(ed25519.PublicKey), priv
}

var testSeed = []byte(strings.Repeat("s", evidence.SaltSize))

// fixture is a check of the shared small network, attested.
type fixture struct {
	in      *Input
	env     *evidence.Envelope
	payload []byte
	st      *evidence.Statement
	pub     ed25519.PublicKey
}

// checkInput runs the small network's check from files, as the CLI does.
func checkInput(t testing.TB, invPath, packPath, waiversPath string) *Input {
	t.Helper()
	inv := loadInventory(t, invPath)
	data, err := os.ReadFile(packPath)
	if err != nil {
		t.Fatal(err)
	}
	pack, err := policy.Parse(packPath, data)
	if err != nil {
		t.Fatal(err)
	}
	builtinData, _ := policy.BuiltinSource("uk-dvd-2022")
	uk, _, err := policy.Builtin("uk-dvd-2022")
	if err != nil {
		t.Fatal(err)
	}
	in := &Input{PackDigests: map[string]string{pack.ID: evidence.Digest(data), uk.ID: evidence.Digest(builtinData)}, Version: "test"}
	var ws []policy.Waiver
	if waiversPath != "" {
		wdata, err := os.ReadFile(waiversPath)
		if err != nil {
			t.Fatal(err)
		}
		if ws, err = policy.LoadWaivers(waiversPath); err != nil {
			t.Fatal(err)
		}
		in.WaiversDigest, in.Waivers = evidence.Digest(wdata), len(ws)
	}
	res, err := policy.Check(context.Background(), inv, []*policy.Pack{pack, uk}, policy.Options{AsOf: cf.NewDate(2024, 1, 15), Waivers: ws})
	if err != nil {
		t.Fatal(err)
	}
	in.Result = res
	return in
}

const (
	smallNetwork = "../../../testdata/small-network.yaml"
	smallPack    = "../../../testdata/small-pack.yaml"
	smallWaivers = "../../../testdata/small-waivers.yaml"
)

func newFixture(t testing.TB) *fixture {
	t.Helper()
	pub, priv := fixedKey(1)
	in := checkInput(t, smallNetwork, smallPack, smallWaivers)
	env, err := Attest(in, testSeed, priv)
	if err != nil {
		t.Fatal(err)
	}
	payload, err := env.DecodePayload()
	if err != nil {
		t.Fatal(err)
	}
	st, problems := evidence.ParseStatement(payload)
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	return &fixture{in: in, env: env, payload: payload, st: st, pub: pub}
}

// clone copies an envelope through JSON.
func clone(e *evidence.Envelope) *evidence.Envelope {
	c, err := evidence.ParseEnvelope(e.Marshal())
	if err != nil {
		panic(err)
	}
	return c
}

func mustContain(t *testing.T, what string, o *evidence.Outcome, want string) {
	t.Helper()
	if o.Verified() {
		t.Errorf("%s: verified; want a failure naming %q", what, want)
		return
	}
	for _, f := range o.Failures {
		if strings.Contains(f, want) {
			return
		}
	}
	t.Errorf("%s: no failure names %q; failures:\n  %s", what, want, strings.Join(o.Failures, "\n  "))
}

func TestAttestVerifies(t *testing.T) {
	f := newFixture(t)
	o := evidence.Verify(f.env, []ed25519.PublicKey{f.pub}, 1)
	if !o.Verified() {
		t.Fatalf("not verified: %v", o.Failures)
	}
	ConfirmCheck(o, checkInput(t, smallNetwork, smallPack, smallWaivers), testSeed)
	if !o.Verified() {
		t.Fatalf("check not confirmed: %v", o.Failures)
	}
	st := o.Statement
	if len(st.Subject) != 4 || st.Subject[0].Name != "inventory" || st.SubjectDigest("waivers") == "" {
		t.Errorf("subjects: %+v", st.Subject)
	}
	if st.Predicate.Counts["waived"] != 1 || st.Predicate.Compliant {
		t.Errorf("predicate counts %v compliant %v", st.Predicate.Counts, st.Predicate.Compliant)
	}
	// Nothing of the network beyond the predicate's figures: no site,
	// element or area id appears in the payload.
	for _, s := range f.in.Result.Inventory.Sites {
		if strings.Contains(string(f.payload), `"`+s.ID+`"`) {
			t.Errorf("site id %s appears in the statement", s.ID)
		}
	}
	for _, e := range f.in.Result.Inventory.Elements {
		if strings.Contains(string(f.payload), `"`+e.ID+`"`) {
			t.Errorf("element id %s appears in the statement", e.ID)
		}
	}
}

// TestAttestDeterministic: the same check, key and seed give the same
// envelope byte for byte (Ed25519 signatures are deterministic).
func TestAttestDeterministic(t *testing.T) {
	a, b := newFixture(t), newFixture(t)
	if string(a.env.Marshal()) != string(b.env.Marshal()) {
		t.Error("two attestations of one check differ")
	}
}

// TestTampering: each kind of byte the issue names, altered, makes
// verification fail with a reason naming what failed.
func TestTampering(t *testing.T) {
	f := newFixture(t)
	trusted := []ed25519.PublicKey{f.pub}
	proof, err := Prove(f.in, testSeed, f.payload, f.st, "A-001")
	if err != nil {
		t.Fatal(err)
	}
	o := evidence.Verify(f.env, trusted, 1)
	if o.ConfirmProof(proof); !o.Verified() {
		t.Fatalf("the untampered proof does not verify: %v", o.Failures)
	}

	t.Run("payload byte", func(t *testing.T) {
		for i := 0; i < len(f.payload); i += 97 {
			e := clone(f.env)
			p := []byte(string(f.payload))
			p[i] ^= 0x01
			e.Payload = base64.StdEncoding.EncodeToString(p)
			mustContain(t, "payload byte "+string(rune('0'+i%10)), evidence.Verify(e, trusted, 1), "signature 1 (keyid")
		}
	})
	t.Run("payload base64 character", func(t *testing.T) {
		e := clone(f.env)
		b := []byte(e.Payload)
		if b[10] == 'A' {
			b[10] = 'B'
		} else {
			b[10] = 'A'
		}
		e.Payload = string(b)
		mustContain(t, "base64 character", evidence.Verify(e, trusted, 1), "does not verify over the payload")
	})
	t.Run("payloadType", func(t *testing.T) {
		e := clone(f.env)
		e.PayloadType = "application/json"
		mustContain(t, "payloadType", evidence.Verify(e, trusted, 1), "payloadType")
	})
	t.Run("signature byte", func(t *testing.T) {
		for i := 0; i < ed25519.SignatureSize; i += 7 {
			e := clone(f.env)
			sig, _ := base64.StdEncoding.DecodeString(e.Signatures[0].Sig)
			sig[i] ^= 0x80
			e.Signatures[0].Sig = base64.StdEncoding.EncodeToString(sig)
			mustContain(t, "signature byte", evidence.Verify(e, trusted, 1), "signature 1 (keyid")
		}
	})
	t.Run("signature truncated", func(t *testing.T) {
		e := clone(f.env)
		e.Signatures[0].Sig = e.Signatures[0].Sig[:20]
		mustContain(t, "truncated", evidence.Verify(e, trusted, 1), "not an Ed25519 signature")
	})
	t.Run("untrusted signer", func(t *testing.T) {
		other, _ := fixedKey(2)
		mustContain(t, "untrusted", evidence.Verify(f.env, []ed25519.PublicKey{other}, 1), "0 of the trusted keys signed; 1 required")
	})
	t.Run("threshold", func(t *testing.T) {
		other, otherPriv := fixedKey(2)
		mustContain(t, "threshold 2 of 1", evidence.Verify(f.env, []ed25519.PublicKey{f.pub, other}, 2), "1 of the trusted keys signed; 2 required")
		e := clone(f.env)
		if err := e.Sign(otherPriv); err != nil {
			t.Fatal(err)
		}
		if o := evidence.Verify(e, []ed25519.PublicKey{f.pub, other}, 2); !o.Verified() {
			t.Errorf("countersigned: %v", o.Failures)
		}
		// One key signing twice still counts once.
		e.Signatures = append(e.Signatures, e.Signatures[0])
		if o := evidence.Verify(e, []ed25519.PublicKey{f.pub, other}, 3); o.Verified() || len(o.Signers) != 2 {
			t.Errorf("a repeated signature counted twice: %v", o.Signers)
		}
		if err := e.Sign(otherPriv); err == nil {
			t.Error("signing twice with one key was allowed")
		}
	})
	t.Run("inventory: one element's vendor", func(t *testing.T) {
		in := checkInput(t, smallNetwork, smallPack, smallWaivers)
		inv := in.Result.Inventory
		for i := range inv.Elements {
			if inv.Elements[i].ID == "B-001-gnb" {
				inv.Elements[i].Vendor = "Huawei"
			}
		}
		o := evidence.Verify(f.env, trusted, 1)
		ConfirmCheck(o, in, testSeed)
		mustContain(t, "vendor", o, "inventory: its canonical digest")
	})
	t.Run("inventory: the check's result", func(t *testing.T) {
		// The inventory of the attestation, but findings that differ: the
		// predicate comparison names the field.
		in := checkInput(t, smallNetwork, smallPack, "")
		o := evidence.Verify(f.env, trusted, 1)
		ConfirmCheck(o, in, testSeed)
		mustContain(t, "no waivers", o, "waivers: the attested check used waivers")
		mustContain(t, "no waivers", o, "predicate.counts.waived: signed 1, recomputed 0")
		mustContain(t, "no waivers", o, "predicate.sites.merkle_root")
	})
	t.Run("pack", func(t *testing.T) {
		dir := t.TempDir()
		data, _ := os.ReadFile(smallPack)
		altered := strings.Replace(string(data), "cap: 0.35", "cap: 0.36", 1)
		os.WriteFile(dir+"/pack.yaml", []byte(altered), 0o644)
		o := evidence.Verify(f.env, trusted, 1)
		ConfirmCheck(o, checkInput(t, smallNetwork, dir+"/pack.yaml", smallWaivers), testSeed)
		mustContain(t, "pack", o, "policy small: its content digest")
		mustContain(t, "pack", o, "predicate.shares[0].cap: signed \"0.35\", recomputed \"0.36\"")
	})
	t.Run("waivers", func(t *testing.T) {
		dir := t.TempDir()
		data, _ := os.ReadFile(smallWaivers)
		os.WriteFile(dir+"/w.yaml", []byte(strings.Replace(string(data), "2024-03-31", "2024-03-30", 1)), 0o644)
		o := evidence.Verify(f.env, trusted, 1)
		ConfirmCheck(o, checkInput(t, smallNetwork, smallPack, dir+"/w.yaml"), testSeed)
		mustContain(t, "waivers", o, "waivers: their digest")
	})

	proofCases := map[string]func(p *evidence.Proof){
		"proof leaf: a finding's status": func(p *evidence.Proof) { p.Findings[0].Status = "waived" },
		"proof leaf: a finding's count":  func(p *evidence.Proof) { p.Findings[0].Count++ },
		"proof leaf: a finding removed":  func(p *evidence.Proof) { p.Findings = p.Findings[1:] },
		"proof leaf: the site":           func(p *evidence.Proof) { p.Site = "A-002" },
		"proof leaf: the operator":       func(p *evidence.Proof) { p.Operator = "beta" },
		"proof leaf: the salt":           func(p *evidence.Proof) { p.Salt = strings.Repeat("0", 64) },
		"proof path: one hash":           func(p *evidence.Proof) { p.Path[1] = strings.Repeat("ab", 32) },
		"proof path: one bit of a hash": func(p *evidence.Proof) {
			b, _ := hex.DecodeString(p.Path[0])
			b[31] ^= 1
			p.Path[0] = hex.EncodeToString(b)
		},
		"proof path: the index":       func(p *evidence.Proof) { p.Index++ },
		"proof path: the tree size":   func(p *evidence.Proof) { p.TreeSize += 8 },
		"proof path: an entry lost":   func(p *evidence.Proof) { p.Path = p.Path[:len(p.Path)-1] },
		"proof path: entries swapped": func(p *evidence.Proof) { p.Path[0], p.Path[1] = p.Path[1], p.Path[0] },
	}
	for what, change := range proofCases {
		t.Run(what, func(t *testing.T) {
			var p evidence.Proof
			b, _ := json.Marshal(proof)
			json.Unmarshal(b, &p)
			change(&p)
			o := evidence.Verify(f.env, trusted, 1)
			o.ConfirmProof(&p)
			mustContain(t, what, o, `proof for site "`+p.Site+`"`)
		})
	}
	t.Run("proof of another attestation", func(t *testing.T) {
		other := newFixture(t)
		_, priv := fixedKey(1)
		env, _ := Attest(other.in, []byte(strings.Repeat("t", evidence.SaltSize)), priv)
		o := evidence.Verify(env, trusted, 1)
		o.ConfirmProof(proof)
		mustContain(t, "other attestation", o, "made for another attestation")
	})
}

// TestStatementShape: a well-signed payload of the wrong shape fails with
// the field named.
func TestStatementShape(t *testing.T) {
	f := newFixture(t)
	_, priv := fixedKey(1)
	cases := map[string]struct {
		edit func(m map[string]any)
		want string
	}{
		"_type":         {func(m map[string]any) { m["_type"] = "https://in-toto.io/Statement/v0.1" }, "_type"},
		"predicateType": {func(m map[string]any) { m["predicateType"] = "https://slsa.dev/provenance/v1" }, "predicateType"},
		"no subjects":   {func(m map[string]any) { m["subject"] = []any{} }, "subject must be a non-empty list"},
		"subject digest": {func(m map[string]any) {
			m["subject"].([]any)[0].(map[string]any)["digest"] = map[string]any{"sha256": "xyz"}
		}, "not 64 lower-case hex"},
		"extra subject": {func(m map[string]any) {
			m["subject"] = append(m["subject"].([]any), map[string]any{"name": "x", "digest": map[string]any{"sha256": strings.Repeat("0", 64)}})
		}, `subject "x" is not one the predicate accounts for`},
		"subject dropped": {func(m map[string]any) { m["subject"] = m["subject"].([]any)[:1] }, `want exactly one subject "policy/small"`},
		"merkle root": {func(m map[string]any) {
			m["predicate"].(map[string]any)["sites"].(map[string]any)["merkle_root"] = "00"
		}, "merkle_root"},
		"as_of": {func(m map[string]any) { delete(m["predicate"].(map[string]any), "as_of") }, "as_of is missing"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			var m map[string]any
			json.Unmarshal(f.payload, &m)
			c.edit(m)
			payload, _ := json.Marshal(m)
			// Signed properly by the trusted key: only the shape is wrong.
			e := &evidence.Envelope{Payload: base64.StdEncoding.EncodeToString(payload), PayloadType: evidence.PayloadType}
			sig := ed25519.Sign(priv, evidence.PAE(evidence.PayloadType, payload))
			e.Signatures = []evidence.Signature{{KeyID: evidence.KeyID(f.pub), Sig: base64.StdEncoding.EncodeToString(sig)}}
			mustContain(t, name, evidence.Verify(e, []ed25519.PublicKey{f.pub}, 1), c.want)
			if err := e.Sign(priv); err == nil || !strings.Contains(err.Error(), "already signed") {
				// Sign refuses a second signature by the same key first.
				t.Errorf("Sign: %v", err)
			}
		})
	}
}

func TestProveRefusesWrongInputs(t *testing.T) {
	f := newFixture(t)
	if _, err := Prove(f.in, []byte(strings.Repeat("x", evidence.SaltSize)), f.payload, f.st, "A-001"); err == nil || !strings.Contains(err.Error(), "Merkle root differs") {
		t.Errorf("wrong seed: %v", err)
	}
	if _, err := Prove(f.in, testSeed, f.payload, f.st, "nope"); err == nil || !strings.Contains(err.Error(), `no site "nope"`) {
		t.Errorf("unknown site: %v", err)
	}
	in := checkInput(t, smallNetwork, smallPack, smallWaivers)
	in.Result.Inventory.Elements[0].Vendor = "ZTE"
	if _, err := Prove(in, testSeed, f.payload, f.st, "A-001"); err == nil || !strings.Contains(err.Error(), "not the inventory that was attested") {
		t.Errorf("other inventory: %v", err)
	}
}

// TestNewStatusFlowsThrough: counts are a map of whatever statuses the
// findings have, so a status added to the policy engine appears in the
// predicate without a change here.
func TestNewStatusFlowsThrough(t *testing.T) {
	in := checkInput(t, smallNetwork, smallPack, "")
	const added = "some-future-status" // a status the policy engine does not have (yet)
	in.Result.Findings[0].Status = added
	st, err := NewStatement(in, testSeed)
	if err != nil {
		t.Fatal(err)
	}
	op := in.Result.Findings[0].Operator
	if st.Predicate.Counts[added] != 1 {
		t.Errorf("counts: %v", st.Predicate.Counts)
	}
	if op != inventory.NoRef && st.Predicate.Operators[op].Counts[added] != 1 {
		t.Errorf("operator counts: %v", st.Predicate.Operators[op].Counts)
	}
}

// TestSharesFromCheck: the shares the check keeps are those policy.Shares
// measures, so the predicate is the same whichever gave them.
func TestSharesFromCheck(t *testing.T) {
	in := checkInput(t, smallNetwork, smallPack, "")
	res := in.Result
	n := 0
	for _, p := range res.Packs {
		for i := range p.Rules {
			r := &p.Rules[i]
			if r.Kind != policy.KindShareCap {
				continue
			}
			want, err := policy.Shares(res.Inventory, p, r, policy.Options{AsOf: res.AsOf})
			if err != nil {
				t.Fatal(err)
			}
			got, ok := res.Shares[r]
			if !ok || len(got) != len(want) {
				t.Fatalf("%s: check kept %d shares, Shares measures %d", r.ID, len(got), len(want))
			}
			for j := range want {
				g, w := got[j], want[j]
				if g.Operator != w.Operator || g.Metric != w.Metric || g.Measured != w.Measured || g.Why != w.Why {
					t.Errorf("%s share %d: %+v, want %+v", r.ID, j, g, w)
				}
				n++
			}
		}
	}
	if n == 0 {
		t.Fatal("no share measured; the test proves nothing")
	}
	withKept, err := NewStatement(in, testSeed)
	if err != nil {
		t.Fatal(err)
	}
	res.Shares = nil
	measured, err := NewStatement(in, testSeed)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := json.Marshal(withKept)
	b, _ := json.Marshal(measured)
	if string(a) != string(b) {
		t.Error("the statement differs when shares are measured again")
	}
}
