// Package audit is the hash chain of corefence's audit log: how an entry is
// hashed, and how a sequence of entries is verified. Each entry carries the
// hash of the one before it, so editing, removing or reordering any entry
// breaks every link after it. The store appends entries; this package only
// knows the chain.
package audit

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
)

// Genesis is the previous hash of the first entry.
const Genesis = "0000000000000000000000000000000000000000000000000000000000000000"

// Entry is one audited event.
type Entry struct {
	Seq      int64  `json:"seq"`      // 1, 2, 3 … with no gaps
	At       int64  `json:"at"`       // Unix microseconds, UTC
	Actor    string `json:"actor"`    // the principal who acted; "system" for the server itself
	Action   string `json:"action"`   // e.g. "snapshot.create", "waiver.create", "operator.read"
	Operator string `json:"operator"` // the tenant whose data was touched, if any
	Subject  string `json:"subject"`  // the id of the record touched
	Detail   string `json:"detail"`   // a small JSON object with what else matters
	Prev     string `json:"prev"`     // hex SHA-256 of the previous entry, Genesis for the first
	Hash     string `json:"hash"`     // hex SHA-256 of this entry
}

// Sum computes the entry's hash from every field but Hash. Fields are
// length-prefixed, so no choice of values can make two entries hash alike.
func (e *Entry) Sum() string {
	h := sha256.New()
	var n [8]byte
	num := func(v int64) {
		binary.BigEndian.PutUint64(n[:], uint64(v))
		h.Write(n[:])
	}
	str := func(s string) {
		num(int64(len(s)))
		h.Write([]byte(s))
	}
	str("corefence-audit-v1")
	num(e.Seq)
	num(e.At)
	str(e.Actor)
	str(e.Action)
	str(e.Operator)
	str(e.Subject)
	str(e.Detail)
	str(e.Prev)
	return hex.EncodeToString(h.Sum(nil))
}

// Seal sets e's sequence number, previous hash and hash, making it the
// entry that follows prev (nil for the first entry).
func (e *Entry) Seal(prev *Entry) {
	e.Seq, e.Prev = 1, Genesis
	if prev != nil {
		e.Seq, e.Prev = prev.Seq+1, prev.Hash
	}
	e.Hash = e.Sum()
}

// Verifier checks entries one by one, in the order they are stored, so that
// a log of any length is verified in constant memory.
type Verifier struct {
	last     *Entry
	n        int64
	problems []string
}

// maxProblems bounds the report: after a break every later link may fail.
const maxProblems = 100

func (v *Verifier) fail(format string, args ...any) {
	if len(v.problems) < maxProblems {
		v.problems = append(v.problems, fmt.Sprintf(format, args...))
	}
}

// Add checks the next entry against the one before it.
func (v *Verifier) Add(e Entry) {
	v.n++
	wantSeq, wantPrev := int64(1), Genesis
	if v.last != nil {
		wantSeq, wantPrev = v.last.Seq+1, v.last.Hash
	}
	switch {
	case e.Seq != wantSeq:
		v.fail("entry %d: expected sequence number %d: an entry was removed, inserted or reordered", e.Seq, wantSeq)
	case e.Prev != wantPrev:
		v.fail("entry %d: previous hash %.12s… does not match entry %d's hash %.12s…: an entry was removed, inserted or reordered", e.Seq, e.Prev, wantSeq-1, wantPrev)
	}
	if sum := e.Sum(); sum != e.Hash {
		v.fail("entry %d: hash %.12s… does not match its contents (%.12s…): the entry was edited", e.Seq, e.Hash, sum)
	}
	v.last = &e
}

// Finish checks the end of the chain against the head the store recorded
// (the sequence number and hash of the last entry appended), which detects
// entries removed from the end. It returns every problem found, or nil.
func (v *Verifier) Finish(headSeq int64, headHash string) []string {
	lastSeq, lastHash := int64(0), Genesis
	if v.last != nil {
		lastSeq, lastHash = v.last.Seq, v.last.Hash
	}
	if headSeq != lastSeq || (headSeq > 0 && headHash != lastHash) {
		v.fail("the log ends at entry %d (%.12s…) but the recorded head is entry %d (%.12s…): entries were removed from the end or the head was altered",
			lastSeq, lastHash, headSeq, headHash)
	}
	return v.problems
}

// Count is the number of entries checked.
func (v *Verifier) Count() int64 { return v.n }
