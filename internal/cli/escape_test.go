package cli

import "testing"

func TestTermEscape(t *testing.T) {
	cases := []struct{ in, line, text string }{
		{"plain title, «quoted» 中文", "plain title, «quoted» 中文", "plain title, «quoted» 中文"},
		{"\x1b]0;pwned\x07Title", `\x1b]0;pwned\x07Title`, `\x1b]0;pwned\x07Title`},
		{"a\x1b[2Jb", `a\x1b[2Jb`, `a\x1b[2Jb`},
		{"C1 \u009b2J csi", `C1 \u009b2J csi`, `C1 \u009b2J csi`},
		{"line\none\ttab\r", `line\x0aone\x09tab\x0d`, "line\none\ttab\\x0d"},
		{"del\x7f bad\xffbyte", `del\x7f bad\xffbyte`, `del\x7f bad\xffbyte`},
	}
	for _, c := range cases {
		if got := termLine(c.in); got != c.line {
			t.Errorf("termLine(%q) = %q, want %q", c.in, got, c.line)
		}
		if got := termText(c.in); got != c.text {
			t.Errorf("termText(%q) = %q, want %q", c.in, got, c.text)
		}
	}
}
