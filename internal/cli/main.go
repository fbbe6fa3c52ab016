// Package cli is annalist's command line: one file per command, wiring
// apart from logic, and a Main type that both cmd/annalist and the
// end-to-end tests run.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

// Version is annalist's version, shown by `annalist version` and in the
// default User-Agent.
const Version = "0.1.0"

// Main runs one invocation of annalist.
type Main struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Getenv func(string) string
	Now    func() time.Time
	// Arg0 is how annalist was started (os.Args[0]), so that commands it
	// prints for the user to type start the same way; "" = "annalist".
	Arg0 string

	// Set from the global flags by Run.
	configPath string
	logFormat  string
	logLevel   string
	logger     *slog.Logger
	current    command // the command being run
	con        *console
	// flagSink, when set, receives the command's flags instead of --help
	// printing them (for `annalist completion`).
	flagSink func(*flag.FlagSet)
}

// console is stderr shared by the logger and the progress line.
func (m *Main) console() *console {
	if m.con == nil {
		m.con = &console{w: m.Stderr}
	}
	return m.con
}

// NewMain returns a Main wired to the process's standard streams.
func NewMain() *Main {
	return &Main{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv, Now: time.Now, Arg0: os.Args[0]}
}

// command is one subcommand.
type command struct {
	name    string
	summary string
	usage   string
	run     func(ctx context.Context, m *Main, args []string) error
}

func commands() []command {
	return []command{
		daemonCommand, fetchCommand, extractCommand, sourcesCommand, addCommand, listCommand,
		historyCommand, showCommand, diffCommand, searchCommand, exportCommand, serveCommand, verifyCommand, reindexCommand,
		migrateCommand, demoCommand, completionCommand, versionCommand,
	}
}

// exitError carries an exit code without printing anything more.
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

// errUsage marks errors in how the command was called (exit 2).
var errUsage = errors.New("usage")

func usageErr(format string, a ...any) error {
	return fmt.Errorf("%w: %s", errUsage, fmt.Sprintf(format, a...))
}

// Run runs annalist with args (without the program name) and returns the
// exit code: 0 success, 1 failure, 2 bad usage.
func (m *Main) Run(ctx context.Context, args []string) int {
	if m.Getenv == nil {
		m.Getenv = os.Getenv
	}
	if m.Now == nil {
		m.Now = time.Now
	}
	if m.Stdin == nil {
		m.Stdin = os.Stdin
	}
	rest, err := m.parseGlobal(args)
	if err != nil {
		fmt.Fprintf(m.Stderr, "annalist: %v\n", err)
		return 2
	}
	if len(rest) == 0 {
		m.printHelp(m.Stderr)
		return 2
	}
	name := rest[0]
	if name == "-h" || name == "--help" || name == "-help" || (name == "help" && len(rest) == 1) {
		m.printHelp(m.Stdout)
		return 0
	}
	if name == "help" {
		return m.commandHelp(ctx, rest[1])
	}
	var cmd *command
	for _, c := range commands() {
		if c.name == name {
			cmd = &c
			break
		}
	}
	if cmd == nil {
		fmt.Fprintf(m.Stderr, "annalist: unknown command %q%s (run 'annalist help')\n", name, didYouMean(name))
		return 2
	}
	if m.logLevel == "" {
		// A one-off command prints its own results: only warnings and
		// errors are logged, unless asked (-v, --log-level info). The
		// daemon and serve run unattended, and log what they do.
		m.logLevel = "warn"
		if cmd.name == daemonCommand.name || cmd.name == serveCommand.name {
			m.logLevel = "info"
		}
	}
	logger, err := newLogger(m.console(), m.logFormat, m.logLevel)
	if err != nil {
		fmt.Fprintf(m.Stderr, "annalist: %v\n", err)
		return 2
	}
	m.logger = logger
	m.current = *cmd
	err = cmd.run(ctx, m, rest[1:])
	var ee *exitError
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &ee):
		if ee.msg != "" {
			fmt.Fprintf(m.Stderr, "annalist %s: %s\n", name, termText(forPeople(name, ee.msg)))
		}
		return ee.code
	case errors.Is(err, errUsage):
		fmt.Fprintf(m.Stderr, "annalist %s: %s\nusage: annalist %s\n", name, termText(forPeople(name, strings.TrimPrefix(err.Error(), "usage: "))), cmd.usage)
		return 2
	default:
		fmt.Fprintf(m.Stderr, "annalist %s: %s\n", name, termText(forPeople(name, err.Error())))
		return 1
	}
}

