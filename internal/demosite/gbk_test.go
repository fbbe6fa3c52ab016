package demosite

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding/simplifiedchinese"
)

func TestGBKArticle(t *testing.T) {
	s := New()
	s.AddGBKArticle("zheng-he-fleet")
	srv := startServer(t, s)
	resp, raw := get(t, srv, srv.URL+Path("zheng-he-fleet"))
	if ct := resp.Header.Get("Content-Type"); ct != "text/html" {
		t.Errorf("Content-Type = %q, want bare text/html", ct)
	}
	meta := bytes.Index(raw, []byte(`<meta charset="gbk">`))
	if meta <= 1024 {
		t.Fatalf("<meta charset> at byte %d, want after 1024", meta)
	}
	if bytes.Contains(bytes.ToLower(raw[:meta]), []byte("charset")) {
		t.Error("a charset is declared before the late <meta>")
	}
	if utf8.Valid(raw) {
		t.Error("page bytes are valid UTF-8; they should be GBK")
	}
	// The trap the page exists for: the 1024-byte prescan misses the charset.
	if _, name, _ := charset.DetermineEncoding(raw, resp.Header.Get("Content-Type")); name == "gbk" {
		t.Error("x/net prescan found gbk; the page does not exercise the late-meta case")
	}
	decoded, err := simplifiedchinese.GBK.NewDecoder().Bytes(raw)
	if err != nil {
		t.Fatal(err)
	}
	page := string(decoded)
	for _, want := range []string{"更新于 2024年1月31日", "郑和宝船队的最后一次远航", gbkParagraphs[0]} {
		if !strings.Contains(page, want) {
			t.Errorf("decoded page lacks %q", want)
		}
	}
	p := pageParts(t, decoded)
	if p["canonical"] != srv.URL+Path("zheng-he-fleet") || p["body"] == "" || p["stamp"] != "更新于 2024年1月31日" {
		t.Errorf("layout: canonical %q, stamp %q, body %d bytes", p["canonical"], p["stamp"], len(p["body"]))
	}

	found := false
	for _, it := range parseFeed(t, getOK(t, srv, "/rss.xml")).Items {
		found = found || it.GUID == "zheng-he-fleet"
	}
	if !found {
		t.Error("GBK article missing from the feed")
	}

	// Mutators reach it too, and the result is still GBK.
	s.SetViews("zheng-he-fleet", 7)
	decoded, err = simplifiedchinese.GBK.NewDecoder().Bytes(getOK(t, srv, Path("zheng-he-fleet")))
	if err != nil || !strings.Contains(string(decoded), "7 readers today") {
		t.Errorf("after SetViews: err %v", err)
	}
}
