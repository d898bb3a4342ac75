package htmlreport

// Evidence is a signed attestation of one of the report's checks, written
// beside the report, and how to verify it.
type Evidence struct {
	Date   string // the as-of date of the check attested
	Signer string // who signed, in words, e.g. "the regulator"
	KeyID  string // the signing key's id
	// Files beside the report, by name relative to it.
	Envelope, PublicKey, Proof string
	Site                       string   // the site the proof discloses
	Commands                   []string // the exact commands that verify them, run from the report's directory
}
