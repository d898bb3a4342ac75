// Package evidence is the verifying half of corefence's signed evidence:
// the formats (an in-toto Statement v1 in a DSSE envelope, signed with
// Ed25519; the salted site leaves and their RFC 9162 Merkle tree; site
// proofs), keys, and the checks a third party makes offline — signatures
// against trusted keys and a threshold, the statement's shape, a site
// proof against the signed root.
//
// It imports the standard library and the root package only, never the
// engines: the stand-alone verifier (cmd/corefence-verify) is built from
// it and stays small, quick to start and easy to audit. Making evidence
// from a check, proving sites and re-running an attested check need the
// engines and live in internal/evidence/attest. docs/evidence.md
// documents the formats and the threat model.
package evidence
