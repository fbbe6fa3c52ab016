package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

type fetchCounts struct {
	Name        string     `json:"name"`
	Items       int        `json:"items"`
	New         int        `json:"new"`
	Revised     int        `json:"revised"`
	Unchanged   int        `json:"unchanged"`
	NotModified int        `json:"not_modified"`
	Errors      int        `json:"errors"`
	Gone        int        `json:"gone"`
	NotDue      int        `json:"not_due"`
	Later       int        `json:"later"`
	NoLink      int        `json:"no_link"`
	Rechecked   int        `json:"rechecked"`
	NextDue     *time.Time `json:"next_due"`
}

// sum is every category an item can fall in; with no move or return it
// must equal items + rechecked.
func (c fetchCounts) sum() int {
	return c.New + c.Revised + c.Unchanged + c.NotModified + c.Errors + c.Gone + c.NotDue + c.Later + c.NoLink
}

func fetchJSON(t *testing.T, f *fixture, args ...string) fetchCounts {
	t.Helper()
	var out struct{ Sources []fetchCounts }
	f.runJSON(&out, append([]string{"fetch", "--json"}, args...)...)
	if len(out.Sources) != 1 {
		t.Fatalf("fetch --json: %d sources", len(out.Sources))
	}
	return out.Sources[0]
}

// TestFetchCountsItemsNotDue (issue 12, point 1): a second fetch of an
// unchanged feed used to print "5 items: 0 new, 0 revised, 0 unchanged, 0
// not modified, 0 errors"; the known items that were not re-checked are
// now counted as not due, with when the next is due and how to force it,
// and the categories add up to the items.
func TestFetchCountsItemsNotDue(t *testing.T) {
	f := newFixture(t)
	n := len(f.site.Slugs())
	first := fetchJSON(t, f)
	if first.New != n || first.sum() != first.Items+first.Rechecked {
		t.Fatalf("first fetch = %+v, want %d new adding up", first, n)
	}

	again := fetchJSON(t, f)
	if again.Items != n || again.NotDue != n || again.sum() != again.Items+again.Rechecked {
		t.Fatalf("second fetch = %+v, want %d items all not due", again, n)
	}
	if again.NextDue == nil || !again.NextDue.After(time.Now()) || again.NextDue.After(time.Now().Add(2*time.Hour)) {
		t.Fatalf("next_due = %v, want within the first watch age (1h)", again.NextDue)
	}

	out, stderr, code := f.run("fetch", "mondo-history")
	if code != 0 {
		t.Fatalf("fetch: exit %d\n%s", code, stderr)
	}
	for _, want := range []string{"mondo-history: feed not modified since the last poll; 5 items: 5 not due\n", "not due: 5 known items unchanged in the feed and not yet due for a re-check (the next is due " + again.NextDue.UTC().Format(time.RFC3339)[:11],
		"'annalist fetch --recheck all mondo-history' re-checks them now"} {
		if !strings.Contains(out, want) {
			t.Errorf("fetch text lacks %q:\n%s", want, out)
		}
	}

	all := fetchJSON(t, f, "--recheck", "all")
	if all.NotDue != 0 || all.Unchanged+all.NotModified != n || all.sum() != all.Items+all.Rechecked {
		t.Fatalf("fetch --recheck all = %+v, want every item re-checked", all)
	}

	// An article dropped from the feed and re-checked is counted apart,
	// so that the categories add up to items + rechecked.
	f.site.SetListed(sample, false)
	dropped := fetchJSON(t, f, "--recheck", "all")
	if dropped.Items != n-1 || dropped.Rechecked != 1 || dropped.sum() != dropped.Items+dropped.Rechecked {
		t.Fatalf("fetch --recheck all with an article out of the feed = %+v, want %d items and 1 re-checked, adding up", dropped, n-1)
	}
	out, _, _ = f.run("fetch", "--recheck", "all")
	if !strings.Contains(out, "items and 1 older article re-checked: ") {
		t.Errorf("fetch text does not count the older article apart:\n%s", out)
	}
}

