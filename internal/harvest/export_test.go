package harvest

// Extractions reports how many pages h has run through the extractor.
func (h *Harvester) Extractions() int64 { return h.extractions.Load() }

// MaxInExtraction reports the most pages h has had in extraction at once.
func (h *Harvester) MaxInExtraction() int64 { return h.maxInExtraction.Load() }

// MaxInHand reports the most bytes of bodies h has had in hand at once.
func (h *Harvester) MaxInHand() int64 { return h.maxInHandBytes.Load() }
