package store

import (
	"context"
	"testing"
)

// TestOpenWarmsAReader: Open of an existing archive leaves a reader
// connection in the pool that has read the schema (warmReader, meanwhile
// the writer migrates), so the command's first query does not open and
// parse; a new archive gets none (its schema is not there yet).
func TestOpenWarmsAReader(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	s, err := Open(ctx, dir, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	if n := s.rdb.Stats().OpenConnections; n != 0 {
		t.Errorf("new archive: %d reader connections open after Open, want 0", n)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = Open(ctx, dir, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if st := s.rdb.Stats(); st.OpenConnections != 1 || st.Idle != 1 {
		t.Errorf("existing archive: %d reader connections open (%d idle) after Open, want 1 idle", st.OpenConnections, st.Idle)
	}
	if _, err := s.Source(ctx, "none"); err == nil {
		t.Error("Source of an unknown name: no error")
	}
	if n := s.rdb.Stats().OpenConnections; n != 1 {
		t.Errorf("after a query: %d reader connections, want the warm one only", n)
	}
}
