package config

import (
	"strings"
	"testing"
)

func TestDatabaseKey(t *testing.T) {
	cfg, err := Parse(strings.NewReader("database: postgres://annalist@db.example:5432/archive\n"), "config.yaml", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Database != "postgres://annalist@db.example:5432/archive" {
		t.Errorf("Database = %q", cfg.Database)
	}
	if cfg, err := Parse(strings.NewReader("data_dir: a\n"), "config.yaml", t.TempDir()); err != nil || cfg.Database != "" {
		t.Errorf("no database key: %q, %v", cfg.Database, err)
	}
	for _, bad := range []string{"mysql://x@h/db", "postgres://user:secret@/"} {
		_, err := Parse(strings.NewReader("database: "+bad+"\n"), "config.yaml", t.TempDir())
		if err == nil || !strings.Contains(err.Error(), "config.yaml:1") || !strings.Contains(err.Error(), "database") {
			t.Errorf("database: %s: %v", bad, err)
		}
		if err != nil && strings.Contains(err.Error(), "secret") {
			t.Errorf("error shows the password: %v", err)
		}
	}
}

// A database value that is not a well-formed URL is refused without its
// password: a typo (a missing ':', a bad % escape) or a libpq key=value
// string must not print the secret into logs and terminals.
func TestDatabaseErrorHidesPasswordOfMalformedValue(t *testing.T) {
	for _, bad := range []string{
		"postgres//annalist:hunter2@db.example/archive",
		"postgresql://annalist:hun%zzter2@db.example:5432/archive",
		"host=db.example user=annalist password=hunter2 dbname=archive",
	} {
		_, err := Parse(strings.NewReader("database: \""+bad+"\"\n"), "config.yaml", t.TempDir())
		if err == nil || !strings.Contains(err.Error(), "config.yaml:1") {
			t.Errorf("database: %s: %v; want an error naming config.yaml:1", bad, err)
			continue
		}
		if strings.Contains(err.Error(), "hunter2") || strings.Contains(err.Error(), "hun%zzter2") {
			t.Errorf("database: %s: the error shows the password: %v", bad, err)
		}
	}
}
