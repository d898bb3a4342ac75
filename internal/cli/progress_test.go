package cli

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// TestReporter: with auto and no terminal, short work is silent, long work
// shows a line at most every few seconds; always shows every line; never
// and --quiet none.
func TestReporter(t *testing.T) {
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	steps := []time.Duration{0, time.Second, 6 * time.Second, 7 * time.Second, 12 * time.Second, 30 * time.Second}
	for _, c := range []struct {
		mode  string
		quiet bool
		want  string
	}{
		{ProgressAuto, false, "[6s] step 2|[12s] step 4|[30s] step 5"},
		{ProgressAlways, false, "step 0|step 1|step 2|step 3|step 4|step 5"},
		{ProgressNever, false, ""},
		{ProgressAuto, true, ""},
	} {
		var stderr bytes.Buffer
		now := clock
		env := &Env{Stderr: &stderr, Now: func() time.Time { return now }, progressMode: c.mode, quiet: c.quiet}
		say := progress(env)
		for i, d := range steps {
			now = clock.Add(d)
			say("step %d", i)
		}
		got := strings.ReplaceAll(strings.TrimSpace(stderr.String()), "\n", "|")
		if got != c.want {
			t.Errorf("%s quiet=%v: %q, want %q", c.mode, c.quiet, got, c.want)
		}
	}
}

func TestTakeGlobalFlags(t *testing.T) {
	g, rest, err := takeGlobalFlags([]string{"--inventory", "x.yaml", "--progress", "never", "-q", "--config=c.yaml", "pos"}, false)
	if err != nil || g != (globalFlags{config: "c.yaml", progress: "never", quiet: true}) || strings.Join(rest, " ") != "--inventory x.yaml pos" {
		t.Errorf("got %+v %q %v", g, rest, err)
	}
	for _, bad := range [][]string{{"--progress"}, {"--progress=loud"}, {"--quiet=yes"}, {"--quiet", "--progress", "always"}} {
		if _, _, err := takeGlobalFlags(bad, false); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}
