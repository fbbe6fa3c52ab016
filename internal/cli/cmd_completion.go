package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"strings"
)

var completionCommand = command{
	name:    "completion",
	summary: "print a shell completion script (bash, zsh or fish) for annalist's commands and flags",
	usage:   "completion bash|zsh|fish",
}

// Set here, not in the literal: runCompletion reads the command table,
// which holds completionCommand.
func init() { completionCommand.run = runCompletion }

func runCompletion(ctx context.Context, m *Main, args []string) error {
	fs := m.newFlagSet()
	pos, err := m.parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageErr("name one shell: bash, zsh or fish")
	}
	cmds, err := m.completionTable(ctx)
	if err != nil {
		return err
	}
	switch pos[0] {
	case "bash":
		writeBashCompletion(m.Stdout, cmds)
	case "zsh":
		writeZshCompletion(m.Stdout, cmds)
	case "fish":
		writeFishCompletion(m.Stdout, cmds)
	default:
		return usageErr("%q is not a shell annalist completes: bash, zsh or fish", pos[0])
	}
	return nil
}

// compFlag is one flag of a command, as completion needs it.
type compFlag struct {
	name   string
	usage  string
	bool   bool     // takes no value
	values []string // its values, when the usage line lists them ("none|due|all")
	file   bool     // its value is a file or directory
}

// compCommand is one command and its flags.
type compCommand struct {
	name, summary string
	flags         []compFlag
	args          []string // what its positional arguments may be, when a fixed set
	files         bool     // its positional arguments may be files
}

// globalFlags are the flags every command takes (see parseGlobal).
var globalFlags = []compFlag{
	{name: "config", usage: "configuration file", file: true},
	{name: "log-format", usage: "text or json", values: []string{"text", "json"}},
	{name: "log-level", usage: "debug, info, warn or error", values: []string{"debug", "info", "warn", "error"}},
	{name: "verbose", usage: "the same as --log-level info", bool: true},
}

