package demosite

import (
	"bytes"
	"encoding/xml"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"
)

func parseFeed(t *testing.T, body []byte) *gofeed.Feed {
	t.Helper()
	f, err := gofeed.NewParser().Parse(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("parse feed: %v", err)
	}
	if f.FeedType != "rss" || f.FeedVersion != "2.0" {
		t.Fatalf("feed type %s %s, want rss 2.0", f.FeedType, f.FeedVersion)
	}
	return f
}

func TestFeedIsRSSWithAbsoluteLinks(t *testing.T) {
	s := New()
	srv := startServer(t, s)
	resp, body := get(t, srv, srv.URL+"/rss.xml")
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/rss+xml") {
		t.Errorf("Content-Type = %q", ct)
	}
	// encoding/xml as a second, strict reader.
	var doc struct {
		Items []struct {
			Link string `xml:"link"`
		} `xml:"channel>item"`
	}
	if err := xml.Unmarshal(body, &doc); err != nil {
		t.Fatalf("encoding/xml: %v", err)
	}
	f := parseFeed(t, body)
	if len(f.Items) != len(s.Slugs()) || len(doc.Items) != len(f.Items) {
		t.Fatalf("%d items (xml %d), want %d", len(f.Items), len(doc.Items), len(s.Slugs()))
	}
	srvURL, _ := url.Parse(srv.URL)
	seen := map[string]bool{}
	for i, it := range f.Items {
		u, err := url.Parse(it.Link)
		if err != nil || !u.IsAbs() || u.Host != srvURL.Host {
			t.Errorf("item %d link %q is not absolute on %s", i, it.Link, srvURL.Host)
		}
		slug := strings.TrimSuffix(strings.TrimPrefix(u.Path, "/history/"), ".html")
		if it.GUID != slug {
			t.Errorf("item %d guid %q, want %q", i, it.GUID, slug)
		}
		seen[slug] = true
		if it.PublishedParsed == nil || it.UpdatedParsed == nil {
			t.Errorf("item %s: published %v, updated %v", slug, it.PublishedParsed, it.UpdatedParsed)
		}
		if it.Description == "" || it.Title == "" {
			t.Errorf("item %s has no title or description", slug)
		}
		if i > 0 && it.PublishedParsed != nil && f.Items[i-1].PublishedParsed != nil && it.PublishedParsed.After(*f.Items[i-1].PublishedParsed) {
			t.Errorf("items not newest first at %d", i)
		}
	}
	for _, slug := range s.Slugs() {
		if !seen[slug] {
			t.Errorf("no item for %s", slug)
		}
	}
	if f.Link != srv.URL+"/" {
		t.Errorf("channel link %q", f.Link)
	}
}

func TestFeedAfterRevise(t *testing.T) {
	s := New()
	srv := startServer(t, s)
	item := func() *gofeed.Item {
		for _, it := range parseFeed(t, getOK(t, srv, "/rss.xml")).Items {
			if it.GUID == sampleSlug {
				return it
			}
		}
		t.Fatal("no item for the sample article")
		return nil
	}
	before := item()
	updated := time.Date(2024, 2, 14, 9, 30, 0, 0, time.UTC)
	s.Revise(sampleSlug, updated, func(p []string) []string { return p[1:] })
	after := item()
	if !after.UpdatedParsed.Equal(updated) {
		t.Errorf("atom:updated = %v, want %v", after.UpdatedParsed, updated)
	}
	if !after.PublishedParsed.Equal(*before.PublishedParsed) || after.Link != before.Link {
		t.Errorf("pubDate or link changed: %v → %v, %s → %s", before.PublishedParsed, after.PublishedParsed, before.Link, after.Link)
	}
	if after.Description == before.Description {
		t.Errorf("summary did not follow the revised body")
	}
}

func TestFeedAliasAndLinklessItems(t *testing.T) {
	s := New()
	srv := startServer(t, s)
	s.AddFeedAlias(sampleSlug)
	s.AddLinklessItem("A note from the editors")
	f := parseFeed(t, getOK(t, srv, "/rss.xml"))
	if len(f.Items) != len(s.Slugs())+2 {
		t.Fatalf("%d items, want %d", len(f.Items), len(s.Slugs())+2)
	}
	var alias, linkless *gofeed.Item
	guids := map[string]bool{}
	for _, it := range f.Items {
		if guids[it.GUID] {
			t.Errorf("duplicate guid %q", it.GUID)
		}
		guids[it.GUID] = true
		switch {
		case it.Title == "A note from the editors":
			linkless = it
		case strings.HasPrefix(it.GUID, "alias-"):
			alias = it
		}
	}
	if alias == nil || linkless == nil {
		t.Fatalf("alias %v, linkless %v", alias, linkless)
	}
	if alias.Link == srv.URL+Path(sampleSlug) || !strings.HasPrefix(alias.Link, srv.URL+"/") {
		t.Errorf("alias link %q is not a different absolute spelling", alias.Link)
	}
	// The alias leads to the same page with the same canonical link.
	u, _ := url.Parse(alias.Link)
	if got := pageParts(t, getOK(t, srv, u.RequestURI()))["canonical"]; got != srv.URL+Path(sampleSlug) {
		t.Errorf("alias page canonical = %q", got)
	}
	if linkless.Link != "" || len(linkless.Links) != 0 {
		t.Errorf("linkless item has link %q %v", linkless.Link, linkless.Links)
	}
}
