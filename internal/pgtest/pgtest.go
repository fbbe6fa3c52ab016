// Package pgtest starts a throw-away PostgreSQL cluster for tests: initdb
// in a temporary directory, listening on a loopback port, stopped and
// removed when the test binary ends. Run as root (CI), it runs the server
// as the postgres user, since initdb refuses root.
//
// A package that uses it has
//
//	func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }
//
// and calls NewDatabase for a fresh, empty database per test.
// $ANNALIST_TEST_POSTGRES (a postgres:// URL of a server where we may
// create databases) uses that server instead of starting one. Without
// PostgreSQL the tests skip, unless $ANNALIST_REQUIRE_POSTGRES is set
// (.ci/run sets it) and they fail.
package pgtest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

var (
	once    sync.Once
	base    *url.URL // the server, database "postgres"
	startEr error
	dir     string // cluster directory, "" when not ours
	asUser  string // run pg_ctl as this user ("" = ourselves)
	pgCtl   string
	dbSeq   atomic.Int64
)

// Main runs the tests and then stops the cluster, if one was started.
func Main(m *testing.M) int {
	code := m.Run()
	stop()
	return code
}

// NewDatabase returns the URL of a new empty database on the test server,
// starting the server on first use. It skips the test, saying why, when
// PostgreSQL is not installed.
func NewDatabase(tb testing.TB) string {
	tb.Helper()
	once.Do(func() { startEr = start() })
	if errors.Is(startEr, errNotInstalled) && os.Getenv("ANNALIST_REQUIRE_POSTGRES") != "" {
		tb.Fatalf("PostgreSQL required (ANNALIST_REQUIRE_POSTGRES is set): %v", startEr)
	}
	if errors.Is(startEr, errNotInstalled) {
		tb.Skipf("PostgreSQL tests skipped: %v (install Debian's postgresql, or set ANNALIST_TEST_POSTGRES)", startEr)
	}
	if startEr != nil {
		tb.Fatalf("start test PostgreSQL: %v", startEr)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, base.String())
	if err != nil {
		tb.Fatalf("connect to test PostgreSQL: %v", err)
	}
	defer conn.Close(ctx)
	name := fmt.Sprintf("annalist_test_%d_%d", os.Getpid(), dbSeq.Add(1))
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name+" TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'"); err != nil {
		tb.Fatalf("create test database: %v", err)
	}
	u := *base
	u.Path = "/" + name
	return u.String()
}

var errNotInstalled = errors.New("initdb not found")

// findBin finds a PostgreSQL server program on PATH or in Debian's
// versioned directory, which is not on PATH.
func findBin(name string) (string, error) {
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/" + name)
	if len(matches) == 0 {
		return "", fmt.Errorf("%w: %s is neither on PATH nor in /usr/lib/postgresql/*/bin", errNotInstalled, name)
	}
	return matches[len(matches)-1], nil
}

func start() error {
	if s := os.Getenv("ANNALIST_TEST_POSTGRES"); s != "" {
		u, err := url.Parse(s)
		if err != nil {
			return fmt.Errorf("ANNALIST_TEST_POSTGRES: %w", err)
		}
		base = u
		return nil
	}
	initdb, err := findBin("initdb")
	if err != nil {
		return err
	}
	if pgCtl, err = findBin("pg_ctl"); err != nil {
		return err
	}
	if dir, err = os.MkdirTemp("", "annalist-pgtest-"); err != nil {
		return err
	}
	if os.Geteuid() == 0 {
		// initdb refuses root: the cluster belongs to postgres.
		u, err := user.Lookup("postgres")
		if err != nil {
			return fmt.Errorf("running as root needs the postgres user: %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			return err
		}
		asUser = "postgres"
	}
	port, err := freePort()
	if err != nil {
		return err
	}
	data := filepath.Join(dir, "data")
	if out, err := run(initdb, "-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-locale", "--no-sync"); err != nil {
		return fmt.Errorf("initdb: %v: %s", err, out)
	}
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200", port, dir)
	if out, err := run(pgCtl, "-D", data, "-o", opts, "-l", filepath.Join(dir, "log"), "-w", "-t", "60", "start"); err != nil {
		log, _ := os.ReadFile(filepath.Join(dir, "log"))
		return fmt.Errorf("pg_ctl start: %v: %s\n%s", err, out, log)
	}
	base = &url.URL{Scheme: "postgres", User: url.User("postgres"), Host: fmt.Sprintf("127.0.0.1:%d", port),
		Path: "/postgres", RawQuery: "sslmode=disable"}
	return nil
}

func stop() {
	if dir == "" {
		return
	}
	if pgCtl != "" {
		run(pgCtl, "-D", filepath.Join(dir, "data"), "-m", "immediate", "-w", "stop")
	}
	os.RemoveAll(dir)
}

func run(prog string, args ...string) ([]byte, error) {
	var cmd *exec.Cmd
	if asUser != "" {
		cmd = exec.Command("runuser", append([]string{"-u", asUser, "--", prog}, args...)...)
	} else {
		cmd = exec.Command(prog, args...)
	}
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	return []byte(strings.TrimSpace(string(out))), err
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// ServerCPU is the CPU time (user and system) the test cluster's processes
// have used so far: the postmaster, its live backends, and the backends it
// has reaped. ok is false when the server is not this package's own (or
// /proc cannot tell).
func ServerCPU() (cpu time.Duration, ok bool) {
	if dir == "" {
		return 0, false
	}
	pidFile, err := os.ReadFile(filepath.Join(dir, "data", "postmaster.pid"))
	if err != nil {
		return 0, false
	}
	pm, err := strconv.Atoi(strings.TrimSpace(strings.SplitN(string(pidFile), "\n", 2)[0]))
	if err != nil {
		return 0, false
	}
	const tick = 10 * time.Millisecond // USER_HZ is 100 on Linux
	ticks, _, ok := procTicks(pm, true)
	if !ok {
		return 0, false
	}
	procs, _ := filepath.Glob("/proc/[0-9]*")
	for _, p := range procs {
		pid, err := strconv.Atoi(filepath.Base(p))
		if err != nil || pid == pm {
			continue
		}
		if t, ppid, ok := procTicks(pid, false); ok && ppid == pm {
			ticks += t
		}
	}
	return time.Duration(ticks) * tick, true
}

// procTicks reads utime+stime (and with children, cutime+cstime) and the
// parent pid from /proc/pid/stat.
func procTicks(pid int, children bool) (ticks int64, ppid int, ok bool) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, 0, false
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')') // the command name may hold spaces
	if i < 0 {
		return 0, 0, false
	}
	f := strings.Fields(s[i+1:]) // f[0] is field 3 (state)
	if len(f) < 15 {
		return 0, 0, false
	}
	ppid, _ = strconv.Atoi(f[1])
	n := 2 // utime (14), stime (15)
	if children {
		n = 4 // and cutime (16), cstime (17)
	}
	for _, v := range f[11 : 11+n] {
		x, _ := strconv.ParseInt(v, 10, 64)
		ticks += x
	}
	return ticks, ppid, true
}
