package store_test

import (
	"context"
	"os"
	"testing"

	"annalist/internal/pgtest"
	"annalist/internal/store"
	"annalist/internal/store/storetest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

func TestConformanceSQLite(t *testing.T) {
	storetest.Run(t, func(t *testing.T, dir string) store.Index {
		s, err := store.Open(context.Background(), dir, store.Options{NoSync: true})
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

func TestConformancePostgres(t *testing.T) {
	storetest.Run(t, func(t *testing.T, dir string) store.Index {
		s, err := store.Open(context.Background(), dir, store.Options{NoSync: true, Database: pgtest.NewDatabase(t)})
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}
