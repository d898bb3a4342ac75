package cli

import (
	"fmt"
	"github.com/corefence/corefence/internal/safetext"
	"os"
	"strings"
	"sync"
	"time"
)

// Progress modes, for --progress.
const (
	ProgressAuto   = "auto"   // every line on a terminal; elsewhere only once work has run a while
	ProgressAlways = "always" // every line
	ProgressNever  = "never"  // none
)

// ProgressModes lists the --progress values.
var ProgressModes = []string{ProgressAuto, ProgressAlways, ProgressNever}

// quietAfter is how long work runs before progress shows where stderr is
// not a terminal (a CI log, a pipe), and the least time between two lines
// there: short runs stay silent, long ones say they are alive.
const quietAfter = 5 * time.Second

// reporter writes a command's progress lines to stderr as its mode says.
type reporter struct {
	mu       sync.Mutex
	env      *Env
	mode     string
	terminal bool
	start    time.Time
	last     time.Time
}

func newReporter(env *Env, mode string) *reporter {
	r := &reporter{env: env, mode: mode, start: env.now()}
	w := env.Stderr
	if sw, ok := w.(*safetext.Writer); ok { // Run's filter; the terminal is behind it
		w = sw.Unwrap()
	}
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			r.terminal = true
		}
	}
	return r
}

func (r *reporter) say(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.env.now()
	switch {
	case r.mode == ProgressNever:
		return
	case r.mode == ProgressAuto && !r.terminal:
		if now.Sub(r.start) < quietAfter || (!r.last.IsZero() && now.Sub(r.last) < quietAfter) {
			return
		}
		// A log line without a terminal's context says when it was.
		format = "[%s] " + format
		args = append([]any{now.Sub(r.start).Round(time.Second)}, args...)
	}
	r.last = now
	fmt.Fprintf(r.env.Stderr, strings.TrimSuffix(format, "\n")+"\n", args...)
}

// now is the command's clock: Env.Now, or the system's.
func (env *Env) now() time.Time {
	if env.Now != nil {
		return env.Now()
	}
	return time.Now()
}

// progress returns the command's progress printer: lines on stderr as
// --progress and --quiet say (default auto).
func progress(env *Env) func(format string, args ...any) {
	if env.reporter == nil {
		mode := env.progressMode
		if mode == "" {
			mode = ProgressAuto
		}
		if env.quiet {
			mode = ProgressNever
		}
		env.reporter = newReporter(env, mode)
	}
	return env.reporter.say
}

// notef writes an informational line to stderr (what was written where,
// what was left out), unless --quiet.
func notef(env *Env, format string, args ...any) {
	if env.quiet {
		return
	}
	fmt.Fprintf(env.Stderr, format, args...)
}

// globalFlags are the flags every command takes, taken out of its
// arguments before the command parses the rest.
type globalFlags struct {
	config   string
	progress string
	quiet    bool
}

func takeGlobalFlags(args []string, ownConfig bool) (globalFlags, []string, error) {
	var g globalFlags
	var rest []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			rest = append(rest, args[i:]...)
			break
		}
		name, value, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if !strings.HasPrefix(a, "-") {
			rest = append(rest, a)
			continue
		}
		if name == "config" && ownConfig {
			rest = append(rest, a)
			continue
		}
		switch name {
		case "config", "progress":
			if !hasValue {
				if i+1 == len(args) {
					return g, nil, usagef("--%s needs a value", name)
				}
				i++
				value = args[i]
			}
			if name == "config" {
				g.config = value
			} else {
				if err := oneOf("progress", value, ProgressModes); err != nil {
					return g, nil, err
				}
				g.progress = value
			}
		case "quiet", "q":
			if hasValue {
				return g, nil, usagef("--quiet takes no value")
			}
			g.quiet = true
		default:
			rest = append(rest, a)
		}
	}
	if g.quiet && g.progress == ProgressAlways {
		return g, nil, usagef("--quiet and --progress=always exclude each other")
	}
	return g, rest, nil
}
