package harvest

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"annalist/internal/config"
	"annalist/internal/extract"
	"annalist/internal/store"
)

// TemplateStore is what per-source template learning needs of the store
// (extract/template.go). It is a separate interface so that a Store
// without it still harvests, with no learning.
type TemplateStore interface {
	TemplateBlocks(ctx context.Context, source string, minArticles int) (int, []store.TemplateBlock, error)
	LearnTemplates(ctx context.Context, source string, arts []store.TemplateLearning) (int, error)
	TemplateDrops(ctx context.Context, snapshot string) ([]string, error)
}

var _ TemplateStore = (*store.Store)(nil)

// LoadTemplate is source's learned template as extraction applies it, the
// same for `fetch` and `extract --source`. The manual source gathers pages
// of any site and has none (nil).
func LoadTemplate(ctx context.Context, st TemplateStore, source string) (*extract.Template, error) {
	if st == nil || source == ManualSource {
		return nil, nil
	}
	learned, blocks, err := st.TemplateBlocks(ctx, source, extract.TemplateMinArticles)
	if err != nil {
		return nil, err
	}
	t := &extract.Template{Learned: learned, Blocks: make(map[string]extract.BlockStat, len(blocks))}
	for _, b := range blocks {
		t.Blocks[b.Key] = extract.BlockStat{Articles: b.Articles, Sample: b.Sample}
	}
	return t, nil
}

// PriorBlocks sets t.Prior for a page of an archived article whose latest
// snapshot is latest: the blocks that snapshot held or dropped as template.
func PriorBlocks(ctx context.Context, st TemplateStore, t *extract.Template, latest *store.Snapshot) error {
	if t == nil || latest == nil {
		return nil
	}
	dropped, err := st.TemplateDrops(ctx, latest.ID)
	if err != nil {
		return err
	}
	t.Prior = map[string]bool{}
	for _, k := range extract.TextKeys(latest.Text) {
		t.Prior[k] = true
	}
	for _, k := range dropped {
		t.Prior[k] = true
	}
	return nil
}

// template loads src's template for a page of known (nil: a new
// article); nil without learning. It also returns known's latest snapshot
// when it read it (examine compares the page with it: read once, since
// reading a snapshot decompresses its text and HTML).
func (h *Harvester) template(ctx context.Context, src *config.Source, known *store.Article) (*extract.Template, *store.Snapshot, error) {
	ts, ok := h.Store.(TemplateStore)
	if !ok || h.NoTemplates {
		return nil, nil, nil
	}
	t, err := h.cachedTemplate(ctx, ts, src.Name)
	if err != nil {
		return nil, nil, fmt.Errorf("load the template of %s: %w", src.Name, err)
	}
	if t == nil || known == nil {
		return t, nil, nil
	}
	latest, err := h.Store.LatestSnapshot(ctx, known.ID)
	if errors.Is(err, store.ErrNotFound) {
		return t, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("latest snapshot of %s: %w", known.ID, err)
	}
	if err := PriorBlocks(ctx, ts, t, latest); err != nil {
		return nil, nil, fmt.Errorf("template of %s: %w", src.Name, err)
	}
	return t, latest, nil
}

// learnBatch: what archived articles add to their source's statistics is
// written in batches of this many (and at the end of each poll or
// capture), one transaction each, not one per article.
const learnBatch = 32

// learn queues what an archived article (its snapshot just stored) adds to
// its source's template: its blocks (learned from once per article), and
// the blocks its page dropped as template (for PriorBlocks). Losing it (a
// crash before the flush) costs learning, never a capture.
func (h *Harvester) learn(ctx context.Context, src *config.Source, canonical, articleID, snapshot string, art *extract.Result) {
	if _, ok := h.Store.(TemplateStore); !ok || h.NoTemplates || src.Name == ManualSource || art == nil {
		return
	}
	l := store.TemplateLearning{URL: canonical, Article: articleID, Snapshot: snapshot}
	for _, b := range art.Blocks {
		l.Blocks = append(l.Blocks, store.TemplateBlock{Key: b.Key, Sample: b.Sample})
	}
	for _, d := range art.Template {
		l.Dropped = append(l.Dropped, d.TextKey)
	}
	if len(l.Blocks) == 0 && len(l.Dropped) == 0 {
		return
	}
	h.learnMu.Lock()
	if h.learning == nil {
		h.learning = map[string][]store.TemplateLearning{}
	}
	h.learning[src.Name] = append(h.learning[src.Name], l)
	full := len(h.learning[src.Name]) >= learnBatch
	h.learnMu.Unlock()
	if full {
		h.flushLearning(ctx)
	}
}