// parseGlobal removes the global flags from anywhere in args (before or
// after the command name) and returns the rest. "--" ends flag parsing.
func (m *Main) parseGlobal(args []string) ([]string, error) {
	m.logFormat, m.logLevel = "text", ""
	globals := map[string]*string{"config": &m.configPath, "log-format": &m.logFormat, "log-level": &m.logLevel}
	var rest []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			rest = append(rest, args[i:]...)
			break
		}
		if !strings.HasPrefix(a, "-") {
			rest = append(rest, a)
			continue
		}
		name, value, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if (name == "v" || name == "verbose") && !hasValue {
			m.logLevel = "info"
			continue
		}
		dst, ok := globals[name]
		if !ok {
			rest = append(rest, a)
			continue
		}
		if !hasValue {
			if i+1 >= len(args) {
				return nil, fmt.Errorf("flag --%s needs a value", name)
			}
			i++
			value = args[i]
		}
		*dst = value
	}
	if m.configPath == "" {
		m.configPath = m.Getenv("ANNALIST_CONFIG")
	}
	if m.configPath == "" {
		m.configPath = "config.yaml"
	}
	return rest, nil
}

func newLogger(w io.Writer, format, level string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level: %q is not one of debug, info, warn, error", level)
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("--log-format: %q is not text or json", format)
}

func (m *Main) printHelp(w io.Writer) {
	fmt.Fprintf(w, `annalist %s — a feed aggregator and archiver for history sites.

It polls the feeds of the sources in config.yaml and feeds/*.yaml, archives
the full text of every article, and keeps one dated snapshot per real
revision (SQLite + WARC files in the archive directory).

Usage: annalist [global flags] COMMAND [flags] [args]

Commands:
`, Version)
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-11s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, `
Global flags (before or after the command):
  --config PATH       configuration file (default $ANNALIST_CONFIG, else ./config.yaml)
  --log-format FMT    text or json (logs go to stderr)
  --log-level LEVEL   debug, info, warn or error (default: info for daemon and
                      serve, warn for the others, which print their own results)
  -v, --verbose       the same as --log-level info

An ARTICLE argument is an article ID or any URL the article was reached by.
Every --json output is one JSON document on stdout.
Run 'annalist COMMAND --help' for a command's flags.
`)
}

// commandHelp prints `annalist help NAME`: the command's usage, summary
// and flags, on stdout. The flags are defined inside each command's run
// function, so it is run with --help, which returns before any I/O.
func (m *Main) commandHelp(ctx context.Context, name string) int {
	for _, c := range commands() {
		if c.name != name {
			continue
		}
		if c.name == versionCommand.name { // takes no flags
			fmt.Fprintf(m.Stdout, "usage: annalist %s\n\n%s\n", c.usage, c.summary)
			return 0
		}
		m.current = c
		m.logger = slog.New(slog.NewTextHandler(io.Discard, nil))
		if err := c.run(ctx, m, []string{"--help"}); !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintf(m.Stderr, "annalist help %s: %v\n", name, err)
			return 1
		}
		return 0
	}
	fmt.Fprintf(m.Stderr, "annalist help: unknown command %q%s (run 'annalist help')\n", name, didYouMean(name))
	return 2
}

