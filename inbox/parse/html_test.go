package parse

import "testing"

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
