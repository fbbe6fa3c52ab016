package faultsite

import (
	"net/http"
	"strings"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
)

const charsetPrefix = "/charset/"

// How a charset page declares its charset.
const (
	DeclareHeader   = "header"    // only in the Content-Type header
	DeclareMeta     = "meta"      // only in <meta charset>, first in <head>
	DeclareMetaLate = "meta-late" // only in <meta charset>, after 2 KiB of <head>
)

// CharsetPage is one page in a legacy charset.
type CharsetPage struct {
	Path    string // /charset/{charset}/{declare}
	Charset string // IANA/WHATWG label as sent
	Declare string
	Text    string // a sentence of the page's text, in UTF-8
	Raw     []byte // the page's bytes as served
}

type legacy struct {
	label string
	enc   encoding.Encoding
	text  string
}

var legacies = []legacy{
	{"gbk", simplifiedchinese.GBK, "中华民国历史档案记载了蒙古独立的经过"},
	{"big5", traditionalchinese.Big5, "中華民國歷史檔案記載了外蒙古獨立的經過"},
	{"shift_jis", japanese.ShiftJIS, "日本の歴史と文化についての記録です"},
	{"euc-kr", korean.EUCKR, "한국의 역사와 문화에 관한 기록입니다"},
	{"windows-1251", charmap.Windows1251, "История России и летопись Киевской Руси"},
	{"windows-1252", charmap.Windows1252, "Histoire de l’Église française — où l’on lit « les chroniques »"},
	{"koi8-r", charmap.KOI8R, "Русская история и древняя летопись"},
}

// CharsetPages lists every legacy-charset page: each charset of GBK, Big5,
// Shift_JIS, EUC-KR, windows-1251, windows-1252 and KOI8-R, declared in the
// header, in <meta> only, and in <meta> after byte 1024 only.
func CharsetPages() []CharsetPage {
	var out []CharsetPage
	for _, l := range legacies {
		for _, d := range []string{DeclareHeader, DeclareMeta, DeclareMetaLate} {
			out = append(out, charsetPage(l, d))
		}
	}
	return out
}

func charsetPage(l legacy, declare string) CharsetPage {
	head := ""
	switch declare {
	case DeclareMeta:
		head = `<meta charset="` + l.label + `">`
	case DeclareMetaLate:
		// x/net/html/charset's prescan gives up after 1024 bytes.
		head = "<style>" + strings.Repeat(".x{margin:0 auto;padding:1px}\n", 80) + "</style>" +
			`<meta http-equiv="Content-Type" content="text/html; charset=` + l.label + `">`
	}
	doc := pageWithHead(l.text, head, paragraphs(l.text))
	raw, err := l.enc.NewEncoder().Bytes([]byte(doc))
	if err != nil {
		panic("faultsite: encode " + l.label + ": " + err.Error())
	}
	return CharsetPage{Path: charsetPrefix + l.label + "/" + declare, Charset: l.label, Declare: declare, Text: l.text, Raw: raw}
}

func (s *Site) serveCharset(w http.ResponseWriter, r *http.Request, rest string) {
	for _, p := range CharsetPages() {
		if p.Path == charsetPrefix+rest {
			ct := "text/html"
			if p.Declare == DeclareHeader {
				ct += "; charset=" + p.Charset
			}
			w.Header().Set("Content-Type", ct)
			_, _ = w.Write(p.Raw)
			return
		}
	}
	http.NotFound(w, r)
}
