// Package store defines corefence's system of record: operators (tenants),
// principals and their tokens, immutable inventory snapshots, check runs
// with their findings, waivers, policy packs, and the hash-chained audit
// log. The engines never import it; the server adapts between the two.
//
// Every method is one transaction, and every write appends its audit entry
// inside that same transaction, so the log and the data never disagree.
// Implementations live in store/sqlstore (SQLite and PostgreSQL); the suite
// in store/storetest holds both to the same behaviour.
package store

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/corefence/corefence/internal/audit"
)

// Errors the implementations return, to be tested with errors.Is.
var (
	ErrNotFound = errors.New("not found")
	ErrConflict = errors.New("already exists")
	// ErrUnauthenticated is returned for an unknown, malformed, revoked or
	// expired token, without saying which.
	ErrUnauthenticated = errors.New("invalid token")
)

// Roles a principal may hold.
const (
	RoleOperator  = "operator"  // reads and writes its own operator's data only
	RoleRegulator = "regulator" // reads every operator; manages packs, waivers and principals
	RolePartner   = "partner"   // reads signed summaries only
	RoleAdmin     = "admin"     // manages operators, principals and tokens
)

// Roles lists the valid roles.
var Roles = []string{RoleOperator, RoleRegulator, RolePartner, RoleAdmin}

// ValidRole reports whether r is one of Roles.
func ValidRole(r string) bool {
	for _, x := range Roles {
		if x == r {
			return true
		}
	}
	return false
}

// Actor is who performs a write, as the audit log records it.
type Actor struct {
	Principal string // principal id; "system" for the server itself
}

// System is the actor of writes the server makes on its own (init, demo).
var System = Actor{Principal: "system"}

// Operator is a tenant: one network operator reporting to the regulator.
type Operator struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Created int64  `json:"created"` // Unix microseconds
}

// Principal is someone (or something) that holds tokens.
type Principal struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Role     string `json:"role"`
	Operator string `json:"operator,omitempty"` // the tenant of an operator principal
	Created  int64  `json:"created"`
}

// Token is an issued bearer token, without its secret (which is shown
// once, when issued, and stored only as a SHA-256 hash).
type Token struct {
	ID        string `json:"id"`
	Principal string `json:"principal"`
	Created   int64  `json:"created"`
	Expires   int64  `json:"expires"` // Unix microseconds; 0 never
	Revoked   int64  `json:"revoked"` // Unix microseconds; 0 while valid
}

// Snapshot is one operator's inventory as uploaded: immutable, addressed
// by a digest of its operator, canonical content and validity date.
type Snapshot struct {
	Seq       int64  `json:"seq"` // upload order across the store
	ID        string `json:"id"`
	Operator  string `json:"operator"`
	Digest    string `json:"digest"`     // sha256 of the canonical content
	Source    string `json:"source"`     // digest of the files as uploaded (the CLI's inventory digest)
	ValidFrom string `json:"valid_from"` // YYYY-MM-DD: the date the network was as described
	Uploaded  int64  `json:"uploaded"`   // Unix microseconds
	Uploader  string `json:"uploader"`   // principal id
	Counts    string `json:"-"`          // JSON of inventory.Counts
}

