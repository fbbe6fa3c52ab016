package harvest

// Extractions reports how many pages h has run through the extractor.
func (h *Harvester) Extractions() int64 { return h.extractions.Load() }
