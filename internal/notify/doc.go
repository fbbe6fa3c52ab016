// Package notify delivers webhook notifications of archive events (a new
// article, a revision, an article gone, back or moved) from the store's
// persistent outbox.
//
// The store queues one outbox row per (webhook, event) in the transaction
// that records the event, so an event is never lost and never queued
// twice. A Deliverer leases due rows, POSTs each as JSON (signed with
// HMAC-SHA256 when the webhook has a secret), and records the attempt:
// delivered on a 2xx, else retried with exponential backoff and jitter at
// a time stored in the row (so retries survive restarts), until the
// attempts run out and the row is marked dead.
//
// Delivery is at least once: a process killed between a receiver's 2xx
// and the write that records it sends that row again after its lease
// ends, with the same X-Annalist-Delivery ID, which receivers use to drop
// the repeat.
package notify
