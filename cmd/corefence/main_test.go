package main

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/corefence/corefence/internal/cli"
	"github.com/corefence/corefence/internal/netbox/replay"
)

// netboxRecording holds real answers recorded from NetBox 4.2.9 (see its
// README); scripts that import from NetBox get a server replaying them.
const netboxRecording = "../../../shared/data/netbox-4.2-demo-api"

// TestMain lets the test binary stand in for corefence in the scripts, so
// that they run the real command line, exit statuses and all.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"corefence": func() {
			os.Exit(cli.Run(context.Background(), &cli.Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Now: time.Now}, os.Args[1:]))
		},
	})
}

// TestScripts runs testdata/script/*.txtar: command lines with their exit
// status, stdout and stderr.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Condition: func(cond string) (bool, error) {
			if cond == "netbox" {
				_, err := os.Stat(netboxRecording + "/manifest.json")
				return err == nil, nil
			}
			return false, fmt.Errorf("unknown condition %q", cond)
		},
		Setup: func(env *testscript.Env) error {
			// A replay of the recorded NetBox answers at $NETBOX_URL, with
			// its test-only token in nb-token.
			if rec, err := replay.Open(netboxRecording); err == nil {
				srv, err := rec.Serve()
				if err != nil {
					return err
				}
				env.Defer(srv.Close)
				env.Setenv("NETBOX_URL", srv.URL)
				if err := os.WriteFile(env.WorkDir+"/nb-token", []byte(rec.Token+"\n"), 0o600); err != nil {
					return err
				}
			}
			// The shared fixtures, for scripts that want a realistic input.
			for _, f := range []string{"small-network.yaml", "small-pack.yaml", "small-waivers.yaml"} {
				data, err := os.ReadFile("../../testdata/" + f)
				if err != nil {
					return err
				}
				if err := os.WriteFile(env.WorkDir+"/"+f, data, 0o644); err != nil {
					return err
				}
			}
			return nil
		},
	})
}
