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

	// Set from the global flags by Run.
	configPath string
	logFormat  string
	logLevel   string
	logger     *slog.Logger
	current    command // the command being run
}

// NewMain returns a Main wired to the process's standard streams.
func NewMain() *Main {
	return &Main{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv, Now: time.Now}
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
		daemonCommand, fetchCommand, extractCommand, sourcesCommand, listCommand,
		historyCommand, showCommand, diffCommand, searchCommand, serveCommand, verifyCommand, reindexCommand,
		demoCommand, versionCommand,
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
	if name == "help" || name == "-h" || name == "--help" || name == "-help" {
		if len(rest) > 1 {
			for _, c := range commands() {
				if c.name == rest[1] {
					fmt.Fprintf(m.Stdout, "usage: annalist %s\n\n%s\n", c.usage, c.summary)
					return 0
				}
			}
		}
		m.printHelp(m.Stdout)
		return 0
	}
	var cmd *command
	for _, c := range commands() {
		if c.name == name {
			cmd = &c
			break
		}
	}
	if cmd == nil {
		fmt.Fprintf(m.Stderr, "annalist: unknown command %q (run 'annalist help')\n", name)
		return 2
	}
	logger, err := newLogger(m.Stderr, m.logFormat, m.logLevel)
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
			fmt.Fprintf(m.Stderr, "annalist %s: %s\n", name, termText(ee.msg))
		}
		return ee.code
	case errors.Is(err, errUsage):
		fmt.Fprintf(m.Stderr, "annalist %s: %s\nusage: annalist %s\n", name, termText(strings.TrimPrefix(err.Error(), "usage: ")), cmd.usage)
		return 2
	default:
		fmt.Fprintf(m.Stderr, "annalist %s: %s\n", name, termText(err.Error()))
		return 1
	}
}

// parseGlobal removes the global flags from anywhere in args (before or
// after the command name) and returns the rest. "--" ends flag parsing.
func (m *Main) parseGlobal(args []string) ([]string, error) {
	m.logFormat, m.logLevel = "text", "info"
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
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, `
Global flags (before or after the command):
  --config PATH       configuration file (default $ANNALIST_CONFIG, else ./config.yaml)
  --log-format FMT    text or json (logs go to stderr)
  --log-level LEVEL   debug, info, warn or error

An ARTICLE argument is an article ID or any URL the article was reached by.
Every --json output is one JSON document on stdout.
Run 'annalist COMMAND --help' for a command's flags.
`)
}

// newFlagSet returns a FlagSet for the command being run, whose help names
// the command.
func (m *Main) newFlagSet() *flag.FlagSet {
	c := m.current
	fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
	fs.SetOutput(m.Stderr)
	fs.Usage = func() {
		fmt.Fprintf(m.Stderr, "usage: annalist %s\n\n%s\n\nFlags:\n", c.usage, c.summary)
		fs.PrintDefaults()
	}
	return fs
}

// parseArgs parses flags and positional arguments in any order.
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, usageErr("%v", err)
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
