package main

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/corefence/corefence/internal/netbox/replay"
)

// netboxRecording holds real answers recorded from NetBox 4.2.9 (see its
// README); scripts that import from NetBox get a server replaying them.
const netboxRecording = "../../../shared/data/netbox-4.2-demo-api"

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
		Condition: func(cond string) (bool, error) {
			if cond == "netbox" {
				_, err := os.Stat(netboxRecording + "/manifest.json")
				return err == nil, nil
			}
			return false, fmt.Errorf("unknown condition %q", cond)
		},
		Setup: func(env *testscript.Env) error {
			// The committed examples, as the README's usage lines name them.
			if err := copyTree("../../examples", env.WorkDir+"/examples"); err != nil {
				return err
			}
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

// copyTree copies the directory src to dst.
func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
}

// TestReadmeUsageCovered: every corefence command line in the README's
// usage block is run, as written, by testdata/script/readme_usage.txtar
// (the NetBox import needs a NetBox: import_netbox.txtar runs it against
// recorded answers).
func TestReadmeUsageCovered(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	script, err := os.ReadFile("testdata/script/readme_usage.txtar")
	if err != nil {
		t.Fatal(err)
	}
	run := map[string]bool{}
	for _, line := range strings.Split(string(script), "\n") {
		line = strings.TrimPrefix(strings.TrimSpace(line), "! ")
		if cmd, ok := strings.CutPrefix(line, "exec "); ok {
			run[cmd] = true
		}
	}
	text := string(readme)
	start := strings.Index(text, "## Usage")
	block := text[start:]
	block = block[strings.Index(block, "```sh")+5:]
	block = block[:strings.Index(block, "```")]
	block = strings.ReplaceAll(block, "\\\n", " ")
	n := 0
	for _, line := range strings.Split(block, "\n") {
		cmd, ok := strings.CutPrefix(strings.TrimSpace(line), "./")
		if !ok {
			continue
		}
		cmd, _, _ = strings.Cut(cmd, " > ")
		cmd = strings.Join(strings.Fields(cmd), " ")
		if strings.HasPrefix(cmd, "corefence import netbox") {
			continue
		}
		n++
		if !run[cmd] {
			t.Errorf("README usage line not run by readme_usage.txtar: %s", cmd)
		}
	}
	if n < 10 {
		t.Errorf("found only %d usage lines in README.md", n)
	}
}
