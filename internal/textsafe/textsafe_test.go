package textsafe

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

// attack is the title-and-clear-screen sequence from issue #9: OSC 0 sets
// the window title (ended by BEL), CSI 2J clears the screen.
const attack = "\x1b]0;pwned\x07\x1b[2J"

func TestText(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain", "Kërkesë për dokumente", "Kërkesë për dokumente"},
		{"lines and tabs kept", "a\n\tb\n", "a\n\tb\n"},
		{"crlf becomes lf", "a\r\nb\r\n", "a\nb\n"},
		{"lone cr escaped", "paid\rrefused", `paid\x0drefused`},
		{"osc title and clear screen", "x" + attack + "y", `x\x1b]0;pwned\x07\x1b[2Jy`},
		{"nul and del", "a\x00b\x7f", `a\x00b\x7f`},
		{"c1 csi as a rune", "a\u009b2Jb", `a\u009b2Jb`},
		{"c1 csi as a raw byte", "a\x9b2Jb", `a\x9b2Jb`},
		{"nel escaped in text", "a\u0085b", `a\u0085b`},
		{"right-to-left override", "invoice\u202efdp.exe", `invoice\u202efdp.exe`},
		{"isolates and marks", "\u2066a\u2069\u200f", `\u2066a\u2069\u200f`},
		{"cyrillic untouched", "Поштовани, молимо", "Поштовани, молимо"},
		{"backslash untouched", `C:\dok\x1b`, `C:\dok\x1b`},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Text(tt.in); got != tt.want {
				t.Errorf("Text(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestLine(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain", "Re: [DKP-2026-000042] Kontrata", "Re: [DKP-2026-000042] Kontrata"},
		{"line breaks become spaces", "a\r\nb\nc\td", "a  b c d"},
		{"unicode line separators", "a\u2028b\u2029c\u0085d", "a b c d"},
		{"osc title and clear screen", attack + "Kërkesë", `\x1b]0;pwned\x07\x1b[2JKërkesë`},
		{"c1 csi", "\u009b31m", `\u009b31m`},
		{"bidi override", "\u202eabc", `\u202eabc`},
		{"invalid utf-8", "a\xffb", `a\xffb`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Line(tt.in); got != tt.want {
				t.Errorf("Line(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestFileName(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain", "kërkesa.pdf", "kërkesa.pdf"},
		{"directory dropped", "../../etc/passwd", "passwd"},
		{"windows directory dropped", `C:\Users\a\raport.docx`, "raport.docx"},
		{"trailing slash", "dir/", "dir"},
		{"osc and csi removed", attack + "a.pdf", "]0;pwned[2Ja.pdf"},
		{"c1 csi removed", "a\u009b2J.pdf", "a2J.pdf"},
		{"right-to-left override removed", "invoice\u202efdp.exe", "invoicefdp.exe"},
		{"isolates removed", "\u2067fdp.exe\u2069", "fdp.exe"},
		{"invalid utf-8 removed", "a\xffb.txt", "ab.txt"},
		{"newline in name", "a\nb.txt", "ab.txt"},
		{"dot dot", "..", ""},
		{"only controls", "\x1b\x07", ""},
		{"only a slash", "/", ""},
		{"spaces trimmed", "  a.txt  ", "a.txt"},
		// A disk takes at most 255 bytes a name: a longer one is cut,
		// between letters, and keeps its extension.
		{"255 bytes kept", strings.Repeat("a", 251) + ".pdf", strings.Repeat("a", 251) + ".pdf"},
		{"long ASCII name", strings.Repeat("a", 300) + ".pdf", strings.Repeat("a", 251) + ".pdf"},
		{"long name cut between letters", strings.Repeat("č", 150) + ".pdf", strings.Repeat("č", 125) + ".pdf"},
		{"long name, cut in a 3-byte letter", "a" + strings.Repeat("ё€", 60) + ".docx", "a" + strings.Repeat("ё€", 49) + "ё.docx"},
		{"long name without an extension", strings.Repeat("ш", 200), strings.Repeat("ш", 127)},
		{"a long extension is no extension", "a." + strings.Repeat("b", 300), "a." + strings.Repeat("b", 253)},
		{"spaces at the cut trimmed", strings.Repeat("a", 250) + "   b.pdf", strings.Repeat("a", 250) + ".pdf"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := FileName(tt.in)
			if got != tt.want {
				t.Errorf("FileName(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if len(got) > 255 || !utf8.ValidString(got) || FileName(got) != got {
				t.Errorf("FileName(%q) = %q: %d bytes, valid %v, or not kept as it is", tt.in, got, len(got), utf8.ValidString(got))
			}
		})
	}
}

func TestJSON(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string // the encoded form after JSON
	}{
		{"plain", "Kërkesë", `"Kërkesë"`},
		{"c0 already escaped by encoding/json", attack, `"\u001b]0;pwned\u0007\u001b[2J"`},
		{"c1 csi", "a\u009bb", `"a\u009bb"`},
		{"bidi override", "x\u202ey", `"x\u202ey"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			enc, err := json.Marshal(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			got := JSON(enc)
			if string(got) != tt.want {
				t.Errorf("JSON(%s) = %s, want %s", enc, got, tt.want)
			}
			var back string
			if err := json.Unmarshal(got, &back); err != nil || back != tt.in {
				t.Errorf("decoded %q, %v; want %q", back, err, tt.in)
			}
		})
	}
}

// Clean text, the usual case, comes back as it is without copying.
func TestCleanTextIsNotCopied(t *testing.T) {
	s := strings.Repeat("Përshëndetje, kërkoj kopjen e kontratës.\n", 20)
	if got := Text(s); got != s {
		t.Fatalf("Text changed clean text")
	}
	allocs := testing.AllocsPerRun(10, func() { _ = Text(s); _ = Line("Kërkesë për dokumente") })
	if allocs != 0 {
		t.Errorf("%v allocations for clean text, want 0", allocs)
	}
}
