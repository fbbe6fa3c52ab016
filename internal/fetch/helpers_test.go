package fetch

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
)

// testClient allows loopback, since httptest servers listen on 127.0.0.1.
func testClient(t testing.TB, opts Options) *Client {
	t.Helper()
	opts.AllowPrivateNetworks = true
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	c := New(opts)
	t.Cleanup(c.http.CloseIdleConnections)
	return c
}

func testServer(t testing.TB, h http.HandlerFunc) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}
