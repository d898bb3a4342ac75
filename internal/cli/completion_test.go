package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// completionScript writes `corefence completion SHELL` to a file.
func completionScript(t *testing.T, shell string) string {
	t.Helper()
	code, out, errs := run(t, time.Now(), "completion", shell)
	if code != ExitOK || errs != "" {
		t.Fatalf("completion %s: exit %d, %s", shell, code, errs)
	}
	path := filepath.Join(t.TempDir(), "corefence."+shell)
	if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func needShell(t *testing.T, shell string) string {
	t.Helper()
	path, err := exec.LookPath(shell)
	if err != nil {
		t.Skipf("skipped: %s is not installed (scripts/test installs it)", shell)
	}
	return path
}

// TestCompletionBash runs the bash script's completion function as bash
// would on TAB, for commands, subcommands, flags and pack ids.
func TestCompletionBash(t *testing.T) {
	bash := needShell(t, "bash")
	script := completionScript(t, "bash")
	for _, c := range []struct {
		words string // the command line so far; the last word is completed
		want  []string
	}{
		{"corefence ch", []string{"check"}},
		{"corefence im", []string{"import"}},
		{"corefence import ", []string{"netbox"}},
		{"corefence import netbox --to", []string{"--token-file"}},
		{"corefence check --fo", []string{"--format"}},
		{"corefence check --policy uk-d", []string{"uk-dvd-2022"}},
		{"corefence completion ", []string{"bash", "zsh", "fish"}},
		{"corefence policies s", []string{"show"}},
	} {
		words := strings.Fields(c.words)
		if strings.HasSuffix(c.words, " ") {
			words = append(words, "")
		}
		quoted := make([]string, len(words))
		for i, w := range words {
			quoted[i] = "'" + w + "'"
		}
		prog := "source " + script + "; COMP_WORDS=(" + strings.Join(quoted, " ") + "); COMP_CWORD=" +
			strconv.Itoa(len(words)-1) + `; _corefence; printf '%s\n' "${COMPREPLY[@]}"`
		out, err := exec.Command(bash, "--norc", "-c", prog).CombinedOutput()
		if err != nil {
			t.Fatalf("%q: %v\n%s", c.words, err, out)
		}
		got := strings.Fields(string(out))
		if strings.Join(got, " ") != strings.Join(c.want, " ") {
			t.Errorf("%q completes to %q, want %q", c.words, got, c.want)
		}
	}
}

// TestCompletionFish asks fish itself what it would complete.
func TestCompletionFish(t *testing.T) {
	fish := needShell(t, "fish")
	script := completionScript(t, "fish")
	for _, c := range []struct{ line, want string }{
		{"corefence che", "check\tcheck an inventory against policy packs as of a date"},
		{"corefence import netbox --ur", "--url\tNetBox's address, e.g. https://netbox.example.com"},
		{"corefence check --policy uk-dvd", "uk-dvd-2022"},
	} {
		out, err := exec.Command(fish, "--no-config", "-c", "source "+script+"; complete -C '"+c.line+"'").CombinedOutput()
		if err != nil {
			t.Fatalf("%q: %v\n%s", c.line, err, out)
		}
		if !strings.Contains(string(out), c.want) {
			t.Errorf("%q completes to\n%s\nwant a line %q", c.line, out, c.want)
		}
	}
}

// TestCompletionZsh checks the zsh script parses and defines its function
// once loaded by compinit.
func TestCompletionZsh(t *testing.T) {
	zsh := needShell(t, "zsh")
	script := completionScript(t, "zsh")
	if out, err := exec.Command(zsh, "-n", script).CombinedOutput(); err != nil {
		t.Fatalf("zsh -n: %v\n%s", err, out)
	}
	prog := "autoload -U compinit; compinit -u -d " + filepath.Join(t.TempDir(), "zcompdump") + "; source " + script + "; whence -w _corefence; print ${_comps[corefence]}"
	out, err := exec.Command(zsh, "-f", "-c", prog).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "_corefence: function") || !strings.Contains(string(out), "\n_corefence") {
		t.Errorf("zsh: %v\n%s", err, out)
	}
	data, _ := os.ReadFile(script)
	for _, want := range []string{"'*--token-file[file holding a NetBox API token]:token-file:_files'", "'1:subcommand:(netbox)'", "'check:check an inventory against policy packs as of a date'"} {
		if !strings.Contains(string(data), want) {
			t.Errorf("zsh script lacks %s", want)
		}
	}
}
