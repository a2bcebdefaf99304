package classifier

import (
	"slices"
	"testing"

	"sportel/inquiry"
)

func TestDetectLanguage(t *testing.T) {
	tests := []struct {
		name string
		text string
		want inquiry.Language
	}{
		{"albanian formal", "Të nderuar, ju lutem më tregoni kur hapet thirrja publike për projektet e të rinjve.", inquiry.Albanian},
		{"albanian without diacritics", "pershendetje a mund te me tregoni kur hapet thirrja per projektet e te rinjve", inquiry.Albanian},
		{"albanian gheg", "a muj me ardh neser me i marr dokumentat te zyra juej", inquiry.Albanian},
		{"albanian telegram one-liner", "ku jeni ju sot?", inquiry.Albanian},
		{"albanian short", "sa kushton bileta per koncert", inquiry.Albanian},
		{"serbian latin with diacritics", "Poštovani, zanima me kada počinje konkurs za omladinske projekte.", inquiry.SerbianLatin},
		{"serbian latin without diacritics", "gde mogu da predam prijavu za stipendiju", inquiry.SerbianLatin},
		{"serbian latin telegram", "hvala puno na odgovoru", inquiry.SerbianLatin},
		{"serbian cyrillic", "Поштовани, занима ме када почиње конкурс.", inquiry.SerbianCyrl},
		{"serbian cyrillic short", "где је министарство?", inquiry.SerbianCyrl},
		{"serbian cyrillic with latin name", "Молим вас, где се налази Youth Centre у Грачаници?", inquiry.SerbianCyrl},
		{"english", "Could you tell me when the call for youth projects opens?", inquiry.English},
		{"english telegram", "where is the ministry", inquiry.English},
		{"english with typos", "wen does the musuem open on sundays", inquiry.English},
		{"empty", "", inquiry.UndefinedLang},
		{"digits and punctuation", "2026-04-14 / 12:30 !!!", inquiry.UndefinedLang},
		{"emoji only", "🙏🙏", inquiry.UndefinedLang},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, conf := DetectLanguage(tc.text)
			if got != tc.want {
				t.Errorf("DetectLanguage(%q) = %s (%.2f), want %s", tc.text, got, conf, tc.want)
			}
			if conf < 0 || conf > 1 {
				t.Errorf("confidence %v outside [0,1]", conf)
			}
			if tc.want != inquiry.UndefinedLang && conf < unsureBelow {
				t.Errorf("confidence %.2f below the und cut-off for a detected language", conf)
			}
		})
	}
}

// TestDetectLanguageConfidenceGrows checks that more text means more
// confidence, so that one-word messages can come back "und" while a full
// paragraph is certain.
func TestDetectLanguageConfidenceGrows(t *testing.T) {
	short := "dokumente"
	long := "Të nderuar, ju lutem më dërgoni dokumentet që kam kërkuar javën e kaluar, sepse më duhen për një projekt të shkollës."
	_, cShort := guessLanguage(short)
	lang, cLong := guessLanguage(long)
	if lang != inquiry.Albanian {
		t.Fatalf("long text detected as %s", lang)
	}
	if cLong <= cShort {
		t.Errorf("confidence for a paragraph %.3f not above that for one word %.3f", cLong, cShort)
	}
	if cLong < 0.95 {
		t.Errorf("confidence for a clear Albanian paragraph %.3f, want ≥ 0.95", cLong)
	}
}

func TestVisitTrigrams(t *testing.T) {
	tests := []struct {
		word string
		want []string
	}{
		{"", nil},
		{"a", []string{" a "}},
		{"ab", []string{" ab", "ab "}},
		{"kopje", []string{" ko", "kop", "opj", "pje", "je "}},
		{"ђак", []string{" ђа", "ђак", "ак "}},
	}
	for _, tt := range tests {
		var got []string
		visitTrigrams(tt.word, func(g trigram) { got = append(got, g.String()) })
		if !slices.Equal(got, tt.want) {
			t.Errorf("visitTrigrams(%q) = %q, want %q", tt.word, got, tt.want)
		}
	}
}

// TestTrigramProfileKeys checks that every trigram of the profile packs
// into a key without losing a letter, so that each is still found.
func TestTrigramProfileKeys(t *testing.T) {
	if len(trigramProfile) != len(profileTrigrams) {
		t.Errorf("trigramProfile has %d trigrams, profileTrigrams %d", len(trigramProfile), len(profileTrigrams))
	}
	for gram, lp := range profileTrigrams {
		if got := trigramOf(gram).String(); got != gram {
			t.Errorf("trigramOf(%q).String() = %q", gram, got)
		}
		if trigramProfile[trigramOf(gram)] != lp {
			t.Errorf("trigramProfile of %q = %v, want %v", gram, trigramProfile[trigramOf(gram)], lp)
		}
	}
}
