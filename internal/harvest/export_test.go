package harvest

// Extractions reports how many pages h has run through the extractor.
func (h *Harvester) Extractions() int64 { return h.extractions.Load() }

// MaxInExtraction reports the most pages h has had in extraction at once.
func (h *Harvester) MaxInExtraction() int64 { return h.maxInExtraction.Load() }
