// Package storetest is the behaviour every store.Store implementation
// shares, as one suite of tests: each implementation's tests call Run with
// a function that opens a fresh, empty store.
package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/corefence/corefence/internal/audit"
	"github.com/corefence/corefence/internal/store"
)

// Opener opens a fresh, empty store for one test; the test's cleanup
// closes and removes it.
type Opener func(t *testing.T) store.Store

var (
	admin = store.Actor{Principal: "admin"}
	ctx   = context.Background()
)

// Run runs the suite against the stores open returns.
func Run(t *testing.T, open Opener) {
	tests := []struct {
		name string
		fn   func(*testing.T, store.Store)
	}{
		{"Operators", testOperators},
		{"Principals", testPrincipals},
		{"Tokens", testTokens},
		{"Snapshots", testSnapshots},
		{"Runs", testRuns},
		{"Findings", testFindings},
		{"Attestations", testAttestations},
		{"Exposures", testExposures},
		{"Plans", testPlans},
		{"Waivers", testWaivers},
		{"Packs", testPacks},
		{"AuditChain", testAuditChain},
		{"ConcurrentWrites", testConcurrentWrites},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, open(t)) })
	}
}

// Verify checks the store's audit chain and returns its problems.
func Verify(t *testing.T, s store.Store) []string {
	t.Helper()
	var v audit.Verifier
	seq, hash, err := s.AuditLog(ctx, func(e audit.Entry) error { v.Add(e); return nil })
	if err != nil {
		t.Fatalf("AuditLog: %v", err)
	}
	return v.Finish(seq, hash)
}

// get fails the test on err, else returns v: get(s.Operators(ctx))(t).
func get[T any](v T, err error) func(*testing.T) T {
	return func(t *testing.T) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func wantErr(t *testing.T, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("got error %v, want %v", err, target)
	}
}

// seed creates operators a and b.
func seed(t *testing.T, s store.Store) {
	t.Helper()
	for _, id := range []string{"a", "b"} {
		get(s.CreateOperator(ctx, admin, store.Operator{ID: id, Name: "Operator " + strings.ToUpper(id)}))(t)
	}
}

func testOperators(t *testing.T, s store.Store) {
	seed(t, s)
	_, err := s.CreateOperator(ctx, admin, store.Operator{ID: "a", Name: "again"})
	wantErr(t, err, store.ErrConflict)
	ops := get(s.Operators(ctx))(t)
	if len(ops) != 2 || ops[0].ID != "a" || ops[1].Name != "Operator B" || ops[0].Created == 0 {
		t.Fatalf("operators: %+v", ops)
	}
	_, err = s.Operator(ctx, "zz")
	wantErr(t, err, store.ErrNotFound)
	if got := get(s.Operator(ctx, "b"))(t); got.Name != "Operator B" {
		t.Fatalf("operator b: %+v", got)
	}
}

func testPrincipals(t *testing.T, s store.Store) {
	seed(t, s)
	get(s.CreatePrincipal(ctx, admin, store.Principal{ID: "alice", Name: "Alice", Role: store.RoleOperator, Operator: "a"}))(t)
	get(s.CreatePrincipal(ctx, admin, store.Principal{ID: "reg", Name: "Regulator", Role: store.RoleRegulator}))(t)
	for _, bad := range []store.Principal{
		{ID: "x", Role: "root"},
		{ID: "x", Role: store.RoleOperator},                 // operator without tenant
		{ID: "x", Role: store.RoleRegulator, Operator: "a"}, // tenant on a non-operator
	} {
		if _, err := s.CreatePrincipal(ctx, admin, bad); err == nil {
			t.Errorf("principal %+v accepted", bad)
		}
	}
	_, err := s.CreatePrincipal(ctx, admin, store.Principal{ID: "x", Role: store.RoleOperator, Operator: "nobody"})
	wantErr(t, err, store.ErrNotFound)
	_, err = s.CreatePrincipal(ctx, admin, store.Principal{ID: "alice", Role: store.RoleAdmin})
	wantErr(t, err, store.ErrConflict)
	ps := get(s.Principals(ctx))(t)
	if len(ps) != 2 || ps[0].ID != "alice" || ps[0].Operator != "a" || ps[1].Operator != "" {
		t.Fatalf("principals: %+v", ps)
	}
}

