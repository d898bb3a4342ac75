package evidence

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Envelope is a DSSE envelope (github.com/secure-systems-lab/dsse,
// envelope.md) as written on the wire. Payload and signatures stay in their
// base64 text, so that adding a signature never re-encodes what others
// signed.
type Envelope struct {
	Payload     string      `json:"payload"`
	PayloadType string      `json:"payloadType"`
	Signatures  []Signature `json:"signatures"`
}

// Signature is one DSSE signature: Sig is base64 of an Ed25519 signature
// over PAE(payloadType, payload); KeyID is an unauthenticated hint.
type Signature struct {
	KeyID string `json:"keyid"`
	Sig   string `json:"sig"`
}

// PAE is DSSE's pre-authentication encoding, what is actually signed:
//
//	"DSSEv1" SP LEN(type) SP type SP LEN(body) SP body
//
// with LEN the byte length as ASCII decimal without leading zeros.
func PAE(payloadType string, payload []byte) []byte {
	b := make([]byte, 0, len(payloadType)+len(payload)+32)
	b = append(b, "DSSEv1 "...)
	b = strconv.AppendInt(b, int64(len(payloadType)), 10)
	b = append(b, ' ')
	b = append(b, payloadType...)
	b = append(b, ' ')
	b = strconv.AppendInt(b, int64(len(payload)), 10)
	b = append(b, ' ')
	return append(b, payload...)
}

// decodeBase64 accepts what DSSE allows: standard or URL-safe base64, with
// or without padding.
func decodeBase64(s string) ([]byte, error) {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return b, nil
		}
	}
	return nil, errors.New("not valid base64")
}

// ParseEnvelope reads a DSSE envelope from JSON. It checks only that the
// JSON is an envelope; whether it verifies is Verify's question.
func ParseEnvelope(data []byte) (*Envelope, error) {
	var env Envelope
	if err := json.Unmarshal(data, &env); err != nil {
		return nil, fmt.Errorf("not a DSSE envelope: %v", err)
	}
	return &env, nil
}

// Marshal returns the envelope as indented JSON with a final newline.
func (e *Envelope) Marshal() []byte {
	if e.Signatures == nil {
		e.Signatures = []Signature{}
	}
	b, err := json.MarshalIndent(e, "", "  ")
	if err != nil {
		panic(err) // strings only
	}
	return append(b, '\n')
}

// DecodePayload returns the payload bytes.
func (e *Envelope) DecodePayload() ([]byte, error) {
	b, err := decodeBase64(e.Payload)
	if err != nil {
		return nil, fmt.Errorf("payload: %v", err)
	}
	return b, nil
}

// Sign adds a signature by priv. It refuses to sign twice with one key, and
// to sign anything but a corefence statement: a signature says "I stand by
// this check", so what is signed must be one.
func (e *Envelope) Sign(priv ed25519.PrivateKey) error {
	pub := priv.Public().(ed25519.PublicKey)
	id := KeyID(pub)
	for _, s := range e.Signatures {
		if s.KeyID == id {
			return fmt.Errorf("the envelope is already signed by key %s", id)
		}
	}
	payload, err := e.DecodePayload()
	if err != nil {
		return err
	}
	if e.PayloadType != PayloadType {
		return fmt.Errorf("payloadType is %q; want %q", e.PayloadType, PayloadType)
	}
	if _, problems := ParseStatement(payload); len(problems) > 0 {
		return fmt.Errorf("the payload is not a corefence statement: %s", strings.Join(problems, "; "))
	}
	sig := ed25519.Sign(priv, PAE(e.PayloadType, payload))
	e.Signatures = append(e.Signatures, Signature{KeyID: id, Sig: base64.StdEncoding.EncodeToString(sig)})
	return nil
}

// NewEnvelope wraps a statement's bytes, unsigned.
func NewEnvelope(payload []byte) *Envelope {
	return &Envelope{Payload: base64.StdEncoding.EncodeToString(payload), PayloadType: PayloadType, Signatures: []Signature{}}
}

// signatureCheck is the outcome of checking every signature against the
// trusted keys.
type signatureCheck struct {
	signers  []string // key ids of the distinct trusted keys with a valid signature
	failures []string // reasons: a signature that claims a trusted key and does not verify
	notes    []string // signatures by keys nobody trusts
}

// checkSignatures verifies each signature over PAE(payloadType, payload).
// A signature counts for the first trusted key it verifies under (the
// keyid is only a hint, so every trusted key is tried); each trusted key
// counts once, however many signatures it made.
func checkSignatures(e *Envelope, payload []byte, trusted []ed25519.PublicKey) signatureCheck {
	var c signatureCheck
	pae := PAE(e.PayloadType, payload)
	ids := make([]string, len(trusted))
	for i, k := range trusted {
		ids[i] = KeyID(k)
	}
	counted := map[string]bool{}
	for n, s := range e.Signatures {
		label := fmt.Sprintf("signature %d (keyid %s)", n+1, shortID(s.KeyID))
		sig, err := decodeBase64(s.Sig)
		if err != nil || len(sig) != ed25519.SignatureSize {
			c.failures = append(c.failures, label+": not an Ed25519 signature (bad base64 or length)")
			continue
		}
		verifiedBy := ""
		for i, k := range trusted {
			if ed25519.Verify(k, pae, sig) {
				verifiedBy = ids[i]
				break
			}
		}
		claimsTrusted := false
		for _, id := range ids {
			if id == s.KeyID {
				claimsTrusted = true
			}
		}
		switch {
		case verifiedBy != "":
			if !counted[verifiedBy] {
				counted[verifiedBy] = true
				c.signers = append(c.signers, verifiedBy)
			}
		case claimsTrusted:
			c.failures = append(c.failures, label+": does not verify over the payload with the trusted key it names (payload or signature altered)")
		default:
			c.notes = append(c.notes, label+": by a key not among the trusted keys; not counted")
		}
	}
	return c
}

// shortID abbreviates a key id for messages.
func shortID(id string) string {
	if id == "" {
		return "none"
	}
	if len(id) > 16 {
		return id[:16] + "…"
	}
	return id
}
