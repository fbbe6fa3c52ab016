package web

import (
	"context"
	"strings"
	"testing"
	"time"

	"annalist/internal/store"
)

// /metrics counts webhook notifications by source and state.
func TestMetricsNotifications(t *testing.T) {
	ctx := context.Background()
	const hook = "https://hooks.example.net/annalist"
	st := store.MustOpenDir(t, t.TempDir(), store.Options{NoSync: true, Now: func() time.Time { return t0 },
		Notify: []store.NotifyHook{{URL: hook, Events: []string{store.OutcomeNew}}}})
	for i, slug := range []string{"a", "b", "c"} {
		save(t, st, pageOf("mondo-history", "https://mondo.example/"+slug, "Title "+slug, []string{"Text of " + slug + "."}, t0.Add(time.Duration(i)*time.Hour), nil, ""))
	}
	claimed, err := st.ClaimNotifications(ctx, []string{hook}, t0, time.Minute, 2)
	if err != nil || len(claimed) != 2 {
		t.Fatalf("claim: %v, %v", claimed, err)
	}
	if err := st.RecordNotifyAttempt(ctx, claimed[0].ID, store.NotifyAttempt{At: t0, Delivered: true, Status: 204}); err != nil {
		t.Fatal(err)
	}
	if err := st.RecordNotifyAttempt(ctx, claimed[1].ID, store.NotifyAttempt{At: t0, Dead: true, Status: 500, Error: "HTTP 500"}); err != nil {
		t.Fatal(err)
	}
	srv, err := New(Options{Store: st, Now: func() time.Time { return t0 }})
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, st: st, srv: srv}
	b := body(t, f.get("/metrics"))
	for _, want := range []string{
		"# TYPE annalist_notifications gauge\n",
		`annalist_notifications{source="mondo-history",state="delivered"} 1`,
		`annalist_notifications{source="mondo-history",state="pending"} 1`,
		`annalist_notifications{source="mondo-history",state="retrying"} 0`,
		`annalist_notifications{source="mondo-history",state="failed"} 1`,
	} {
		if !strings.Contains(b, want) {
			t.Errorf("metrics lack %q\n%s", want, b)
		}
	}
}
