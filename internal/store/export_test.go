package store

import "time"

// SetSlotLease shortens p's request slot lease for a test of its expiry.
func SetSlotLease(p *Pacing, d time.Duration) { p.lease = d }
