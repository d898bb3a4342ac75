package audit_test

import (
	"strings"
	"testing"

	"github.com/corefence/corefence/internal/audit"
)

func chain(n int) []audit.Entry {
	var es []audit.Entry
	for i := range n {
		e := audit.Entry{At: int64(1000 + i), Actor: "reg", Action: "snapshot.create", Operator: "a", Subject: string(rune('a' + i)), Detail: "{}"}
		if i == 0 {
			e.Seal(nil)
		} else {
			e.Seal(&es[i-1])
		}
		es = append(es, e)
	}
	return es
}

func verify(es []audit.Entry, headSeq int64, headHash string) []string {
	var v audit.Verifier
	for _, e := range es {
		v.Add(e)
	}
	return v.Finish(headSeq, headHash)
}

func TestVerify(t *testing.T) {
	cases := []struct {
		name   string
		tamper func([]audit.Entry) []audit.Entry
		want   string // "" for a sound chain
	}{
		{"sound", func(es []audit.Entry) []audit.Entry { return es }, ""},
		{"edited", func(es []audit.Entry) []audit.Entry { es[2].Operator = "b"; return es }, "entry 3: hash"},
		{"edited and rehashed", func(es []audit.Entry) []audit.Entry {
			es[2].Operator = "b"
			es[2].Hash = es[2].Sum()
			return es
		}, "entry 4: previous hash"},
		{"removed", func(es []audit.Entry) []audit.Entry { return append(es[:1], es[2:]...) }, "entry 3: expected sequence number 2"},
		{"reordered", func(es []audit.Entry) []audit.Entry { es[1], es[2] = es[2], es[1]; return es }, "entry 3: expected sequence number 2"},
		{"renumbered after a removal", func(es []audit.Entry) []audit.Entry {
			es = append(es[:1], es[2:]...)
			for i := range es {
				es[i].Seq = int64(i + 1)
			}
			return es
		}, "entry 2: previous hash"},
		{"tail removed", func(es []audit.Entry) []audit.Entry { return es[:4] }, "the log ends at entry 4"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			es := chain(5)
			head := es[4]
			probs := verify(c.tamper(es), head.Seq, head.Hash)
			if c.want == "" {
				if len(probs) != 0 {
					t.Fatalf("sound chain: %v", probs)
				}
				return
			}
			if !strings.Contains(strings.Join(probs, "\n"), c.want) {
				t.Fatalf("got %q, want %q", probs, c.want)
			}
		})
	}
	if probs := verify(nil, 0, audit.Genesis); len(probs) != 0 {
		t.Fatalf("empty log: %v", probs)
	}
}

// TestFieldsAreDelimited: moving bytes between fields changes the hash.
func TestFieldsAreDelimited(t *testing.T) {
	a := audit.Entry{Actor: "ab", Action: "c"}
	b := audit.Entry{Actor: "a", Action: "bc"}
	if a.Sum() == b.Sum() {
		t.Fatal("field boundaries are not hashed")
	}
}
