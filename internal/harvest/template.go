package harvest

import (
	"context"
	"errors"
	"fmt"

	"annalist/internal/config"
	"annalist/internal/extract"
	"annalist/internal/store"
)

// TemplateStore is what per-source template learning needs of the store
// (extract/template.go). It is a separate interface so that a Store
// without it still harvests, with no learning.
type TemplateStore interface {
	TemplateBlocks(ctx context.Context, source string, minArticles int) (int, []store.TemplateBlock, error)
	LearnTemplate(ctx context.Context, source, articleURL string, blocks []store.TemplateBlock) (bool, error)
	RecordTemplateDrops(ctx context.Context, snapshot string, keys []string) error
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
// article); nil without learning.
func (h *Harvester) template(ctx context.Context, src *config.Source, known *store.Article) (*extract.Template, error) {
	ts, ok := h.Store.(TemplateStore)
	if !ok || h.NoTemplates {
		return nil, nil
	}
	t, err := LoadTemplate(ctx, ts, src.Name)
	if err != nil {
		return nil, fmt.Errorf("load the template of %s: %w", src.Name, err)
	}
	if t == nil || known == nil {
		return t, nil
	}
	latest, err := h.Store.LatestSnapshot(ctx, known.ID)
	if errors.Is(err, store.ErrNotFound) {
		return t, nil
	}
	if err != nil {
		return nil, fmt.Errorf("latest snapshot of %s: %w", known.ID, err)
	}
	if err := PriorBlocks(ctx, ts, t, latest); err != nil {
		return nil, fmt.Errorf("template of %s: %w", src.Name, err)
	}
	return t, nil
}

// recordDrops records which blocks a stored snapshot's page dropped as
// template (for PriorBlocks); a failure is logged: the next re-check of
// the article then keeps them, a revision that is only furniture.
func (h *Harvester) recordDrops(ctx context.Context, snapshot string, art *extract.Result) {
	ts, ok := h.Store.(TemplateStore)
	if !ok || art == nil || len(art.Template) == 0 {
		return
	}
	keys := make([]string, len(art.Template))
	for i, d := range art.Template {
		keys[i] = d.TextKey
	}
	if err := ts.RecordTemplateDrops(ctx, snapshot, keys); err != nil {
		h.logger().Error("record template drops", "snapshot", snapshot, "error", err)
	}
}

// learn adds an archived article's blocks to its source's statistics (once
// per article: LearnTemplate ignores one already learned from). A failure
// costs learning, not the capture: it is logged.
func (h *Harvester) learn(ctx context.Context, src *config.Source, canonical string, art *extract.Result) {
	ts, ok := h.Store.(TemplateStore)
	if !ok || h.NoTemplates || src.Name == ManualSource || art == nil || len(art.Blocks) == 0 {
		return
	}
	blocks := make([]store.TemplateBlock, len(art.Blocks))
	for i, b := range art.Blocks {
		blocks[i] = store.TemplateBlock{Key: b.Key, Sample: b.Sample}
	}
	if _, err := ts.LearnTemplate(ctx, src.Name, canonical, blocks); err != nil {
		h.logger().Error("learn template", "source", src.Name, "url", canonical, "error", err)
	}
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
	old, err := extract.FingerprintContext(ctx, latest.Title, stripped, latest.HTML, src.IgnoreRE)
	return err == nil && old == fp
}