// MarshalJSON writes the snapshot with its counts as an object.
func (s Snapshot) MarshalJSON() ([]byte, error) {
	type plain Snapshot
	counts := json.RawMessage(s.Counts)
	if !json.Valid(counts) {
		counts = json.RawMessage("null")
	}
	return json.Marshal(struct {
		plain
		Counts json.RawMessage `json:"counts"`
	}{plain(s), counts})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (s *Snapshot) UnmarshalJSON(b []byte) error {
	type plain Snapshot
	var v struct {
		plain
		Counts json.RawMessage `json:"counts"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*s = Snapshot(v.plain)
	s.Counts = string(v.Counts)
	return nil
}

// NewSnapshot is what an upload provides; the store assigns the rest.
type NewSnapshot struct {
	ID        string
	Operator  string
	Digest    string
	Source    string
	ValidFrom string
	Counts    string
	Content   []byte // the canonical inventory (JSON), reloadable by the importer
}

// National is the operator of runs, exposure analyses and plans made on
// the national view — every operator's snapshot valid on a date — rather
// than on one operator's snapshot. It is no tenant (no operator id can be
// "*"), and such a record's Snapshot is empty: the view's snapshots are
// in its inputs. Pass it where a method takes an operator to reach those
// records; the audit log names every operator the same way.
const National = "*"

// Run is one check of a snapshot, or of the national view, keyed by its
// inputs' digests: the same snapshot, packs, as-of date, waivers and
// options give the same id, and are computed once.
type Run struct {
	Seq      int64  `json:"seq"`
	ID       string `json:"id"`
	Operator string `json:"operator"` // National for a run on the national view
	Snapshot string `json:"snapshot"` // "" for a run on the national view
	AsOf     string `json:"as_of"`
	Inputs   string `json:"inputs"`  // JSON: packs with digests, waiver digest, options
	Summary  string `json:"summary"` // JSON: counts by status, compliant, verdicts
	Created  int64  `json:"created"`
	Creator  string `json:"creator"`
	Findings int    `json:"findings"`
}

// Finding is one finding of a run, with the columns it is queried by and
// its full JSON (the report contract's finding object).
type Finding struct {
	Run      string `json:"-"`
	Seq      int64  `json:"-"` // position in the run, the pagination key
	ID       string `json:"-"`
	Policy   string `json:"-"`
	Rule     string `json:"-"`
	Status   string `json:"-"` // a string, so statuses added later flow through
	Operator string `json:"-"`
	Site     string `json:"-"`
	Element  string `json:"-"`
	Vendor   string `json:"-"`
	JSON     string `json:"-"`
	// Technology is the technologies (corefence.Tech bits) the finding
	// touches: its element's, else those of its site's elements; 0 for an
	// operator-wide finding or a run stored before it was recorded.
	Technology int64 `json:"-"`
	// Deadline is the day the finding falls due (YYYY-MM-DD): the rule's
	// due-by date, else its effective date; "" when it has neither.
	Deadline string `json:"-"`
}

// FindingQuery selects a page of a run's findings. Empty filters match
// everything.
type FindingQuery struct {
	Run    string
	Rule   string
	Status string
	Site   string
	Vendor string
	Policy string
	After  int64 // the Seq of the last finding already seen
	Limit  int
}

// FindingFilter selects findings of a run. Empty fields match everything.
type FindingFilter struct {
	Rule   string
	Status string
	Site   string
	Vendor string
	Policy string
	// Groups are vendor groups: a finding matches if its vendor is one.
	Groups []string
	// Technology matches findings touching any of these corefence.Tech bits.
	Technology int64
}

// Finding sort keys, for FindingSearch.Sort.
const (
	SortSite     = "site"
	SortRule     = "rule"
	SortStatus   = "status" // by severity: violation, advisory, upcoming, unmeasured, waived, others
	SortVendor   = "vendor"
	SortDeadline = "deadline" // findings without one last
)

// FindingSortKeys lists the keys findings sort by ("" is run order).
var FindingSortKeys = []string{SortSite, SortRule, SortStatus, SortVendor, SortDeadline}

// FindingCursor is where a sorted page of findings resumes: after the
// finding with this sort key and sequence number.
type FindingCursor struct {
	Key string
	Seq int64
}

// FindingSearch selects a page of a run's findings, filtered and sorted.
// Findings equal under the sort key are in run order (reversed when
// descending), so the order is total and paging by cursor neither repeats
// nor skips one.
type FindingSearch struct {
	Run    string
	Filter FindingFilter
	Sort   string // one of FindingSortKeys; "" run order
	Desc   bool
	After  *FindingCursor // nil: the first page
	Limit  int
}

// FindingGroup is the findings of a run sharing one site or rule.
type FindingGroup struct {
	Key      string         `json:"key"`
	Findings int            `json:"findings"`
	Statuses map[string]int `json:"statuses"` // findings by status
}

// Finding group keys and sorts, for FindingGroupQuery.
const (
	GroupBySite  = "site"
	GroupByRule  = "rule"
	GroupByCount = "count" // a sort: most findings first when descending
)

// FindingGroupQuery selects a page of a run's findings grouped by site or
// rule, ordered by the key, or by count with the key breaking ties.
type FindingGroupQuery struct {
	Run     string
	Filter  FindingFilter
	By      string // GroupBySite or GroupByRule
	ByCount bool
	Desc    bool
	After   *FindingCursor // Key: the last group's key; Seq: its count
	Limit   int
}

// Waiver is an approved, dated exception recorded in the store.
type Waiver struct {
	ID       string `json:"id"`
	Operator string `json:"operator"` // the tenant it applies to
	Rule     string `json:"rule"`
	Element  string `json:"element,omitempty"`
	Site     string `json:"site,omitempty"`
	Reason   string `json:"reason"`
	Approver string `json:"approver"` // the person named as approving it
	Expires  string `json:"expires"`  // YYYY-MM-DD
	Created  int64  `json:"created"`
	Creator  string `json:"creator"` // the principal who recorded it
	Revoked  int64  `json:"revoked"`
}

// Pack is a policy pack the regulator uploaded (built-in packs are in the
// binary and not stored).
type Pack struct {
	ID       string `json:"id"`
	Version  string `json:"version"`
	Digest   string `json:"digest"`
	Created  int64  `json:"created"`
	Creator  string `json:"creator"`
	Content  []byte `json:"-"`
	Replaced int64  `json:"-"`
}

// Analysis is a computation on a snapshot, or on the national view,
// stored with its result, keyed like a run by its inputs' digests: the
// same snapshot and options give the same id, and are computed once.
// Exposure analyses and plans are analyses.
type Analysis struct {
	Seq      int64  `json:"seq"`
	ID       string `json:"id"`
	Operator string `json:"operator"` // National on the national view
	Snapshot string `json:"snapshot"` // "" on the national view
	Inputs   string `json:"inputs"`   // JSON: engine, snapshot, options
	Report   string `json:"report"`   // JSON: the result; empty in lists
	Created  int64  `json:"created"`
	Creator  string `json:"creator"`
}

// Exposure is an exposure analysis: its report is the exposure engine's.
type Exposure = Analysis

// Plan is a rip-and-replace plan: its report holds the planner's report
// of each policy option.
type Plan = Analysis

// Attestation is the signed evidence of one check run: the DSSE envelope
// the server signed, and, never served to partners, the seed of its site
// salts and the recipe (packs and waivers as they were) from which single
// sites are proved later.
type Attestation struct {
	Seq       int64  `json:"-"`
	Run       string `json:"run"`
	Operator  string `json:"operator"`
	AsOf      string `json:"as_of"`
	KeyID     string `json:"key_id"`    // the signing key's id (evidence.KeyID)
	Statement string `json:"statement"` // hex SHA-256 of the signed payload
	Created   int64  `json:"created"`
	Envelope  []byte `json:"-"` // the DSSE envelope, JSON
	Seed      []byte `json:"-"` // secret: whoever holds it can test guesses about undisclosed sites
	Recipe    string `json:"-"` // JSON the server reads back to prove sites
	Creator   string `json:"-"`
}

// Page bounds a list: items after the cursor (a Seq), at most Limit.
type Page struct {
	After int64
	Limit int
}

// Store is the system of record.
type Store interface {
	// Close releases the store.
	Close() error
	// Ping reports whether the store answers.
	Ping(ctx context.Context) error

	CreateOperator(ctx context.Context, by Actor, op Operator) (Operator, error)
	Operator(ctx context.Context, id string) (Operator, error)
	Operators(ctx context.Context) ([]Operator, error)

	CreatePrincipal(ctx context.Context, by Actor, p Principal) (Principal, error)
	Principal(ctx context.Context, id string) (Principal, error)
	Principals(ctx context.Context) ([]Principal, error)
	// IssueToken creates a token for a principal and returns its secret,
	// which is never stored and cannot be recovered. expires is in Unix
	// microseconds, 0 for never.
	IssueToken(ctx context.Context, by Actor, principal string, expires int64) (secret string, t Token, err error)
	// Authenticate returns the principal holding secret at time now, or
	// ErrUnauthenticated.
	Authenticate(ctx context.Context, secret string, now int64) (Principal, Token, error)
	RevokeToken(ctx context.Context, by Actor, id string) error
	Tokens(ctx context.Context, principal string) ([]Token, error)

	// PutSnapshot stores a snapshot; storing the same id again returns the
	// existing one and created == false, so a retried upload is harmless.
	PutSnapshot(ctx context.Context, by Actor, s NewSnapshot) (snap Snapshot, created bool, err error)
	// Snapshot returns operator's snapshot id; another operator's is
	// ErrNotFound.
	Snapshot(ctx context.Context, operator, id string) (Snapshot, error)
	SnapshotContent(ctx context.Context, operator, id string) ([]byte, error)
	// Snapshots lists operator's snapshots in upload order.
	Snapshots(ctx context.Context, operator string, page Page) ([]Snapshot, error)
	// SnapshotAsOf returns operator's snapshot valid on date (YYYY-MM-DD):
	// the latest valid_from on or before it, the latest upload among equals.
	SnapshotAsOf(ctx context.Context, operator, date string) (Snapshot, error)
	SnapshotCount(ctx context.Context) (int64, error)

	// Run returns the run with id, if operator's (National: a run on the
	// national view).
	Run(ctx context.Context, operator, id string) (Run, error)
	// PutRun stores a run and all its findings at once; an existing id
	// returns the stored run and created == false. A run of operator
	// National has no snapshot; any other names one of its operator's.
	PutRun(ctx context.Context, by Actor, r Run, findings []Finding) (run Run, created bool, err error)
	Runs(ctx context.Context, operator string, page Page) ([]Run, error)
	RunCount(ctx context.Context) (int64, error)
	// Findings returns a page of a run's findings, filtered.
	Findings(ctx context.Context, q FindingQuery) ([]Finding, error)
	// SearchFindings returns a page of a run's findings, filtered and
	// sorted, and the cursor of the next page (nil on the last).
	SearchFindings(ctx context.Context, q FindingSearch) ([]Finding, *FindingCursor, error)
	// GroupFindings returns a page of a run's findings grouped by site or
	// rule, with counts by status, and the cursor of the next page.
	GroupFindings(ctx context.Context, q FindingGroupQuery) ([]FindingGroup, *FindingCursor, error)
	// FindingStatusCounts calls fn for every site (by == GroupBySite) or
	// rule of a run with the number of its findings in one status, in no
	// particular order.
	FindingStatusCounts(ctx context.Context, run, by string, fn func(key, status string, n int) error) error

	// PutAttestation stores the attestation of a run of the same operator;
	// one for the run exists already: the stored one and created == false.
	PutAttestation(ctx context.Context, by Actor, a Attestation) (att Attestation, created bool, err error)
	// Attestation returns the attestation of operator's run, with its
	// envelope, seed and recipe.
	Attestation(ctx context.Context, operator, run string) (Attestation, error)
	// Attestations lists operator's attestations (every operator's when
	// operator is "") in creation order, without envelope, seed or recipe.
	Attestations(ctx context.Context, operator string, page Page) ([]Attestation, error)

	// PutExposure stores an exposure analysis of operator's snapshot; an
	// existing id returns the stored one and created == false.
	PutExposure(ctx context.Context, by Actor, e Exposure) (exp Exposure, created bool, err error)
	// Exposure returns operator's exposure analysis id, with its report.
	Exposure(ctx context.Context, operator, id string) (Exposure, error)
	// Exposures lists operator's exposure analyses in creation order,
	// without their reports.
	Exposures(ctx context.Context, operator string, page Page) ([]Exposure, error)

	// PutPlan stores a plan of operator's snapshot; an existing id returns
	// the stored one and created == false.
	PutPlan(ctx context.Context, by Actor, p Plan) (plan Plan, created bool, err error)
	// Plan returns operator's plan id, with its report.
	Plan(ctx context.Context, operator, id string) (Plan, error)
	// Plans lists operator's plans in creation order, without reports.
	Plans(ctx context.Context, operator string, page Page) ([]Plan, error)

	PutWaiver(ctx context.Context, by Actor, w Waiver) (Waiver, error)
	Waivers(ctx context.Context, operator string) ([]Waiver, error)
	RevokeWaiver(ctx context.Context, by Actor, operator, id string) error

	PutPack(ctx context.Context, by Actor, p Pack) (Pack, error)
	Pack(ctx context.Context, id string) (Pack, error)
	Packs(ctx context.Context) ([]Pack, error)

	// Audit appends an entry of its own, for events that are not writes
	// (a regulator reading another tenant's data).
	Audit(ctx context.Context, by Actor, action, operator, subject, detail string) error
	// AuditLog calls fn for every entry in order, then returns the head the
	// store recorded (the last entry's sequence number and hash).
	AuditLog(ctx context.Context, fn func(audit.Entry) error) (headSeq int64, headHash string, err error)
	// AuditEntries returns a page of the log: entries after the sequence
	// number page.After, at most page.Limit.
	AuditEntries(ctx context.Context, page Page) ([]audit.Entry, error)

	// Size is the store's size on disk, in bytes.
	Size(ctx context.Context) (int64, error)
}