// didYouMean suggests the command closest to a misspelt name (edit
// distance at most 2), as ", did you mean list?", or "".
func didYouMean(name string) string {
	best, bestDist := "", 3
	for _, c := range commands() {
		if d := editDistance(name, c.name); d < bestDist {
			best, bestDist = c.name, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(", did you mean %s?", best)
}

// editDistance is the optimal string alignment distance: insertions,
// deletions, substitutions and swaps of two adjacent letters ("lsit").
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}

// newFlagSet returns a FlagSet for the command being run. The flag package
// prints nothing itself: a bad flag is reported once by Run (error and
// usage line), and --help prints the command's help on stdout with flags
// spelt --name, as the docs spell them.
// flagSet reports whether the flag name was given on the command line
// (as opposed to left at its default).
func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

func (m *Main) newFlagSet() *flag.FlagSet {
	c := m.current
	fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

// printFlagHelp writes a command's help: usage, summary and its flags.
func (m *Main) printFlagHelp(fs *flag.FlagSet) {
	c := m.current
	w := m.Stdout
	fmt.Fprintf(w, "usage: annalist %s\n\n%s\n", c.usage, c.summary)
	first := true
	fs.VisitAll(func(f *flag.Flag) {
		if first {
			fmt.Fprint(w, "\nFlags:\n")
			first = false
		}
		typ, usage := flag.UnquoteUsage(f)
		line := "  " + spellFlag(f.Name)
		if v := usageValue(c.usage, f.Name); v != "" && typ != "" {
			line += " " + v
		} else if typ != "" {
			line += " " + strings.ToUpper(typ)
		}
		if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0" {
			usage += fmt.Sprintf(" (default %s)", f.DefValue)
		}
		fmt.Fprintf(w, "%s\n      %s\n", line, usage)
	})
	fmt.Fprint(w, "\nGlobal flags: --config PATH, --log-format FMT, --log-level LEVEL, -v (see 'annalist help').\n")
}

// usageValue returns the value name a usage line gives a flag
// ("--limit N" gives "N"), so that help and usage line agree.
func usageValue(usage, name string) string {
	key := "--" + name + " "
	if len(name) == 1 {
		key = " -" + name + " " // not the tail of a --long-o
		usage = " " + strings.ReplaceAll(usage, "[-", "[ -")
	}
	_, after, ok := strings.Cut(usage, key)
	if !ok {
		return ""
	}
	v, _, _ := strings.Cut(after, " ")
	v = strings.TrimRight(v, "]")
	if v == "" || strings.HasPrefix(v, "-") || strings.HasPrefix(v, "[") {
		return ""
	}
	return v
}

// flagDashes finds the flag package's "-name" in its errors ("not
// defined: -x", "for flag -limit", "needs an argument: -listen", "for
// -json").
var flagDashes = regexp.MustCompile(`((?:not defined|needs an argument): |for (?:flag )?)-`)

// parseArgs parses flags and positional arguments in any order.
func (m *Main) parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				if m.flagSink != nil {
					m.flagSink(fs)
					return nil, err
				}
				m.printFlagHelp(fs)
				return nil, err
			}
			// The flag package spells flags -name; the docs spell them --name.
			msg := flagDashes.ReplaceAllString(err.Error(), "$1--")
			return nil, usageErr("%s", msg)
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

var versionCommand = command{
	name: "version", summary: "print annalist's version", usage: "version",
	run: func(ctx context.Context, m *Main, args []string) error {
		fmt.Fprintf(m.Stdout, "annalist %s\n", Version)
		return nil
	},
}

// program is how to start annalist in a command printed for the user:
// "annalist" when it was found on PATH, the path typed otherwise
// ("./annalist"), and "go run ./cmd/annalist" for a binary `go run` built
// (its path is a temporary directory gone once it exits).
func (m *Main) program() string {
	a := m.Arg0
	switch {
	case a == "":
		return "annalist"
	case strings.Contains(filepath.ToSlash(a), "/go-build"):
		return "go run ./cmd/annalist"
	case !strings.ContainsRune(a, '/') && !strings.ContainsRune(a, filepath.Separator):
		return a
	}
	return shellQuote(a)
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./:=@%+,") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// forPeople is an error's text after "annalist NAME: ": without the
// command's name again ("annalist fetch: fetch: …") and without the
// package prefixes of sentinel errors ("store: ", "fetch: "…).
func forPeople(name, msg string) string {
	return withoutPackage(strings.TrimPrefix(msg, name+": "))
}

// spellFlag spells a flag as the usage lines do: a one-letter flag with
// one dash (-o), the others with two (--limit).
func spellFlag(name string) string {
	if len(name) == 1 {
		return "-" + name
	}
	return "--" + name
}
