package harvest

import (
	"context"
	"regexp"
	"time"

	"annalist/internal/extract"
)

// extractTimeout is how long extracting and fingerprinting one page may
// take (Harvester.ExtractTimeout, else extract.DefaultDeadline).
func (h *Harvester) extractTimeout() time.Duration {
	if h.ExtractTimeout > 0 {
		return h.ExtractTimeout
	}
	return extract.DefaultDeadline
}

// extractContext bounds one page's extraction and fingerprinting: a page
// (or a source's ignore pattern) that runs past it is recorded as an error
// and the poll goes on.
func (h *Harvester) extractContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, h.extractTimeout())
}

// refingerprinter is store.Page.Refingerprint: the current normaliser over a
// stored snapshot, under the same deadline as the page's own fingerprint.
// Out of time it returns "", which matches no fingerprint.
func (h *Harvester) refingerprinter(ignore []*regexp.Regexp) func(title, text, html string) string {
	timeout := h.extractTimeout()
	return func(title, text, html string) string {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		fp, err := extract.FingerprintContext(ctx, title, text, html, ignore)
		if err != nil {
			return ""
		}
		return fp
	}
}
