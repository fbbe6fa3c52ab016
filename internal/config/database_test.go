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
