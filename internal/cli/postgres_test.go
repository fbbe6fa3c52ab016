package cli_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"annalist/internal/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// TestPostgresArchive: with $ANNALIST_DATABASE set, fetch stores the index
// in PostgreSQL (no annalist.db in data_dir), WARC files carry a worker
// ID, and the browse commands and verify read the same index.
func TestPostgresArchive(t *testing.T) {
	f := newFixture(t)
	env := map[string]string{"ANNALIST_DATABASE": pgtest.NewDatabase(t)}
	out, stderr, code := f.runEnv(env, "fetch", "--json")
	if code != 0 {
		t.Fatalf("fetch: exit %d\n%s\n%s", code, out, stderr)
	}
	dataDir := filepath.Join(filepath.Dir(f.cfg), "archive")
	if _, err := os.Stat(filepath.Join(dataDir, "annalist.db")); !os.IsNotExist(err) {
		t.Errorf("annalist.db in data_dir with a PostgreSQL index: %v", err)
	}
	warcs, _ := filepath.Glob(filepath.Join(dataDir, "warc", "annalist-*.warc.gz"))
	if len(warcs) == 0 {
		t.Fatal("no WARC file written")
	}
	host, _ := os.Hostname()
	if len(host) > 3 && !strings.Contains(filepath.Base(warcs[0]), host[:3]) {
		t.Errorf("WARC file %s does not name the worker (host %s)", warcs[0], host)
	}
	var arts []map[string]any
	out, stderr, code = f.runEnv(env, "list", "--json")
	if code != 0 || json.Unmarshal([]byte(out), &arts) != nil || len(arts) == 0 {
		t.Fatalf("articles: exit %d, %d articles\n%s", code, len(arts), stderr)
	}
	// Without the database the SQLite archive is empty: the articles came
	// from PostgreSQL.
	if out, _, code := f.run("list", "--json"); code == 0 && strings.Contains(out, arts[0]["id"].(string)) {
		t.Errorf("articles without ANNALIST_DATABASE found the PostgreSQL articles")
	}
	var hits []map[string]any
	out, stderr, code = f.runEnv(env, "search", "Yalta", "--json")
	if code != 0 || json.Unmarshal([]byte(out), &hits) != nil || len(hits) == 0 {
		t.Fatalf("search Yalta: exit %d, %s\n%s", code, out, stderr)
	}
	out, stderr, code = f.runEnv(env, "verify", "--json")
	if code != 0 || !strings.Contains(out, `"ok": true`) && !strings.Contains(out, `"ok":true`) {
		t.Fatalf("verify: exit %d\n%s\n%s", code, out, stderr)
	}
	if _, stderr, code := f.runEnv(map[string]string{"ANNALIST_DATABASE": "mysql://x/y"}, "list"); code != 2 || !strings.Contains(stderr, "ANNALIST_DATABASE") {
		t.Errorf("bad ANNALIST_DATABASE: exit %d, %s", code, stderr)
	}
}

// TestMigrateArchive: migrate-archive copies an SQLite archive into
// PostgreSQL and checks the counts; the archive then reads the same on it.
func TestMigrateArchive(t *testing.T) {
	f := newFixture(t)
	if _, stderr, code := f.run("fetch"); code != 0 {
		t.Fatalf("fetch: %s", stderr)
	}
	var before []map[string]any
	f.runJSON(&before, "list", "--json")
	db := pgtest.NewDatabase(t)
	if _, stderr, code := f.run("migrate-archive"); code != 2 || !strings.Contains(stderr, "--to") {
		t.Errorf("without --to: exit %d, %s", code, stderr)
	}
	out, stderr, code := f.run("migrate-archive", "--to", db, "--json")
	var rep struct {
		OK     bool `json:"ok"`
		Tables []struct {
			Table    string `json:"table"`
			SQLite   int    `json:"sqlite"`
			Postgres int    `json:"postgres"`
		} `json:"tables"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &rep) != nil || !rep.OK || len(rep.Tables) == 0 {
		t.Fatalf("migrate-archive: exit %d\n%s\n%s", code, out, stderr)
	}
	out, stderr, code = f.runEnv(map[string]string{"ANNALIST_DATABASE": db}, "list", "--json")
	var after []map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &after) != nil || len(after) != len(before) || after[0]["id"] != before[0]["id"] {
		t.Fatalf("list on PostgreSQL after the copy: exit %d, %d articles (want %d)\n%s", code, len(after), len(before), stderr)
	}
	if _, stderr, code := f.run("migrate-archive", "--to", db); code != 1 || !strings.Contains(stderr, "not empty") {
		t.Errorf("second copy: exit %d, %s", code, stderr)
	}
}

// TestDatabaseUnreachableNamesConfigLine: a database: that cannot be
// reached (here a closed port; a wrong password is alike) fails the
// commands with exit 1, naming the config line to fix (or
// $ANNALIST_DATABASE) and never printing the password.
func TestDatabaseUnreachableNamesConfigLine(t *testing.T) {
	f := newFixture(t)
	body, err := os.ReadFile(f.cfg)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Count(string(body), "\n")
	body = append(body, "database: postgres://annalist:hunter2@127.0.0.1:1/archive?connect_timeout=5\n"...)
	if err := os.WriteFile(f.cfg, body, 0o644); err != nil {
		t.Fatal(err)
	}
	where := fmt.Sprintf("config.yaml:%d", lines+1)
	for _, args := range [][]string{{"fetch"}, {"list"}, {"sources"}, {"verify"}, {"reindex", "--from-warc"}} {
		_, stderr, code := f.run(args...)
		if code != 1 || !strings.Contains(stderr, where) || strings.Contains(stderr, "hunter2") {
			t.Errorf("%s: exit %d; want 1 and an error naming %s without the password:\n%s", args[0], code, where, stderr)
		}
	}
	env := map[string]string{"ANNALIST_DATABASE": "postgres://annalist:hunter2@127.0.0.1:1/archive?connect_timeout=5"}
	if _, stderr, code := f.runEnv(env, "list"); code != 1 || !strings.Contains(stderr, "$ANNALIST_DATABASE") || strings.Contains(stderr, "hunter2") {
		t.Errorf("list with $ANNALIST_DATABASE: exit %d; want 1 and an error naming $ANNALIST_DATABASE without the password:\n%s", code, stderr)
	}
}

// TestExtractSourceTemplateOnPostgres: `extract --source` applies the
// template learned in the configured PostgreSQL index, not in an absent
// annalist.db.
func TestExtractSourceTemplateOnPostgres(t *testing.T) {
	f := newFixture(t)
	env := map[string]string{"ANNALIST_DATABASE": pgtest.NewDatabase(t)}
	if out, stderr, code := f.runEnv(env, "fetch", "--json"); code != 0 {
		t.Fatalf("fetch: exit %d\n%s\n%s", code, out, stderr)
	}
	var arts []map[string]any
	out, stderr, code := f.runEnv(env, "list", "--json")
	if code != 0 || json.Unmarshal([]byte(out), &arts) != nil || len(arts) == 0 {
		t.Fatalf("list: exit %d\n%s", code, stderr)
	}
	out, stderr, code = f.runEnv(env, "extract", "--source", "mondo-history", "--format", "json", arts[0]["url"].(string))
	var ex struct {
		Learned int `json:"template_learned"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &ex) != nil {
		t.Fatalf("extract: exit %d\n%s\n%s", code, out, stderr)
	}
	if ex.Learned != len(arts) {
		t.Errorf("extract --source: template learned from %d articles, want the %d archived in PostgreSQL\n%s", ex.Learned, len(arts), stderr)
	}
}