// cachedTemplate is LoadTemplate, read once between two flushes of this
// harvester's learning (which is when it changes; another process
// learning at the same time is seen after the next flush). Each call gets
// its own copy, to set Prior on; Blocks is shared, read-only.
func (h *Harvester) cachedTemplate(ctx context.Context, ts TemplateStore, source string) (*extract.Template, error) {
	h.learnMu.Lock()
	t, ok := h.templates[source]
	h.learnMu.Unlock()
	if !ok {
		var err error
		if t, err = LoadTemplate(ctx, ts, source); err != nil {
			return nil, err
		}
		h.learnMu.Lock()
		if h.templates == nil {
			h.templates = map[string]*extract.Template{}
		}
		h.templates[source] = t
		h.learnMu.Unlock()
	}
	if t == nil {
		return nil, nil
	}
	c := *t
	return &c, nil
}

// flushLearning writes the queued learning.
func (h *Harvester) flushLearning(ctx context.Context) {
	ts, ok := h.Store.(TemplateStore)
	if !ok {
		return
	}
	h.learnMu.Lock()
	queued := h.learning
	h.learning = nil
	h.learnMu.Unlock()
	defer func() {
		// Forgotten only once written: a page extracted meanwhile may
		// cache the old statistics until the next flush, no longer.
		h.learnMu.Lock()
		h.templates = nil
		h.learnMu.Unlock()
	}()
	ctx = context.WithoutCancel(ctx)
	for _, source := range sortedSources(queued) {
		if _, err := ts.LearnTemplates(ctx, source, queued[source]); err != nil {
			h.logger().Error("learn template", "source", source, "articles", len(queued[source]), "error", err)
		}
	}
}

func sortedSources(m map[string][]store.TemplateLearning) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// templateOnlyChange reports whether a page whose fingerprint (fp, with
// the blocks drops dropped as template) differs from the latest snapshot's
// only in those blocks, kept when the snapshot was stored because they
// were not yet known as furniture: the snapshot's text without them
// fingerprints as the page does. Such a page is unchanged, not a revision;
// a change to any other block still shows.
func templateOnlyChange(ctx context.Context, drops []extract.TemplateDrop, latest *store.Snapshot, fp string, src *config.Source) bool {
	if len(drops) == 0 || latest == nil || latest.Damaged != "" {
		return false
	}
	stripped := extract.StripDropped(latest.Text, drops)
	if stripped == latest.Text {
		return false
	}
	old, err := extract.FingerprintContext(ctx, latest.URL, latest.Title, stripped, extract.StripDroppedHTML(latest.HTML, drops), src.IgnoreRE)
	return err == nil && old == fp
}

// dropsNewTo reports whether drops (what the template dropped from a page
// applied as to a new article) hold a block the archived article whose
// latest snapshot is latest did not have: the page must then be extracted
// again with that article's prior blocks (PriorBlocks).
func (h *Harvester) dropsNewTo(ctx context.Context, drops []extract.TemplateDrop, latest *store.Snapshot) (bool, error) {
	ts, ok := h.Store.(TemplateStore)
	if !ok || len(drops) == 0 {
		return false, nil
	}
	t := &extract.Template{}
	if err := PriorBlocks(ctx, ts, t, latest); err != nil {
		return false, fmt.Errorf("template of %s: %w", latest.ID, err)
	}
	for _, d := range drops {
		if !t.Prior[d.TextKey] {
			return true, nil
		}
	}
	return false, nil
}
