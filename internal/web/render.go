package web

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"time"

	"annalist/internal/cause"
	"annalist/internal/store"
	jsonview "annalist/internal/view"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// pages holds one template set per page, each with the shared layout.
type pages struct {
	byName map[string]*template.Template
}

var funcs = template.FuncMap{
	"when":  func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") },
	"whens": func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05 UTC") },
	"iso":   func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
	"date":  func(t time.Time) string { return t.UTC().Format(time.DateOnly) },
	"stamp": stamp,
	"pdate": func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.UTC().Format(time.DateOnly)
	},
	"pwhen": func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.UTC().Format("2006-01-02 15:04 UTC")
	},
	"piso": func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.UTC().Format(time.RFC3339)
	},
	"plural": func(n int, one, many string) string {
		if n == 1 {
			return one
		}
		return many
	},
	"snapURL": snapshotPath,
	"cause":   cause.OfText,
	"whenvs":  whenVs,
	// datevs is t's date, or more when other falls on the same day.
	"datevs": func(t, other time.Time) string {
		if t.UTC().Format(time.DateOnly) != other.UTC().Format(time.DateOnly) {
			return t.UTC().Format(time.DateOnly)
		}
		return whenVs(t, other)
	},
	"sameMinute": sameMinute,
	"ts":         snapshotTS,
}

func sameMinute(a, b time.Time) bool {
	return a.UTC().Truncate(time.Minute).Equal(b.UTC().Truncate(time.Minute))
}

// whenVs is t to the minute, or to the second when other falls in the
// same minute: two snapshots shown side by side never read the same.
func whenVs(t, other time.Time) string {
	if sameMinute(t, other) {
		return t.UTC().Format("2006-01-02 15:04:05 UTC")
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

func loadPages() (*pages, error) {
	names, err := fs.Glob(templateFS, "templates/page_*.html")
	if err != nil || len(names) == 0 {
		return nil, fmt.Errorf("web: templates: %v", err)
	}
	p := &pages{byName: map[string]*template.Template{}}
	for _, n := range names {
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", n)
		if err != nil {
			return nil, fmt.Errorf("web: template %s: %w", n, err)
		}
		p.byName[n[len("templates/page_"):len(n)-len(".html")]] = t
	}
	return p, nil
}

// view is what the layout sees; Data is the page's own.
type view struct {
	Title      string
	Nav        string // "home", "search": the current section
	Query      string // kept in the search box
	Alternates []alternate
	Prev, Next string // rel=prev/next: keyboard navigation and <link>s
	Up         string
	// Meta are <meta name content> tags for the head (a snapshot's
	// citation metadata).
	Meta []jsonview.Meta
	Data any
}

type alternate struct{ Type, Title, Href string }

// render executes a page into a buffer first, so a template error becomes
// a clean 500 rather than half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, page string, v view) {
	t, ok := s.pages.byName[page]
	if !ok {
		s.serverError(w, r, fmt.Errorf("no page template %q", page))
		return
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, v); err != nil {
		s.serverError(w, r, fmt.Errorf("render %s: %w", page, err))
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Length", itoa(buf.Len()))
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		w.Write(buf.Bytes())
	}
}

type errorData struct {
	Status  int
	Heading string
	Message string
}

func (s *Server) errorPage(w http.ResponseWriter, r *http.Request, status int, msg string) {
	s.render(w, r, status, "error", view{Title: http.StatusText(status),
		Data: errorData{Status: status, Heading: http.StatusText(status), Message: msg}})
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request, msg string) {
	s.errorPage(w, r, http.StatusNotFound, msg)
}

func (s *Server) badRequest(w http.ResponseWriter, r *http.Request, msg string) {
	s.errorPage(w, r, http.StatusBadRequest, msg)
}

// serverError logs err and shows a page that does not repeat it (it may
// name files of the archive).
func (s *Server) serverError(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, r.Context().Err()) && r.Context().Err() != nil {
		return
	}
	s.log.Error("web: request failed", "path", r.URL.Path, "error", err)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusInternalServerError)
	fmt.Fprintln(w, "Internal error: the archive could not be read. The server log has the details.")
}

// storeErr answers a store error: 404 for ErrNotFound, else 500.
func (s *Server) storeErr(w http.ResponseWriter, r *http.Request, err error, what string) {
	if errors.Is(err, store.ErrNotFound) {
		s.notFound(w, r, what)
		return
	}
	if errors.Is(err, store.ErrDamaged) {
		s.log.Warn("web: damaged snapshot", "path", r.URL.Path, "error", err)
		s.errorPage(w, r, http.StatusGone, "Damaged: the archived text this page needs cannot be read (its WARC record is damaged or missing). Run annalist verify.")
		return
	}
	s.serverError(w, r, err)
}

func staticHandler() http.Handler {
	sub, err := fs.Sub(staticFS, "static")
	if err != nil {
		panic(err) // embedded at build time
	}
	files := http.StripPrefix("/static/", http.FileServerFS(sub))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		files.ServeHTTP(w, r)
	})
}
