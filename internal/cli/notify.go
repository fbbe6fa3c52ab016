package cli

import (
	"context"
	"errors"
	"time"

	"annalist/internal/config"
	"annalist/internal/fetch"
	"annalist/internal/notify"
	"annalist/internal/store"
)

const (
	// notifyInterval is how often the daemon looks for due notifications
	// (a read; the write lock only when some are due).
	notifyInterval = 5 * time.Second
	// notifyFetchBudget bounds the deliveries at the end of a one-off
	// fetch; what is left is delivered by the daemon or the next fetch.
	notifyFetchBudget = 30 * time.Second
)

// storeHooks is what the store needs of cfg's webhooks to queue events.
func storeHooks(cfg *config.Config) []store.NotifyHook {
	out := make([]store.NotifyHook, 0, len(cfg.Notify))
	for _, n := range cfg.Notify {
		out = append(out, store.NotifyHook{URL: n.URL, Events: n.Events, Sources: n.Sources})
	}
	return out
}

// notifyHooks resolves cfg's webhooks with their secrets; an unset
// secret_env is a configuration error (exit 2) naming file and line.
func (m *Main) notifyHooks(cfg *config.Config) ([]notify.Hook, error) {
	var hooks []notify.Hook
	var errs []error
	for _, n := range cfg.Notify {
		secret, err := n.SecretValue(m.Getenv)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		hooks = append(hooks, notify.Hook{URL: n.URL, Secret: secret, Events: n.Events, Sources: n.Sources})
	}
	if len(errs) > 0 {
		return nil, &exitError{code: 2, msg: errors.Join(errs...).Error()}
	}
	return hooks, nil
}

// newDeliverer wires the webhook deliverer of cfg on st; nil when cfg has
// no webhooks.
func (m *Main) newDeliverer(cfg *config.Config, st *store.Store) (*notify.Deliverer, error) {
	if len(cfg.Notify) == 0 {
		return nil, nil
	}
	hooks, err := m.notifyHooks(cfg)
	if err != nil {
		return nil, err
	}
	d := &notify.Deliverer{
		Store:   st,
		Client:  notify.NewClient(fetch.Options{AllowPrivateNetworks: cfg.HTTP.AllowPrivateNetworks, Now: m.Now, Logger: m.logger}),
		BaseURL: cfg.Web.ArchiveBase(),
		Logger:  m.logger,
		Now:     m.Now,
	}
	d.SetHooks(hooks)
	return d, nil
}

// deliverAfterFetch sends the notifications a one-off fetch queued (and
// any others due), within notifyFetchBudget.
func (m *Main) deliverAfterFetch(ctx context.Context, d *notify.Deliverer) {
	if d == nil || ctx.Err() != nil {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, notifyFetchBudget)
	defer cancel()
	res, err := d.DeliverDue(ctx)
	if err != nil {
		m.logger.Error("deliver notifications", "error", err)
		return
	}
	if res.Retrying+res.Dead > 0 {
		m.logger.Warn("some notifications failed; they are retried later (see annalist sources)", "delivered", res.Delivered, "retrying", res.Retrying, "given_up", res.Dead)
	} else if res.Delivered > 0 {
		m.logger.Info("notifications delivered", "delivered", res.Delivered)
	}
}

// abandonRemovedHooks gives up the pending notifications of webhooks no
// longer in cfg's notify: (else they would stay pending, unsent, forever),
// with a warning; the store records why.
func (m *Main) abandonRemovedHooks(ctx context.Context, cfg *config.Config, st *store.Store) {
	keep := make([]string, 0, len(cfg.Notify))
	for _, n := range cfg.Notify {
		keep = append(keep, n.URL)
	}
	n, err := st.AbandonNotifications(ctx, keep, m.Now())
	if err != nil {
		m.logger.Error("give up the notifications of removed webhooks", "error", err)
		return
	}
	if n > 0 {
		m.logger.Warn("notifications of webhooks removed from notify: given up (failed)", "notifications", n)
	}
}
