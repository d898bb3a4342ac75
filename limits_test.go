package corefence

import (
	"strings"
	"testing"
	"time"
)

func TestLimitsSet(t *testing.T) {
	lim := DefaultLimits()
	for _, kv := range []string{"input-bytes=8589934592", "records=1_000", "cel-time=90s", " depth = 10 "} {
		if err := lim.Set(kv); err != nil {
			t.Errorf("Set(%q): %v", kv, err)
		}
	}
	if lim.InputBytes != 8<<30 || lim.Records != 1000 || lim.CELTime != 90*time.Second || lim.Depth != 10 {
		t.Errorf("limits %+v", lim)
	}
	for kv, want := range map[string]string{
		"records":           "want KEY=VALUE",
		"lines=3":           "KEY one of alias-nodes, cel-cost, cel-time, config-bytes, depth, input-bytes, line-bytes, records",
		"records=0":         `records: "0" is not a positive whole number`,
		"records=-1":        "not a positive whole number",
		"input-bytes=1e9":   "not a positive whole number",
		"cel-time=-1s":      "not a positive duration",
		"depth=99999999999": "", // fits an int: a limit may be as large as one likes
	} {
		err := lim.Set(kv)
		if want == "" {
			if err != nil {
				t.Errorf("Set(%q): %v", kv, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Set(%q) = %v, want %q", kv, err, want)
		}
	}
	if got := DefaultLimits().Exceeded("records", "more than 20000000 records"); got != "more than 20000000 records: more than the limit records=20000000 (raise it with --max records=N)" {
		t.Errorf("Exceeded = %q", got)
	}
}

func TestShort(t *testing.T) {
	long := strings.Repeat("é", 100) // 200 bytes, two per rune
	s := Short(long)
	if len(s) > MaxValueBytes+24 || !strings.HasSuffix(s, "…(136 more bytes)") || !strings.HasPrefix(s, "éé") {
		t.Errorf("Short = %q", s)
	}
	if Short("E-17") != "E-17" {
		t.Error("a short value changed")
	}
	var ps Problems
	ps.Addf(Position{File: "f"}, "sites", strings.Repeat("x", 1<<20), "", "unknown site %q", strings.Repeat("s", 1<<20))
	if msg := ps.Error(); len(msg) > 400 {
		t.Errorf("a problem naming a 1 MB id and value is %d bytes: %.100s", len(msg), msg)
	}
}
