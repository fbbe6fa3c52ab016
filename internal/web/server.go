package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"runtime"
	"strings"
	"sync/atomic"
	"time"

	"annalist/internal/store"
)

// Options configures a Server. Store is required.
type Options struct {
	Store  *store.Store
	Logger *slog.Logger
	Now    func() time.Time
	// Schedule returns a source's cron spec and its next run, as the
	// configuration says; nil, or ok false, when not known (annalist serve
	// has no scheduler, and a source may no longer be configured).
	Schedule func(source string) (spec string, next time.Time, ok bool)
	// BaseURL ("https://archive.example.org") is put before paths in feeds,
	// Memento links and citations; "" = http:// + the request's Host.
	BaseURL string
	// MaxDiffs bounds the word diffs computed at once; 0 = half the CPUs
	// (at least one).
	MaxDiffs int
}

// Server serves the UI. It is safe for concurrent use.
type Server struct {
	st       *store.Store
	log      *slog.Logger
	now      func() time.Time
	schedule func(string) (string, time.Time, bool)
	baseURL  string
	pages    *pages
	diffs    diffSlots
	// exports bounds the WACZ packages built at once: each one reads the
	// article's records and writes two temporary files of their size.
	exports diffSlots
	// Diffs started, in progress, and the most at once: for tests.
	diffsRun, diffsActive, diffsPeak atomic.Int64
	metrics                          *requestMetrics
	handler                          http.Handler
}

// New returns a Server reading from o.Store.
func New(o Options) (*Server, error) {
	if o.Store == nil {
		return nil, errors.New("web: Options.Store is required")
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.MaxDiffs <= 0 {
		o.MaxDiffs = runtime.NumCPU() / 2
	}
	p, err := loadPages()
	if err != nil {
		return nil, err
	}
	s := &Server{
		st:       o.Store,
		log:      o.Logger,
		now:      o.Now,
		schedule: o.Schedule,
		baseURL:  strings.TrimRight(o.BaseURL, "/"),
		pages:    p,
		diffs:    newDiffSlots(o.MaxDiffs),
		exports:  newDiffSlots(maxExports),
		metrics:  newRequestMetrics(),
	}
	s.handler = s.routes()
	return s, nil
}

// Handler returns the UI's HTTP handler: every route, with the security
// headers, a method check and panic recovery.
func (s *Server) Handler() http.Handler { return s.handler }

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", s.handleHome)
	mux.HandleFunc("GET /s/{source}", s.handleSource)
	mux.HandleFunc("GET /s/{source}/feed.atom", s.handleAtom)
	mux.HandleFunc("GET /s/{source}/feed.json", s.handleJSONFeed)
	mux.HandleFunc("GET /a/{article}", s.handleArticle)
	mux.HandleFunc("GET /a/{article}/diff", s.handleDiff)
	mux.HandleFunc("GET /a/{article}/export.wacz", s.handleArticleWACZ)
	mux.HandleFunc("GET /a/{article}/{ts}", s.handleSnapshot)
	mux.HandleFunc("GET /a/{article}/{ts}/warc", s.handleWARC)
	mux.HandleFunc("GET /a/{article}/{ts}/{format}", s.handleCite)
	mux.HandleFunc("GET /search", s.handleSearch)
	mux.HandleFunc("GET /feed.atom", s.handleAtom)
	mux.HandleFunc("GET /feed.json", s.handleJSONFeed)
	mux.HandleFunc("GET /api/sources", s.apiSources)
	mux.HandleFunc("GET /api/articles", s.apiArticles)
	mux.HandleFunc("GET /api/changes", s.apiChanges)
	mux.HandleFunc("GET /api/search", s.apiSearch)
	mux.HandleFunc("GET /api/a/{article}", s.apiArticle)
	mux.HandleFunc("GET /api/a/{article}/history", s.apiHistory)
	mux.HandleFunc("GET /api/a/{article}/diff", s.apiDiff)
	mux.HandleFunc("GET /api/a/{article}/{ts}", s.apiSnapshot)
	mux.HandleFunc("GET /healthz", s.handleHealth)
	mux.HandleFunc("GET /metrics", s.handleMetrics)
	mux.Handle("GET /static/", staticHandler())
	mux.HandleFunc("GET /favicon.ico", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/static/favicon.svg", http.StatusMovedPermanently)
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { s.notFound(w, r, "No such page.") })
	return s.secure(s.memento(mux))
}

// memento routes /timegate/ and /timemap/ before the mux: their rest is an
// original URL ("http://…"), whose "//" the mux would clean and redirect.
func (s *Server) memento(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasPrefix(r.URL.Path, "/timegate/"):
			s.handleTimeGate(w, r, refAfter(r, "/timegate/"))
		case strings.HasPrefix(r.URL.Path, "/timemap/"):
			s.handleTimeMap(w, r, refAfter(r, "/timemap/"))
		default:
			next.ServeHTTP(w, r)
		}
	})
}

// Serve serves h on ln until ctx is done, then shuts down gracefully,
// waiting up to grace for requests in flight.
func Serve(ctx context.Context, ln net.Listener, h http.Handler, grace time.Duration, log *slog.Logger) error {
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("web: serve: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		srv.Close()
		return fmt.Errorf("web: shutdown: %w", err)
	}
	<-errc
	return nil
}

// Listen opens a TCP listener on addr ("127.0.0.1:8080").
func Listen(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("web: listen on %s: %w", addr, err)
	}
	return ln, nil
}