// TestFailedFeedReadsForPeople (issue 12, point 7): a feed that fails leads
// with the feed and its URL, says why once (no "feed: fetch:", no robots.txt
// detour) and where the key goes, and prints no "0 errors" before it.
func TestFailedFeedReadsForPeople(t *testing.T) {
	f := newFixture(t)
	cfg := "data_dir: archive\nhttp:\n  per_host_interval: 0s\n"
	if err := os.WriteFile(f.cfg, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	out, stderr, code := f.run("fetch")
	if code != 1 {
		t.Fatalf("fetch of a refused feed: exit %d", code)
	}
	want := "mondo-history: feed " + f.base + "/rss.xml could not be fetched: refused 127.0.0.1 (loopback address); to allow, set http.allow_private_networks: true in config.yaml\n"
	if out != want {
		t.Errorf("fetch printed\n%q\nwant\n%q", out, want)
	}
	for _, bad := range []string{"fetch: fetch:", "feed: fetch:", "robots.txt", "0 errors", "feed failed"} {
		if strings.Contains(out+stderr, bad) {
			t.Errorf("fetch output has %q:\n%s%s", bad, out, stderr)
		}
	}

	_, stderr, code = f.run("extract", f.base+"/history/x.html")
	if want := "annalist extract: " + f.base + "/history/x.html could not be fetched: refused 127.0.0.1"; code != 1 || !strings.HasPrefix(stderr, want) {
		t.Errorf("extract of a refused page: exit %d, stderr %q, want %q…", code, stderr, want)
	}
	_, stderr, code = f.run("fetch", "--url", f.base+"/history/x.html")
	if code != 1 || strings.Contains(stderr, "fetch: fetch:") || !strings.Contains(stderr, "annalist fetch: "+f.base+"/history/x.html could not be archived: refused 127.0.0.1") {
		t.Errorf("fetch --url of a refused page: exit %d, stderr %q", code, stderr)
	}

}

// TestFetchCountsItemsLaterAndNoLink: items over http.max_items and items
// without a link have a category too, so the counts still add up.
func TestFetchCountsItemsLaterAndNoLink(t *testing.T) {
	f := newFixture(t)
	n := len(f.site.Slugs())
	f.site.AddLinklessItem("An announcement without a page")
	cfg := "data_dir: archive\nhttp:\n  per_host_interval: 0s\n  allow_private_networks: true\n  max_items: 2\n"
	if err := os.WriteFile(f.cfg, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	c := fetchJSON(t, f)
	if c.Items != n+1 || c.New != 2 || c.Later != n-2 || c.NoLink != 1 || c.sum() != c.Items+c.Rechecked {
		t.Fatalf("fetch with max_items 2 = %+v, want 2 new, %d later, 1 without a link, adding up to %d", c, n-2, n+1)
	}
	out, _, _ := f.run("fetch")
	if !strings.Contains(out, "left for the next poll (http.max_items)") || !strings.Contains(out, "1 without a link") {
		t.Errorf("fetch text does not name the items left and without a link:\n%s", out)
	}
}

// TestRecheckAllCoversItemsOfARenamedSource: after a source's file was
// renamed (or its feed added again by 'annalist add' under another name),
// its articles stay filed under the old name; "fetch --recheck all NEW"
// still counted them not due and told the user to run the very command
// just run. Every known item of the feed is now re-checked.
func TestRecheckAllCoversItemsOfARenamedSource(t *testing.T) {
	f := newFixture(t)
	n := len(f.site.Slugs())
	if first := fetchJSON(t, f); first.New != n {
		t.Fatalf("first fetch = %+v, want %d new", first, n)
	}
	feeds := filepath.Join(filepath.Dir(f.cfg), "feeds")
	if err := os.Rename(filepath.Join(feeds, "mondo-history.yaml"), filepath.Join(feeds, "renamed.yaml")); err != nil {
		t.Fatal(err)
	}
	// The first poll under the new name reads every item as new to it;
	// the second finds them known.
	fetchJSON(t, f, "--recheck", "all", "renamed")
	all := fetchJSON(t, f, "--recheck", "all", "renamed")
	if all.NotDue != 0 || all.Unchanged+all.NotModified != n {
		t.Fatalf("fetch --recheck all renamed = %+v, want all %d known items re-checked", all, n)
	}
}

// TestSourcesSaysWhichAreNoLongerConfigured: a source removed from feeds/
// stays listed with its archived articles; its row said "never polled"
// or a last poll with "-" to run next, and nothing said why it is never
// polled again.
func TestSourcesSaysWhichAreNoLongerConfigured(t *testing.T) {
	f := newFixture(t)
	fetchJSON(t, f)
	feeds := filepath.Join(filepath.Dir(f.cfg), "feeds")
	if err := os.Rename(filepath.Join(feeds, "mondo-history.yaml"), filepath.Join(feeds, "renamed.yaml")); err != nil {
		t.Fatal(err)
	}
	out, stderr, code := f.run("sources")
	if code != 0 {
		t.Fatalf("sources: exit %d\n%s", code, stderr)
	}
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "mondo-history ") && !strings.Contains(l, "not configured") {
			t.Errorf("the removed source's row does not say so: %q", l)
		}
		if strings.HasPrefix(l, "renamed ") && strings.Contains(l, "not configured") {
			t.Errorf("a configured source's row says it is not: %q", l)
		}
	}
	if !strings.Contains(out, "mondo-history ") {
		t.Fatalf("the removed source is not listed:\n%s", out)
	}
}
