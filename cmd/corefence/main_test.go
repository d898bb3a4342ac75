package main

import (
	"os"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// TestMain lets the test binary stand in for corefence in the scripts, so
// that they run the real command line, exit statuses and all.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"corefence": main,
	})
}

// TestScripts runs testdata/script/*.txtar: command lines with their exit
// status, stdout and stderr.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(env *testscript.Env) error {
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
