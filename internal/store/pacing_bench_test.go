package store_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"annalist/internal/fetch"
	"annalist/internal/pgtest"
	"annalist/internal/store"
)

// BenchmarkSharedPacingGet is one GET after another to a loopback server
// by a worker on a PostgreSQL index: the cost a request pays for the
// shared pacing (its booking, and its slot taken and given back).
func BenchmarkSharedPacingGet(b *testing.B) {
	ctx := context.Background()
	db := pgtest.NewDatabase(b)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok")) }))
	defer srv.Close()
	s, err := store.Open(ctx, b.TempDir(), store.Options{NoSync: true, Database: db})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	p, err := s.Pacing()
	if err != nil {
		b.Fatal(err)
	}
	c := fetch.New(fetch.Options{Timeout: 10 * time.Second, MaxBody: 1 << 20, PerHostConcurrency: 2,
		AllowPrivateNetworks: true, SharedPacing: p})
	for b.Loop() {
		if _, err := c.Get(ctx, fetch.Request{URL: srv.URL + "/page"}); err != nil {
			b.Fatal(err)
		}
	}
}
