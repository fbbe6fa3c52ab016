package web

import (
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"annalist/internal/store"
	"annalist/internal/worddiff"
)

// contextWords of unchanged text are kept around each change unless the
// whole text is asked for; the rest folds into a <details>.
const contextWords = 25

type diffData struct {
	Article     store.Article
	From, To    store.SnapshotInfo
	Infos       []store.SnapshotInfo // for the pickers
	Stats       worddiff.Stats
	TitleChange bool
	FromTitle   string
	ToTitle     string
	Side        bool
	Full        bool
	Inline      template.HTML
	Rows        []sideRow
	InlineURL   string
	SideURL     string
	FullURL     string
	ShortURL    string
	Same        bool
}

// pickPair finds the two snapshots a diff request names: ?from=TS&to=TS;
// without to, the latest; without from, the one before to.
func pickPair(infos []store.SnapshotInfo, fromTS, toTS string) (from, to store.SnapshotInfo, ok bool) {
	find := func(ts string) (int, bool) {
		for i, si := range infos {
			if snapshotTS(si.ID) == ts {
				return i, true
			}
		}
		return 0, false
	}
	ti := len(infos) - 1
	if toTS != "" {
		var found bool
		if ti, found = find(toTS); !found {
			return from, to, false
		}
	}
	fi := ti - 1
	if fromTS != "" {
		var found bool
		if fi, found = find(fromTS); !found {
			return from, to, false
		}
	}
	if fi < 0 || ti < 0 {
		return from, to, false
	}
	return infos[fi], infos[ti], true
}

func (s *Server) handleDiff(w http.ResponseWriter, r *http.Request) {
	a, ok := s.loadArticle(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	fromTS, toTS := q.Get("from"), q.Get("to")
	if (fromTS != "" && !timestampRE.MatchString(fromTS)) || (toTS != "" && !timestampRE.MatchString(toTS)) {
		s.badRequest(w, r, "from and to are 14-digit snapshot timestamps (YYYYMMDDhhmmss).")
		return
	}
	ctx := r.Context()
	infos, err := s.st.SnapshotInfos(ctx, a.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if len(infos) < 2 {
		s.notFound(w, r, "This article has fewer than two snapshots: there is nothing to compare yet.")
		return
	}
	from, to, ok := pickPair(infos, fromTS, toTS)
	if !ok {
		s.notFound(w, r, "No snapshot of this article has that timestamp.")
		return
	}
	chunks, err := s.diffSnapshots(ctx, from.ID, to.ID)
	if err != nil {
		s.diffFailed(w, r, err, false)
		return
	}
	d := diffData{Article: *a, From: from, To: to, Infos: infos, Stats: worddiff.Count(chunks),
		TitleChange: from.Title != to.Title, FromTitle: from.Title, ToTitle: to.Title,
		Side: q.Get("view") == "side", Full: q.Get("full") == "1"}
	d.Same = d.Stats.Added == 0 && d.Stats.Removed == 0
	link := func(side, full bool) string {
		v := url.Values{"from": {snapshotTS(from.ID)}, "to": {snapshotTS(to.ID)}}
		if side {
			v.Set("view", "side")
		}
		if full {
			v.Set("full", "1")
		}
		return "/a/" + a.ID + "/diff?" + v.Encode()
	}
	d.InlineURL, d.SideURL = link(false, d.Full), link(true, d.Full)
	d.FullURL, d.ShortURL = link(d.Side, true), link(d.Side, false)
	if d.Side {
		d.Rows = sideBySide(chunks, d.Full)
	} else {
		d.Inline = inlineDiff(chunks, d.Full)
	}
	s.render(w, r, http.StatusOK, "diff", view{
		Title: "Changes to " + a.Title, Up: articlePath(a.ID), Data: d,
		Alternates: []alternate{{Type: "application/json", Title: "Diff (JSON)",
			Href: "/api/a/" + a.ID + "/diff?from=" + snapshotTS(from.ID) + "&to=" + snapshotTS(to.ID)}},
	})
}

// Removals and additions are <del> and <ins>: struck through, underlined
// and coloured. The [−…−] and {+…+} text markers are for where colour
// cannot be shown: the CLI, plain text, and (from the style sheet) print
// and forced-colours modes; not on top of colour on screen.
func delHTML(t string) string {
	return `<del>` + template.HTMLEscapeString(t) + `</del>`
}

func insHTML(t string) string {
	return `<ins>` + template.HTMLEscapeString(t) + `</ins>`
}

// equalHTML shows unchanged text, folding its middle (or its start, for
// the first chunk, or its end, for the last) into a <details> that opens
// without JavaScript.
func equalHTML(t string, first, last, full bool) string {
	words := strings.Fields(t)
	if full || len(words) <= 2*contextWords+10 {
		return template.HTMLEscapeString(t)
	}
	idx := wordStarts(t)
	headEnd, tailStart := 0, len(t)
	if !first {
		headEnd = idx[contextWords]
	}
	if !last {
		tailStart = idx[len(idx)-contextWords]
	}
	if headEnd >= tailStart {
		return template.HTMLEscapeString(t)
	}
	hidden := len(strings.Fields(t[headEnd:tailStart]))
	return template.HTMLEscapeString(t[:headEnd]) +
		`<details class="fold"><summary>… ` + itoa(hidden) + ` unchanged words …</summary>` +
		template.HTMLEscapeString(t[headEnd:tailStart]) + `</details>` +
		template.HTMLEscapeString(t[tailStart:])
}

// wordStarts returns the byte offset of each word of t.
func wordStarts(t string) []int {
	var out []int
	in := false
	for i, r := range t {
		sp := r == ' ' || r == '\n' || r == '\t' || r == '\r'
		if !sp && !in {
			out = append(out, i)
		}
		in = !sp
	}
	return out
}

func inlineDiff(chunks []worddiff.Chunk, full bool) template.HTML {
	var b strings.Builder
	for i, c := range chunks {
		switch c.Op {
		case worddiff.Delete:
			b.WriteString(delHTML(c.Text))
		case worddiff.Insert:
			b.WriteString(insHTML(c.Text))
		default:
			b.WriteString(equalHTML(c.Text, i == 0, i == len(chunks)-1, full))
		}
	}
	return template.HTML(b.String()) //nolint:gosec // every piece escaped above
}
