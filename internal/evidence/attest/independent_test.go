package attest

import (
	"github.com/corefence/corefence/internal/evidence"

	"crypto/ed25519"
	"encoding/base64"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// python is Debian's interpreter, where python3-securesystemslib installs
// (a pyenv python3 first on PATH would not see it).
const python = "/usr/bin/python3"

// TestIndependentVerifier has envelopes and site proofs checked by code
// that shares nothing with corefence: testdata/independent_verify.py
// writes DSSE's evidence.PAE from the specification, verifies Ed25519 with
// securesystemslib (Debian python3-securesystemslib), checks the statement
// against the in-toto v1 evidence.Statement shape and proofs with RFC 9162's
// algorithm. Altered envelopes and proofs must fail there too.
func TestIndependentVerifier(t *testing.T) {
	if out, err := exec.Command(python, "-c", "import securesystemslib.signer").CombinedOutput(); err != nil {
		t.Skipf("independent verifier skipped: `%s -c 'import securesystemslib.signer'` failed (%v: %s); install Debian's python3-securesystemslib (scripts/test does)",
			python, err, strings.TrimSpace(string(out)))
	}
	f := newFixture(t)
	regulator, regulatorPriv := fixedKey(9)
	env := clone(f.env)
	if err := env.Sign(regulatorPriv); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	opPub, _ := evidence.MarshalPublicKey(f.pub)
	regPub, _ := evidence.MarshalPublicKey(regulator)
	keys := []string{write("operator.pub", opPub), write("regulator.pub", regPub)}
	var proofs []string
	for _, s := range f.in.Result.Inventory.Sites {
		p, err := Prove(f.in, testSeed, f.payload, f.st, s.ID)
		if err != nil {
			t.Fatal(err)
		}
		proofs = append(proofs, "--proof", write(s.ID+".proof", p.Marshal()))
	}
	run := func(envPath string, threshold string, extra ...string) (string, bool) {
		args := append([]string{"testdata/independent_verify.py", envPath, threshold}, keys...)
		out, err := exec.Command(python, append(args, extra...)...).CombinedOutput()
		if err != nil {
			if _, exit := err.(*exec.ExitError); !exit {
				t.Fatalf("python: %v: %s", err, out)
			}
		}
		return string(out), err == nil
	}

	good := write("good.json", env.Marshal())
	if out, ok := run(good, "2", proofs...); !ok || !strings.Contains(out, "VERIFIED") || strings.Count(out, "included under the signed root") != len(f.in.Result.Inventory.Sites) {
		t.Fatalf("the independent verifier rejects corefence's envelope or proofs:\n%s", out)
	}

	payloadTampered := clone(env)
	p := []byte(string(f.payload))
	p[len(p)/2] ^= 1
	payloadTampered.Payload = base64.StdEncoding.EncodeToString(p)
	sigTampered := clone(env)
	sig, _ := base64.StdEncoding.DecodeString(sigTampered.Signatures[1].Sig)
	sig[ed25519.SignatureSize-1] ^= 1
	sigTampered.Signatures[1].Sig = base64.StdEncoding.EncodeToString(sig)
	proof, _ := Prove(f.in, testSeed, f.payload, f.st, "B-001")
	proof.Findings = append(proof.Findings, evidence.FindingCount{Rule: "small/core", Status: "waived", Count: 1})
	for what, args := range map[string][]string{
		"payload byte":   {write("payload.json", payloadTampered.Marshal()), "1"},
		"signature byte": {write("sig.json", sigTampered.Marshal()), "2"},
		"proof leaf":     {good, "2", "--proof", write("bad.proof", proof.Marshal())},
	} {
		if out, ok := run(args[0], args[1], args[2:]...); ok || !strings.Contains(out, "NOT VERIFIED") {
			t.Errorf("%s altered: the independent verifier accepts it:\n%s", what, out)
		}
	}
}
