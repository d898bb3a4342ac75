// Command starttime times short commands end to end, process start
// included, in rounds that run each command once in turn, so that every
// command meets the same machine load:
//
//	starttime -runs 100 'version=bin/corefence version' 'hello=bin/hello'
//
// Each argument is LABEL=COMMAND, the command split at white space. It
// prints, per command, the median and 90th percentile of the wall time and
// of the CPU time (user + system, from the child's resource usage, which
// the kernel keeps to the microsecond — /usr/bin/time rounds to 10 ms, as
// long as the whole run), and the median peak RSS. Exit status 1 of a
// command counts as an answer (corefence's "violations found"); any other
// failure stops the run.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"time"
)

type command struct {
	label string
	argv  []string
	wall  []time.Duration
	cpu   []time.Duration
	rssKB []int64
}

func main() {
	runs := flag.Int("runs", 100, "rounds; each runs every command once")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: starttime [-runs N] LABEL=COMMAND...")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() == 0 || *runs < 1 {
		flag.Usage()
		os.Exit(2)
	}
	var cmds []*command
	for _, a := range flag.Args() {
		label, line, ok := strings.Cut(a, "=")
		argv := strings.Fields(line)
		if !ok || label == "" || len(argv) == 0 {
			fmt.Fprintf(os.Stderr, "starttime: %q: want LABEL=COMMAND\n", a)
			os.Exit(2)
		}
		cmds = append(cmds, &command{label: label, argv: argv})
	}
	for range *runs {
		for _, c := range cmds {
			if err := c.once(); err != nil {
				fmt.Fprintf(os.Stderr, "starttime: %s: %v\n", c.label, err)
				os.Exit(1)
			}
		}
	}
	w := len("command")
	for _, c := range cmds {
		w = max(w, len(c.label))
	}
	fmt.Printf("%-*s %6s %12s %12s %12s %12s %10s\n", w, "command", "runs", "wall p50 ms", "wall p90 ms", "CPU p50 ms", "CPU p90 ms", "RSS p50 MB")
	for _, c := range cmds {
		fmt.Printf("%-*s %6d %12.2f %12.2f %12.2f %12.2f %10.1f\n", w, c.label, len(c.wall),
			ms(quantile(c.wall, 0.5)), ms(quantile(c.wall, 0.9)),
			ms(quantile(c.cpu, 0.5)), ms(quantile(c.cpu, 0.9)),
			float64(quantile(c.rssKB, 0.5))/1024)
	}
}

// once runs the command and records its wall time, CPU time and peak RSS.
func (c *command) once() error {
	cmd := exec.Command(c.argv[0], c.argv[1:]...)
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	if ee := (*exec.ExitError)(nil); errors.As(err, &ee) && ee.ExitCode() == 1 {
		err = nil
	}
	if err != nil {
		return err
	}
	ps := cmd.ProcessState
	c.wall = append(c.wall, wall)
	c.cpu = append(c.cpu, ps.UserTime()+ps.SystemTime())
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
		c.rssKB = append(c.rssKB, ru.Maxrss) // kilobytes on Linux
	}
	return nil
}

// quantile returns the q-quantile of xs by the nearest-rank method.
func quantile[T time.Duration | int64](xs []T, q float64) T {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	i := int(q*float64(len(s))+0.999999) - 1
	return s[min(max(i, 0), len(s)-1)]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
