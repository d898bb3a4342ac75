package evidence

import (
	"crypto/ed25519"
	"fmt"
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

// Fail records why verification fails; checks made outside this package
// (re-running the check) report through it too.
func (o *Outcome) Fail(format string, args ...any) {
	o.Failures = append(o.Failures, fmt.Sprintf(format, args...))
}

// Pass records what was confirmed.
func (o *Outcome) Pass(format string, args ...any) {
	o.Passed = append(o.Passed, fmt.Sprintf(format, args...))
}

// Note records something to know that does not fail verification.
func (o *Outcome) Note(format string, args ...any) {
	o.Notes = append(o.Notes, fmt.Sprintf(format, args...))
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
		o.Fail("envelope: payloadType is %q; want %q", env.PayloadType, PayloadType)
	}
	payload, err := env.DecodePayload()
	if err != nil {
		o.Fail("envelope: %v", err)
		return o
	}
	o.Payload = payload
	if len(env.Signatures) == 0 {
		o.Fail("envelope: no signatures")
	}
	sc := checkSignatures(env, payload, trusted)
	o.Signers = sc.signers
	o.Failures = append(o.Failures, sc.failures...)
	o.Notes = append(o.Notes, sc.notes...)
	if len(sc.signers) < threshold {
		o.Fail("signatures: %d of the trusted keys signed; %d required (--threshold)", len(sc.signers), threshold)
	} else {
		o.Pass("signatures: %d trusted key(s) signed (threshold %d): %s", len(sc.signers), threshold, joinShort(sc.signers))
	}
	st, problems := ParseStatement(payload)
	for _, p := range problems {
		o.Fail("%s", p)
	}
	if st != nil {
		o.Statement = st
		o.Pass("statement: in-toto Statement v1, predicate %s, as of %s, %d subjects", PredicateType, st.Predicate.AsOf, len(st.Subject))
	}
	return o
}

// ConfirmProof checks a site proof against the signed statement.
func (o *Outcome) ConfirmProof(p *Proof) {
	if o.Statement == nil {
		return
	}
	fails := p.check(o.Payload, o.Statement)
	o.Failures = append(o.Failures, fails...)
	if len(fails) == 0 {
		o.Pass("proof: %s — included under the signed Merkle root", p.Summary())
	}
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
