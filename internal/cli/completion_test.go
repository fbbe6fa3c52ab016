package cli_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestCompletionScripts (issue 12, point 10): `annalist completion SHELL`
// prints a script that names every command of `annalist help` and every
// flag of `annalist help COMMAND`, and that its shell accepts.
func TestCompletionScripts(t *testing.T) {
	f := newFixture(t)
	help, _, _ := f.run("help")
	var cmds []string
	inCmds := false
	for _, l := range strings.Split(help, "\n") {
		switch {
		case l == "Commands:":
			inCmds = true
		case inCmds && strings.HasPrefix(l, "  "):
			cmds = append(cmds, strings.Fields(l)[0])
		case inCmds:
			inCmds = false
		}
	}
	if len(cmds) < 10 {
		t.Fatalf("help lists %d commands:\n%s", len(cmds), help)
	}
	flagRE := regexp.MustCompile(`(?m)^  (--?[a-z-]+)`)
	flags := map[string][]string{}
	for _, c := range cmds {
		out, _, _ := f.run("help", c)
		for _, m := range flagRE.FindAllStringSubmatch(out, -1) {
			flags[c] = append(flags[c], m[1])
		}
	}
	if len(flags["fetch"]) < 4 {
		t.Fatalf("help fetch lists flags %v", flags["fetch"])
	}
	for _, shell := range []string{"bash", "zsh", "fish"} {
		t.Run(shell, func(t *testing.T) {
			script, stderr, code := f.run("completion", shell)
			if code != 0 {
				t.Fatalf("completion %s: exit %d, %s", shell, code, stderr)
			}
			for _, c := range cmds {
				if !regexp.MustCompile(`\b` + c + `\b`).MatchString(script) {
					t.Errorf("the %s script does not name the command %s", shell, c)
				}
				for _, fl := range flags[c] {
					name := strings.TrimLeft(fl, "-")
					if !strings.Contains(script, fl) && !strings.Contains(script, "-l "+name+" ") && !strings.Contains(script, "-s "+name+" ") {
						t.Errorf("the %s script does not name %s %s", shell, c, fl)
					}
				}
			}
			path := filepath.Join(t.TempDir(), "annalist."+shell)
			if err := os.WriteFile(path, []byte(script), 0o644); err != nil {
				t.Fatal(err)
			}
			bin, err := exec.LookPath(shell)
			if err != nil {
				t.Skipf("%s is not installed: syntax not checked", shell)
			}
			if out, err := exec.Command(bin, "-n", path).CombinedOutput(); err != nil {
				t.Fatalf("%s -n rejects the script: %v\n%s", shell, err, out)
			}
		})
	}
	if _, stderr, code := f.run("completion", "tcsh"); code != 2 || !strings.Contains(stderr, "bash, zsh or fish") {
		t.Errorf("completion tcsh: exit %d, %s", code, stderr)
	}
}

// TestBashCompletionCompletes: the bash script, loaded in bash, completes
// commands, a command's flags and a flag's values.
func TestBashCompletionCompletes(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash is not installed")
	}
	f := newFixture(t)
	script, _, _ := f.run("completion", "bash")
	path := filepath.Join(t.TempDir(), "annalist.bash")
	if err := os.WriteFile(path, []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ line, want string }{
		{"annalist fe", "fetch"},
		{"annalist --config x.yaml fetch --re", "--recheck"},
		{"annalist fetch --recheck ", "none due all"},
		{"annalist show x --format b", "bibtex"},
		{"annalist help hi", "history"},
		{"annalist completion ", "bash zsh fish"},
		{"annalist --log-level w", "warn"},
		// export's output flag is -o, as its usage line says, not --o.
		{"annalist export -o", "-o"},
		// sources' subcommands and their flags.
		{"annalist sources im", "import"},
		{"annalist sources import --w", "--write"},
		{"annalist sources import ", ""}, // the OPML file: bash's default (files)
	} {
		words := strings.Split(tc.line, " ")
		prog := `source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _annalist; echo "${COMPREPLY[*]}"`
		out, err := exec.Command(bash, append([]string{"-c", prog, "bash", path}, words...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("%q: %v\n%s", tc.line, err, out)
		}
		if got := strings.TrimSpace(string(out)); got != tc.want {
			t.Errorf("completing %q = %q, want %q", tc.line, got, tc.want)
		}
	}
}
