package attest

import (
	"github.com/corefence/corefence/internal/evidence"

	"bytes"
	"crypto/ed25519"
	"testing"
)

// FuzzVerify feeds verify's inputs — an envelope and a site proof, as a
// third party receives them — arbitrary bytes. Properties: no panic; an
// envelope that verifies was signed by the trusted key over exactly the
// fixture's payload (a forgery would be a signature bypass); a proof that
// confirms belongs to a verified envelope.
func FuzzVerify(f *testing.F) {
	fx := newFixture(f)
	proof, err := Prove(fx.in, testSeed, fx.payload, fx.st, "A-001")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(fx.env.Marshal(), proof.Marshal())
	f.Add([]byte(`{"payloadType":"application/vnd.in-toto+json","payload":"e30=","signatures":[{"keyid":"","sig":"AA=="}]}`), []byte(`{}`))
	f.Fuzz(func(t *testing.T, envelope, proofData []byte) {
		env, err := evidence.ParseEnvelope(envelope)
		if err != nil {
			return
		}
		o := evidence.Verify(env, []ed25519.PublicKey{fx.pub}, 1)
		if o.Verified() && !bytes.Equal(o.Payload, fx.payload) {
			t.Fatalf("verified a payload the trusted key never signed: %q", o.Payload)
		}
		p, err := evidence.ParseProof(proofData)
		if err != nil {
			return
		}
		o.ConfirmProof(p)
		if o.Verified() && !bytes.Equal(o.Payload, fx.payload) {
			t.Fatal("a proof confirmed against an unverified payload")
		}
	})
}
