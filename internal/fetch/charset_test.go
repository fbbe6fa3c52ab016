package fetch

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
	"golang.org/x/text/encoding/unicode"
)

func encode(t *testing.T, enc encoding.Encoding, s string) []byte {
	t.Helper()
	b, err := enc.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatalf("encode %q: %v", s, err)
	}
	return b
}

func TestToUTF8(t *testing.T) {
	longHead := "<!-- " + strings.Repeat("padding ", 200) + "-->" // pushes <meta> past byte 1024
	page := func(head, text string) string {
		return "<!DOCTYPE html><html><head>" + head + "<title>t</title></head><body><p>" + text + "</p></body></html>"
	}
	tests := []struct {
		name        string
		enc         encoding.Encoding // nil: html is used as UTF-8 bytes
		html        string
		contentType string
		want        string // must appear in the output
		charset     string
		notUTF8     bool // the fixture must not be valid UTF-8
	}{
		{"gbk meta after 1024", simplifiedchinese.GBK, page(longHead+`<meta charset="gbk">`, "中文历史档案"), "text/html", "中文历史档案", "gbk", true},
		{"gb2312 label is gbk", simplifiedchinese.GBK, page(`<meta http-equiv="Content-Type" content="text/html; charset=gb2312">`, "历史"), "", "历史", "gbk", true},
		{"gb18030 header", simplifiedchinese.GB18030, page("", "编年史"), "text/html; charset=GB18030", "编年史", "gb18030", true},
		{"big5 header", traditionalchinese.Big5, page("", "歷史檔案"), "text/html; charset=big5", "歷史檔案", "big5", true},
		{"shift_jis meta http-equiv", japanese.ShiftJIS, page(`<meta http-equiv="content-type" content="text/html;charset=Shift_JIS">`, "日本の歴史"), "text/html", "日本の歴史", "shift_jis", true},
		{"euc-kr header", korean.EUCKR, page("", "한국 역사"), "text/html; charset=euc-kr", "한국 역사", "euc-kr", true},
		{"windows-1251 meta only", charmap.Windows1251, page(`<meta charset=windows-1251>`, "История России"), "text/html", "История России", "windows-1251", true},
		{"windows-1251 meta after 1024", charmap.Windows1251, page(longHead+`<meta charset='cp1251'>`, "Летопись"), "", "Летопись", "windows-1251", true},
		{"koi8-r header", charmap.KOI8R, page("", "Летопись временных лет"), "text/html; charset=KOI8-R", "Летопись временных лет", "koi8-r", true},
		{"windows-1252 header", charmap.Windows1252, page("", "Café, naïve"), "text/html; charset=windows-1252", "Café, naïve", "windows-1252", true},
		{"latin-1 bytes, nothing declared", charmap.Windows1252, page("", "Château"), "text/html", "Château", "windows-1252", true},
		{"latin-1 header over valid utf-8", nil, page("", "Ärger über Öl — “quotes”"), "text/html; charset=ISO-8859-1", "Ärger über Öl — “quotes”", "utf-8", false},
		{"us-ascii header over valid utf-8", nil, page("", "naïve"), "text/html; charset=us-ascii", "naïve", "utf-8", false},
		{"no header, valid utf-8", nil, page("", "Ελληνικά"), "", "Ελληνικά", "utf-8", false},
		{"valid utf-8 beats a stale meta", nil, page(`<meta charset="windows-1251">`, "Ελληνικά"), "text/html", "Ελληνικά", "utf-8", false},
		{"header beats meta", charmap.KOI8R, page(`<meta charset="windows-1251">`, "Летопись"), "text/html; charset=koi8-r", "Летопись", "koi8-r", true},
		{"unknown header label falls to meta", charmap.Windows1251, page(`<meta charset="windows-1251">`, "Летопись"), "text/html; charset=bogus-9", "Летопись", "windows-1251", true},
		{"meta in body ignored", charmap.Windows1252, "<html><head></head><body><meta charset=koi8-r>Café</body>", "", "Café", "windows-1252", true},
		{"xml declaration", charmap.Windows1251, `<?xml version="1.0" encoding="windows-1251"?><rss><title>Летопись</title></rss>`, "application/rss+xml", "Летопись", "windows-1251", true},
		{"iso-2022-jp meta", japanese.ISO2022JP, page(`<meta charset="iso-2022-jp">`, "日本の歴史"), "text/html", "日本の歴史", "iso-2022-jp", false},
		{"utf-16 meta means utf-8", nil, page(`<meta charset="utf-16">`, "x\xff"), "", "x\uFFFD", "utf-8", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := []byte(tt.html)
			if tt.enc != nil {
				raw = encode(t, tt.enc, tt.html)
			}
			if tt.notUTF8 && utf8.Valid(raw) {
				t.Fatal("fixture is valid UTF-8; it would not test decoding")
			}
			got, name := ToUTF8(raw, tt.contentType)
			if name != tt.charset {
				t.Errorf("charset = %q, want %q", name, tt.charset)
			}
			if !utf8.Valid(got) {
				t.Error("output is not valid UTF-8")
			}
			if !strings.Contains(string(got), tt.want) {
				t.Errorf("output lacks %q: %q", tt.want, got)
			}
		})
	}
}

