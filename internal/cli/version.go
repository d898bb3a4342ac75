package cli

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
)

// Commit and BuildDate may be set at build time with -ldflags -X, as
// Version may; otherwise they are read from the build information Go
// records in the binary (the module version, and the commit and its time
// when built from a git checkout).
var (
	Commit    string
	BuildDate string
)

// BuildInfo is what `corefence version` reports.
type BuildInfo struct {
	Version     string // module version, e.g. v0.4.0; "dev" for a local build
	Commit      string // git commit, "" when unknown
	Modified    bool   // built with uncommitted changes
	Date        string // build date when stamped, else the commit's time
	DateIsBuild bool   // Date is the build date, not the commit's
	Go          string // Go version, OS and architecture
}

// ReadBuildInfo gathers the version, commit and date.
func ReadBuildInfo() BuildInfo {
	b := BuildInfo{Version: Version, Commit: Commit, Date: BuildDate, DateIsBuild: BuildDate != "",
		Go: runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return b
	}
	if b.Version == "dev" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		b.Version = bi.Main.Version
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			if b.Commit == "" {
				b.Commit = s.Value
			}
		case "vcs.time":
			if b.Date == "" {
				b.Date = s.Value
			}
		case "vcs.modified":
			b.Modified = s.Value == "true"
		}
	}
	return b
}

const versionSynopsis = "version"

func runVersion(_ context.Context, env *Env, args []string) error {
	fs := newFlags(env, "version", versionSynopsis)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("unexpected argument %q", pos[0])
	}
	printVersion(env)
	return nil
}

func printVersion(env *Env) {
	b := ReadBuildInfo()
	fmt.Fprintf(env.Stdout, "corefence %s\n", b.Version)
	switch {
	case b.Commit == "":
		fmt.Fprintf(env.Stdout, "commit:  unknown (built without version control information)\n")
	case b.Modified:
		fmt.Fprintf(env.Stdout, "commit:  %s, with uncommitted changes\n", b.Commit)
	default:
		fmt.Fprintf(env.Stdout, "commit:  %s\n", b.Commit)
	}
	switch {
	case b.Date == "":
		fmt.Fprintf(env.Stdout, "date:    unknown\n")
	case b.DateIsBuild:
		fmt.Fprintf(env.Stdout, "built:   %s\n", b.Date)
	default:
		fmt.Fprintf(env.Stdout, "date:    %s (the commit's; the build date was not stamped)\n", b.Date)
	}
	fmt.Fprintf(env.Stdout, "go:      %s\n", b.Go)
}
