package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"annalist/internal/export"
	"annalist/internal/store"
)

// exportsSoftware names us in the files we export.
const exportsSoftware = "annalist (web UI)"

// maxExports WACZ packages are built at once; a request waits up to
// exportWait for its turn, then is answered 503.
const (
	maxExports = 2
	exportWait = 30 * time.Second
)

// handleWARC offers a snapshot's records (response, request, metadata, and
// a paginated article's later pages) as a WARC file, as `annalist export
// --format warc` writes it: a download, never rendered as a page of this
// origin, and sandboxed should a browser try.
func (s *Server) handleWARC(w http.ResponseWriter, r *http.Request) {
	a, sn, ok := s.loadSnapshot(w, r)
	if !ok {
		return
	}
	name := a.ID + "-" + r.PathValue("ts") + ".warc.gz"
	var buf bytes.Buffer
	// The file name and offset come from the database, never from the URL.
	_, err := export.WriteWARC(r.Context(), &buf, name, s.st, []string{sn.ID}, export.Options{Now: s.now, Software: exportsSoftware})
	if err != nil {
		if r.Context().Err() != nil {
			return
		}
		// One damaged record costs that record: say so, no 500.
		s.log.Warn("web: raw records unreadable", "snapshot", sn.ID, "file", sn.WARCFile, "offset", sn.WARCOffset, "error", err)
		s.errorPage(w, r, http.StatusGone, "Damaged: the raw archived response of this snapshot cannot be read (its WARC record is damaged or missing). Its text is still shown on the snapshot page; run annalist verify.")
		return
	}
	h := w.Header()
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'")
	h.Set("Content-Type", "application/warc")
	h.Set("Content-Disposition", `attachment; filename="`+name+`"`)
	h.Set("Content-Length", itoa(buf.Len()))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(buf.Bytes())
	}
}

// handleArticleWACZ offers every snapshot of an article as a WACZ package
// that ReplayWeb.page opens. It is built in a temporary file and served
// with range requests, as replay tools read a WACZ.
func (s *Server) handleArticleWACZ(w http.ResponseWriter, r *http.Request) {
	a, ok := s.loadArticle(w, r)
	if !ok {
		return
	}
	infos, err := s.st.SnapshotInfos(r.Context(), a.ID)
	if err != nil {
		s.storeErr(w, r, err, "No such article.")
		return
	}
	if len(infos) == 0 {
		s.notFound(w, r, "This article has no snapshot to export.")
		return
	}
	ids := make([]string, len(infos))
	var last time.Time
	for i, si := range infos {
		ids[i] = si.ID
		if si.CapturedAt.After(last) {
			last = si.CapturedAt
		}
	}
	// Replay tools read a WACZ by many range requests, each of which
	// builds it again: every build must be the same bytes, so its dates
	// are the latest capture's and its warcinfo record ID is derived from
	// the snapshots it holds, which also name it (ETag, for If-Range).
	key := a.ID + "\x00" + strings.Join(ids, "\x00")
	sum := sha256.Sum256([]byte(key))
	etag := `"` + hex.EncodeToString(sum[:16]) + `"`
	title := a.Title
	if title == "" {
		title = a.URL
	}
	var f *os.File
	var tmpErr error
	defer func() {
		if f != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	err = s.exports.doWithin(r.Context(), exportWait, func(ctx context.Context) error {
		var err error
		if f, err = os.CreateTemp("", "annalist-web-*.wacz"); err != nil {
			tmpErr = fmt.Errorf("create WACZ file: %w", err)
			return tmpErr
		}
		_, err = export.WriteWACZ(ctx, f, s.st, ids, export.Options{
			Now: func() time.Time { return last }, Software: exportsSoftware, Title: title, WarcinfoID: store.DerivedRecordID(key),
		})
		return err
	})
	if err != nil {
		if r.Context().Err() != nil {
			return
		}
		if errors.Is(err, errDiffBusy) {
			w.Header().Set("Retry-After", "10")
			s.errorPage(w, r, http.StatusServiceUnavailable, "The server is busy building other exports; try again in a few seconds.")
			return
		}
		if tmpErr != nil {
			s.serverError(w, r, tmpErr)
			return
		}
		s.log.Warn("web: article export failed", "article", a.ID, "error", err)
		s.errorPage(w, r, http.StatusGone, "Damaged: a raw archived response of this article cannot be read (a WARC record is damaged or missing), so it cannot be exported; run annalist verify.")
		return
	}
	h := w.Header()
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'")
	h.Set("Content-Type", "application/wacz")
	h.Set("Content-Disposition", `attachment; filename="`+a.ID+`.wacz"`)
	h.Set("ETag", etag)
	http.ServeContent(w, r, "", last, f)
}