func TestToUTF8InvalidReplaced(t *testing.T) {
	for _, ct := range []string{"text/html; charset=utf-8", "text/html; charset=shift_jis", "text/html; charset=big5", ""} {
		raw := []byte("ok \xff\xfe\x80 \xe4\xb8 end \x81")
		got, name := ToUTF8(raw, ct)
		if !utf8.Valid(got) || !bytes.HasPrefix(got, []byte("ok ")) || !bytes.Contains(got, []byte(" end")) {
			t.Errorf("%q → %q (%s)", ct, got, name)
		}
		if ct == "text/html; charset=utf-8" && !bytes.ContainsRune(got, utf8.RuneError) {
			t.Errorf("invalid bytes not replaced: %q", got)
		}
	}
}

func TestToUTF8ByteOrderMarks(t *testing.T) {
	utf16le := encode(t, unicode.UTF16(unicode.LittleEndian, unicode.UseBOM), "Ελληνικά")
	utf16be := encode(t, unicode.UTF16(unicode.BigEndian, unicode.UseBOM), "Ελληνικά")
	tests := []struct {
		raw     []byte
		ct      string
		charset string
	}{
		{append([]byte{0xEF, 0xBB, 0xBF}, "Ελληνικά"...), "text/html; charset=windows-1251", "utf-8"},
		{utf16le, "text/html; charset=utf-8", "utf-16le"},
		{utf16be, "", "utf-16be"},
	}
	for _, tt := range tests {
		got, name := ToUTF8(tt.raw, tt.ct)
		if string(got) != "Ελληνικά" || name != tt.charset {
			t.Errorf("%x: got %q %q, want Ελληνικά %q", tt.raw[:4], got, name, tt.charset)
		}
	}
}

func TestResponseUTF8UsesHeader(t *testing.T) {
	res := &Response{
		Header: http.Header{"Content-Type": {"text/html; charset=koi8-r"}},
		Body:   encode(t, charmap.KOI8R, "Летопись"),
	}
	if got, name := res.UTF8(); string(got) != "Летопись" || name != "koi8-r" {
		t.Errorf("UTF8() = %q, %q", got, name)
	}
}

func TestCharsetFromContent(t *testing.T) {
	tests := map[string]string{
		"text/html; charset=gbk":         "gbk",
		"text/html;charset=\"big5\"":     "big5",
		"text/html; CHARSET = 'koi8-r' ": "koi8-r",
		"text/html; charset=utf-8; x=y":  "utf-8",
		"text/html; charsetx; charset=a": "a",
		"text/html; charset=\"unclosed":  "",
		"text/html":                      "",
	}
	for in, want := range tests {
		if got := charsetFromContent(in); got != want {
			t.Errorf("charsetFromContent(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestIsHTML(t *testing.T) {
	tests := []struct {
		ct   string
		body string
		want bool
	}{
		{"text/html; charset=utf-8", "", true},
		{"application/xhtml+xml", "", true},
		{"TEXT/HTML", "", true},
		{"application/pdf", "<html>", false},
		{"image/png", "\x89PNG", false},
		{"", "<!DOCTYPE html><html><body>x</body></html>", true},
		{"", "%PDF-1.7 ...", false},
		{"text/html;;broken", "", true},
	}
	for _, tt := range tests {
		res := &Response{Header: http.Header{}, Body: []byte(tt.body)}
		if tt.ct != "" {
			res.Header.Set("Content-Type", tt.ct)
		}
		if got := res.IsHTML(); got != tt.want {
			t.Errorf("IsHTML(%q, %q) = %v", tt.ct, tt.body, got)
		}
	}
}

func FuzzToUTF8(f *testing.F) {
	// Seeds are in testdata/fuzz/FuzzToUTF8.
	f.Fuzz(func(t *testing.T, body []byte, contentType string) {
		out, name := ToUTF8(body, contentType)
		if !utf8.Valid(out) {
			t.Fatalf("invalid UTF-8 output for charset %q", name)
		}
		if name == "" {
			t.Fatal("no charset name")
		}
	})
}