// completionTable reads every command's flags from the flags it defines:
// each is run with --help and its FlagSet handed over instead of printed,
// so the scripts cannot drift from the commands.
func (m *Main) completionTable(ctx context.Context) ([]compCommand, error) {
	var out []compCommand
	for _, c := range commands() {
		cc := compCommand{name: c.name, summary: c.summary}
		switch c.name {
		case completionCommand.name:
			cc.args = []string{"bash", "zsh", "fish"}
			out = append(out, cc)
			continue
		case versionCommand.name:
			out = append(out, cc)
			continue
		case extractCommand.name:
			cc.files = true
		}
		// A command with subcommands (sources import|export) completes
		// them after its name, and the flags of all of them.
		calls := [][]string{{"--help"}}
		if c.name == sourcesCommand.name {
			cc.args = []string{"import", "export"}
			cc.files = true // the OPML file of sources import
			calls = append(calls, []string{"import", "--help"}, []string{"export", "--help"})
		}
		seen := map[string]bool{}
		for _, call := range calls {
			var got *flag.FlagSet
			sub := &Main{Stdout: io.Discard, Stderr: io.Discard, Getenv: m.Getenv, Now: m.Now, current: c,
				logger: slog.New(slog.NewTextHandler(io.Discard, nil)), flagSink: func(fs *flag.FlagSet) { got = fs }}
			if err := c.run(ctx, sub, call); got == nil {
				return nil, fmt.Errorf("completion: read the flags of %s %s: %v", c.name, strings.Join(call, " "), err)
			}
			got.VisitAll(func(f *flag.Flag) {
				if seen[f.Name] {
					return
				}
				seen[f.Name] = true
				cf := compFlag{name: f.Name, usage: firstSentence(f.Usage)}
				if bf, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && bf.IsBoolFlag() {
					cf.bool = true
				}
				if v := usageValue(c.usage, f.Name); strings.Contains(v, "|") {
					cf.values = strings.Split(v, "|")
				} else if v == "DIR" || v == "PATH" || v == "FILE" {
					cf.file = true
				} else if v, _ := flag.UnquoteUsage(f); v == "FILE" || v == "DIR" {
					cf.file = true // a subcommand's flag, not in the command's usage line
				}
				cc.flags = append(cc.flags, cf)
			})
		}
		out = append(out, cc)
	}
	out = append(out, compCommand{name: "help", summary: "show help for annalist or one command"})
	for i := range out {
		if out[i].name == "help" {
			for _, c := range commands() {
				out[i].args = append(out[i].args, c.name)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out, nil
}

// firstSentence shortens a flag's usage for a completion menu.
func firstSentence(s string) string {
	s, _, _ = strings.Cut(s, "; ")
	return strings.ReplaceAll(s, "`", "") // the flag package's value-name quotes
}

func commandNames(cmds []compCommand) string {
	names := make([]string, len(cmds))
	for i, c := range cmds {
		names[i] = c.name
	}
	return strings.Join(names, " ")
}

func writeBashCompletion(w io.Writer, cmds []compCommand) {
	fmt.Fprintf(w, `# bash completion for annalist, generated by 'annalist completion bash'.
# Load it now:      source <(annalist completion bash)
# Or for good:      annalist completion bash > ~/.local/share/bash-completion/completions/annalist
_annalist() {
    local cur="${COMP_WORDS[COMP_CWORD]}" prev="${COMP_WORDS[COMP_CWORD-1]}"
    local cmd="" i
    for ((i = 1; i < COMP_CWORD; i++)); do
        case "${COMP_WORDS[i]}" in
            --config|--log-format|--log-level) ((i++)) ;;
            -*) ;;
            *) cmd="${COMP_WORDS[i]}"; break ;;
        esac
    done
    local globals="--config --log-format --log-level --verbose -v"
    case "$prev" in
        --config) COMPREPLY=($(compgen -f -- "$cur")); return ;;
        --log-format) COMPREPLY=($(compgen -W "text json" -- "$cur")); return ;;
        --log-level) COMPREPLY=($(compgen -W "debug info warn error" -- "$cur")); return ;;
    esac
    local flags="" words=""
    case "$cmd" in
        "")
            if [[ "$cur" == -* ]]; then
                COMPREPLY=($(compgen -W "$globals" -- "$cur"))
            else
                COMPREPLY=($(compgen -W "%s" -- "$cur"))
            fi
            return ;;
`, commandNames(cmds))
	for _, c := range cmds {
		var names []string
		for _, f := range c.flags {
			names = append(names, spellFlag(f.name))
		}
		fmt.Fprintf(w, "        %s)\n", c.name)
		for _, f := range c.flags {
			switch {
			case len(f.values) > 0:
				fmt.Fprintf(w, "            if [[ \"$prev\" == %s ]]; then COMPREPLY=($(compgen -W %q -- \"$cur\")); return; fi\n", spellFlag(f.name), strings.Join(f.values, " "))
			case f.file:
				fmt.Fprintf(w, "            if [[ \"$prev\" == %s ]]; then COMPREPLY=($(compgen -f -- \"$cur\")); return; fi\n", spellFlag(f.name))
			case !f.bool:
				fmt.Fprintf(w, "            if [[ \"$prev\" == %s ]]; then COMPREPLY=(); return; fi\n", spellFlag(f.name))
			}
		}
		fmt.Fprintf(w, "            flags=%q; words=%q ;;\n", strings.Join(names, " "), strings.Join(c.args, " "))
	}
	fmt.Fprint(w, `    esac
    if [[ "$cur" == -* ]]; then
        COMPREPLY=($(compgen -W "$flags $globals" -- "$cur"))
    elif [[ -n "$words" && "$prev" == "$cmd" ]]; then
        COMPREPLY=($(compgen -W "$words" -- "$cur"))
    fi
}
complete -o default -F _annalist annalist
`)
}

// zshQuote quotes s for a zsh single-quoted word.
func zshQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

func writeZshCompletion(w io.Writer, cmds []compCommand) {
	fmt.Fprint(w, `#compdef annalist
# zsh completion for annalist, generated by 'annalist completion zsh'.
# Load it now:   source <(annalist completion zsh)
# Or for good:   annalist completion zsh > "${fpath[1]}/_annalist"
_annalist() {
    local -a cmds flags
    cmds=(
`)
	for _, c := range cmds {
		fmt.Fprintf(w, "        %s\n", zshQuote(c.name+":"+strings.ReplaceAll(c.summary, ":", `\:`)))
	}
	fmt.Fprint(w, `    )
    local cmd="" i
    for ((i = 2; i < CURRENT; i++)); do
        case "${words[i]}" in
            --config|--log-format|--log-level) ((i++)) ;;
            -*) ;;
            *) cmd="${words[i]}"; break ;;
        esac
    done
    local prev="${words[CURRENT-1]}" cur="${words[CURRENT]}"
    case "$prev" in
        --config) _files; return ;;
        --log-format) compadd text json; return ;;
        --log-level) compadd debug info warn error; return ;;
    esac
    local -a globals
    globals=(--config --log-format --log-level --verbose -v)
    if [[ -z "$cmd" ]]; then
        if [[ "$cur" == -* ]]; then compadd -- $globals; else _describe command cmds; fi
        return
    fi
    local -a args
    case "$cmd" in
`)
	for _, c := range cmds {
		fmt.Fprintf(w, "        %s)\n", c.name)
		var names []string
		for _, f := range c.flags {
			names = append(names, spellFlag(f.name))
			switch {
			case len(f.values) > 0:
				fmt.Fprintf(w, "            if [[ \"$prev\" == %s ]]; then compadd %s; return; fi\n", spellFlag(f.name), strings.Join(f.values, " "))
			case f.file:
				fmt.Fprintf(w, "            if [[ \"$prev\" == %s ]]; then _files; return; fi\n", spellFlag(f.name))
			case !f.bool:
				fmt.Fprintf(w, "            if [[ \"$prev\" == %s ]]; then return; fi\n", spellFlag(f.name))
			}
		}
		fmt.Fprintf(w, "            flags=(%s); args=(%s) ;;\n", strings.Join(names, " "), strings.Join(c.args, " "))
	}
	fmt.Fprint(w, `    esac
    if [[ "$cur" == -* ]]; then
        compadd -- $flags $globals
    elif (( ${#args} )) && [[ "$prev" == "$cmd" ]]; then
        compadd -- $args
    else
        _files
    fi
}
if [[ "${zsh_eval_context[-1]}" == loadautoload ]]; then
    _annalist "$@"
else
    compdef _annalist annalist
fi
`)
}

// fishQuote quotes s for fish.
func fishQuote(s string) string {
	return "'" + strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), "'", `\'`) + "'"
}

func writeFishCompletion(w io.Writer, cmds []compCommand) {
	fmt.Fprint(w, `# fish completion for annalist, generated by 'annalist completion fish'.
# Load it now:   annalist completion fish | source
# Or for good:   annalist completion fish > ~/.config/fish/completions/annalist.fish
complete -c annalist -f
`)
	for _, f := range globalFlags {
		line := "complete -c annalist -l " + f.name
		switch {
		case f.file:
			line += " -r -F"
		case len(f.values) > 0:
			line += " -x -a " + fishQuote(strings.Join(f.values, " "))
		}
		fmt.Fprintf(w, "%s -d %s\n", line, fishQuote(f.usage))
	}
	fmt.Fprintf(w, "complete -c annalist -s v -d %s\n", fishQuote("the same as --log-level info"))
	names := commandNames(cmds)
	for _, c := range cmds {
		fmt.Fprintf(w, "complete -c annalist -n %s -a %s -d %s\n", fishQuote("not __fish_seen_subcommand_from "+names), c.name, fishQuote(c.summary))
	}
	for _, c := range cmds {
		cond := fishQuote("__fish_seen_subcommand_from " + c.name)
		if len(c.args) > 0 {
			fmt.Fprintf(w, "complete -c annalist -n %s -a %s\n", cond, fishQuote(strings.Join(c.args, " ")))
		}
		if c.files {
			fmt.Fprintf(w, "complete -c annalist -n %s -F\n", cond)
		}
		for _, f := range c.flags {
			opt := "-l"
			if len(f.name) == 1 {
				opt = "-s"
			}
			line := fmt.Sprintf("complete -c annalist -n %s %s %s", cond, opt, f.name)
			switch {
			case len(f.values) > 0:
				line += " -x -a " + fishQuote(strings.Join(f.values, " "))
			case f.file:
				line += " -r -F"
			case !f.bool:
				line += " -x"
			}
			fmt.Fprintf(w, "%s -d %s\n", line, fishQuote(f.usage))
		}
	}
}
