package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/corefence/corefence/internal/atomicfile"
)

// Interrupted is the cause of a command's context when a signal stopped
// it: the command exits with 128 plus the signal's number (130 for SIGINT,
// 143 for SIGTERM), as shells report a process killed by it.
type Interrupted struct{ Signal syscall.Signal }

func (e Interrupted) Error() string { return "interrupted by " + signalName(e.Signal) }

// ExitCode is the status a command stopped by the signal exits with.
func (e Interrupted) ExitCode() int { return 128 + int(e.Signal) }

func signalName(s syscall.Signal) string {
	switch s {
	case syscall.SIGINT:
		return "SIGINT"
	case syscall.SIGTERM:
		return "SIGTERM"
	}
	return s.String()
}

// StopGrace is how long a command has, after SIGINT or SIGTERM, to return
// by itself before the process removes its unfinished output files and
// exits anyway.
const StopGrace = 300 * time.Millisecond

// WithSignals returns a context that SIGINT and SIGTERM cancel, with
// Interrupted as its cause. Every command watches its context and
// returns; one still running StopGrace later (a computation that cannot
// be interrupted part-way) is ended: the temporary files of outputs not
// yet in place are removed and the process exits with the signal's
// status. Either way nothing half-written is left under an output's
// name. SIGPIPE is ignored, so that a write to a closed pipe is an error
// the command reports (exit 2) rather than a silent death.
//
// stop releases the signals; call it once the command has returned.
func WithSignals(parent context.Context, stderr io.Writer) (ctx context.Context, stop func()) {
	signal.Ignore(syscall.SIGPIPE)
	ctx, cancel := context.WithCancelCause(parent)
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		select {
		case s := <-sigs:
			in := Interrupted{Signal: s.(syscall.Signal)}
			cancel(in)
			select {
			case <-time.After(StopGrace):
				atomicfile.RemovePending()
				fmt.Fprintf(stderr, "corefence: %v; stopped\n", in)
				os.Exit(in.ExitCode())
			case <-done:
			}
		case <-done:
		}
	}()
	return ctx, func() {
		signal.Stop(sigs)
		close(done)
		cancel(nil)
	}
}

// interrupted returns the signal that cancelled ctx, if one did.
func interrupted(ctx context.Context) (Interrupted, bool) {
	var in Interrupted
	ok := errors.As(context.Cause(ctx), &in)
	return in, ok
}

// limitSlack is how long past its --time-limit the planner may take to
// hand back the best plan it has.
const limitSlack = time.Second

// hardLimit makes a time limit hard: the context it returns expires d
// plus limitSlack from now (the command then fails: "time limit
// exceeded", exit 2), and a computation still running StopGrace after
// that, one that does not watch its context, is ended as WithSignals ends
// one: pending output files removed, exit 2. Call stop when the limited
// work has returned.
func hardLimit(parent context.Context, env *Env, d time.Duration) (ctx context.Context, stop func()) {
	ctx, cancel := context.WithTimeout(parent, d+limitSlack)
	done := make(chan struct{})
	go func() {
		select {
		case <-ctx.Done():
			if parent.Err() != nil { // a signal: WithSignals handles it
				return
			}
			select {
			case <-time.After(StopGrace):
				atomicfile.RemovePending()
				fmt.Fprintf(env.Stderr, "corefence: time limit of %s exceeded; stopped\n", d)
				os.Exit(ExitError)
			case <-done:
			}
		case <-done:
		}
	}()
	return ctx, func() { close(done); cancel() }
}
