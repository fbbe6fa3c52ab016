package web

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"annalist/internal/store"
)

// Memento (RFC 7089): every snapshot page is a memento of the article's
// canonical URL (the original resource, URI-R); /timegate/{ref} negotiates
// in time with Accept-Datetime (302 to the memento), and /timemap/{ref}
// lists them all in application/link-format. {ref} is an article ID or
// any URL the article was reached by.

// resolveRef finds the article a TimeGate or TimeMap request names.
func (s *Server) resolveRef(w http.ResponseWriter, r *http.Request, ref string) (*store.Article, []store.SnapshotInfo, bool) {
	var a *store.Article
	var err error
	switch {
	case articleIDRE.MatchString(ref):
		a, err = s.st.Article(r.Context(), ref)
	case (strings.HasPrefix(ref, "http://") || strings.HasPrefix(ref, "https://")) && len(ref) < 4096:
		a, err = s.st.ResolveArticle(r.Context(), ref)
	default:
		s.notFound(w, r, "Give an article ID (12 hexadecimal digits) or the article's http(s) URL.")
		return nil, nil, false
	}
	if err != nil {
		s.storeErr(w, r, err, "This archive has no article at that URL.")
		return nil, nil, false
	}
	infos, err := s.st.SnapshotInfos(r.Context(), a.ID)
	if err != nil {
		s.serverError(w, r, err)
		return nil, nil, false
	}
	if len(infos) == 0 {
		s.notFound(w, r, "This article has no snapshot yet.")
		return nil, nil, false
	}
	return a, infos, true
}

// linkURL makes a URL safe inside <…> of a Link header.
func linkURL(u string) string {
	var b strings.Builder
	for i := 0; i < len(u); i++ {
		c := u[i]
		if c <= ' ' || c == '<' || c == '>' || c == '"' || c >= 0x7f {
			fmt.Fprintf(&b, "%%%02X", c)
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

func httpDate(t time.Time) string { return t.UTC().Format(http.TimeFormat) }

// mementoLinks are the Link relations shared by TimeGate and memento
// responses (RFC 7089 §4): original, timegate, timemap, first/last memento.
func (s *Server) mementoLinks(r *http.Request, a *store.Article, infos []store.SnapshotInfo) []string {
	base := s.base(r)
	first, last := infos[0], infos[len(infos)-1]
	links := []string{
		fmt.Sprintf(`<%s>; rel="original"`, linkURL(a.URL)),
		fmt.Sprintf(`<%s/timegate/%s>; rel="timegate"`, base, a.ID),
		fmt.Sprintf(`<%s/timemap/%s>; rel="timemap"; type="application/link-format"; from="%s"; until="%s"`,
			base, a.ID, httpDate(first.CapturedAt), httpDate(last.CapturedAt)),
	}
	if len(infos) == 1 {
		links = append(links, fmt.Sprintf(`<%s%s>; rel="first last memento"; datetime="%s"`, base, snapshotPath(first.ID), httpDate(first.CapturedAt)))
	} else {
		links = append(links,
			fmt.Sprintf(`<%s%s>; rel="first memento"; datetime="%s"`, base, snapshotPath(first.ID), httpDate(first.CapturedAt)),
			fmt.Sprintf(`<%s%s>; rel="last memento"; datetime="%s"`, base, snapshotPath(last.ID), httpDate(last.CapturedAt)))
	}
	return links
}

// mementoHeaders marks a snapshot page as a memento.
func (s *Server) mementoHeaders(w http.ResponseWriter, r *http.Request, a *store.Article, infos []store.SnapshotInfo, at time.Time) {
	w.Header().Set("Memento-Datetime", httpDate(at))
	w.Header().Set("Link", strings.Join(s.mementoLinks(r, a, infos), ", "))
}

func (s *Server) handleTimeGate(w http.ResponseWriter, r *http.Request, ref string) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	w.Header().Set("Vary", "accept-datetime")
	a, infos, ok := s.resolveRef(w, r, ref)
	if !ok {
		return
	}
	target := infos[len(infos)-1]
	if ad := r.Header.Get("Accept-Datetime"); ad != "" {
		t, err := http.ParseTime(ad)
		if err != nil {
			s.badRequest(w, r, "Accept-Datetime must be an RFC 1123 date, e.g. \"Thu, 31 May 2007 20:35:00 GMT\".")
			return
		}
		target = inEffect(infos, t)
	}
	w.Header().Set("Link", strings.Join(s.mementoLinks(r, a, infos), ", "))
	w.Header().Set("Location", s.base(r)+snapshotPath(target.ID))
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusFound)
	if r.Method != http.MethodHead {
		fmt.Fprintf(w, "The snapshot in effect then: %s%s\n", s.base(r), snapshotPath(target.ID))
	}
}

func (s *Server) handleTimeMap(w http.ResponseWriter, r *http.Request, ref string) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	a, infos, ok := s.resolveRef(w, r, ref)
	if !ok {
		return
	}
	base := s.base(r)
	first, last := infos[0], infos[len(infos)-1]
	var b strings.Builder
	fmt.Fprintf(&b, "<%s>; rel=\"original\",\n", linkURL(a.URL))
	fmt.Fprintf(&b, "<%s/timemap/%s>; rel=\"self\"; type=\"application/link-format\"; from=\"%s\"; until=\"%s\",\n",
		base, a.ID, httpDate(first.CapturedAt), httpDate(last.CapturedAt))
	fmt.Fprintf(&b, "<%s/timegate/%s>; rel=\"timegate\"", base, a.ID)
	for i, si := range infos {
		rel := "memento"
		switch {
		case len(infos) == 1:
			rel = "first last memento"
		case i == 0:
			rel = "first memento"
		case i == len(infos)-1:
			rel = "last memento"
		}
		fmt.Fprintf(&b, ",\n<%s%s>; rel=\"%s\"; datetime=\"%s\"", base, snapshotPath(si.ID), rel, httpDate(si.CapturedAt))
	}
	b.WriteString("\n")
	w.Header().Set("Content-Type", "application/link-format")
	w.Header().Set("Content-Length", itoa(b.Len()))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write([]byte(b.String()))
	}
}
