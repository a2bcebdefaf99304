package parse

import (
	"strings"
	"testing"
)

func TestHTMLToText(t *testing.T) {
	tests := []struct {
		name, html, want string
	}{
		{"paragraphs and breaks", "<p>one</p><p>two<br>three<br><br>four</p>", "one\n\ntwo\nthree\n\nfour"},
		{"whitespace collapses", "<div>  a \n\t b&nbsp;&nbsp;c </div>", "a b c"},
		{"entities", "<p>&lt;ok&gt; &amp; &euml;</p>", "<ok> & ë"},
		{"skips head, script, style, comments", "<head><title>t</title><style>x{}</style></head><body><!-- hidden -->shown<script>var a;</script><noscript>ns</noscript></body>", "shown"},
		{"unordered list", "<p>Items:</p><ul><li>one</li><li>two</li></ul>after", "Items:\n\n- one\n- two\n\nafter"},
		{"ordered and nested list", "<ol><li>first<ul><li>sub</li></ul></li><li>second</li></ol>", "1. first\n  - sub\n2. second"},
		{"link with text", `see <a href="https://example.org/a">the rules</a>.`, "see the rules (https://example.org/a)."},
		{"link that is its own text", `<a href="https://example.org/">https://example.org</a>`, "https://example.org"},
		{"mailto link showing the address", `<a href="mailto:dkp@mkrs-ks.org">dkp@mkrs-ks.org</a>`, "dkp@mkrs-ks.org"},
		{"anchor and script links add nothing", `<a href="#top">top</a> <a href="javascript:x()">run</a>`, "top run"},
		{"image link shows target", `<a href="https://example.org/f.pdf"><img src="x.png"></a>`, "https://example.org/f.pdf"},
		{"image alt", `<p>logo <img alt="Ministria" src="l.png"></p>`, "logo [Ministria]"},
		{"table rows as lines", "<table><tr><td>Name</td><td>Arta</td></tr><tr><td>City</td><td>Prishtinë</td></tr></table>", "Name Arta\nCity Prishtinë"},
		{"pre keeps layout", "<pre>a  b\n  c</pre>", "a  b\n  c"},
		{"unclosed tags", "<p>open <b>bold <i>both", "open bold both"},
		{"empty", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := htmlToText(tc.html); got != tc.want {
				t.Errorf("htmlToText(%q) = %q, want %q", tc.html, got, tc.want)
			}
		})
	}
}

func TestTidyText(t *testing.T) {
	tests := []struct {
		name, text, want string
	}{
		{"CRLF, CR and LF line ends", "a\r\nb\rc\nd", "a\nb\nc\nd"},
		{"CR before CRLF ends two lines", "a\r\r\nb", "a\n\nb"},
		{"trailing blanks and no-break spaces", "a \t\u00a0\nb\u00a0 ", "a\nb"},
		{"leading blanks kept inside", "a\n  b", "a\n  b"},
		{"blank lines squeezed", "a\n\n\n \n\t\nb\n\n", "a\n\nb"},
		{"whole trimmed", "\n\n  a  \n\n", "a"},
		{"invalid UTF-8 left for later", "a\xa0\n\xc2", "a\xa0\n\xc2"},
		{"one line", "a", "a"},
		{"empty", "", ""},
		{"only line ends", "\r\n\r\n", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tidyText(tc.text); got != tc.want {
				t.Errorf("tidyText(%q) = %q, want %q", tc.text, got, tc.want)
			}
		})
	}
	// Every text part passes through here: the text is written once.
	text := strings.Repeat("Përshëndetje,  \r\nkërkoj kopjen e vendimit.\r\n\r\n\r\n", 20)
	if n := testing.AllocsPerRun(100, func() { tidyText(text) }); n > 1 {
		t.Errorf("tidyText allocates %v times, want 1", n)
	}
}
