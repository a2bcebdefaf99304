package classifier

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestNormalize(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"albanian diacritics", "Kërkesë për qasje në dokumente, çmimi", "kerkese per qasje ne dokumente cmimi"},
		{"albanian capitals", "ËSHTË ÇËSHTJE", "eshte ceshtje"},
		{"serbian latin", "Čačak, Ćuprija, Šabac, Žabalj, Đakovica", "cacak cuprija sabac zabalj djakovica"},
		{"serbian latin capitals", "ČĆŠŽĐ", "ccszdj"},
		{"serbian cyrillic", "Поштовани, тражим копију уговора", "postovani trazim kopiju ugovora"},
		{"cyrillic digraph letters", "Љубљана Њујорк Џеп Ђорђе Ћуприја", "ljubljana njujork dzep djordje cuprija"},
		{"cyrillic and latin meet", "Ministarstvo / Министарство", "ministarstvo ministarstvo"},
		{"case and punctuation", "Hello,   WORLD!!! (DKP-2026-000042)", "hello world dkp 2026 000042"},
		{"other accents fold", "Café naïve Ångström", "cafe naive angstrom"},
		{"combining marks dropped", "e\u0308 c\u030c", "e c"},
		{"whitespace only", " \t\n ", ""},
		{"apostrophes split words", "t'i dërgoni, don't", "t i dergoni don t"},
		{"emoji are separators", "faleminderit🙏shumë", "faleminderit shume"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Normalize(tc.in); got != tc.want {
				t.Errorf("Normalize(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

// TestNormalizeScriptsAgree checks that the same Serbian sentence in both
// scripts, with and without diacritics, gives one normal form: this is what
// lets one model serve all of them.
func TestNormalizeScriptsAgree(t *testing.T) {
	variants := []string{
		"Молим вас за копију одлуке о финансирању позоришта у Чачку",
		"Molim vas za kopiju odluke o finansiranju pozorišta u Čačku",
		"molim vas za kopiju odluke o finansiranju pozorista u Cacku",
	}
	want := Normalize(variants[0])
	for _, v := range variants[1:] {
		if got := Normalize(v); got != want {
			t.Errorf("Normalize(%q) = %q, want %q", v, got, want)
		}
	}
}

func FuzzNormalize(f *testing.F) {
	for _, seed := range []string{
		"", "Kërkesë për qasje", "Поштовани, Ђорђе", "ČĆŠŽĐ čćšžđ", "İstanbul ǅ ẞ", "e\u0308\u0301",
		"\xff\xfe broken utf8", "ﬁ ligature", "Ω Å K", "日本語のテキスト", "> quoted\n-- \nsig",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := Normalize(in)
		if !utf8.ValidString(out) {
			t.Fatalf("Normalize(%q) = %q: not valid UTF-8", in, out)
		}
		if strings.HasPrefix(out, " ") || strings.HasSuffix(out, " ") || strings.Contains(out, "  ") {
			t.Fatalf("Normalize(%q) = %q: stray spaces", in, out)
		}
		if again := Normalize(out); again != out {
			t.Fatalf("not idempotent: Normalize(%q) = %q, again %q", in, out, again)
		}
		for _, r := range out {
			if unicode.ToLower(r) != r {
				t.Fatalf("Normalize(%q) = %q keeps upper-case %q", in, out, r)
			}
		}
	})
}
