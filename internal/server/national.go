package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"

	cf "github.com/corefence/corefence"
	"github.com/corefence/corefence/internal/importer"
	"github.com/corefence/corefence/internal/inventory"
	"github.com/corefence/corefence/internal/policy"
	"github.com/corefence/corefence/internal/store"
)

// A run, an exposure analysis or a plan is made on a subject: one
// operator's snapshot, or the national view — every operator's snapshot
// valid on a date, merged into one inventory. The same code makes both;
// what differs is resolved here: which snapshots, which waivers, how the
// inventory is loaded, and what the inputs' digest covers.

// subject is what a run, exposure analysis or plan is made on.
type subject struct {
	operator string           // the tenant, or store.National
	snapshot string           // the operator's snapshot; "" on the national view
	date     cf.Date          // the national view's date
	view     []store.Snapshot // the national view's snapshots, by operator
}

func (sb subject) national() bool { return sb.operator == store.National }

// viewInput is the national view in a record's inputs: its date and each
// operator's snapshot with the digest of its content, so that a new
// upload valid on the date makes a new record.
type viewInput struct {
	Date      string         `json:"date"`
	Snapshots []viewSnapshot `json:"snapshots"`
}

type viewSnapshot struct {
	Operator string `json:"operator"`
	Snapshot string `json:"snapshot"`
	Digest   string `json:"digest"`
}

// input is the subject's part of a record's inputs beyond its snapshot
// id: nil for one snapshot, the view for the national view.
func (sb subject) input() *viewInput {
	if !sb.national() {
		return nil
	}
	in := &viewInput{Date: sb.date.String(), Snapshots: []viewSnapshot{}}
	for _, sn := range sb.view {
		in.Snapshots = append(in.Snapshots, viewSnapshot{Operator: sn.Operator, Snapshot: sn.ID, Digest: sn.Digest})
	}
	return in
}

// subjectOf is the operator whose records a request's path reaches: its
// {op}, or, on the routes under /api/v1/national, the national view's.
func subjectOf(r *http.Request) string {
	if op := r.PathValue("op"); op != "" {
		return op
	}
	return store.National
}

// snapshotProblem checks the snapshot a request names for its subject:
// an operator's record names one of its snapshots (or, where allowed,
// "latest"); the national view is the snapshots valid on the date and
// names none.
func snapshotProblem(operator, snapshot, missing string, probs *cf.Problems) {
	switch {
	case operator == store.National && snapshot != "" && snapshot != "latest":
		probs.Add(cf.Problem{Field: "snapshot", ID: snapshot,
			Message: "the national view is every operator's snapshot valid on as_of: name no snapshot"})
	case operator != store.National && snapshot == "":
		probs.Add(cf.Problem{Field: "snapshot", Message: missing})
	}
}

// resolveSubject finds operator's snapshot, or, for store.National, the
// national view on date: every operator's snapshot valid then. A view of
// no snapshot at all is a problem of the date.
func (s *Server) resolveSubject(ctx context.Context, operator, snapshot string, date cf.Date) (subject, error) {
	if operator != store.National {
		if _, err := s.store.Snapshot(ctx, operator, snapshot); err != nil {
			return subject{}, err
		}
		return subject{operator: operator, snapshot: snapshot}, nil
	}
	ops, err := s.store.Operators(ctx)
	if err != nil {
		return subject{}, err
	}
	sb := subject{operator: store.National, date: date}
	for _, op := range ops {
		sn, err := s.store.SnapshotAsOf(ctx, op.ID, date.String())
		switch {
		case err == nil:
			sb.view = append(sb.view, sn)
		case !isNotFound(err):
			return subject{}, err
		}
	}
	if len(sb.view) == 0 {
		return subject{}, fieldProblem("as_of", fmt.Sprintf("no operator has a snapshot valid on %s: the national view is empty", date))
	}
	return sb, nil
}

// waiverRecords are the waivers in force for the subject's operators —
// the operator's, or every operator's in the view — and their digest.
func (s *Server) waiverRecords(ctx context.Context, sb subject) ([]store.Waiver, string, error) {
	ops := []string{sb.operator}
	if sb.national() {
		ops = ops[:0]
		for _, sn := range sb.view {
			ops = append(ops, sn.Operator)
		}
	}
	active := []store.Waiver{}
	for _, op := range ops {
		ws, err := s.store.Waivers(ctx, op)
		if err != nil {
			return nil, "", err
		}
		for _, w := range ws {
			if w.Revoked == 0 {
				active = append(active, w)
			}
		}
	}
	return active, waiverDigest(active), nil
}

// subjectWaivers converts waiver records for a check of inv. On the
// national view a waiver an operator holds covers its own network only:
// one naming an element or site of another operator's is left out, as it
// would cover nothing in a check of the operator's own snapshot.
func subjectWaivers(inv *inventory.Inventory, sb subject, records []store.Waiver) ([]policy.Waiver, error) {
	if !sb.national() {
		return policyWaivers(records)
	}
	own := []store.Waiver{}
	for _, w := range records {
		owner := w.Operator // a waiver of the whole operator covers its findings only
		switch {
		case w.Element != "":
			owner = ""
			if e, ok := inv.Element(w.Element); ok && inv.Elements[e].SiteRef != inventory.NoRef {
				owner = inv.Sites[inv.Elements[e].SiteRef].Operator
			}
		case w.Site != "":
			owner = ""
			if ref, ok := inv.Site(w.Site); ok {
				owner = inv.Sites[ref].Operator
			}
		}
		if owner == w.Operator {
			own = append(own, w)
		}
	}
	return policyWaivers(own)
}

// loadSubject loads the subject's inventory: its snapshot, or the national
// view's snapshots merged.
func (s *Server) loadSubject(ctx context.Context, sb subject) (*inventory.Inventory, error) {
	if !sb.national() {
		return s.loadSnapshot(ctx, sb.operator, sb.snapshot)
	}
	return s.loadView(ctx, sb)
}

// loadView reads each snapshot of the national view with the importer and
// builds them as one inventory with inventory.BuildMerged (the union
// inventory.Merge describes). Records two operators' snapshots give
// differently under one id are problems naming both, each file as
// OPERATOR/SNAPSHOT/FILE; nothing is computed.
func (s *Server) loadView(ctx context.Context, sb subject) (*inventory.Inventory, error) {
	root, err := os.MkdirTemp(s.cfg.TempDir, "national-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(root)
	docs := make([]*inventory.Doc, 0, len(sb.view))
	for _, sn := range sb.view {
		content, err := s.store.SnapshotContent(ctx, sn.Operator, sn.ID)
		if err != nil {
			return nil, err
		}
		dir := filepath.Join(root, sn.Operator, sn.ID)
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, err
		}
		path, err := unpackCanonical(content, dir)
		if err != nil {
			return nil, err
		}
		doc, err := importer.ReadContext(ctx, path)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, fmt.Errorf("snapshot %s of %s no longer reads: %w", sn.ID, sn.Operator, err)
		}
		os.RemoveAll(dir) // read: the disk is not needed any more
		docs = append(docs, doc)
	}
	view, _ := json.Marshal(sb.input())
	inv, err := inventory.BuildMerged(ctx, docs, digest(view), inventory.Options{})
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, relativeProblems(err, root)
	}
	return inv, nil
}
