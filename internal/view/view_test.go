package view

import (
	"context"
	"encoding/json"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"annalist/internal/store"
	"annalist/internal/worddiff"
)

// keys marshals v and returns its top-level keys, sorted and joined.
func keys(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return strings.Join(ks, ",")
}

// sorted sorts a README key list ("name","title",…) for comparison.
func sorted(readme string) string {
	ks := strings.Split(strings.ReplaceAll(readme, `"`, ""), ",")
	sort.Strings(ks)
	return strings.Join(ks, ",")
}

// TestKeys pins the key sets README.md documents as the --json contract.
func TestKeys(t *testing.T) {
	for _, c := range []struct {
		name string
		v    any
		want string
	}{
		{"Source", Source{}, `"name","title","feed","schedule","next_run","last_poll_at","last_outcome","last_error","articles","snapshots","gone"`},
		{"Article", Article{}, `"id","source","url","title","snapshots","first_seen","last_captured_at","latest_revision_date","state","state_since"`},
		{"ArticleDetail", ArticleDetail{}, `"id","source","url","title","snapshots","first_seen","last_captured_at","latest_revision_date","state","state_since","declared_canonical","events","syndicated_copies"`},
		{"Event", Event{}, `"at","kind","url","detail"`},
		{"HistoryEntry", HistoryEntry{}, `"id","captured_at","revision_date","published_date","title","fingerprint","words","pages","declared_canonical","state","state_since"`},
		{"History", History{}, `"id","captured_at","revision_date","published_date","title","fingerprint","words","pages"`},
		{"Snapshot", Snapshot{}, `"id","article","source","url","canonical_url","captured_at","revision_date","published_date","title","byline","fingerprint","words","pages","extractor","warc","text","markdown","html","declared_canonical"`},
		{"WARC", WARC{}, `"file","offset","record_id","payload_digest"`},
		{"Diff", Diff{Title: &TitleChange{}}, `"article","from","to","words_removed","words_added","chunks","title_change"`},
		{"Diff without a title change", Diff{}, `"article","from","to","words_removed","words_added","chunks"`},
		{"DiffChunk", DiffChunk{}, `"op","text"`},
		{"TitleChange", TitleChange{}, `"from","to"`},
		{"Hit", Hit{}, `"article","snapshot","source","title","url","captured_at","snippet","revision_date"`},
	} {
		if got, want := keys(t, c.v), sorted(c.want); got != want {
			t.Errorf("%s keys\n got %s\nwant %s", c.name, got, want)
		}
	}
}

func TestTime(t *testing.T) {
	if Time(nil) != nil || Time(&time.Time{}) != nil {
		t.Error("nil or zero time is not null")
	}
	at := time.Date(2024, 1, 20, 10, 0, 0, 500, time.FixedZone("CET", 3600))
	if got := Time(&at); got == nil || *got != "2024-01-20T09:00:00Z" {
		t.Errorf("Time = %v, want 2024-01-20T09:00:00Z", got)
	}
}

func TestHistoryFromInfoMatchesNewHistory(t *testing.T) {
	rev := time.Date(2024, 1, 19, 0, 0, 0, 0, time.UTC)
	sn := store.Snapshot{ID: "0123456789ab/20240120090000", ArticleID: "0123456789ab", CapturedAt: rev.Add(33 * time.Hour),
		RevisionDate: &rev, Title: "T", Fingerprint: "n1:ff", Words: 7, Text: "ignored"}
	info := store.SnapshotInfo{ID: sn.ID, ArticleID: sn.ArticleID, CapturedAt: sn.CapturedAt, RevisionDate: sn.RevisionDate,
		Title: sn.Title, Fingerprint: sn.Fingerprint, Words: sn.Words}
	if a, b := NewHistory(sn), HistoryFromInfo(info); !reflect.DeepEqual(a, b) {
		t.Errorf("NewHistory %+v\nHistoryFromInfo %+v", a, b)
	}
}

func mustDiff(t *testing.T, a, b string) []worddiff.Chunk {
	t.Helper()
	c, err := worddiff.Diff(context.Background(), a, b)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestNewDiff(t *testing.T) {
	d := NewDiff("a", History{Title: "Old"}, History{Title: "New"}, mustDiff(t, "the war began", "the war ended"))
	if d.Removed != 1 || d.Added != 1 || d.Title == nil || *d.Title != (TitleChange{From: "Old", To: "New"}) {
		t.Errorf("diff %+v", d)
	}
	ops := []string{}
	for _, c := range d.Chunks {
		ops = append(ops, c.Op)
	}
	if got := strings.Join(ops, ","); got != "equal,delete,insert" {
		t.Errorf("ops %s", got)
	}
	same := NewDiff("a", History{Title: "T"}, History{Title: "T"}, mustDiff(t, "", ""))
	b, _ := json.Marshal(same)
	if same.Title != nil || !strings.Contains(string(b), `"chunks":[]`) {
		t.Errorf("empty diff marshals as %s; want chunks [] and no title_change", b)
	}
}
