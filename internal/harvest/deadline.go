package harvest

import (
	"context"
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