func testTokens(t *testing.T, s store.Store) {
	seed(t, s)
	get(s.CreatePrincipal(ctx, admin, store.Principal{ID: "alice", Role: store.RoleOperator, Operator: "a"}))(t)
	now := time.Now().UnixMicro()
	secret, tok, err := s.IssueToken(ctx, admin, "alice", now+int64(time.Hour/time.Microsecond))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(secret, "cft_"+tok.ID+"_") || len(secret) < 40 {
		t.Fatalf("secret %q does not look random enough", secret)
	}
	p, got, err := s.Authenticate(ctx, secret, now)
	if err != nil || p.ID != "alice" || p.Operator != "a" || got.ID != tok.ID {
		t.Fatalf("Authenticate: %+v %+v %v", p, got, err)
	}
	other, _, err := s.IssueToken(ctx, admin, "alice", 0)
	if err != nil || other == secret {
		t.Fatalf("second token: %q %v", other, err)
	}
	// A changed last character, another token's id with this secret, junk,
	// an expired token and a revoked one are all simply invalid.
	last := secret[len(secret)-1]
	flipped := secret[:len(secret)-1] + string(map[bool]byte{true: 'A', false: 'B'}[last != 'A'])
	_, otherRest, _ := strings.Cut(strings.TrimPrefix(other, "cft_"), "_")
	swapped := "cft_" + tok.ID + "_" + otherRest
	for _, bad := range []string{flipped, swapped, "", "cft_", "cft__", "Bearer x", strings.Repeat("a", 500)} {
		if _, _, err := s.Authenticate(ctx, bad, now); !errors.Is(err, store.ErrUnauthenticated) {
			t.Errorf("Authenticate(%q): %v", bad, err)
		}
	}
	if _, _, err := s.Authenticate(ctx, secret, now+int64(2*time.Hour/time.Microsecond)); !errors.Is(err, store.ErrUnauthenticated) {
		t.Errorf("expired token accepted: %v", err)
	}
	if err := s.RevokeToken(ctx, admin, tok.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.RevokeToken(ctx, admin, tok.ID); err != nil {
		t.Fatalf("revoking twice: %v", err)
	}
	wantErr(t, s.RevokeToken(ctx, admin, "nope"), store.ErrNotFound)
	if _, _, err := s.Authenticate(ctx, secret, now); !errors.Is(err, store.ErrUnauthenticated) {
		t.Errorf("revoked token accepted: %v", err)
	}
	if _, _, err := s.Authenticate(ctx, other, now); err != nil {
		t.Errorf("the other token stopped working: %v", err)
	}
	toks := get(s.Tokens(ctx, "alice"))(t)
	if len(toks) != 2 || toks[0].Revoked == 0 && toks[1].Revoked == 0 {
		t.Fatalf("tokens: %+v", toks)
	}
	_, _, err = s.IssueToken(ctx, admin, "nobody", 0)
	wantErr(t, err, store.ErrNotFound)
}

func snapshot(op, id, valid string) store.NewSnapshot {
	return store.NewSnapshot{ID: id, Operator: op, Digest: "sha256:" + id, Source: "sha256:src-" + id, ValidFrom: valid,
		Counts: `{"elements":1}`, Content: []byte(`{"content":"` + id + `"}`)}
}

func testSnapshots(t *testing.T, s store.Store) {
	seed(t, s)
	s1, created, err := s.PutSnapshot(ctx, admin, snapshot("a", "s1", "2024-01-01"))
	if err != nil || !created || s1.Seq == 0 || s1.Uploaded == 0 || s1.Uploader != "admin" {
		t.Fatalf("PutSnapshot: %+v %v %v", s1, created, err)
	}
	again, created, err := s.PutSnapshot(ctx, admin, snapshot("a", "s1", "2024-01-01"))
	if err != nil || created || again != s1 {
		t.Fatalf("PutSnapshot again: %+v %v %v", again, created, err)
	}
	must2(t, s, "a", "s2", "2025-01-01")
	must2(t, s, "a", "s3", "2024-06-01") // uploaded late, valid earlier
	must2(t, s, "b", "t1", "2024-01-01")
	_, _, err = s.PutSnapshot(ctx, admin, snapshot("nobody", "x", "2024-01-01"))
	wantErr(t, err, store.ErrNotFound)

	// Another operator's snapshot does not exist for you.
	_, err = s.Snapshot(ctx, "b", "s1")
	wantErr(t, err, store.ErrNotFound)
	_, err = s.SnapshotContent(ctx, "b", "s1")
	wantErr(t, err, store.ErrNotFound)
	if c := get(s.SnapshotContent(ctx, "a", "s1"))(t); string(c) != `{"content":"s1"}` {
		t.Fatalf("content %q", c)
	}
	all := get(s.Snapshots(ctx, "a", store.Page{}))(t)
	if ids(all) != "s1 s2 s3" {
		t.Fatalf("snapshots of a: %s", ids(all))
	}
	p1 := get(s.Snapshots(ctx, "a", store.Page{Limit: 2}))(t)
	p2 := get(s.Snapshots(ctx, "a", store.Page{After: p1[len(p1)-1].Seq, Limit: 2}))(t)
	if ids(p1) != "s1 s2" || ids(p2) != "s3" {
		t.Fatalf("pages %s | %s", ids(p1), ids(p2))
	}
	for date, want := range map[string]string{"2024-01-01": "s1", "2024-05-31": "s1", "2024-06-01": "s3", "2030-01-01": "s2"} {
		if got := get(s.SnapshotAsOf(ctx, "a", date))(t); got.ID != want {
			t.Errorf("as of %s: %s, want %s", date, got.ID, want)
		}
	}
	_, err = s.SnapshotAsOf(ctx, "a", "2023-12-31")
	wantErr(t, err, store.ErrNotFound)
	if n := get(s.SnapshotCount(ctx))(t); n != 4 {
		t.Fatalf("count %d", n)
	}

	// Content larger than a store may keep in one piece (a few MiB, not a
	// multiple of a MiB) comes back byte for byte.
	big := snapshot("b", "big", "2023-01-01")
	big.Content = make([]byte, 5<<20/2+12345)
	for i := range big.Content {
		big.Content[i] = byte(i*31 + i>>12)
	}
	if _, _, err := s.PutSnapshot(ctx, admin, big); err != nil {
		t.Fatal(err)
	}
	if c := get(s.SnapshotContent(ctx, "b", "big"))(t); !bytes.Equal(c, big.Content) {
		t.Fatalf("content of %d bytes came back as %d bytes, or different", len(big.Content), len(c))
	}
}

func must2(t *testing.T, s store.Store, op, id, valid string) store.Snapshot {
	t.Helper()
	sn, _, err := s.PutSnapshot(ctx, admin, snapshot(op, id, valid))
	if err != nil {
		t.Fatal(err)
	}
	return sn
}

func ids[T any](xs []T) string {
	var out []string
	for _, x := range xs {
		switch v := any(x).(type) {
		case store.Snapshot:
			out = append(out, v.ID)
		case store.Run:
			out = append(out, v.ID)
		case store.Finding:
			out = append(out, v.ID)
		case store.Waiver:
			out = append(out, v.ID)
		case store.Exposure:
			out = append(out, v.ID)
		}
	}
	return strings.Join(out, " ")
}

func findings(n int) []store.Finding {
	var fs []store.Finding
	for i := range n {
		fs = append(fs, store.Finding{ID: fmt.Sprintf("f%d", i+1), Policy: "uk", Rule: []string{"r1", "r2"}[i%2],
			Status: []string{"violation", "upcoming", "advisory"}[i%3], Operator: "a", Site: fmt.Sprintf("site-%d", i%4),
			Vendor: []string{"huawei", "zte"}[i%2], JSON: fmt.Sprintf(`{"id":"f%d"}`, i+1)})
	}
	return fs
}

func testRuns(t *testing.T, s store.Store) {
	seed(t, s)
	must2(t, s, "a", "s1", "2024-01-01")
	must2(t, s, "b", "t1", "2024-01-01")
	run := store.Run{ID: "r1", Operator: "a", Snapshot: "s1", AsOf: "2025-01-01", Inputs: `{}`, Summary: `{"violation":1}`}
	got, created, err := s.PutRun(ctx, admin, run, findings(3))
	if err != nil || !created || got.Findings != 3 || got.Created == 0 {
		t.Fatalf("PutRun: %+v %v %v", got, created, err)
	}
	again, created, err := s.PutRun(ctx, admin, run, findings(5))
	if err != nil || created || again.Findings != 3 {
		t.Fatalf("PutRun again: %+v %v %v", again, created, err)
	}
	// A run of another operator's snapshot is refused, and stores nothing.
	_, _, err = s.PutRun(ctx, admin, store.Run{ID: "r2", Operator: "a", Snapshot: "t1", AsOf: "2025-01-01", Inputs: "{}", Summary: "{}"}, findings(1))
	wantErr(t, err, store.ErrNotFound)
	_, err = s.Run(ctx, "a", "r2")
	wantErr(t, err, store.ErrNotFound)
	_, err = s.Run(ctx, "b", "r1")
	wantErr(t, err, store.ErrNotFound)
	if rs := get(s.Runs(ctx, "a", store.Page{}))(t); ids(rs) != "r1" {
		t.Fatalf("runs %s", ids(rs))
	}
	if rs := get(s.Runs(ctx, "b", store.Page{}))(t); len(rs) != 0 {
		t.Fatalf("runs of b %s", ids(rs))
	}
	if n := get(s.RunCount(ctx))(t); n != 1 {
		t.Fatalf("run count %d", n)
	}

	// A run on the national view has no snapshot and no tenant: it is
	// reached as store.National's only, and lists apart from every
	// operator's.
	_, _, err = s.PutRun(ctx, admin, store.Run{ID: "n0", Operator: store.National, Snapshot: "s1", AsOf: "2025-01-01", Inputs: "{}", Summary: "{}"}, nil)
	if err == nil {
		t.Fatal("a national run naming a snapshot was stored")
	}
	nat := store.Run{ID: "n1", Operator: store.National, AsOf: "2025-01-01", Inputs: `{"national":{}}`, Summary: `{}`}
	got, created, err = s.PutRun(ctx, admin, nat, findings(4))
	if err != nil || !created || got.Findings != 4 || got.Operator != store.National || got.Snapshot != "" {
		t.Fatalf("PutRun national: %+v %v %v", got, created, err)
	}
	if again, created, err := s.PutRun(ctx, admin, nat, findings(2)); err != nil || created || again.Findings != 4 {
		t.Fatalf("PutRun national again: %+v %v %v", again, created, err)
	}
	if r := get(s.Run(ctx, store.National, "n1"))(t); r.ID != "n1" || r.Inputs != nat.Inputs {
		t.Fatalf("national run: %+v", r)
	}
	_, err = s.Run(ctx, "a", "n1")
	wantErr(t, err, store.ErrNotFound)
	_, err = s.Run(ctx, store.National, "r1")
	wantErr(t, err, store.ErrNotFound)
	if rs := get(s.Runs(ctx, store.National, store.Page{}))(t); ids(rs) != "n1" {
		t.Fatalf("national runs %s", ids(rs))
	}
	if rs := get(s.Runs(ctx, "a", store.Page{}))(t); ids(rs) != "r1" {
		t.Fatalf("runs of a, with a national run stored: %s", ids(rs))
	}
	fs, err := s.Findings(ctx, store.FindingQuery{Run: "n1", Limit: 10})
	if err != nil || len(fs) != 4 {
		t.Fatalf("national run's findings: %d %v", len(fs), err)
	}
}

func testExposures(t *testing.T, s store.Store) {
	testAnalyses(t, s, s.PutExposure, s.Exposure, s.Exposures)
}

func testPlans(t *testing.T, s store.Store) {
	testAnalyses(t, s, s.PutPlan, s.Plan, s.Plans)
}

// testAnalyses holds one kind of analysis (exposure analyses, plans) to
// the store's contract: stored once, an operator's own only.
func testAnalyses(t *testing.T, s store.Store,
	put func(context.Context, store.Actor, store.Analysis) (store.Analysis, bool, error),
	one func(context.Context, string, string) (store.Analysis, error),
	list func(context.Context, string, store.Page) ([]store.Analysis, error)) {
	seed(t, s)
	must2(t, s, "a", "s1", "2024-01-01")
	must2(t, s, "b", "t1", "2024-01-01")
	x := store.Analysis{ID: "x1", Operator: "a", Snapshot: "s1", Inputs: `{"top":10}`, Report: `{"vendors":[]}`}
	got, created, err := put(ctx, admin, x)
	if err != nil || !created || got.Report != x.Report || got.Created == 0 || got.Creator != admin.Principal {
		t.Fatalf("put: %+v %v %v", got, created, err)
	}
	y := x
	y.Report = `{"other":true}`
	again, created, err := put(ctx, admin, y)
	if err != nil || created || again.Report != x.Report {
		t.Fatalf("put again: %+v %v %v", again, created, err)
	}
	// Another operator's snapshot is refused, and nothing is stored.
	_, _, err = put(ctx, admin, store.Analysis{ID: "x2", Operator: "a", Snapshot: "t1", Inputs: "{}", Report: "{}"})
	wantErr(t, err, store.ErrNotFound)
	_, err = one(ctx, "a", "x2")
	wantErr(t, err, store.ErrNotFound)
	_, err = one(ctx, "b", "x1")
	wantErr(t, err, store.ErrNotFound)
	if full := get(one(ctx, "a", "x1"))(t); full.Report != x.Report || full.Inputs != x.Inputs {
		t.Fatalf("one: %+v", full)
	}
	if xs := get(list(ctx, "a", store.Page{}))(t); ids(xs) != "x1" || xs[0].Report != "" {
		t.Fatalf("list of a: %+v", xs)
	}
	if xs := get(list(ctx, "b", store.Page{}))(t); len(xs) != 0 {
		t.Fatalf("list of b: %+v", xs)
	}

	// One on the national view: no snapshot, no tenant.
	if _, _, err := put(ctx, admin, store.Analysis{ID: "n0", Operator: store.National, Snapshot: "s1", Inputs: "{}", Report: "{}"}); err == nil {
		t.Fatal("a national analysis naming a snapshot was stored")
	}
	n := store.Analysis{ID: "n1", Operator: store.National, Inputs: `{"national":{}}`, Report: `{"n":1}`}
	if got, created, err := put(ctx, admin, n); err != nil || !created || got.Operator != store.National || got.Snapshot != "" {
		t.Fatalf("put national: %+v %v %v", got, created, err)
	}
	if full := get(one(ctx, store.National, "n1"))(t); full.Report != n.Report {
		t.Fatalf("national one: %+v", full)
	}
	_, err = one(ctx, "a", "n1")
	wantErr(t, err, store.ErrNotFound)
	_, err = one(ctx, store.National, "x1")
	wantErr(t, err, store.ErrNotFound)
	if xs := get(list(ctx, store.National, store.Page{}))(t); ids(xs) != "n1" {
		t.Fatalf("national list: %+v", xs)
	}
	if xs := get(list(ctx, "a", store.Page{}))(t); ids(xs) != "x1" {
		t.Fatalf("list of a, with a national one stored: %+v", xs)
	}
}

func testAttestations(t *testing.T, s store.Store) {
	seed(t, s)
	must2(t, s, "a", "s1", "2024-01-01")
	must2(t, s, "b", "t1", "2024-01-01")
	for _, r := range []store.Run{
		{ID: "r1", Operator: "a", Snapshot: "s1", AsOf: "2025-01-01", Inputs: `{}`, Summary: `{}`},
		{ID: "r2", Operator: "b", Snapshot: "t1", AsOf: "2025-01-01", Inputs: `{}`, Summary: `{}`},
	} {
		if _, _, err := s.PutRun(ctx, admin, r, findings(1)); err != nil {
			t.Fatal(err)
		}
	}
	seedBytes := []byte("0123456789abcdef0123456789abcdef")
	a := store.Attestation{Run: "r1", Operator: "a", AsOf: "2025-01-01", KeyID: "k1", Statement: "st1",
		Envelope: []byte(`{"payload":"x"}`), Seed: seedBytes, Recipe: `{"packs":[]}`}
	got, created, err := s.PutAttestation(ctx, admin, a)
	if err != nil || !created || got.Run != "r1" || got.Created == 0 || got.Creator != admin.Principal {
		t.Fatalf("PutAttestation: %+v %v %v", got, created, err)
	}
	// A second signature of the same run keeps the first.
	a2 := a
	a2.Statement, a2.Envelope = "st2", []byte(`{"payload":"y"}`)
	again, created, err := s.PutAttestation(ctx, admin, a2)
	if err != nil || created || again.Statement != "st1" {
		t.Fatalf("PutAttestation again: %+v %v %v", again, created, err)
	}
	full := get(s.Attestation(ctx, "a", "r1"))(t)
	if string(full.Envelope) != `{"payload":"x"}` || string(full.Seed) != string(seedBytes) || full.Recipe != a.Recipe || full.KeyID != "k1" {
		t.Fatalf("Attestation: %+v", full)
	}
	// Another operator's run, or a run named under another operator, is
	// not found, and nothing is stored.
	_, _, err = s.PutAttestation(ctx, admin, store.Attestation{Run: "r2", Operator: "a", Envelope: []byte("{}"), Seed: seedBytes, Recipe: "{}"})
	wantErr(t, err, store.ErrNotFound)
	_, _, err = s.PutAttestation(ctx, admin, store.Attestation{Run: "nope", Operator: "a", Envelope: []byte("{}"), Seed: seedBytes, Recipe: "{}"})
	wantErr(t, err, store.ErrNotFound)
	_, err = s.Attestation(ctx, "b", "r1")
	wantErr(t, err, store.ErrNotFound)
	if as := get(s.Attestations(ctx, "a", store.Page{}))(t); len(as) != 1 || as[0].Run != "r1" || as[0].Seed != nil || as[0].Envelope != nil {
		t.Fatalf("Attestations of a: %+v", as)
	}
	if as := get(s.Attestations(ctx, "b", store.Page{}))(t); len(as) != 0 {
		t.Fatalf("Attestations of b: %+v", as)
	}
	if _, _, err := s.PutAttestation(ctx, admin, store.Attestation{Run: "r2", Operator: "b", AsOf: "2025-01-01", KeyID: "k1", Statement: "st3",
		Envelope: []byte("{}"), Seed: seedBytes, Recipe: "{}"}); err != nil {
		t.Fatal(err)
	}
	if as := get(s.Attestations(ctx, "", store.Page{}))(t); len(as) != 2 || as[0].Run != "r1" || as[1].Run != "r2" {
		t.Fatalf("every operator's attestations: %+v", as)
	}
	if as := get(s.Attestations(ctx, "", store.Page{After: 0, Limit: 1}))(t); len(as) != 1 {
		t.Fatalf("a page of one: %+v", as)
	}
	if probs := Verify(t, s); len(probs) > 0 {
		t.Fatalf("audit chain: %v", probs)
	}
}

func testFindings(t *testing.T, s store.Store) {
	seed(t, s)
	must2(t, s, "a", "s1", "2024-01-01")
	// Enough findings for several insert batches.
	get(func() (store.Run, error) {
		r, _, err := s.PutRun(ctx, admin, store.Run{ID: "r1", Operator: "a", Snapshot: "s1", AsOf: "2025-01-01", Inputs: "{}", Summary: "{}"}, findings(1203))
		return r, err
	}())(t)
	all := get(s.Findings(ctx, store.FindingQuery{Run: "r1", Limit: 2000}))(t)
	if len(all) != 1000 || all[0].ID != "f1" || all[999].ID != "f1000" || all[0].JSON != `{"id":"f1"}` {
		t.Fatalf("first page: %d findings, the limit is 1000", len(all))
	}
	// Walk every page of a filter; pages neither overlap nor skip.
	var seen []store.Finding
	after := int64(0)
	for range 100 {
		page := get(s.Findings(ctx, store.FindingQuery{Run: "r1", Rule: "r2", Status: "advisory", After: after, Limit: 50}))(t)
		if len(page) == 0 {
			break
		}
		seen = append(seen, page...)
		after = page[len(page)-1].Seq
	}
	want := 0
	for i, f := range findings(1203) {
		if f.Rule == "r2" && f.Status == "advisory" {
			if want >= len(seen) || seen[want].ID != f.ID || seen[want].Seq != int64(i+1) {
				t.Fatalf("finding %d: got %+v, want %s", want, seen[min(want, len(seen)-1)], f.ID)
			}
			want++
		}
	}
	if want != len(seen) || want == 0 {
		t.Fatalf("saw %d findings, want %d", len(seen), want)
	}
	for _, q := range []store.FindingQuery{{Site: "site-1"}, {Vendor: "zte"}, {Policy: "uk"}, {Status: "violation", Site: "site-0"}} {
		q.Run, q.Limit = "r1", 1000
		for _, f := range get(s.Findings(ctx, q))(t) {
			if (q.Site != "" && f.Site != q.Site) || (q.Vendor != "" && f.Vendor != q.Vendor) || (q.Status != "" && f.Status != q.Status) {
				t.Fatalf("query %+v returned %+v", q, f)
			}
		}
	}
	if fs := get(s.Findings(ctx, store.FindingQuery{Run: "r1", Rule: "nope"}))(t); len(fs) != 0 {
		t.Fatalf("unknown rule: %d findings", len(fs))
	}
}

func testWaivers(t *testing.T, s store.Store) {
	seed(t, s)
	w := get(s.PutWaiver(ctx, admin, store.Waiver{Operator: "a", Rule: "uk-*", Element: "e1", Reason: "spares on order", Approver: "J. Smith", Expires: "2026-01-01"}))(t)
	if w.ID == "" || w.Creator != "admin" {
		t.Fatalf("waiver %+v", w)
	}
	get(s.PutWaiver(ctx, admin, store.Waiver{Operator: "b", Rule: "r", Site: "s", Reason: "r", Approver: "x", Expires: "2026-01-01"}))(t)
	_, err := s.PutWaiver(ctx, admin, store.Waiver{ID: w.ID, Operator: "a", Rule: "r", Reason: "r", Approver: "x", Expires: "2026-01-01"})
	wantErr(t, err, store.ErrConflict)
	_, err = s.PutWaiver(ctx, admin, store.Waiver{Operator: "nobody", Rule: "r", Reason: "r", Approver: "x", Expires: "2026-01-01"})
	wantErr(t, err, store.ErrNotFound)
	if ws := get(s.Waivers(ctx, "a"))(t); len(ws) != 1 || ws[0] != w {
		t.Fatalf("waivers of a: %+v", ws)
	}
	wantErr(t, s.RevokeWaiver(ctx, admin, "b", w.ID), store.ErrNotFound) // not b's
	if err := s.RevokeWaiver(ctx, admin, "a", w.ID); err != nil {
		t.Fatal(err)
	}
	if ws := get(s.Waivers(ctx, "a"))(t); ws[0].Revoked == 0 {
		t.Fatalf("not revoked: %+v", ws)
	}
}

func testPacks(t *testing.T, s store.Store) {
	get(s.PutPack(ctx, admin, store.Pack{ID: "p", Version: "1", Digest: "d1", Content: []byte("v1")}))(t)
	get(s.PutPack(ctx, admin, store.Pack{ID: "p", Version: "2", Digest: "d2", Content: []byte("v2")}))(t)
	p := get(s.Pack(ctx, "p"))(t)
	if p.Version != "2" || string(p.Content) != "v2" {
		t.Fatalf("pack %+v", p)
	}
	if ps := get(s.Packs(ctx))(t); len(ps) != 1 || ps[0].Content != nil {
		t.Fatalf("packs %+v", ps)
	}
	_, err := s.Pack(ctx, "q")
	wantErr(t, err, store.ErrNotFound)
}

func testAuditChain(t *testing.T, s store.Store) {
	if probs := Verify(t, s); len(probs) != 0 {
		t.Fatalf("empty log: %v", probs)
	}
	seed(t, s)
	must2(t, s, "a", "s1", "2024-01-01")
	must2(t, s, "a", "s1", "2024-01-01") // not created again, not audited again
	if err := s.Audit(ctx, store.Actor{Principal: "reg"}, "snapshot.read", "a", "s1", ""); err != nil {
		t.Fatal(err)
	}
	var actions []string
	head, hash, err := s.AuditLog(ctx, func(e audit.Entry) error {
		actions = append(actions, e.Actor+":"+e.Action+":"+e.Operator+":"+e.Subject)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := "admin:operator.create:a:a admin:operator.create:b:b admin:snapshot.create:a:s1 reg:snapshot.read:a:s1"
	if strings.Join(actions, " ") != want || head != 4 || len(hash) != 64 {
		t.Fatalf("log: %s (head %d %s)\nwant %s", strings.Join(actions, " "), head, hash, want)
	}
	if probs := Verify(t, s); len(probs) != 0 {
		t.Fatalf("verify: %v", probs)
	}
	page := get(s.AuditEntries(ctx, store.Page{After: 1, Limit: 2}))(t)
	if len(page) != 2 || page[0].Seq != 2 || page[1].Seq != 3 || page[1].Prev != page[0].Hash {
		t.Fatalf("audit page: %+v", page)
	}
	if n := get(s.Size(ctx))(t); n <= 0 {
		t.Fatalf("store size %d", n)
	}
}

// testConcurrentWrites appends from many goroutines at once: every write
// lands, and the chain has no fork.
func testConcurrentWrites(t *testing.T, s store.Store) {
	seed(t, s)
	const n = 24
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			op := []string{"a", "b"}[i%2]
			_, _, err := s.PutSnapshot(ctx, admin, snapshot(op, fmt.Sprintf("c%02d", i), "2024-01-01"))
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n2 := get(s.SnapshotCount(ctx))(t); n2 != n {
		t.Fatalf("%d snapshots, want %d", n2, n)
	}
	if probs := Verify(t, s); len(probs) != 0 {
		t.Fatalf("verify: %v", probs)
	}
}
